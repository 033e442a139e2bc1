/**
 * A preview of a plate with two faces: the chosen face and the shot's other faces are
 * each aged where they are, the result names them by track id (what the studio's boxes
 * are labelled with), and a face aged twice is refused. The random test model with the
 * replace composite, so that every aged face visibly changes: the pipeline is under test.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReAgeEngine } from '../../src/main/engine/api.js';
import { initBackend } from '../../src/main/engine/backend.js';
import { createEngine } from '../../src/main/engine/engine.js';
import type { AgeSettings } from '../../src/main/engine/types.js';
import { buildRandomModel, randomModelSettings } from '../helpers/random-model.js';
import { PASTED_FACE, hasTwoFaceFootage, writeTwoFacePlate } from '../helpers/two-face-plates.js';

describe.skipIf(!hasTwoFaceFootage())('previews of a plate with two faces (random model)', () => {
  let modelDir: string;
  let dir: string;
  let engine: ReAgeEngine;
  let plate: string;
  const settings = randomModelSettings(4);

  /** Pixels of the preview's after picture that differ from its plate, inside the pasted face and outside it. */
  async function changes(beforePng: Uint8Array, afterPng: Uint8Array) {
    const read = (png: Uint8Array) => sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const [a, b] = [await read(beforePng), await read(afterPng)];
    const { left, top, width, height } = PASTED_FACE;
    let inside = 0;
    let outside = 0;
    for (let p = 0; p < a.info.width * a.info.height; p++) {
      if (a.data.subarray(p * 3, p * 3 + 3).equals(b.data.subarray(p * 3, p * 3 + 3))) continue;
      const [x, y] = [p % a.info.width, Math.floor(p / a.info.width)];
      if (x >= left && x < left + width && y >= top && y < top + height) inside++;
      else outside++;
    }
    return { inside, outside };
  }

  beforeAll(async () => {
    await initBackend('wasm');
    modelDir = await buildRandomModel(8);
    dir = await mkdtemp(join(tmpdir(), 'reage-two-faces-'));
    plate = join(dir, 'twoface.1001.png');
    await writeTwoFacePlate(1001, plate);
    engine = await createEngine({ backend: 'wasm', modelDir });
  }, 120_000);

  afterAll(async () => {
    engine?.dispose();
    if (modelDir) await rm(join(modelDir, '..'), { recursive: true, force: true });
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('ages the largest face by default and says so; the other face stays the plate', async () => {
    const r = await engine.preview(plate, 1001, settings);
    expect(r.faces?.map((f) => f.id)).toEqual([0, 1]);
    expect(r.chosenFace).toBe(0);
    expect(r.otherFaces).toBeUndefined();
    const c = await changes(r.beforePng, r.afterPng);
    expect(c.outside).toBeGreaterThan(500);
    expect(c.inside).toBe(0);
  }, 120_000);

  it('ages the chosen face and the other face too, naming each by its track id', async () => {
    const second: AgeSettings = { ...settings, face: 1 };
    const alone = await engine.preview(plate, 1001, second);
    expect(alone.chosenFace).toBe(1);
    const c = await changes(alone.beforePng, alone.afterPng);
    expect(c.inside).toBeGreaterThan(500);
    expect(c.outside).toBe(0);

    const both = await engine.preview(plate, 1001, { ...second, otherFaces: [{ face: 0, targetAge: '0-18' }] });
    expect(both.chosenFace).toBe(1);
    expect(both.otherFaces).toEqual([0]);
    const d = await changes(both.beforePng, both.afterPng);
    expect(d.inside).toBeGreaterThan(500);
    expect(d.outside).toBeGreaterThan(500);
  }, 240_000);

  it('refuses a face aged twice', async () => {
    await expect(
      engine.preview(plate, 1001, { ...settings, face: 1, otherFaces: [{ face: 1, targetAge: '0-18' }] }),
    ).rejects.toThrow('face 1 is aged twice in this shot');
  }, 120_000);
});
