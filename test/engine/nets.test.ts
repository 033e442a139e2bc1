import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/main/engine/backend.js';
import {
  BN_EPSILON,
  IMAGE_SIZE,
  N_AGES,
  NET_NAMES,
  Z_DIM,
  buildNet,
  torchWeightName,
} from '../../src/main/engine/nets.js';

// Exact numerical parity with PyTorch is test/engine/parity.test.ts; these check the
// structure nets.py fixes: shapes, BatchNorm epsilon, the age condition, sizes, naming.

beforeAll(async () => {
  await initBackend('cpu');
});

function oneHot(cats: number[]): tf.Tensor2D {
  return tf.oneHot(tf.tensor1d(cats, 'int32'), N_AGES).toFloat() as tf.Tensor2D;
}

describe('nets', () => {
  it('G, D, E and the age classifier C take and give the Age-cGAN shapes', () => {
    const [g, d, e, c] = NET_NAMES.map((n) => buildNet(n, 4)) as [
      tf.LayersModel,
      tf.LayersModel,
      tf.LayersModel,
      tf.LayersModel,
    ];
    expect(NET_NAMES).toEqual(['generator', 'discriminator', 'encoder', 'age-classifier']);
    tf.tidy(() => {
      const x = g.predict([tf.randomNormal([2, Z_DIM]), oneHot([0, 5])]) as tf.Tensor;
      expect(x.shape).toEqual([2, IMAGE_SIZE, IMAGE_SIZE, 3]);
      // tanh output
      expect(tf.max(tf.abs(x)).dataSync()[0]).toBeLessThanOrEqual(1);
      expect((d.predict([x, oneHot([1, 2])]) as tf.Tensor).shape).toEqual([2, 1]);
      expect((e.predict(x) as tf.Tensor).shape).toEqual([2, Z_DIM]);
      expect((c.predict(x) as tf.Tensor).shape).toEqual([2, N_AGES]);
    });
    for (const m of [g, d, e, c]) m.dispose();
  });

  it('BatchNorm uses PyTorch epsilon everywhere (tfjs default would be 1e-3)', () => {
    for (const net of NET_NAMES) {
      const m = buildNet(net, 4);
      const bns = m.layers.filter((l) => l.getClassName() === 'BatchNormalization');
      expect(bns).toHaveLength(net === 'generator' ? 4 : 3);
      for (const l of bns) expect(l.getConfig().epsilon).toBe(BN_EPSILON);
      m.dispose();
    }
  });

  it("D tiles the one-hot age over its first conv's 32x32 map", () => {
    const d = buildNet('discriminator', 4);
    const tile = tf.model({ inputs: d.inputs, outputs: d.getLayer('y.tile').output as tf.SymbolicTensor });
    tf.tidy(() => {
      const y = oneHot([3]);
      const ymap = tile.predict([tf.zeros([1, IMAGE_SIZE, IMAGE_SIZE, 3]), y]) as tf.Tensor;
      expect(ymap.shape).toEqual([1, IMAGE_SIZE / 2, IMAGE_SIZE / 2, N_AGES]);
      const expected = tf.tile(y.reshape([1, 1, 1, N_AGES]), [1, IMAGE_SIZE / 2, IMAGE_SIZE / 2, 1]);
      expect(tf.max(tf.abs(tf.sub(ymap, expected))).dataSync()[0]).toBe(0);
      // and the logit depends on it
      const x = tf.randomUniform([1, IMAGE_SIZE, IMAGE_SIZE, 3], -1, 1);
      const a = (d.predict([x, oneHot([0])]) as tf.Tensor).dataSync()[0]!;
      const b = (d.predict([x, oneHot([5])]) as tf.Tensor).dataSync()[0]!;
      expect(a).not.toBeCloseTo(b, 6);
    });
    d.dispose();
  });

  it('G fits the 30 MB budget at the trained widths', () => {
    for (const width of [48, 64]) {
      const g = buildNet('generator', width);
      expect(g.countParams() * 4).toBeLessThanOrEqual(30e6);
      g.dispose();
    }
  });

  it('names every weight after its PyTorch state_dict entry', () => {
    const d = buildNet('discriminator', 4);
    expect(d.weights.map((w) => torchWeightName(w.originalName).name).sort()).toEqual(
      [
        'conv1.weight',
        'conv1.bias',
        ...[1, 4, 7].flatMap((i) => [
          `rest.${i - 1}.weight`,
          ...['weight', 'bias', 'running_mean', 'running_var'].map((p) => `rest.${i}.${p}`),
        ]),
        'rest.9.weight',
        'rest.9.bias',
      ].sort(),
    );
    d.dispose();
    expect(torchWeightName('net.3/kernel')).toEqual({ name: 'net.3.weight', perm: [2, 3, 1, 0] });
    expect(torchWeightName('net.1/moving_variance')).toEqual({ name: 'net.1.running_var' });
    expect(() => torchWeightName('net.1/something')).toThrow(/no PyTorch counterpart/);
    expect(() => buildNet('generator', 0)).toThrow(/positive integer/);
  });
});
