/**
 * A randomly initialised model folder for tests that need the whole engine but not
 * a trained one. Marked `trained: false` in its manifest, named "random-test", built
 * in a temp folder: never shipped, never a default. It carries the real alignment
 * template measured on the training crops (training/template.json), so alignment and
 * compositing behave as with the shipped model.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AGE_CATEGORIES } from '../../src/shared/ages.js';
import type { AlignmentTemplate, ModelManifest } from '../../src/main/engine/model.js';
import type { AgeSettings } from '../../src/main/engine/types.js';
import { IMAGE_SIZE, NET_NAMES, Z_DIM, buildNet } from '../../src/main/engine/nets.js';
import { saveModelFolder } from '../../scripts/import-weights.js';

/**
 * Settings under which a random model's change shows: replace compositing (its age delta
 * is below one 8-bit level, its replaced face is not), G alone, a fixed source age.
 */
export function randomModelSettings(steps: number): AgeSettings {
  return {
    targetAge: '60+',
    sourceAge: '19-29',
    mode: 'pixel',
    detail: false,
    composite: 'replace',
    strength: 1,
    texture: 0,
    steps,
    seed: 0,
  };
}

export function trainingTemplate(): AlignmentTemplate {
  const t = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'training', 'template.json'), 'utf8'));
  return { imageSize: t.imageSize, cropBox: t.cropBox, landmarks: t.landmarks };
}

/** Builds the folder and returns its path; the caller removes it. */
export async function buildRandomModel(width = 8, template = trainingTemplate()): Promise<string> {
  const dir = join(await mkdtemp(join(tmpdir(), 'reage-random-model-')), 'model');
  const nets = Object.fromEntries(NET_NAMES.map((n) => [n, buildNet(n, width)]));
  const meta: Omit<ModelManifest, 'files'> = {
    name: 'random-test',
    version: '0.0.0',
    format: 1,
    imageSize: IMAGE_SIZE,
    zDim: Z_DIM,
    ageCategories: [...AGE_CATEGORIES],
    width,
    encoderWidth: width,
    trained: false,
    training: { data: 'none: random weights', terms: 'tests only', epochs: 0, steps: 0, encoderSteps: 0 },
    alignmentTemplate: template,
    ageClassifier: { width, testAccuracy: null, jittered: false },
  };
  try {
    await saveModelFolder(dir, nets, meta);
  } finally {
    for (const m of Object.values(nets)) m.dispose();
  }
  return dir;
}
