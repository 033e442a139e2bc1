/**
 * Age over time (issue #22, "Age over time"): a shot's age keyframes, each a frame with
 * a target category and, optionally, a strength. Between two keys the age eases from
 * one to the next (smoothstep); before the first key the shot holds the first, after
 * the last the last. The engine ages a frame between keys of different categories to
 * both, from the one reconstruction, and blends the two by `t` (engine: shot.ts).
 *
 * Pure: no Node, no zod (the schema is project.ts's ageKeysSchema), so the renderer,
 * the CLI and the engine share it.
 */
import { AGE_CATEGORIES, STRENGTH_LIMITS, isAgeCategory, type AgeCategory } from './ages.js';

/** One key: from this frame on, the shot is aged to `age` at `strength` (absent: the shot's strength). */
export interface AgeKey {
  frame: number;
  age: AgeCategory;
  strength?: number;
}

/** Most keys one shot may hold: far more than a shot needs, few enough to bound a file's cost. */
export const MAX_AGE_KEYS = 1000;

/** A frame's age under a shot's keys: blend `from` (weight 1−t) and `to` (weight t), at `strength`. */
export interface AgeAtFrame {
  from: AgeCategory;
  to: AgeCategory;
  /** 0: `from` alone, 1: `to` alone; eased (smoothstep) between two keys */
  t: number;
  strength: number;
}

/** 3t² − 2t³: eases in and out, so the age neither starts nor stops changing with a jolt at a key. */
export function smoothstep(t: number): number {
  const c = Math.min(1, Math.max(0, t));
  return c * c * (3 - 2 * c);
}

/**
 * The age at `frame` under `keys` (sorted by frame, unique, at least one: ageKeysSchema
 * checks it). `strength` is the shot's, for keys without their own. Strength eases with
 * the same t as the age.
 */
export function ageAt(keys: readonly AgeKey[], frame: number, strength: number = STRENGTH_LIMITS.default): AgeAtFrame {
  if (!keys.length) throw new Error('ageAt needs at least one age key');
  const strengthOf = (k: AgeKey): number => k.strength ?? strength;
  const first = keys[0]!;
  if (frame <= first.frame) return { from: first.age, to: first.age, t: 0, strength: strengthOf(first) };
  const last = keys[keys.length - 1]!;
  if (frame >= last.frame) return { from: last.age, to: last.age, t: 0, strength: strengthOf(last) };
  // the last key at or before the frame (binary search: a shot can hold many keys)
  let lo = 0;
  let hi = keys.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (keys[mid]!.frame <= frame) lo = mid;
    else hi = mid;
  }
  const a = keys[lo]!;
  const b = keys[hi]!;
  if (frame === a.frame) return { from: a.age, to: a.age, t: 0, strength: strengthOf(a) };
  const t = smoothstep((frame - a.frame) / (b.frame - a.frame));
  const s = strengthOf(a) + (strengthOf(b) - strengthOf(a)) * t;
  if (a.age === b.age) return { from: a.age, to: a.age, t: 0, strength: s };
  return { from: a.age, to: b.age, t, strength: s };
}

/** What is wrong with a list of keys (order, duplicates, count), or undefined; the schema and the CLI share it. */
export function ageKeysProblem(keys: readonly AgeKey[]): string | undefined {
  if (!keys.length) return 'age keys need at least one key';
  if (keys.length > MAX_AGE_KEYS) return `at most ${MAX_AGE_KEYS} age keys (got ${keys.length})`;
  for (let i = 1; i < keys.length; i++) {
    const prev = keys[i - 1]!.frame;
    const frame = keys[i]!.frame;
    if (frame === prev) return `two age keys on frame ${frame}`;
    if (frame < prev) return `age keys must be in frame order (frame ${frame} comes after ${prev})`;
  }
  return undefined;
}

/** `1001:30-39` or `1050:60+@1.2`: a key as the CLI writes it. */
export function formatAgeKey(key: AgeKey): string {
  return `${key.frame}:${key.age}${key.strength !== undefined ? `@${key.strength}` : ''}`;
}

/** Parse one `FRAME:CATEGORY[@STRENGTH]`; throws an Error naming the key and what is wrong. */
export function parseAgeKey(text: string): AgeKey {
  const m = /^\s*(-?\d+)\s*:\s*([^@\s]+)\s*(?:@\s*(\S+)\s*)?$/.exec(text);
  if (!m) throw new Error(`age key "${text}" must be FRAME:CATEGORY or FRAME:CATEGORY@STRENGTH, e.g. 1001:30-39`);
  const frame = Number(m[1]);
  if (!Number.isSafeInteger(frame) || Math.abs(frame) > 999_999_999)
    throw new Error(`age key "${text}": the frame must be a whole number of at most nine digits`);
  const age = m[2]!;
  if (!isAgeCategory(age))
    throw new Error(`age key "${text}": the age must be one of ${AGE_CATEGORIES.join(', ')} (got "${age}")`);
  if (m[3] === undefined) return { frame, age };
  const strength = Number(m[3]);
  if (!Number.isFinite(strength) || strength < STRENGTH_LIMITS.min || strength > STRENGTH_LIMITS.max)
    throw new Error(
      `age key "${text}": the strength must be a number from ${STRENGTH_LIMITS.min} to ${STRENGTH_LIMITS.max} (got "${m[3]}")`,
    );
  return { frame, age, strength };
}

/** Parse `1001:30-39,1040:60+`: the keys in order, or an Error naming the bad key. */
export function parseAgeKeys(text: string): AgeKey[] {
  const parts = text.split(',');
  const keys = parts.map((p) => parseAgeKey(p));
  const problem = ageKeysProblem(keys);
  if (problem) throw new Error(problem);
  return keys;
}

/** The categories a shot is aged to: its keys' (in key order, once each), else its target age. */
export function targetCategories(settings: { targetAge: AgeCategory; ageKeys?: readonly AgeKey[] }): AgeCategory[] {
  if (!settings.ageKeys?.length) return [settings.targetAge];
  return [...new Set(settings.ageKeys.map((k) => k.age))];
}

/** The keys with `key` put in frame order, replacing one on the same frame. */
export function withAgeKey(keys: readonly AgeKey[] | undefined, key: AgeKey): AgeKey[] {
  const kept = (keys ?? []).filter((k) => k.frame !== key.frame);
  return [...kept, key].sort((a, b) => a.frame - b.frame);
}

/** The keys without the one on `frame`; undefined when none is left (the shot's one target age again). */
export function withoutAgeKey(keys: readonly AgeKey[] | undefined, frame: number): AgeKey[] | undefined {
  const kept = (keys ?? []).filter((k) => k.frame !== frame);
  return kept.length ? kept : undefined;
}

/**
 * The age curve over `frames` as category positions (0 for 0-18 … 5 for 60+, fractional
 * between keys of different ages): what the timeline's age track draws.
 */
export function ageCurve(keys: readonly AgeKey[], frames: readonly number[]): number[] {
  return frames.map((f) => {
    const { from, to, t } = ageAt(keys, f);
    const a = AGE_CATEGORIES.indexOf(from);
    return a + (AGE_CATEGORIES.indexOf(to) - a) * t;
  });
}
