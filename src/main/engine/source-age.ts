/**
 * The actor's current age category, when the artist has not set it: face-api's age
 * network on a few frames spread over the shot, median of the estimates. One value
 * per shot: a source age that changed from frame to frame would make the aged face
 * flicker.
 */
import { ageToCategory, type AgeCategory } from '../../shared/ages.js';
import { detectFaces } from './face-track.js';
import type { FaceAnalyzer } from './faces.js';
import type { DisplayTransform } from './plate-view.js';
import { readFrame, type FrameRef } from './sequence-io.js';
import type { DetectedFace } from './types.js';

/** Frames sampled per shot: enough for a stable median, few enough to cost seconds. */
export const SOURCE_AGE_SAMPLES = 5;

/** `count` items spread evenly over `items`, first and last included. */
export function spread<T>(items: readonly T[], count: number): T[] {
  if (items.length <= count) return [...items];
  return Array.from({ length: count }, (_, i) => items[Math.round((i * (items.length - 1)) / (count - 1))]!);
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Undefined when none of the sampled frames shows a face (or can be read). */
export async function estimateSourceAge(
  analyzer: FaceAnalyzer,
  refs: readonly FrameRef[],
  signal?: AbortSignal,
  /** the shot's plates to display sRGB (shot-colour.ts); absent: the identity */
  transform?: DisplayTransform,
): Promise<AgeCategory | undefined> {
  const years: number[] = [];
  for (const ref of spread(refs, SOURCE_AGE_SAMPLES)) {
    signal?.throwIfAborted();
    try {
      const { image } = await readFrame(ref, transform ? { transform } : {});
      const [face] = await detectFaces(analyzer, image);
      if (face) years.push(await analyzer.estimateAge(image, face));
    } catch {
      // an unreadable frame is reported when the shot reaches it; here it is just not a sample
    }
  }
  return years.length ? ageToCategory(median(years)) : undefined;
}

/**
 * The source age of one followed face (a face chosen by id or point, or another face the
 * shot ages too): the age network on that face in frames spread over those where it is,
 * median. Undefined when it is on none of them (or none can be read).
 */
export async function estimateTrackAge(
  analyzer: FaceAnalyzer,
  refs: readonly FrameRef[],
  faceOn: ReadonlyMap<number, { face: DetectedFace }>,
  signal?: AbortSignal,
  transform?: DisplayTransform,
): Promise<AgeCategory | undefined> {
  const years: number[] = [];
  for (const ref of spread(
    refs.filter((r) => faceOn.has(r.frame)),
    SOURCE_AGE_SAMPLES,
  )) {
    signal?.throwIfAborted();
    try {
      const { image } = await readFrame(ref, transform ? { transform } : {});
      years.push(await analyzer.estimateAge(image, faceOn.get(ref.frame)!.face));
    } catch {
      // as above: not a sample
    }
  }
  return years.length ? ageToCategory(median(years)) : undefined;
}
