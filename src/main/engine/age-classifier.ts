/**
 * The model's own age classifier C (training/reage_train/age_classifier.py, nets.ts's
 * buildAgeClassifier), as detail refinement's age term uses it: a function from faces
 * in [-1,1] to age-category logits that gradients can flow back through to the image.
 *
 * tfjs-layers runs a conv with a linear activation as a fused conv even while taking
 * gradients, and the fused conv's gradient always computes the filter's gradient too:
 * a kernel (Conv2DBackpropFilter) the wasm backend lacks. C's weights are frozen, so
 * the forward pass here re-plays the layers with plain ops (conv2d, batchNorm,
 * leakyRelu), whose input gradients every backend has. The parity test checks it
 * computes what the layers model computes.
 */
import * as tf from '@tensorflow/tfjs';
import { BN_EPSILON } from './nets.js';

export type Classify = (x: tf.Tensor4D) => tf.Tensor2D;

function weight(layer: tf.layers.Layer, name: string): tf.Tensor {
  const w = layer.weights.find((v) => v.originalName.endsWith(`/${name}`));
  if (!w) throw new Error(`layer '${layer.name}' has no weight '${name}'`);
  return w.read();
}

/**
 * C as a differentiable function of its input. Only the layer kinds a nets.ts
 * down-conv stack has are known; any other is refused rather than skipped.
 */
export function classifierFunction(model: tf.LayersModel): Classify {
  return (x) =>
    tf.tidy(() => {
      let h: tf.Tensor = x;
      for (const layer of model.layers) {
        const kind = layer.getClassName();
        const config = layer.getConfig();
        if (kind === 'InputLayer') continue;
        if (kind === 'Conv2D') {
          const strides = config.strides as [number, number];
          h = tf.conv2d(
            h as tf.Tensor4D,
            weight(layer, 'kernel') as tf.Tensor4D,
            strides,
            config.padding as 'same' | 'valid',
          );
          if (config.useBias) h = tf.add(h, weight(layer, 'bias'));
        } else if (kind === 'BatchNormalization') {
          h = tf.batchNorm(
            h,
            weight(layer, 'moving_mean'),
            weight(layer, 'moving_variance'),
            weight(layer, 'beta'),
            weight(layer, 'gamma'),
            (config.epsilon as number | undefined) ?? BN_EPSILON,
          );
        } else if (kind === 'LeakyReLU') {
          h = tf.leakyRelu(h, config.alpha as number);
        } else if (kind === 'Flatten') {
          h = tf.reshape(h, [h.shape[0]!, -1]);
        } else {
          throw new Error(`age classifier: no plain-op forward for a ${kind} layer ('${layer.name}')`);
        }
      }
      return h as tf.Tensor2D;
    });
}
