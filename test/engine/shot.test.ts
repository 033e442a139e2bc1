/**
 * The shot loop: its own check of a shot's settings before any frame is read; an
 * unwritable output found before any work; and pre-roll, which warms the track of a
 * resumed render's first frame (with the random test model on the akiyo plate, so
 * it is the pipeline under test, not the ageing).
 */
import { existsSync } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ageFace, loadAgingModel } from '../../src/main/engine/aging-model.js';
import { StageTimer } from '../../src/main/engine/stage-timer.js';
import type { ShotJob, ShotProgress } from '../../src/main/engine/api.js';
import { initBackend } from '../../src/main/engine/backend.js';
import { InputError } from '../../src/main/engine/sequence-io.js';
import {
  DEFAULT_PRE_ROLL,
  checkPreRoll,
  checkSettings,
  preRollRefs,
  runShot,
  type ShotContext,
} from '../../src/main/engine/shot.js';
import type { AgeSettings, FrameReport } from '../../src/main/engine/types.js';
import { buildRandomModel } from '../helpers/random-model.js';

const AKIYO = resolve(import.meta.dirname, '../../../shared/footage/akiyo');

const settings: AgeSettings = {
  targetAge: '60+',
  sourceAge: 'auto',
  mode: 'identity',
  detail: true,
  strength: 1,
  texture: 1,
  composite: 'delta',
  steps: 10,
  seed: 0,
};

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'reage-shot-'));
});
afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('checkSettings', () => {
  it('accepts the texture from 0 (the Age-cGAN change alone) to 2', () => {
    for (const texture of [0, 0.5, 1, 2]) expect(() => checkSettings({ ...settings, texture })).not.toThrow();
  });

  it('refuses a texture out of range, or not a number, as an input error naming it', () => {
    for (const texture of [-0.1, 2.5, Number.NaN, Infinity]) {
      expect(() => checkSettings({ ...settings, texture })).toThrow(InputError);
      expect(() => checkSettings({ ...settings, texture })).toThrow(`texture must be between 0 and 2 (got ${texture})`);
    }
  });

  it('holds steps, warm steps and the seed to the limits the schemas and the CLI use', () => {
    expect(() => checkSettings({ ...settings, steps: 0 })).toThrow(
      'steps must be a whole number from 1 to 2000 (got 0)',
    );
    expect(() => checkSettings({ ...settings, steps: 2.5 })).toThrow(InputError);
    expect(() => checkSettings({ ...settings, warmSteps: 0 })).toThrow(/warm steps must be a whole number from 1/);
    expect(() => checkSettings({ ...settings, seed: 2 ** 31 })).toThrow(
      /seed must be a whole number from 0 to 2147483647/,
    );
    expect(() => checkSettings({ ...settings, steps: 1, warmSteps: 1, seed: 2 ** 31 - 1 })).not.toThrow();
  });

  it('refuses an age strength out of range', () => {
    expect(() => checkSettings({ ...settings, strength: 4 })).toThrow(/age strength must be between 0 and 3/);
  });

  it('refuses a pre-roll that is not a whole number of frames', () => {
    for (const preRoll of [0, 1, DEFAULT_PRE_ROLL, 50]) expect(() => checkPreRoll(preRoll)).not.toThrow();
    for (const preRoll of [-1, 1.5, Number.NaN]) expect(() => checkPreRoll(preRoll)).toThrow(InputError);
  });
});

describe('preRollRefs', () => {
  const refs = [1, 2, 3, 4, 5].map((frame) => ({ frame, path: `f.${frame}.png` }));
  it('takes the frames just before, bounded by the start of the shot', () => {
    expect(preRollRefs(refs, 4, 3).map((r) => r.frame)).toEqual([2, 3, 4]);
    expect(preRollRefs(refs, 2, 3).map((r) => r.frame)).toEqual([1, 2]);
    expect(preRollRefs(refs, 0, 3)).toEqual([]);
    expect(preRollRefs(refs, 4, 0)).toEqual([]);
  });
});

/** Networks that fail the test when anything touches them: nothing may be aged or estimated. */
const untouchable: ShotContext = {
  model: new Proxy({} as ShotContext['model'], {
    get: (_, key) => {
      throw new Error(`the networks were used (${String(key)}) before the output was checked`);
    },
  }),
  backend: 'cpu',
};

async function smallPlates(dir: string, frames: number[]): Promise<void> {
  await mkdir(dir, { recursive: true });
  const data = Buffer.alloc(16 * 12 * 3, 128);
  for (const f of frames) {
    await sharp(data, { raw: { width: 16, height: 12, channels: 3 } })
      .png()
      .toFile(join(dir, `plate.${f}.png`));
  }
}

describe('an output that cannot be written', () => {
  const rootSkip = process.getuid?.() === 0;

  async function refused(out: string): Promise<{ error: unknown; frames: number; progress: number }> {
    const input = join(tmp, 'plates');
    await smallPlates(input, [1, 2]);
    let frames = 0;
    let progress = 0;
    const error = await runShot(
      untouchable,
      { input, out, settings },
      { onFrame: () => frames++, onProgress: () => progress++ },
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    return { error, frames, progress };
  }

  it('is refused before the source age or any frame, naming what is in the way', async () => {
    const blocker = join(tmp, 'not-a-folder');
    await writeFile(blocker, 'a file where a folder should be');
    const { error, frames, progress } = await refused(join(blocker, 'aged') + '/');
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toBe(
      `cannot create the output folder ${join(blocker, 'aged')}: ${blocker} is a file, not a folder; choose another output folder`,
    );
    expect([frames, progress]).toEqual([0, 0]);
  });

  it('whose folder takes no new files is refused before any work, not at the first write', async () => {
    // the folder is fine, but the names leave no room for the atomic write's hidden temp: every write would fail
    const out = join(tmp, 'long-names', `${'a'.repeat(240)}.####.png`);
    const { error, frames } = await refused(out);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toMatch(
      /^cannot write to the output folder .*long-names: the output file names are too long/,
    );
    expect(frames).toBe(0);
  });

  it.skipIf(rootSkip)(
    'in a read-only folder is refused before any frame (skipped as root: root writes through permissions)',
    async () => {
      const locked = join(tmp, 'locked');
      await mkdir(locked, { recursive: true });
      await chmod(locked, 0o555);
      try {
        const { error, frames } = await refused(join(locked, 'aged') + '/');
        expect(error).toBeInstanceOf(InputError);
        expect((error as Error).message).toMatch(/^cannot create the output folder .*locked.aged: .*permission denied/);
        expect(frames).toBe(0);
      } finally {
        await chmod(locked, 0o755);
      }
    },
  );
});

async function maxDifference(a: string, b: string): Promise<number> {
  const [x, y] = await Promise.all([sharp(a).raw().toBuffer(), sharp(b).raw().toBuffer()]);
  expect(y.length).toBe(x.length);
  let max = 0;
  for (let i = 0; i < x.length; i++) max = Math.max(max, Math.abs(x[i]! - y[i]!));
  return max;
}

describe.skipIf(!existsSync(AKIYO))('pre-roll on resume', () => {
  let modelDir: string;
  let ctx: ShotContext;
  const shot: AgeSettings = {
    ...settings,
    sourceAge: '19-29',
    mode: 'pixel',
    composite: 'replace',
    texture: 0,
    strength: 1.5,
    steps: 6,
  };
  const FRAMES = [1001, 1002, 1003, 1004, 1005, 1006];
  const name = (f: number) => `akiyo.${f}.png`;

  beforeAll(async () => {
    await initBackend('wasm');
    modelDir = await buildRandomModel(8);
    ctx = { model: await loadAgingModel({ modelDir }), backend: 'wasm' };
  }, 120_000);

  afterAll(async () => {
    ctx?.model.dispose();
    if (modelDir) await rm(join(modelDir, '..'), { recursive: true, force: true });
  });

  function job(out: string, extra: Partial<ShotJob> & { preRoll?: number } = {}) {
    return { input: join(AKIYO, 'akiyo.####.png'), frames: '1001-1006', out: out + '/', settings: shot, ...extra };
  }

  /** A render stopped after `kept` frames and resumed with `preRoll`, as its own folder. */
  async function resumed(uninterrupted: string, label: string, kept: number, preRoll: number) {
    const out = join(tmp, label);
    await mkdir(out, { recursive: true });
    for (const f of FRAMES.slice(0, kept)) await copyFile(join(uninterrupted, name(f)), join(out, name(f)));
    const reports: FrameReport[] = [];
    const progress: ShotProgress[] = [];
    await runShot(ctx, job(out, { resume: true, preRoll }), {
      onFrame: (r) => reports.push(r),
      onProgress: (p) => progress.push(p),
    });
    const differences: number[] = [];
    for (const f of FRAMES.slice(kept))
      differences.push(await maxDifference(join(uninterrupted, name(f)), join(out, name(f))));
    return { reports, progress, differences };
  }

  it('with latent smoothing, a frame is aged from its latent blended with the last frame’s', async () => {
    const { data, info } = await sharp(join(AKIYO, name(1002)))
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    const image = {
      width: info.width,
      height: info.height,
      channels: 3,
      bitDepth: 8,
      data: new Uint8Array(data),
    } as const;
    const [face] = await ctx.model.analyzer.detect(image);
    const request = {
      image,
      landmarks: face!.landmarks,
      sourceIndex: 1,
      targetIndex: 5,
      mode: 'pixel' as const,
      composite: 'replace' as const,
      steps: 1,
      detail: false,
      strength: 1,
      texture: 0,
      seed: 0,
      timer: new StageTimer(),
    };
    const own = await ageFace(ctx.model, request);
    expect(own.shownZ).toBe(own.z);
    const previous = own.z.map((v, i) => v + (i % 2 ? 1 : -1));
    const smoothed = await ageFace(ctx.model, { ...request, smoothing: { shownZ: previous, keep: 0.25 } });
    // the optimised latent is the frame's own (it warm-starts the next); the picture is from the blend
    expect(smoothed.z).toEqual(own.z);
    for (let i = 0; i < own.z.length; i++)
      expect(smoothed.shownZ[i]).toBeCloseTo(0.75 * own.z[i]! + 0.25 * previous[i]!, 5);
    expect(Buffer.from(smoothed.output.data).equals(Buffer.from(own.output.data))).toBe(false);
    const none = await ageFace(ctx.model, { ...request, smoothing: { shownZ: previous, keep: 0 } });
    expect(Buffer.from(none.output.data).equals(Buffer.from(own.output.data))).toBe(true);

    // over a shot: the first frame has nothing before it, the next ones are blended
    const render = async (label: string, latentSmoothing: number) => {
      const out = join(tmp, label);
      await runShot(ctx, job(out, { frames: '1001-1002', settings: { ...shot, latentSmoothing } }));
      return out;
    };
    const [plain, blended] = [await render('unsmoothed', 0), await render('smoothed', 0.75)];
    expect(await maxDifference(join(plain, name(1001)), join(blended, name(1001)))).toBe(0);
    expect(await maxDifference(join(plain, name(1002)), join(blended, name(1002)))).toBeGreaterThan(0);
    expect(() => checkSettings({ ...shot, latentSmoothing: 1 })).toThrow(/latent smoothing must be between 0 and 0.9/);
  }, 300_000);

  it('a resumed render matches the uninterrupted one; without pre-roll its first frame restarts cold', async () => {
    const uninterrupted = join(tmp, 'uninterrupted');
    const whole: FrameReport[] = [];
    await runShot(ctx, job(uninterrupted), { onFrame: (r) => whole.push(r) });
    expect(whole.map((r) => r.status)).toEqual(FRAMES.map(() => 'done'));

    // stopped after 1003: pre-roll reaches back to the shot's start, so it is the very same chain
    const warm = await resumed(uninterrupted, 'pre-rolled', 3, 3);
    const cold = await resumed(uninterrupted, 'cold', 3, 0);
    expect(warm.differences).toEqual([0, 0, 0]);
    expect(Math.max(...cold.differences)).toBeGreaterThan(0);
    // stopped after 1004: pre-roll starts cold at 1002, where the uninterrupted render was warm,
    // so it only approximates that chain, but still far closer than a cold restart
    const nearly = await resumed(uninterrupted, 'pre-rolled-later', 4, 3);
    const restarted = await resumed(uninterrupted, 'cold-later', 4, 0);
    expect(Math.max(...nearly.differences)).toBeLessThan(Math.max(...restarted.differences));

    // pre-rolled frames are neither reported nor written; they show in progress with the count held
    expect(warm.reports.map((r) => [r.frame, r.status])).toEqual([
      [1001, 'skipped'],
      [1002, 'skipped'],
      [1003, 'skipped'],
      [1004, 'done'],
      [1005, 'done'],
      [1006, 'done'],
    ]);
    expect(warm.progress.map((p) => [p.done, p.frame])).toEqual([
      [1, 1001],
      [2, 1002],
      [3, 1003],
      [3, 1001],
      [3, 1002],
      [3, 1003],
      [4, 1004],
      [5, 1005],
      [6, 1006],
    ]);
    expect(warm.progress[3]!.etaSeconds).toBeGreaterThan(0);
    // the resumed frame is warm-started as in the uninterrupted render, not given the full budget
    const steps = (r: FrameReport[]) => r.find((x) => x.frame === 1004)!.losses!.steps;
    expect(steps(warm.reports)).toBe(steps(whole));
    expect(steps(cold.reports)).toBe(shot.steps);

    // a job that renders only part of the shot (the studio's queue after a pre-emption, a
    // farm chunk) pre-rolls from the shot's frames before its first, given as shotFrames
    const part = async (label: string, extra: Partial<ShotJob>) => {
      const out = join(tmp, label);
      await runShot(ctx, job(out, { frames: '1004-1006', preRoll: 3, ...extra }));
      const differences: number[] = [];
      for (const f of FRAMES.slice(3))
        differences.push(await maxDifference(join(uninterrupted, name(f)), join(out, name(f))));
      return differences;
    };
    expect(await part('part-in-shot', { shotFrames: '1001-1006' })).toEqual([0, 0, 0]);
    expect(Math.max(...(await part('part-alone', {})))).toBeGreaterThan(0);
  }, 300_000);
});
