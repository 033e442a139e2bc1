/**
 * The figures `reage eval` reports, as pure functions over numbers: the verification
 * threshold calibrated at a false-accept rate, acceptance shares with confidence
 * intervals, age-category accuracy and the relative drop between real and generated
 * faces. No tfjs here, so every rule is unit-tested on hand-made numbers.
 *
 * Convention: two faces are accepted as the same person when the distance between
 * their descriptors is strictly below the threshold.
 */
import { ageCategoryIndex, ageToCategory } from '../../shared/ages.js';

/** A share of successes, JSON-safe (null rather than NaN when there is nothing to count). */
export interface Share {
  /** how many passed */
  count: number;
  /** out of how many */
  n: number;
  /** count / n, or null when n is 0 */
  share: number | null;
  /** Wilson score 95% interval for the share, or null when n is 0 */
  ci95: [number, number] | null;
}

export interface Calibration {
  /** accept as the same person when distance < threshold */
  threshold: number;
  /** the false-accept rate asked for */
  targetFar: number;
  /** the false-accept rate the threshold gives on the calibration pairs (≤ targetFar) */
  achievedFar: number;
  /** number of different-person pairs it was calibrated on */
  pairs: number;
}

/** Wilson score interval (z = 1.96): sensible at small n and at shares of 0 or 1. */
export function wilsonInterval(count: number, n: number, z = 1.96): [number, number] | null {
  if (n <= 0) return null;
  const p = count / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denom;
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

export function shareOf(count: number, n: number): Share {
  if (!Number.isInteger(count) || !Number.isInteger(n) || count < 0 || n < 0 || count > n)
    throw new RangeError(`shareOf: ${count} of ${n} is not a share`);
  return { count, n, share: n ? count / n : null, ci95: wilsonInterval(count, n) };
}

/** Share of `flags` that are true. */
export function shareOfFlags(flags: readonly boolean[]): Share {
  return shareOf(flags.filter(Boolean).length, flags.length);
}

/** Share of distances accepted (strictly below the threshold). */
export function acceptance(distances: readonly number[], threshold: number): Share {
  return shareOf(distances.filter((d) => d < threshold).length, distances.length);
}

/**
 * The threshold at which at most `far` of the different-person distances are
 * accepted: the k-th smallest distance (0-based), k = floor(far · n), with acceptance
 * strictly below it, so at most k pairs pass (fewer when distances tie). Needs at
 * least 1/far pairs, or no threshold above the smallest distance could be justified.
 */
export function calibrateThreshold(differentDistances: readonly number[], far: number): Calibration {
  if (!(far > 0 && far < 1)) throw new RangeError(`false-accept rate must be in (0, 1), got ${far}`);
  const sorted = differentDistances.filter((d) => Number.isFinite(d)).sort((a, b) => a - b);
  const n = sorted.length;
  if (n < Math.ceil(1 / far)) {
    throw new Error(
      `calibrating at a false-accept rate of ${far} needs at least ${Math.ceil(1 / far)} different-person pairs, got ${n}`,
    );
  }
  const k = Math.floor(far * n + 1e-9);
  const threshold = sorted[k]!;
  const accepted = sorted.filter((d) => d < threshold).length;
  return { threshold, targetFar: far, achievedFar: accepted / n, pairs: n };
}

/** Fewest distinct faces whose pairs can carry a threshold at this false-accept rate: n(n-1)/2 ≥ 1/far. */
export function minCalibrationImages(far: number): number {
  const pairs = Math.ceil(1 / far);
  let n = 2;
  while ((n * (n - 1)) / 2 < pairs) n++;
  return n;
}

/** Distances of every unordered pair (i < j) of a list of descriptors. */
export function allPairDistances(
  descriptors: readonly Float32Array[],
  distance: (a: Float32Array, b: Float32Array) => number,
): number[] {
  const out: number[] = [];
  for (let i = 0; i < descriptors.length; i++)
    for (let j = i + 1; j < descriptors.length; j++) out.push(distance(descriptors[i]!, descriptors[j]!));
  return out;
}

/** Distances of every pair (a from A, b from B). */
export function crossPairDistances(
  a: readonly Float32Array[],
  b: readonly Float32Array[],
  distance: (a: Float32Array, b: Float32Array) => number,
): number[] {
  return a.flatMap((x) => b.map((y) => distance(x, y)));
}

/**
 * Age-cGAN category index of an estimated age: the estimate (a real number of years)
 * is rounded to whole years, then binned as the training labels were.
 */
export function estimatedCategoryIndex(years: number): number {
  return ageCategoryIndex(ageToCategory(Math.round(years)));
}

/**
 * Relative drop of generated against real accuracy, (real − generated) / real: 0.17
 * means generated faces are recognised at the requested age 17% less often than real
 * faces at theirs (the paper's figure). Null when the real accuracy is 0 or unknown.
 */
export function relativeDrop(real: number | null, generated: number | null): number | null {
  if (real === null || generated === null || real <= 0) return null;
  return (real - generated) / real;
}

export function mean(values: readonly number[]): number | null {
  return values.length ? values.reduce((s, v) => s + v, 0) / values.length : null;
}

/** Mean of the non-null values; null when there are none. */
export function meanOfKnown(values: readonly (number | null)[]): number | null {
  return mean(values.filter((v): v is number => v !== null));
}
