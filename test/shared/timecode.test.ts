import { describe, expect, it } from 'vitest';
import {
  formatRate,
  frameToTimecode,
  isDropFrameRate,
  nominalRate,
  shotTimecode,
  timecodeToFrame,
} from '../../src/shared/timecode.js';

describe('frameToTimecode', () => {
  it('counts non-drop at whole rates', () => {
    expect(frameToTimecode(0, 24)).toBe('00:00:00:00');
    expect(frameToTimecode(1001, 24)).toBe('00:00:41:17');
    expect(frameToTimecode(25 * 3600, 25)).toBe('01:00:00:00');
    expect(frameToTimecode(-1, 24)).toBe('23:59:59:23');
  });

  it('counts 23.976 non-drop at 24, as SMPTE does', () => {
    expect(nominalRate(23.976)).toBe(24);
    expect(isDropFrameRate(23.976)).toBe(false);
    expect(frameToTimecode(1001, 23.976)).toBe('00:00:41:17');
  });

  it('drops frame numbers 00 and 01 each minute but every tenth at 29.97', () => {
    const r = 30000 / 1001;
    expect(isDropFrameRate(29.97)).toBe(true);
    expect(frameToTimecode(1799, r)).toBe('00:00:59;29');
    expect(frameToTimecode(1800, r)).toBe('00:01:00;02');
    // ten minutes hold 17982 frames and keep their first two numbers
    expect(frameToTimecode(17982, r)).toBe('00:10:00;00');
    expect(frameToTimecode(17982 + 1800, r)).toBe('00:11:00;02');
    // an hour at 29.97 drop-frame is 107892 frames
    expect(frameToTimecode(107892, 29.97)).toBe('01:00:00;00');
  });

  it('drops four frame numbers a minute at 59.94', () => {
    expect(frameToTimecode(3600, 59.94)).toBe('00:01:00;04');
    expect(frameToTimecode(215784, 59.94)).toBe('01:00:00;00');
  });

  it('writes rates as people do', () => {
    expect(formatRate(24)).toBe('24');
    expect(formatRate(24000 / 1001)).toBe('23.976');
  });
});

describe('timecodeToFrame / shotTimecode', () => {
  it('inverts frameToTimecode, drop-frame included', () => {
    for (const rate of [24, 25, 30000 / 1001, 60000 / 1001])
      for (const f of [0, 1, 1799, 1800, 17982, 107892, 123457])
        expect(timecodeToFrame(frameToTimecode(f, rate), rate), `${f} @ ${rate}`).toBe(f);
    expect(timecodeToFrame('1:00:00:00', 24)).toBeUndefined();
  });

  it("counts on from the plates' own timecode when they record one", () => {
    expect(shotTimecode(1001, 24)).toBe('00:00:41:17');
    expect(shotTimecode(1003, 24, { frame: 1001, timecode: '01:00:00:00' })).toBe('01:00:00:02');
  });
});
