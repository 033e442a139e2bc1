/**
 * The identity threshold and its checks, from descriptors of real faces.
 *
 * UTKFace carries no identity labels, so the threshold is calibrated on pairs of
 * *distinct* test images, taken to show different people (UTKFace photographs are
 * of many people; a few pairs may show one person twice, which can only make the
 * threshold stricter). The threshold is the distance below which at most 1% of those
 * pairs fall (false-accept rate 1%).
 *
 * Its true-accept rate is then reported on pairs that do show one person:
 *  - each face against its horizontally flipped copy (a weak check: same photo);
 *  - two frames of one actor in real footage, at least `minFrameGap` frames apart
 *    (same person, other expression, pose, compression), when footage is available;
 * and, as an outside check on the false-accept rate, frames of one shot's actor
 * against frames of another shot's.
 */
import { descriptorDistance } from '../engine/measure.js';
import {
  acceptance,
  allPairDistances,
  calibrateThreshold,
  crossPairDistances,
  mean,
  type Calibration,
  type Share,
} from './metrics.js';

export const DIFFERENT_PERSON_ASSUMPTION =
  'UTKFace has no identity labels: every pair of two distinct test images is taken to show two different people';

export interface PairCheck {
  /** what the pairs are */
  label: string;
  /** 'same': a share of accepted pairs is the true-accept rate; 'different': the false-accept rate */
  kind: 'same' | 'different';
  accepted: Share;
  meanDistance: number | null;
}

export interface ThresholdReport extends Calibration {
  /** the recogniser whose distances are thresholded */
  recogniser: string;
  /** the real faces the different-person pairs were drawn from */
  calibrationImages: number;
  assumption: string;
  meanDifferentDistance: number | null;
  checks: PairCheck[];
}

export interface FootageDescriptor {
  shot: string;
  frame: number;
  descriptor: Float32Array;
}

export interface ThresholdInputs {
  /** descriptors of distinct real faces */
  real: readonly Float32Array[];
  /** descriptors of the same faces flipped horizontally (same order; may be shorter) */
  flipped: readonly Float32Array[];
  footage: readonly FootageDescriptor[];
  far: number;
  /** footage same-person pairs must be at least this many frames apart (default 12: half a second) */
  minFrameGap?: number;
  recogniser: string;
}

function check(label: string, kind: PairCheck['kind'], distances: number[], threshold: number): PairCheck {
  return { label, kind, accepted: acceptance(distances, threshold), meanDistance: mean(distances) };
}

/** Same-shot pairs at least `minGap` frames apart. */
export function footageSamePairs(faces: readonly FootageDescriptor[], minGap: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < faces.length; i++)
    for (let j = i + 1; j < faces.length; j++) {
      const a = faces[i]!;
      const b = faces[j]!;
      if (a.shot === b.shot && Math.abs(a.frame - b.frame) >= minGap)
        out.push(descriptorDistance(a.descriptor, b.descriptor));
    }
  return out;
}

export function buildThresholdReport(input: ThresholdInputs): ThresholdReport {
  const minGap = input.minFrameGap ?? 12;
  const different = allPairDistances(input.real, descriptorDistance);
  const calibration = calibrateThreshold(different, input.far);
  const t = calibration.threshold;
  const checks: PairCheck[] = [];

  const flips = input.flipped.map((f, i) => descriptorDistance(input.real[i]!, f));
  if (flips.length) checks.push(check('UTKFace test face vs its mirror image (weak: same photo)', 'same', flips, t));

  const shots = [...new Set(input.footage.map((f) => f.shot))];
  for (const shot of shots) {
    const faces = input.footage.filter((f) => f.shot === shot);
    const pairs = footageSamePairs(faces, minGap);
    if (pairs.length)
      checks.push(
        check(`${shot}: two frames of one actor, ≥ ${minGap} frames apart (${faces.length} frames)`, 'same', pairs, t),
      );
  }
  if (shots.length >= 2) {
    const cross: number[] = [];
    for (let a = 0; a < shots.length; a++)
      for (let b = a + 1; b < shots.length; b++)
        cross.push(
          ...crossPairDistances(
            input.footage.filter((f) => f.shot === shots[a]).map((f) => f.descriptor),
            input.footage.filter((f) => f.shot === shots[b]).map((f) => f.descriptor),
            descriptorDistance,
          ),
        );
    checks.push(check(`actors of different shots (${shots.join(' vs ')})`, 'different', cross, t));
  }
  return {
    ...calibration,
    recogniser: input.recogniser,
    calibrationImages: input.real.length,
    assumption: DIFFERENT_PERSON_ASSUMPTION,
    meanDifferentDistance: mean(different),
    checks,
  };
}
