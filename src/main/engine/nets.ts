/**
 * The Age-cGAN networks G, D and E in tfjs layers (functional API, NHWC), mirroring
 * training/reage_train/nets.py layer for layer. The parity test
 * (test/engine/parity.test.ts) runs PyTorch's weights through these and fails if the
 * two drift apart: change one, change the other.
 *
 * Every layer is named after the PyTorch module it mirrors ('net.3', 'rest.0',
 * 'conv1'), so a tfjs weight 'net.3/kernel' comes from PyTorch's 'net.3.weight'
 * (see `torchWeightName`). Layers PyTorch has no module for (concat, reshape, the
 * functional leaky ReLU after D's conv1) get descriptive names instead.
 */
import * as tf from '@tensorflow/tfjs';
import { AGE_CATEGORIES } from '../../shared/ages.js';

export const Z_DIM = 100;
export const N_AGES = AGE_CATEGORIES.length;
export const IMAGE_SIZE = 64;
/** PyTorch's BatchNorm2d default; tfjs defaults to 1e-3, which would shift every output. */
export const BN_EPSILON = 1e-5;
const LEAK = 0.2;

/** A model folder's networks; the discriminator and the age classifier are optional in one. */
export const NET_NAMES = ['generator', 'discriminator', 'encoder', 'age-classifier'] as const;
export type NetName = (typeof NET_NAMES)[number];

type Act = 'relu' | 'leaky' | 'tanh';

interface ConvSpec {
  name: string;
  filters: number;
  strides: 1 | 2;
  /** k4 s2 p1 in PyTorch == 'same'; k4 s1 p0 == 'valid' */
  padding: 'same' | 'valid';
  useBias: boolean;
}

function applyConv(x: tf.SymbolicTensor, s: ConvSpec, transpose: boolean): tf.SymbolicTensor {
  const args = { ...s, kernelSize: 4 };
  const layer = transpose ? tf.layers.conv2dTranspose(args) : tf.layers.conv2d(args);
  return layer.apply(x) as tf.SymbolicTensor;
}

function applyAct(x: tf.SymbolicTensor, act: Act, name: string): tf.SymbolicTensor {
  const layer =
    act === 'relu'
      ? tf.layers.reLU({ name })
      : act === 'leaky'
        ? tf.layers.leakyReLU({ alpha: LEAK, name })
        : tf.layers.activation({ activation: 'tanh', name });
  return layer.apply(x) as tf.SymbolicTensor;
}

/**
 * PyTorch's `Conv, BatchNorm2d, activation` triple at Sequential indices
 * first, first+1, first+2 of the module `prefix` (bias-free conv: BN supplies it).
 */
function convBnAct(
  x: tf.SymbolicTensor,
  prefix: string,
  first: number,
  filters: number,
  act: Act,
  transpose: boolean,
): tf.SymbolicTensor {
  const conv = applyConv(
    x,
    { name: `${prefix}.${first}`, filters, strides: 2, padding: 'same', useBias: false },
    transpose,
  );
  const bn = tf.layers
    .batchNormalization({ name: `${prefix}.${first + 1}`, axis: -1, epsilon: BN_EPSILON })
    .apply(conv) as tf.SymbolicTensor;
  return applyAct(bn, act, `${prefix}.${first + 2}`);
}

/** G(z[100], y[6]) -> [64, 64, 3] in [-1, 1]; the condition joins at G's input. */
export function buildGenerator(width: number): tf.LayersModel {
  const z = tf.input({ shape: [Z_DIM], name: 'z' });
  const y = tf.input({ shape: [N_AGES], name: 'y' });
  const zy = tf.layers.concatenate({ axis: -1, name: 'zy' }).apply([z, y]) as tf.SymbolicTensor;
  let h = tf.layers.reshape({ targetShape: [1, 1, Z_DIM + N_AGES], name: 'zy.map' }).apply(zy) as tf.SymbolicTensor;
  // net.0-2: 1x1 -> 4x4
  h = applyConv(h, { name: 'net.0', filters: width * 8, strides: 1, padding: 'valid', useBias: false }, true);
  h = tf.layers.batchNormalization({ name: 'net.1', axis: -1, epsilon: BN_EPSILON }).apply(h) as tf.SymbolicTensor;
  h = applyAct(h, 'relu', 'net.2');
  // net.3-11: 8x8, 16x16, 32x32
  h = convBnAct(h, 'net', 3, width * 4, 'relu', true);
  h = convBnAct(h, 'net', 6, width * 2, 'relu', true);
  h = convBnAct(h, 'net', 9, width, 'relu', true);
  // net.12-13: 64x64 RGB
  h = applyConv(h, { name: 'net.12', filters: 3, strides: 2, padding: 'same', useBias: true }, true);
  const x = applyAct(h, 'tanh', 'net.13');
  return tf.model({ inputs: [z, y], outputs: x, name: 'generator' });
}

/**
 * D(x[64, 64, 3], y[6]) -> logit [1]. The one-hot age is tiled over the map after
 * the first conv (32x32x6) inside the model, as nets.py does, so callers pass y
 * as a plain one-hot. A nearest-neighbour upsampling of a 1x1 map is that tiling.
 */
export function buildDiscriminator(width: number): tf.LayersModel {
  const x = tf.input({ shape: [IMAGE_SIZE, IMAGE_SIZE, 3], name: 'x' });
  const y = tf.input({ shape: [N_AGES], name: 'y' });
  let h = applyConv(x, { name: 'conv1', filters: width, strides: 2, padding: 'same', useBias: true }, false);
  h = applyAct(h, 'leaky', 'conv1.act');
  const half = IMAGE_SIZE / 2;
  const y1 = tf.layers.reshape({ targetShape: [1, 1, N_AGES], name: 'y.map' }).apply(y) as tf.SymbolicTensor;
  const ymap = tf.layers.upSampling2d({ size: [half, half], name: 'y.tile' }).apply(y1) as tf.SymbolicTensor;
  h = tf.layers.concatenate({ axis: -1, name: 'hy' }).apply([h, ymap]) as tf.SymbolicTensor;
  h = convBnAct(h, 'rest', 0, width * 2, 'leaky', false); // 16x16
  h = convBnAct(h, 'rest', 3, width * 4, 'leaky', false); // 8x8
  h = convBnAct(h, 'rest', 6, width * 8, 'leaky', false); // 4x4
  h = applyConv(h, { name: 'rest.9', filters: 1, strides: 1, padding: 'valid', useBias: true }, false);
  const logit = tf.layers.flatten({ name: 'logit' }).apply(h) as tf.SymbolicTensor;
  return tf.model({ inputs: [x, y], outputs: logit, name: 'discriminator' });
}

/**
 * The downsampling conv stack E and the age classifier share: 64x64 image -> 32 -> 16
 * -> 8 -> 4 -> a 4x4 valid conv to `outputs` numbers. nets.py's Encoder and
 * age_classifier.py's AgeClassifier are the same Sequential with a different last layer.
 */
function buildDownConvNet(width: number, outputs: number, outputName: string, name: string): tf.LayersModel {
  const x = tf.input({ shape: [IMAGE_SIZE, IMAGE_SIZE, 3], name: 'x' });
  let h = applyConv(x, { name: 'net.0', filters: width, strides: 2, padding: 'same', useBias: true }, false);
  h = applyAct(h, 'leaky', 'net.1'); // 32x32
  h = convBnAct(h, 'net', 2, width * 2, 'leaky', false); // 16x16
  h = convBnAct(h, 'net', 5, width * 4, 'leaky', false); // 8x8
  h = convBnAct(h, 'net', 8, width * 8, 'leaky', false); // 4x4
  h = applyConv(h, { name: 'net.11', filters: outputs, strides: 1, padding: 'valid', useBias: true }, false);
  const out = tf.layers.flatten({ name: outputName }).apply(h) as tf.SymbolicTensor;
  return tf.model({ inputs: x, outputs: out, name });
}

/** E(x[64, 64, 3]) -> z[100]. */
export function buildEncoder(width: number): tf.LayersModel {
  return buildDownConvNet(width, Z_DIM, 'z', 'encoder');
}

/**
 * C(x[64, 64, 3]) -> age-category logits [6]: the trainer's frozen age classifier
 * (training/reage_train/age_classifier.py, trained on jittered faces), which detail
 * refinement's age term reads (detail.ts). Never used to measure age: `reage eval`
 * uses independent estimators.
 */
export function buildAgeClassifier(width: number): tf.LayersModel {
  return buildDownConvNet(width, N_AGES, 'logits', 'age-classifier');
}

export function buildNet(net: NetName, width: number): tf.LayersModel {
  if (!Number.isInteger(width) || width < 1)
    throw new RangeError(`network width must be a positive integer, got ${width}`);
  if (net === 'generator') return buildGenerator(width);
  if (net === 'discriminator') return buildDiscriminator(width);
  if (net === 'age-classifier') return buildAgeClassifier(width);
  return buildEncoder(width);
}

/** How a tfjs weight is stored in PyTorch: its state_dict name and the transpose to tfjs layout. */
export interface TorchWeight {
  name: string;
  /** permutation from the PyTorch array to the tfjs one; absent for 1-D tensors */
  perm?: number[];
}

/**
 * Conv2d [out, in, kh, kw] -> [kh, kw, in, out] and ConvTranspose2d [in, out, kh, kw]
 * -> [kh, kw, out, in] are the same permutation, because tfjs stores transposed
 * kernels as [kh, kw, out, in]. Neither needs a spatial flip: both libraries define
 * the transposed conv as the gradient of the same cross-correlation.
 */
const KERNEL_PERM = [2, 3, 1, 0];
const TORCH_SUFFIX: Record<string, string> = {
  kernel: 'weight',
  bias: 'bias',
  gamma: 'weight',
  beta: 'bias',
  moving_mean: 'running_mean',
  moving_variance: 'running_var',
};

/** The PyTorch source of a tfjs weight named `<layer>/<param>`, e.g. 'net.3/kernel' -> 'net.3.weight'. */
export function torchWeightName(tfjsName: string): TorchWeight {
  const slash = tfjsName.lastIndexOf('/');
  const layer = tfjsName.slice(0, slash);
  const param = tfjsName.slice(slash + 1);
  const suffix = TORCH_SUFFIX[param];
  if (slash < 1 || !suffix) throw new Error(`no PyTorch counterpart for tfjs weight '${tfjsName}'`);
  return { name: `${layer}.${suffix}`, ...(param === 'kernel' ? { perm: KERNEL_PERM } : {}) };
}
