import { describe, expect, it } from 'vitest';
import {
  BLOTCH_DARKENING,
  countBlotches,
  summarise,
  underNoseChange,
  type FaceRecord,
} from '../../src/main/eval/aging.js';
import { unionBox } from '../../src/main/engine/aging-model.js';
import { changedOutsideMask, flickerRatio, meanAbsDifference } from '../../src/main/eval/plate-checks.js';
import type { Point, RawImage } from '../../src/main/engine/types.js';

const W = 40;
const H = 40;
const grey = (v: number): RawImage => ({
  width: W,
  height: H,
  channels: 3,
  bitDepth: 8,
  data: new Uint8Array(W * H * 3).fill(v),
});

function darken(img: RawImage, x0: number, y0: number, w: number, h: number, by: number): RawImage {
  const data = img.data.slice();
  for (let y = y0; y < y0 + h; y++)
    for (let x = x0; x < x0 + w; x++)
      data.fill(Math.max(0, data[(y * W + x) * 3]! - by), (y * W + x) * 3, (y * W + x) * 3 + 3);
  return { ...img, data };
}

/** 68 landmarks with the nose base (31-35) on y 18 and the upper lip (48-54) on y 24, x 14..26. */
function landmarks(): Point[] {
  const pts: Point[] = Array.from({ length: 68 }, () => ({ x: 20, y: 20 }));
  for (let i = 31; i <= 35; i++) pts[i] = { x: 16 + (i - 31) * 2, y: 18 };
  for (let i = 48; i <= 54; i++) pts[i] = { x: 14 + (i - 48) * 2, y: 24 };
  return pts;
}

describe('ageing cleanliness measures', () => {
  it('reads darkening under the nose in 0..255 units, and nothing elsewhere', () => {
    const before = grey(150);
    expect(underNoseChange(before, darken(before, 0, 16, W, 10, 30), landmarks())).toBeCloseTo(-30, 0);
    expect(underNoseChange(before, darken(before, 0, 0, W, 10, 30), landmarks())).toBe(0);
  });

  it('counts separate dark blotches above the darkening and size bounds, inside the mask only', () => {
    const before = grey(150);
    const mask = new Float32Array(W * H).fill(1);
    const by = Math.ceil(BLOTCH_DARKENING * 255) + 5;
    let after = darken(before, 2, 2, 5, 5, by);
    after = darken(after, 20, 20, 6, 6, by);
    after = darken(after, 30, 2, 1, 1, by); // one pixel: too small
    after = darken(after, 30, 30, 6, 6, 5); // too faint
    expect(countBlotches(before, after, mask)).toBe(2);
    mask.fill(0, 0, 10 * W);
    expect(countBlotches(before, after, mask)).toBe(1);
  });

  it('summarises shifts per estimator, identity at the calibrated threshold, darkening on men only', () => {
    const records: FaceRecord[] = Array.from({ length: 20 }, (_, i) => ({
      name: `${25}_${i % 2}_0_x.jpg`,
      realAge: 25,
      male: i % 2 === 0,
      sourceAge: '19-29',
      inputAges: { gear: 25, ssrnet: 30 },
      aged: [
        {
          target: '60+',
          variant: 'hybrid',
          ages: { gear: 45, ssrnet: 40 },
          distance: i < 15 ? 0 : 9,
          underNose: i % 2 === 0 ? -4 : -100,
          blotches: 1,
        },
      ],
    }));
    // inputs far apart from each other: pairs of distinct faces sit at distance sqrt(2)
    const descriptors = records.map((_, i) => Float32Array.from({ length: 20 }, (_, k) => (k === i ? 1 : 0)));
    const s = summarise(records, descriptors);
    const row = s.variants.find((v) => v.target === '60+' && v.variant === 'hybrid')!;
    expect(row.ageShift).toEqual({ gear: 20, ssrnet: 10 });
    expect(row.identity).toBeCloseTo(0.75, 6);
    expect(row.underNoseDarkeningMen).toBeCloseTo(4, 6);
    expect(row.blotchesPerFace).toBe(1);
  });
});

describe('plate checks', () => {
  it('counts pixels changed where the mask is 0, and none where it is not', () => {
    const a = grey(100);
    const b = darken(a, 0, 0, 10, 10, 1);
    const mask = new Float32Array(W * H);
    expect(changedOutsideMask(a, b, mask)).toBe(100);
    mask.fill(0.01);
    expect(changedOutsideMask(a, b, mask)).toBe(0);
  });

  it('gives flicker 1 when the output moves as the plate does, more when it adds its own change', () => {
    const box = { x: 0, y: 0, width: W, height: H };
    const plates = [grey(100), grey(104), grey(100)];
    expect(flickerRatio(plates, plates, box)).toBe(1);
    expect(flickerRatio(plates, [grey(90), grey(98), grey(90)], box)).toBeCloseTo(2, 6);
    expect(meanAbsDifference(grey(0), grey(255), box)).toBe(1);
    expect(() => flickerRatio(plates.slice(0, 1), plates.slice(0, 1), box)).toThrow(/two or more/);
  });

  it('unites boxes, ignoring empty ones', () => {
    expect(
      unionBox([
        { x: 2, y: 3, width: 4, height: 5 },
        { x: 0, y: 0, width: 0, height: 0 },
        { x: 5, y: 1, width: 10, height: 2 },
      ]),
    ).toEqual({ x: 2, y: 1, width: 13, height: 7 });
  });
});
