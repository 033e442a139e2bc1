/**
 * Which images an evaluation runs on: a seeded, stratified order of a split, so that
 * `--limit N` always picks the same N images (given the same file list and seed) and
 * the six age categories are as evenly represented as the split allows.
 *
 * Pure: no file system, no tfjs. The file list is sorted first, so the order does not
 * depend on how the OS lists a folder.
 */
import { AGE_CATEGORIES, ageCategoryIndex, ageToCategory } from '../../shared/ages.js';
import { seededRandom } from '../../shared/random.js';

/** Fisher–Yates shuffle of a copy, driven by `random`. */
export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/**
 * Age in years from a UTKFace file name, `<age>_<gender>_<race>_<date>.jpg.chip.jpg`:
 * the first '_' field, always present (some names lack the race field).
 */
export function parseUtkAge(name: string): number {
  const field = name.split('_', 1)[0] ?? '';
  const age = /^\d+$/.test(field) ? Number(field) : NaN;
  if (!Number.isInteger(age)) throw new Error(`UTKFace file name '${name}' does not start with an age ('<age>_...')`);
  return age;
}

/** Age-cGAN category index (0..5) of a UTKFace file. */
export function utkCategoryIndex(name: string): number {
  return ageCategoryIndex(ageToCategory(parseUtkAge(name)));
}

/**
 * All names in a seeded order stratified over the six age categories: each
 * category's names are shuffled (one PRNG, categories in one-hot order), then taken
 * round-robin (0-18, 19-29, …, 60+, 0-18, …) while each lasts. Any prefix of the
 * result is therefore balanced as far as the categories' sizes allow, and a longer
 * `--limit` extends a shorter one rather than picking other images.
 */
export function stratifiedOrder(names: readonly string[], seed = 0): string[] {
  const sorted = [...new Set(names)].sort();
  const groups: string[][] = AGE_CATEGORIES.map(() => []);
  for (const n of sorted) groups[utkCategoryIndex(n)]!.push(n);
  const random = seededRandom(seed);
  const queues = groups.map((g) => shuffled(g, random));
  const out: string[] = [];
  for (let round = 0; out.length < sorted.length; round++) {
    for (const q of queues) if (round < q.length) out.push(q[round]!);
  }
  return out;
}

/** How many names fall in each age category, in one-hot order. */
export function countPerCategory(names: readonly string[]): number[] {
  const counts = AGE_CATEGORIES.map(() => 0);
  for (const n of names) counts[utkCategoryIndex(n)]!++;
  return counts;
}
