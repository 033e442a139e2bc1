import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_IDENTITY_ANCHOR_WEIGHT,
  defaultAnchorWeight,
  DEFAULT_Z_PRIOR_WEIGHT,
  defaultEmbedInput,
  optimiseLatent,
  regenerate,
  type EmbedFn,
  type GenerateFn,
  type OptimiseOptions,
} from '../../src/main/engine/optimise.js';

// A tiny stand-in for G with the real one's interface (dense + conv2dTranspose, z and
// a one-hot age in, [1,64,64,3] tanh out) and seeded weights, so the tests are fast
// and do not wait for nets.ts or trained weights. Untrained, its pre-tanh output is
// tiny (std ~0.04), so `generate` scales it before the tanh to span [-1,1] like a
// trained G's faces; otherwise every loss would start near zero.
const Z_DIM = 16;
const N_AGES = 6;

function seededInit(seed: number) {
  return tf.initializers.varianceScaling({ scale: 2, mode: 'fanIn', distribution: 'normal', seed });
}

function tinyGenerator(): tf.LayersModel {
  const z = tf.input({ shape: [Z_DIM] });
  const y = tf.input({ shape: [N_AGES] });
  let h = tf.layers.concatenate().apply([z, y]) as tf.SymbolicTensor;
  h = tf.layers
    .dense({ units: 4 * 4 * 16, activation: 'relu', kernelInitializer: seededInit(1) })
    .apply(h) as tf.SymbolicTensor;
  h = tf.layers.reshape({ targetShape: [4, 4, 16] }).apply(h) as tf.SymbolicTensor;
  const filters = [12, 8, 6];
  filters.forEach((f, i) => {
    h = tf.layers
      .conv2dTranspose({
        filters: f,
        kernelSize: 4,
        strides: 2,
        padding: 'same',
        activation: 'relu',
        kernelInitializer: seededInit(2 + i),
      })
      .apply(h) as tf.SymbolicTensor;
  });
  const out = tf.layers
    .conv2dTranspose({ filters: 3, kernelSize: 4, strides: 2, padding: 'same', kernelInitializer: seededInit(9) })
    .apply(h) as tf.SymbolicTensor;
  return tf.model({ inputs: [z, y], outputs: out });
}

/** A tiny differentiable "recogniser": [N,150,150,3] 0..255 -> [N,16]. */
function tinyEmbedNet(): tf.LayersModel {
  const x = tf.input({ shape: [150, 150, 3] });
  let h = tf.layers.rescaling({ scale: 1 / 127.5, offset: -1 }).apply(x) as tf.SymbolicTensor;
  h = tf.layers
    .conv2d({ filters: 8, kernelSize: 5, strides: 4, activation: 'relu', kernelInitializer: seededInit(20) })
    .apply(h) as tf.SymbolicTensor;
  h = tf.layers
    .conv2d({ filters: 8, kernelSize: 3, strides: 2, activation: 'relu', kernelInitializer: seededInit(21) })
    .apply(h) as tf.SymbolicTensor;
  h = tf.layers.flatten().apply(h) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 16, kernelInitializer: seededInit(22) }).apply(h) as tf.SymbolicTensor;
  return tf.model({ inputs: x, outputs: out });
}

function randn(n: number, seed: number): Float32Array {
  return tf.tidy(() => tf.randomNormal([n], 0, 1, 'float32', seed).dataSync() as Float32Array).slice();
}

let gModel: tf.LayersModel;
let eModel: tf.LayersModel;
let generate: GenerateFn;
let embed: EmbedFn;
let target: tf.Tensor4D;
const zTrue = () => randn(Z_DIM, 101);
const zStart = () => randn(Z_DIM, 202);
const AGE = 2;

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
  gModel = tinyGenerator();
  eModel = tinyEmbedNet();
  generate = (z, y) =>
    tf.tidy(() => tf.tanh(tf.mul(gModel.apply([z, y], { training: false }) as tf.Tensor4D, 15)) as tf.Tensor4D);
  embed = (x) => eModel.apply(x, { training: false }) as tf.Tensor2D;
  target = regenerate(generate, zTrue(), AGE);
});

afterAll(() => {
  target.dispose();
  gModel.dispose();
  eModel.dispose();
});

function base(extra: Partial<OptimiseOptions> = {}): OptimiseOptions {
  return { generate, target, ageIndex: AGE, z0: zStart(), mode: 'pixel', steps: 150, earlyStop: false, ...extra };
}

/** Runs fn and checks it leaves tf.memory().numTensors as it found it. */
async function noLeak<T>(fn: () => Promise<T>): Promise<T> {
  const before = tf.memory().numTensors;
  try {
    return await fn();
  } finally {
    expect(tf.memory().numTensors).toBe(before);
  }
}

describe('regenerate', () => {
  it('is G(z, one-hot age) and accepts values or a tensor', () => {
    const z = zTrue();
    tf.tidy(() => {
      const a = regenerate(generate, z, 3);
      const b = regenerate(generate, tf.tensor2d(z, [1, Z_DIM]), 3);
      const c = generate(
        tf.tensor2d(z, [1, Z_DIM]),
        tf.oneHot(tf.tensor1d([3], 'int32'), N_AGES).toFloat() as tf.Tensor2D,
      );
      expect(a.shape).toEqual([1, 64, 64, 3]);
      expect(tf.max(tf.abs(tf.sub(a, c))).dataSync()[0]).toBe(0);
      expect(tf.max(tf.abs(tf.sub(b, c))).dataSync()[0]).toBe(0);
      // the age condition matters
      expect(tf.max(tf.abs(tf.sub(a, regenerate(generate, z, 4)))).dataSync()[0]).toBeGreaterThan(0);
    });
    expect(() => regenerate(generate, z, 6)).toThrow(/age index 6 is not in 0..5/);
  });
});

describe('optimiseLatent', () => {
  it('pixel mode: reconstructs a face G made from a known z', async () => {
    const r = await noLeak(() => optimiseLatent(base()));
    expect(r.steps).toBe(150);
    expect(r.stoppedEarly).toBe(false);
    expect(r.losses).toHaveLength(151);
    expect(r.z).toHaveLength(Z_DIM);
    const [first, last] = [r.losses[0]!, Math.min(...r.losses)];
    expect(last).toBeLessThan(0.1 * first);
    // the returned z is the best one seen, and reproduces that loss
    const mse = tf.tidy(() => tf.mean(tf.squaredDifference(regenerate(generate, r.z, AGE), target)).dataSync()[0]!);
    const prior = DEFAULT_Z_PRIOR_WEIGHT * (r.z.reduce((s, v) => s + v * v, 0) / Z_DIM - 1) ** 2;
    expect(mse + prior).toBeCloseTo(last, 5);
  });

  it('is deterministic: same inputs and seed give identical losses and z', async () => {
    const a = await optimiseLatent(base({ steps: 30 }));
    const b = await optimiseLatent(base({ steps: 30 }));
    expect(b.losses).toEqual(a.losses);
    expect(b.z).toEqual(a.z);
    // without z0 the seed draws it: same seed same run, other seed another
    const s1 = await optimiseLatent(base({ z0: undefined, zDim: Z_DIM, seed: 7, steps: 5 }));
    const s2 = await optimiseLatent(base({ z0: undefined, zDim: Z_DIM, seed: 7, steps: 5 }));
    const s3 = await optimiseLatent(base({ z0: undefined, zDim: Z_DIM, seed: 8, steps: 5 }));
    expect(s2.losses).toEqual(s1.losses);
    expect(s3.losses[0]).not.toBe(s1.losses[0]);
  });

  it('checkpoints hand out the best latent so far and leave the optimisation as it was', async () => {
    const plain = await optimiseLatent(base({ steps: 30 }));
    const seen: { updates: number; z: Float32Array }[] = [];
    const checked = await noLeak(() =>
      optimiseLatent(
        base({
          steps: 30,
          // 30 is the last update: the result itself, so no checkpoint; 31 is never reached
          checkpoints: [1, 10, 20, 30, 31],
          onCheckpoint: async (z, updates) => {
            seen.push({ updates, z });
            // the caller's own tf work (a preview's picture) between updates changes nothing
            tf.tidy(() => regenerate(generate, z, AGE).dataSync());
            await new Promise((r) => setTimeout(r, 1));
          },
        }),
      ),
    );
    expect(checked.losses).toEqual(plain.losses);
    expect(checked.z).toEqual(plain.z);
    expect(seen.map((c) => c.updates)).toEqual([1, 10, 20]);
    // after k updates, the best of z0 … z(k-1): its loss is the least of the first k
    for (const { updates, z } of seen) {
      const best = Math.min(...plain.losses.slice(0, updates));
      const loss = tf.tidy(() => tf.mean(tf.squaredDifference(regenerate(generate, z, AGE), target)).dataSync()[0]!);
      const prior = DEFAULT_Z_PRIOR_WEIGHT * (z.reduce((a, v) => a + v * v, 0) / z.length - 1) ** 2;
      expect(loss + prior).toBeCloseTo(best, 6);
    }
    // only with a callback
    const none = await optimiseLatent(base({ steps: 30, checkpoints: [10] }));
    expect(none.losses).toEqual(plain.losses);
  });

  it('stops early on a plateau', async () => {
    // G that ignores z: the loss cannot improve at all
    const flat: GenerateFn = (z) => tf.add(tf.fill([1, 64, 64, 3], 0.3), tf.mul(tf.sum(z), 0)) as tf.Tensor4D;
    const r = await noLeak(() =>
      optimiseLatent(
        base({ generate: flat, zPriorWeight: 0, steps: 100, earlyStop: { patience: 7, minRelImprovement: 1e-3 } }),
      ),
    );
    expect(r.stoppedEarly).toBe(true);
    expect(r.steps).toBe(8); // the first loss sets the reference, then 7 without improvement
    expect(r.losses).toHaveLength(9);
    // and a descending run with the same settings does not stop
    const d = await optimiseLatent(base({ steps: 40, earlyStop: { patience: 7, minRelImprovement: 1e-3 } }));
    expect(d.stoppedEarly).toBe(false);
    expect(d.steps).toBe(40);
  });

  it('aborts: from onStep, from a timer, and before starting, without leaking', async () => {
    const ac = new AbortController();
    let seen = 0;
    await noLeak(() =>
      expect(
        optimiseLatent(
          base({
            signal: ac.signal,
            onStep: ({ step }) => {
              seen = step;
              if (step === 5) ac.abort(new Error('user cancelled'));
            },
          }),
        ),
      ).rejects.toThrow('user cancelled'),
    );
    expect(seen).toBe(5);

    const timed = new AbortController();
    setTimeout(() => timed.abort(), 30);
    await noLeak(() =>
      expect(optimiseLatent(base({ steps: 100_000, signal: timed.signal }))).rejects.toMatchObject({
        name: 'AbortError',
      }),
    );

    await expect(optimiseLatent(base({ signal: AbortSignal.abort() }))).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('identity mode lowers the embedding distance to the face', async () => {
    const embDist = (z: Float32Array) =>
      tf.tidy(
        () =>
          tf
            .sum(
              tf.squaredDifference(
                embed(defaultEmbedInput(regenerate(generate, z, AGE))),
                embed(defaultEmbedInput(target)),
              ),
            )
            .dataSync()[0]!,
      );
    const z0 = zStart();
    const r = await noLeak(() =>
      optimiseLatent(
        base({ z0, mode: 'identity', embed, identityPixelWeight: 0, zPriorWeight: 0, zAnchorWeight: 0, steps: 60 }),
      ),
    );
    expect(r.losses[0]).toBeCloseTo(embDist(z0), 3);
    expect(embDist(r.z)).toBeLessThan(0.2 * embDist(z0));
    // with the default pixel anchor it still runs and improves
    const p = await noLeak(() => optimiseLatent(base({ z0, mode: 'identity', embed, steps: 20 })));
    expect(Math.min(...p.losses)).toBeLessThan(p.losses[0]!);
  });

  it('an anchor to z0 holds z near the encoder estimate, and its loss is w * mean((z - z0)^2)', async () => {
    const z0 = zStart();
    const dist = (z: Float32Array) => z.reduce((s, v, i) => s + (v - z0[i]!) ** 2, 0) / Z_DIM;
    const free = await optimiseLatent(base({ z0, zPriorWeight: 0, steps: 60 }));
    const held = await noLeak(() => optimiseLatent(base({ z0, zPriorWeight: 0, zAnchorWeight: 1, steps: 60 })));
    expect(dist(held.z)).toBeLessThan(0.5 * dist(free.z));
    expect(Math.min(...held.losses)).toBeLessThan(held.losses[0]!); // it still fits the face
    const mse = tf.tidy(() => tf.mean(tf.squaredDifference(regenerate(generate, held.z, AGE), target)).dataSync()[0]!);
    expect(mse + dist(held.z)).toBeCloseTo(Math.min(...held.losses), 5);
    // without z0 there is nothing to anchor to: the weight is ignored, the run is the free one
    const a = await optimiseLatent(base({ z0: undefined, zDim: Z_DIM, seed: 3, steps: 5, zAnchorWeight: 1 }));
    const b = await optimiseLatent(base({ z0: undefined, zDim: Z_DIM, seed: 3, steps: 5 }));
    expect(a.losses).toEqual(b.losses);
    await expect(optimiseLatent(base({ zAnchorWeight: -1 }))).rejects.toThrow(/zAnchorWeight must be >= 0/);
    // a warm start keeps its own anchor (E(x) of this frame): the loss at z0 includes the distance to it
    const other = zTrue();
    const warm = await optimiseLatent(base({ z0, zAnchor: other, zPriorWeight: 0, zAnchorWeight: 2, steps: 0 }));
    const mse0 = tf.tidy(() => tf.mean(tf.squaredDifference(regenerate(generate, z0, AGE), target)).dataSync()[0]!);
    const toOther = z0.reduce((s, v, i) => s + (v - other[i]!) ** 2, 0) / Z_DIM;
    expect(warm.losses[0]).toBeCloseTo(mse0 + 2 * toOther, 5);
    // by default only the identity mode is anchored
    const byDefault = async (mode: 'pixel' | 'identity') =>
      (await optimiseLatent(base({ z0, zAnchor: other, zPriorWeight: 0, mode, embed, steps: 0 }))).losses[0]!;
    const unanchored = async (mode: 'pixel' | 'identity') =>
      (await optimiseLatent(base({ z0, zAnchor: other, zPriorWeight: 0, mode, embed, steps: 0, zAnchorWeight: 0 })))
        .losses[0]!;
    expect(await byDefault('pixel')).toBeCloseTo(await unanchored('pixel'), 6);
    expect(await byDefault('identity')).toBeCloseTo(
      (await unanchored('identity')) + DEFAULT_IDENTITY_ANCHOR_WEIGHT * toOther,
      5,
    );
    // the policy the engine and the eval read
    expect(defaultAnchorWeight('identity')).toBe(DEFAULT_IDENTITY_ANCHOR_WEIGHT);
    expect(defaultAnchorWeight('pixel')).toBe(0);
    await expect(optimiseLatent(base({ zAnchor: new Float32Array(3), zAnchorWeight: 1 }))).rejects.toThrow(
      /zAnchor has 3 values, z has 16/,
    );
  });

  it('checks its inputs', async () => {
    await expect(optimiseLatent(base({ mode: 'identity' }))).rejects.toThrow(/embed/);
    await expect(optimiseLatent(base({ z0: undefined }))).rejects.toThrow(/z0 or zDim/);
    await expect(noLeak(() => optimiseLatent(base({ ageIndex: 9 })))).rejects.toThrow(/age index 9 is not in 0..5/);
    // zero steps: just the loss at z0
    const r = await optimiseLatent(base({ steps: 0 }));
    expect(r.losses).toHaveLength(1);
    expect(r.z).toEqual(zStart());
  });
});
