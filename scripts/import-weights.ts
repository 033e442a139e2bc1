/**
 * Build a model folder from a PyTorch export (training/reage_train/export.py):
 *
 *   npx tsx scripts/import-weights.ts --export .cache/export-default --out models/reage-utkface-64 \
 *     --name reage-utkface-64 --version 0.1.0 [--template training/template.json] [--untrained] \
 *     [--known-defects FILE]
 *
 * Builds G, D and E from src/main/engine/nets.ts, copies the PyTorch weights in
 * (transposing kernels, checking every shape and that no tensor is left over),
 * checks the result reproduces PyTorch's outputs on the export's fixtures, then
 * saves each network in the tfjs layers format with a manifest.json carrying the
 * SHA-256 of every file. The folder appears complete or not at all (it is written
 * beside the target and renamed into place).
 */
import { readFile, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { endianness } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { AGE_CATEGORIES } from '../src/shared/ages.js';
import { knownDefectsSchema, type KnownDefect } from '../src/shared/known-defects.js';
import { tempPathFor } from '../src/main/node/atomic.js';
import { initBackend } from '../src/main/engine/backend.js';
import {
  MANIFEST_FILE,
  MANIFEST_FORMAT,
  manifestSchema,
  issuesText,
  netModelJson,
  sha256,
  templateSchema,
  type AlignmentTemplate,
  type ModelManifest,
} from '../src/main/engine/model.js';
import { IMAGE_SIZE, NET_NAMES, Z_DIM, buildNet, torchWeightName, type NetName } from '../src/main/engine/nets.js';

export const DEFAULT_TEMPLATE = fileURLToPath(new URL('../training/template.json', import.meta.url));
/** Largest |tfjs - PyTorch| on the fixtures the importer accepts; a layout mistake is orders of magnitude above it. */
export const DEFAULT_TOLERANCE = 1e-4;
const WEIGHTS_FILE = 'weights.bin';

const TRAINED_DATA =
  'UTKFace (aligned & cropped faces, 200x200 chips), training split = images not in test.txt, crop box (20,20,180,180) resized to 64x64';
const TRAINED_TERMS =
  'non-commercial research only: the UTKFace terms carry over to any model trained on it; image copyright stays with the original owners';
const UNTRAINED_DATA = 'none: random weights (untrained, for tests only)';
const UNTRAINED_TERMS = 'not a usable model: for tests only';

export interface ImportOptions {
  /** folder written by `python3 -m reage_train.export` */
  exportDir: string;
  /** model folder to create or replace */
  outDir: string;
  name: string;
  version: string;
  /** alignment template JSON; DEFAULT_TEMPLATE when absent */
  template?: string;
  /** mark the model untrained; required for a --random export */
  untrained?: boolean;
  /**
   * JSON file with the model's known defects (a KnownDefect array), found by evaluating
   * it; a model is re-imported with the list its evaluation left (MODEL_CARD.md)
   */
  knownDefects?: string;
  tolerance?: number;
}

export interface ImportResult {
  dir: string;
  manifest: ModelManifest;
  /** max |tfjs - PyTorch| per network on the export's fixtures (the age classifier when exported) */
  parity: Partial<Record<NetName, number>>;
}

const count = z.number().int().nonnegative();
const exportSchema = z.object({
  format: z.literal(1),
  width: z.number().int().positive(),
  encoderWidth: z.number().int().positive(),
  random: z.boolean(),
  imageSize: z.literal(IMAGE_SIZE),
  zDim: z.literal(Z_DIM),
  gan: z.object({ epochs: count, steps: count }),
  encoder: z.object({ steps: count }),
  /** present when the export carries the age classifier (export.py --classifier, or --random) */
  ageClassifier: z
    .object({ width: z.number().int().positive(), testAccuracy: z.number().nullable(), jittered: z.boolean() })
    .optional(),
});
type ExportInfo = z.infer<typeof exportSchema>;

const weightEntries = z.array(z.object({ name: z.string(), shape: z.array(count), offset: count }));

const tensorJson = z.object({ shape: z.array(count), data: z.array(z.number()) });
const fixturesSchema = z.object({
  layout: z.literal('NHWC'),
  generator: z.object({ z: tensorJson, y: tensorJson, out: tensorJson }),
  encoder: z.object({ x: tensorJson, out: tensorJson }),
  discriminator: z.object({ x: tensorJson, y: tensorJson, out: tensorJson }),
  ageClassifier: z.object({ x: tensorJson, out: tensorJson }).optional(),
});
export type Fixtures = z.infer<typeof fixturesSchema>;

/** Read and validate a JSON file, failing with its path and what is wrong. */
async function readJson<T>(path: string, schema: z.ZodType<T>, hint = ''): Promise<T> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`${path} not found${hint}`, { cause: err });
    throw err;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`${path} is not valid JSON (${(err as Error).message})`, { cause: err });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new Error(`${path}: ${issuesText(parsed.error)}`);
  return parsed.data;
}

export async function readFixtures(exportDir: string): Promise<Fixtures> {
  return readJson(join(exportDir, 'fixtures.json'), fixturesSchema);
}

export function fixtureTensor(t: z.infer<typeof tensorJson>): tf.Tensor {
  return tf.tensor(t.data, t.shape, 'float32');
}

interface TorchTensor {
  shape: number[];
  data: Float32Array;
}

/** NAME.json + NAME.bin -> PyTorch state_dict entries (float32, PyTorch layouts). */
export async function readTorchWeights(exportDir: string, net: NetName): Promise<Map<string, TorchTensor>> {
  // The .bin is little-endian float32 and Float32Array uses the host's byte order.
  if (endianness() !== 'LE') throw new Error('importing weights needs a little-endian host');
  const entries = await readJson(join(exportDir, `${net}.json`), weightEntries);
  const bin = await readFile(join(exportDir, `${net}.bin`));
  const out = new Map<string, TorchTensor>();
  let expectedOffset = 0;
  for (const e of entries) {
    const bytes = e.shape.reduce((a, b) => a * b, 1) * 4;
    if (e.offset !== expectedOffset || e.offset + bytes > bin.byteLength) {
      throw new Error(
        `${net}.bin: '${e.name}' at byte ${e.offset} (${bytes} bytes) does not fit a ${bin.byteLength}-byte file laid out in order`,
      );
    }
    // copy: a Float32Array view needs a 4-byte-aligned offset, which Buffer pooling does not promise
    const data = new Float32Array(bin.buffer.slice(bin.byteOffset + e.offset, bin.byteOffset + e.offset + bytes));
    out.set(e.name, { shape: e.shape, data });
    expectedOffset += bytes;
  }
  if (expectedOffset !== bin.byteLength)
    throw new Error(`${net}.bin has ${bin.byteLength - expectedOffset} bytes ${net}.json does not describe`);
  return out;
}

const shapeText = (s: readonly (number | null)[]) => `[${s.join(', ')}]`;

/**
 * Copy PyTorch weights into a nets.ts model. Every tfjs weight must find its
 * PyTorch tensor with the right shape, and every PyTorch tensor must be used:
 * either failing means nets.ts and nets.py no longer describe the same network.
 */
export function loadTorchWeights(model: tf.LayersModel, net: NetName, torch: Map<string, TorchTensor>): void {
  const used = new Set<string>();
  for (const layer of model.layers) {
    if (layer.weights.length === 0) continue;
    const values = layer.weights.map((w) => {
      const src = torchWeightName(w.originalName);
      const t = torch.get(src.name);
      if (!t) throw new Error(`${net}: PyTorch export has no '${src.name}' for tfjs weight '${w.originalName}'`);
      used.add(src.name);
      const perm = src.perm;
      const shape = perm ? perm.map((i) => t.shape[i]!) : t.shape;
      if (shapeText(shape) !== shapeText(w.shape)) {
        throw new Error(
          `${net}: '${src.name}' ${shapeText(t.shape)} becomes ${shapeText(shape)} in tfjs, but nets.ts's '${w.originalName}' is ${shapeText(w.shape)} (different width?)`,
        );
      }
      return tf.tidy(() => {
        const raw = tf.tensor(t.data, t.shape, 'float32');
        return perm ? tf.transpose(raw, perm) : raw;
      });
    });
    layer.setWeights(values);
    tf.dispose(values);
  }
  const unused = [...torch.keys()].filter((k) => !used.has(k));
  if (unused.length) throw new Error(`${net}: PyTorch tensors with no place in nets.ts: ${unused.join(', ')}`);
}

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  if (shapeText(a.shape) !== shapeText(b.shape))
    throw new Error(`parity: output ${shapeText(a.shape)} vs fixture ${shapeText(b.shape)}`);
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
}

type ImportedNets = Record<'generator' | 'discriminator' | 'encoder', tf.LayersModel> &
  Partial<Record<NetName, tf.LayersModel>>;

/** max |tfjs - PyTorch| of each network on the fixtures (eval mode: BatchNorm uses its running statistics). */
export function parityErrors(nets: ImportedNets, fx: Fixtures): Partial<Record<NetName, number>> {
  return tf.tidy(() => {
    const t = fixtureTensor;
    const run = (m: tf.LayersModel, inputs: tf.Tensor[]) =>
      m.apply(inputs.length === 1 ? inputs[0]! : inputs, { training: false }) as tf.Tensor;
    const classifier = nets['age-classifier'];
    if (classifier && !fx.ageClassifier)
      throw new Error('fixtures.json has no ageClassifier fixture to check C against');
    return {
      generator: maxAbsDiff(run(nets.generator, [t(fx.generator.z), t(fx.generator.y)]), t(fx.generator.out)),
      discriminator: maxAbsDiff(
        run(nets.discriminator, [t(fx.discriminator.x), t(fx.discriminator.y)]),
        t(fx.discriminator.out),
      ),
      encoder: maxAbsDiff(run(nets.encoder, [t(fx.encoder.x)]), t(fx.encoder.out)),
      ...(classifier && fx.ageClassifier
        ? { 'age-classifier': maxAbsDiff(run(classifier, [t(fx.ageClassifier.x)]), t(fx.ageClassifier.out)) }
        : {}),
    };
  });
}

/** A tfjs save handler writing model.json + one weights file into `dir` with Node fs (tfjs-node is optional here). */
export function fileSaveHandler(dir: string): tf.io.IOHandler {
  return {
    save: async (artifacts) => {
      await mkdir(dir, { recursive: true });
      const weights = tf.io.CompositeArrayBuffer.join(artifacts.weightData);
      const modelJson = {
        modelTopology: artifacts.modelTopology,
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy,
        convertedBy: 'scripts/import-weights.ts',
        weightsManifest: [{ paths: [WEIGHTS_FILE], weights: artifacts.weightSpecs ?? [] }],
      };
      await writeFile(join(dir, WEIGHTS_FILE), new Uint8Array(weights));
      await writeFile(join(dir, 'model.json'), JSON.stringify(modelJson));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },
  };
}

function manifestMeta(
  opts: ImportOptions,
  info: ExportInfo,
  template: AlignmentTemplate,
  knownDefects: KnownDefect[] | undefined,
): Omit<ModelManifest, 'files'> {
  const trained = !opts.untrained;
  return {
    name: opts.name,
    version: opts.version,
    format: MANIFEST_FORMAT,
    imageSize: IMAGE_SIZE,
    zDim: Z_DIM,
    ageCategories: [...AGE_CATEGORIES],
    width: info.width,
    encoderWidth: info.encoderWidth,
    trained,
    training: {
      data: trained ? TRAINED_DATA : UNTRAINED_DATA,
      terms: trained ? TRAINED_TERMS : UNTRAINED_TERMS,
      epochs: info.gan.epochs,
      steps: info.gan.steps,
      encoderSteps: info.encoder.steps,
    },
    alignmentTemplate: template,
    ...(info.ageClassifier ? { ageClassifier: info.ageClassifier } : {}),
    ...(knownDefects?.length ? { knownDefects } : {}),
  };
}

/** Put `staged` at `target`, replacing any previous folder only once the new one is complete. */
async function swapInto(staged: string, target: string): Promise<void> {
  const old = tempPathFor(target);
  let moved = false;
  try {
    await rename(target, old);
    moved = true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await rename(staged, target);
  if (moved) await rm(old, { recursive: true, force: true });
}

/**
 * Save networks as a model folder: each in the tfjs layers format under its own
 * folder, then manifest.json (`meta` plus the SHA-256 of every file). Staged beside
 * `outDir` and renamed into place, so the folder is complete or absent.
 */
export async function saveModelFolder(
  outDir: string,
  nets: Partial<Record<NetName, tf.LayersModel>>,
  meta: Omit<ModelManifest, 'files'>,
): Promise<ModelManifest> {
  const target = resolve(outDir);
  await mkdir(dirname(target), { recursive: true });
  const staged = tempPathFor(target);
  try {
    const files: Record<string, string> = {};
    for (const net of NET_NAMES) {
      const model = nets[net];
      if (!model) continue;
      await model.save(fileSaveHandler(join(staged, net)));
      for (const rel of [netModelJson(net), `${net}/${WEIGHTS_FILE}`])
        files[rel] = sha256(await readFile(join(staged, rel)));
    }
    const manifest = manifestSchema.parse({ ...meta, files });
    await writeFile(join(staged, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n');
    await swapInto(staged, target);
    return manifest;
  } finally {
    await rm(staged, { recursive: true, force: true });
  }
}

export async function importWeights(opts: ImportOptions): Promise<ImportResult> {
  const exportDir = resolve(opts.exportDir);
  const info = await readJson(
    join(exportDir, 'export.json'),
    exportSchema,
    ' (an incomplete export? run python3 -m reage_train.export)',
  );
  if (info.random && !opts.untrained) {
    throw new Error(
      `${exportDir} holds random networks (export --random): pass --untrained, never present them as a trained model`,
    );
  }
  const templatePath = resolve(opts.template ?? DEFAULT_TEMPLATE);
  const template = await readJson(
    templatePath,
    templateSchema,
    ': the alignment template (68 landmarks measured on the training crops) is required; create it or pass --template FILE',
  );
  if (template.imageSize !== IMAGE_SIZE)
    throw new Error(
      `${templatePath}: imageSize ${template.imageSize}, but the networks are ${IMAGE_SIZE}x${IMAGE_SIZE}`,
    );

  const knownDefects =
    opts.knownDefects === undefined ? undefined : await readJson(resolve(opts.knownDefects), knownDefectsSchema);

  const widths: Partial<Record<NetName, number>> = {
    generator: info.width,
    discriminator: info.width,
    encoder: info.encoderWidth,
    ...(info.ageClassifier ? { 'age-classifier': info.ageClassifier.width } : {}),
  };
  const present = NET_NAMES.filter((net) => widths[net] !== undefined);
  const nets = {} as ImportedNets;
  try {
    for (const net of present) {
      const model = buildNet(net, widths[net]!);
      nets[net] = model;
      loadTorchWeights(model, net, await readTorchWeights(exportDir, net));
    }
    const parity = parityErrors(nets, await readFixtures(exportDir));
    const tolerance = opts.tolerance ?? DEFAULT_TOLERANCE;
    const bad = present.filter((n) => !((parity[n] ?? Infinity) <= tolerance));
    if (bad.length)
      throw new Error(
        `tfjs does not reproduce PyTorch (max |diff| ${JSON.stringify(parity)}, tolerance ${tolerance}): ${bad.join(', ')}`,
      );
    const manifest = await saveModelFolder(opts.outDir, nets, manifestMeta(opts, info, template, knownDefects));
    return { dir: resolve(opts.outDir), manifest, parity };
  } finally {
    for (const m of Object.values(nets)) m.dispose();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      export: { type: 'string' },
      out: { type: 'string' },
      name: { type: 'string' },
      version: { type: 'string' },
      template: { type: 'string' },
      untrained: { type: 'boolean', default: false },
      'known-defects': { type: 'string' },
    },
  });
  const missing = ['export', 'out', 'name', 'version'].filter((k) => !values[k as keyof typeof values]);
  if (missing.length) {
    throw new Error(
      `missing --${missing.join(', --')}\nusage: import-weights --export DIR --out models/NAME --name NAME --version V [--template FILE] [--known-defects FILE] [--untrained]`,
    );
  }
  const backend = await initBackend();
  const result = await importWeights({
    exportDir: values.export!,
    outDir: values.out!,
    name: values.name!,
    version: values.version!,
    template: values.template,
    untrained: values.untrained,
    knownDefects: values['known-defects'],
  });
  console.log(
    `${basename(result.dir)}: ${result.manifest.trained ? 'trained' : 'UNTRAINED'} model written to ${result.dir}`,
  );
  console.log(`parity vs PyTorch (max |diff|, ${backend.name}): ${JSON.stringify(result.parity)}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    console.error(`import-weights: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
