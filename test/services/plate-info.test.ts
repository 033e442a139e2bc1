/** A plate's frame rate and timecode from its header (issue #18): OpenEXR via OpenImageIO; PNG says nothing. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { frameRateOf, readPlateInfo, timecodeOf } from '../../src/main/node/plate-info.js';
import { stopOiioService } from '../../src/main/node/oiio-service.js';
import { haveOpenImageIO, makeAcescgExrPlates } from '../helpers/exr-plates.js';

const AKIYO = resolve(import.meta.dirname, '../../../shared/footage/akiyo');
const OIIO = await haveOpenImageIO();

afterAll(() => stopOiioService());

describe('plate info', () => {
  it('reads rationals and SMPTE words as OpenImageIO reports them', () => {
    expect(frameRateOf([24, 1])).toBe(24);
    expect(frameRateOf([24000, 1001])).toBe(23.976);
    expect(frameRateOf([0, 1])).toBeUndefined();
    expect(frameRateOf('24')).toBeUndefined();
    expect(timecodeOf([0x01004117, 0])).toBe('01:00:41:17');
    expect(timecodeOf('10:00:00:00')).toBe('10:00:00:00');
    expect(timecodeOf(undefined)).toBeUndefined();
  });

  it.skipIf(!OIIO)("reads an EXR plate's frame rate and timecode; a PNG has none", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'reage-plate-info-'));
    try {
      const [exr] = await makeAcescgExrPlates([{ frame: 1001, path: join(AKIYO, 'akiyo.1001.png') }], dir);
      expect(await readPlateInfo(exr!)).toEqual({ frameRate: 24, timecode: '01:00:41:17' });
      expect(await readPlateInfo(join(AKIYO, 'akiyo.1001.png'))).toEqual({});
      expect(await readPlateInfo(join(dir, 'missing.1001.exr'))).toEqual({});
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
