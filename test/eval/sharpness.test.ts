import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { laplacianSharpness } from '../../src/main/eval/sharpness.js';

/** [n,16,16,3] faces from a pixel function of (face, row, column), grey (same in R, G, B). */
function faces(n: number, f: (i: number, r: number, c: number) => number): tf.Tensor4D {
  const data = new Float32Array(n * 16 * 16 * 3);
  for (let i = 0; i < n; i++)
    for (let r = 0; r < 16; r++)
      for (let c = 0; c < 16; c++) data.fill(f(i, r, c), ((i * 16 + r) * 16 + c) * 3, ((i * 16 + r) * 16 + c) * 3 + 3);
  return tf.tensor4d(data, [n, 16, 16, 3]);
}

describe('laplacianSharpness', () => {
  it('is zero for flat and linear shading, and the Laplacian’s variance for detail', () => {
    expect(laplacianSharpness(faces(2, () => 0.4))).toBeCloseTo(0, 10);
    expect(laplacianSharpness(faces(1, (_, r, c) => (r + c) / 40))).toBeCloseTo(0, 10);
    // a checkerboard of ±a: the Laplacian is ±8a everywhere inside, so its variance is 64a²
    const a = 0.1;
    expect(laplacianSharpness(faces(1, (_, r, c) => 0.5 + ((r + c) % 2 ? a : -a)))).toBeCloseTo(64 * a * a, 4);
  });

  it('averages over the faces and falls when a face is softened', () => {
    const a = 0.1;
    const board = faces(1, (_, r, c) => 0.5 + ((r + c) % 2 ? a : -a));
    const mixed = faces(2, (i, r, c) => (i === 0 ? 0.5 + ((r + c) % 2 ? a : -a) : 0.5));
    expect(laplacianSharpness(mixed)).toBeCloseTo(laplacianSharpness(board) / 2, 6);
    const noise = tf.randomUniform([1, 16, 16, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
    const soft = tf.image.resizeBilinear(tf.image.resizeBilinear(noise, [8, 8], true), [16, 16], true);
    expect(laplacianSharpness(soft)).toBeLessThan(laplacianSharpness(noise) / 2);
  });
});
