import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/main/engine/backend.js';
import {
  HUMAN_AGE_ESTIMATORS,
  HUMAN_AGE_ESTIMATOR_IDS,
  MissingEstimatorError,
  defaultHumanModelsDir,
  gearAge,
  loadAgeEstimator,
} from '../../src/main/eval/age-estimators.js';
import { defaultDataDir, imagePath, listSplit, loadTrainingCrop } from '../../src/main/eval/data.js';
import { unitBatch } from '../../src/main/eval/evaluate.js';

describe('gearAge', () => {
  it('reads a certain bin as its representative age', () => {
    expect(gearAge([0, 0, 0, 1, 0, 0, 0])).toBe(35.5);
    expect(gearAge([0, 0, 0, 0, 0, 0, 1])).toBe(65);
  });

  it('moves from the most likely bin towards the others by their probability', () => {
    // most likely: 41-50 (45.5); then 0.3 of the way to 51-60 (55.5): 48.5
    expect(gearAge([0, 0, 0, 0, 0.7, 0.3, 0])).toBeCloseTo(48.5, 10);
    // a second move starts from where the first ended: 45.5 → 48.5 → 48.5 + 0.1·(15 − 48.5)
    expect(gearAge([0.1, 0, 0, 0, 0.6, 0.3, 0])).toBeCloseTo(45.15, 10);
  });
});

describe('loadAgeEstimator', () => {
  it('names the missing file and how to get it', async () => {
    const err = await loadAgeEstimator('ssrnet', '/nonexistent/models').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MissingEstimatorError);
    expect((err as Error).message).toContain(join('/nonexistent/models', HUMAN_AGE_ESTIMATORS.ssrnet.file));
    expect((err as Error).message).toContain('fetch-human-models.sh');
  });
});

// The networks themselves, where scripts/fetch-human-models.sh has unpacked them and
// the dataset is present (neither is part of CI's clean clone).
const haveModels = existsSync(join(defaultHumanModelsDir(), 'age.json'));
describe.skipIf(!haveModels || !existsSync(defaultDataDir()))('human-models age estimators on real faces', () => {
  let faces: tf.Tensor4D;
  beforeAll(async () => {
    await initBackend('auto');
    const names = (await listSplit(defaultDataDir(), 'test')).slice(0, 4);
    const crops = await Promise.all(names.map((n) => loadTrainingCrop(imagePath(defaultDataDir(), n), 64)));
    faces = unitBatch(crops, 64, false);
  });
  afterAll(() => faces.dispose());

  for (const id of HUMAN_AGE_ESTIMATOR_IDS)
    it(`${id} gives one plausible, face-dependent age per face`, async () => {
      const est = await loadAgeEstimator(id, defaultHumanModelsDir());
      try {
        const ages = await est.estimate(faces);
        expect(ages).toHaveLength(4);
        for (const a of ages) {
          expect(a).toBeGreaterThanOrEqual(0);
          expect(a).toBeLessThanOrEqual(100);
        }
        expect(new Set(ages.map((a) => a.toFixed(3))).size).toBeGreaterThan(1);
      } finally {
        est.dispose();
      }
    }, 60_000);
});
