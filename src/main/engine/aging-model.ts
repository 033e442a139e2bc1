/**
 * The model's one entry point, in the spirit of tfjs-models' load() + estimate(): load
 * Age-cGAN with the face networks it needs, reconstruct a face, age a reconstruction,
 * dispose. The engine (preview and shot loop), the evaluations and the scripts all go
 * through here, so each computes the same thing; lint keeps code outside the engine
 * from reaching past it (eslint.config.js).
 *
 *   const model = await loadAgingModel({ modelDir });
 *   const face = model.face({ image, landmarks }, { timer }); // or { crop }, already aligned
 *   const rec = await model.reconstruct(face, { sourceIndex, mode: 'identity', steps, seed });
 *   const aged = model.age(rec, targetIndex, { composite: 'delta', strength: 1, texture: 1 });
 *   face.dispose();
 *   model.dispose();
 *
 * The internals stay in their modules: alignment and compositing (age-face.ts), stage 3
 * (optimise.ts), detail refinement and age strength (detail.ts), the model folder
 * (model.ts); this module composes them (aging-model-impl.ts).
 */
import type * as tf from '@tensorflow/tfjs';
import type { CompositeMode, ReconstructionMode } from '../../shared/ages.js';
import type { AgedFrame } from './age-face.js';
import { unionBox } from './composite.js';
import { FaceAnalyzer } from './faces.js';
import { defaultModelDir, loadModel, type ModelManifest } from './model.js';
import { AgingModelImpl, noPrototypes } from './aging-model-impl.js';
import type { StageTimer } from './stage-timer.js';
import type { PrototypeParts } from './prototypes.js';
import type { Point, RawImage } from './types.js';
import type { Regions } from '../../shared/regions.js';

export type { AgedFrame } from './age-face.js';
export type { FaceMask, PixelBox } from './composite.js';
export { unionBox } from './composite.js';
export { DETAIL_DEFAULTS } from './detail.js';
export { defaultModelDir, type AlignmentTemplate, type ModelManifest } from './model.js';
export { DEFAULT_EARLY_STOP, defaultAnchorWeight, defaultEmbedInput } from './optimise.js';
export { StageTimer } from './stage-timer.js';
export { PROTOTYPE_PARTS, type PrototypeParts } from './prototypes.js';

/** A face in a frame, by its 68 landmarks in frame pixels. */
export interface FrameFaceInput {
  image: RawImage;
  landmarks: readonly Point[];
}

/** A face already aligned onto the model's crop, as the training crops are: [S,S,3] RGB in G's [-1,1]. */
export interface CropInput {
  crop: Float32Array;
}

export type FaceInput = FrameFaceInput | CropInput;

/** A face as the model sees it. Its reconstructions are aged from it: dispose it after them. */
export interface ModelFace {
  /** the aligned face x, [1,S,S,3] in G's [-1,1]; owned by the face */
  readonly crop: tf.Tensor4D;
  dispose(): void;
}

export interface FaceOptions {
  /**
   * times the face's stages: 'align' (a face in a frame), 'encode' (E(x), computed once,
   * when a reconstruction first needs it), and those of its reconstructions and ageing
   */
  timer?: StageTimer;
}

/** Detail refinement (detail.ts): a feature offset d inside G, fitted after z*. */
export interface DetailRequest {
  /** warm start: the previous frame's d */
  d0?: Float32Array;
  /** the offset's penalty; default DETAIL_DEFAULTS.weight */
  weight?: number;
  /**
   * fit d for ageing to these categories too, with the model's own age classifier
   * (detail.ts AgeTerm; none without one, and the source is left out)
   */
  ageTargets?: readonly number[];
  /** the age term's weight; default DETAIL_DEFAULTS.ageWeight, 0 none */
  ageWeight?: number;
  /** jitter the classifier's inputs (default true); probes compare without */
  jitter?: boolean;
  /** the layer d lives on; DETAIL_LAYER unless a probe compares others */
  layer?: string;
}

interface ReconstructCommon {
  /** the face's own age category: the reconstruction holds at y_source */
  sourceIndex: number;
  /** the start: the previous frame's z* (warm start), or another reconstruction's; E(x) otherwise */
  z0?: Float32Array;
  /** after z*, fit a detail offset */
  detail?: DetailRequest;
  signal?: AbortSignal;
}

/** Stage 3: z refined from its start by latent optimisation (optimise.ts). */
export interface OptimisedLatent extends ReconstructCommon {
  mode: ReconstructionMode;
  /** Adam updates at most */
  steps: number;
  seed: number;
  /** the anchor to E(x); default defaultAnchorWeight(mode) */
  zAnchorWeight?: number;
  /** false runs every step (probes); the engine's early stop otherwise */
  earlyStop?: false;
  /** the stage the optimisation is timed as; default 'optimise' */
  stage?: string;
  /**
   * the best latent so far after these many updates (those the optimisation reaches),
   * for a progressive preview's pictures; the optimisation is the same without them
   */
  checkpoints?: {
    after: readonly number[];
    onCheckpoint(z: Float32Array, updates: number): void | Promise<void>;
  };
}

/** z kept as it starts: E(x), the encoder's own reconstruction, or z0 as given. */
export interface KeptLatent extends ReconstructCommon {
  mode: 'none';
  /** a detail offset kept as given (one fitted before, with z0), instead of fitting one */
  offset?: Float32Array;
}

export type ReconstructOptions = OptimisedLatent | KeptLatent;

export interface Reconstruction {
  readonly face: ModelFace;
  readonly sourceIndex: number;
  /** the latent: z* (E(x) or z0 as given in mode 'none') */
  readonly z: Float32Array;
  /** the fitted offset d, when detail refinement ran */
  readonly detail?: Float32Array;
  /** the layer d was fitted on, when a probe chose one */
  readonly detailLayer?: string;
  /** stage 3's loss at the start and after each update; empty in mode 'none' */
  readonly losses: number[];
  /** stage 3's updates */
  readonly steps: number;
}

export interface AgeOptions {
  composite: CompositeMode;
  /** age strength (detail.ts): 1 the model's own age change, 0 none (in delta compositing G then has no part) */
  strength: number;
  /** amount of the prototype age layer (prototype-layer.ts): 0 off, 1 its default parts (prototypes.ts) */
  texture: number;
  /** the layer's parts as multiples of texture, replacing its defaults (prototypes.ts's PROTOTYPE_PARTS): for tuning */
  prototypeGains?: Partial<PrototypeParts>;
  /** also composite each layer alone (G's change, the prototype layer's), for evaluation side by side */
  layerOutputs?: boolean;
  /** where on the face the change applies (shared/regions.ts); absent: the defaults */
  regions?: Regions;
}

export interface GenerateOptions {
  /** age strength (detail.ts); 1 is G's own change */
  strength: number;
}

/** Age-cGAN and face-api's networks, loaded once. */
export interface AgingModel {
  readonly manifest: ModelManifest;
  /** the model folder, resolved */
  readonly dir: string;
  /** face-api's networks: detection, landmarks, apparent age, and identity mode's recogniser */
  readonly analyzer: FaceAnalyzer;
  /** whether the model ships its age classifier, so detail refinement can fit for a target */
  readonly hasAgeClassifier: boolean;
  /** The face as the model sees it: aligned onto its crop (a face in a frame) or taken as aligned. */
  face(input: FaceInput, options?: FaceOptions): ModelFace;
  /**
   * The face warped onto the model's crop as the engine aligns it, RGB in 0..1 units
   * (unclipped), [S,S,3]; the caller disposes it. For measurements beside the model's.
   */
  align(image: RawImage, landmarks: readonly Point[]): tf.Tensor3D;
  /** The latent (and offset) that reconstruct the face at its age. */
  reconstruct(face: ModelFace, options: ReconstructOptions): Promise<Reconstruction>;
  /** A reconstructed face in a frame, aged to `target` and composited into the plate. */
  age(reconstruction: Reconstruction, target: number, options: AgeOptions): AgedFrame;
  /** G's face for a reconstruction at `target`, in the model's crop: [1,S,S,3] in [-1,1]; the caller disposes it. */
  generate(reconstruction: Reconstruction, target: number, options: GenerateOptions): tf.Tensor4D;
  dispose(): void;
}

export interface AgingModelOptions {
  /** the model folder; defaultModelDir() when absent */
  modelDir?: string;
}

/**
 * Load and verify the model folder (model.ts: a ModelError names the file and the
 * problem) and face-api's networks. Call initBackend first: the weights land on the
 * active backend.
 */
export async function loadAgingModel(options: AgingModelOptions = {}): Promise<AgingModel> {
  const model = await loadModel(options.modelDir ?? defaultModelDir());
  try {
    return new AgingModelImpl(model, await FaceAnalyzer.load());
  } catch (err) {
    model.dispose();
    throw err;
  }
}

/** One face in one frame, reconstructed and aged in one call: what the preview, the shot loop and eval-aging ask. */
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
  /** refine with a feature offset d inside G after z* (detail.ts), fitted for this target */
  detail: boolean;
  /** warm start for d: the previous frame's */
  detail0?: Float32Array;
  /** age strength (detail.ts): 1 is the model's own age change */
  strength: number;
  /** amount of the prototype age layer (prototype-layer.ts): 0 off, 1 the prototypes' own change */
  texture: number;
  /** where on the face the change applies (shared/regions.ts); absent: the defaults */
  regions?: Regions;
  seed: number;
  signal?: AbortSignal;
  timer: StageTimer;
  /** also composite each layer alone, for evaluation side by side */
  layerOutputs?: boolean;
  /**
   * z0 (and detail0) are this face's own, solved before for these settings: aged as
   * they are, nothing optimised or fitted (a preview of a frame solved before, at
   * another target age or strength)
   */
  keep?: boolean;
  /** the pictures of a progressive preview on the way to the result; none when nothing is optimised */
  stages?: AgeFaceStages;
  /**
   * Age over time (src/shared/age-keys.ts), a frame between two keys of different ages:
   * the face aged to `targetIndex` and to this target from the one reconstruction (fitted,
   * with detail, for both), the two frames blended (1−t, t). t in (0, 1).
   */
  blend?: { targetIndex: number; t: number };
  /**
   * Over a shot: the latent the previous frame was aged from, and how much of it to keep
   * (0..1). The frame is aged from keep * that + (1 - keep) * z*: G's change, re-optimised
   * on every frame, otherwise moves more from frame to frame than the plate does. z*
   * itself still warm-starts the next frame's optimisation.
   */
  smoothing?: { shownZ: Float32Array; keep: number };
}

/**
 * A progressive preview's pictures: the face aged from the optimisation's start, then
 * from the best latent after some of its updates. They are extra: the result is the
 * same with or without them.
 */
export interface AgeFaceStages {
  /** the face aged from the start (E(x), or z0 and detail0 when warm-started), before the first update */
  onStart?(aged: AgedFrame): void;
  /** updates after which `onRefined` gets the face aged from the best latent so far (with detail0's offset) */
  refineAfter?: readonly number[];
  onRefined?(aged: AgedFrame, updates: number): void;
}

export interface AgedFace extends AgedFrame {
  z: Float32Array;
  /** the latent the face was aged from: z, or with `smoothing` its blend with the previous frame's */
  shownZ: Float32Array;
  /** the fitted feature offset, when detail refinement ran */
  detail?: Float32Array;
  losses: number[];
}

/**
 * Align, reconstruct and age one face in a frame. In delta compositing a strength of 0
 * asks nothing of G: its change is zero, so the latent is not optimised (the prototype
 * layer alone).
 */
export async function ageFace(model: AgingModel, req: AgeFaceRequest): Promise<AgedFace> {
  const ageing: AgeOptions = {
    composite: req.composite,
    strength: req.strength,
    texture: req.texture,
    ...(req.regions ? { regions: req.regions } : {}),
    ...(req.layerOutputs ? { layerOutputs: true } : {}),
  };
  if (req.texture > 0 && !model.manifest.prototypes) throw noPrototypes(model);
  const useGan = req.composite === 'replace' || req.strength > 0;
  const common = {
    sourceIndex: req.sourceIndex,
    ...(req.z0 ? { z0: req.z0 } : {}),
    ...(req.signal ? { signal: req.signal } : {}),
  };
  // the start's offset, kept as it is: a warm start's d0, for the pictures before d is fitted
  const startOffset = req.detail && req.detail0 ? { offset: req.detail0 } : {};
  const { stages } = req;
  const { blend } = req;
  if (blend && !(blend.t > 0 && blend.t < 1))
    throw new Error(`a blend's t must lie strictly between 0 and 1 (got ${blend.t})`);
  /** the reconstruction aged to the target, or to both targets and blended */
  const ageRec = (rec: Reconstruction): AgedFrame => {
    const aged = model.age(rec, req.targetIndex, ageing);
    if (!blend || blend.targetIndex === req.targetIndex) return aged;
    return blendAgedFrames(aged, model.age(rec, blend.targetIndex, ageing), blend.t);
  };
  const ageTargets = blend ? [req.targetIndex, blend.targetIndex] : [req.targetIndex];
  const face = model.face({ image: req.image, landmarks: req.landmarks }, { timer: req.timer });
  /** the face aged from a latent as it is, for a stage's picture */
  const agedFrom = async (z: Float32Array | undefined): Promise<AgedFrame> => {
    const kept = await model.reconstruct(face, { ...common, ...(z ? { z0: z } : {}), mode: 'none', ...startOffset });
    return ageRec(kept);
  };
  try {
    let rec: Reconstruction;
    if (!useGan) rec = await model.reconstruct(face, { ...common, mode: 'none' });
    else if (req.keep && req.z0) rec = await model.reconstruct(face, { ...common, mode: 'none', ...startOffset });
    else {
      if (stages?.onStart) stages.onStart(await agedFrom(req.z0));
      const { onRefined, refineAfter } = stages ?? {};
      rec = await model.reconstruct(face, {
        ...common,
        mode: req.mode,
        steps: req.steps,
        seed: req.seed,
        ...(req.detail ? { detail: { ...(req.detail0 ? { d0: req.detail0 } : {}), ageTargets } } : {}),
        ...(onRefined && refineAfter?.length
          ? {
              checkpoints: {
                after: refineAfter,
                onCheckpoint: async (z: Float32Array, updates: number) => onRefined(await agedFrom(z), updates),
              },
            }
          : {}),
      });
    }
    const shownZ = req.smoothing ? mixLatents(rec.z, req.smoothing.shownZ, req.smoothing.keep) : rec.z;
    const aged = ageRec(shownZ === rec.z ? rec : { ...rec, z: shownZ });
    return { ...aged, z: rec.z, shownZ, ...(rec.detail ? { detail: rec.detail } : {}), losses: rec.losses };
  } finally {
    face.dispose();
  }
}

/** (1 - keep) * z + keep * previous; z itself when keep is 0 or the two differ in length. */
function mixLatents(z: Float32Array, previous: Float32Array, keep: number): Float32Array {
  if (!(keep > 0) || previous.length !== z.length) return z;
  const out = new Float32Array(z.length);
  for (let i = 0; i < z.length; i++) out[i] = (1 - keep) * z[i]! + keep * previous[i]!;
  return out;
}

function mixImages(a: RawImage, b: RawImage, t: number): RawImage {
  if (a.width !== b.width || a.height !== b.height || a.channels !== b.channels || a.bitDepth !== b.bitDepth)
    throw new Error('blended frames must have the same size and format');
  const data = a.bitDepth === 16 ? new Uint16Array(a.data.length) : new Uint8Array(a.data.length);
  const s = 1 - t;
  for (let i = 0; i < data.length; i++) data[i] = Math.round(s * a.data[i]! + t * b.data[i]!);
  return { ...a, data };
}

/**
 * Two ageings of one face in one frame blended (1−t, t): a frame between age keys of
 * different ages. Outside both masks both frames are the plate, so the blend is too; the
 * mask is the larger of the two at each pixel (an outline of the first).
 */
export function blendAgedFrames(a: AgedFrame, b: AgedFrame, t: number): AgedFrame {
  const mask = a.mask.mask.slice();
  for (let i = 0; i < mask.length; i++) mask[i] = Math.max(mask[i]!, b.mask.mask[i] ?? 0);
  return {
    output: mixImages(a.output, b.output, t),
    mask: { ...a.mask, mask, bbox: unionBox([a.mask.bbox, b.mask.bbox]) },
    ...(a.layers && b.layers
      ? {
          layers: {
            gan: mixImages(a.layers.gan, b.layers.gan, t),
            texture: mixImages(a.layers.texture, b.layers.texture, t),
          },
        }
      : {}),
  };
}
