import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { deflateSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempPathFor, writeFileAtomic } from '../../src/main/node/atomic.js';
import { oiioAvailability } from '../../src/main/node/oiio-service.js';
import {
  FrameReadError,
  InputError,
  MAX_FRAME_PIXELS,
  MAX_FRAME_SIDE,
  frameFormatFromPath,
  fromRgbFloat,
  isCompleteOutput,
  prepareOutputFolders,
  readFrame,
  resolveInput,
  resolveOutput,
  resolveOutputs,
  toRgbFloat,
  writeFrame,
  type FrameFormat,
} from '../../src/main/engine/sequence-io.js';
import type { RawImage } from '../../src/main/engine/types.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const AKIYO = resolve(REPO, '../shared/footage/akiyo');

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'reage-seqio-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** A fresh folder per test so listings are predictable. */
let folderCount = 0;
async function folder(): Promise<string> {
  const dir = join(tmp, `case${folderCount++}`);
  await mkdir(dir);
  return dir;
}

/** Deterministic noise covering the full range (0 and max included), odd sizes to catch stride bugs. */
function noiseImage(channels: RawImage['channels'], bitDepth: RawImage['bitDepth'], width = 37, height = 23): RawImage {
  const n = width * height * channels;
  const max = bitDepth === 16 ? 65535 : 255;
  const data = bitDepth === 16 ? new Uint16Array(n) : new Uint8Array(n);
  let s = 12345 + channels * 7 + bitDepth;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    data[i] = s % (max + 1);
  }
  data[0] = 0; // first pixel's first colour sample
  data[channels] = max; // second pixel's first colour sample
  return { width, height, channels, bitDepth, data };
}

/** Smooth colour ramps, which JPEG keeps close to the original. */
function smoothImage(
  channels: RawImage['channels'],
  bitDepth: RawImage['bitDepth'],
  width = 64,
  height = 48,
): RawImage {
  const max = bitDepth === 16 ? 65535 : 255;
  const data = bitDepth === 16 ? new Uint16Array(width * height * channels) : new Uint8Array(width * height * channels);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < channels; c++) {
        const t = c % 2 === 0 ? x / (width - 1) : y / (height - 1);
        data[(y * width + x) * channels + c] = Math.round((0.1 + 0.8 * t) * max);
      }
    }
  }
  return { width, height, channels, bitDepth, data };
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}

describe('readFrame / writeFrame round trips', () => {
  const lossless: { format: FrameFormat; ext: string }[] = [
    { format: 'png', ext: 'png' },
    { format: 'tiff', ext: 'tif' },
  ];
  for (const { format, ext } of lossless) {
    for (const bitDepth of [8, 16] as const) {
      for (const channels of [1, 2, 3, 4] as const) {
        it(`${format} ${bitDepth}-bit ${channels}-channel is bit-exact`, async () => {
          const dir = await folder();
          const src = noiseImage(channels, bitDepth);
          const first = join(dir, `a.0001.${ext}`);
          await writeFrame(first, src, format);
          const read1 = await readFrame(first);
          expect(read1.format).toBe(format);
          expect(read1.meta).toMatchObject({ format, width: 37, height: 23, channels, bitDepth });
          expect(read1.image.data).toBeInstanceOf(bitDepth === 16 ? Uint16Array : Uint8Array);
          expect(read1.image.data).toEqual(src.data);

          // read → write → read, carrying the plate's meta
          const second = join(dir, `b.0001.${ext}`);
          await writeFrame(second, read1.image, read1.format, read1.meta);
          const read2 = await readFrame(second);
          expect(read2.image).toEqual(read1.image);
          expect(await readdir(dir)).toEqual([`a.0001.${ext}`, `b.0001.${ext}`]); // no temps left
        });
      }
    }
  }

  it('jpeg: 8-bit RGB at high quality with 4:4:4 chroma', async () => {
    const dir = await folder();
    const src = smoothImage(3, 8);
    const path = join(dir, 'a.jpg');
    await writeFrame(path, src, 'jpeg');
    const meta = await sharp(path).metadata();
    expect(meta.chromaSubsampling).toBe('4:4:4');
    const read1 = await readFrame(path);
    expect(read1.meta).toMatchObject({ format: 'jpeg', channels: 3, bitDepth: 8, width: 64, height: 48 });
    expect(maxDiff(read1.image.data, src.data)).toBeLessThanOrEqual(3);

    const again = join(dir, 'b.jpg');
    await writeFrame(again, read1.image, 'jpeg', read1.meta);
    const read2 = await readFrame(again);
    expect(maxDiff(read2.image.data, read1.image.data)).toBeLessThanOrEqual(2);
  });

  it('jpeg: gray stays gray; alpha is dropped and 16-bit reduced to 8-bit', async () => {
    const dir = await folder();
    await writeFrame(join(dir, 'g.jpg'), smoothImage(1, 8), 'jpeg');
    expect((await readFrame(join(dir, 'g.jpg'))).meta).toMatchObject({ channels: 1, bitDepth: 8 });

    const rgba16 = smoothImage(4, 16);
    await writeFrame(join(dir, 'c.jpg'), rgba16, 'jpeg');
    const read = await readFrame(join(dir, 'c.jpg'));
    expect(read.meta).toMatchObject({ channels: 3, bitDepth: 8 });
    const expected = new Uint8Array(64 * 48 * 3);
    for (let p = 0; p < 64 * 48; p++)
      for (let c = 0; c < 3; c++) expected[p * 3 + c] = Math.round(rgba16.data[p * 4 + c]! / 257);
    expect(maxDiff(read.image.data, expected)).toBeLessThanOrEqual(3);
  });

  it('reads a real plate and carries density over', async () => {
    const dir = await folder();
    const src = noiseImage(3, 8);
    const plate = join(dir, 'p.png');
    await writeFile(
      plate,
      await sharp(src.data, { raw: { width: 37, height: 23, channels: 3 } })
        .withDensity(300)
        .png()
        .toBuffer(),
    );
    const read = await readFrame(plate);
    expect(read.meta.density).toBeCloseTo(300, 0);
    await writeFrame(join(dir, 'q.png'), read.image, 'png', read.meta);
    expect((await readFrame(join(dir, 'q.png'))).meta.density).toBeCloseTo(300, 0);
  });

  it.skipIf(!existsSync(AKIYO))('reads a footage frame', async () => {
    const { image, format } = await readFrame(join(AKIYO, 'akiyo.1001.png'));
    expect(format).toBe('png');
    expect(image).toMatchObject({ width: 352, height: 288, channels: 3, bitDepth: 8 });
  });

  it('refuses an image that does not match its plate or is inconsistent', async () => {
    const dir = await folder();
    const plate = noiseImage(3, 8);
    await writeFrame(join(dir, 'p.png'), plate, 'png');
    const { meta } = await readFrame(join(dir, 'p.png'));
    await expect(writeFrame(join(dir, 'x.png'), noiseImage(4, 8), 'png', meta)).rejects.toThrow(
      /plate is 37x23, 3 channels, 8-bit/,
    );
    await expect(writeFrame(join(dir, 'y.png'), { ...plate, bitDepth: 16 }, 'png')).rejects.toThrow(/Uint16Array/);
    await expect(writeFrame(join(dir, 'z.png'), { ...plate, width: 36 }, 'png')).rejects.toThrow(/samples/);
    expect(await readdir(dir)).toEqual(['p.png']);
  });
});

describe('FrameReadError', () => {
  async function corruptFiles(dir: string) {
    const rgb = smoothImage(3, 8);
    const jpeg = await sharp(rgb.data, { raw: { width: 64, height: 48, channels: 3 } })
      .jpeg()
      .toBuffer();
    const png = await sharp(rgb.data, { raw: { width: 64, height: 48, channels: 3 } })
      .png()
      .toBuffer();
    const random = Buffer.alloc(4096);
    for (let i = 0; i < random.length; i++) random[i] = (i * 7919 + 13) % 256;
    const files = {
      random: join(dir, 'random.png'),
      truncatedJpeg: join(dir, 'truncated.jpg'),
      truncatedPng: join(dir, 'truncated.png'),
      empty: join(dir, 'empty.png'),
      text: join(dir, 'text.tif'),
    };
    await writeFile(files.random, random);
    await writeFile(files.truncatedJpeg, jpeg.subarray(0, Math.floor(jpeg.length / 2)));
    await writeFile(files.truncatedPng, png.subarray(0, Math.floor(png.length / 2)));
    await writeFile(files.empty, Buffer.alloc(0));
    await writeFile(files.text, 'not an image at all');
    return files;
  }

  it('names the file and says what is wrong', async () => {
    const dir = await folder();
    const files = await corruptFiles(dir);
    const expectations: [string, RegExp][] = [
      [files.random, /not a PNG, TIFF, JPEG, OpenEXR or DPX image; the file is corrupt or misnamed/],
      [files.text, /not a PNG, TIFF, JPEG, OpenEXR or DPX image/],
      [files.truncatedJpeg, /corrupt or truncated \(decoder: ".*premature end/i],
      [files.truncatedPng, /corrupt or truncated/],
      [files.empty, /the file is empty \(0 bytes\)/],
      [join(dir, 'missing.png'), /does not exist/],
      [dir, /folder, not an image/],
    ];
    for (const [file, reason] of expectations) {
      const err = await readFrame(file).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err, file).toBeInstanceOf(FrameReadError);
      const e = err as FrameReadError;
      expect(e.message).toContain(file);
      expect(e.message).toMatch(reason);
      expect(e.file).toBe(file);
    }
  });

  it('names the frame when given a FrameRef', async () => {
    const dir = await folder();
    const files = await corruptFiles(dir);
    await expect(readFrame({ frame: 1042, path: files.truncatedJpeg })).rejects.toThrow(
      `Cannot read frame 1042 (${files.truncatedJpeg}): the image data is corrupt or truncated`,
    );
  });

  it('rejects formats a RawImage cannot hold; a float TIFF is read as a float plate', async () => {
    const dir = await folder();
    const webp = join(dir, 'a.png');
    await writeFile(
      webp,
      await sharp(smoothImage(3, 8).data, { raw: { width: 64, height: 48, channels: 3 } })
        .webp()
        .toBuffer(),
    );
    await expect(readFrame(webp)).rejects.toThrow(/it is a WEBP image; ReAge reads PNG, TIFF, JPEG, OpenEXR and DPX/);
    const float = join(dir, 'f.tif');
    const floats = new Float32Array(8 * 8 * 3).fill(0.5);
    await writeFile(
      float,
      await sharp(floats, { raw: { width: 8, height: 8, channels: 3 } })
        .toColourspace('scrgb')
        .tiff({ compression: 'none' })
        .toBuffer(),
    );
    // OpenImageIO reads it (test/engine/exr.test.ts covers float plates; here only that it is not refused)
    if (!(await oiioAvailability()).ok) return;
    const read = await readFrame(float);
    expect(read.format).toBe('tiff');
    expect(read.stored).toMatchObject({ format: 'tiff', channelTypes: ['float', 'float', 'float'] });
    expect(read.image).toMatchObject({ width: 8, height: 8, channels: 3, bitDepth: 16 });
  });
});

/** CRC-32 (ISO 3309, as PNG chunks use), bit by bit: a test needs a few dozen bytes of it. */
function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const b of bytes) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A PNG of a few dozen bytes whose (valid) header claims `width` x `height` 8-bit RGB: no big file needed. */
function claimedPng(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const oneRow = deflateSync(Buffer.alloc(1 + 3 * 16));
  return Buffer.concat([
    signature,
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', oneRow),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

describe('frame size limits', () => {
  it('refuse from the header a frame too wide, too tall or with too many pixels, naming file, size and limit', async () => {
    const dir = await folder();
    const cases: [number, number, string][] = [
      [
        MAX_FRAME_SIDE + 1,
        16,
        `it is ${MAX_FRAME_SIDE + 1}x16 pixels, over the limit of ${MAX_FRAME_SIDE} pixels a side`,
      ],
      [16, 100_000, `it is 16x100000 pixels, over the limit of ${MAX_FRAME_SIDE} pixels a side`],
      [12_000, 12_000, 'it is 12000x12000 pixels (144 megapixels), over the limit of 100 megapixels'],
      // beyond sharp's own pixel limit, which would call it corrupt
      [100_000, 100_000, 'it is 100000x100000 pixels, over the limit of 16384 pixels a side'],
    ];
    for (const [width, height, reason] of cases) {
      const file = join(dir, `huge.${width}x${height}.png`);
      const bytes = claimedPng(width, height);
      expect(bytes.length).toBeLessThan(200);
      await writeFile(file, bytes);
      const err = await readFrame({ frame: 7, path: file }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err, file).toBeInstanceOf(FrameReadError);
      expect((err as Error).message).toBe(
        `Cannot read frame 7 (${file}): ${reason}; a header this large usually means a corrupt file; otherwise scale the plate down first`,
      );
    }
    expect(MAX_FRAME_PIXELS).toBe(100_000_000);
  });

  it('lets a frame at the limits through to the decoder', async () => {
    const dir = await folder();
    const file = join(dir, 'wide.png');
    await writeFile(file, claimedPng(MAX_FRAME_SIDE, 16)); // 262144 pixels, but its data is missing
    await expect(readFrame(file)).rejects.toThrow(/corrupt or truncated/);
  });
});

describe('prepareOutputFolders', () => {
  const asRoot = process.getuid?.() === 0;

  async function refusal(outputs: string[]): Promise<string> {
    const err = await prepareOutputFolders(outputs).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(InputError);
    return (err as Error).message;
  }

  it('creates the folders and leaves nothing in them', async () => {
    const dir = await folder();
    const outputs = [join(dir, 'a', 'b', 'x.1.png'), join(dir, 'a', 'b', 'x.2.png'), join(dir, 'c', 'y.1.png')];
    await prepareOutputFolders(outputs);
    expect(await readdir(join(dir, 'a', 'b'))).toEqual([]);
    expect(await readdir(join(dir, 'c'))).toEqual([]);
  });

  it('says which file stands where a folder should be', async () => {
    const dir = await folder();
    const file = join(dir, 'renders');
    await writeFile(file, 'not a folder');
    expect(await refusal([join(file, 'shot', 'a.1.png')])).toBe(
      `cannot create the output folder ${join(file, 'shot')}: ${file} is a file, not a folder; choose another output folder`,
    );
  });

  it('says when the folder is a link to nothing, as an unmounted disk leaves it', async () => {
    const dir = await folder();
    const link = join(dir, 'share');
    await symlink(join(dir, 'unmounted', 'renders'), link);
    expect(await refusal([join(link, 'a.1.png')])).toMatch(
      new RegExp(`^cannot create the output folder ${link}: ${link} is a link to a folder that does not exist`),
    );
  });

  it('finds, before any frame, names too long for the atomic write (which a root user meets too)', async () => {
    const dir = await folder();
    // a legal file name whose hidden temp (.NAME.<12 hex>.tmp) is over the 255-byte limit
    const output = join(dir, `${'a'.repeat(240)}.0001.png`);
    expect(await refusal([output])).toBe(
      `cannot write to the output folder ${dirname(output)}: the output file names are too long for the file system; choose a shorter output name or folder`,
    );
  });

  it.skipIf(asRoot)(
    'says a read-only folder, or one that takes no new folders, is not writable (skipped as root: root writes through permissions)',
    async () => {
      const dir = await folder();
      const locked = join(dir, 'locked');
      await mkdir(locked);
      await chmod(locked, 0o555);
      try {
        expect(await refusal([join(locked, 'a.1.png')])).toBe(
          `cannot write to the output folder ${locked}: permission denied; make it writable or choose another output folder`,
        );
        expect(await refusal([join(locked, 'sub', 'a.1.png')])).toBe(
          `cannot create the output folder ${join(locked, 'sub')}: ${locked} does not let you create folders in it (permission denied); make it writable or choose another output folder`,
        );
      } finally {
        await chmod(locked, 0o755);
      }
    },
  );
});

describe('isCompleteOutput', () => {
  it('trusts only files that decode completely', async () => {
    const dir = await folder();
    const good = join(dir, 'good.png');
    await writeFrame(good, noiseImage(3, 8), 'png');
    const whole = await readFile(good);
    await writeFile(join(dir, 'cut.png'), whole.subarray(0, whole.length - 40));
    await writeFile(join(dir, 'empty.png'), '');
    expect(await isCompleteOutput(good)).toBe(true);
    expect(await isCompleteOutput(join(dir, 'cut.png'))).toBe(false);
    expect(await isCompleteOutput(join(dir, 'empty.png'))).toBe(false);
    expect(await isCompleteOutput(join(dir, 'missing.png'))).toBe(false);
    expect(await isCompleteOutput(dir)).toBe(false);
  });
});

describe('atomic writes', () => {
  it('a failure mid-write leaves no partial file and no temp', async () => {
    const dir = await folder();
    const target = join(dir, 'frame.png');
    const failing = writeFileAtomic(target, async (file) => {
      await file.write(Buffer.alloc(1000, 1)); // half the frame is on disk…
      throw new Error('disk full'); // …when the write fails
    });
    await expect(failing).rejects.toThrow('disk full');
    expect(await readdir(dir)).toEqual([]);
  });

  it('a failed rewrite leaves the previous file intact', async () => {
    const dir = await folder();
    const target = join(dir, 'project.json');
    await writeFileAtomic(target, '{"v":1}');
    await expect(
      writeFileAtomic(target, async (file) => {
        await file.write('{"v":2, trunc');
        throw new Error('killed');
      }),
    ).rejects.toThrow('killed');
    expect(await readFile(target, 'utf8')).toBe('{"v":1}');
    expect(await readdir(dir)).toEqual(['project.json']);
  });

  it('a failed rename removes the temp', async () => {
    const dir = await folder();
    const target = join(dir, 'occupied');
    await mkdir(join(target, 'child'), { recursive: true }); // rename onto a non-empty folder fails
    await expect(writeFileAtomic(target, Buffer.from('x'))).rejects.toThrow();
    expect(await readdir(dir)).toEqual(['occupied']);
  });

  it('writeFrame into a missing folder fails cleanly', async () => {
    const dir = await folder();
    await expect(writeFrame(join(dir, 'nope', 'a.png'), noiseImage(3, 8), 'png')).rejects.toThrow(/ENOENT/);
    expect(await readdir(dir)).toEqual([]);
  });

  it('temp names are hidden, beside the target and unique', () => {
    const a = tempPathFor('/out/aged.1001.png');
    expect(a).toMatch(/^\/out\/\.aged\.1001\.png\.[0-9a-f]{12}\.tmp$/);
    expect(tempPathFor('/out/aged.1001.png')).not.toBe(a);
  });
});

describe('toRgbFloat / fromRgbFloat', () => {
  for (const bitDepth of [8, 16] as const) {
    for (const channels of [1, 2, 3, 4] as const) {
      it(`${bitDepth}-bit ${channels}-channel round-trips exactly`, () => {
        const src = noiseImage(channels, bitDepth);
        const f = toRgbFloat(src);
        expect(f.rgb).toHaveLength(37 * 23 * 3);
        expect(Math.min(...f.rgb)).toBe(0);
        expect(Math.max(...f.rgb)).toBe(1);
        if (channels === 2 || channels === 4) {
          expect(f.alpha).toEqual(src.data.filter((_, i) => i % channels === channels - 1));
        } else {
          expect(f.alpha).toBeNull();
        }
        if (channels < 3) expect(f.rgb[0]).toBe(f.rgb[1]);
        expect(fromRgbFloat(f)).toEqual(src);
      });
    }
  }

  it('clamps out-of-range and NaN values and takes luma for gray', () => {
    const gray: RawImage = {
      width: 3,
      height: 1,
      channels: 2,
      bitDepth: 8,
      data: new Uint8Array([10, 200, 20, 201, 30, 202]),
    };
    const f = toRgbFloat(gray);
    f.rgb.set([1.5, 1.5, 1.5, NaN, NaN, NaN, 1, 0, 0]);
    expect(Array.from(fromRgbFloat(f).data)).toEqual([255, 200, 0, 201, Math.round(0.2126 * 255), 202]);
  });
});

describe('resolveInput', () => {
  it.skipIf(!existsSync(AKIYO))('picks a range from the footage folder', async () => {
    const refs = await resolveInput(resolve(REPO, '../shared/footage/akiyo'), '1001-1003');
    expect(refs).toEqual([1001, 1002, 1003].map((frame) => ({ frame, path: join(AKIYO, `akiyo.${frame}.png`) })));
    expect(await resolveInput(AKIYO)).toHaveLength(60);
  });

  it.skipIf(!existsSync(AKIYO))('accepts #, %0Nd and @ patterns', async () => {
    for (const p of ['akiyo.####.png', 'akiyo.%04d.png', 'akiyo.@@@@.png']) {
      const refs = await resolveInput(join(AKIYO, p), '1001,1059-1060');
      expect(refs.map((r) => r.frame)).toEqual([1001, 1059, 1060]);
    }
  });

  it.skipIf(!existsSync(AKIYO))('lists frames a range asks for that do not exist', async () => {
    await expect(resolveInput(AKIYO, '1058-1063,1070')).rejects.toThrow(
      /has no frames 1061-1063, 1070 \(asked for 1058-1063,1070; it has 1001-1060\)/,
    );
    await expect(resolveInput(AKIYO, '10x')).rejects.toThrow(InputError);
  });

  it('detects the single sequence in a folder, with gaps and hidden files ignored', async () => {
    const dir = await folder();
    const img = noiseImage(3, 8, 4, 4);
    for (const f of [1, 2, 4]) await writeFrame(join(dir, `sh_${String(f).padStart(3, '0')}.png`), img, 'png');
    await writeFile(join(dir, '.sh_003.png.abc.tmp'), 'temp');
    await writeFile(join(dir, 'notes.txt'), 'not a frame');
    const refs = await resolveInput(dir);
    expect(refs.map((r) => r.frame)).toEqual([1, 2, 4]);
    await expect(resolveInput(dir, '1-4')).rejects.toThrow(
      /sh_###\.png has no frame 3 \(asked for 1-4; it has 1-2, 4\)/,
    );
  });

  it('refuses a folder with several sequences and lists them', async () => {
    const dir = await folder();
    const img = noiseImage(1, 8, 4, 4);
    for (const name of ['a.0001.png', 'a.0002.png', 'b.0001.tif', 'slate.jpg']) {
      await writeFrame(join(dir, name), img, frameFormatFromPath(name)!);
    }
    const err = await resolveInput(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toMatch(/holds 3 sequences or files/);
    expect((err as Error).message).toContain('a.####.png 1-2 (2 frames)');
    expect((err as Error).message).toContain('b.####.tif 1 (1 frame)');
    expect((err as Error).message).toContain('slate.jpg');
  });

  it('explains a pattern that matches nothing by showing what is there', async () => {
    const dir = await folder();
    await writeFrame(join(dir, 'a.0001.png'), noiseImage(3, 8, 4, 4), 'png');
    await expect(resolveInput(join(dir, 'a.%d.png'))).rejects.toThrow(
      /no files match .*a\.%d\.png; the folder holds:\n {2}a\.####\.png 1/,
    );
    await expect(resolveInput(join(dir, 'a.%4d.png'))).rejects.toThrow(InputError);
    await expect(resolveInput(join(dir, 'missing'))).rejects.toThrow(/does not exist/);
    await expect(resolveInput(join(dir, 'gone', 'a.####.png'))).rejects.toThrow(/folder .*gone does not exist/);
    await expect(resolveInput([])).rejects.toThrow(/no input given/);
  });

  it('takes a list of files: numbers from names, or 1, 2, … for stills', async () => {
    const dir = await folder();
    const img = noiseImage(3, 8, 4, 4);
    const names = ['x.0012.png', 'x.0010.png', 'hero.png', 'close.png'];
    for (const n of names) await writeFrame(join(dir, n), img, 'png');
    const numbered = await resolveInput([join(dir, 'x.0012.png'), join(dir, 'x.0010.png')], '12');
    expect(numbered).toEqual([{ frame: 12, path: join(dir, 'x.0012.png') }]);
    const stills = await resolveInput([join(dir, 'hero.png'), join(dir, 'close.png')]);
    expect(stills).toEqual([
      { frame: 1, path: join(dir, 'hero.png') },
      { frame: 2, path: join(dir, 'close.png') },
    ]);
    expect(await resolveInput(join(dir, 'hero.png'))).toEqual([{ frame: 1, path: join(dir, 'hero.png') }]);
    await expect(resolveInput([join(dir, 'hero.png'), join(dir, 'nope.png')])).rejects.toThrow(
      /not found: .*nope\.png/,
    );
  });
});

describe('resolveOutput', () => {
  const ref = { frame: 1001, path: '/plates/akiyo/akiyo.1001.png' };

  it('keeps the input name in an output folder', () => {
    expect(resolveOutput('/renders/aged', ref)).toBe('/renders/aged/akiyo.1001.png');
    expect(resolveOutput('/renders/aged/', ref, 'akiyo.####.png')).toBe('/renders/aged/akiyo.1001.png');
    expect(resolveOutput('/renders/v1.2', { frame: 7, path: '/p/a.0007.tif' })).toBe('/renders/v1.2/a.0007.tif');
  });

  it('formats an output pattern', () => {
    expect(resolveOutput('/renders/aged.%06d.tif', ref)).toBe('/renders/aged.001001.tif');
    expect(resolveOutput('/renders/aged.####.jpg', { frame: 3, path: '/p/a.3.png' })).toBe('/renders/aged.0003.jpg');
    expect(resolveOutput('/renders/still.png', ref)).toBe('/renders/still.png');
  });

  it('never overwrites the plate, and never writes two frames to one file', () => {
    expect(() => resolveOutput('/plates/akiyo', ref)).toThrow(/would overwrite its input/);
    expect(() => resolveOutput('/plates/akiyo/akiyo.####.png', ref)).toThrow(InputError);
    const refs = [ref, { frame: 1002, path: '/plates/akiyo/akiyo.1002.png' }];
    expect(resolveOutputs('/renders/out', refs)).toEqual([
      '/renders/out/akiyo.1001.png',
      '/renders/out/akiyo.1002.png',
    ]);
    expect(() => resolveOutputs('/renders/still.png', refs)).toThrow(/frames 1001 and 1002 would both be written/);
  });
});
