import { describe, expect, it } from 'vitest';
import {
  blur,
  collapse,
  expand,
  gaussianPyramid,
  laplacianPyramid,
  localEnergy,
  luma,
  planes,
  reduce,
} from '../../src/main/engine/pyramid.js';
import { seededRandom } from '../../src/shared/random.js';

function noise(w: number, h: number, c: number, seed = 1) {
  const r = seededRandom(seed);
  return planes(
    w,
    h,
    c,
    Float32Array.from({ length: w * h * c }, () => r()),
  );
}

describe('pyramids', () => {
  it('halves sizes rounding up, and a flat image stays flat through blur, reduce and expand', () => {
    const flat = planes(13, 7, 3, new Float32Array(13 * 7 * 3).fill(0.4));
    expect(gaussianPyramid(flat, 3).map((p) => [p.width, p.height])).toEqual([
      [13, 7],
      [7, 4],
      [4, 2],
      [2, 1],
    ]);
    for (const img of [blur(flat), reduce(flat), expand(flat, 20, 9)])
      for (const v of img.data) expect(v).toBeCloseTo(0.4, 6);
  });

  it('collapses its Laplacian bands back into the image', () => {
    const img = noise(24, 17, 3);
    const back = collapse(laplacianPyramid(img, 3));
    expect(back.width).toBe(24);
    let worst = 0;
    for (let i = 0; i < img.data.length; i++) worst = Math.max(worst, Math.abs(back.data[i]! - img.data[i]!));
    expect(worst).toBeLessThan(1e-5);
  });

  it('puts fine noise in the finest band and a flat image in none', () => {
    const bands = laplacianPyramid(noise(32, 32, 1), 3);
    const energy = (b: number) => bands[b]!.data.reduce((s, v) => s + v * v, 0) / bands[b]!.data.length;
    expect(energy(0)).toBeGreaterThan(4 * energy(2));
    const flat = laplacianPyramid(planes(16, 16, 1, new Float32Array(256).fill(0.7)), 2);
    for (const v of localEnergy(flat[0]!).data) expect(v).toBeCloseTo(0, 10);
  });

  it('takes Rec.709 luma of RGB and refuses other channel counts', () => {
    expect(Array.from(luma(planes(1, 1, 3, Float32Array.of(1, 0, 0))).data)[0]).toBeCloseTo(0.2126, 6);
    expect(() => luma(planes(1, 1, 1))).toThrow(/RGB/);
  });
});
