/**
 * Timeline arithmetic: shots laid end to end, one slot per frame of each shot's
 * range (gaps keep their slot, so missing frames show where they are), and the
 * playhead moving over the frames that exist.
 */
import { clipFrames, type Clip } from '../../shared/project.js';

export interface Playhead {
  clipId: string;
  frame: number;
}

export interface ClipSpan {
  clip: Clip;
  /** slot index of the range's first frame on the whole timeline */
  start: number;
  /** slots: the range's length, gaps included */
  length: number;
  /** the frames on disk, ascending */
  frames: number[];
}

export interface TimelineLayout {
  spans: ClipSpan[];
  total: number;
}

export function layoutTimeline(clips: readonly Clip[]): TimelineLayout {
  let start = 0;
  const spans = clips.map((clip) => {
    const length = clip.sourceRange.end - clip.sourceRange.start + 1;
    const span = { clip, start, length, frames: clipFrames(clip) };
    start += length;
    return span;
  });
  return { spans, total: start };
}

/** The existing frame of `frames` closest to `frame` (frames must be ascending and non-empty). */
export function nearestFrame(frames: readonly number[], frame: number): number {
  let best = frames[0]!;
  for (const f of frames) {
    if (Math.abs(f - frame) < Math.abs(best - frame)) best = f;
    if (f > frame) break;
  }
  return best;
}

/** The playhead at timeline slot `index`, snapped to a frame that exists. */
export function playheadAtSlot(layout: TimelineLayout, index: number): Playhead | null {
  const usable = layout.spans.filter((s) => s.frames.length > 0);
  if (usable.length === 0) return null;
  const clamped = Math.max(0, Math.min(layout.total - 1, Math.round(index)));
  const span = usable.find((s) => clamped < s.start + s.length) ?? usable[usable.length - 1]!;
  const frame = span.clip.sourceRange.start + Math.max(0, clamped - span.start);
  return { clipId: span.clip.id, frame: nearestFrame(span.frames, frame) };
}

export function slotOf(layout: TimelineLayout, playhead: Playhead): number | null {
  const span = layout.spans.find((s) => s.clip.id === playhead.clipId);
  return span ? span.start + playhead.frame - span.clip.sourceRange.start : null;
}

/** Move `delta` existing frames along the timeline, crossing into neighbouring shots; stops at the ends. */
export function stepFrames(layout: TimelineLayout, playhead: Playhead, delta: number): Playhead {
  const all: Playhead[] = layout.spans.flatMap((s) => s.frames.map((frame) => ({ clipId: s.clip.id, frame })));
  const here = all.findIndex((p) => p.clipId === playhead.clipId && p.frame === playhead.frame);
  if (here < 0) return all[0] ?? playhead;
  return all[Math.max(0, Math.min(all.length - 1, here + delta))]!;
}

/** Jump to the first frame of the shot `delta` shots away. */
export function stepShots(layout: TimelineLayout, playhead: Playhead, delta: number): Playhead {
  const usable = layout.spans.filter((s) => s.frames.length > 0);
  const here = usable.findIndex((s) => s.clip.id === playhead.clipId);
  const target = usable[Math.max(0, Math.min(usable.length - 1, here + delta))];
  return target ? { clipId: target.clip.id, frame: target.frames[0]! } : playhead;
}

export function edgePlayhead(layout: TimelineLayout, edge: 'start' | 'end'): Playhead | null {
  const usable = layout.spans.filter((s) => s.frames.length > 0);
  const span = edge === 'start' ? usable[0] : usable[usable.length - 1];
  if (!span) return null;
  return { clipId: span.clip.id, frame: edge === 'start' ? span.frames[0]! : span.frames[span.frames.length - 1]! };
}

/** The first or last existing frame of the shot under the playhead (Home / End). */
export function shotEdgePlayhead(layout: TimelineLayout, playhead: Playhead, edge: 'start' | 'end'): Playhead | null {
  const span = layout.spans.find((s) => s.clip.id === playhead.clipId && s.frames.length > 0);
  if (!span) return edgePlayhead(layout, edge);
  return { clipId: span.clip.id, frame: edge === 'start' ? span.frames[0]! : span.frames[span.frames.length - 1]! };
}

/**
 * Where a dragged age key lands on a shot's age curve: `x` and `y` are the pointer's
 * place as fractions of the curve's box (0 left/top, 1 right/bottom); the curve draws
 * frame f at x = (f − first + 0.5) / length and category c at y = 0.9 − 0.8 c / top.
 * The frame is held to the shot, the category snapped to the nearest one.
 */
export function ageKeyAt(
  x: number,
  y: number,
  first: number,
  length: number,
  categories: number,
): { frame: number; ageIndex: number } {
  const top = categories - 1;
  const frame = Math.min(first + length - 1, Math.max(first, Math.round(first + x * length - 0.5)));
  const ageIndex = Math.min(top, Math.max(0, Math.round(((0.9 - y) / 0.8) * top)));
  return { frame, ageIndex };
}
