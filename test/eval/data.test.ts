import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DatasetError,
  REPO_ROOT,
  defaultDataDir,
  imagePath,
  listSplit,
  loadTrainingCrop,
  toGeneratorRange,
} from '../../src/main/eval/data.js';

/** An RGB image of `size`², `fill` everywhere, `boxes` painted over it. */
async function painted(
  size: number,
  fill: [number, number, number],
  boxes: { x0: number; y0: number; x1: number; y1: number; rgb: [number, number, number] }[],
  format: 'png' | 'jpeg' = 'png',
): Promise<Buffer> {
  const data = Buffer.alloc(size * size * 3);
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) {
      const box = boxes.find((b) => x >= b.x0 && x < b.x1 && y >= b.y0 && y < b.y1);
      data.set(box ? box.rgb : fill, (y * size + x) * 3);
    }
  const img = sharp(data, { raw: { width: size, height: size, channels: 3 } });
  return format === 'png' ? img.png().toBuffer() : img.jpeg({ quality: 100 }).toBuffer();
}

function pixel(crop: Uint8Array, x: number, y: number, size = 64): number[] {
  return Array.from(crop.subarray((y * size + x) * 3, (y * size + x) * 3 + 3));
}

/** Largest channel difference from `rgb` over columns x0..x1-1 and rows y0..y1-1 (all rows by default). */
function maxDiff(crop: Uint8Array, x0: number, x1: number, rgb: number[], y0 = 0, y1 = 64, size = 64): number {
  let m = 0;
  for (let y = y0; y < y1; y++)
    for (let x = x0; x < x1; x++) {
      const p = pixel(crop, x, y, size);
      for (let c = 0; c < 3; c++) m = Math.max(m, Math.abs(p[c]! - rgb[c]!));
    }
  return m;
}

describe('loadTrainingCrop', () => {
  const RED: [number, number, number] = [255, 0, 0];
  const GREEN: [number, number, number] = [0, 255, 0];
  const BLUE: [number, number, number] = [0, 0, 255];

  it('cuts CROP_BOX (20,20,180,180) out of a 200x200 chip and resizes it to 64x64', async () => {
    // red outside the crop box; inside, blue left half and green right half
    const chip = await painted(200, RED, [
      { x0: 20, y0: 20, x1: 100, y1: 180, rgb: BLUE },
      { x0: 100, y0: 20, x1: 180, y1: 180, rgb: GREEN },
    ]);
    const crop = await loadTrainingCrop(chip);
    expect(crop).toHaveLength(64 * 64 * 3);
    // nothing of the red frame gets in, and the halves stay where they were
    expect(maxDiff(crop, 0, 30, BLUE)).toBeLessThanOrEqual(1);
    expect(maxDiff(crop, 34, 64, GREEN)).toBeLessThanOrEqual(1);
    expect(await loadTrainingCrop(chip, 32)).toHaveLength(32 * 32 * 3);
  });

  it('resizes an odd-sized chip to 200x200 first, as data.py does', async () => {
    // 100x100: the crop box is (10,10,90,90) at this size
    const chip = await painted(100, RED, [{ x0: 10, y0: 10, x1: 90, y1: 90, rgb: GREEN }]);
    const crop = await loadTrainingCrop(chip);
    expect(maxDiff(crop, 3, 61, GREEN, 3, 61)).toBeLessThanOrEqual(2);
    expect(maxDiff(crop, 0, 64, GREEN)).toBeGreaterThan(2); // the cubic upscale bleeds a little red into the edge
  });

  it('gives three channels for a grayscale JPEG', async () => {
    const gray = await sharp(await painted(200, [90, 90, 90], []), {})
      .toColourspace('b-w')
      .jpeg()
      .toBuffer();
    expect((await sharp(gray).metadata()).channels).toBe(1);
    const crop = await loadTrainingCrop(gray);
    expect(crop).toHaveLength(64 * 64 * 3);
    expect(pixel(crop, 32, 32).every((v) => Math.abs(v - 90) <= 2)).toBe(true);
  });

  it('maps 8-bit RGB onto the generator range [-1, 1]', () => {
    expect(Array.from(toGeneratorRange(Uint8Array.of(0, 255, 127.5 as number)))).toEqual([
      -1,
      1,
      expect.closeTo(-0.0039, 3),
    ]);
  });

  // The real thing: our crop against PIL's (training/reage_train/data.py load_crop) on UTKFace test images.
  const dataDir = defaultDataDir();
  const python = '/usr/bin/python3';
  const canCompare =
    existsSync(join(dataDir, 'test.txt')) &&
    existsSync(python) &&
    spawnSync(python, ['-c', 'import PIL, numpy'], { encoding: 'utf8' }).status === 0;

  it.skipIf(!canCompare)('matches PIL’s training crop to within JPEG/resampler rounding', async () => {
    const names = (await listSplit(dataDir, 'test')).slice(0, 3);
    const files = names.map((n) => imagePath(dataDir, n));
    const script =
      'import sys\nfrom reage_train.data import load_crop\nfor p in sys.argv[1:]: print(load_crop(p).tobytes().hex())';
    const r = spawnSync(python, ['-c', script, ...files], {
      cwd: join(REPO_ROOT, 'training'),
      encoding: 'utf8',
      maxBuffer: 1 << 24,
    });
    expect(r.status, r.stderr).toBe(0);
    const pil = r.stdout.trim().split('\n');
    for (const [i, f] of files.entries()) {
      const ours = await loadTrainingCrop(f);
      const theirs = Buffer.from(pil[i]!, 'hex');
      expect(theirs).toHaveLength(ours.length);
      let sum = 0;
      let max = 0;
      for (let j = 0; j < ours.length; j++) {
        const d = Math.abs(ours[j]! - theirs[j]!);
        sum += d;
        max = Math.max(max, d);
      }
      expect(sum / ours.length).toBeLessThan(1); // measured ~0.23 of 255
      expect(max).toBeLessThanOrEqual(12); // measured 3-5
    }
  });
});

describe('listSplit', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'reage-eval-data-'));
    await mkdir(join(dir, 'images'));
    for (const n of ['1_0_0_a.jpg.chip.jpg', '30_1_2_b.jpg.chip.jpg', '70_0_1_c.jpg.chip.jpg', 'notes.txt'])
      await writeFile(join(dir, 'images', n), '');
    await writeFile(join(dir, 'test.txt'), '30_1_2_b.jpg.chip.jpg\r\n\n');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('test is test.txt, train is every other image', async () => {
    expect(await listSplit(dir, 'test')).toEqual(['30_1_2_b.jpg.chip.jpg']);
    expect(await listSplit(dir, 'train')).toEqual(['1_0_0_a.jpg.chip.jpg', '70_0_1_c.jpg.chip.jpg']);
  });

  it('says where it looked when the dataset is missing', async () => {
    await expect(listSplit(join(dir, 'nope'), 'test')).rejects.toThrow(DatasetError);
    await expect(listSplit(join(dir, 'nope'), 'test')).rejects.toThrow(/REAGE_UTKFACE/);
  });

  it('defaults to REAGE_UTKFACE, else ../shared/datasets/utkface', () => {
    const saved = process.env.REAGE_UTKFACE;
    try {
      process.env.REAGE_UTKFACE = '/x/utk';
      expect(defaultDataDir()).toBe('/x/utk');
      delete process.env.REAGE_UTKFACE;
      expect(defaultDataDir()).toBe(join(REPO_ROOT, '..', 'shared', 'datasets', 'utkface'));
    } finally {
      if (saved === undefined) delete process.env.REAGE_UTKFACE;
      else process.env.REAGE_UTKFACE = saved;
    }
  });
});
