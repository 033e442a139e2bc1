/**
 * Finding the actor's face in a frame and following it through a shot.
 *
 * The detector (face-api's SSD MobileNet) was trained on photos where faces sit
 * inside the picture; a face that fills a close-up to the frame edges is often
 * missed. A second try on the frame padded with a black border, which shrinks the
 * face relative to the detector's input, finds those.
 *
 * In a shot with several faces the one to age is the one followed from frame to
 * frame: the face nearest the previous frame's face, or the largest on the first.
 */
import * as tf from '@tensorflow/tfjs';
import type { FaceAnalyzer } from './faces.js';
import { rgbTensor } from './faces.js';
import type { DetectedFace, Point, RawImage } from './types.js';

/** Border added on each side for the second detection try, as a fraction of the frame's longer side. */
const RETRY_PADDING = 0.25;

function shiftFace(face: DetectedFace, dx: number, dy: number): DetectedFace {
  return {
    score: face.score,
    box: { ...face.box, x: face.box.x + dx, y: face.box.y + dy },
    landmarks: face.landmarks.map((p) => ({ x: p.x + dx, y: p.y + dy })),
  };
}

/** Faces in the frame, largest first; retries on a padded frame when none is found. */
export async function detectFaces(analyzer: FaceAnalyzer, image: RawImage): Promise<DetectedFace[]> {
  const rgb = rgbTensor(image);
  try {
    const faces = await analyzer.detect(rgb);
    if (faces.length) return faces;
    const pad = Math.round(RETRY_PADDING * Math.max(image.width, image.height));
    const padded = tf.pad(rgb, [
      [pad, pad],
      [pad, pad],
      [0, 0],
    ]) as tf.Tensor3D;
    try {
      return (await analyzer.detect(padded)).map((f) => shiftFace(f, -pad, -pad));
    } finally {
      padded.dispose();
    }
  } finally {
    rgb.dispose();
  }
}

function boxCentre(face: DetectedFace): Point {
  return { x: face.box.x + face.box.width / 2, y: face.box.y + face.box.height / 2 };
}

/**
 * The face to age: nearest (by box centre, in box widths) to the previous frame's
 * face when there was one and it is within `maxJump` box widths; otherwise the
 * largest. `faces` must be largest first, as detectFaces returns them.
 */
export function pickFace(
  faces: readonly DetectedFace[],
  previous: DetectedFace | undefined,
  maxJump = 1,
): DetectedFace | undefined {
  if (!faces.length) return undefined;
  if (!previous) return faces[0];
  const p = boxCentre(previous);
  let best: DetectedFace | undefined;
  let bestDist = Infinity;
  for (const f of faces) {
    const c = boxCentre(f);
    const d = Math.hypot(c.x - p.x, c.y - p.y) / Math.max(previous.box.width, 1);
    if (d < bestDist) [best, bestDist] = [f, d];
  }
  return bestDist <= maxJump ? best : faces[0];
}
