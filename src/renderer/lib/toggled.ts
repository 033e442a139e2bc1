/** A copy of `set` with `key` added or removed: React state must be replaced, not mutated. */
export function toggled<T>(set: ReadonlySet<T>, key: T, on: boolean): Set<T> {
  const next = new Set(set);
  if (on) next.add(key);
  else next.delete(key);
  return next;
}
