/**
 * Stage 3 of Age-cGAN (Antipov et al. 2017): refine the encoder's latent z0 so that
 * G(z, y_source) reconstructs the actor's aligned face, before G(z*, y_target) ages it.
 *
 * Two reconstruction losses, as in the paper:
 *  - 'pixel':    mean squared error between G(z, y) and the face, in G's [-1,1] space;
 *  - 'identity': squared distance between face-recogniser embeddings of G(z, y) and of
 *                the face ("Identity-Preserving" optimisation), which keeps who the
 *                person is rather than every pixel.
 *
 * Only z is optimised (Adam, `varList` = [z]): G and the recogniser are frozen, and the
 * wasm backend, which lacks conv filter gradients, only ever needs input gradients.
 *
 * The networks come in as plain functions so this module depends on no model loader:
 * the caller wraps its LayersModel (inference mode, so BatchNorm uses running stats).
 */
import * as tf from '@tensorflow/tfjs';
import { AGE_CATEGORIES, type ReconstructionMode } from '../../shared/ages.js';
import type { OptimiseResult } from './types.js';

/** G: ([1,zDim] latent, [1,nAges] one-hot age) -> [1,64,64,3] image in [-1,1]. */
export type GenerateFn = (z: tf.Tensor2D, y: tf.Tensor2D) => tf.Tensor4D;
/** The recogniser: [N,S,S,3] -> [N,D] embedding; must be differentiable w.r.t. its input. */
export type EmbedFn = (x: tf.Tensor4D) => tf.Tensor2D;
/** Maps G-space faces ([N,64,64,3], [-1,1]) to the recogniser's input. */
export type EmbedInputFn = (x: tf.Tensor4D) => tf.Tensor4D;

export interface EarlyStop {
  /** stop after this many consecutive steps without a significant improvement */
  patience: number;
  /** an improvement counts when loss < reference * (1 - minRelImprovement) */
  minRelImprovement: number;
}

export interface StepInfo {
  /** index into `losses`: 0 is the loss at z0, k the loss after k updates */
  step: number;
  loss: number;
  bestLoss: number;
}

export interface OptimiseOptions {
  generate: GenerateFn;
  /** the aligned real face, [1,64,64,3] in [-1,1]; not disposed */
  target: tf.Tensor4D;
  /** the source (current) age category of the face: reconstruction happens at y_source */
  ageIndex: number;
  /** length of the one-hot age vector; defaults to the six Age-cGAN categories */
  nAges?: number;
  /** the starting latent (the encoder's E(x), or the previous frame's z*); when absent, z0 ~ N(0, I) drawn from `seed` */
  z0?: Float32Array;
  /** latent size, needed only when z0 is absent */
  zDim?: number;
  mode: ReconstructionMode;
  /** the recogniser; required for 'identity' */
  embed?: EmbedFn;
  /** G output -> recogniser input; defaults to `defaultEmbedInput` (150x150, RGB 0..255) */
  embedInput?: EmbedInputFn;
  /**
   * 'identity' only: weight of an added pixel MSE term. The recogniser is invariant to
   * exactly the things a compositor cares about (skin tone, lighting, a slight head
   * turn), so with identity alone G's output drifts in colour and pose and the
   * composite shows a seam; a small pixel term anchors them without letting pixels
   * dominate identity. Default 0.1 (the pixel MSE is the smaller of the two terms).
   */
  identityPixelWeight?: number;
  /**
   * Weight of a latent prior, w * (mean(z^2) - 1)^2. G was trained on z ~ N(0, I), whose
   * mass lies on the shell |z| ~ sqrt(zDim); unconstrained optimisation can walk z far
   * off it, where G produces saturated, artefacted faces that still fit x at y_source
   * but age badly. Penalising the distance from the shell (not from the origin, which
   * would pull every face towards the average face) keeps z where G is meaningful.
   * Default 0.01; 0 disables.
   */
  zPriorWeight?: number;
  /**
   * Weight of an anchor to the encoder's estimate, w * mean((z - zAnchor)^2). Default
   * DEFAULT_IDENTITY_ANCHOR_WEIGHT in 'identity' mode (see there for why), 0 in 'pixel'
   * mode, whose loss sees every pixel G draws. 0 is the paper's loss.
   */
  zAnchorWeight?: number;
  /**
   * The point the anchor pulls towards: E(x) of this face. Default z0, which is E(x)
   * unless the caller warm-starts from another frame's z* (then pass E(x) here, so a
   * shot's latents do not drift away from what the encoder sees in each frame).
   */
  zAnchor?: Float32Array;
  /** number of Adam updates at most */
  steps: number;
  /**
   * Adam learning rate; default 0.1. z's entries are ~N(0,1), so this moves each by at
   * most ~0.1 a step: fast enough for the step budgets used here, and the best-z
   * bookkeeping absorbs Adam's late oscillation.
   */
  learningRate?: number;
  /** default { patience: 20, minRelImprovement: 1e-3 }; false runs all `steps` */
  earlyStop?: EarlyStop | false;
  /**
   * Seed for the only random draw (z0 when it is absent). Given the same inputs the
   * optimisation itself is deterministic on a given backend: no noise, fixed order.
   */
  seed?: number;
  /** aborting rejects with the signal's reason; everything allocated is released */
  signal?: AbortSignal;
  onStep?: (info: StepInfo) => void;
  /**
   * Updates after which `onCheckpoint` gets a copy of the best latent so far (a
   * progressive preview's intermediate pictures), for those the optimisation reaches
   * before it stops. The optimisation is the same with or without them: it waits for
   * the callback, and nothing else changes.
   */
  checkpoints?: readonly number[];
  onCheckpoint?: (z: Float32Array, updates: number) => void | Promise<void>;
}

export const DEFAULT_LEARNING_RATE = 0.1;
export const DEFAULT_EARLY_STOP: EarlyStop = { patience: 20, minRelImprovement: 1e-3 };
export const DEFAULT_IDENTITY_PIXEL_WEIGHT = 0.1;
export const DEFAULT_Z_PRIOR_WEIGHT = 0.01;
/**
 * The identity mode's anchor to E(x). The recogniser sees little of what z controls, so
 * the identity loss leaves z free along every direction it is blind to, and Adam moves
 * each coordinate by about the learning rate per step whatever the gradient's size: z
 * drifts. That drift took the age change with it, while the independent recogniser
 * accepted the reconstruction no more often; anchoring keeps the age change at no cost
 * in likeness, and 3 kept more of it than 1 (`reage eval`; the figures: docs/EVAL.md,
 * History, "Anchoring the identity-preserving optimisation"). 3 is the default; 0
 * restores the paper's loss.
 */
export const DEFAULT_IDENTITY_ANCHOR_WEIGHT = 3;

/**
 * The anchor weight a mode gets unless the caller says otherwise: identity mode is
 * anchored (DEFAULT_IDENTITY_ANCHOR_WEIGHT), pixel mode is not, its loss sees every
 * pixel G draws. The same with and without detail refinement: with the offset's
 * penalty at DETAIL_DEFAULTS.weight (detail.ts), the anchored z is what the detail
 * settings were chosen on (docs/EVAL.md, History, "Detail refinement and the source age").
 */
export function defaultAnchorWeight(mode: ReconstructionMode): number {
  return mode === 'identity' ? DEFAULT_IDENTITY_ANCHOR_WEIGHT : 0;
}

/** face-api's FaceRecognitionNet input side (faces.ts EMBEDDING_INPUT_SIZE) */
const RECOGNISER_SIZE = 150;

/**
 * G's [-1,1] crop -> face-api recogniser input: bilinear resize to 150x150, RGB scaled
 * to 0..255 (the recogniser subtracts its mean and divides by 255 itself). It does not
 * re-frame the face: G's aligned crop is already a tight face crop, close to face-api's
 * landmark box grown by 20%, and both x and G(z) go through the same mapping, so any
 * framing difference affects both sides alike. Pass your own to crop or re-frame.
 */
export const defaultEmbedInput: EmbedInputFn = (x) =>
  tf.tidy(() => tf.mul(tf.add(tf.image.resizeBilinear(x, [RECOGNISER_SIZE, RECOGNISER_SIZE]), 1), 127.5));

/** One-hot age rows [n, nAges] for category indices. */
export function ageOneHot(ageIndices: readonly number[], nAges: number = AGE_CATEGORIES.length): tf.Tensor2D {
  for (const ageIndex of ageIndices)
    if (!Number.isInteger(ageIndex) || ageIndex < 0 || ageIndex >= nAges)
      throw new RangeError(`age index ${ageIndex} is not in 0..${nAges - 1}`);
  return tf.tidy(() => tf.oneHot(tf.tensor1d([...ageIndices], 'int32'), nAges).toFloat() as tf.Tensor2D);
}

/** G(z, y_age) for a latent given as values or as a [1,zDim] tensor; the caller disposes the result. */
export function regenerate(
  generate: GenerateFn,
  z: Float32Array | tf.Tensor2D,
  ageIndex: number,
  nAges: number = AGE_CATEGORIES.length,
): tf.Tensor4D {
  return tf.tidy(() => {
    const zt = z instanceof tf.Tensor ? z : tf.tensor2d(z, [1, z.length]);
    return generate(zt, ageOneHot([ageIndex], nAges));
  });
}

/** Give queued events (an abort, a UI message) a chance to run between steps. */
export const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Optimise z to reconstruct `target` at `ageIndex`. Returns the best z seen (Adam's
 * loss is not monotone) and the loss at z0 and after every update.
 */
export async function optimiseLatent(opts: OptimiseOptions): Promise<OptimiseResult> {
  const nAges = opts.nAges ?? AGE_CATEGORIES.length;
  const lr = opts.learningRate ?? DEFAULT_LEARNING_RATE;
  const early = opts.earlyStop === undefined ? DEFAULT_EARLY_STOP : opts.earlyStop;
  const zPriorWeight = opts.zPriorWeight ?? DEFAULT_Z_PRIOR_WEIGHT;
  const anchorPoint = opts.zAnchor ?? opts.z0;
  const zAnchorWeight = anchorPoint ? (opts.zAnchorWeight ?? defaultAnchorWeight(opts.mode)) : 0;
  if (!(zAnchorWeight >= 0)) throw new RangeError(`zAnchorWeight must be >= 0, got ${opts.zAnchorWeight}`);
  const pixelWeight = opts.mode === 'pixel' ? 1 : (opts.identityPixelWeight ?? DEFAULT_IDENTITY_PIXEL_WEIGHT);
  const { generate, target, signal } = opts;
  if (!Number.isInteger(opts.steps) || opts.steps < 0)
    throw new RangeError(`steps must be a whole number >= 0, got ${opts.steps}`);
  if (opts.mode === 'identity' && !opts.embed)
    throw new Error("mode 'identity' needs an embed function (the face recogniser)");
  if (target.rank !== 4 || target.shape[0] !== 1)
    throw new Error(`target must be [1,H,W,3], got [${target.shape.join(',')}]`);
  const zDim = opts.z0?.length ?? opts.zDim;
  if (!zDim) throw new Error('give z0 or zDim');
  if (anchorPoint && anchorPoint.length !== zDim)
    throw new Error(`zAnchor has ${anchorPoint.length} values, z has ${zDim}`);
  signal?.throwIfAborted();

  // Everything below is released in `finally`, whichever way we leave.
  const owned: tf.Tensor[] = [];
  const keep = <T extends tf.Tensor>(t: T): T => (owned.push(t), t);
  const optimizer = tf.train.adam(lr);
  let best: tf.Tensor | undefined;
  try {
    const y = keep(ageOneHot([opts.ageIndex], nAges));
    const init = opts.z0
      ? tf.tensor2d(opts.z0, [1, zDim])
      : tf.randomNormal<tf.Rank.R2>([1, zDim], 0, 1, 'float32', opts.seed ?? 0);
    const anchor = zAnchorWeight > 0 && anchorPoint ? keep(tf.tensor2d(anchorPoint, [1, zDim])) : undefined;
    const z = keep(tf.variable(init, true));
    init.dispose(); // the variable holds its own reference to the data
    const embed = opts.embed;
    const embedInput = opts.embedInput ?? defaultEmbedInput;
    // FR(x) once: the target does not change.
    const targetEmbedding =
      opts.mode === 'identity' && embed ? keep(tf.tidy(() => embed(embedInput(target)))) : undefined;

    const loss = (): tf.Scalar =>
      tf.tidy(() => {
        const g = generate(z, y);
        let l = tf.scalar(0);
        if (targetEmbedding && embed)
          l = tf.add(l, tf.sum(tf.squaredDifference(embed(embedInput(g)), targetEmbedding)));
        if (pixelWeight > 0) l = tf.add(l, tf.mul(pixelWeight, tf.mean(tf.squaredDifference(g, target))));
        if (zPriorWeight > 0) l = tf.add(l, tf.mul(zPriorWeight, tf.square(tf.sub(tf.mean(tf.square(z)), 1))));
        if (anchor) l = tf.add(l, tf.mul(zAnchorWeight, tf.mean(tf.squaredDifference(z, anchor))));
        return l as tf.Scalar;
      });

    const losses: number[] = [];
    let bestLoss = Infinity;
    let reference = Infinity; // last significant improvement, for early stopping
    let sinceImprovement = 0;
    let updates = 0;
    let stoppedEarly = false;

    /** Record the loss of `zAt` (a copy of z at that point); returns true to stop. */
    const record = async (value: tf.Scalar, zAt: tf.Tensor): Promise<boolean> => {
      let v: number;
      try {
        v = (await value.data())[0]!;
      } finally {
        value.dispose();
      }
      if (!Number.isFinite(v) || !(v < bestLoss)) zAt.dispose();
      else {
        bestLoss = v;
        best?.dispose();
        best = zAt;
      }
      if (!Number.isFinite(v)) throw new Error(`latent optimisation diverged: loss is ${v} at step ${losses.length}`);
      losses.push(v);
      opts.onStep?.({ step: losses.length - 1, loss: v, bestLoss });
      if (!early) return false;
      if (v < reference * (1 - early.minRelImprovement)) {
        reference = v;
        sinceImprovement = 0;
        return false;
      }
      return ++sinceImprovement >= early.patience;
    };

    const checkpoints = opts.onCheckpoint ? new Set(opts.checkpoints) : new Set<number>();
    while (updates < opts.steps) {
      await yieldToEventLoop();
      signal?.throwIfAborted();
      const zBefore = z.clone();
      // minimize returns the loss at z before its update: that is losses[updates].
      const value = optimizer.minimize(loss, true, [z])!;
      updates++;
      if (await record(value, zBefore)) {
        stoppedEarly = true;
        break;
      }
      if (checkpoints.has(updates) && updates < opts.steps) {
        await opts.onCheckpoint!(Float32Array.from(await best!.data()), updates);
        signal?.throwIfAborted();
      }
    }
    signal?.throwIfAborted();
    // The loss at the final z, which no update has evaluated yet.
    await record(loss(), z.clone());

    // A copy: on the cpu backend data() hands out the tensor's own buffer.
    const zBest = Float32Array.from(await best!.data());
    return { z: zBest, losses, steps: updates, stoppedEarly };
  } finally {
    best?.dispose();
    optimizer.dispose();
    for (const t of owned) t.dispose();
  }
}
