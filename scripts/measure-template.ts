/**
 * Measures the canonical 68-landmark template on the training crops, once.
 *
 * The networks are trained on UTKFace chips cut by training/reage_train/data.py:
 * CROP_BOX (20,20,180,180) of the 200x200 chip resized to 64x64. The runtime aligner
 * maps a plate face onto this template, so the template must be where face-api finds
 * the landmarks on those very crops. The chips are already aligned by UTKFace, so a
 * plain mean of the landmarks (no Procrustes) is the template.
 *
 *   npx tsx scripts/measure-template.ts [--dataset DIR] [--count 400] [--seed 1] [--out training/template.json]
 *
 * Only training images are used (names in test.txt are excluded); the subset is a
 * seeded shuffle, so a rerun measures the same images.
 */
import { readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { format, resolveConfig } from 'prettier';
import sharp from 'sharp';
import { FaceAnalyzer } from '../src/main/engine/faces.js';
import type { Point, RawImage } from '../src/main/engine/types.js';
import { seededRandom } from '../src/shared/random.js';
import { shuffled } from '../src/main/eval/select.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CHIP_SIZE = 200;
const CROP_BOX = [20, 20, 180, 180] as const; // data.py CROP_BOX: left, top, right, bottom
const IMAGE_SIZE = 64;

/** Training image names, as data.py lists them: sorted *.jpg minus test.txt. */
function trainingNames(dataset: string): string[] {
  const test = new Set(
    readFileSync(join(dataset, 'test.txt'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean),
  );
  return readdirSync(join(dataset, 'images'))
    .filter((n) => n.endsWith('.jpg') && !test.has(n))
    .sort();
}

/**
 * SSD MobileNet misses most faces that fill the image (a UTKFace chip is mostly face);
 * with this much edge-replicated border around the chip it finds most of them.
 */
const CONTEXT_PAD = 100;

/**
 * The chip as 8-bit RGB at 200x200 (data.py resizes odd-sized chips bicubically too),
 * inside a CONTEXT_PAD border of repeated edge pixels.
 */
async function loadChip(path: string): Promise<RawImage> {
  const { data, info } = await sharp(path)
    .removeAlpha()
    .toColourspace('srgb')
    .resize(CHIP_SIZE, CHIP_SIZE, { fit: 'fill', kernel: 'cubic' })
    .extend({ top: CONTEXT_PAD, bottom: CONTEXT_PAD, left: CONTEXT_PAD, right: CONTEXT_PAD, extendWith: 'copy' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return {
    width: info.width,
    height: info.height,
    channels: 3,
    bitDepth: 8,
    data: new Uint8Array(data.buffer, data.byteOffset, data.length),
  };
}

/** Padded-chip pixel -> 64x64 training-crop pixel (continuous coordinates). */
function chipToCrop(p: Point): Point {
  const [left, top, right] = CROP_BOX;
  const s = IMAGE_SIZE / (right - left);
  return { x: (p.x - CONTEXT_PAD - left) * s, y: (p.y - CONTEXT_PAD - top) * s };
}

function mean(shapes: readonly Point[][]): Point[] {
  return shapes[0]!.map((_, i) => ({
    x: shapes.reduce((s, l) => s + l[i]!.x, 0) / shapes.length,
    y: shapes.reduce((s, l) => s + l[i]!.y, 0) / shapes.length,
  }));
}

function rmsTo(a: readonly Point[], b: readonly Point[]): number {
  return Math.sqrt(a.reduce((s, p, i) => s + (p.x - b[i]!.x) ** 2 + (p.y - b[i]!.y) ** 2, 0) / a.length);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      dataset: { type: 'string', default: resolve(ROOT, '../shared/datasets/utkface') },
      count: { type: 'string', default: '400' },
      seed: { type: 'string', default: '1' },
      out: { type: 'string', default: join(ROOT, 'training/template.json') },
    },
  });
  const count = Number(values.count);
  const seed = Number(values.seed);
  const names = shuffled(trainingNames(values.dataset), seededRandom(seed)).slice(0, count);
  console.log(`measuring landmarks on ${names.length} training chips (seed ${seed}) from ${values.dataset}`);

  const analyzer = await FaceAnalyzer.load();
  const shapes: Point[][] = [];
  let failed = 0;
  const t0 = Date.now();
  for (const [i, name] of names.entries()) {
    const faces = await analyzer.detect(await loadChip(join(values.dataset, 'images', name)));
    // a chip holds one centred face; the largest detection is it
    if (faces[0]) shapes.push(faces[0].landmarks.map(chipToCrop));
    else failed++;
    if ((i + 1) % 50 === 0)
      console.log(
        `  ${i + 1}/${names.length}  (${failed} without a face, ${((Date.now() - t0) / (i + 1)).toFixed(0)} ms/image)`,
      );
  }
  if (shapes.length === 0) throw new Error('no faces found');

  // A landmark fit that went wrong (profile, occlusion) would pull the mean: drop fits
  // far from the first mean (over 3x the median distance) and average again.
  const first = mean(shapes);
  const dists = shapes.map((s) => rmsTo(s, first));
  const median = dists.slice().sort((a, b) => a - b)[Math.floor(dists.length / 2)]!;
  const kept = shapes.filter((_, i) => dists[i]! <= 3 * median);
  const template = mean(kept);
  console.log(
    `faces on ${shapes.length}/${names.length}; ${shapes.length - kept.length} outlier fits dropped (median rms ${median.toFixed(2)} px); template from ${kept.length}`,
  );

  const result = {
    imageSize: IMAGE_SIZE,
    cropBox: CROP_BOX,
    landmarks: template.map((p) => [Number(p.x.toFixed(3)), Number(p.y.toFixed(3))]),
    measuredOn: kept.length,
    detector: 'face-api ssd_mobilenetv1 + landmark68',
    sample: { dataset: 'UTKFace training split (test.txt excluded)', sampled: names.length, seed },
  };
  // written through the repo's prettier config, so the generated file passes format:check
  const json = await format(JSON.stringify(result), { ...(await resolveConfig(values.out)), parser: 'json' });
  const tmp = `${values.out}.tmp`;
  writeFileSync(tmp, json);
  renameSync(tmp, values.out);
  console.log(`wrote ${values.out}`);
  analyzer.dispose();
}

await main();
