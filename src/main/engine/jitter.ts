/**
 * Random, differentiable image jitter for the detail fit's age term, the tfjs
 * counterpart of training/reage_train/augment.py (which the age classifier was trained
 * under).
 *
 * Why: a per-face offset has tens of thousands of free numbers. Asked to make a frozen
 * classifier read an age, it would find the faint texture that this one network reads
 * and no other estimator sees (G did exactly that in training; augment.py says how).
 * Judging each output through random shifts, blur, colour changes and noise leaves only
 * what survives them, the coarse cues an independent estimator also reads (expectation
 * over transformations, Athalye et al. 2018).
 *
 * Unlike augment.py there is no rotation or scaling: tfjs has no differentiable affine
 * resampler. Every op here has an input gradient on the wasm backend.
 */
import * as tf from '@tensorflow/tfjs';

/** the largest shift, in pixels of a 64 px face (augment.py: up to 6% of the size) */
const MAX_SHIFT = 4;

/**
 * Jitter a batch [N,H,W,3] in [-1,1]: per image, a shift of up to MAX_SHIFT px (mirrored
 * edges), for half of them a blur (down to 32-56 px and back), then saturation ±30%,
 * contrast ±20%, brightness ±0.15 and noise of 0.03. Draws come from `rand` (e.g.
 * shared/random.ts's seededRandom, so that a fit repeats).
 */
export function jitter(x: tf.Tensor4D, rand: () => number): tf.Tensor4D {
  return tf.tidy(() => {
    const [n, h, w] = x.shape;
    const sym = (r: number) => (rand() * 2 - 1) * r;
    const padded = tf.mirrorPad(
      x,
      [
        [0, 0],
        [MAX_SHIFT, MAX_SHIFT],
        [MAX_SHIFT, MAX_SHIFT],
        [0, 0],
      ],
      'reflect',
    );
    const images: tf.Tensor4D[] = [];
    for (let i = 0; i < n; i++) {
      const dy = Math.floor(rand() * (2 * MAX_SHIFT + 1));
      const dx = Math.floor(rand() * (2 * MAX_SHIFT + 1));
      let img = tf.slice(padded, [i, dy, dx, 0], [1, h, w, 3]) as tf.Tensor4D;
      if (rand() < 0.5) {
        const size = 32 + Math.floor(rand() * 25);
        img = tf.image.resizeBilinear(tf.image.resizeBilinear(img, [size, size]), [h, w]);
      }
      const grey = tf.mean(img, 3, true);
      img = tf.add(grey, tf.mul(tf.sub(img, grey), 1 + sym(0.3)));
      const mean = tf.mean(img);
      img = tf.add(tf.add(mean, tf.mul(tf.sub(img, mean), 1 + sym(0.2))), sym(0.15));
      images.push(img);
    }
    const noise = tf.randomNormal(x.shape, 0, 0.03, 'float32', Math.floor(rand() * 2 ** 31));
    return tf.clipByValue(tf.add(tf.concat(images, 0), noise), -1, 1) as tf.Tensor4D;
  });
}
