/**
 * Detail refinement: a per-face feature offset inside G, on top of stage 3.
 *
 * Age-cGAN reconstructs a face only through its 100-d latent z. A DCGAN trained on a
 * few CPU epochs cannot express most real faces that way: G(z*, y) is a different,
 * blurrier person (docs/EVAL.md measures it with an independent recogniser). Following
 * the feature-space inversions that came after the paper (Image2StyleGAN++'s
 * activation tensors, Abdal et al. 2020; BDInvert's feature offsets, Kang et al. 2021),
 * we split G at an inner layer,
 *
 *     G(z, y) = tail(head(z, y)),
 *
 * and after z* is found, optimise an offset d on its 32x32 feature map so that
 * tail(head(z*, y_source) + d) reconstructs the face. The age enters only through
 * head(z, y), so re-ageing keeps d:
 *
 *     aged = tail(head(z*, y_target) + d)
 *
 * d carries what z cannot (this face's shape, marks, lighting); the age change still
 * comes from G's age condition. An L2 penalty on d keeps it a correction, not a copy
 * of the face painted over G's output: d also carries the source age into every
 * target, the more so the larger it is, so the penalty is set for the age as much as
 * for the likeness (DETAIL_DEFAULTS).
 *
 * The age term (AgeTerm) goes further: when the model ships its age classifier C, d is
 * fitted for the target too, so that C reads tail(head(z*, y_target) + d) as the target.
 * d then keeps the person and gives up the source age (`reage eval` measures the trade
 * with estimators C never saw; docs/EVAL.md).
 *
 * Only d is optimised, through G's frozen tail (and C): input gradients only, like
 * stage 3, so it runs on the wasm backend too.
 */
import * as tf from '@tensorflow/tfjs';
import { ageOneHot, yieldToEventLoop, type GenerateFn } from './optimise.js';
import { classifierFunction, type Classify } from './age-classifier.js';
import { seededRandom } from '../../shared/random.js';
import { jitter } from './jitter.js';
import type { StageTimer } from './stage-timer.js';

/**
 * The layer whose output d is added to, and where the age strength extrapolates: the
 * ReLU after G's 32x32 transposed conv (nets.ts, 'net.9-11'), the last before the RGB
 * layer. Until the penalty was measured (DETAIL_DEFAULTS) it was the 16x16 map
 * ('net.8'); at the same share of reconstructions kept, the 32x32 offset carries less
 * of the source age and more of the person into the aged faces (docs/EVAL.md, History).
 */
export const DETAIL_LAYER = 'net.11';

export interface DetailDefaults {
  steps: number;
  /**
   * steps when warm-started from the previous frame's d (a shot's later frames): that d
   * already fits a face one frame away, fitted for the same target. Each step with the
   * age term costs a forward and backward pass of C, and the shot's frame time is what
   * the benchmark judges (docs/BENCH.md), so warm frames take the fewest steps that look
   * the same as more on a shot.
   */
  warmSteps: number;
  learningRate: number;
  /** weight of mean(d^2) beside the pixel MSE */
  weight: number;
  /** weight of the age term (AgeTerm) when the model has an age classifier; 0 = none */
  ageWeight: number;
}

/**
 * 100 Adam steps at 0.05 with weight 3 on mean(d^2). The weight sets how much of the
 * face d may carry, and with it how much of the source age it carries into every
 * target: no setting keeps both the reconstruction and the age, and the 32x32 map at
 * weight 3 gave up least of either among the layers and weights tried
 * (`scripts/probe-detail.ts`; the figures: docs/EVAL.md, History, "Detail refinement
 * and the source age"). The age strength dial moves along the same trade.
 *
 * The age term's weight, 0.003 with one d per target, was chosen on test faces and
 * then measured on faces held out from every choice; a stronger weight bought no more
 * age and kept the person less often, so 0.003 stays (docs/EVAL.md, History, "Detail
 * refinement's age term" and "v0.4.0 on faces no choice has seen").
 */
export const DETAIL_DEFAULTS: DetailDefaults = {
  steps: 100,
  warmSteps: 10,
  learningRate: 0.05,
  weight: 3,
  ageWeight: 0.003,
};

/** G cut at DETAIL_LAYER; both halves run in inference mode (BatchNorm on stored statistics). */
export interface GeneratorSplit {
  head(z: tf.Tensor2D, y: tf.Tensor2D): tf.Tensor4D;
  tail(h: tf.Tensor4D): tf.Tensor4D;
  /** [height, width, channels] of the feature map d lives on */
  detailShape: [number, number, number];
}

const splits = new WeakMap<tf.LayersModel, GeneratorSplit>();

/**
 * Split a generator built by nets.ts's buildGenerator. Everything after the cut is a
 * plain chain of single-input layers there, so the tail is those layers applied in order.
 */
export function splitGenerator(generator: tf.LayersModel, layerName: string = DETAIL_LAYER): GeneratorSplit {
  const cached = layerName === DETAIL_LAYER ? splits.get(generator) : undefined;
  if (cached) return cached;
  const at = generator.layers.findIndex((l) => l.name === layerName);
  if (at < 0) throw new Error(`generator has no layer '${layerName}' to split at`);
  const cut = generator.layers[at]!.output as tf.SymbolicTensor;
  const headModel = tf.model({ inputs: generator.inputs, outputs: cut, name: `${generator.name}-head` });
  const rest = generator.layers.slice(at + 1);
  // A branch after the cut would make "apply the rest in order" wrong: refuse it.
  for (const [i, layer] of rest.entries()) {
    const input = layer.input;
    const from = Array.isArray(input) ? undefined : input.sourceLayer;
    const expected = i === 0 ? generator.layers[at] : rest[i - 1];
    if (from !== expected)
      throw new Error(`generator is not a chain after '${layerName}': '${layer.name}' does not follow its predecessor`);
  }
  const [, h, w, c] = cut.shape;
  const split: GeneratorSplit = {
    head: (z, y) => headModel.apply([z, y], { training: false }) as tf.Tensor4D,
    tail: (x) => rest.reduce<tf.Tensor>((t, l) => l.apply(t, { training: false }) as tf.Tensor, x) as tf.Tensor4D,
    detailShape: [h!, w!, c!],
  };
  if (layerName === DETAIL_LAYER) splits.set(generator, split);
  return split;
}

/**
 * G with a fixed offset: (z, y) -> tail(head(z, y) + d), d broadcast over the batch.
 * The caller keeps `detail` alive while the function is in use and disposes it after.
 */
export function detailedGenerate(split: GeneratorSplit, detail: tf.Tensor3D): GenerateFn {
  return steeredGenerate(split, { detail, strength: 1 });
}

/**
 * Age strength: how far along the age change to go, measured in G's features at the cut,
 *
 *     tail(h_s + strength * (head(z, y) - h_s) + d),   h_s = head(z, y_source),
 *
 * so strength 1 is the model's own age change (the paper), 0 none, and above 1 an
 * extrapolation past it. At y = y_source it is G(z, y_source) (+ d) whatever the
 * strength, so the reconstruction, and the delta composite's reference, do not move.
 * Above 1 the aged faces read more often as the requested age and keep the person less
 * often; far past the model's range it paints artefacts, not age (the figures:
 * docs/EVAL.md, History).
 */
export interface SteerOptions {
  /** the detail offset d, when refinement ran; the caller keeps it alive */
  detail?: tf.Tensor3D;
  strength: number;
  /** the source age as a one-hot [1, nAges]; needed unless strength is 1; the caller keeps it alive */
  sourceY?: tf.Tensor2D;
}

export function steeredGenerate(split: GeneratorSplit, opts: SteerOptions): GenerateFn {
  const { detail, strength, sourceY } = opts;
  if (!Number.isFinite(strength) || strength < 0) throw new RangeError(`age strength must be ≥ 0, got ${strength}`);
  if (strength !== 1 && !sourceY) throw new Error('an age strength other than 1 needs the source age');
  return (z, y) =>
    tf.tidy(() => {
      let h = split.head(z, y);
      if (strength !== 1) {
        const hs = split.head(z, tf.tile(sourceY!, [z.shape[0], 1]) as tf.Tensor2D);
        h = tf.add(hs, tf.mul(strength, tf.sub(h, hs)));
      }
      return split.tail(detail ? (tf.add(h, detail) as tf.Tensor4D) : h);
    });
}

/**
 * The age term of the detail fit: a frozen age classifier C should read each aged
 * output tail(head(z*, y_t) + d) as t, for the given targets. Without it the offset,
 * fitted to the face at its own age, carries that age into every target; with it, d
 * keeps what makes the face this person and gives up what makes it this age.
 * C sees each output through random jitter (jitter.ts), so that d cannot satisfy it
 * with texture only C reads.
 */
export interface AgeTerm {
  /** C: age-category logits [N, nAges] for faces [N,S,S,3] in [-1,1] */
  classify: Classify;
  /** the target categories the aged outputs are checked at */
  targets: readonly number[];
  /** weight of the mean cross-entropy beside the pixel MSE */
  weight: number;
  /** jitter C's inputs (default true) */
  jitter?: boolean;
  /** seeds the jitter, so a fit is repeatable */
  seed?: number;
}

/**
 * The age term a model's own classifier gives, at `weight` (default the engine's),
 * without its targets; none when the model ships no classifier or the weight is 0.
 * The engine and `reage eval` both build it here.
 */
export function classifierAgeTerm(
  classifier: tf.LayersModel | undefined,
  weight: number = DETAIL_DEFAULTS.ageWeight,
): Pick<AgeTerm, 'classify' | 'weight'> | undefined {
  return classifier && weight > 0 ? { classify: classifierFunction(classifier), weight } : undefined;
}

export interface DetailOptions {
  split: GeneratorSplit;
  /** the aligned face, [1,S,S,3] in [-1,1]; not disposed */
  target: tf.Tensor4D;
  /** the optimised latent z* */
  z: Float32Array;
  /** the source age category: d is fitted at y_source, like z* */
  ageIndex: number;
  nAges: number;
  steps?: number;
  learningRate?: number;
  weight?: number;
  /** the previous frame's d, to start from in a shot (then DETAIL_DEFAULTS.warmSteps unless `steps` is given) */
  d0?: Float32Array;
  /** read the aged outputs with an age classifier while fitting (AgeTerm) */
  age?: AgeTerm;
  signal?: AbortSignal;
}

export interface DetailResult {
  detail: Float32Array;
  /** pixel MSE of the reconstruction before and after (without the penalty) */
  mse: { initial: number; final: number };
  steps: number;
}

/**
 * Fit d so that tail(head(z*, y_source) + d) matches the face: pixel MSE + weight *
 * mean(d^2), plus, with `age`, weight_age * C's cross-entropy at each target (AgeTerm).
 */
export async function optimiseDetail(opts: DetailOptions): Promise<DetailResult> {
  const steps = opts.steps ?? (opts.d0 ? DETAIL_DEFAULTS.warmSteps : DETAIL_DEFAULTS.steps);
  const weight = opts.weight ?? DETAIL_DEFAULTS.weight;
  if (!Number.isInteger(steps) || steps < 0)
    throw new RangeError(`detail steps must be a whole number >= 0, got ${steps}`);
  const { split, target, signal } = opts;
  const [h, w, c] = split.detailShape;
  if (opts.d0 && opts.d0.length !== h * w * c)
    throw new RangeError(`d0 has ${opts.d0.length} values, the detail map ${h}x${w}x${c}`);
  signal?.throwIfAborted();
  const owned: tf.Tensor[] = [];
  const optimizer = tf.train.adam(opts.learningRate ?? DETAIL_DEFAULTS.learningRate);
  try {
    // head(z*, y_source) does not change while d is fitted: compute it once.
    const base = tf.tidy(() => {
      return split.head(tf.tensor2d(opts.z, [1, opts.z.length]), ageOneHot([opts.ageIndex], opts.nAges));
    });
    owned.push(base);
    const init = opts.d0 ? tf.tensor4d(opts.d0, [1, h, w, c]) : tf.zeros([1, h, w, c]);
    const d = tf.variable(init, true);
    init.dispose(); // the variable holds its own reference to the data
    owned.push(d);
    const age = opts.age;
    // head(z*, y_t) for the age term's targets, and their one-hot labels: fixed too.
    const ageHeads = age
      ? tf.tidy(() => {
          const zs = tf.tile(tf.tensor2d(opts.z, [1, opts.z.length]), [age.targets.length, 1]) as tf.Tensor2D;
          return split.head(zs, ageOneHot(age.targets, opts.nAges));
        })
      : undefined;
    const ageLabels = age ? ageOneHot(age.targets, opts.nAges) : undefined;
    if (ageHeads) owned.push(ageHeads, ageLabels!);
    const rand = seededRandom(age?.seed ?? 0);
    const ageLoss = () => {
      if (!age || !ageHeads || !ageLabels) return tf.scalar(0);
      let aged = split.tail(tf.add(ageHeads, d) as tf.Tensor4D);
      if (age.jitter ?? true) aged = jitter(aged, rand);
      return tf.mul(age.weight, tf.losses.softmaxCrossEntropy(ageLabels, age.classify(aged)));
    };
    const mse = () => tf.tidy(() => tf.mean(tf.squaredDifference(split.tail(tf.add(base, d) as tf.Tensor4D), target)));
    const read = async () => {
      const t = mse();
      try {
        return (await t.data())[0]!;
      } finally {
        t.dispose();
      }
    };
    const initial = await read();
    for (let step = 0; step < steps; step++) {
      await yieldToEventLoop();
      signal?.throwIfAborted();
      optimizer.minimize(
        () => tf.tidy(() => tf.addN([mse(), tf.mul(weight, tf.mean(tf.square(d))), ageLoss()])) as tf.Scalar,
        false,
        [d],
      );
    }
    signal?.throwIfAborted();
    const final = await read();
    if (!Number.isFinite(final)) throw new Error(`detail refinement diverged: pixel error is ${final}`);
    return { detail: Float32Array.from(await d.data()), mse: { initial, final }, steps };
  } finally {
    optimizer.dispose();
    tf.dispose(owned);
  }
}

/** What fitting a reconstruction's offset needs (detail refinement after z*). */
export interface DetailFitOptions {
  /** the aligned face, [1,S,S,3] in [-1,1]; not disposed */
  target: tf.Tensor4D;
  /** the optimised latent z* */
  z: Float32Array;
  sourceIndex: number;
  nAges: number;
  /** warm start for the offset: the previous frame's */
  d0?: Float32Array;
  /** the offset's penalty; default DETAIL_DEFAULTS.weight */
  detailWeight?: number;
  /**
   * Fit d with an age term (AgeTerm) for these targets: the classifier, its weight and
   * the target categories (and whether C's inputs are jittered). The source category is
   * left out (the face is at its own age already); with no other target left, d is
   * fitted without the term.
   */
  ageTerm?: Pick<AgeTerm, 'classify' | 'weight' | 'targets' | 'jitter'>;
  /** the layer d lives on; DETAIL_LAYER unless a probe compares others */
  layer?: string;
  /** times the fit as stage 'detail' */
  timer: StageTimer;
  signal?: AbortSignal;
}

/**
 * Fit the offset d for a reconstruction (optimiseDetail at G's cut), timed as
 * 'detail'. The one place the engine and `reage eval` fit it, so both measure and
 * render the same thing.
 */
export async function fitAgingDetail(generator: tf.LayersModel, opts: DetailFitOptions): Promise<Float32Array> {
  const split = splitGenerator(generator, opts.layer);
  const ageTargets = opts.ageTerm?.targets.filter((t) => t !== opts.sourceIndex) ?? [];
  const age: AgeTerm | undefined =
    opts.ageTerm && ageTargets.length && opts.ageTerm.weight > 0 ? { ...opts.ageTerm, targets: ageTargets } : undefined;
  return opts.timer.timeAsync('detail', async () => {
    const fitted = await optimiseDetail({
      split,
      target: opts.target,
      z: opts.z,
      ageIndex: opts.sourceIndex,
      nAges: opts.nAges,
      ...(opts.d0 ? { d0: opts.d0 } : {}),
      ...(opts.detailWeight !== undefined ? { weight: opts.detailWeight } : {}),
      ...(age ? { age } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    return fitted.detail;
  });
}

/** How G ages a reconstruction: with its fitted offset, if any, at an age strength. */
export interface SteerRequest {
  /** the fitted offset d (fitAgingDetail), when detail refinement ran */
  detail?: Float32Array;
  strength: number;
  sourceIndex: number;
  nAges: number;
  /** the layer d was fitted on; DETAIL_LAYER by default */
  layer?: string;
}

/** G as the engine ages with it: call `dispose` once done generating. */
export interface AgingGenerator {
  generate: GenerateFn;
  /** the fitted offset, when detail refinement ran */
  detail?: Float32Array;
  dispose(): void;
}

/**
 * The generator to age a reconstructed face with: G itself when there is no offset
 * and the strength is 1; else G split, with the offset added and the strength applied.
 */
export function steerAging(generator: tf.LayersModel, base: GenerateFn, opts: SteerRequest): AgingGenerator {
  const { detail } = opts;
  if (!detail && opts.strength === 1) return { generate: base, dispose: () => {} };
  const split = splitGenerator(generator, opts.layer);
  const detailTensor = detail ? tf.tensor3d(detail, split.detailShape) : undefined;
  const sourceY = ageOneHot([opts.sourceIndex], opts.nAges);
  return {
    generate: steeredGenerate(split, {
      ...(detailTensor ? { detail: detailTensor } : {}),
      strength: opts.strength,
      sourceY,
    }),
    ...(detail ? { detail } : {}),
    dispose: () => tf.dispose([sourceY, ...(detailTensor ? [detailTensor] : [])]),
  };
}

export interface AgingOptions extends DetailFitOptions {
  /** fit a detail offset (detail refinement) */
  detail: boolean;
  strength: number;
}

/**
 * Fit (when `detail`) and steer in one step: G itself when neither detail nor an age
 * strength other than 1 is asked for; else G split, with the offset fitted here (timed
 * as 'detail') and the strength applied. The model API (aging-model.ts) does the two
 * apart, fitting in `reconstruct` and steering in `age`.
 */
export async function agingGenerator(
  generator: tf.LayersModel,
  base: GenerateFn,
  opts: AgingOptions,
): Promise<AgingGenerator> {
  const detail = opts.detail ? await fitAgingDetail(generator, opts) : undefined;
  return steerAging(generator, base, {
    ...(detail ? { detail } : {}),
    strength: opts.strength,
    sourceIndex: opts.sourceIndex,
    nAges: opts.nAges,
    ...(opts.layer !== undefined ? { layer: opts.layer } : {}),
  });
}
