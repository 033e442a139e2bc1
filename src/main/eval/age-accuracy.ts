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
