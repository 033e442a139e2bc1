/**
 * A model folder (see docs/ARCHITECTURE.md, "Models"): manifest.json plus the tfjs
 * layers-format networks it lists. `loadModel` refuses anything it cannot vouch for
 * (a missing, corrupt or mismatched file) with a ModelError naming the file and the
 * problem, because a silently wrong generator produces plausible but wrong faces
 * that nobody would trace back to the model.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { AGE_CATEGORIES } from '../../shared/ages.js';
import { knownDefectsSchema } from '../../shared/known-defects.js';
import { fileModelHandler } from './fs-model-io.js';
import type { NetName } from './nets.js';
import { ageOneHot } from './optimise.js';
import { loadPrototypes, PROTOTYPES_BIN, PROTOTYPES_JSON, type AgePrototypes } from './prototypes.js';

export const MANIFEST_FILE = 'manifest.json';

/** The shipped model; REAGE_MODEL names another (e.g. a studio's own, trained on licensed footage). */
export function defaultModelDir(): string {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
  return process.env.REAGE_MODEL ?? join(root, 'models', 'reage-utkface-64');
}

export const MANIFEST_FORMAT = 1;
export const LANDMARK_COUNT = 68;

/** Where each network lives inside a model folder. */
export function netModelJson(net: NetName): string {
  return `${net}/model.json`;
}

const count = z.number().int().nonnegative();
const positive = z.number().int().positive();

/** The canonical landmark template, in pixels of the model's square crop. */
export const templateSchema = z.object({
  imageSize: positive,
  /** the crop of the training chip (left, top, right, bottom) the networks saw */
  cropBox: z.tuple([z.number(), z.number(), z.number(), z.number()]),
  landmarks: z.array(z.tuple([z.number(), z.number()])).length(LANDMARK_COUNT),
});
export type AlignmentTemplate = z.infer<typeof templateSchema>;

export const manifestSchema = z.object({
  name: z.string().min(1),
  version: z.string().min(1),
  format: z.literal(MANIFEST_FORMAT),
  imageSize: positive,
  zDim: positive,
  ageCategories: z.array(z.string()),
  /** base channel width of G and D, and of E */
  width: positive,
  encoderWidth: positive,
  /** false for random networks built for tests: never present those as a model */
  trained: z.boolean(),
  training: z.object({
    data: z.string(),
    terms: z.string(),
    epochs: count,
    steps: count,
    encoderSteps: count,
  }),
  alignmentTemplate: templateSchema,
  /**
   * The frozen age classifier C the trainer used (age_classifier.py), shipped so that
   * detail refinement can read the aged faces' age (detail.ts). Absent in older models.
   */
  ageClassifier: z
    .object({
      width: positive,
      /** its accuracy on UTKFace's test split when trained; null for random nets */
      testAccuracy: z.number().min(0).max(1).nullable(),
      /** trained on jittered faces (augment.py) */
      jittered: z.boolean(),
    })
    .optional(),
  /**
   * Flaws the model's evaluation found at particular target ages (MODEL_CARD.md says
   * which and why), surfaced to the artist wherever those targets are chosen. Absent
   * or empty when none are known.
   */
  knownDefects: knownDefectsSchema.optional(),
  /**
   * The age prototypes of the texture layer (prototypes.ts), built from the training
   * data by scripts/build-prototypes.ts; their files are listed under `files`. Absent
   * in older models: the layer is then unavailable and texture must be 0.
   */
  prototypes: z
    .object({
      size: positive,
      levels: positive,
      /** faces averaged per age category */
      counts: z.array(positive),
    })
    .optional(),
  /** every file of the model but manifest.json, relative path -> SHA-256 (hex) */
  files: z.record(z.string(), z.string().regex(/^[0-9a-f]{64}$/, 'expected a lowercase hex SHA-256')),
});
export type ModelManifest = z.infer<typeof manifestSchema>;

/** A model that cannot be used; the message names the file and what is wrong with it. */
export class ModelError extends Error {
  constructor(
    readonly dir: string,
    /** path relative to the model folder */
    readonly file: string,
    readonly problem: string,
    options?: ErrorOptions,
  ) {
    super(`model ${dir}: ${file}: ${problem}`, options);
    this.name = 'ModelError';
  }
}

export interface AgeModel {
  manifest: ModelManifest;
  dir: string;
  generator: tf.LayersModel;
  encoder: tf.LayersModel;
  discriminator?: tf.LayersModel;
  /** C(x) -> age-category logits, when the model ships one (manifest.ageClassifier) */
  ageClassifier?: tf.LayersModel;
  /** the texture layer's age prototypes, when the model ships them (manifest.prototypes) */
  prototypes?: AgePrototypes;
  /** G(z, y): z [n, zDim], y as category indices or a one-hot [n, 6] -> images [n, S, S, 3] in [-1, 1] */
  generate(z: tf.Tensor2D, y: number[] | tf.Tensor2D): tf.Tensor4D;
  /** E(x): images [n, S, S, 3] in [-1, 1] -> z [n, zDim] */
  encode(x: tf.Tensor4D): tf.Tensor2D;
  dispose(): void;
}

/** E(x) of one face ([1, S, S, 3] in [-1, 1]) as plain numbers: the latent stage 3 starts from or anchors to. */
export function encodeLatent(model: Pick<AgeModel, 'encode'>, x: tf.Tensor4D): Float32Array {
  const z = tf.tidy(() => model.encode(x));
  try {
    return (z.dataSync() as Float32Array).slice();
  } finally {
    z.dispose();
  }
}

export function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Zod issues as 'path: message; ...', for error messages people read. */
export function issuesText(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`).join('; ');
}

/** A listed path must stay inside the model folder: the manifest is data, not trusted code. */
function isSafeRelative(p: string): boolean {
  return (
    p !== '' && !isAbsolute(p) && !p.includes('\\') && p.split('/').every((s) => s !== '' && s !== '.' && s !== '..')
  );
}

async function readManifest(dir: string): Promise<ModelManifest> {
  let text: string;
  try {
    text = await readFile(join(dir, MANIFEST_FILE), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
      throw new ModelError(dir, MANIFEST_FILE, `cannot be read (${String(err)})`, { cause: err });
    const why = existsSync(dir) ? 'is missing: not a model folder' : 'is missing: the model folder does not exist';
    throw new ModelError(dir, MANIFEST_FILE, why, { cause: err });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ModelError(dir, MANIFEST_FILE, `is not valid JSON (${(err as Error).message})`, { cause: err });
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) throw new ModelError(dir, MANIFEST_FILE, `invalid: ${issuesText(parsed.error)}`);
  const m = parsed.data;
  if (m.ageCategories.join() !== AGE_CATEGORIES.join()) {
    throw new ModelError(
      dir,
      MANIFEST_FILE,
      `ageCategories ${JSON.stringify(m.ageCategories)} differ from the engine's ${JSON.stringify(AGE_CATEGORIES)} (the order is the one-hot order)`,
    );
  }
  if (m.alignmentTemplate.imageSize !== m.imageSize) {
    throw new ModelError(
      dir,
      MANIFEST_FILE,
      `alignmentTemplate.imageSize ${m.alignmentTemplate.imageSize} differs from imageSize ${m.imageSize}`,
    );
  }
  for (const p of Object.keys(m.files)) {
    if (!isSafeRelative(p))
      throw new ModelError(dir, MANIFEST_FILE, `files lists '${p}', which is not a plain path inside the model folder`);
  }
  for (const net of ['generator', 'encoder'] as const) {
    if (!(netModelJson(net) in m.files))
      throw new ModelError(dir, MANIFEST_FILE, `files does not list ${netModelJson(net)} (the ${net} is required)`);
  }
  return m;
}

/** Every listed file exists and has the listed SHA-256. */
async function verifyFiles(dir: string, files: Record<string, string>): Promise<void> {
  await Promise.all(
    Object.entries(files).map(async ([rel, expected]) => {
      let data: Buffer;
      try {
        data = await readFile(join(dir, rel));
      } catch (err) {
        const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'is missing' : `cannot be read (${String(err)})`;
        throw new ModelError(dir, rel, `${why} (listed in ${MANIFEST_FILE})`, { cause: err });
      }
      const actual = sha256(data);
      if (actual !== expected) {
        throw new ModelError(
          dir,
          rel,
          `SHA-256 ${actual} does not match ${expected} in ${MANIFEST_FILE}: the file is corrupt or was changed after import`,
        );
      }
    }),
  );
}

/** The weight shards a model.json points at must be verified files too, or a swap would go unnoticed. */
async function checkShardsListed(dir: string, modelJson: string, files: Record<string, string>): Promise<void> {
  let json: { weightsManifest?: { paths?: unknown }[] };
  try {
    json = JSON.parse(await readFile(join(dir, modelJson), 'utf8')) as typeof json;
  } catch (err) {
    throw new ModelError(dir, modelJson, `is not valid JSON (${(err as Error).message})`, { cause: err });
  }
  const base = modelJson.slice(0, modelJson.lastIndexOf('/') + 1);
  for (const group of json.weightsManifest ?? []) {
    for (const p of Array.isArray(group.paths) ? group.paths : []) {
      const rel = `${base}${String(p)}`;
      if (!isSafeRelative(rel) || !(rel in files))
        throw new ModelError(dir, modelJson, `refers to weights '${String(p)}', which ${MANIFEST_FILE} does not list`);
    }
  }
}

function shapeText(shape: readonly (number | null)[]): string {
  return `[${shape.map((d) => (d === null ? 'n' : d)).join(', ')}]`;
}

type Shape = (number | null)[];

/** Inputs and output must have exactly these shapes (batch dimension free). */
function checkIo(dir: string, file: string, model: tf.LayersModel, inputs: Shape[], output: Shape): void {
  const actualIn = model.inputs.map((t) => t.shape);
  const actualOut = model.outputs.map((t) => t.shape);
  const same = (a: Shape[], b: Shape[]) => JSON.stringify(a) === JSON.stringify(b);
  if (!same(actualIn, inputs) || !same(actualOut, [output])) {
    throw new ModelError(
      dir,
      file,
      `network takes ${actualIn.map(shapeText).join(' + ')} -> ${actualOut.map(shapeText).join(' + ')}, ` +
        `but ${MANIFEST_FILE} (imageSize, zDim, ${AGE_CATEGORIES.length} age categories) requires ` +
        `${inputs.map(shapeText).join(' + ')} -> ${shapeText(output)}`,
    );
  }
}

async function loadNet(dir: string, net: NetName): Promise<tf.LayersModel> {
  const file = netModelJson(net);
  try {
    return await tf.loadLayersModel(fileModelHandler(join(dir, file)));
  } catch (err) {
    throw new ModelError(dir, file, `cannot be loaded as a tfjs layers model (${(err as Error).message})`, {
      cause: err,
    });
  }
}

/**
 * Load and verify a model folder: manifest schema, the SHA-256 of every listed file,
 * and the networks' input/output shapes against the manifest. Any failure is a
 * ModelError. Call `initBackend` first: the weights land on the active backend.
 */
export async function loadModel(modelDir: string): Promise<AgeModel> {
  const dir = resolve(modelDir);
  const manifest = await readManifest(dir);
  await verifyFiles(dir, manifest.files);
  // G and E are required; D and the age classifier are loaded when the manifest lists them.
  const nets = (['generator', 'encoder', 'discriminator', 'age-classifier'] as const).filter(
    (net) => net === 'generator' || net === 'encoder' || netModelJson(net) in manifest.files,
  );
  if (nets.includes('age-classifier') && !manifest.ageClassifier)
    throw new ModelError(dir, MANIFEST_FILE, `lists ${netModelJson('age-classifier')} but has no ageClassifier entry`);
  for (const net of nets) await checkShardsListed(dir, netModelJson(net), manifest.files);

  const { imageSize: s, zDim } = manifest;
  const image: Shape = [null, s, s, 3];
  const age: Shape = [null, AGE_CATEGORIES.length];
  const io: Record<NetName, [Shape[], Shape]> = {
    generator: [[[null, zDim], age], image],
    encoder: [[image], [null, zDim]],
    discriminator: [
      [image, age],
      [null, 1],
    ],
    'age-classifier': [[image], age],
  };
  const loaded: Partial<Record<NetName, tf.LayersModel>> = {};
  try {
    for (const net of nets) {
      const model = await loadNet(dir, net);
      loaded[net] = model;
      checkIo(dir, netModelJson(net), model, ...io[net]);
    }
  } catch (err) {
    for (const m of Object.values(loaded)) m.dispose();
    throw err;
  }
  let prototypes: AgePrototypes | undefined;
  if (manifest.prototypes) {
    for (const rel of [PROTOTYPES_JSON, PROTOTYPES_BIN])
      if (!(rel in manifest.files))
        throw new ModelError(dir, MANIFEST_FILE, `has a prototypes entry but does not list ${rel}`);
    try {
      prototypes = await loadPrototypes(dir);
    } catch (err) {
      for (const m of Object.values(loaded)) m.dispose();
      throw new ModelError(dir, PROTOTYPES_JSON, `cannot be loaded (${(err as Error).message})`, { cause: err });
    }
    if (prototypes.meta.categories.join() !== AGE_CATEGORIES.join())
      throw new ModelError(
        dir,
        PROTOTYPES_JSON,
        `categories ${prototypes.meta.categories.join(', ')} are not the model's`,
      );
  }
  return createAgeModel(dir, manifest, loaded as LoadedNets, prototypes); // G and E are in `nets` unconditionally
}

/** G's condition for a batch: one-hot rows as given, or built from category indices. */
function batchOneHot(y: number[] | tf.Tensor2D, n: number): tf.Tensor2D {
  if (!Array.isArray(y)) return y;
  if (y.length !== n) throw new RangeError(`generate: ${y.length} age indices for a batch of ${n}`);
  return ageOneHot(y);
}

type LoadedNets = Partial<Record<NetName, tf.LayersModel>> & { generator: tf.LayersModel; encoder: tf.LayersModel };

function createAgeModel(dir: string, manifest: ModelManifest, nets: LoadedNets, prototypes?: AgePrototypes): AgeModel {
  const { generator, encoder, discriminator } = nets;
  const ageClassifier = nets['age-classifier'];
  // apply (not predict): differentiable, so stage 3 can optimise z through G.
  // training: false keeps BatchNorm on its stored statistics.
  return {
    manifest,
    dir,
    generator,
    encoder,
    ...(discriminator ? { discriminator } : {}),
    ...(ageClassifier ? { ageClassifier } : {}),
    ...(prototypes ? { prototypes } : {}),
    generate: (z, y) =>
      tf.tidy(() => generator.apply([z, batchOneHot(y, z.shape[0])], { training: false }) as tf.Tensor4D),
    encode: (x) => encoder.apply(x, { training: false }) as tf.Tensor2D,
    dispose: () => {
      generator.dispose();
      encoder.dispose();
      discriminator?.dispose();
      ageClassifier?.dispose();
    },
  };
}
