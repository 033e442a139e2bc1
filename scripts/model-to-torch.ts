/**
 * The way back from a model folder to PyTorch: write its networks in the export
 * format of training/reage_train/export.py, so the trainer can fine-tune a shipped
 * model (`python3 -m reage_train.train gan --init-from DIR ...`):
 *
 *   npx tsx scripts/model-to-torch.ts --model models/reage-utkface-64 --out .cache/torch-default
 *
 * Why it exists: run folders (checkpoints with optimiser state) are large and stay out
 * of the repository, so the model folder is the one durable copy of a trained model.
 * The optimiser state is not in it: a fine-tune from here starts Adam afresh.
 *
 * Writes NAME.json / NAME.bin (PyTorch state_dict names and layouts, float32 LE) for
 * each network (the age classifier too, when the model has one), and export.json (width, what was trained, the model it came from).
 * It refuses a model without a discriminator: stage 1 cannot go on without D.
 */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { endianness } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { tempPathFor } from '../src/main/node/atomic.js';
import { initBackend } from '../src/main/engine/backend.js';
import { loadModel, type AgeModel } from '../src/main/engine/model.js';
import { IMAGE_SIZE, NET_NAMES, Z_DIM, torchWeightName, type NetName } from '../src/main/engine/nets.js';

export interface TorchEntry {
  name: string;
  shape: number[];
  offset: number;
}

/** Inverse of a permutation: tfjs = transpose(torch, perm)  <=>  torch = transpose(tfjs, inverse(perm)). */
function inverse(perm: number[]): number[] {
  const inv = new Array<number>(perm.length);
  perm.forEach((p, i) => (inv[p] = i));
  return inv;
}

/** A tfjs network's weights as PyTorch state_dict entries (names, shapes, float32 bytes in order). */
export function torchWeightsOf(model: tf.LayersModel): { entries: TorchEntry[]; data: Uint8Array } {
  const entries: TorchEntry[] = [];
  const chunks: Float32Array[] = [];
  let offset = 0;
  for (const w of model.weights) {
    const src = torchWeightName(w.originalName);
    const values = tf.tidy(() => {
      const v = w.read();
      return (src.perm ? tf.transpose(v, inverse(src.perm)) : v).dataSync() as Float32Array;
    });
    const shape = src.perm ? inverse(src.perm).map((i) => w.shape[i]!) : [...w.shape];
    entries.push({ name: src.name, shape: shape as number[], offset });
    chunks.push(values);
    offset += values.byteLength;
  }
  const data = new Uint8Array(offset);
  let at = 0;
  for (const c of chunks) {
    data.set(new Uint8Array(c.buffer, c.byteOffset, c.byteLength), at);
    at += c.byteLength;
  }
  return { entries, data };
}

/** Write `model`'s networks as a PyTorch export into `outDir` (staged and renamed: complete or absent). */
export async function modelToTorch(model: AgeModel, outDir: string): Promise<Record<string, unknown>> {
  if (endianness() !== 'LE') throw new Error('writing PyTorch weights needs a little-endian host');
  const nets: Record<NetName, tf.LayersModel | undefined> = {
    generator: model.generator,
    discriminator: model.discriminator,
    encoder: model.encoder,
    'age-classifier': model.ageClassifier,
  };
  const m = model.manifest;
  if (!nets.discriminator)
    throw new Error(`${model.dir}: the model has no discriminator, so stage 1 cannot be fine-tuned from it`);
  const target = resolve(outDir);
  const staged = tempPathFor(target);
  await mkdir(staged, { recursive: true });
  try {
    for (const net of NET_NAMES) {
      if (!nets[net]) continue; // the age classifier is optional
      const { entries, data } = torchWeightsOf(nets[net]);
      await writeFile(join(staged, `${net}.bin`), data);
      await writeFile(join(staged, `${net}.json`), JSON.stringify(entries));
    }
    const meta = {
      format: 1,
      width: m.width,
      encoderWidth: m.encoderWidth,
      random: !m.trained,
      imageSize: IMAGE_SIZE,
      zDim: Z_DIM,
      gan: { epochs: m.training.epochs, steps: m.training.steps },
      encoder: { steps: m.training.encoderSteps },
      ...(m.ageClassifier ? { ageClassifier: m.ageClassifier } : {}),
      fromModel: { dir: model.dir, name: m.name, version: m.version },
      timestamp: new Date().toISOString(),
    };
    await writeFile(join(staged, 'export.json'), JSON.stringify(meta));
    await rm(target, { recursive: true, force: true });
    await rename(staged, target);
    return meta;
  } finally {
    await rm(staged, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { model: { type: 'string' }, out: { type: 'string' } } });
  if (!values.model || !values.out) throw new Error('usage: model-to-torch --model DIR --out DIR');
  await initBackend('cpu');
  const model = await loadModel(values.model);
  try {
    const meta = await modelToTorch(model, values.out);
    console.log(JSON.stringify(meta));
  } finally {
    model.dispose();
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    console.error(`model-to-torch: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
