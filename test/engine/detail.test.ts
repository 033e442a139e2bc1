import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DETAIL_DEFAULTS,
  DETAIL_LAYER,
  agingGenerator,
  detailedGenerate,
  optimiseDetail,
  splitGenerator,
  steeredGenerate,
} from '../../src/main/engine/detail.js';
import { classifierFunction } from '../../src/main/engine/age-classifier.js';
import { buildAgeClassifier, buildGenerator, Z_DIM } from '../../src/main/engine/nets.js';
import { ageOneHot, type GenerateFn } from '../../src/main/engine/optimise.js';
import { StageTimer } from '../../src/main/engine/stage-timer.js';

// nets.ts's own G at a small width: the split must hold for the real architecture.
let G: tf.LayersModel;
let z: Float32Array;
let target: tf.Tensor4D;

beforeAll(async () => {
  await tf.setBackend('cpu');
  G = buildGenerator(4);
  // tfjs initialisers are unseeded: give the kernels seeded Glorot-uniform values so
  // every run fits the same network (BatchNorm keeps its identity statistics).
  G.setWeights(
    G.getWeights().map((w, i) => {
      if (w.rank !== 4) return w;
      const [kh, kw, a, b] = w.shape as number[];
      const limit = Math.sqrt(6 / (kh! * kw! * (a! + b!)));
      return tf.randomUniform(w.shape, -limit, limit, 'float32', 100 + i);
    }),
  );
  z = tf.randomNormal([Z_DIM], 0, 1, 'float32', 3).dataSync() as Float32Array;
  // a face-like target G at z cannot produce: a smooth blob plus a seeded texture
  target = tf.tidy(() => {
    const [yy, xx] = tf.meshgrid(tf.linspace(-1, 1, 64), tf.linspace(-1, 1, 64));
    const blob = tf.sub(tf.mul(tf.exp(tf.neg(tf.mul(tf.add(tf.square(xx!), tf.square(yy!)), 3))), 1.4), 0.7);
    const rgb = tf.stack([blob, tf.mul(blob, 0.8), tf.mul(blob, 0.6)], 2);
    return tf.expandDims(tf.add(rgb, tf.randomUniform([64, 64, 3], -0.1, 0.1, 'float32', 5)), 0) as tf.Tensor4D;
  });
});
afterAll(() => {
  G.dispose();
  target.dispose();
});

const zt = () => tf.tensor2d(z, [1, Z_DIM]);

describe('splitGenerator', () => {
  it('tail(head(z, y)) is G(z, y), at the detail layer and at another', () => {
    for (const [layer, shape] of [
      [DETAIL_LAYER, [32, 32, 4]],
      ['net.8', [16, 16, 4 * 2]],
    ] as const) {
      const split = splitGenerator(G, layer);
      expect(split.detailShape).toEqual(shape);
      const [whole, parts] = tf.tidy(() => {
        const y = ageOneHot([2, 5]);
        const zz = tf.concat([zt(), zt()]) as tf.Tensor2D;
        return [G.apply([zz, y], { training: false }) as tf.Tensor4D, split.tail(split.head(zz, y))];
      });
      expect(parts.shape).toEqual([2, 64, 64, 3]);
      expect(tf.max(tf.abs(tf.sub(whole, parts))).dataSync()[0]).toBeLessThan(1e-6);
      tf.dispose([whole, parts]);
    }
  });

  it('returns the same split for the same generator, and refuses an unknown layer', () => {
    expect(splitGenerator(G)).toBe(splitGenerator(G, DETAIL_LAYER));
    expect(() => splitGenerator(G, 'net.99')).toThrow(/no layer 'net.99'/);
  });

  it('refuses to split where what follows is not a chain', () => {
    // 'zy' is followed by the reshape, but the model's inputs come before it: cutting at
    // the first input leaves 'y' and the concat, which is not one chain.
    expect(() => splitGenerator(G, 'z')).toThrow(/not a chain/);
  });
});

describe('optimiseDetail', () => {
  it('fits what z cannot: the pixel error falls, and the offset survives a change of age', async () => {
    const split = splitGenerator(G);
    const before = tf.memory().numTensors;
    const r = await optimiseDetail({
      split,
      target,
      z,
      ageIndex: 1,
      nAges: 6,
      steps: 40,
      learningRate: 0.5,
      weight: 0,
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(r.steps).toBe(40);
    expect(r.detail.length).toBe(32 * 32 * 4);
    expect(r.mse.final).toBeLessThan(r.mse.initial * 0.85);
    const d = tf.tensor3d(r.detail, split.detailShape);
    const g = detailedGenerate(split, d);
    const [rec, aged, plain] = tf.tidy(() => [
      g(zt(), ageOneHot([1])),
      g(zt(), ageOneHot([5])),
      G.apply([zt(), ageOneHot([1])], { training: false }) as tf.Tensor4D,
    ]);
    const mse = (a: tf.Tensor) => tf.mean(tf.squaredDifference(a, target)).dataSync()[0]!;
    expect(mse(rec)).toBeCloseTo(r.mse.final, 5);
    expect(mse(plain)).toBeCloseTo(r.mse.initial, 5);
    // the age still changes the output: d is added before the layers that render it
    expect(tf.mean(tf.abs(tf.sub(aged, rec))).dataSync()[0]).toBeGreaterThan(1e-4);
    tf.dispose([d, rec, aged, plain]);
  });

  it('zero steps leave G unchanged; a warm start continues from d0', async () => {
    const split = splitGenerator(G);
    const none = await optimiseDetail({ split, target, z, ageIndex: 1, nAges: 6, steps: 0 });
    expect(none.mse.final).toBe(none.mse.initial);
    expect(none.detail.every((v) => v === 0)).toBe(true);
    const first = await optimiseDetail({ split, target, z, ageIndex: 1, nAges: 6, steps: 20, learningRate: 0.1 });
    const warm = await optimiseDetail({ split, target, z, ageIndex: 1, nAges: 6, steps: 0, d0: first.detail });
    expect(warm.mse.initial).toBeCloseTo(first.mse.final, 6);
    // warm-started without a step count: the warm budget, as a shot's later frames get
    const warmDefault = await optimiseDetail({ split, target, z, ageIndex: 1, nAges: 6, d0: first.detail });
    expect(warmDefault.steps).toBe(DETAIL_DEFAULTS.warmSteps);
    expect(DETAIL_DEFAULTS.warmSteps).toBeLessThan(DETAIL_DEFAULTS.steps);
    await expect(optimiseDetail({ split, target, z, ageIndex: 1, nAges: 6, d0: new Float32Array(3) })).rejects.toThrow(
      /d0 has 3 values/,
    );
  });

  it('stops when aborted and releases its tensors', async () => {
    const split = splitGenerator(G);
    const before = tf.memory().numTensors;
    const ac = new AbortController();
    const run = optimiseDetail({ split, target, z, ageIndex: 1, nAges: 6, steps: 10_000, signal: ac.signal });
    setTimeout(() => ac.abort(new Error('cancelled by test')), 50);
    await expect(run).rejects.toThrow(/cancelled by test/);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('steeredGenerate (age strength)', () => {
  const maxDiff = (a: tf.Tensor, b: tf.Tensor) => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!;

  it('1 is G itself, 0 stays at the source age, and the source age never moves', () => {
    const split = splitGenerator(G);
    const sourceY = ageOneHot([1]);
    const plain = (age: number) => G.apply([zt(), ageOneHot([age])], { training: false }) as tf.Tensor4D;
    const at = (strength: number, age: number) => steeredGenerate(split, { strength, sourceY })(zt(), ageOneHot([age]));
    const out = tf.tidy(() => [
      maxDiff(at(1, 5), plain(5)),
      maxDiff(at(0, 5), plain(1)),
      maxDiff(at(1.7, 1), plain(1)),
      maxDiff(at(2, 5), plain(5)),
    ]);
    expect(out[0]).toBeLessThan(1e-6);
    expect(out[1]).toBeLessThan(1e-6);
    expect(out[2]).toBeLessThan(1e-6);
    expect(out[3]).toBeGreaterThan(1e-4); // beyond 1 it goes past G's own aged face
    sourceY.dispose();
  });

  it('extrapolates linearly in the features at the cut, with the detail offset on top, for a batch', () => {
    const split = splitGenerator(G);
    const sourceY = ageOneHot([0]);
    const d = tf.randomNormal<tf.Rank.R3>(split.detailShape, 0, 0.1, 'float32', 9);
    const [got, want] = tf.tidy(() => {
      const z2 = tf.concat([zt(), zt()]) as tf.Tensor2D;
      const y = ageOneHot([3, 4]);
      const hs = split.head(z2, ageOneHot([0, 0]));
      const expected = split.tail(tf.add(tf.add(hs, tf.mul(1.5, tf.sub(split.head(z2, y), hs))), d) as tf.Tensor4D);
      return [steeredGenerate(split, { strength: 1.5, sourceY, detail: d })(z2, y), expected];
    });
    expect(got.shape).toEqual([2, 64, 64, 3]);
    expect(maxDiff(got, want)).toBeLessThan(1e-6);
    tf.dispose([got, want, d, sourceY]);
  });

  it('refuses a negative strength, or one other than 1 without the source age', () => {
    const split = splitGenerator(G);
    expect(() => steeredGenerate(split, { strength: -1 })).toThrow(/≥ 0/);
    expect(() => steeredGenerate(split, { strength: 2 })).toThrow(/needs the source age/);
    expect(() => steeredGenerate(split, { strength: 1 })).not.toThrow();
  });
});

describe('agingGenerator', () => {
  const base: GenerateFn = (zz, y) => G.apply([zz, y], { training: false }) as tf.Tensor4D;
  // built when a test runs: target and z are set in beforeAll
  const common = () => ({ target, z, sourceIndex: 1, nAges: 6 });

  it('is G itself when neither detail nor a strength other than 1 is asked for', async () => {
    const timer = new StageTimer();
    const g = await agingGenerator(G, base, { ...common(), detail: false, strength: 1, timer });
    expect(g.generate).toBe(base);
    expect(g.detail).toBeUndefined();
    expect(timer.seconds.detail).toBeUndefined();
    g.dispose();
  });

  it('fits and times the offset, ages with it, and releases its tensors', async () => {
    const before = tf.memory().numTensors;
    const timer = new StageTimer();
    const g = await agingGenerator(G, base, { ...common(), detail: true, strength: 1.5, timer });
    expect(g.detail?.length).toBe(32 * 32 * 4);
    expect(timer.seconds.detail).toBeGreaterThan(0);
    const out = tf.tidy(() => g.generate(tf.tensor2d(z, [1, Z_DIM]), ageOneHot([5])));
    expect(out.shape).toEqual([1, 64, 64, 3]);
    out.dispose();
    g.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('fits d at the weight given: a heavier penalty, a smaller offset', async () => {
    const timer = new StageTimer();
    const light = await agingGenerator(G, base, { ...common(), detail: true, strength: 1, timer });
    const heavy = await agingGenerator(G, base, { ...common(), detail: true, detailWeight: 100, strength: 1, timer });
    const norm = (d: Float32Array) => Math.sqrt(d.reduce((s, v) => s + v * v, 0));
    expect(norm(heavy.detail!)).toBeLessThan(0.5 * norm(light.detail!));
    light.dispose();
    heavy.dispose();
  });
});

describe('the age term (AgeTerm)', () => {
  const base: GenerateFn = (zz, y) => G.apply([zz, y], { training: false }) as tf.Tensor4D;
  let C: tf.LayersModel;
  beforeAll(() => {
    C = buildAgeClassifier(4);
    C.setWeights(
      C.getWeights().map((w, i) => (w.rank === 4 ? tf.randomNormal(w.shape, 0, 0.2, 'float32', 200 + i) : w)),
    );
  });
  afterAll(() => C.dispose());

  /** C's cross-entropy for reading G's output at `t` (with offset d) as t, without jitter */
  const crossEntropy = (d: Float32Array, t: number) =>
    tf.tidy(() => {
      const split = splitGenerator(G);
      const out = detailedGenerate(split, tf.tensor3d(d, split.detailShape))(
        tf.tensor2d(z, [1, Z_DIM]),
        ageOneHot([t]),
      );
      return tf.losses.softmaxCrossEntropy(ageOneHot([t]), classifierFunction(C)(out)).dataSync()[0]!;
    });

  it('moves d so that C reads the target at the target, and leaves the source out', async () => {
    const timer = new StageTimer();
    const common = { target, z, sourceIndex: 1, nAges: 6, detail: true, strength: 1, timer };
    const plain = await agingGenerator(G, base, common);
    const term = { classify: classifierFunction(C), weight: 1, targets: [5] };
    const aged = await agingGenerator(G, base, { ...common, ageTerm: term });
    expect(crossEntropy(aged.detail!, 5)).toBeLessThan(crossEntropy(plain.detail!, 5) - 0.05);
    // the pixel term still holds it to the face: the reconstruction stays close
    const rec = (d: Float32Array) =>
      tf.tidy(() => {
        const split = splitGenerator(G);
        const out = detailedGenerate(split, tf.tensor3d(d, split.detailShape))(
          tf.tensor2d(z, [1, Z_DIM]),
          ageOneHot([1]),
        );
        return tf.mean(tf.squaredDifference(out, target)).dataSync()[0]!;
      });
    expect(rec(aged.detail!)).toBeLessThan(rec(plain.detail!) * 2);
    // the source as the only target: no term, the same d as without one
    const own = await agingGenerator(G, base, { ...common, ageTerm: { ...term, targets: [1] } });
    expect(own.detail).toEqual(plain.detail);
    for (const g of [plain, aged, own]) g.dispose();
  });

  it('repeats exactly: the jitter is seeded', async () => {
    const split = splitGenerator(G);
    const age = { classify: classifierFunction(C), weight: 1, targets: [0, 5] };
    const fit = () => optimiseDetail({ split, target, z, ageIndex: 1, nAges: 6, steps: 5, age });
    const [a, b] = [await fit(), await fit()];
    expect(a.detail).toEqual(b.detail);
  });
});
