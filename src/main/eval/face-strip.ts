/**
 * What the evaluation measured, as pictures: one PNG strip per evaluated face, its
 * tiles side by side at the model's size, in STRIP_COLUMNS order: the real crop, the
 * three reconstructions, then the face at each of the six target ages. So a person can
 * look at the faces behind the figures, and another ruler can score the very same
 * faces later without rerunning the optimisation (readFaceStrip).
 */
import { basename, join } from 'node:path';
import sharp from 'sharp';
import { AGE_CATEGORIES } from '../../shared/ages.js';
import { writeFileAtomic } from '../node/atomic.js';

export const STRIP_COLUMNS = ['real', 'z0', 'pixel', 'identity', ...AGE_CATEGORIES] as const;
const TILES = STRIP_COLUMNS.length;

/** The strip's file name for a dataset image: its name without extensions, then .png. */
export function stripFileName(imageName: string): string {
  return `${basename(imageName).replace(/\..*$/, '')}.png`;
}

/**
 * The strip's RGB bytes: `real` is the S×S×3 8-bit crop, `generated` the nine
 * generated faces [9,S,S,3] in 0..1 (z0, pixel, identity, six ages).
 */
export function stripPixels(real: Uint8Array, generated: Float32Array, size: number): Uint8Array {
  const tile = size * size * 3;
  if (real.length !== tile || generated.length !== (TILES - 1) * tile)
    throw new RangeError(`face strip: expected a ${size}×${size} crop and ${TILES - 1} faces`);
  const out = new Uint8Array(TILES * tile);
  const rowBytes = TILES * size * 3;
  for (let t = 0; t < TILES; t++)
    for (let y = 0; y < size; y++)
      for (let x = 0; x < size * 3; x++) {
        const i = y * size * 3 + x;
        const v = t === 0 ? real[i]! : Math.round(255 * Math.min(1, Math.max(0, generated[(t - 1) * tile + i]!)));
        out[y * rowBytes + t * size * 3 + x] = v;
      }
  return out;
}

/** Write one face's strip into `dir` (atomically: a strip is whole or absent). */
export async function writeFaceStrip(
  dir: string,
  imageName: string,
  real: Uint8Array,
  generated: Float32Array,
  size: number,
): Promise<string> {
  const png = await sharp(stripPixels(real, generated, size), {
    raw: { width: TILES * size, height: size, channels: 3 },
  })
    .png()
    .toBuffer();
  const path = join(dir, stripFileName(imageName));
  await writeFileAtomic(path, png);
  return path;
}

/** A strip's tiles back, each S×S×3 8-bit, in STRIP_COLUMNS order. */
export async function readFaceStrip(path: string, size: number): Promise<Uint8Array[]> {
  const { data, info } = await sharp(path).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  if (info.width !== TILES * size || info.height !== size)
    throw new RangeError(
      `${path}: a face strip is ${TILES * size}×${size}, this image is ${info.width}×${info.height}`,
    );
  const tiles: Uint8Array[] = [];
  for (let t = 0; t < TILES; t++) {
    const tile = new Uint8Array(size * size * 3);
    for (let y = 0; y < size; y++)
      tile.set(data.subarray((y * TILES + t) * size * 3, (y * TILES + t + 1) * size * 3), y * size * 3);
    tiles.push(tile);
  }
  return tiles;
}
