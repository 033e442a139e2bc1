/**
 * The age classifier as detail refinement's age term runs it (age-classifier.ts), and
 * the jitter it sees faces through (jitter.ts), on the wasm backend the studio runs on
 * here: the plain-op forward must compute what the layers model computes and must
 * give an input gradient where the layers model cannot.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { classifierFunction } from '../../src/main/engine/age-classifier.js';
import { initBackend } from '../../src/main/engine/backend.js';
import { jitter } from '../../src/main/engine/jitter.js';
import { seededRandom } from '../../src/shared/random.js';
import { buildAgeClassifier, buildGenerator, IMAGE_SIZE, N_AGES } from '../../src/main/engine/nets.js';

let C: tf.LayersModel;

/** Seeded weights, and BatchNorm statistics away from 0 / 1, so every parameter shows in the output. */
function seeded(model: tf.LayersModel): tf.LayersModel {
  model.setWeights(
    model.weights.map((w, i) => {
      const name = w.originalName;
      const shape = w.shape as number[];
      if (name.endsWith('/moving_variance')) return tf.randomUniform(shape, 0.5, 1.5, 'float32', i);
      if (name.endsWith('/gamma')) return tf.randomUniform(shape, 0.8, 1.2, 'float32', i);
      return tf.randomNormal(shape, 0, 0.1, 'float32', i); // kernels, biases, beta, moving_mean
    }),
  );
  return model;
}

const faces = (n: number, seed: number) =>
  tf.tidy(() => {
    // smooth pictures, as faces are at this size: pure noise would change entirely under a shift
    const small = tf.randomUniform([n, 8, 8, 3], -0.9, 0.9, 'float32', seed);
    return tf.image.resizeBilinear(small as tf.Tensor4D, [IMAGE_SIZE, IMAGE_SIZE]);
  });

beforeAll(async () => {
  await initBackend('wasm');
  C = seeded(buildAgeClassifier(4));
});

describe('classifierFunction', () => {
  it('computes what the layers model computes', () => {
    const x = faces(3, 1);
    const [a, b] = [classifierFunction(C)(x), C.apply(x, { training: false }) as tf.Tensor];
    expect(a.shape).toEqual([3, N_AGES]);
    const diff = tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!;
    const spread = tf.moments(b).variance.sqrt().dataSync()[0]!;
    expect(spread).toBeGreaterThan(0.01);
    expect(diff).toBeLessThan(1e-5);
    tf.dispose([x, a, b]);
  });

  it('has an input gradient on wasm, where the layers model needs a kernel wasm lacks', () => {
    expect(tf.getBackend()).toBe('wasm');
    const x = faces(1, 2);
    const classify = classifierFunction(C);
    const g = tf.grad((v: tf.Tensor) => tf.sum(tf.softmax(classify(v as tf.Tensor4D)).slice([0, 2], [1, 1])))(x);
    const values = g.dataSync();
    expect(values.every(Number.isFinite)).toBe(true);
    expect(tf.max(tf.abs(g)).dataSync()[0]).toBeGreaterThan(0);
    // the reason classifierFunction exists: fused convs take the filter's gradient too
    expect(() => tf.grad((v: tf.Tensor) => tf.sum(C.apply(v, { training: false }) as tf.Tensor))(x)).toThrow(
      /Conv2DBackpropFilter/,
    );
    tf.dispose([x, g]);
  });

  it('refuses a layer it has no plain-op forward for, instead of skipping it', () => {
    const G = buildGenerator(2);
    expect(() => classifierFunction(G)(faces(1, 3))).toThrow(
      /no plain-op forward for a (Concatenate|Reshape|Conv2DTranspose)/,
    );
    G.dispose();
  });
});

describe('jitter', () => {
  it('keeps shape and range, stays close to the face, and differs from image to image', () => {
    const one = faces(1, 4);
    const x = tf.tile(one, [4, 1, 1, 1]) as tf.Tensor4D;
    const y = jitter(x, seededRandom(7));
    expect(y.shape).toEqual(x.shape);
    expect(tf.min(y).dataSync()[0]).toBeGreaterThanOrEqual(-1);
    expect(tf.max(y).dataSync()[0]).toBeLessThanOrEqual(1);
    expect(tf.mean(tf.abs(tf.sub(y, x))).dataSync()[0]).toBeLessThan(0.35);
    for (let i = 1; i < 4; i++) {
      const d = tf.mean(tf.abs(tf.sub(tf.slice(y, i, 1), tf.slice(y, 0, 1)))).dataSync()[0]!;
      expect(d).toBeGreaterThan(0.01);
    }
    tf.dispose([one, x, y]);
  });

  it('repeats for the same seed, and passes gradients back to the image', () => {
    const x = faces(2, 5);
    const [a, b, c] = [jitter(x, seededRandom(1)), jitter(x, seededRandom(1)), jitter(x, seededRandom(2))];
    expect(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]).toBe(0);
    expect(tf.max(tf.abs(tf.sub(a, c))).dataSync()[0]).toBeGreaterThan(0.01);
    const g = tf.grad((v: tf.Tensor) => tf.sum(tf.square(jitter(v as tf.Tensor4D, seededRandom(3)))))(x);
    expect(g.dataSync().every(Number.isFinite)).toBe(true);
    expect(tf.max(tf.abs(g)).dataSync()[0]).toBeGreaterThan(0);
    tf.dispose([x, a, b, c, g]);
  });
});
