import { describe, expect, it } from 'vitest';
import {
  acceptance,
  allPairDistances,
  calibrateThreshold,
  crossPairDistances,
  estimatedCategoryIndex,
  mean,
  meanOfKnown,
  minCalibrationImages,
  relativeDrop,
  shareOf,
  shareOfFlags,
  wilsonInterval,
} from '../../src/main/eval/metrics.js';

describe('shares', () => {
  it('counts, with a Wilson interval, and null rather than NaN when empty', () => {
    expect(shareOf(3, 4)).toMatchObject({ count: 3, n: 4, share: 0.75 });
    const [lo, hi] = shareOf(3, 4).ci95!;
    expect(lo).toBeCloseTo(0.3006, 3);
    expect(hi).toBeCloseTo(0.9544, 3);
    expect(shareOf(0, 0)).toEqual({ count: 0, n: 0, share: null, ci95: null });
    expect(wilsonInterval(0, 10)![0]).toBe(0);
    expect(wilsonInterval(10, 10)![1]).toBe(1);
    expect(() => shareOf(5, 4)).toThrow(RangeError);
    expect(shareOfFlags([true, false, true])).toMatchObject({ count: 2, n: 3 });
    expect(JSON.parse(JSON.stringify(shareOf(0, 0)))).toEqual(shareOf(0, 0));
  });

  it('accepts strictly below the threshold', () => {
    expect(acceptance([0.1, 0.5, 0.5, 0.9], 0.5)).toMatchObject({ count: 1, n: 4, share: 0.25 });
    expect(acceptance([], 0.5).share).toBeNull();
  });
});

describe('calibrateThreshold', () => {
  const d = Array.from({ length: 1000 }, (_, i) => 2 - i / 1000); // 1.001 .. 2, shuffled order

  it('puts the threshold at the k-th smallest different-person distance, k = floor(far·n)', () => {
    const c = calibrateThreshold(d, 0.01);
    expect(c.pairs).toBe(1000);
    expect(c.threshold).toBeCloseTo(1.011, 9); // sorted[10]
    expect(acceptance(d, c.threshold).count).toBe(10);
    expect(c.achievedFar).toBe(0.01);
    expect(c.targetFar).toBe(0.01);
    expect(calibrateThreshold(d, 0.05).achievedFar).toBe(0.05);
  });

  it('never exceeds the target when distances tie', () => {
    const ties = [...Array(5).fill(0.3), ...Array(95).fill(1)];
    const c = calibrateThreshold(ties, 0.01); // k = 1: sorted[1] = 0.3, nothing strictly below
    expect(c.threshold).toBe(0.3);
    expect(c.achievedFar).toBe(0);
    const c2 = calibrateThreshold(ties, 0.06); // k = 6: sorted[6] = 1 -> the five 0.3s pass
    expect(c2.achievedFar).toBe(0.05);
  });

  it('refuses too few pairs or a meaningless rate, and ignores non-finite distances', () => {
    expect(() => calibrateThreshold(d.slice(0, 99), 0.01)).toThrow(/at least 100/);
    expect(() => calibrateThreshold(d, 0)).toThrow(RangeError);
    expect(() => calibrateThreshold(d, 1)).toThrow(RangeError);
    expect(calibrateThreshold([...d, NaN, Infinity], 0.01).pairs).toBe(1000);
  });

  it('minCalibrationImages gives enough pairs', () => {
    expect(minCalibrationImages(0.01)).toBe(15); // 105 pairs; 14 faces give 91
    expect(minCalibrationImages(0.1)).toBe(5);
  });
});

describe('pairs', () => {
  const dist = (a: Float32Array, b: Float32Array) => Math.abs(a[0]! - b[0]!);
  const v = (x: number) => Float32Array.of(x);

  it('all unordered pairs and all cross pairs', () => {
    expect(allPairDistances([v(0), v(1), v(3)], dist)).toEqual([1, 3, 2]);
    expect(
      allPairDistances(
        Array.from({ length: 20 }, (_, i) => v(i)),
        dist,
      ),
    ).toHaveLength(190);
    expect(crossPairDistances([v(0), v(1)], [v(5)], dist)).toEqual([5, 4]);
  });
});

describe('age accuracy', () => {
  it('rounds the estimate to whole years before binning', () => {
    expect(estimatedCategoryIndex(18.4)).toBe(0);
    expect(estimatedCategoryIndex(18.5)).toBe(1);
    expect(estimatedCategoryIndex(-3)).toBe(0);
    expect(estimatedCategoryIndex(59.49)).toBe(4);
    expect(estimatedCategoryIndex(90)).toBe(5);
  });

  it('relative drop is (real - generated) / real, null when real is 0 or unknown', () => {
    expect(relativeDrop(0.6, 0.498)).toBeCloseTo(0.17, 9);
    expect(relativeDrop(0.5, 0.6)).toBeCloseTo(-0.2, 9);
    expect(relativeDrop(0, 0.2)).toBeNull();
    expect(relativeDrop(null, 0.2)).toBeNull();
    expect(relativeDrop(0.5, null)).toBeNull();
  });

  it('means', () => {
    expect(mean([])).toBeNull();
    expect(mean([1, 2, 3])).toBe(2);
    expect(meanOfKnown([1, null, 3])).toBe(2);
    expect(meanOfKnown([null])).toBeNull();
  });
});
