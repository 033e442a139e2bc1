/**
 * UTKFace for evaluation: where the dataset is, which files a split holds, and the
 * 64×64 crop the networks were trained on, reproduced with sharp.
 *
 * The training crop (training/reage_train/data.py `load_crop`) is: the chip as RGB,
 * resized bicubically to 200×200 if it is another size, CROP_BOX (20,20,180,180)
 * cut out, resized to 64×64 with Lanczos. PIL applies no ICC profile, so neither
 * does this. sharp's lanczos3 is not bit-identical to PIL's LANCZOS (the test bounds
 * the difference), but both are the same antialiased 3-lobe filter.
 */
import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import type { FaceAnalyzer } from '../engine/faces.js';
import type { AlignmentTemplate } from '../engine/aging-model.js';
import type { Point, RawImage } from '../engine/types.js';

/** The repository root (this file is src/main/eval/data.ts or dist/main/eval/data.js). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export const CHIP_SIZE = 200;
/** left, top, right, bottom in chip pixels: data.py CROP_BOX */
export const CROP_BOX = [20, 20, 180, 180] as const;

export type Split = 'test' | 'train';

/** `REAGE_UTKFACE`, else `../shared/datasets/utkface` beside the repository. */
export function defaultDataDir(): string {
  return process.env.REAGE_UTKFACE ?? resolve(REPO_ROOT, '..', 'shared', 'datasets', 'utkface');
}

/** Default footage folder for the same-person check: `../shared/footage` beside the repository. */
export function defaultFootageDir(): string {
  return resolve(REPO_ROOT, '..', 'shared', 'footage');
}

export class DatasetError extends Error {
  override name = 'DatasetError';
}

/**
 * The file names of a split: `test` is test.txt (the held-out images every quality
 * figure is reported on); `train` is every image not in it.
 */
export async function listSplit(dataDir: string, split: Split): Promise<string[]> {
  const testFile = join(dataDir, 'test.txt');
  const imagesDir = join(dataDir, 'images');
  if (!existsSync(testFile) || !existsSync(imagesDir)) {
    throw new DatasetError(
      `UTKFace not found at ${dataDir} (expected test.txt and images/); set REAGE_UTKFACE or pass the dataset folder`,
    );
  }
  const test = (await readFile(testFile, 'utf8'))
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  if (split === 'test') return test;
  const held = new Set(test);
  return (await readdir(imagesDir)).filter((n) => n.endsWith('.jpg') && !held.has(n)).sort();
}

export function imagePath(dataDir: string, name: string): string {
  return join(dataDir, 'images', name);
}

/**
 * The training crop of a UTKFace chip: [size, size, 3] RGB, 8-bit, interleaved.
 * Accepts a path or the file's bytes.
 */
export async function loadTrainingCrop(source: string | Buffer, size = 64): Promise<Uint8Array> {
  const buf = typeof source === 'string' ? await readFile(source) : source;
  const meta = await sharp(buf, { ignoreIcc: true }).metadata();
  let chip: Buffer = buf;
  let raw: { width: number; height: number; channels: 3 } | undefined;
  if (meta.width !== CHIP_SIZE || meta.height !== CHIP_SIZE) {
    chip = await sharp(buf, { ignoreIcc: true })
      .removeAlpha()
      .toColourspace('srgb')
      .resize(CHIP_SIZE, CHIP_SIZE, { fit: 'fill', kernel: 'cubic' })
      .raw()
      .toBuffer();
    raw = { width: CHIP_SIZE, height: CHIP_SIZE, channels: 3 };
  }
  const [left, top, right, bottom] = CROP_BOX;
  const { data, info } = await sharp(chip, raw ? { raw } : { ignoreIcc: true })
    .removeAlpha()
    .toColourspace('srgb')
    .extract({ left, top, width: right - left, height: bottom - top })
    .resize(size, size, { fit: 'fill', kernel: 'lanczos3' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.width !== size || info.height !== size || info.channels !== 3)
    throw new Error(`crop came out ${info.width}x${info.height}x${info.channels}, expected ${size}x${size}x3`);
  return new Uint8Array(data.buffer, data.byteOffset, data.length);
}

/** 8-bit RGB -> floats in G's space, [-1, 1]. */
export function toGeneratorRange(rgb: Uint8Array): Float32Array {
  const out = new Float32Array(rgb.length);
  for (let i = 0; i < rgb.length; i++) out[i] = rgb[i]! / 127.5 - 1;
  return out;
}

/** A detector-like box around landmarks: their bounds, widened a little and lifted towards the brow. */
export function boxAround(points: readonly Point[]): { x: number; y: number; width: number; height: number } {
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y);
  const w = Math.max(...xs) - Math.min(...xs);
  const h = Math.max(...ys) - Math.min(...ys);
  return { x: Math.min(...xs) - 0.05 * w, y: Math.min(...ys) - 0.15 * h, width: 1.1 * w, height: 1.2 * h };
}

/**
 * The 68 landmarks of an aligned 200x200 UTKFace chip, in chip pixels. The detector
 * misses most faces that fill the image, and a chip's face is where the alignment
 * template says, so the landmark net is given the template's box (as a detection
 * would give it), then the box of its own first fit.
 */
export async function chipLandmarks(
  analyzer: Pick<FaceAnalyzer, 'landmarksInBox'>,
  image: RawImage,
  template: AlignmentTemplate,
): Promise<Point[] | undefined> {
  const [left, top, right] = template.cropBox;
  const k = (right - left) / template.imageSize;
  const reference = template.landmarks.map(([x, y]) => ({ x: x * k + left, y: y * k + top }));
  const first = await analyzer.landmarksInBox(image, boxAround(reference));
  return first && analyzer.landmarksInBox(image, boxAround(first));
}
