/**
 * Undo/redo as snapshots. Edits that come in a burst with the same key (dragging
 * the age slider across stops, typing a step count) merge into one undo step.
 */
export interface HistoryEntry<T> {
  snapshot: T;
  label: string;
  key?: string;
  at: number;
}

export interface History<T> {
  past: HistoryEntry<T>[];
  future: HistoryEntry<T>[];
}

export const COALESCE_MS = 800;
const LIMIT = 200;

export function emptyHistory<T>(): History<T> {
  return { past: [], future: [] };
}

/** Record the state before an edit; `before` is what undo returns to. */
export function recordEdit<T>(history: History<T>, before: T, label: string, now: number, key?: string): History<T> {
  const last = history.past[history.past.length - 1];
  if (key !== undefined && last?.key === key && now - last.at < COALESCE_MS) {
    // same gesture: keep the older snapshot, extend its window
    return { past: [...history.past.slice(0, -1), { ...last, at: now }], future: [] };
  }
  const past = [...history.past, { snapshot: before, label, at: now, ...(key !== undefined ? { key } : {}) }];
  return { past: past.slice(-LIMIT), future: [] };
}

export function undoEdit<T>(
  history: History<T>,
  current: T,
): { history: History<T>; snapshot: T; label: string } | null {
  const last = history.past[history.past.length - 1];
  if (!last) return null;
  return {
    history: { past: history.past.slice(0, -1), future: [{ ...last, snapshot: current }, ...history.future] },
    snapshot: last.snapshot,
    label: last.label,
  };
}

export function redoEdit<T>(
  history: History<T>,
  current: T,
): { history: History<T>; snapshot: T; label: string } | null {
  const next = history.future[0];
  if (!next) return null;
  return {
    history: { past: [...history.past, { ...next, snapshot: current, at: 0 }], future: history.future.slice(1) },
    snapshot: next.snapshot,
    label: next.label,
  };
}
