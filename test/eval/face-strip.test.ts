import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  STRIP_COLUMNS,
  readFaceStrip,
  stripFileName,
  stripPixels,
  writeFaceStrip,
} from '../../src/main/eval/face-strip.js';

const S = 4;
const TILE = S * S * 3;
/** a real crop and nine generated faces, each tile a different, position-dependent pattern */
function sample(): { real: Uint8Array; generated: Float32Array } {
  const real = Uint8Array.from({ length: TILE }, (_, i) => (i * 7) % 256);
  const generated = Float32Array.from({ length: 9 * TILE }, (_, i) => ((i * 13) % 256) / 255);
  return { real, generated };
}

describe('face strips', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('names a strip after the dataset image, without its extensions', () => {
    expect(stripFileName('25_0_1_20170116.jpg.chip.jpg')).toBe('25_0_1_20170116.png');
    expect(stripFileName('/data/utk/9_1_0_x.jpg')).toBe('9_1_0_x.png');
  });

  it('lays the tiles side by side: real crop first, then the generated faces in 0..255', () => {
    const { real, generated } = sample();
    const px = stripPixels(real, generated, S);
    const row = STRIP_COLUMNS.length * S * 3;
    expect(px.length).toBe(STRIP_COLUMNS.length * TILE);
    // row 1, pixel 2 of the real tile
    expect(px[row + 2 * 3]).toBe(real[S * 3 + 2 * 3]);
    // row 2, pixel 1, channel 2 of the third generated face (tile 3)
    const i = 2 * S * 3 + 1 * 3 + 2;
    expect(px[2 * row + 3 * S * 3 + 1 * 3 + 2]).toBe(Math.round(255 * generated[2 * TILE + i]!));
  });

  it('clips generated values outside 0..1 and refuses the wrong sizes', () => {
    const { real } = sample();
    const generated = new Float32Array(9 * TILE).fill(1.7);
    generated[0] = -0.3;
    const px = stripPixels(real, generated, S);
    expect(px[S * 3]).toBe(0);
    expect(px[S * 3 + 1]).toBe(255);
    expect(() => stripPixels(real, new Float32Array(8 * TILE), S)).toThrow(/9 faces/);
    expect(() => stripPixels(real.subarray(1), generated, S)).toThrow(RangeError);
  });

  it('writes a PNG that reads back tile for tile, and leaves no temp file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'reage-strip-'));
    dirs.push(dir);
    const { real, generated } = sample();
    const path = await writeFaceStrip(dir, '30_1_2_x.jpg.chip.jpg', real, generated, S);
    expect(await readdir(dir)).toEqual(['30_1_2_x.png']);
    const tiles = await readFaceStrip(path, S);
    expect(tiles).toHaveLength(STRIP_COLUMNS.length);
    expect(tiles[0]).toEqual(real);
    expect(tiles[9]).toEqual(Uint8Array.from(generated.subarray(8 * TILE), (v) => Math.round(255 * v)));
    await expect(readFaceStrip(path, S + 1)).rejects.toThrow(/face strip is/);
  });
});
