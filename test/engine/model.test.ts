import { cp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGE_CATEGORIES } from '../../src/shared/ages.js';
import { initBackend } from '../../src/main/engine/backend.js';
import { ModelError, encodeLatent, loadModel, sha256, type ModelManifest } from '../../src/main/engine/model.js';
import { IMAGE_SIZE, NET_NAMES, Z_DIM } from '../../src/main/engine/nets.js';
import { buildRandomModel } from '../helpers/random-model.js';

// A random, tiny (width 4) model folder, honestly marked untrained, built once;
// each case corrupts its own copy.
let root: string;
let pristine: string;

beforeAll(async () => {
  await initBackend('cpu');
  pristine = await buildRandomModel(4);
  root = dirname(pristine);
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

let copies = 0;
async function copyModel(): Promise<string> {
  const dir = join(root, `copy${copies++}`);
  await cp(pristine, dir, { recursive: true });
  return dir;
}

async function readManifest(dir: string): Promise<ModelManifest> {
  return JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as ModelManifest;
}

async function writeManifest(dir: string, m: unknown): Promise<void> {
  await writeFile(join(dir, 'manifest.json'), JSON.stringify(m));
}

/** The ModelError loadModel throws, to check its file and message. */
async function loadError(dir: string): Promise<ModelError> {
  const err: unknown = await loadModel(dir).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ModelError);
  return err as ModelError;
}

describe('loadModel', () => {
  it('loads a verified model and runs G and E', async () => {
    const model = await loadModel(pristine);
    expect(model.manifest.trained).toBe(false);
    expect(Object.keys(model.manifest.files).sort()).toEqual(
      NET_NAMES.flatMap((n) => [`${n}/model.json`, `${n}/weights.bin`]).sort(),
    );
    expect(model.discriminator).toBeDefined();
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const x = model.generate(tf.randomNormal([2, Z_DIM]), [0, 5]);
      expect(x.shape).toEqual([2, IMAGE_SIZE, IMAGE_SIZE, 3]);
      // indices and the equivalent one-hot give the same images
      const z = tf.randomNormal([1, Z_DIM]) as tf.Tensor2D;
      const a = model.generate(z, [2]);
      const b = model.generate(z, tf.oneHot(tf.tensor1d([2], 'int32'), 6).toFloat() as tf.Tensor2D);
      expect(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]).toBe(0);
      expect(model.encode(x).shape).toEqual([2, Z_DIM]);
    });
    expect(tf.memory().numTensors).toBe(before);
    // one face's E(x) as plain numbers, its tensor released
    const face = tf.randomUniform([1, IMAGE_SIZE, IMAGE_SIZE, 3], -1, 1, 'float32', 3) as tf.Tensor4D;
    const want = tf.tidy(() => model.encode(face).dataSync() as Float32Array).slice();
    const got = encodeLatent(model, face);
    face.dispose();
    expect(got).toBeInstanceOf(Float32Array);
    expect(Array.from(got)).toEqual(Array.from(want));
    expect(tf.memory().numTensors).toBe(before);
    expect(() => model.generate(tf.zeros([2, Z_DIM]), [0])).toThrow(/1 age indices for a batch of 2/);
    expect(() => model.generate(tf.zeros([1, Z_DIM]), [6])).toThrow(/age index 6 is not in 0..5/);
    model.dispose();
  });

  it('refuses a missing folder or manifest', async () => {
    const err = await loadError(join(root, 'nope'));
    expect(err.file).toBe('manifest.json');
    expect(err.message).toMatch(/manifest\.json: is missing: the model folder does not exist/);
    const dir = await copyModel();
    await unlink(join(dir, 'manifest.json'));
    expect((await loadError(dir)).message).toMatch(/manifest\.json: is missing: not a model folder/);
  });

  it('refuses a corrupt weights file, naming it', async () => {
    const dir = await copyModel();
    const path = join(dir, 'generator', 'weights.bin');
    const bytes = await readFile(path);
    bytes[100] = bytes[100]! ^ 0xff;
    await writeFile(path, bytes);
    const err = await loadError(dir);
    expect(err.file).toBe('generator/weights.bin');
    expect(err.message).toMatch(
      /generator\/weights\.bin: SHA-256 [0-9a-f]{64} does not match [0-9a-f]{64} in manifest\.json: the file is corrupt/,
    );
  });

  it('refuses a deleted file', async () => {
    const dir = await copyModel();
    await unlink(join(dir, 'encoder', 'model.json'));
    const err = await loadError(dir);
    expect(err.file).toBe('encoder/model.json');
    expect(err.message).toMatch(/encoder\/model\.json: is missing \(listed in manifest\.json\)/);
  });

  it('refuses a manifest that is not JSON or breaks the schema', async () => {
    const dir = await copyModel();
    await writeFile(join(dir, 'manifest.json'), '{"name": ');
    expect((await loadError(dir)).message).toMatch(/manifest\.json: is not valid JSON/);

    const m = await readManifest(pristine);
    const { trained: _trained, ...noTrained } = m;
    await writeManifest(dir, { ...noTrained, format: 2 });
    const err = await loadError(dir);
    expect(err.message).toMatch(/manifest\.json: invalid: /);
    expect(err.message).toMatch(/format: /);
    expect(err.message).toMatch(/trained: /);

    await writeManifest(dir, { ...m, files: { ...m.files, 'generator/weights.bin': 'abc' } });
    expect((await loadError(dir)).message).toMatch(/files\.generator\/weights\.bin: expected a lowercase hex SHA-256/);
  });

  it("carries the manifest's known defects, and refuses one at an age the engine does not know", async () => {
    const dir = await copyModel();
    const m = await readManifest(dir);
    const defect = {
      ageCategories: ['50-59'],
      level: 'warning',
      summary: 'A mark under the nose.',
      advice: 'Paint out.',
    };
    await writeManifest(dir, { ...m, knownDefects: [defect] });
    const model = await loadModel(dir);
    expect(model.manifest.knownDefects).toEqual([defect]);
    model.dispose();

    await writeManifest(dir, { ...m, knownDefects: [{ ...defect, ageCategories: ['45-50'] }] });
    expect((await loadError(dir)).message).toMatch(/manifest\.json: invalid: .*knownDefects\.0\.ageCategories\.0/);
    await writeManifest(dir, { ...m, knownDefects: [{ ...defect, level: 'fatal' }] });
    expect((await loadError(dir)).message).toMatch(/knownDefects\.0\.level/);
  });

  it('refuses age categories in another order', async () => {
    const dir = await copyModel();
    const m = await readManifest(dir);
    await writeManifest(dir, { ...m, ageCategories: [...AGE_CATEGORIES].reverse() });
    expect((await loadError(dir)).message).toMatch(/ageCategories .* differ from the engine's .*one-hot order/);
  });

  it('refuses networks whose shapes do not match the manifest', async () => {
    const dir = await copyModel();
    const m = await readManifest(dir);
    await writeManifest(dir, { ...m, zDim: 128 });
    const err = await loadError(dir);
    expect(err.file).toBe('generator/model.json');
    expect(err.message).toMatch(
      /network takes \[n, 100\] \+ \[n, 6\] -> \[n, 64, 64, 3\], but manifest\.json .* requires \[n, 128\] \+ \[n, 6\]/,
    );

    await writeManifest(dir, { ...m, imageSize: 128, alignmentTemplate: { ...m.alignmentTemplate, imageSize: 128 } });
    expect((await loadError(dir)).message).toMatch(
      /generator\/model\.json: network takes .* requires \[n, 100\] \+ \[n, 6\] -> \[n, 128, 128, 3\]/,
    );
  });

  it('refuses paths outside the folder and weights the manifest does not list', async () => {
    const dir = await copyModel();
    const m = await readManifest(dir);
    await writeManifest(dir, { ...m, files: { ...m.files, '../evil.bin': '0'.repeat(64) } });
    expect((await loadError(dir)).message).toMatch(
      /files lists '\.\.\/evil\.bin', which is not a plain path inside the model folder/,
    );

    // a model.json re-pointed at an unlisted shard, with its own hash updated
    const jsonPath = join(dir, 'encoder', 'model.json');
    const json = (await readFile(jsonPath, 'utf8')).replace('"weights.bin"', '"other.bin"');
    await writeFile(jsonPath, json);
    await writeManifest(dir, { ...m, files: { ...m.files, 'encoder/model.json': sha256(Buffer.from(json)) } });
    const err = await loadError(dir);
    expect(err.file).toBe('encoder/model.json');
    expect(err.message).toMatch(/refers to weights 'other\.bin', which manifest\.json does not list/);
  });

  it('loads without the optional discriminator, but not without G or E', async () => {
    const dir = await copyModel();
    const m = await readManifest(dir);
    const files = Object.fromEntries(Object.entries(m.files).filter(([k]) => !k.startsWith('discriminator/')));
    await writeManifest(dir, { ...m, files });
    const model = await loadModel(dir);
    expect(model.discriminator).toBeUndefined();
    model.dispose();

    // the age classifier is optional too, but a listed one needs its manifest entry
    const withC = await loadModel(await copyModel());
    expect(withC.ageClassifier?.outputs[0]!.shape).toEqual([null, 6]);
    withC.dispose();
    const { ageClassifier: _c, ...noEntry } = m;
    await writeManifest(dir, noEntry);
    expect((await loadError(dir)).message).toMatch(/lists age-classifier\/model\.json but has no ageClassifier entry/);

    const { 'encoder/model.json': _e, ...noEncoder } = m.files;
    await writeManifest(dir, { ...m, files: noEncoder });
    expect((await loadError(dir)).message).toMatch(
      /manifest\.json: files does not list encoder\/model\.json \(the encoder is required\)/,
    );
  });
});
