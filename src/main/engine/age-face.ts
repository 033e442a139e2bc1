/**
 * The frame side of ageing one face (aging-model.ts composes it with the model):
 * align the face onto the model's crop, and put the age change back into the
 * full-resolution plate: G's change from the source age to the target and the
 * prototype layer's, under the face mask as the shot's regions shape it (by default
 * less the eyes and an open mouth: face-regions.ts), then the prototypes' shape warp
 * under the same mask but for the eyes, which move with the face.
 */
import * as tf from '@tensorflow/tfjs';
import { cropRegion, fitToTemplate, warpFromCrop, warpToCrop, type Region } from './align.js';
import { compositeDelta, compositeReplace, mergeIntoRaw, type FaceMask } from './composite.js';
import { regionMask, shapeMask } from './face-regions.js';
import { prototypeChange, prototypeShapeWarp } from './prototype-layer.js';
import { prototypeParts, type AgePrototypes, type PrototypeParts } from './prototypes.js';
import { planes, sampleBilinear } from './pyramid.js';
import { regenerate, type GenerateFn } from './optimise.js';
import { toRgbFloat } from './sequence-io.js';
import type { StageTimer } from './stage-timer.js';
import type { CompositeMode } from '../../shared/ages.js';
import type { Regions } from '../../shared/regions.js';
import type { Affine, Point, RawImage } from './types.js';

/** What the frame side needs of the model: its crop and template, and its prototypes. */
export interface FrameModel {
  /** G's crop side */
  size: number;
  /** the model's canonical landmarks, in crop pixels */
  template: readonly Point[];
  prototypes?: AgePrototypes;
}

/** A face in a frame, with what ageing it back into the plate needs. */
export interface FrameFace {
  image: RawImage;
  /** the face's 68 landmarks in frame pixels */
  landmarks: readonly Point[];
  /** the frame as interleaved RGB 0..1 */
  plate: Float32Array;
  /** frame pixels -> crop pixels */
  m: Affine;
}

/** The frame as float RGB and the face's alignment onto the template. */
export function frameFace(image: RawImage, landmarks: readonly Point[], template: readonly Point[]): FrameFace {
  return { image, landmarks, plate: toRgbFloat(image).rgb, m: fitToTemplate(landmarks, template) };
}

/** The face warped onto the model's crop: [S,S,3] RGB in 0..1 units, unclipped. */
export function warpFace(face: FrameFace, size: number): tf.Tensor3D {
  return tf.tidy(() => warpToCrop(tf.tensor3d(face.plate, [face.image.height, face.image.width, 3]), face.m, size));
}

/** The face's crop in G's space: [1,S,S,3] in [-1,1]. */
export function generatorCrop(face: FrameFace, size: number): tf.Tensor4D {
  return tf.tidy(() => tf.expandDims(tf.sub(tf.mul(warpFace(face, size), 2), 1), 0) as tf.Tensor4D);
}

/** G's part in the change: G as it ages this reconstruction, and its latent. */
export interface GanChange {
  generate: GenerateFn;
  z: Float32Array;
}

export interface FrameAgeRequest {
  sourceIndex: number;
  targetIndex: number;
  composite: CompositeMode;
  /** amount of the prototype age layer (prototype-layer.ts): 0 off, 1 the prototypes' own change */
  texture: number;
  /** the prototype layer's parts as multiples of texture, replacing prototypes.ts's PROTOTYPE_PARTS (for tuning) */
  prototypeGains?: Partial<PrototypeParts>;
  timer: StageTimer;
  /** also composite each layer alone (G's change, the prototype layer's), for evaluation side by side */
  layerOutputs?: boolean;
  /** where on the face the change applies (shared/regions.ts); absent: the defaults */
  regions?: Regions;
}

export interface AgedFrame {
  output: RawImage;
  /** the mask the output was composited under */
  mask: FaceMask;
  /**
   * with `layerOutputs`: the frame with G's change alone as texture 0 gives it (from the
   * same reconstruction), and with the prototype layer's alone
   */
  layers?: { gan: RawImage; texture: RawImage };
}

/**
 * Width of the fade at the crop's border, in crop pixels. The model sees only its
 * square crop; the face mask (jaw and lifted brows) can reach past it, and a change
 * cut off at the crop's edge would show as a seam in the plate.
 */
const CROP_EDGE_FADE = 5;

/** Soft bound (0..1 units) on the luma change G contributes to the hybrid: tanh(x / b) * b. */
const HYBRID_SHADING_BOUND = 0.08;

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
  lumaOnly: boolean,
): Float32Array {
  const warped = tf.tidy(() => {
    const target = regenerate(generate, z, targetIndex);
    // delta: what the age change alters, G(z*, y_t) - G(z*, y_s), from [-1,1] to 0..1 units;
    // replace: the generated face itself, in 0..1.
    let rgb =
      composite === 'delta'
        ? tf.div(tf.sub(target, regenerate(generate, z, sourceIndex)), 2)
        : tf.div(tf.add(target, 1), 2);
    if (lumaOnly && composite === 'delta') {
      // G's shading only, its depth bounded softly: a 64x64 generator's darkest changes
      // are its blotches, not ageing
      const y = tf.sum(tf.mul(rgb, tf.tensor1d([0.2126, 0.7152, 0.0722])), -1, true);
      const bounded = tf.mul(tf.tanh(tf.div(y, HYBRID_SHADING_BOUND)), HYBRID_SHADING_BOUND);
      rgb = tf.tile(bounded, [1, 1, 1, 3]);
    }
    const crop = tf.concat([tf.squeeze(rgb, [0]) as tf.Tensor3D, cropWindow(size)], 2);
    return warpFromCrop(crop, m, region);
  });
  try {
    return warped.dataSync() as Float32Array;
  } finally {
    warped.dispose();
  }
}

/**
 * The plate with the face aged: G's change (when `gan` is given: without it, G has no
 * part, as in delta compositing at strength 0) and the prototype layer's (texture > 0).
 */
export function ageInFrame(
  model: FrameModel,
  face: FrameFace,
  gan: GanChange | undefined,
  req: FrameAgeRequest,
): AgedFrame {
  const { image, landmarks, plate, m } = face;
  const { timer } = req;
  const { width, height } = image;
  const { size, template } = model;
  // the change's mask: the face as the regions shape it (by default less its eyes and an
  // open mouth); the shape warp's: the same but for the eyes, which move with the face
  const { mask, warpMask } = timer.time('composite', () => ({
    mask: regionMask(landmarks, width, height, req.regions),
    warpMask: shapeMask(landmarks, width, height, req.regions),
  }));
  const layers: ChangeLayer[] = [];
  let ganAlone: ChangeLayer | undefined;
  if (gan) {
    const region = cropRegion(m, size, width, height);
    timer.time('generate', () => {
      if (!region.width || !region.height) return;
      const ganChange = (lumaOnly: boolean) =>
        changeInFrame(gan.generate, gan.z, req.sourceIndex, req.targetIndex, req.composite, m, region, size, lumaOnly);
      // with the prototype layer, colour is its part: G's 64x64 colour change is
      // where its blotches' tints come from
      layers.push({ kind: 'gan', region, change: ganChange(req.texture > 0) });
      // what the same reconstruction gives with texture 0, for side-by-side evaluation
      if (req.layerOutputs)
        ganAlone = { kind: 'gan', region, change: req.texture > 0 ? ganChange(false) : layers[0]!.change };
    });
  }
  const protos = req.texture > 0 ? model.prototypes : undefined;
  const protoRequest = {
    landmarks,
    template,
    templateSize: size,
    source: req.sourceIndex,
    target: req.targetIndex,
    parts: prototypeParts(req.texture, req.prototypeGains),
    region: mask.bbox,
  };
  let shape: Float32Array | undefined;
  if (protos)
    timer.time('texture', () => {
      layers.push({
        kind: 'texture',
        region: mask.bbox,
        change: prototypeChange(protos, { ...protoRequest, plate, width, height }),
      });
      if (req.composite === 'delta' && req.sourceIndex !== req.targetIndex)
        shape = prototypeShapeWarp(protos, protoRequest);
    });
  /** The frame with `use`'s change (and the shape change, with `withShape`), and the mask it was composited under. */
  const compose = (use: readonly ChangeLayer[], withShape: boolean): AgedFrame => {
    const m = { ...mask, mask: mask.mask.slice() };
    const values = spreadLayers(m, use, width, req.composite === 'replace');
    const composited =
      req.composite === 'delta' ? compositeDelta(plate, width, height, values, m) : compositeReplace(plate, values, m);
    if (!(withShape && shape)) return { output: mergeIntoRaw(image, composited, m), mask: m };
    const reshaped = applyShapeWarp(composited, width, warpMask, shape);
    return { output: mergeIntoRaw(image, reshaped, warpMask), mask: warpMask };
  };
  const final = timer.time('composite', () => compose(layers, true));
  const ganLayers = ganAlone ? [ganAlone] : [];
  const texture = layers.filter((l) => l.kind === 'texture');
  return {
    ...final,
    ...(req.layerOutputs
      ? { layers: { gan: compose(ganLayers, false).output, texture: compose(texture, true).output } }
      : {}),
  };
}

/**
 * The composited frame read through the shape warp, blended in by the face mask's
 * weight, so the warp fades out with the mask's feather and the plate beyond is kept:
 * out = c + w * (c(warp(x)) - c), c the composited frame. A new array.
 */
function applyShapeWarp(composited: Float32Array, width: number, faceMask: FaceMask, warp: Float32Array): Float32Array {
  const out = composited.slice();
  const img = planes(width, faceMask.height, 3, composited);
  const { bbox } = faceMask;
  const v = new Float32Array(3);
  for (let row = 0; row < bbox.height; row++)
    for (let col = 0; col < bbox.width; col++) {
      const q = row * bbox.width + col;
      const sx = warp[2 * q]!;
      if (!Number.isFinite(sx)) continue;
      const p = (bbox.y + row) * width + bbox.x + col;
      const w = faceMask.mask[p]!;
      if (!(w > 0)) continue;
      sampleBilinear(img, sx, warp[2 * q + 1]!, v, 0);
      for (let k = 0; k < 3; k++) out[3 * p + k] = composited[3 * p + k]! + w * (v[k]! - composited[3 * p + k]!);
    }
  return out;
}

/** A change over a frame region: [h, w, 4], RGB in 0..1 units and the layer's own edge window. */
interface ChangeLayer {
  kind: 'gan' | 'texture';
  region: Region;
  change: Float32Array;
}

/**
 * The layers' summed change as a frame-sized RGB array, each weighted by its window.
 * In replace compositing G's layer is the generated face itself: its window is folded
 * into the mask instead (the plate shows through where G's crop ends), and the other
 * layers add to it. Where no layer has anything to say, the mask is set to 0.
 */
function spreadLayers(mask: FaceMask, layers: readonly ChangeLayer[], width: number, replace: boolean): Float32Array {
  const values = new Float32Array(mask.width * mask.height * 3);
  const { bbox } = mask;
  for (let row = bbox.y; row < bbox.y + bbox.height; row++)
    for (let col = bbox.x; col < bbox.x + bbox.width; col++) {
      const p = row * width + col;
      if (!(mask.mask[p]! > 0)) continue;
      let covered = false;
      for (const { kind, region, change } of layers) {
        const face = replace && kind === 'gan';
        const rx = col - region.x;
        const ry = row - region.y;
        if (rx < 0 || ry < 0 || rx >= region.width || ry >= region.height) {
          if (face) mask.mask[p] = 0;
          continue;
        }
        const s = (ry * region.width + rx) * 4;
        const w = change[s + 3]!;
        if (w > 0) covered = true;
        const k = face ? 1 : w;
        if (face) mask.mask[p] = mask.mask[p]! * w;
        values[3 * p] = values[3 * p]! + k * change[s]!;
        values[3 * p + 1] = values[3 * p + 1]! + k * change[s + 1]!;
        values[3 * p + 2] = values[3 * p + 2]! + k * change[s + 2]!;
      }
      if (!covered) mask.mask[p] = 0;
    }
  return values;
}
