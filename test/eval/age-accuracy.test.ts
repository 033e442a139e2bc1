import { describe, expect, it } from 'vitest';
import { AGE_ESTIMATOR_IDS, ageAccuracy, dropInterval } from '../../src/main/eval/age-accuracy.js';
import { shareOf } from '../../src/main/eval/metrics.js';
import { seededRandom } from '../../src/shared/random.js';

describe('ageAccuracy', () => {
  it('per category: generated at the requested age vs real at their own, and the relative drop', () => {
    const generated = [
      { category: 0, years: 10 }, // right
      { category: 0, years: 30 }, // wrong
      { category: 5, years: 61 }, // right
      { category: 5, years: 59.4 }, // rounds to 59: wrong
    ];
    const real = [
      { category: 0, years: 12 },
      { category: 0, years: 17 },
      { category: 5, years: 80 },
      { category: 5, years: 40 },
      { category: 2, years: 33 }, // a category with no generated faces
    ];
    const r = ageAccuracy('faceres', generated, real);
    expect(r.estimator).toBe('faceres');
    expect(r.description).toMatch(/independent/);
    const [young, , middle, , , old] = r.perCategory;
    expect(young).toMatchObject({
      category: '0-18',
      generated: { count: 1, n: 2 },
      real: { count: 2, n: 2 },
      relativeDrop: 0.5,
    });
    expect(old).toMatchObject({
      category: '60+',
      generated: { count: 1, n: 2 },
      real: { count: 1, n: 2 },
      relativeDrop: 0,
    });
    expect(middle).toMatchObject({ generated: { n: 0, share: null }, real: { count: 1, n: 1 }, relativeDrop: null });
    // means over the categories both sides cover (0-18 and 60+): generated 0.5, real 0.75
    expect(r.generated).toBe(0.5);
    expect(r.real).toBe(0.75);
    expect(r.relativeDrop).toBeCloseTo(1 / 3, 9);
  });

  it('is empty but well-formed without faces', () => {
    const r = ageAccuracy('face-api', [], []);
    expect(r.perCategory).toHaveLength(6);
    expect([r.generated, r.real, r.relativeDrop]).toEqual([null, null, null]);
    expect(AGE_ESTIMATOR_IDS).toEqual(['faceres', 'face-api']);
  });
});

describe('dropInterval', () => {
  // real faces: read right half the time in every category
  const real = Array.from({ length: 6 }, () => shareOf(20, 40));
  const facesAt = (n: number, p: number, seed: number): boolean[][] => {
    const random = seededRandom(seed);
    return Array.from({ length: n }, () => Array.from({ length: 6 }, () => random() < p));
  };

  it('brackets the measured drop, and narrows with more faces', () => {
    const width = (i: [number, number] | null) => i![1] - i![0];
    const small = facesAt(50, 0.4, 1);
    const large = facesAt(800, 0.4, 1);
    for (const faces of [small, large]) {
      const hits = [0, 1, 2, 3, 4, 5].map((c) => faces.filter((f) => f[c]).length / faces.length);
      const measured = 1 - hits.reduce((a, b) => a + b, 0) / 6 / 0.5;
      const interval = dropInterval(faces, real)!;
      expect(interval[0]).toBeLessThan(measured);
      expect(interval[1]).toBeGreaterThan(measured);
    }
    expect(width(dropInterval(large, real))).toBeLessThan(width(dropInterval(small, real)) * 0.75);
  });

  it('is reproducible from its seed and null without faces or real accuracy', () => {
    const faces = facesAt(30, 0.5, 2);
    expect(dropInterval(faces, real)).toEqual(dropInterval(faces, real));
    expect(dropInterval(faces, real, { seed: 1 })).not.toEqual(dropInterval(faces, real, { seed: 2 }));
    expect(dropInterval([], real)).toBeNull();
    expect(
      dropInterval(
        faces,
        Array.from({ length: 6 }, () => shareOf(0, 10)),
      ),
    ).toBeNull();
  });

  it('skips categories without real faces, as the drop itself does', () => {
    const faces = facesAt(100, 0.5, 3).map((f) => f.map((hit, c) => (c === 5 ? false : hit)));
    const withoutOld = [...real.slice(0, 5), shareOf(0, 0)];
    const interval = dropInterval(faces, withoutOld)!;
    // category 60+ (all generated faces wrong) is left out, so the drop stays near 0
    expect(interval[0]).toBeLessThan(0.05);
    expect(interval[1]).toBeGreaterThan(-0.05);
  });
});
