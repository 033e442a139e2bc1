/**
 * `reage eval`: how well the model reconstructs and ages real faces, measured the way
 * Antipov et al. (2017) measured Age-cGAN, on the held-out UTKFace `test.txt`.
 *
 * For each evaluated face x (a seeded, age-stratified choice of `limit` test images,
 * cropped exactly as in training):
 *   1. z0 = E(x); z*pixel and z*IP by latent optimisation from z0 (the engine's
 *      optimiser, its defaults, the engine's recogniser for the identity loss);
 *   2. G(z0, y_x), G(z*pixel, y_x), G(z*IP, y_x) and the six G(z*IP, y_t);
 *   3. the independent recogniser/age estimator (faceres, not the optimiser's
 *      face-api network) compares each with x and estimates its age.
 * The identity threshold is calibrated on real faces first (see calibrate.ts). Ages
 * are also read by face-api's age net, as a second opinion (see age-accuracy.ts).
 *
 * Modules: select.ts (which images), data.ts (dataset and crop), footage.ts
 * (same-person frames), calibrate.ts (threshold), metrics.ts (figures), report.ts
 * (JSON shape and markdown).
 */
import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { AGE_CATEGORIES, type AgeCategory, type BackendChoice } from '../../shared/ages.js';
import { writeFileAtomic } from '../node/atomic.js';
import {
  DEFAULT_EARLY_STOP,
  DETAIL_DEFAULTS,
  StageTimer,
  defaultAnchorWeight,
  defaultEmbedInput,
  defaultModelDir,
  loadAgingModel,
  type AgingModel,
  type Reconstruction,
} from '../engine/aging-model.js';
import { initBackend } from '../engine/backend.js';
import type { FaceAnalyzer } from '../engine/faces.js';
import { IndependentFaceMeasure, descriptorDistance, type FaceMeasurement } from '../engine/measure.js';
import type { DetectedFace } from '../engine/types.js';
import {
  AGE_ESTIMATOR_IDS,
  ageAccuracyFromShares,
  categoryHits,
  dropInterval,
  type AgeEstimatorId,
} from './age-accuracy.js';
import { buildThresholdReport, type FootageDescriptor } from './calibrate.js';
import {
  CROP_BOX,
  defaultDataDir,
  defaultFootageDir,
  imagePath,
  listSplit,
  loadTrainingCrop,
  toGeneratorRange,
  type Split,
} from './data.js';
import { STRIP_COLUMNS, writeFaceStrip } from './face-strip.js';
import { loadFootageFaces } from './footage.js';
import { acceptance, estimatedCategoryIndex, mean, minCalibrationImages, shareOfFlags, type Share } from './metrics.js';
import {
  PAPER,
  REPORT_FORMAT,
  TARGETS,
  formatEvalTable,
  hardwareInfo,
  shellQuote,
  type CategoryResult,
  type EvalReport,
  type ImageResult,
  type ReconstructionResult,
  type StageSeconds,
} from './report.js';
import { countPerCategory, parseUtkAge, stratifiedOrder, utkCategoryIndex } from './select.js';

export type { EvalReport } from './report.js';
export { formatEvalTable } from './report.js';

export const DEFAULT_LIMIT = 100;
export const DEFAULT_CALIBRATION_IMAGES = 200;
export const DEFAULT_FAR = 0.01;

export interface EvalProgress {
  /** units done in the current stage: faces for 'calibrate' and the image stages, frames for 'footage' */
  done: number;
  total: number;
  /** 'load' | 'calibrate' | 'footage' | 'encode' | 'optimise (pixel)' | 'optimise (identity)' | 'generate' | 'measure' | 'done' */
  stage: string;
  etaSeconds: number | null;
}

export interface EvalOptions {
  backend: BackendChoice;
  /** model folder; defaults to the engine's (REAGE_MODEL, else models/reage-utkface-64) */
  modelDir?: string;
  /** UTKFace folder; defaults to REAGE_UTKFACE, else ../shared/datasets/utkface */
  dataDir?: string;
  split?: Split;
  /** faces to reconstruct and age (default 100) */
  limit?: number;
  /**
   * leave out the first `skip` faces of the order: `--limit 50` and `--limit 50 --skip 50`
   * in two processes cover the faces of `--limit 100` (pooled with scripts/pool-eval.ts)
   */
  skip?: number;
  /** latent optimisation steps at most (early stopping as in the engine) */
  steps: number;
  /**
   * Refine the pixel-wise and identity-preserving reconstructions with the engine's
   * detail offset (detail.ts), and age from the refined one. Off (the default) measures
   * the paper's method: z alone.
   */
  detail?: boolean;
  /** age strength of the six aged faces (detail.ts); default 1, the model's own age change */
  strength?: number;
  /** amount of the prototype age layer on the aged faces (prototype-layer.ts); default 1, 0 Age-cGAN alone */
  texture?: number;
  /** identity-preserving stage 3's anchor to z0 = E(x) (optimise.ts zAnchorWeight); default the engine's (defaultAnchorWeight), 0 the paper's */
  zAnchor?: number;
  /** detail refinement's penalty on the offset (detail.ts); default the engine's, DETAIL_DEFAULTS.weight */
  detailWeight?: number;
  /**
   * weight of detail refinement's age term (detail.ts AgeTerm, with the model's own age
   * classifier); default the engine's, DETAIL_DEFAULTS.ageWeight; 0 turns it off. Each
   * aged face then has its own offset, fitted for its target, as the engine fits one
   * per shot for the shot's target.
   */
  ageWeight?: number;
  /** where to write the markdown report (atomically) */
  out?: string;
  /** a folder for one PNG strip per evaluated face (face-strip.ts): the faces behind the figures */
  facesDir?: string;
  signal?: AbortSignal;
  onProgress?: (p: EvalProgress) => void;
  /** image selection seed (default 0) */
  seed?: number;
  /**
   * real faces for the threshold and the real age accuracy, from the start of the order
   * (default 200; never fewer than skip + limit, so the evaluated faces are among them)
   */
  calibrationImages?: number;
  /** false-accept rate the threshold is calibrated at (default 0.01) */
  far?: number;
  /** footage for the same-person check (default ../shared/footage); null skips it */
  footageDir?: string | null;
  /** every n-th footage frame (default 3) */
  footageStride?: number;
  /** footage frames per shot at most (default 24) */
  footageFrames?: number;
  /** the command line to record; defaults to the equivalent `npx reage eval …` */
  command?: string;
}

/**
 * Whether these options fit each aged face's offset for its target, with detail
 * refinement's age term: detail on, a weight above 0, a model with its classifier C.
 */
function fitsForTarget(model: AgingModel, opts: EvalOptions): boolean {
  return !!opts.detail && model.hasAgeClassifier && (opts.ageWeight ?? DETAIL_DEFAULTS.ageWeight) > 0;
}

/** The identity-preserving optimisation's anchor weight these options ask for: given, or the engine's. */
function anchorWeight(opts: EvalOptions): number {
  return opts.zAnchor ?? defaultAnchorWeight('identity');
}

/** The `reage eval` command line equivalent to these options. */
export function commandFor(opts: EvalOptions): string {
  const parts: string[] = [];
  if (opts.dataDir) parts.push(`REAGE_UTKFACE=${shellQuote(resolve(opts.dataDir))}`);
  parts.push('npx', 'reage', 'eval', '--split', opts.split ?? 'test', '--limit', String(opts.limit ?? DEFAULT_LIMIT));
  if (opts.skip) parts.push('--skip', String(opts.skip));
  parts.push('--steps', String(opts.steps), '--detail', opts.detail ? 'on' : 'off');
  if ((opts.strength ?? 1) !== 1) parts.push('--strength', String(opts.strength));
  if (anchorWeight(opts) !== defaultAnchorWeight('identity')) parts.push('--z-anchor', String(opts.zAnchor));
  if (opts.detailWeight !== undefined && opts.detailWeight !== DETAIL_DEFAULTS.weight)
    parts.push('--detail-weight', String(opts.detailWeight));
  if (opts.ageWeight !== undefined && opts.ageWeight !== DETAIL_DEFAULTS.ageWeight)
    parts.push('--age-weight', String(opts.ageWeight));
  if (opts.calibrationImages !== undefined && opts.calibrationImages !== DEFAULT_CALIBRATION_IMAGES)
    parts.push('--calibration-images', String(opts.calibrationImages));
  parts.push('--backend', opts.backend);
  if (opts.modelDir) parts.push('--model', shellQuote(opts.modelDir));
  if (opts.out) parts.push('--out', shellQuote(opts.out));
  if (opts.facesDir) parts.push('--save-faces', shellQuote(opts.facesDir));
  return parts.join(' ');
}

/**
 * Rate-based ETA for a stage: the mean time of the `done` units finished by
 * `doneAt`, times the units left, less the time already spent on the current one.
 * Null until something is done.
 */
export function eta(started: number, done: number, total: number, doneAt = performance.now()): number | null {
  if (done <= 0) return null;
  const perUnit = (doneAt - started) / 1000 / done;
  return Math.max(0, perUnit * (total - done) - (performance.now() - doneAt) / 1000);
}

/** 8-bit crops -> [n,S,S,3] in 0..1, optionally with their mirror images appended. */
export function unitBatch(crops: readonly Uint8Array[], size: number, withFlips: boolean): tf.Tensor4D {
  return tf.tidy(() => {
    const flat = new Float32Array(crops.length * size * size * 3);
    crops.forEach((c, i) => {
      for (let j = 0; j < c.length; j++) flat[i * c.length + j] = c[j]! / 255;
    });
    const x = tf.tensor4d(flat, [crops.length, size, size, 3]);
    return withFlips ? tf.concat([x, tf.reverse(x, 2)], 0) : x;
  });
}

interface RealFace {
  name: string;
  crop: Uint8Array;
  measured: FaceMeasurement;
  flipped: FaceMeasurement;
  /** face-api's age estimate, years */
  faceApiAge: number;
}

/**
 * face-api's age estimates for whole aligned crops ([n,S,S,3], 0..1): the crop is the
 * face frame (pseudo-landmarks at its corners; faceFrame's 20% margin is clipped off).
 */
export async function faceApiAges(analyzer: FaceAnalyzer, faces: tf.Tensor4D): Promise<number[]> {
  const [n, h, w] = faces.shape;
  const whole: DetectedFace = {
    box: { x: 0, y: 0, width: w, height: h },
    score: 1,
    landmarks: [
      { x: 0, y: 0 },
      { x: w, y: h },
    ],
  };
  const ages: number[] = [];
  for (let i = 0; i < n; i++) {
    const img = tf.tidy(
      () =>
        tf.cast(
          tf.round(tf.mul(tf.squeeze(tf.slice(faces, [i, 0, 0, 0], [1, h, w, 3]), [0]), 255)),
          'int32',
        ) as tf.Tensor3D,
    );
    try {
      ages.push(await analyzer.estimateAge(img, whole));
    } finally {
      img.dispose();
    }
  }
  return ages;
}

/**
 * Distances by the optimiser's recogniser (face-api, through the optimiser's own input
 * mapping) from the real face `x` ([1,S,S,3]) to each of `candidates` ([n,S,S,3]), both
 * in G's [-1,1].
 */
export async function optimiserDistances(
  recogniser: Pick<FaceAnalyzer, 'faceEmbedding'>,
  x: tf.Tensor4D,
  candidates: tf.Tensor4D,
): Promise<number[]> {
  const n = candidates.shape[0];
  const d = tf.tidy(() => {
    const e = recogniser.faceEmbedding(defaultEmbedInput(tf.concat([x, candidates]) as tf.Tensor4D));
    const [real, rest] = tf.split(e, [1, n]);
    return tf.sqrt(tf.sum(tf.squaredDifference(rest!, real!), 1));
  });
  try {
    return Array.from(await d.data());
  } finally {
    d.dispose();
  }
}

interface Networks {
  model: AgingModel;
  analyzer: FaceAnalyzer;
  measure: IndependentFaceMeasure;
}

async function measureReal(
  nets: Networks,
  dataDir: string,
  names: readonly string[],
  size: number,
  opts: EvalOptions,
): Promise<RealFace[]> {
  const faces: RealFace[] = [];
  const started = performance.now();
  const batch = 8;
  for (let i = 0; i < names.length; i += batch) {
    opts.signal?.throwIfAborted();
    opts.onProgress?.({ stage: 'calibrate', done: i, total: names.length, etaSeconds: eta(started, i, names.length) });
    const chunk = names.slice(i, i + batch);
    const crops = await Promise.all(chunk.map((n) => loadTrainingCrop(imagePath(dataDir, n), size)));
    const x = unitBatch(crops, size, true);
    let ms: FaceMeasurement[];
    let ages: number[];
    try {
      ms = await nets.measure.measure(x);
      const originals = tf.slice(x, 0, chunk.length);
      try {
        ages = await faceApiAges(nets.analyzer, originals);
      } finally {
        originals.dispose();
      }
    } finally {
      x.dispose();
    }
    chunk.forEach((name, j) =>
      faces.push({ name, crop: crops[j]!, measured: ms[j]!, flipped: ms[j + chunk.length]!, faceApiAge: ages[j]! }),
    );
  }
  return faces;
}

async function measureFootage(nets: Networks, footageDir: string, opts: EvalOptions): Promise<FootageDescriptor[]> {
  const { manifest } = nets.model;
  const started = performance.now();
  const faces = await loadFootageFaces(nets.model, footageDir, {
    stride: opts.footageStride ?? 3,
    maxFramesPerShot: opts.footageFrames ?? 24,
    ...(opts.signal ? { signal: opts.signal } : {}),
    onFrame: (done, total) =>
      opts.onProgress?.({ stage: 'footage', done, total, etaSeconds: eta(started, done, total) }),
  });
  const out: FootageDescriptor[] = [];
  const s = manifest.imageSize;
  for (let i = 0; i < faces.length; i += 8) {
    const chunk = faces.slice(i, i + 8);
    const flat = new Float32Array(chunk.length * s * s * 3);
    chunk.forEach((f, j) => flat.set(f.crop, j * s * s * 3));
    const x = tf.tensor4d(flat, [chunk.length, s, s, 3]);
    try {
      const ms = await nets.measure.measure(x);
      chunk.forEach((f, j) => out.push({ shot: f.shot, frame: f.frame, descriptor: ms[j]!.descriptor }));
    } finally {
      x.dispose();
    }
  }
  return out;
}

/** Reconstruct, age and measure one face. */
async function evaluateImage(
  nets: Networks,
  face: RealFace,
  opts: EvalOptions,
  progress: (stage: string) => void,
): Promise<ImageResult> {
  const { model, analyzer, measure } = nets;
  const { imageSize: size } = model.manifest;
  const source = utkCategoryIndex(face.name);
  const timer = new StageTimer();
  const real = model.face({ crop: toGeneratorRange(face.crop) }, { timer });
  const x = real.crop;
  try {
    progress('encode');
    const z0 = await model.reconstruct(real, { sourceIndex: source, mode: 'none' });
    const common = {
      sourceIndex: source,
      steps: opts.steps,
      seed: 0,
      ...(opts.signal ? { signal: opts.signal } : {}),
    };
    progress('optimise (pixel)');
    const pixel = await model.reconstruct(real, { ...common, mode: 'pixel', stage: 'optimisePixel' });
    progress('optimise (identity)');
    const identity = await model.reconstruct(real, {
      ...common,
      mode: 'identity',
      zAnchorWeight: anchorWeight(opts),
      stage: 'optimiseIdentity',
    });
    // With detail on, the pixel and identity rows (and the ages, from identity) use
    // G with that reconstruction's fitted offset; z0's row is E(x) alone either way.
    // The age strength applies to the ages only (at y_x it changes nothing).
    const strength = opts.strength ?? 1;
    const forTarget = fitsForTarget(model, opts);
    if (opts.detail) progress('detail');
    // the same z with its fitted offset; `target`: fitted for ageing to that category (the age term's target)
    const refined = async (rec: Reconstruction, target?: number): Promise<Reconstruction> =>
      opts.detail
        ? model.reconstruct(real, {
            sourceIndex: source,
            mode: 'none',
            z0: rec.z,
            detail: {
              ...(opts.detailWeight !== undefined ? { weight: opts.detailWeight } : {}),
              ...(forTarget && target !== undefined
                ? { ageTargets: [target], ...(opts.ageWeight !== undefined ? { ageWeight: opts.ageWeight } : {}) }
                : {}),
            },
            ...(opts.signal ? { signal: opts.signal } : {}),
          })
        : rec;
    const pixelD = await refined(pixel);
    const identityD = await refined(identity);
    // with the age term, each target other than the source has its own offset
    const agedFrom: Reconstruction[] = [];
    for (const t of AGE_CATEGORIES.keys())
      agedFrom.push(forTarget && t !== source ? await refined(identity, t) : identityD);
    progress('generate');
    const faces = timer.time('generate', () => {
      const out = tf.tidy(() => {
        const g = tf.concat([
          model.generate(z0, source, { strength: 1 }), // E(x) alone: G itself, whatever the strength
          model.generate(pixelD, source, { strength }),
          model.generate(identityD, source, { strength }),
          ...agedFrom.map((rec, t) => model.generate(rec, t, { strength })),
        ]);
        return tf.clipByValue(tf.div(tf.add(g, 1), 2), 0, 1) as tf.Tensor4D;
      });
      out.dataSync(); // the time is spent here, not in the first read below
      return out;
    });
    progress('measure');
    let ms: FaceMeasurement[];
    let faceApiAged: number[];
    let own: number[];
    try {
      // outside the timed stages: writing pictures is not part of the method's cost
      if (opts.facesDir)
        await writeFaceStrip(opts.facesDir, face.name, face.crop, (await faces.data()) as Float32Array, size);
      const recs = tf.tidy(() => tf.sub(tf.mul(tf.slice(faces, 0, 3), 2), 1) as tf.Tensor4D);
      try {
        own = await timer.timeAsync('measure', () => optimiserDistances(analyzer, x, recs));
      } finally {
        recs.dispose();
      }
      ms = await timer.timeAsync('measure', () => measure.measure(faces));
      const aged = tf.slice(faces, 3, AGE_CATEGORIES.length);
      try {
        faceApiAged = await timer.timeAsync('measure', () => faceApiAges(analyzer, aged));
      } finally {
        aged.dispose();
      }
    } finally {
      faces.dispose();
    }
    const d = ms.map((m) => descriptorDistance(face.measured.descriptor, m.descriptor));
    const sec = timer.seconds;
    const seconds: StageSeconds = {
      encode: sec.encode ?? 0,
      optimisePixel: sec.optimisePixel ?? 0,
      optimiseIdentity: sec.optimiseIdentity ?? 0,
      detail: sec.detail ?? 0,
      generate: sec.generate ?? 0,
      measure: sec.measure ?? 0,
      total: 0,
    };
    seconds.total =
      seconds.encode +
      seconds.optimisePixel +
      seconds.optimiseIdentity +
      seconds.detail +
      seconds.generate +
      seconds.measure;
    return {
      name: face.name,
      age: parseUtkAge(face.name),
      category: AGE_CATEGORIES[source]!,
      distance: { initial: d[0]!, pixel: d[1]!, identity: d[2]!, aged: d.slice(3) },
      optimiserDistance: { initial: own[0]!, pixel: own[1]!, identity: own[2]! },
      estimatedAge: {
        faceres: { real: face.measured.age, aged: ms.slice(3).map((m) => m.age) },
        'face-api': { real: face.faceApiAge, aged: faceApiAged },
      },
      steps: { pixel: pixel.steps, identity: identity.steps },
      seconds,
    };
  } finally {
    real.dispose();
  }
}

function reconstruction(
  distances: number[],
  optimiserDistances: number[],
  threshold: number,
  steps?: number[],
): ReconstructionResult {
  return {
    accepted: acceptance(distances, threshold),
    meanDistance: mean(distances),
    meanOptimiserDistance: mean(optimiserDistances),
    ...(steps ? { meanSteps: mean(steps) } : {}),
  };
}

/**
 * The report's figures from the evaluated faces, the threshold and the real faces' age
 * accuracy per category (for each estimator): what a run computes, and what pooling the
 * parts of a run recomputes from their faces (pool.ts).
 */
export function figuresOf(
  images: readonly ImageResult[],
  t: number,
  realHits: Record<AgeEstimatorId, readonly Share[]>,
): Pick<EvalReport, 'reconstruction' | 'aging' | 'ageAccuracy' | 'targets'> {
  const aging: CategoryResult[] = AGE_CATEGORIES.map((category, ti) => {
    const dist = images.map((im) => im.distance.aged[ti]!);
    const changed = images.filter((im) => im.category !== category).map((im) => im.distance.aged[ti]!);
    return {
      category,
      identity: acceptance(dist, t),
      identityChanged: acceptance(changed, t),
      meanDistance: mean(dist),
    };
  });
  const ages = AGE_ESTIMATOR_IDS.map((id) => {
    // per face, whether each aged output was read at its requested category: the shares
    // come from these, and the drop's interval resamples them face by face
    const perFace = images.map((im) =>
      im.estimatedAge[id].aged.map((years, category) => estimatedCategoryIndex(years) === category),
    );
    const generated = AGE_CATEGORIES.map((_, c) => shareOfFlags(perFace.map((hits) => hits[c]!)));
    return {
      ...ageAccuracyFromShares(id, generated, realHits[id]),
      relativeDropCi95: dropInterval(perFace, realHits[id]),
    };
  });
  const drop = ages[0]!.relativeDrop;
  const rec = {
    initial: reconstruction(
      images.map((im) => im.distance.initial),
      images.map((im) => im.optimiserDistance.initial),
      t,
    ),
    pixel: reconstruction(
      images.map((im) => im.distance.pixel),
      images.map((im) => im.optimiserDistance.pixel),
      t,
      images.map((im) => im.steps.pixel),
    ),
    identity: reconstruction(
      images.map((im) => im.distance.identity),
      images.map((im) => im.optimiserDistance.identity),
      t,
      images.map((im) => im.steps.identity),
    ),
  };
  const ip = rec.identity.accepted.share;
  return {
    reconstruction: rec,
    aging,
    ageAccuracy: ages,
    targets: {
      identityReconstruction: {
        target: TARGETS.identityReconstruction,
        paper: PAPER.identity,
        measured: ip,
        met: ip === null ? null : ip >= TARGETS.identityReconstruction,
      },
      ageAccuracyDrop: {
        target: TARGETS.ageAccuracyDrop,
        paper: PAPER.ageAccuracyDrop,
        measured: drop,
        met: drop === null ? null : drop <= TARGETS.ageAccuracyDrop,
      },
    },
  };
}

export function meanStages(images: readonly ImageResult[]): StageSeconds {
  const keys = ['encode', 'optimisePixel', 'optimiseIdentity', 'detail', 'generate', 'measure', 'total'] as const;
  const out = {} as StageSeconds;
  for (const k of keys) out[k] = mean(images.map((i) => i.seconds[k])) ?? 0;
  return out;
}

/**
 * Run the evaluation and return the report (JSON-serialisable). With `out`, the
 * markdown report is also written there atomically. Aborting `signal` rejects with
 * its reason; everything loaded is released either way.
 */
export async function runEval(opts: EvalOptions): Promise<EvalReport> {
  const startedAt = performance.now();
  const limit = opts.limit ?? DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be a whole number ≥ 1, got ${limit}`);
  if (!Number.isInteger(opts.steps) || opts.steps < 0)
    throw new RangeError(`steps must be a whole number ≥ 0, got ${opts.steps}`);
  const split = opts.split ?? 'test';
  const seed = opts.seed ?? 0;
  const far = opts.far ?? DEFAULT_FAR;
  const dataDir = resolve(opts.dataDir ?? defaultDataDir());
  const modelDir = resolve(opts.modelDir ?? defaultModelDir());
  const footageDir = opts.footageDir === null ? null : resolve(opts.footageDir ?? defaultFootageDir());
  const notes: string[] = [];
  if (opts.facesDir) {
    // made before the long calibration, so a folder that cannot be made fails at once
    await mkdir(resolve(opts.facesDir), { recursive: true });
    notes.push(`one PNG strip per face in ${opts.facesDir}: ${STRIP_COLUMNS.join(', ')}`);
  }

  const skip = opts.skip ?? 0;
  if (!Number.isInteger(skip) || skip < 0) throw new RangeError(`skip must be a whole number ≥ 0, got ${skip}`);
  // Which faces: `limit` of a stratified seeded order after the first `skip`; calibration
  // takes the same order from its start, so a part of a run calibrates as the whole does.
  const order = stratifiedOrder(await listSplit(dataDir, split), seed);
  const evalNames = order.slice(skip, skip + limit);
  const calibrationCount = Math.min(
    order.length,
    Math.max(skip + evalNames.length, minCalibrationImages(far), opts.calibrationImages ?? DEFAULT_CALIBRATION_IMAGES),
  );
  const calibrationNames = order.slice(0, calibrationCount);
  if (evalNames.length < limit) notes.push(`the ${split} split holds only ${evalNames.length} images`);

  opts.onProgress?.({ stage: 'load', done: 0, total: 1, etaSeconds: null });
  const t0 = performance.now();
  const backend = await initBackend(opts.backend);
  const model = await loadAgingModel({ modelDir });
  let measure: IndependentFaceMeasure | undefined;
  try {
    measure = await IndependentFaceMeasure.load();
    const nets: Networks = { model, analyzer: model.analyzer, measure };
    const size = model.manifest.imageSize;
    const loadSeconds = (performance.now() - t0) / 1000;

    // 1. real faces: the threshold's different-person pairs, mirror pairs, real age accuracy
    const t1 = performance.now();
    const real = await measureReal(nets, dataDir, calibrationNames, size, opts);
    const calibrateSeconds = (performance.now() - t1) / 1000;

    // 2. same-person pairs from footage
    const t2 = performance.now();
    let footage: FootageDescriptor[] = [];
    if (footageDir) {
      footage = await measureFootage(nets, footageDir, opts);
      if (!footage.length)
        notes.push(`no footage faces found in ${footageDir}: the same-person check uses mirror images only`);
    } else notes.push('footage check skipped: the same-person check uses mirror images only');
    const footageSeconds = (performance.now() - t2) / 1000;

    const threshold = buildThresholdReport({
      real: real.map((f) => f.measured.descriptor),
      flipped: real.map((f) => f.flipped.descriptor),
      footage,
      far,
      recogniser: 'faceres (@vladmandic/human), 1024-d L2-normalised descriptor, Euclidean distance',
    });

    // 3. reconstruct and age each evaluated face
    const images: ImageResult[] = [];
    const started = performance.now();
    let lastDone = started;
    for (const [i, face] of real.slice(skip, skip + evalNames.length).entries()) {
      opts.signal?.throwIfAborted();
      const progress = (stage: string) =>
        opts.onProgress?.({
          stage,
          done: i,
          total: evalNames.length,
          etaSeconds: eta(started, i, evalNames.length, lastDone),
        });
      try {
        images.push(await evaluateImage(nets, face, opts, progress));
      } catch (err) {
        // an abort ends the run; anything else costs one face, named in the report
        if (opts.signal?.aborted) throw err;
        notes.push(`${face.name} failed and is left out: ${err instanceof Error ? err.message : String(err)}`);
      }
      lastDone = performance.now();
    }
    opts.onProgress?.({ stage: 'done', done: evalNames.length, total: evalNames.length, etaSeconds: 0 });

    // 4. figures
    const realHits = (id: AgeEstimatorId) =>
      categoryHits(
        real.map((f) => ({
          category: utkCategoryIndex(f.name),
          years: id === 'faceres' ? f.measured.age : f.faceApiAge,
        })),
      );
    const {
      reconstruction: rec,
      aging,
      ageAccuracy: ages,
      targets,
    } = figuresOf(images, threshold.threshold, {
      faceres: realHits('faceres'),
      'face-api': realHits('face-api'),
    });
    if (!model.manifest.trained)
      notes.push('the model is UNTRAINED (random weights): these figures say nothing about quality');
    if (threshold.pairs < 1000)
      notes.push(`the threshold rests on only ${threshold.pairs} different-person pairs; use more calibration images`);

    const m = model.manifest;
    const report: EvalReport = {
      format: REPORT_FORMAT,
      createdAt: new Date().toISOString(),
      command: opts.command ?? commandFor(opts),
      model: {
        name: m.name,
        version: m.version,
        trained: m.trained,
        path: modelDir,
        width: m.width,
        encoderWidth: m.encoderWidth,
        training: { epochs: m.training.epochs, steps: m.training.steps, encoderSteps: m.training.encoderSteps },
      },
      backend: {
        name: backend.name,
        ...(backend.simd !== undefined ? { simd: backend.simd } : {}),
        ...(backend.threads !== undefined ? { threads: backend.threads } : {}),
      },
      hardware: hardwareInfo(),
      data: {
        dir: dataDir,
        split,
        images: images.length,
        perCategory: Object.fromEntries(
          countPerCategory(images.map((im) => im.name)).map((n, i) => [AGE_CATEGORIES[i]!, n]),
        ) as Record<AgeCategory, number>,
        calibrationImages: real.length,
        seed,
        ...(skip ? { skip } : {}),
        crop: `chip crop (${CROP_BOX.join(',')}) resized to ${size}×${size} with Lanczos, as in training`,
      },
      settings: {
        steps: opts.steps,
        detail: opts.detail
          ? `on: after z*, a ${DETAIL_DEFAULTS.steps}-step pixel fit of a feature offset inside G (weight ${opts.detailWeight ?? DETAIL_DEFAULTS.weight}), kept when ageing (the engine's detail refinement; not in the paper)` +
            (fitsForTarget(model, opts)
              ? `; with an age term (weight ${opts.ageWeight ?? DETAIL_DEFAULTS.ageWeight}): the model's own age classifier, through random jitter, reads each aged face as its target, one offset per target`
              : '; no age term')
          : "off: z alone, the paper's method",
        strength: opts.strength ?? 1,
        zAnchor: anchorWeight(opts),
        earlyStop: `the engine's early stop: patience ${DEFAULT_EARLY_STOP.patience}, min. relative improvement ${DEFAULT_EARLY_STOP.minRelImprovement}`,
        agedFrom: 'the identity-preserving z*',
        optimiserRecogniser: "face-api's 128-d dlib ResNet (the engine's)",
        measuredWith: 'faceres from @vladmandic/human (1024-d descriptor)',
        measureInput: `real and generated faces alike, the ${size}×${size} crop (faceres resizes it bilinearly to 224×224, face-api's age net to 112×112)`,
        ageBinning: 'the estimated age rounded to whole years, then binned into the six categories',
      },
      threshold,
      reconstruction: rec,
      aging,
      ageAccuracy: ages,
      targets,
      timings: {
        perImage: meanStages(images),
        setup: { load: loadSeconds, calibrate: calibrateSeconds, footage: footageSeconds },
        totalSeconds: (performance.now() - startedAt) / 1000,
      },
      images,
      notes,
    };
    if (opts.out) {
      await mkdir(dirname(resolve(opts.out)), { recursive: true });
      await writeFileAtomic(opts.out, formatEvalTable(report));
    }
    return report;
  } finally {
    measure?.dispose();
    model.dispose();
  }
}
