/**
 * Every face of a shot, followed from frame to frame with a stable id (issue #22,
 * "Choose the actor"). Pure: the detections come in, the tracks go out, so the shot
 * loop, the shot survey and the preview share one association and tests drive it on
 * synthetic boxes.
 *
 * - Association: each frame's detections are matched to the tracks still alive,
 *   best box overlap (IoU) first; a pair that hardly overlaps still matches when the
 *   centres are close (a face that moved fast) and the sizes alike.
 * - Ids count from 0 in the order the tracks appear and, among the faces that appear
 *   in one frame, largest first: 0 is the largest face of the first frame, the face
 *   the engine aged before tracks had ids.
 * - Bridging: a track missed for up to `maxGap` frames and found again is not dropped:
 *   the missing frames get its box and landmarks interpolated between the frames on
 *   either side, marked `bridged`. A track missed for longer is absent from those
 *   frames (they pass through); a face seen again where it was last seen (the same
 *   test as frame to frame) keeps its id, one that matches no earlier track is new.
 */
import type { FaceSelection } from '../../shared/project.js';
import type { DetectedFace } from './types.js';

type Box = DetectedFace['box'];

/** Frames a lost track may be missing and still be bridged. */
export const MAX_BRIDGE_GAP = 3;
/** Overlap above which a detection continues a track. */
export const MIN_TRACK_IOU = 0.3;
/** Otherwise: centres at most this many of the track's box widths apart… */
export const MAX_CENTRE_JUMP = 0.5;
/** …and box widths within this ratio of each other. */
export const MAX_SIZE_RATIO = 1.5;

export interface TrackOptions {
  maxGap?: number;
}

/** One track's face in one frame: detected, or bridged across a gap. */
export interface TrackedFace {
  face: DetectedFace;
  bridged: boolean;
}

export interface FaceTrackInfo {
  /** 0, 1, …: in order of appearance, largest first within a frame */
  id: number;
  /** its face by frame number (only the frames it is in) */
  faces: Map<number, TrackedFace>;
}

/** A frame's detections (any order). */
export interface FrameFaces {
  frame: number;
  faces: readonly DetectedFace[];
}

export function boxArea(b: Box): number {
  return Math.max(0, b.width) * Math.max(0, b.height);
}

export function boxIoU(a: Box, b: Box): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  return inter / (boxArea(a) + boxArea(b) - inter);
}

/** Distance between the boxes' centres, in `from`'s widths. */
export function centreJump(from: Box, to: Box): number {
  const dx = to.x + to.width / 2 - (from.x + from.width / 2);
  const dy = to.y + to.height / 2 - (from.y + from.height / 2);
  return Math.hypot(dx, dy) / Math.max(from.width, 1);
}

/**
 * How well `box` continues a track last seen at `last`: its IoU when above
 * MIN_TRACK_IOU, a small positive score for a close centre and a like size, else 0
 * (no match). Higher is better.
 */
export function matchScore(last: Box, box: Box): number {
  const iou = boxIoU(last, box);
  if (iou >= MIN_TRACK_IOU) return 1 + iou;
  const ratio = Math.max(last.width, box.width) / Math.max(Math.min(last.width, box.width), 1e-6);
  const jump = centreJump(last, box);
  if (jump <= MAX_CENTRE_JUMP && ratio <= MAX_SIZE_RATIO) return 1 - jump / MAX_CENTRE_JUMP / 2;
  return 0;
}

/**
 * Match detections to tracks: for each detection, the index of the track it
 * continues, or undefined. Greedy, best pair first; each track and detection is used
 * at most once.
 */
export function associate(tracks: readonly Box[], boxes: readonly Box[]): (number | undefined)[] {
  const pairs: { t: number; d: number; score: number }[] = [];
  for (const [t, last] of tracks.entries())
    for (const [d, box] of boxes.entries()) {
      const score = matchScore(last, box);
      if (score > 0) pairs.push({ t, d, score });
    }
  pairs.sort((a, b) => b.score - a.score || a.t - b.t || a.d - b.d);
  const out: (number | undefined)[] = boxes.map(() => undefined);
  const usedTracks = new Set<number>();
  for (const { t, d } of pairs) {
    if (usedTracks.has(t) || out[d] !== undefined) continue;
    out[d] = t;
    usedTracks.add(t);
  }
  return out;
}

function lerp(a: number, b: number, t: number): number {
  return a + (b - a) * t;
}

/** The face a fraction `t` of the way from `a` to `b` (box and landmarks point by point). */
export function interpolateFace(a: DetectedFace, b: DetectedFace, t: number): DetectedFace {
  const box = {
    x: lerp(a.box.x, b.box.x, t),
    y: lerp(a.box.y, b.box.y, t),
    width: lerp(a.box.width, b.box.width, t),
    height: lerp(a.box.height, b.box.height, t),
  };
  const n = Math.min(a.landmarks.length, b.landmarks.length);
  const landmarks = Array.from({ length: n }, (_, i) => ({
    x: lerp(a.landmarks[i]!.x, b.landmarks[i]!.x, t),
    y: lerp(a.landmarks[i]!.y, b.landmarks[i]!.y, t),
  }));
  return { box, score: Math.min(a.score, b.score), landmarks };
}

interface Open {
  info: FaceTrackInfo;
  /** index (in the frames given) and face of its last detection */
  lastIndex: number;
  last: DetectedFace;
}

/**
 * Follow every face through the frames (in shot order): the tracks, by id. A frame
 * that could not be read counts as one without faces.
 */
export function trackFaces(frames: readonly FrameFaces[], options: TrackOptions = {}): FaceTrackInfo[] {
  const maxGap = options.maxGap ?? MAX_BRIDGE_GAP;
  const tracks: FaceTrackInfo[] = [];
  const all: Open[] = [];
  const extend = (o: Open, i: number, face: DetectedFace, bridge: boolean): void => {
    const gap = i - o.lastIndex;
    if (bridge)
      for (let k = 1; k < gap; k++) {
        const between = frames[o.lastIndex + k]!.frame;
        o.info.faces.set(between, { face: interpolateFace(o.last, face, k / gap), bridged: true });
      }
    o.info.faces.set(frames[i]!.frame, { face, bridged: false });
    o.lastIndex = i;
    o.last = face;
  };
  for (const [i, { frame, faces }] of frames.entries()) {
    // alive: last seen at most maxGap frames before the one just before this (bridged);
    // dormant: lost for longer (found again, it keeps its id but the frames between stay empty)
    const alive = all.filter((o) => i - o.lastIndex - 1 <= maxGap);
    const dormant = all.filter((o) => i - o.lastIndex - 1 > maxGap);
    const matches = associate(
      alive.map((o) => o.last.box),
      faces.map((f) => f.box),
    );
    let fresh: DetectedFace[] = [];
    for (const [d, face] of faces.entries()) {
      const t = matches[d];
      if (t === undefined) fresh.push(face);
      else extend(alive[t]!, i, face, true);
    }
    const again = associate(
      dormant.map((o) => o.last.box),
      fresh.map((f) => f.box),
    );
    fresh = fresh.filter((face, d) => {
      const t = again[d];
      if (t !== undefined) extend(dormant[t]!, i, face, false);
      return t === undefined;
    });
    // new tracks, largest first, so that ids within a frame go by size
    fresh.sort((a, b) => boxArea(b.box) - boxArea(a.box));
    for (const face of fresh) {
      const info: FaceTrackInfo = { id: tracks.length, faces: new Map([[frame, { face, bridged: false }]]) };
      tracks.push(info);
      all.push({ info, lastIndex: i, last: face });
    }
  }
  return tracks;
}

/** Which face of a shot to age: a track id, or a point on a frame (the shot's first when absent). */
export type { FaceSelection };

/** The selection cannot be met on this shot; the message names what there is. */
export class FaceSelectionError extends Error {
  override name = 'FaceSelectionError';
}

function idRange(count: number): string {
  return count === 1 ? 'face 0' : `faces 0–${count - 1}`;
}

function contains(b: Box, x: number, y: number): boolean {
  return x >= b.x && x <= b.x + b.width && y >= b.y && y <= b.y + b.height;
}

/** `face 0 at 120,80 150×150`: a face of a frame as the messages name it. */
function describe(id: number, b: Box): string {
  const r = Math.round;
  return `face ${id} at ${r(b.x)},${r(b.y)} ${r(b.width)}×${r(b.height)}`;
}

/**
 * The track the selection names: an id must be one of the shot's, a point must lie in
 * the box of a face on its frame (the nearest centre when in several). Undefined (no
 * selection) is track 0, or none in a shot without faces. Throws FaceSelectionError.
 */
export function selectTrack(
  tracks: readonly FaceTrackInfo[],
  selection: FaceSelection | undefined,
  firstFrame: number,
): FaceTrackInfo | undefined {
  if (selection === undefined) return tracks[0];
  if (typeof selection === 'number') {
    const track = tracks[selection];
    if (track) return track;
    throw new FaceSelectionError(
      tracks.length
        ? `face ${selection}: the shot has ${idRange(tracks.length)}`
        : `face ${selection}: no face was found in the shot`,
    );
  }
  const frame = selection.frame ?? firstFrame;
  const { x, y } = selection;
  const here = tracks.flatMap((t) => {
    const f = t.faces.get(frame);
    return f ? [{ track: t, box: f.face.box }] : [];
  });
  const hits = here.filter((h) => contains(h.box, x, y));
  if (hits.length) {
    const dist = (b: Box) => Math.hypot(b.x + b.width / 2 - x, b.y + b.height / 2 - y);
    return hits.reduce((a, b) => (dist(b.box) < dist(a.box) ? b : a)).track;
  }
  const where = `face at ${Math.round(x)},${Math.round(y)}@${frame}`;
  throw new FaceSelectionError(
    here.length
      ? `${where}: no face there; frame ${frame} has ${here.map((h) => describe(h.track.id, h.box)).join(', ')}`
      : `${where}: no face was found on that frame`,
  );
}

/**
 * The track that best follows a shot plan's boxes (the face the whole-shot survey
 * chose, by frame): most overlap summed over the frames both have. Undefined when
 * none overlaps any.
 */
export function trackForBoxes(
  tracks: readonly FaceTrackInfo[],
  boxes: Readonly<Record<string, Box>>,
): FaceTrackInfo | undefined {
  let best: FaceTrackInfo | undefined;
  let bestScore = 0;
  for (const track of tracks) {
    let score = 0;
    for (const [frame, f] of track.faces) {
      const box = boxes[String(frame)];
      if (box) score += boxIoU(box, f.face.box);
    }
    if (score > bestScore) [best, bestScore] = [track, score];
  }
  return best;
}

/** The faces on one frame, by id, for the viewer. */
export function facesOnFrame(
  tracks: readonly FaceTrackInfo[],
  frame: number,
): { id: number; box: Box; bridged: boolean }[] {
  return tracks.flatMap((t) => {
    const f = t.faces.get(frame);
    return f ? [{ id: t.id, box: f.face.box, bridged: f.bridged }] : [];
  });
}
