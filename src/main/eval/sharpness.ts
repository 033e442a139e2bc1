/**
 * How much fine detail faces carry: the variance of the 3×3 Laplacian of their luma,
 * averaged over the batch. G's 64×64 faces are softer than the real crops they are
 * compared with, and soft faces are read differently by the age ruler (docs/EVAL.md,
 * History, "v0.5.0 over its four held-out hundreds"); this puts a number on "softer".
 */
import * as tf from '@tensorflow/tfjs';

/** Mean over faces of the variance of the Laplacian of luma; faces [N,H,W,3] in 0..1. */
export function laplacianSharpness(faces: tf.Tensor4D): number {
  return tf.tidy(() => {
    const luma = tf.sum(tf.mul(faces, tf.tensor1d([0.299, 0.587, 0.114])), -1, true) as tf.Tensor4D;
    const kernel = tf.tensor4d([0, 1, 0, 1, -4, 1, 0, 1, 0], [3, 3, 1, 1]);
    const lap = tf.conv2d(luma, kernel, 1, 'valid');
    const { variance } = tf.moments(lap, [1, 2, 3]);
    return tf.mean(variance).arraySync() as number;
  });
}
