/**
 * One face in one frame, re-aged: align onto the model's template, find the latent
 * that reconstructs it (stage 3 of Age-cGAN), regenerate at the target age and put
 * the change back into the full-resolution plate. The shot loop (shot.ts) and the
 * single-frame preview both call `ageFace`.
 */
import * as tf from '@tensorflow/tfjs';
import { cropRegion, fitToTemplate, warpFromCrop, warpToCrop, type Region } from './align.js';
import { buildFaceMask, compositeDelta, compositeReplace, mergeIntoRaw, type FaceMask } from './composite.js';
import { agingGenerator, classifierAgeTerm } from './detail.js';
import type { FaceAnalyzer } from './faces.js';
import { encodeLatent, type AgeModel } from './model.js';
import { defaultAnchorWeight, optimiseLatent, regenerate, type GenerateFn } from './optimise.js';
import { toRgbFloat } from './sequence-io.js';
import type { StageTimer } from './stage-timer.js';
import type { CompositeMode, ReconstructionMode } from '../../shared/ages.js';
import type { Affine, Point, RawImage } from './types.js';

/** What ageFace needs from the loaded engine. */
export interface AgingNetworks {
  model: AgeModel;
  analyzer: FaceAnalyzer;
  /** the model's canonical landmarks, in crop pixels */
  template: readonly Point[];
}

export interface AgeFaceRequest {
  image: RawImage;
  /** the face's 68 landmarks in frame pixels (smoothed over the shot when there is one) */
  landmarks: readonly Point[];
  sourceIndex: number;
  targetIndex: number;
  mode: ReconstructionMode;
  composite: CompositeMode;
  steps: number;
  /** warm start: the previous frame's z*; otherwise z0 = E(x) */
  z0?: Float32Array;
  /** refine with a feature offset d inside G after z* (detail.ts) */
  detail: boolean;
  /** warm start for d: the previous frame's */
  detail0?: Float32Array;
  /** age strength (detail.ts): 1 is the model's own age change */
  strength: number;
  seed: number;
  signal?: AbortSignal;
  timer: StageTimer;
}

export interface AgedFace {
  output: RawImage;
  z: Float32Array;
  /** the fitted feature offset, when detail refinement ran */
  detail?: Float32Array;
  losses: number[];
  mask: FaceMask;
}

/**
 * Width of the fade at the crop's border, in crop pixels. The model sees only its
 * square crop; the face mask (jaw and lifted brows) can reach past it, and a change
 * cut off at the crop's edge would show as a seam in the plate.
 */
const CROP_EDGE_FADE = 5;

/** Crop-space weight: 1 inside, ramping to 0 over CROP_EDGE_FADE pixels at the border. */
function cropWindow(size: number): tf.Tensor3D {
  const w = new Float32Array(size * size);
  for (let row = 0; row < size; row++)
    for (let col = 0; col < size; col++) {
      const edge = Math.min(col + 0.5, row + 0.5, size - col - 0.5, size - row - 0.5);
      w[row * size + col] = Math.min(1, Math.max(0, (edge - 0.5) / CROP_EDGE_FADE));
    }
  return tf.tensor3d(w, [size, size, 1]);
}

/** The face's crop in G's space: [1,S,S,3] in [-1,1]. */
function alignedFace(rgb: Float32Array, width: number, height: number, m: Affine, size: number): tf.Tensor4D {
  return tf.tidy(() => {
    const frame = tf.tensor3d(rgb, [height, width, 3]);
    const crop = warpToCrop(frame, m, size);
    return tf.expandDims(tf.sub(tf.mul(crop, 2), 1), 0) as tf.Tensor4D;
  });
}

/**
 * Frame-space RGB (0..1 units) of the composited change over `region`, plus the crop
 * window's weight there: [region.h, region.w, 4].
 */
function changeInFrame(
  generate: GenerateFn,
  z: Float32Array,
  sourceIndex: number,
  targetIndex: number,
  composite: CompositeMode,
  m: Affine,
  region: Region,
  size: number,
): Float32Array {
  const warped = tf.tidy(() => {
    const target = regenerate(generate, z, targetIndex);
    // delta: what the age change alters, G(z*, y_t) - G(z*, y_s), from [-1,1] to 0..1 units;
    // replace: the generated face itself, in 0..1.
    const rgb =
      composite === 'delta'
        ? tf.div(tf.sub(target, regenerate(generate, z, sourceIndex)), 2)
        : tf.div(tf.add(target, 1), 2);
    const crop = tf.concat([tf.squeeze(rgb, [0]) as tf.Tensor3D, cropWindow(size)], 2);
    return warpFromCrop(crop, m, region);
  });
  try {
    return warped.dataSync() as Float32Array;
  } finally {
    warped.dispose();
  }
}

export async function ageFace(nets: AgingNetworks, req: AgeFaceRequest): Promise<AgedFace> {
  const { model, analyzer, template } = nets;
  const { image, timer } = req;
  const { width, height } = image;
  const size = model.manifest.imageSize;
  const generate: GenerateFn = (z, y) => model.generate(z, y);

  const { m, plate, target } = timer.time('align', () => {
    const plate = toRgbFloat(image).rgb;
    const m = fitToTemplate(req.landmarks, template);
    return { m, plate, target: alignedFace(plate, width, height, m, size) };
  });
  try {
    // E(x) of this frame: the start, unless warm-starting from the previous frame's z*,
    // and the point stage 3's anchor holds z near when there is one (optimise.ts).
    const anchorWeight = defaultAnchorWeight(req.mode);
    const encoded = req.z0 && anchorWeight === 0 ? undefined : timer.time('encode', () => encodeLatent(model, target));
    const z0 = req.z0 ?? encoded!;
    const result = await timer.timeAsync('optimise', () =>
      optimiseLatent({
        generate,
        target,
        ageIndex: req.sourceIndex,
        z0,
        ...(encoded ? { zAnchor: encoded } : {}),
        zAnchorWeight: anchorWeight,
        mode: req.mode,
        embed: (x) => analyzer.faceEmbedding(x),
        steps: req.steps,
        seed: req.seed,
        ...(req.signal ? { signal: req.signal } : {}),
      }),
    );
    const ageTerm = classifierAgeTerm(model.ageClassifier);
    const aging = await agingGenerator(model.generator, generate, {
      target,
      z: result.z,
      sourceIndex: req.sourceIndex,
      nAges: model.manifest.ageCategories.length,
      detail: req.detail,
      ...(req.detail0 ? { d0: req.detail0 } : {}),
      // with the model's own age classifier, d is fitted for this shot's target (detail.ts AgeTerm)
      ...(ageTerm ? { ageTerm: { ...ageTerm, targets: [req.targetIndex] } } : {}),
      strength: req.strength,
      timer,
      ...(req.signal ? { signal: req.signal } : {}),
    });
    const region = cropRegion(m, size, width, height);
    const change = timer.time('generate', () => {
      try {
        return region.width && region.height
          ? changeInFrame(aging.generate, result.z, req.sourceIndex, req.targetIndex, req.composite, m, region, size)
          : new Float32Array(0);
      } finally {
        aging.dispose();
      }
    });
    const { output, mask } = timer.time('composite', () => {
      const mask = buildFaceMask(req.landmarks, width, height);
      const values = spreadChange(mask, change, region, width);
      const composited =
        req.composite === 'delta'
          ? compositeDelta(plate, width, height, values, mask)
          : compositeReplace(plate, values, mask);
      return { output: mergeIntoRaw(image, composited, mask), mask };
    });
    return { output, z: result.z, ...(aging.detail ? { detail: aging.detail } : {}), losses: result.losses, mask };
  } finally {
    target.dispose();
  }
}

/**
 * Spread the region's change into a frame-sized RGB array and fold the crop window
 * into the mask: outside the crop the model said nothing, so the mask is 0 there.
 */
function spreadChange(mask: FaceMask, change: Float32Array, region: Region, width: number): Float32Array {
  const values = new Float32Array(mask.width * mask.height * 3);
  const { bbox } = mask;
  for (let row = bbox.y; row < bbox.y + bbox.height; row++)
    for (let col = bbox.x; col < bbox.x + bbox.width; col++) {
      const p = row * width + col;
      const rx = col - region.x;
      const ry = row - region.y;
      if (rx < 0 || ry < 0 || rx >= region.width || ry >= region.height) {
        mask.mask[p] = 0;
        continue;
      }
      const s = (ry * region.width + rx) * 4;
      mask.mask[p] = mask.mask[p]! * change[s + 3]!;
      values[3 * p] = change[s]!;
      values[3 * p + 1] = change[s + 1]!;
      values[3 * p + 2] = change[s + 2]!;
    }
  return values;
}
