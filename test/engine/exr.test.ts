/**
 * Studio plate formats through OpenImageIO (sequence-io.ts, node/oiio-service.ts):
 * OpenEXR (half and float, RGB(A), compressions, tiled, a data window inside the display
 * window, an extra Z channel, studio attributes), 16-bit and 10-bit DPX and 32-bit float
 * TIFF, read and written back with every channel, type, window and attribute; bad EXR
 * files refused with their file and frame named; the service itself (restart, a missing
 * module, OCIO). Test plates are made by oiiotool and checked by oiiotool, an independent
 * reader: `--info -v` for the header, `--hash` for the pixels.
 *
 * Skipped only when OpenImageIO is missing here (scripts/setup.sh installs it).
 */
import { execFile } from 'node:child_process';
import { chmod, copyFile, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FloatPlate } from '../../src/main/engine/float-plate.js';
import {
  FrameReadError,
  IDENTITY_TRANSFORM,
  InputError,
  MAX_FRAME_SIDE,
  applyViewChange,
  isCompleteOutput,
  prepareOutputFolders,
  readFrame,
  resolveInput,
  resolveOutputs,
  writeFrame,
  writeOutputFrame,
  writePass,
} from '../../src/main/engine/sequence-io.js';
import { runShot, type ShotContext } from '../../src/main/engine/shot.js';
import type { AgeSettings, RawImage } from '../../src/main/engine/types.js';
import {
  OIIO_NEEDED,
  oiioAvailability,
  oiioServiceProcess,
  oiioServiceScript,
  ocioColourSpaces,
  ocioConvert,
  outsideAsar,
  pythonInterpreter,
  stopOiioService,
} from '../../src/main/node/oiio-service.js';

const run = promisify(execFile);
const AKIYO = resolve(import.meta.dirname, '../../../shared/footage/akiyo');

const availability = await oiioAvailability();
const oiiotoolFound = await run('oiiotool', ['--version']).then(
  () => true,
  () => false,
);
const SKIP = !availability.ok
  ? `OpenImageIO is missing: ${availability.reason}`
  : oiiotoolFound
    ? ''
    : 'oiiotool is missing (Debian: openimageio-tools)';
if (SKIP) console.warn(`exr.test.ts skipped: ${SKIP}`);

async function oiiotool(...args: string[]): Promise<string> {
  const { stdout } = await run('oiiotool', args, { maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

/**
 * `oiiotool --info -v` without the file's own name. TIFF's strip height is the writer's
 * choice (OpenImageIO picks its own), not the plate's content, so it is left out.
 */
async function header(path: string): Promise<string[]> {
  const text = await oiiotool('--info', '-v', path);
  return text
    .split('\n')
    .filter((l) => l.trim() && !l.startsWith('Reading ') && !/^\s*tiff:RowsPerStrip:/.test(l))
    .map((l) => (l.startsWith(path) ? l.slice(path.length).replace(/^\s*:\s*/, '') : l));
}

/** SHA-1 of the pixel data as oiiotool reads it. */
async function pixelHash(path: string): Promise<string> {
  const text = await oiiotool('--hash', path);
  const hash = /SHA-1:\s*([0-9A-F]+)/i.exec(text)?.[1];
  expect(hash, text).toBeDefined();
  return hash!;
}

let tmp: string;
let count = 0;
async function folder(): Promise<string> {
  const dir = join(tmp, `case${count++}`);
  await mkdir(dir);
  return dir;
}

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'reage-exr-'));
});
afterAll(async () => {
  stopOiioService();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

/** Noise from -1 to 3 (HDR and negative values, as scene-linear plates have), `channels` wide. */
function noise(size: string, channels: number): string[] {
  return ['--pattern', 'noise:type=uniform:min=-1:max=3', size, String(channels)];
}

const STUDIO_ATTRIBUTES = [
  '--attrib',
  'owner',
  'ReAge tests',
  '--attrib:type=timecode',
  'smpte:TimeCode',
  '01:00:41:17',
  '--attrib:type=rational',
  'framesPerSecond',
  '24/1',
  '--attrib:type=float[8]',
  'chromaticities',
  '0.713,0.293,0.165,0.83,0.128,0.044,0.32168,0.33767',
];

/** The EXRs the round trips read, each made by oiiotool. */
const PLATES: { name: string; args: string[]; check?: (p: FloatPlate) => void }[] = [
  { name: 'half-rgb-zip', args: [...noise('40x30', 3), '-d', 'half', '--compression', 'zip'] },
  { name: 'float-rgba-none', args: [...noise('40x30', 4), '-d', 'float', '--compression', 'none'] },
  { name: 'half-rgba-zips', args: [...noise('40x30', 4), '-d', 'half', '--compression', 'zips'] },
  { name: 'float-rgb-piz', args: [...noise('40x30', 3), '-d', 'float', '--compression', 'piz'] },
  {
    name: 'tiled-half-rgba',
    args: [...noise('40x30', 4), '-d', 'half', '--compression', 'zip', '--tile', '16', '16'],
    check: (p) => expect(p.tile).toEqual({ width: 16, height: 16 }),
  },
  {
    name: 'studio',
    // half RGB, a float Z, a data window inside the display window, a facility's attributes
    args: [
      ...noise('40x30', 3),
      '--ch',
      'R,G,B,Z=0.5',
      '-d',
      'half',
      '-d',
      'Z=float',
      '--compression',
      'piz',
      '--origin',
      '+12+7',
      '--fullsize',
      '64x48+0+0',
      ...STUDIO_ATTRIBUTES,
    ],
    check: (p) => {
      expect(p.channelNames).toEqual(['R', 'G', 'B', 'Z']);
      expect(p.channelTypes).toEqual(['half', 'half', 'half', 'float']);
      expect(p.dataWindow).toEqual({ x: 12, y: 7, width: 40, height: 30 });
      expect(p.displayWindow).toEqual({ x: 0, y: 0, width: 64, height: 48 });
      expect(p.attributeTypes).toMatchObject({
        'smpte:TimeCode': 'timecode',
        framesPerSecond: 'rational2i',
        chromaticities: 'float[8]',
      });
      expect(p.attributes).toMatchObject({ framesPerSecond: [24, 1], Copyright: 'ReAge tests' });
      expect(p.compression).toBe('piz');
    },
  },
];

async function makePlate(dir: string, name: string, args: string[]): Promise<string> {
  const path = join(dir, `${name}.1001.exr`);
  await oiiotool(...args, '-o', path);
  return path;
}

/** A copy of the view with a block of pixels brightened: the engine's "change" in these tests. */
function changedView(view: RawImage, box: { x0: number; y0: number; x1: number; y1: number }, by = 3000): RawImage {
  const data = view.data.slice();
  for (let y = box.y0; y < box.y1; y++)
    for (let x = box.x0; x < box.x1; x++)
      for (let c = 0; c < 3; c++) {
        const i = (y * view.width + x) * view.channels + c;
        data[i] = Math.min(65535, data[i]! + by);
      }
  return { ...view, data };
}

describe.skipIf(SKIP !== '')('OpenEXR plates', () => {
  it.each(PLATES)(
    '$name: read, unchanged, written back: header and pixels as they were',
    async ({ name, args, check }) => {
      const dir = await folder();
      const src = await makePlate(dir, name, args);
      const decoded = await readFrame({ frame: 1001, path: src });
      expect(decoded.format).toBe('exr');
      const plate = decoded.stored as FloatPlate;
      expect(plate.format).toBe('exr');
      check?.(plate);
      expect(decoded.image).toMatchObject({ width: plate.width, height: plate.height, channels: 3, bitDepth: 16 });
      const samples = await applyViewChange(decoded, decoded.image, IDENTITY_TRANSFORM);
      expect(samples).toBe(decoded.stored);
      const out = join(dir, 'out', `${name}.1001.exr`);
      await prepareOutputFolders([out]);
      await writeFrame(out, samples, 'exr', decoded.meta);
      expect(await header(out)).toEqual(await header(src));
      expect(await pixelHash(out)).toBe(await pixelHash(src));
      // nothing else in the folder: the temp was renamed
      expect(await readdir(join(dir, 'out'))).toEqual([`${name}.1001.exr`]);
    },
  );

  it('a DWAA plate (lossy: a rewrite would change untouched pixels) is written back losslessly, as zip', async () => {
    const dir = await folder();
    const src = await makePlate(dir, 'dwaa', [join(AKIYO, 'akiyo.1001.png'), '-d', 'half', '--compression', 'dwaa']);
    const decoded = await readFrame(src);
    const out = join(dir, 'out.exr');
    await writeFrame(out, await applyViewChange(decoded, decoded.image), 'exr', decoded.meta);
    expect(await pixelHash(out)).toBe(await pixelHash(src));
    const [was, now] = [(await header(src)).join('\n'), (await header(out)).join('\n')];
    expect(was).toMatch(/compression: "dwaa/);
    expect(now).toMatch(/compression: "zip"/);
  });

  it('a changed pixel changes only inside, and only its colour; the rest bit for bit', async () => {
    const dir = await folder();
    const src = await makePlate(dir, 'studio', PLATES.find((p) => p.name === 'studio')!.args);
    const decoded = await readFrame(src);
    const box = { x0: 10, y0: 8, x1: 20, y1: 16 };
    const aged = changedView(decoded.image, box);
    const samples = (await applyViewChange(decoded, aged, IDENTITY_TRANSFORM)) as FloatPlate;
    const out = join(dir, 'aged.1001.exr');
    await writeFrame(out, samples, 'exr', decoded.meta);
    expect(await header(out)).toEqual(await header(src));
    const back = (await readFrame(out)).stored as FloatPlate;
    const before = decoded.stored as FloatPlate;
    expect(back.data).toEqual(samples.data);
    let changed = 0;
    for (let y = 0; y < before.height; y++)
      for (let x = 0; x < before.width; x++)
        for (let c = 0; c < 4; c++) {
          const i = (y * before.width + x) * 4 + c;
          const inside = x >= box.x0 && x < box.x1 && y >= box.y0 && y < box.y1;
          const viewChanged =
            c < 3 && aged.data[(y * before.width + x) * 3 + c] !== decoded.image.data[(y * before.width + x) * 3 + c];
          if (!inside || c === 3) expect(back.data[i], `x ${x} y ${y} c ${c}`).toBe(before.data[i]);
          else if (viewChanged) {
            changed++;
            // the view's change (less where the view reached white), in the plate's own half float
            const step =
              (aged.data[(y * before.width + x) * 3 + c]! - decoded.image.data[(y * before.width + x) * 3 + c]!) /
              65535;
            expect(back.data[i]! - before.data[i]!).toBeCloseTo(step, 2);
          }
        }
    expect(changed).toBeGreaterThan(100);
    // oiiotool agrees that pixels differ, and only inside the box
    const diff = await run('oiiotool', [src, out, '--diff']).then(
      (r) => r.stdout,
      (e: { stdout: string }) => e.stdout,
    );
    const worst = /Max error\s*=\s*[\d.e+-]+ @ \((\d+), (\d+)/.exec(diff);
    expect(worst, diff).not.toBeNull();
    const [wx, wy] = [Number(worst![1]) - 12, Number(worst![2]) - 7]; // display coordinates -> data window
    expect(wx >= box.x0 && wx < box.x1 && wy >= box.y0 && wy < box.y1, diff).toBe(true);
  });

  it('a folder of EXR frames is a sequence; an output named .exr is OpenEXR, never PNG bytes', async () => {
    const dir = await folder();
    for (const f of [1001, 1002, 1003])
      await oiiotool(...noise('16x12', 3), '-d', 'half', '-o', join(dir, `sh.${f}.exr`));
    const refs = await resolveInput(dir);
    expect(refs.map((r) => r.frame)).toEqual([1001, 1002, 1003]);
    // a PNG plate rendered to shot.####.exr: OpenEXR, R G B half, values as stored
    const png = join(dir, 'p.0001.png');
    await sharp(join(AKIYO, 'akiyo.1001.png')).toColourspace('rgb16').png().toFile(png);
    const decoded = await readFrame(png);
    const [out] = resolveOutputs(join(dir, 'out', 'shot.####.exr'), [{ frame: 1, path: png }]);
    await prepareOutputFolders([out!]);
    await writeOutputFrame(out!, decoded.stored, decoded);
    const bytes = await readFile(out!);
    expect([...bytes.subarray(0, 4)]).toEqual([0x76, 0x2f, 0x31, 0x01]);
    const info = (await header(out!)).join('\n');
    expect(info).toMatch(/3 channel, half openexr/);
    expect(info).toMatch(/compression: "zip"/);
    const back = (await readFrame(out!)).stored as FloatPlate;
    const raw = decoded.stored as RawImage;
    for (const i of [0, 1, 2, 1000, 50_000]) expect(back.data[i]).toBeCloseTo(raw.data[i]! / 65535, 3);
  });

  it('a float plate written as PNG is clamped and rounded to 16 bits (8 when asked), colour and alpha', async () => {
    const dir = await folder();
    const src = await makePlate(dir, 'f', [...noise('20x10', 4), '-d', 'float']);
    const decoded = await readFrame(src);
    const png = join(dir, 'f.png');
    await writeOutputFrame(png, decoded.stored, decoded);
    const meta = await sharp(png).metadata();
    expect([meta.channels, meta.depth]).toEqual([4, 'ushort']);
    const read = (await readFrame(png)).stored as RawImage;
    const plate = decoded.stored as FloatPlate;
    for (let i = 0; i < 40; i++) {
      const v = plate.data[i]!;
      expect(read.data[i]).toBe(v <= 0 ? 0 : v >= 1 ? 65535 : Math.round(v * 65535));
    }
    const eight = join(dir, 'f8.png');
    await writeOutputFrame(eight, decoded.stored, decoded, 8);
    expect((await sharp(eight).metadata()).depth).toBe('uchar');
  });

  it('--resume trusts a complete EXR output, not a cut-off one', async () => {
    const dir = await folder();
    const good = await makePlate(dir, 'good', [...noise('64x64', 3), '-d', 'half', '--compression', 'none']);
    const bytes = await readFile(good);
    await writeFile(join(dir, 'cut.exr'), bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    expect(await isCompleteOutput(good)).toBe(true);
    expect(await isCompleteOutput(join(dir, 'cut.exr'))).toBe(false);
  });

  it('writes compositing passes: EXR float with the plate windows, PNG 16-bit clamped', async () => {
    const dir = await folder();
    const src = await makePlate(dir, 'studio', PLATES.find((p) => p.name === 'studio')!.args);
    const decoded = await readFrame(src);
    const data = new Float32Array(40 * 30).map((_, i) => (i % 40) / 20 - 0.5);
    const pass = { width: 40, height: 30, channelNames: ['matte'], data };
    await writePass(join(dir, 'matte.1001.exr'), pass, decoded);
    const info = (await header(join(dir, 'matte.1001.exr'))).join('\n');
    expect(info).toMatch(/1 channel, float openexr/);
    expect(info).toMatch(/pixel data origin: x=12, y=7/);
    expect(info).toMatch(/full\/display size: 64 x 48/);
    const back = (await readFrame(join(dir, 'matte.1001.exr'))).stored as FloatPlate;
    expect(back.data).toEqual(data);
    await writePass(join(dir, 'matte.1001.png'), pass);
    const png = (await readFrame(join(dir, 'matte.1001.png'))).stored as RawImage;
    expect(png).toMatchObject({ channels: 1, bitDepth: 16 });
    expect([png.data[0], png.data[20], png.data[39]]).toEqual([0, Math.round(0.5 * 65535), 65535]);
    await expect(writePass(join(dir, 'matte.jpg'), pass)).rejects.toThrow(InputError);
  });
});

describe.skipIf(SKIP !== '')('DPX and float TIFF plates', () => {
  it.each([
    { name: 'dpx16', ext: 'dpx', args: ['-d', 'uint16'], type: 'uint16' },
    { name: 'dpx10', ext: 'dpx', args: ['-d', 'uint10'], type: 'uint16' },
    { name: 'tif32', ext: 'tif', args: ['-d', 'float', '--compression', 'zip'], type: 'float' },
  ])('$name: read, unchanged and changed, written back as it was', async ({ name, ext, args, type }) => {
    const dir = await folder();
    const src = join(dir, `${name}.1001.${ext}`);
    await oiiotool('--pattern', 'noise:type=uniform', '40x30', '3', ...args, '-o', src);
    const decoded = await readFrame(src);
    const plate = decoded.stored as FloatPlate;
    expect(plate.channelTypes).toEqual([type, type, type]);
    const same = join(dir, `same.${ext}`);
    await writeFrame(same, await applyViewChange(decoded, decoded.image), decoded.format, decoded.meta);
    expect(await header(same)).toEqual(await header(src));
    expect(await pixelHash(same)).toBe(await pixelHash(src));
    // a changed block: what applyViewChange gave (rounded to the file's own steps) is what the file holds
    const aged = await applyViewChange(decoded, changedView(decoded.image, { x0: 5, y0: 5, x1: 15, y1: 12 }, 4000));
    const changed = join(dir, `changed.${ext}`);
    await writeFrame(changed, aged, decoded.format, decoded.meta);
    const back = (await readFrame(changed)).stored as FloatPlate;
    expect(back.data).toEqual((aged as FloatPlate).data);
    expect(back.data).not.toEqual(plate.data);
  });

  it('a float TIFF plate read as 32-bit float, HDR values kept', async () => {
    const dir = await folder();
    const src = join(dir, 'hdr.tif');
    await oiiotool(...noise('8x8', 3), '-d', 'float', '-o', src);
    const plate = (await readFrame(src)).stored as FloatPlate;
    expect(plate.format).toBe('tiff');
    expect(Math.max(...plate.data)).toBeGreaterThan(1);
    expect(Math.min(...plate.data)).toBeLessThan(0);
  });
});

/** Bytes of an EXR whose header's dataWindow says xmax, ymax: a huge claim in a tiny file. */
function withDataWindow(exr: Buffer, xMax: number, yMax: number): Buffer {
  const at = exr.indexOf(Buffer.from('dataWindow\0box2i\0', 'latin1'));
  expect(at).toBeGreaterThan(0);
  const value = at + 'dataWindow\0box2i\0'.length + 4; // after the attribute's size
  const out = Buffer.from(exr);
  out.writeInt32LE(xMax, value + 8);
  out.writeInt32LE(yMax, value + 12);
  return out;
}

describe.skipIf(SKIP !== '')('bad EXR files', () => {
  async function corpus(dir: string) {
    const big = await makePlate(dir, 'big', [...noise('128x128', 3), '-d', 'half', '--compression', 'zip']);
    const bytes = await readFile(big);
    const files = {
      truncated: join(dir, 'truncated.exr'),
      cutHeader: join(dir, 'cut-header.exr'),
      png: join(dir, 'png-bytes.exr'),
      garbage: join(dir, 'garbage.exr'),
      huge: join(dir, 'huge.exr'),
      deep: join(dir, 'deep.exr'),
      multi: join(dir, 'multi.exr'),
      noColour: join(dir, 'no-colour.exr'),
    };
    await writeFile(files.truncated, bytes.subarray(0, Math.floor(bytes.length / 2)));
    await writeFile(files.cutHeader, bytes.subarray(0, 120));
    await copyFile(join(AKIYO, 'akiyo.1001.png'), files.png);
    const random = Buffer.alloc(4096);
    for (let i = 0; i < random.length; i++) random[i] = (i * 7919 + 13) % 256;
    await writeFile(files.garbage, random);
    await writeFile(files.huge, withDataWindow(bytes, 99_999, 99_999));
    await oiiotool(...noise('16x16', 3), '--ch', 'R,G,B,Z=0.5', '-d', 'float', '--deepen', '-o', files.deep);
    await oiiotool(big, big, '--siappend', '-o', files.multi);
    await oiiotool(...noise('16x16', 2), '--chnames', 'Z,N', '-d', 'half', '-o', files.noColour);
    return files;
  }

  it('each fails with its file and frame named and the cause in plain words', async () => {
    const dir = await folder();
    const f = await corpus(dir);
    const cases: [string, RegExp][] = [
      [f.truncated, /the file is truncated or corrupt \(OpenImageIO: .*\); re-render or re-copy the frame$/],
      [f.cutHeader, /the file is truncated or corrupt \(OpenImageIO: .*\); re-render or re-copy the frame$/],
      [
        f.png,
        /it is named \.exr but its contents are not an OpenEXR image \(they are a PNG image; the magic number at its start is wrong\); the file is corrupt or misnamed/,
      ],
      [f.garbage, /it is named \.exr but its contents are not an OpenEXR image \(they are not an image ReAge knows/],
      [
        f.huge,
        new RegExp(
          `it is 100000x100000 pixels, over the limit of ${MAX_FRAME_SIDE} pixels a side; a header this large usually means a corrupt file`,
        ),
      ],
      [
        f.deep,
        /it is a deep image \(several samples per pixel\); ReAge reads flat images: flatten it first, e\.g\. oiiotool deep\.exr --flatten -o flat\.exr/,
      ],
      [
        f.multi,
        /it has 2 parts \(.*\); ReAge reads single-part EXR: extract the part with oiiotool, e\.g\. oiiotool multi\.exr --subimage 0 -o part\.exr/,
      ],
      [f.noColour, /it has no R, G and B \(or Y\) channels \(its channels: Z, N\)/],
    ];
    for (const [file, reason] of cases) {
      const err = await readFrame({ frame: 1042, path: file }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err, file).toBeInstanceOf(FrameReadError);
      const e = err as FrameReadError;
      expect(e.message.startsWith(`Cannot read frame 1042 (${file}): `), e.message).toBe(true);
      expect(e.message).toMatch(reason);
      expect([e.file, e.frame]).toEqual([file, 1042]);
    }
  });

  it('a huge data window is refused from the header, before any pixel is read', async () => {
    const dir = await folder();
    const f = await corpus(dir);
    const started = performance.now();
    await expect(readFrame(f.huge)).rejects.toThrow(/over the limit/);
    // decoding 10^10 pixels would take minutes and exhaust memory
    expect(performance.now() - started).toBeLessThan(5000);
  });
});

describe.skipIf(SKIP !== '')('outputs', () => {
  it('an extension ReAge cannot write is an input error before any frame is rendered', async () => {
    const refs = [{ frame: 1, path: '/plates/a.0001.exr' }];
    for (const out of ['/renders/aged.####.bmp', '/renders/aged.mov', '/renders/still.gif', '/renders/x.%04d.v2']) {
      expect(() => resolveOutputs(out, refs), out).toThrow(InputError);
      expect(() => resolveOutputs(out, refs), out).toThrow(
        /ReAge cannot write \.\w+ frames .*name the output with \.png, .*\.exr or \.dpx/,
      );
    }
    // folders and frame numbers are not extensions
    expect(resolveOutputs('/renders/v2.final', refs)).toEqual(['/renders/v2.final/a.0001.exr']);
    expect(resolveOutputs('/renders/aged.####.dpx', refs)).toEqual(['/renders/aged.0001.dpx']);
  });

  it('the shot loop refuses it before reading a frame', async () => {
    const dir = await folder();
    await oiiotool(...noise('16x12', 3), '-d', 'half', '-o', join(dir, 'p.0001.exr'));
    let frames = 0;
    const untouchable = {
      model: new Proxy(
        {},
        {
          get: () => {
            throw new Error('the model was used');
          },
        },
      ),
      backend: 'cpu',
    } as unknown as ShotContext;
    const settings: AgeSettings = {
      targetAge: '60+',
      sourceAge: '19-29',
      mode: 'pixel',
      detail: false,
      strength: 1,
      texture: 1,
      composite: 'delta',
      steps: 1,
      seed: 0,
    };
    const err = await runShot(
      untouchable,
      { input: join(dir, 'p.####.exr'), out: join(dir, 'out', 'aged.####.mov'), settings },
      { onFrame: () => frames++ },
    ).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toMatch(/ReAge cannot write \.mov frames/);
    expect(frames).toBe(0);
  });
});

describe('the OpenImageIO service script', () => {
  it('is found beside its client, and outside app.asar in a packaged app', () => {
    expect(oiioServiceScript()).toBe(resolve(import.meta.dirname, '../../src/main/node/oiio-service.py'));
    expect(outsideAsar('/opt/ReAge/resources/app.asar/dist/main/node/oiio-service.py')).toBe(
      '/opt/ReAge/resources/app.asar.unpacked/dist/main/node/oiio-service.py',
    );
    expect(outsideAsar('C:\\ReAge\\resources\\app.asar\\dist\\main\\node\\oiio-service.py')).toBe(
      'C:\\ReAge\\resources\\app.asar.unpacked\\dist\\main\\node\\oiio-service.py',
    );
    expect(outsideAsar('/work/app.asarx/a.py')).toBe('/work/app.asarx/a.py');
  });
});

describe.skipIf(SKIP !== '')('the OpenImageIO service', () => {
  it('starts again after it dies', async () => {
    const dir = await folder();
    const src = await makePlate(dir, 'a', [...noise('8x8', 3), '-d', 'half']);
    await readFrame(src);
    const pid = oiioServiceProcess();
    expect(pid).toBeGreaterThan(0);
    process.kill(pid!, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 200));
    const again = await readFrame(src);
    expect(again.format).toBe('exr');
    expect(oiioServiceProcess()).not.toBe(pid);
  });

  it('without OpenImageIO, says what is needed and what failed, as an input error before any frame', async () => {
    const dir = await folder();
    await oiiotool(...noise('8x8', 3), '-d', 'half', '-o', join(dir, 'p.0001.exr'));
    // the module lives in dist-packages (Debian) or site-packages (pip), which `python3 -S` does not see
    const fake = join(dir, 'python-without-oiio');
    await writeFile(fake, `#!/bin/sh\nexec ${JSON.stringify(pythonInterpreter())} -S "$@"\n`);
    await chmod(fake, 0o755);
    const saved = process.env.REAGE_PYTHON;
    stopOiioService();
    try {
      process.env.REAGE_PYTHON = fake;
      const no = await oiioAvailability();
      expect(no.ok).toBe(false);
      const reason = no.ok ? '' : no.reason;
      expect(reason.startsWith(`${OIIO_NEEDED}; ${fake} could not import it (`), reason).toBe(true);
      expect(reason).toMatch(/\(ModuleNotFoundError: No module named '(numpy|OpenImageIO)'\)$/);
      await expect(resolveInput(dir)).rejects.toThrow(InputError);
      await expect(resolveInput(dir)).rejects.toThrow(
        /EXR, DPX and float TIFF plates need OpenImageIO's Python module \(Debian: python3-openimageio; elsewhere: pip install OpenImageIO\)/,
      );
      await expect(prepareOutputFolders([join(dir, 'out', 'a.exr')])).rejects.toThrow(InputError);
      const err = await readFrame({ frame: 1, path: join(dir, 'p.0001.exr') }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FrameReadError);
      expect((err as Error).message).toMatch(/need OpenImageIO's Python module/);
      process.env.REAGE_PYTHON = join(dir, 'no-such-python');
      const missing = await oiioAvailability();
      expect(!missing.ok && missing.reason).toMatch(
        /the Python interpreter .*no-such-python was not found \(set REAGE_PYTHON/,
      );
    } finally {
      if (saved === undefined) delete process.env.REAGE_PYTHON;
      else process.env.REAGE_PYTHON = saved;
      stopOiioService();
    }
    expect((await oiioAvailability()).ok).toBe(true);
  });

  it('converts colours with an OCIO config, and names its spaces', async () => {
    const dir = await folder();
    const config = join(dir, 'config.ocio');
    await writeFile(
      config,
      [
        'ocio_profile_version: 2',
        'roles: {default: linear, scene_linear: linear}',
        'displays: {sRGB: [!<View> {name: Raw, colorspace: linear}]}',
        'colorspaces:',
        '  - !<ColorSpace> {name: linear, encoding: scene-linear}',
        '  - !<ColorSpace>',
        '    name: srgb_display',
        '    from_scene_reference: !<ExponentWithLinearTransform> {gamma: 2.4, offset: 0.055, direction: inverse}',
        '',
      ].join('\n'),
    );
    expect(await ocioColourSpaces(config)).toEqual(['linear', 'srgb_display']);
    const rgb = new Float32Array([0, 0.18, 1, 0.5, 2, 0.01]);
    const shown = await ocioConvert(config, 'linear', 'srgb_display', rgb);
    expect(shown[1]).toBeCloseTo(0.4614, 3);
    expect(shown[2]).toBeCloseTo(1, 5);
    const back = await ocioConvert(config, 'srgb_display', 'linear', shown);
    for (let i = 0; i < rgb.length; i++) expect(back[i]).toBeCloseTo(rgb[i]!, 5);
    await expect(ocioConvert(config, 'linear', 'nope', rgb)).rejects.toThrow(/Color space 'nope' could not be found/);
  });
});
