/**
 * Progressive previews and their warm starts: the pictures on the way to a preview
 * come in order and before it, the final picture is the one a plain preview gives,
 * and a frame of a shot solved before starts from the nearest solved frame (fewer
 * steps), or reuses its own. With the random test model on the akiyo plate: it is
 * the pipeline under test, not the ageing.
 */
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PreviewStage, ReAgeEngine } from '../../src/main/engine/api.js';
import { initBackend } from '../../src/main/engine/backend.js';
import { WARM_PREVIEW_REACH, createEngine, refineStages } from '../../src/main/engine/engine.js';
import { warmStepsFor } from '../../src/main/engine/shot.js';
import { SolvedLatents } from '../../src/main/engine/solved-latents.js';
import type { AgeSettings } from '../../src/main/engine/types.js';
import { buildRandomModel, randomModelSettings } from '../helpers/random-model.js';

const AKIYO = resolve(import.meta.dirname, '../../../shared/footage/akiyo');
const plate = (frame: number) => join(AKIYO, `akiyo.${frame}.png`);

describe('SolvedLatents', () => {
  const z = (v: number) => ({ z: new Float32Array([v]) });

  it('finds the frame itself, else the nearest within reach, the earlier on a tie', () => {
    const m = new SolvedLatents(8);
    m.set('a', 10, z(10));
    m.set('a', 14, z(14));
    m.set('b', 11, z(11));
    expect(m.nearest('a', 10, 3)?.frame).toBe(10);
    expect(m.nearest('a', 11, 3)?.frame).toBe(10);
    expect(m.nearest('a', 12, 3)?.frame).toBe(10); // 2 frames either way
    expect(m.nearest('a', 13, 3)?.frame).toBe(14);
    expect(m.nearest('a', 18, 3)).toBeUndefined();
    expect(m.nearest('a', 17, 3)?.latent.z[0]).toBe(14);
    expect(m.nearest('c', 10, 3)).toBeUndefined();
    expect(m.nearest('b', 10, 3)?.frame).toBe(11);
  });

  it('forgets the least recently used beyond its capacity', () => {
    const m = new SolvedLatents(3);
    m.set('a', 1, z(1));
    m.set('a', 2, z(2));
    m.set('b', 1, z(1));
    m.nearest('a', 1, 0); // used: now the youngest
    m.set('b', 2, z(2)); // evicts a/2
    expect(m.size).toBe(3);
    expect(m.nearest('a', 2, 0)).toBeUndefined();
    expect(m.nearest('a', 1, 0)?.frame).toBe(1);
    m.set('c', 1, z(1)); // evicts b/1
    expect(m.nearest('b', 1, 0)).toBeUndefined();
    expect(m.nearest('b', 1, 1)?.frame).toBe(2);
    expect(() => new SolvedLatents(0)).toThrow(RangeError);
  });
});

describe('refineStages', () => {
  it('a quarter of the budget in pixel mode, every quarter in identity mode, none that is not between', () => {
    expect(refineStages('pixel', 150)).toEqual([38]);
    expect(refineStages('identity', 150)).toEqual([38, 75, 113]);
    expect(refineStages('identity', 2)).toEqual([1]);
    expect(refineStages('pixel', 1)).toEqual([]);
  });
});

describe.skipIf(!existsSync(AKIYO))('progressive previews (random model)', () => {
  let modelDir: string;
  const engines: ReAgeEngine[] = [];
  const settings = randomModelSettings(12);

  async function engine(): Promise<ReAgeEngine> {
    const e = await createEngine({ backend: 'wasm', modelDir });
    engines.push(e);
    return e;
  }

  async function progressive(e: ReAgeEngine, frame: number, s: AgeSettings = settings, signal?: AbortSignal) {
    const stages: PreviewStage[] = [];
    let settled = false;
    const result = await e.preview(plate(frame), frame, s, signal, (stage) => {
      expect(settled).toBe(false); // never after the result
      stages.push(stage);
    });
    settled = true;
    return { result, stages };
  }

  const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

  beforeAll(async () => {
    await initBackend('wasm');
    modelDir = await buildRandomModel(8);
  }, 120_000);

  afterAll(async () => {
    for (const e of engines) e.dispose();
    if (modelDir) await rm(join(modelDir, '..'), { recursive: true, force: true });
  });

  it('sends the encoder picture, then a refining one, in order; the final is the plain preview', async () => {
    const e = await engine();
    const before = tf.memory().numTensors;
    const { result, stages } = await progressive(e, 1001);
    expect(tf.memory().numTensors).toBe(before);
    expect(stages.map((s) => [s.stage, s.updates, s.steps])).toEqual([
      ['encoder', 0, 12],
      ['refining', 3, 12],
    ]);
    expect(stages.map((s) => s.seconds)).toEqual([...stages.map((s) => s.seconds)].sort((a, b) => a - b));
    expect(stages[1]!.seconds).toBeLessThanOrEqual(result.seconds);
    // the plate comes with the first picture only; face and mask with each
    expect(stages[0]!.beforePng && same(stages[0]!.beforePng, result.beforePng)).toBe(true);
    expect(stages[1]!.beforePng).toBeUndefined();
    for (const s of stages) {
      expect(s).toMatchObject({ frame: 1001, width: 352, height: 288, sourceAge: '19-29' });
      expect(s.face?.landmarks).toHaveLength(68);
      expect(s.maskOutline).toEqual(result.maskOutline);
      expect(s.warmStartFrame).toBeUndefined();
    }
    // each picture is a picture of its own: the latent changes as it is refined
    expect(same(stages[0]!.afterPng, stages[1]!.afterPng)).toBe(false);
    expect(same(stages[1]!.afterPng, result.afterPng)).toBe(false);
    expect(result.warmStartFrame).toBeUndefined();
    expect(result.losses).toHaveLength(settings.steps + 1);

    // a fresh engine's plain (non-progressive) preview of the frame: bit for bit the same
    const plain = await (await engine()).preview(plate(1001), 1001, settings);
    expect(same(result.afterPng, plain.afterPng)).toBe(true);
    expect(result.losses).toEqual(plain.losses);
  }, 120_000);

  it("with 'auto' source age, the encoder picture comes before the shot's estimate, and only once", async () => {
    const e = await engine();
    const auto = { ...settings, sourceAge: 'auto' as const };
    const { result, stages } = await progressive(e, 1001, auto);
    expect(stages.map((s) => s.stage)).toEqual(['encoder', 'refining']);
    // akiyo reads 19-29 alone and over the shot: the early picture is the start's own
    expect(stages[0]!.sourceAge).toBe(result.sourceAge);
    const plain = await (await engine()).preview(plate(1001), 1001, auto);
    expect(same(result.afterPng, plain.afterPng)).toBe(true);
  }, 120_000);

  it('warm-starts a neighbouring frame from the solved one, with the warm step budget', async () => {
    const e = await engine();
    await progressive(e, 1001);
    const { result, stages } = await progressive(e, 1003);
    const warmSteps = warmStepsFor(settings);
    expect(result.warmStartFrame).toBe(1001);
    expect(result.losses).toHaveLength(warmSteps + 1);
    expect(warmSteps).toBeLessThan(settings.steps);
    // the first picture is the solved neighbour's latent on this face, then a quarter of the warm budget
    expect(stages.map((s) => [s.stage, s.updates, s.steps, s.warmStartFrame])).toEqual([
      ['warm', 0, warmSteps, 1001],
      ['refining', Math.round(warmSteps / 4), warmSteps, 1001],
    ]);
    // started where the neighbour ended: lower than a cold start's first loss
    const cold = await (await engine()).preview(plate(1003), 1003, settings);
    expect(cold.warmStartFrame).toBeUndefined();
    expect(result.losses![0]).toBeLessThan(cold.losses![0]!);

    // then the nearer solved frame: 1003 for 1004 (not 1001)
    expect((await progressive(e, 1004)).result.warmStartFrame).toBe(1003);
    // a frame beyond reach starts cold, with the whole budget
    const far = await progressive(e, 1004 + WARM_PREVIEW_REACH + 1);
    expect(far.result.warmStartFrame).toBeUndefined();
    expect(far.result.losses).toHaveLength(settings.steps + 1);
    // other reconstruction settings (steps) solve their own latents
    const other = await progressive(e, 1002, { ...settings, steps: 11 });
    expect(other.result.warmStartFrame).toBeUndefined();
    expect(other.result.losses).toHaveLength(12);
  }, 180_000);

  it('reuses a solved frame at another target age as it was: the cold preview, without optimising', async () => {
    const e = await engine();
    await progressive(e, 1001);
    const older = { ...settings, targetAge: '50-59' as const };
    const { result, stages } = await progressive(e, 1001, older);
    expect(result.warmStartFrame).toBe(1001);
    expect(result.losses).toEqual([]);
    expect(stages).toEqual([]);
    const plain = await (await engine()).preview(plate(1001), 1001, older);
    expect(same(result.afterPng, plain.afterPng)).toBe(true);
  }, 120_000);

  it('sends nothing once aborted, and rejects', async () => {
    const e = await engine();
    const controller = new AbortController();
    const stages: PreviewStage[] = [];
    // identity mode: its updates (through the recogniser) take long enough for the picture to go first
    const slow = { ...settings, mode: 'identity' as const, steps: 40 };
    const run = e.preview(plate(1001), 1001, slow, controller.signal, (s) => {
      stages.push(s);
      controller.abort(new Error('superseded by test'));
    });
    await expect(run).rejects.toThrow('superseded by test');
    await new Promise((r) => setTimeout(r, 200));
    expect(stages.map((s) => s.stage)).toEqual(['encoder']);
    // the aborted preview solved nothing: the next one starts cold
    expect((await e.preview(plate(1002), 1002, slow)).warmStartFrame).toBeUndefined();
  }, 120_000);
});
