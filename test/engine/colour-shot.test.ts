/**
 * A studio's shot end to end through the engine's shot loop (issue #18): linear ACEScg
 * half-float OpenEXR plates made from the Akiyo footage by OpenImageIO and OpenColorIO
 * (test/helpers/exr-plates.ts), aged with the colour space left to auto (the plates'
 * chromaticities say AP1), written as EXR with the matte and delta passes beside them.
 * An independent reader (OpenImageIO's Python module, oiiotool) checks what came back:
 * the same channels, types, windows and attributes, the plate's own samples wherever the
 * matte is 0, a change inside it, the delta equal to aged − plate; and a shot aged to
 * its own source age gives back the plate unchanged.
 *
 * The networks are random (test/helpers/random-model.ts): this is about the file and
 * colour side, not the ageing. Skipped only without OpenImageIO (scripts/setup.sh installs it).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAgingModel } from '../../src/main/engine/aging-model.js';
import { initBackend } from '../../src/main/engine/backend.js';
import { readFrame } from '../../src/main/engine/sequence-io.js';
import { runShot, type ShotContext } from '../../src/main/engine/shot.js';
import { autoColourSpace, readWithColour, shotTransform } from '../../src/main/engine/shot-colour.js';
import type { AgeSettings, FrameReport } from '../../src/main/engine/types.js';
import { stopOiioService } from '../../src/main/node/oiio-service.js';
import { compareAged, haveOpenImageIO, makeAcescgExrPlates, oiioInfo } from '../helpers/exr-plates.js';
import { buildRandomModel } from '../helpers/random-model.js';

const run = promisify(execFile);
const AKIYO = resolve(import.meta.dirname, '../../../shared/footage/akiyo');
const FRAMES = [1001, 1002];
const SKIP = !existsSync(AKIYO) ? 'no footage' : !(await haveOpenImageIO()) ? 'OpenImageIO is missing' : '';

describe.skipIf(SKIP)('an ACEScg OpenEXR shot through the shot loop', () => {
  let tmp: string;
  let modelDir: string;
  let ctx: ShotContext;
  let plates: string[];
  const settings: AgeSettings = {
    targetAge: '60+',
    sourceAge: '30-39',
    mode: 'pixel',
    detail: false,
    strength: 1,
    texture: 0,
    composite: 'delta',
    steps: 3,
    seed: 0,
  };

  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'reage-colour-shot-'));
    await mkdir(join(tmp, 'plates'));
    plates = await makeAcescgExrPlates(
      FRAMES.map((frame) => ({ frame, path: join(AKIYO, `akiyo.${frame}.png`) })),
      join(tmp, 'plates'),
    );
    await initBackend('wasm');
    modelDir = await buildRandomModel(8);
    ctx = { model: await loadAgingModel({ modelDir }), backend: 'wasm' };
  }, 180_000);

  afterAll(async () => {
    ctx?.model.dispose();
    await stopOiioService();
    if (modelDir) await rm(join(modelDir, '..'), { recursive: true, force: true });
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('auto takes the plates for ACEScg from their chromaticities, and shows the engine the footage it came from', async () => {
    const { decoded, transform } = await readWithColour({ frame: 1001, path: plates[0]! }, undefined);
    expect(autoColourSpace(decoded)).toBe('acescg');
    expect(transform.identity).toBe(false);
    expect((await shotTransform(undefined, { frame: 1001, path: join(AKIYO, 'akiyo.1001.png') })).space).toBe('srgb');
    // the EXR was made from the sRGB PNG: converted back for the engine it is that PNG again, to half's rounding
    const png = (await readFrame(join(AKIYO, 'akiyo.1001.png'))).image;
    const view = decoded.image;
    expect([view.width, view.height, view.channels, view.bitDepth]).toEqual([png.width, png.height, 3, 16]);
    let worst = 0;
    for (let p = 0; p < png.width * png.height; p++)
      for (let c = 0; c < 3; c++)
        worst = Math.max(worst, Math.abs(view.data[3 * p + c]! / 257 - png.data[png.channels * p + c]!));
    expect(worst).toBeLessThan(0.75);
  });

  it('comes back as EXR with the plate’s header, aged only inside the matte, with matte and delta passes', async () => {
    const out = join(tmp, 'aged');
    const reports: FrameReport[] = [];
    const summary = await runShot(
      ctx,
      {
        input: join(tmp, 'plates', 'akiyo.####.exr'),
        out: `${out}/`,
        matte: join(out, 'matte') + '/',
        delta: join(out, 'delta') + '/',
        settings,
      },
      { onFrame: (r) => reports.push(r) },
    );
    expect(
      reports.map((r) => r.status),
      JSON.stringify(reports.map((r) => r.error)),
    ).toEqual(['done', 'done']);
    expect(summary.done).toBe(2);
    for (const [i, frame] of FRAMES.entries()) {
      const name = `akiyo.${frame}.exr`;
      const aged = join(out, name);
      // the header, as an independent reader sees it: everything but the write time
      const strip = (text: string) =>
        text
          .split('\n')
          .slice(1)
          .filter((l) => !/DateTime/.test(l))
          .map((l) => l.replace(/^\S+\s+:/, ''))
          .join('\n');
      expect(strip(await oiioInfo(aged))).toBe(strip(await oiioInfo(plates[i]!)));
      expect(await oiioInfo(aged)).toMatch(/3 channel, half openexr/);
      expect(await oiioInfo(aged)).toMatch(/smpte:TimeCode: 01:00:41:1[78]/);
      const matteInfo = await oiioInfo(join(out, 'matte', name));
      expect(matteInfo).toMatch(/1 channel, float openexr/);
      expect(await oiioInfo(join(out, 'delta', name))).toMatch(/3 channel, float openexr/);
      const r = await compareAged(plates[i]!, aged, join(out, 'matte', name), join(out, 'delta', name));
      expect(r.outside_changed, `frame ${frame}`).toBe(0);
      expect(r.inside_changed, `frame ${frame}`).toBeGreaterThan(500);
      expect(r.matte_max).toBeGreaterThan(0.99);
      // the delta is the change written, aged − plate, to float32's precision
      // (random networks: the change is small, but it is there)
      expect(r.delta_error).toBeLessThan(1e-6);
      expect(r.delta_max).toBeGreaterThan(1e-4);
    }
  }, 300_000);

  // 16-bit DPX (auto: display sRGB, an integer plate) and 32-bit float TIFF (here told sRGB:
  // it holds the footage's encoded values), made by oiiotool, aged and written back alike
  for (const [label, ext, depth, colourSpace] of [
    ['16-bit DPX', 'dpx', 'uint16', undefined],
    ['32-bit float TIFF', 'tif', 'float', 'srgb'],
  ] as const)
    it(`takes ${label} plates back in their own format, changed only inside the face`, async () => {
      const dir = join(tmp, ext);
      await mkdir(dir, { recursive: true });
      const plate = join(dir, `akiyo.1001.${ext}`);
      await run('oiiotool', [join(AKIYO, 'akiyo.1001.png'), '-d', depth, '-o', plate]);
      const out = join(tmp, `${ext}-aged`);
      const summary = await runShot(ctx, {
        input: join(dir, `akiyo.####.${ext}`),
        out: `${out}/`,
        matte: join(out, 'matte') + '/',
        delta: join(out, 'delta') + '/',
        settings: { ...settings, ...(colourSpace ? { colourSpace } : {}) },
      });
      expect(summary.done).toBe(1);
      const aged = join(out, `akiyo.1001.${ext}`);
      const info = await oiioInfo(aged);
      expect(info).toMatch(ext === 'dpx' ? /3 channel, uint16 dpx/ : /3 channel, float tiff/);
      const r = await compareAged(
        plate,
        aged,
        join(out, 'matte', 'akiyo.1001.exr'),
        join(out, 'delta', 'akiyo.1001.exr'),
      );
      expect(r.outside_changed).toBe(0);
      expect(r.inside_changed).toBeGreaterThan(500);
      expect(r.delta_error).toBeLessThan(1e-6);
    }, 300_000);

  it('goes through `reage age` the same way, passes included', async () => {
    const out = join(tmp, 'cli');
    const { stdout } = await run(
      process.execPath,
      [
        '--import',
        'tsx',
        resolve(import.meta.dirname, '../../src/main/cli/reage.ts'),
        'age',
        join(tmp, 'plates', 'akiyo.####.exr'),
        '--out',
        `${out}/`,
        '--age',
        '60+',
        '--source-age',
        '30-39',
        '--texture',
        '0',
        '--steps',
        '3',
        '--workers',
        '1',
        '--matte',
        join(out, 'matte') + '/',
        '--delta',
        join(out, 'delta') + '/',
        '--model',
        modelDir,
        '--backend',
        'wasm',
        '--json',
      ],
      { cwd: resolve(import.meta.dirname, '../..'), maxBuffer: 16 * 1024 * 1024 },
    );
    const records = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { status?: string });
    expect(records.filter((r) => r.status === 'done')).toHaveLength(2);
    for (const [i, frame] of FRAMES.entries()) {
      const name = `akiyo.${frame}.exr`;
      expect(await oiioInfo(join(out, name))).toMatch(/3 channel, half openexr/);
      const r = await compareAged(plates[i]!, join(out, name), join(out, 'matte', name), join(out, 'delta', name));
      expect(r.outside_changed).toBe(0);
      expect(r.inside_changed).toBeGreaterThan(500);
    }
  }, 300_000);

  it('aged to its own source age, gives back the plate’s samples', async () => {
    const out = join(tmp, 'same-age');
    const summary = await runShot(ctx, {
      input: join(tmp, 'plates', 'akiyo.####.exr'),
      frames: '1001',
      out: `${out}/`,
      settings: { ...settings, targetAge: '30-39' },
    });
    // aged, not passed through for want of a face
    expect(summary.done).toBe(1);
    const { stdout } = await run('oiiotool', [
      '--diff',
      '--fail',
      '0',
      '--failpercent',
      '0',
      plates[0]!,
      join(out, 'akiyo.1001.exr'),
    ]).catch((err: { stdout?: string }) => ({ stdout: err.stdout ?? '' }));
    expect(stdout).toMatch(/PASS/);
    expect(stdout).not.toMatch(/FAILURE|WARNING/);
  }, 300_000);
});
