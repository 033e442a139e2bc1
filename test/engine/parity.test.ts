/**
 * tfjs (nets.ts) must reproduce PyTorch (nets.py) on the same weights: export random
 * width-16 networks with training/reage_train/export.py, import them with
 * scripts/import-weights.ts, load the folder with loadModel, and compare with the
 * outputs PyTorch computed for the export's fixtures.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/main/engine/backend.js';
import { classifierFunction } from '../../src/main/engine/age-classifier.js';
import { loadModel, type AgeModel } from '../../src/main/engine/model.js';
import { NET_NAMES, type NetName } from '../../src/main/engine/nets.js';
import {
  fixtureTensor,
  importWeights,
  readFixtures,
  readTorchWeights,
  type Fixtures,
  type ImportResult,
} from '../../scripts/import-weights.js';
import { modelToTorch } from '../../scripts/model-to-torch.js';

const PYTHON = '/usr/bin/python3'; // Debian's, with python3-torch (see training/README.md)
const TRAINING_DIR = fileURLToPath(new URL('../../training', import.meta.url));
const TOLERANCE = 1e-4;
const WIDTH = 16;

let root: string;
let exportDir: string;
let template: string;
let imported: ImportResult;
let model: AgeModel;
let fx: Fixtures;

beforeAll(async () => {
  await initBackend('cpu');
  root = await mkdtemp(join(tmpdir(), 'reage-parity-'));
  exportDir = join(root, 'export');
  await promisify(execFile)(
    PYTHON,
    ['-m', 'reage_train.export', '--random', '--width', String(WIDTH), '--out', exportDir],
    {
      cwd: TRAINING_DIR,
    },
  );
  template = join(root, 'template.json');
  const landmarks = Array.from({ length: 68 }, (_, i) => [8 + (i % 17) * 3, 10 + Math.floor(i / 17) * 12]);
  await writeFile(template, JSON.stringify({ imageSize: 64, cropBox: [20, 20, 180, 180], landmarks }));
  imported = await importWeights({
    exportDir,
    outDir: join(root, 'model'),
    name: 'parity',
    version: '0.0.0',
    template,
    untrained: true,
  });
  model = await loadModel(imported.dir);
  fx = await readFixtures(exportDir);
}, 180_000);

afterAll(async () => {
  model?.dispose();
  if (root) await rm(root, { recursive: true, force: true });
});

/** max |a - b|, and the spread of the reference so a near-constant output cannot pass vacuously. */
function compare(actual: tf.Tensor, expected: tf.Tensor): { maxDiff: number; spread: number } {
  expect(actual.shape).toEqual(expected.shape);
  return tf.tidy(() => ({
    maxDiff: tf.max(tf.abs(tf.sub(actual, expected))).dataSync()[0]!,
    spread: tf.moments(expected).variance.sqrt().dataSync()[0]!,
  }));
}

describe('PyTorch -> tfjs parity (cpu backend)', () => {
  it('imports random nets as an untrained model with the export facts', () => {
    const m = imported.manifest;
    expect(m.trained).toBe(false);
    expect(m.width).toBe(WIDTH);
    expect(m.encoderWidth).toBe(WIDTH);
    expect(m.training).toMatchObject({ epochs: 0, steps: 0, encoderSteps: 0 });
    expect(m.alignmentTemplate.landmarks).toHaveLength(68);
    expect(model.manifest).toEqual(m);
    // the importer's own check ran on the same fixtures
    for (const d of Object.values(imported.parity)) expect(d).toBeLessThanOrEqual(TOLERANCE);
  });

  it('G(z, y) matches', () => {
    const { maxDiff, spread } = tf.tidy(() => {
      const z = fixtureTensor(fx.generator.z) as tf.Tensor2D;
      // the model API takes category indices: recover them from the fixture's one-hot
      const y = Array.from(tf.argMax(fixtureTensor(fx.generator.y), 1).dataSync());
      return compare(model.generate(z, y), fixtureTensor(fx.generator.out));
    });
    expect(spread).toBeGreaterThan(0.05);
    expect(maxDiff).toBeLessThanOrEqual(TOLERANCE);
  });

  it('E(x) matches', () => {
    const { maxDiff, spread } = tf.tidy(() =>
      compare(model.encode(fixtureTensor(fx.encoder.x) as tf.Tensor4D), fixtureTensor(fx.encoder.out)),
    );
    expect(spread).toBeGreaterThan(0.05);
    expect(maxDiff).toBeLessThanOrEqual(TOLERANCE);
  });

  it('D(x, y) matches', () => {
    const d = model.discriminator!;
    const { maxDiff, spread } = tf.tidy(() => {
      const out = d.apply([fixtureTensor(fx.discriminator.x), fixtureTensor(fx.discriminator.y)], {
        training: false,
      }) as tf.Tensor;
      return compare(out, fixtureTensor(fx.discriminator.out));
    });
    expect(spread).toBeGreaterThan(0.05);
    expect(maxDiff).toBeLessThanOrEqual(TOLERANCE);
  });

  it('C(x), the age classifier, matches, as the layers model and as the plain-op function detail refinement uses', () => {
    const c = model.ageClassifier!;
    expect(model.manifest.ageClassifier).toEqual({ width: WIDTH, testAccuracy: null, jittered: false });
    const f = fx.ageClassifier!;
    for (const run of [(x: tf.Tensor4D) => c.apply(x, { training: false }) as tf.Tensor, classifierFunction(c)]) {
      const { maxDiff, spread } = tf.tidy(() => compare(run(fixtureTensor(f.x) as tf.Tensor4D), fixtureTensor(f.out)));
      expect(spread).toBeGreaterThan(0.05);
      expect(maxDiff).toBeLessThanOrEqual(TOLERANCE);
    }
  });

  it('refuses to present random nets as trained, and needs the template', async () => {
    const opts = { exportDir, outDir: join(root, 'refused'), name: 'x', version: '0', template };
    await expect(importWeights(opts)).rejects.toThrow(/holds random networks \(export --random\): pass --untrained/);
    await expect(importWeights({ ...opts, untrained: true, template: join(root, 'none.json') })).rejects.toThrow(
      /none\.json not found: the alignment template .* pass --template FILE/,
    );
  });

  it('writes the known defects it is given into the manifest, and refuses a list that breaks the schema', async () => {
    expect(imported.manifest.knownDefects).toBeUndefined();
    const defects = [{ ageCategories: ['50-59'], level: 'warning', summary: 'A mark.', advice: 'Paint it out.' }];
    const file = join(root, 'defects.json');
    await writeFile(file, JSON.stringify(defects));
    const opts = { exportDir, name: 'x', version: '0', template, untrained: true, knownDefects: file };
    const withDefects = await importWeights({ ...opts, outDir: join(root, 'with-defects') });
    expect(withDefects.manifest.knownDefects).toEqual(defects);
    const loaded = await loadModel(withDefects.dir);
    expect(loaded.manifest.knownDefects).toEqual(defects);
    loaded.dispose();

    await writeFile(file, JSON.stringify([{ ...defects[0], ageCategories: ['fifties'] }]));
    await expect(importWeights({ ...opts, outDir: join(root, 'bad-defects') })).rejects.toThrow(
      /defects\.json: 0\.ageCategories\.0: /,
    );
  });

  it('converts back to the PyTorch export it came from, bit for bit (model-to-torch)', async () => {
    const back = join(root, 'back');
    const meta = await modelToTorch(model, back);
    expect(meta).toMatchObject({ width: WIDTH, encoderWidth: WIDTH, random: true, fromModel: { name: 'parity' } });
    // the importer's reader (it also checks the files' layout); bytes compared as hex
    const tensors = async (dir: string, net: NetName) =>
      new Map(
        [...(await readTorchWeights(dir, net))].map(([name, t]) => [
          name,
          { shape: t.shape, hex: Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength).toString('hex') },
        ]),
      );
    for (const net of NET_NAMES) {
      const original = await tensors(exportDir, net);
      const roundTrip = await tensors(back, net);
      expect([...roundTrip.keys()].sort()).toEqual([...original.keys()].sort());
      for (const [name, t] of original) expect(roundTrip.get(name), `${net} ${name}`).toEqual(t);
    }
    // and the trainer reads it (python3 -m reage_train.train gan --init-from DIR)
    const { stdout } = await promisify(execFile)(
      PYTHON,
      ['-c', `from reage_train.export import read_export; print(read_export(${JSON.stringify(back)})[3]["width"])`],
      { cwd: TRAINING_DIR },
    );
    expect(stdout.trim()).toBe(String(WIDTH));
  });
});
