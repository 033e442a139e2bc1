/**
 * Age accuracy as the paper measures it: the share of generated faces whose
 * estimated age category is the one requested, next to the same estimator's share on
 * real faces of each category, and the relative drop between the two.
 *
 * Two estimators are reported, because a weak estimator makes the drop meaningless:
 *  - faceres (@vladmandic/human), the primary one: the same independent network that
 *    measures identity, unrelated to anything the pipeline uses;
 *  - face-api's age/gender net: more accurate on UTKFace crops, but trained on data
 *    that includes UTKFace (face-api.js documents UTK among its training sets, so its
 *    real-face accuracy on our test split may be optimistic), and it is the engine's
 *    own source-age estimator (not used by the optimiser, nor by this evaluation's
 *    source ages, which come from the file names).
 */
import { AGE_CATEGORIES, type AgeCategory } from '../../shared/ages.js';
import { seededRandom } from '../../shared/random.js';
import { estimatedCategoryIndex, meanOfKnown, relativeDrop, shareOfFlags, type Share } from './metrics.js';

export const AGE_ESTIMATORS = {
  faceres: 'faceres (@vladmandic/human) age output, independent of the pipeline',
  'face-api':
    "face-api's age/gender net (trained with UTKFace among its data, so its real-face figure may be optimistic; the engine's source-age estimator)",
} as const;
export type AgeEstimatorId = keyof typeof AGE_ESTIMATORS;
export const AGE_ESTIMATOR_IDS = Object.keys(AGE_ESTIMATORS) as AgeEstimatorId[];

export interface CategoryAgeAccuracy {
  category: AgeCategory;
  /** generated faces requested at this category whose estimate falls in it */
  generated: Share;
  /** real faces of this category whose estimate falls in it */
  real: Share;
  relativeDrop: number | null;
}

export interface AgeAccuracyResult {
  estimator: AgeEstimatorId;
  description: string;
  perCategory: CategoryAgeAccuracy[];
  /** means over the categories with both generated and real faces (each category weighs the same) */
  generated: number | null;
  real: number | null;
  relativeDrop: number | null;
  /**
   * 95% bootstrap interval of relativeDrop (dropInterval); absent in reports made
   * before it was computed, null when the drop is undefined
   */
  relativeDropCi95?: [number, number] | null;
}

export interface AgeEstimate {
  /** category index: the requested one (generated) or the labelled one (real) */
  category: number;
  /** estimated age, years */
  years: number;
}

export function ageAccuracy(
  estimator: AgeEstimatorId,
  generated: readonly AgeEstimate[],
  real: readonly AgeEstimate[],
): AgeAccuracyResult {
  return ageAccuracyFromShares(estimator, categoryHits(generated), categoryHits(real));
}

/** Per category, the share of estimates that fall in the category they belong to. */
export function categoryHits(list: readonly AgeEstimate[]): Share[] {
  return AGE_CATEGORIES.map((_, c) =>
    shareOfFlags(list.filter((e) => e.category === c).map((e) => estimatedCategoryIndex(e.years) === c)),
  );
}

/**
 * The result from per-category shares (generated and real, in category order): what
 * pooling the parts of a run needs, where the real faces' shares come from a part's report.
 */
export function ageAccuracyFromShares(
  estimator: AgeEstimatorId,
  generated: readonly Share[],
  real: readonly Share[],
): AgeAccuracyResult {
  const perCategory = AGE_CATEGORIES.map((category, c) => {
    const g = generated[c]!;
    const r = real[c]!;
    return { category, generated: g, real: r, relativeDrop: relativeDrop(r.share, g.share) };
  });
  const both = perCategory.filter((p) => p.generated.share !== null && p.real.share !== null);
  const g = meanOfKnown(both.map((p) => p.generated.share));
  const r = meanOfKnown(both.map((p) => p.real.share));
  return {
    estimator,
    description: AGE_ESTIMATORS[estimator],
    perCategory,
    generated: g,
    real: r,
    relativeDrop: relativeDrop(r, g),
  };
}

/**
 * A 95% bootstrap interval for the relative drop, so that a drop measured on a hundred
 * faces is read with its uncertainty (one face read differently moves it by about half
 * a point; which hundred faces were drawn moves it by several).
 *
 * `generatedPerFace` holds, for each evaluated face, whether each of its aged outputs
 * (in category order) was read in the requested category. Faces are resampled whole,
 * because a face's six outputs come from one latent and succeed or fail together. The
 * real faces are known here only as per-category shares (a pooled report carries no
 * more), so each category's count is redrawn as a binomial of its n at its share.
 * Seeded: the same inputs give the same interval.
 */
export function dropInterval(
  generatedPerFace: readonly (readonly boolean[])[],
  real: readonly Share[],
  { rounds = 2000, seed = 0 }: { rounds?: number; seed?: number } = {},
): [number, number] | null {
  const faces = generatedPerFace.length;
  if (faces === 0) return null;
  const random = seededRandom(seed);
  const drops: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const hits = AGE_CATEGORIES.map(() => 0);
    for (let i = 0; i < faces; i++) {
      const face = generatedPerFace[Math.floor(random() * faces)]!;
      face.forEach((hit, c) => (hits[c]! += hit ? 1 : 0));
    }
    const generated: (number | null)[] = [];
    const realShares: (number | null)[] = [];
    AGE_CATEGORIES.forEach((_, c) => {
      const r = real[c]!;
      if (r.n === 0 || r.share === null) return;
      let count = 0;
      for (let k = 0; k < r.n; k++) if (random() < r.share) count++;
      generated.push(hits[c]! / faces);
      realShares.push(count / r.n);
    });
    const drop = relativeDrop(meanOfKnown(realShares), meanOfKnown(generated));
    if (drop !== null) drops.push(drop);
  }
  if (drops.length < rounds / 2) return null;
  drops.sort((a, b) => a - b);
  const at = (q: number) => drops[Math.min(drops.length - 1, Math.floor(q * drops.length))]!;
  return [at(0.025), at(0.975)];
}
