/**
 * runEval end to end on a small random model (test/helpers/random-model.ts), four
 * UTKFace test images, two optimiser steps and a short footage check: what is checked
 * is the pipeline and the report's bookkeeping, not the model's quality (a random
 * model's figures are ~0%). Skipped where ../shared/datasets/utkface is absent.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGE_CATEGORIES } from '../../src/shared/ages.js';
import { initBackend } from '../../src/main/engine/backend.js';
import { DETAIL_DEFAULTS } from '../../src/main/engine/detail.js';
import { defaultDataDir, defaultFootageDir, imagePath, loadTrainingCrop } from '../../src/main/eval/data.js';
import { formatEvalTable, runEval, type EvalProgress, type EvalReport } from '../../src/main/eval/evaluate.js';
import { STRIP_COLUMNS, readFaceStrip, stripFileName } from '../../src/main/eval/face-strip.js';
import { buildRandomModel } from '../helpers/random-model.js';

const haveData = existsSync(join(defaultDataDir(), 'test.txt'));
const haveFootage = existsSync(join(defaultFootageDir(), 'akiyo'));

describe.skipIf(!haveData)('runEval', () => {
  let modelDir: string;
  let work: string;
  let report: EvalReport;
  const progress: EvalProgress[] = [];
  let tensorsBefore: number;

  beforeAll(async () => {
    await initBackend('wasm');
    modelDir = await buildRandomModel(8);
    work = await mkdtemp(join(tmpdir(), 'reage-eval-'));
    tensorsBefore = tf.memory().numTensors;
    report = await runEval({
      backend: 'wasm',
      modelDir,
      limit: 4,
      steps: 2,
      detail: true,
      calibrationImages: 16,
      footageStride: 12,
      footageFrames: 3,
      out: join(work, 'reports', 'eval.md'),
      facesDir: join(work, 'strips'),
      onProgress: (p) => progress.push(p),
    });
  });

  afterAll(async () => {
    await rm(dirname(modelDir), { recursive: true, force: true });
    await rm(work, { recursive: true, force: true });
  });

  it('evaluates a stratified selection and says what it ran', () => {
    expect(report.data.images).toBe(4);
    expect(report.images.map((i) => i.category)).toEqual(AGE_CATEGORIES.slice(0, 4));
    expect(Object.values(report.data.perCategory)).toEqual([1, 1, 1, 1, 0, 0]);
    expect(report.data.calibrationImages).toBe(16);
    expect(report.model).toMatchObject({ name: 'random-test', trained: false, width: 8 });
    expect(report.backend.name).toBe('wasm');
    expect(report.hardware.cores).toBeGreaterThan(0);
    // a calibration count other than the default is part of what the run was: the command repeats it
    expect(report.command).toContain('--limit 4 --steps 2 --detail on --calibration-images 16 --backend wasm --model');
    expect(report.settings.detail).toMatch(/^on: /);
    // the random model ships an age classifier, so detail is fitted per target with the age term
    expect(report.settings.detail).toContain(`with an age term (weight ${DETAIL_DEFAULTS.ageWeight})`);
    expect(report.timings.perImage.detail).toBeGreaterThan(0);
    expect(report.notes.join('\n')).toMatch(/UNTRAINED/);
  });

  it('calibrates the threshold and checks it on same-person pairs', () => {
    const t = report.threshold;
    expect(t.pairs).toBe(120);
    expect(t.achievedFar).toBeLessThanOrEqual(0.01);
    expect(t.threshold).toBeGreaterThan(0);
    expect(t.threshold).toBeLessThan(2);
    const mirror = t.checks[0]!;
    expect(mirror.kind).toBe('same');
    expect(mirror.accepted.n).toBe(16);
    if (haveFootage) {
      // 3 frames per shot, 12 apart: 3 same-actor pairs per shot, 9 cross-shot pairs per shot pair
      const footage = t.checks.filter((c) => c.kind === 'same').slice(1);
      expect(footage.length).toBeGreaterThanOrEqual(1);
      for (const c of footage) expect(c.accepted.n).toBeLessThanOrEqual(3);
    }
  });

  it('fills every figure with the right counts', () => {
    for (const r of Object.values(report.reconstruction)) expect(r.accepted.n).toBe(4);
    expect(report.reconstruction.pixel.meanSteps).toBeLessThanOrEqual(2);
    expect(report.aging.map((a) => a.category)).toEqual([...AGE_CATEGORIES]);
    for (const [i, a] of report.aging.entries()) {
      expect(a.identity.n).toBe(4);
      expect(a.identityChanged.n).toBe(i < 4 ? 3 : 4);
    }
    expect(report.ageAccuracy.map((e) => e.estimator)).toEqual(['faceres', 'face-api']);
    for (const e of report.ageAccuracy) {
      for (const c of e.perCategory) expect(c.generated.n).toBe(4);
      expect(e.perCategory.reduce((s, c) => s + c.real.n, 0)).toBe(16);
    }
    expect(report.targets.ageAccuracyDrop.measured).toBe(report.ageAccuracy[0]!.relativeDrop);
    for (const im of report.images) {
      expect(im.distance.aged).toHaveLength(6);
      expect(im.estimatedAge.faceres.aged).toHaveLength(6);
      expect(im.estimatedAge['face-api'].aged).toHaveLength(6);
      expect(im.estimatedAge['face-api'].real).toBeGreaterThan(0);
      // the aged face at its own category is the identity-preserving reconstruction
      expect(im.distance.aged[AGE_CATEGORIES.indexOf(im.category)]).toBeCloseTo(im.distance.identity, 4);
      for (const d of Object.values(im.optimiserDistance)) expect(d).toBeGreaterThan(0);
      expect(im.seconds.optimiseIdentity).toBeGreaterThan(0);
      expect(im.seconds.total).toBeGreaterThan(im.seconds.optimiseIdentity);
    }
    const ownIdentity = report.images.map((im) => im.optimiserDistance.identity);
    expect(report.reconstruction.identity.meanOptimiserDistance).toBeCloseTo(
      ownIdentity.reduce((a, b) => a + b, 0) / ownIdentity.length,
      6,
    );
    expect(report.timings.perImage.measure).toBeGreaterThan(0);
    expect(report.targets.identityReconstruction.target).toBe(0.9);
  });

  it('saves one strip per face: its real crop, then the nine faces it measured', async () => {
    const files = (await readdir(join(work, 'strips'))).sort();
    expect(files).toEqual(report.images.map((i) => stripFileName(i.name)).sort());
    const tiles = await readFaceStrip(join(work, 'strips', stripFileName(report.images[0]!.name)), 64);
    expect(tiles).toHaveLength(STRIP_COLUMNS.length);
    const crop = await loadTrainingCrop(imagePath(defaultDataDir(), report.images[0]!.name), 64);
    expect(tiles[0]).toEqual(crop);
    // a random G draws something else than the real face
    expect(tiles[1]).not.toEqual(crop);
    expect(report.command).toContain('--save-faces');
    expect(report.notes.join('\n')).toContain('one PNG strip per face');
  });

  it('is JSON-serialisable and writes the markdown report', async () => {
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
    expect(await readFile(join(work, 'reports', 'eval.md'), 'utf8')).toBe(formatEvalTable(report));
  });

  it('reports progress per stage with an ETA, and releases every tensor', () => {
    const stages = new Set(progress.map((p) => p.stage));
    for (const s of [
      'load',
      'calibrate',
      'encode',
      'optimise (pixel)',
      'optimise (identity)',
      'generate',
      'measure',
      'done',
    ])
      expect(stages).toContain(s);
    if (haveFootage) expect(stages).toContain('footage');
    const images = progress.filter((p) => p.stage === 'measure');
    expect(images.map((p) => p.done)).toEqual([0, 1, 2, 3]);
    expect(images[0]!.etaSeconds).toBeNull();
    expect(images[3]!.etaSeconds).toBeGreaterThan(0);
    expect(progress.at(-1)).toMatchObject({ stage: 'done', done: 4, total: 4, etaSeconds: 0 });
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });

  it('aborts with the signal’s reason, without leaking', async () => {
    const ac = new AbortController();
    const before = tf.memory().numTensors;
    await expect(
      runEval({
        backend: 'wasm',
        modelDir,
        limit: 2,
        steps: 50,
        calibrationImages: 16,
        footageDir: null,
        signal: ac.signal,
        onProgress: (p) => {
          if (p.stage === 'optimise (identity)') ac.abort(new Error('stop now'));
        },
      }),
    ).rejects.toThrow('stop now');
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses bad options before loading anything', async () => {
    await expect(runEval({ backend: 'wasm', modelDir, limit: 0, steps: 1 })).rejects.toThrow(/limit/);
    await expect(runEval({ backend: 'wasm', modelDir, steps: -1 })).rejects.toThrow(/steps/);
  });
});
