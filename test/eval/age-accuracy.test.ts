import { describe, expect, it } from 'vitest';
import { AGE_ESTIMATOR_IDS, ageAccuracy } from '../../src/main/eval/age-accuracy.js';

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
