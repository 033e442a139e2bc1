/**
 * Age over time in the engine (issue #22, item 2): each frame's target from the shot's
 * age keys (frameTarget), two ageings of one reconstruction blended between keys of
 * different ages (blendAgedFrames), and a shot rendered with keys (the random test model
 * on the akiyo plate: the pipeline under test, not the ageing).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blendAgedFrames, loadAgingModel, type AgedFrame } from '../../src/main/engine/aging-model.js';
import { initBackend } from '../../src/main/engine/backend.js';
import { InputError } from '../../src/main/engine/sequence-io.js';
import { checkSettings, frameTarget, runShot, type ShotContext } from '../../src/main/engine/shot.js';
import type { AgeSettings, FrameReport } from '../../src/main/engine/types.js';
import { buildRandomModel } from '../helpers/random-model.js';

const AKIYO = resolve(import.meta.dirname, '../../../shared/footage/akiyo');

const settings: AgeSettings = {
  targetAge: '60+',
  sourceAge: '19-29',
  mode: 'pixel',
  detail: false,
  strength: 1.5,
  texture: 0,
  composite: 'replace',
  steps: 6,
  seed: 0,
};

describe('frameTarget', () => {
  it('is the shot’s target and strength without keys', () => {
    expect(frameTarget(settings, 1001)).toEqual({ targetIndex: 5, strength: 1.5 });
  });

  it('with keys: one category on a key and outside them, two blended between keys of different ages', () => {
    const keyed: AgeSettings = {
      ...settings,
      ageKeys: [
        { frame: 1001, age: '0-18' },
        { frame: 1003, age: '60+', strength: 1 },
        { frame: 1005, age: '60+', strength: 2 },
      ],
    };
    expect(frameTarget(keyed, 990)).toEqual({ targetIndex: 0, strength: 1.5 });
    expect(frameTarget(keyed, 1001)).toEqual({ targetIndex: 0, strength: 1.5 });
    expect(frameTarget(keyed, 1002)).toEqual({ targetIndex: 0, strength: 1.25, blend: { targetIndex: 5, t: 0.5 } });
    expect(frameTarget(keyed, 1003)).toEqual({ targetIndex: 5, strength: 1 });
    // the same age on both sides: no blend, the strength eased
    expect(frameTarget(keyed, 1004)).toEqual({ targetIndex: 5, strength: 1.5 });
    expect(frameTarget(keyed, 1100)).toEqual({ targetIndex: 5, strength: 2 });
  });

  it('is checked with the other settings', () => {
    const keys = [
      { frame: 2, age: '60+' as const },
      { frame: 1, age: '0-18' as const },
    ];
    expect(() => checkSettings({ ...settings, ageKeys: keys })).toThrow(InputError);
    expect(() => checkSettings({ ...settings, ageKeys: keys })).toThrow('frame order');
    expect(() => checkSettings({ ...settings, ageKeys: [{ frame: 1, age: '60+', strength: 5 }] })).toThrow(
      'age key 1:60+@5: age strength must be between 0 and 3',
    );
    expect(() => checkSettings({ ...settings, ageKeys: [{ frame: 1, age: '60+' }] })).not.toThrow();
  });
});

describe('blendAgedFrames', () => {
  function aged(value: number, maskValue: number, bbox: AgedFrame['mask']['bbox']): AgedFrame {
    return {
      output: { width: 2, height: 1, channels: 1, bitDepth: 8, data: Uint8Array.from([value, 10]) },
      mask: { width: 2, height: 1, mask: Float32Array.from([maskValue, 0]), bbox, polygon: [] },
    };
  }

  it('mixes the frames (1−t, t) and takes the larger mask', () => {
    const a = aged(100, 0.5, { x: 0, y: 0, width: 1, height: 1 });
    const b = aged(200, 1, { x: 1, y: 0, width: 1, height: 1 });
    const mixed = blendAgedFrames(a, b, 0.25);
    expect(Array.from(mixed.output.data)).toEqual([125, 10]);
    expect(Array.from(mixed.mask.mask)).toEqual([1, 0]);
    expect(mixed.mask.bbox).toEqual({ x: 0, y: 0, width: 2, height: 1 });
  });
});

async function pixels(file: string): Promise<Buffer> {
  return sharp(file).raw().toBuffer();
}

describe.skipIf(!existsSync(AKIYO))('a shot with age keys', () => {
  let modelDir: string;
  let ctx: ShotContext;
  let tmp: string;

  beforeAll(async () => {
    await initBackend('wasm');
    modelDir = await buildRandomModel(8);
    ctx = { model: await loadAgingModel({ modelDir }), backend: 'wasm' };
    tmp = await mkdtemp(join(tmpdir(), 'reage-age-keys-'));
  }, 120_000);

  afterAll(async () => {
    ctx?.model.dispose();
    if (modelDir) await rm(join(modelDir, '..'), { recursive: true, force: true });
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  async function render(label: string, s: AgeSettings): Promise<{ dir: string; reports: FrameReport[] }> {
    const dir = join(tmp, label);
    const reports: FrameReport[] = [];
    await runShot(
      ctx,
      { input: join(AKIYO, 'akiyo.####.png'), frames: '1001-1003', out: dir + '/', settings: s },
      { onFrame: (r) => reports.push(r) },
    );
    return { dir, reports };
  }

  it('ages key frames as without keys, and blends both ages of one reconstruction between them', async () => {
    const young = await render('young', { ...settings, targetAge: '0-18' });
    const old = await render('old', { ...settings, targetAge: '60+' });
    const keyed = await render('keyed', {
      ...settings,
      ageKeys: [
        { frame: 1001, age: '0-18' },
        { frame: 1003, age: '60+' },
      ],
    });
    expect(keyed.reports.map((r) => r.status)).toEqual(['done', 'done', 'done']);
    const file = (dir: string, f: number) => join(dir, `akiyo.${f}.png`);
    // on a key: the very frame a render at that key's age makes
    expect((await pixels(file(keyed.dir, 1001))).equals(await pixels(file(young.dir, 1001)))).toBe(true);
    expect((await pixels(file(keyed.dir, 1003))).equals(await pixels(file(old.dir, 1003)))).toBe(true);
    // half way (t = smoothstep(0.5) = 0.5): the mean of the two ageings, which differ
    const [k, a, b] = await Promise.all([keyed.dir, young.dir, old.dir].map((d) => pixels(file(d, 1002))));
    let apart = 0;
    let off = 0;
    for (let i = 0; i < k!.length; i++) {
      apart = Math.max(apart, Math.abs(a![i]! - b![i]!));
      off = Math.max(off, Math.abs(k![i]! - Math.round(0.5 * a![i]! + 0.5 * b![i]!)));
    }
    expect(apart).toBeGreaterThan(0);
    expect(off).toBeLessThanOrEqual(1);
  }, 300_000);
});
