import { describe, expect, it } from 'vitest';
import {
  SequenceSyntaxError,
  describeFrames,
  describeGaps,
  describeSequence,
  detectSequences,
  findGaps,
  formatFrame,
  formatFrameRange,
  isPattern,
  matchFrame,
  parseFrameRange,
  parsePattern,
  splitFrameNumber,
  type NumberedSequence,
} from '../../src/shared/sequence.js';

describe('parsePattern', () => {
  it('reads #, @ and printf tokens with their padding', () => {
    expect(parsePattern('akiyo.####.png')).toEqual({ head: 'akiyo.', tail: '.png', padding: 4 });
    expect(parsePattern('akiyo.@@@@.png')).toEqual({ head: 'akiyo.', tail: '.png', padding: 4 });
    expect(parsePattern('akiyo.%04d.png')).toEqual({ head: 'akiyo.', tail: '.png', padding: 4 });
    expect(parsePattern('akiyo.%d.png')).toEqual({ head: 'akiyo.', tail: '.png', padding: 1 });
    expect(parsePattern('akiyo.#.png')).toEqual({ head: 'akiyo.', tail: '.png', padding: 1 });
    expect(parsePattern('shot_%06d.tif')).toEqual({ head: 'shot_', tail: '.tif', padding: 6 });
  });

  it('keeps the folder in the head but never looks for tokens in it', () => {
    expect(parsePattern('/plates/take#2/a.####.png')).toEqual({ head: '/plates/take#2/a.', tail: '.png', padding: 4 });
    expect(parsePattern('/plates/take#2/a.png')).toBeNull();
    expect(parsePattern('C:\\plates\\a.%03d.jpg')).toEqual({ head: 'C:\\plates\\a.', tail: '.jpg', padding: 3 });
  });

  it('returns null for plain names and rejects ambiguous or malformed tokens', () => {
    expect(parsePattern('plate.1001.png')).toBeNull();
    expect(isPattern('plate.1001.png')).toBe(false);
    expect(() => parsePattern('a.##.b.####.png')).toThrow(/2 frame-number tokens/);
    expect(() => parsePattern('a.%4d.png')).toThrow(/%04d/);
    expect(() => parsePattern('a.%4d.png')).toThrow(SequenceSyntaxError);
    expect(isPattern('a.%4d.png')).toBe(true);
  });
});

describe('formatFrame / matchFrame', () => {
  it('formats with padding and overflows past it', () => {
    expect(formatFrame('akiyo.####.png', 1001)).toBe('akiyo.1001.png');
    expect(formatFrame('akiyo.####.png', 7)).toBe('akiyo.0007.png');
    expect(formatFrame('akiyo.####.png', 12345)).toBe('akiyo.12345.png');
    expect(formatFrame('akiyo.%d.png', 7)).toBe('akiyo.7.png');
    expect(formatFrame('akiyo.####.png', -5)).toBe('akiyo.-0005.png');
    expect(formatFrame('akiyo.####.png', 0)).toBe('akiyo.0000.png');
    expect(() => formatFrame('akiyo.png', 1)).toThrow(/no frame-number token/);
    expect(() => formatFrame('a.####.png', 1.5)).toThrow(RangeError);
  });

  it('matches exactly what formatFrame writes', () => {
    expect(matchFrame('akiyo.####.png', 'akiyo.1001.png')).toBe(1001);
    expect(matchFrame('akiyo.####.png', 'akiyo.0007.png')).toBe(7);
    expect(matchFrame('akiyo.####.png', 'akiyo.12345.png')).toBe(12345);
    expect(matchFrame('akiyo.####.png', 'akiyo.-0005.png')).toBe(-5);
    expect(matchFrame('akiyo.####.png', 'akiyo.7.png')).toBeNull();
    expect(matchFrame('akiyo.####.png', 'akiyo.00007.png')).toBeNull();
    expect(matchFrame('akiyo.%d.png', 'akiyo.0007.png')).toBeNull();
    expect(matchFrame('akiyo.%d.png', 'akiyo.7.png')).toBe(7);
    expect(matchFrame('akiyo.####.png', 'akiyo.1001.jpg')).toBeNull();
    expect(matchFrame('akiyo.####.png', 'other.1001.png')).toBeNull();
    expect(matchFrame('akiyo.####.png', 'akiyo..png')).toBeNull();
    expect(matchFrame('akiyo.####.png', 'akiyo.10a1.png')).toBeNull();
    for (const f of [-12, -1, 0, 1, 99, 1001, 123456]) {
      for (const p of ['a.#.png', 'a.####.png', 'a_%06d.tif']) expect(matchFrame(p, formatFrame(p, f))).toBe(f);
    }
  });
});

describe('splitFrameNumber', () => {
  it('takes the last number before the extension', () => {
    expect(splitFrameNumber('shot_v2.1001.png')).toEqual({
      head: 'shot_v2.',
      tail: '.png',
      frame: 1001,
      digits: '1001',
    });
    expect(splitFrameNumber('akiyo1001.png')).toMatchObject({ head: 'akiyo', frame: 1001 });
    expect(splitFrameNumber('shot.1001_matte.png')).toMatchObject({ head: 'shot.', tail: '_matte.png', frame: 1001 });
    expect(splitFrameNumber('shot.0001')).toMatchObject({ head: 'shot.', tail: '', frame: 1 });
  });

  it('ignores digits in extensions and folders', () => {
    expect(splitFrameNumber('clip.mp4')).toBeNull();
    expect(splitFrameNumber('plate.1001.jp2')).toMatchObject({ frame: 1001, tail: '.jp2' });
    expect(splitFrameNumber('/shots/sh010/plate.png')).toBeNull();
  });

  it('reads a minus sign only after . or _', () => {
    expect(splitFrameNumber('shot.-0005.png')).toMatchObject({ head: 'shot.', frame: -5 });
    expect(splitFrameNumber('shot_-12.png')).toMatchObject({ head: 'shot_', frame: -12 });
    expect(splitFrameNumber('shot-0005.png')).toMatchObject({ head: 'shot-', frame: 5 });
  });
});

function numbered(entries: ReturnType<typeof detectSequences>): NumberedSequence[] {
  return entries.filter((e): e is NumberedSequence => e.kind === 'sequence');
}

describe('detectSequences', () => {
  it('finds a sequence with its gaps', () => {
    const names = [1001, 1002, 1003, 1005, 1008, 1009, 1010].map((f) => `akiyo.${f}.png`).reverse();
    const [seq, ...rest] = detectSequences(names);
    expect(rest).toEqual([]);
    expect(seq).toEqual({
      kind: 'sequence',
      head: 'akiyo.',
      tail: '.png',
      padding: 4,
      pattern: 'akiyo.####.png',
      frames: [1001, 1002, 1003, 1005, 1008, 1009, 1010],
      files: [1001, 1002, 1003, 1005, 1008, 1009, 1010].map((f) => `akiyo.${f}.png`),
      gaps: [
        { from: 1004, to: 1004 },
        { from: 1006, to: 1007 },
      ],
    });
    expect(describeSequence(seq!)).toBe('akiyo.####.png 1001-1010 (7 frames; 3 frames missing: 1004, 1006-1007)');
    expect(describeFrames(seq as NumberedSequence)).toBe('1001–1010 · 7 frames · 3 frames missing: 1004, 1006-1007');
  });

  it('keeps singles and separate sequences apart', () => {
    const entries = detectSequences([
      'notes.txt',
      'b.0001.png',
      'a.1.png',
      'b.0002.png',
      'a.2.png',
      'slate.png',
      'b.0002.png',
    ]);
    expect(entries.map((e) => e.pattern)).toEqual(['a.#.png', 'b.####.png', 'notes.txt', 'slate.png']);
    expect(entries.filter((e) => e.kind === 'single').map((e) => e.files)).toEqual([['notes.txt'], ['slate.png']]);
    expect(numbered(entries).map((s) => s.frames)).toEqual([
      [1, 2],
      [1, 2],
    ]);
  });

  it('splits mixed padding into two sequences', () => {
    const entries = numbered(detectSequences(['a.1.png', 'a.2.png', 'a.10.png', 'a.0001.png', 'a.0002.png']));
    expect(entries.map((s) => [s.pattern, s.frames])).toEqual([
      ['a.####.png', [1, 2]],
      ['a.#.png', [1, 2, 10]],
    ]);
  });

  it('lets unpadded numbers join a padded sequence they fit', () => {
    const [seq] = numbered(detectSequences(['a.0998.png', 'a.0999.png', 'a.1000.png', 'a.10000.png']));
    expect(seq!.pattern).toBe('a.####.png');
    expect(seq!.frames).toEqual([998, 999, 1000, 10000]);
    expect(seq!.files.every((f, i) => matchFrame(seq!.pattern, f) === seq!.frames[i])).toBe(true);
  });

  it('handles negative frames and a lone numbered file', () => {
    const [neg] = numbered(detectSequences(['s.-0002.png', 's.-0001.png', 's.0000.png', 's.0001.png']));
    expect(neg!.frames).toEqual([-2, -1, 0, 1]);
    expect(neg!.pattern).toBe('s.####.png');
    const [lone] = numbered(detectSequences(['plate.1001.exr']));
    expect(lone).toMatchObject({ frames: [1001], gaps: [], pattern: 'plate.####.exr' });
    expect(describeSequence(lone!)).toBe('plate.####.exr 1001 (1 frame)');
    expect(describeFrames(lone!)).toBe('1001 · 1 frame');
  });
});

describe('parseFrameRange', () => {
  it('parses single frames, ranges and lists into sorted unique frames', () => {
    expect(parseFrameRange('1001')).toEqual([1001]);
    expect(parseFrameRange('1001-1003')).toEqual([1001, 1002, 1003]);
    expect(parseFrameRange('1005, 1001,1003-1005')).toEqual([1001, 1003, 1004, 1005]);
    expect(parseFrameRange(' 1001 - 1002 ')).toEqual([1001, 1002]);
    expect(parseFrameRange('-2-1')).toEqual([-2, -1, 0, 1]);
    expect(parseFrameRange('-3--2')).toEqual([-3, -2]);
  });

  it('explains malformed input', () => {
    expect(() => parseFrameRange('')).toThrow(/empty/);
    expect(() => parseFrameRange('abc')).toThrow(/"abc" in "abc" is not a frame or a range/);
    expect(() => parseFrameRange('1001-')).toThrow(/"1001-"/);
    expect(() => parseFrameRange('1001,,1003')).toThrow(/empty item/);
    expect(() => parseFrameRange('1010-1001')).toThrow(/backwards; did you mean 1001-1010/);
    expect(() => parseFrameRange('1.5')).toThrow(SequenceSyntaxError);
    expect(() => parseFrameRange('1-99999999')).toThrow(/more than 1,000,000 frames/);
  });

  it('round-trips through formatFrameRange', () => {
    expect(formatFrameRange([1005, 1001, 1002, 1003, 1007, 1008])).toBe('1001-1003,1005,1007-1008');
    expect(parseFrameRange(formatFrameRange([-3, -2, 0, 4]))).toEqual([-3, -2, 0, 4]);
  });
});

describe('gaps', () => {
  it('finds and describes gaps, shortening long lists', () => {
    expect(findGaps([1, 2, 3])).toEqual([]);
    expect(describeGaps([])).toBe('');
    expect(findGaps([5, 1, 3])).toEqual([
      { from: 2, to: 2 },
      { from: 4, to: 4 },
    ]);
    const many = findGaps(Array.from({ length: 25 }, (_, i) => i * 2));
    expect(many).toHaveLength(24);
    expect(describeGaps(many, 3)).toBe('24 frames missing: 1, 3, 5 and 21 more ranges');
  });
});
