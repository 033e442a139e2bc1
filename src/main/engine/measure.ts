/**
 * Independent face measurements for evaluation: identity descriptor and age from
 * `faceres` (shipped in @vladmandic/human). It is deliberately NOT the recogniser
 * the identity-preserving optimiser uses (face-api's dlib ResNet), so the figures
 * `reage eval` prints are not the optimiser grading its own homework.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { fileModelHandler } from './fs-model-io.js';

export interface FaceMeasurement {
  /** L2-normalised 1024-d identity descriptor */
  descriptor: Float32Array;
  /** estimated age in years */
  age: number;
}

function faceresPath(): string {
  const require = createRequire(import.meta.url);
  // The package's "exports" hides package.json; its entry lives in dist/.
  const entry = require.resolve('@vladmandic/human');
  return join(dirname(entry), '..', 'models', 'faceres.json');
}

/** Expected-value style age read-out from faceres's 100-way softmax, as Human does it. */
export function ageFromSoftmax(p: ArrayLike<number>): number {
  let idx = 0;
  for (let i = 1; i < p.length; i++) if (p[i]! > p[idx]!) idx = i;
  const below = p[idx - 1] ?? 0;
  const above = p[idx + 1] ?? 0;
  return below > above ? idx - 10 * below : idx + 10 * above;
}

export class IndependentFaceMeasure {
  private constructor(private readonly model: tf.GraphModel) {}

  static async load(path = faceresPath()): Promise<IndependentFaceMeasure> {
    return new IndependentFaceMeasure(await tf.loadGraphModel(fileModelHandler(path)));
  }

  /**
   * Measure face crops. `faces` are [N,H,W,3] RGB in 0..1 (any size: resized to the
   * model's 224x224 as Human does).
   */
  async measure(faces: tf.Tensor4D): Promise<FaceMeasurement[]> {
    const outs = tf.tidy(() => {
      const x = tf.mul(tf.image.resizeBilinear(faces, [224, 224]), 255);
      return this.model.execute(x) as tf.Tensor[];
    });
    try {
      const desc = outs.find((t) => t.shape[1] === 1024);
      const age = outs.find((t) => t.shape[1] === 100);
      if (!desc || !age) throw new Error('faceres: unexpected outputs ' + outs.map((t) => t.shape).join(' '));
      const normed = tf.tidy(() => tf.div(desc, tf.norm(desc, 'euclidean', 1, true)));
      const d = (await normed.data()) as Float32Array;
      normed.dispose();
      const a = (await age.data()) as Float32Array;
      const n = faces.shape[0];
      const result: FaceMeasurement[] = [];
      for (let i = 0; i < n; i++) {
        result.push({
          descriptor: d.slice(i * 1024, (i + 1) * 1024),
          age: ageFromSoftmax(a.subarray(i * 100, (i + 1) * 100)),
        });
      }
      return result;
    } finally {
      tf.dispose(outs);
    }
  }

  dispose(): void {
    this.model.dispose();
  }
}

/** Euclidean distance between two L2-normalised descriptors. */
export function descriptorDistance(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    s += d * d;
  }
  return Math.sqrt(s);
}
