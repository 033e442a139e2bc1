/**
 * Builds the age prototypes of a model folder (src/main/engine/prototypes.ts) from the
 * UTKFace training split, on the CPU:
 *
 *   npx tsx scripts/build-prototypes.ts [--model models/reage-utkface-64] [--dataset DIR] \
 *     [--per-category 600 | --per-cell 75] [--size 192] [--levels 4] [--seed 1]
 *
 * Each age category's prototype averages --per-category chips of the training split
 * (seeded; test.txt excluded), as they come: what the shipped prototypes are. With
 * --per-cell N it weighs men and women of each of UTKFace's four main ethnicity labels
 * (white, black, asian, indian) equally instead, up to N chips of each: UTKFace's age
 * groups differ in who is in them (its 40-59 are mostly men; the ethnic mix shifts with
 * age), so unbalanced prototypes carry some beard shadow and skin colour as cues of age
 * (docs/EVAL.md, "Balanced prototypes"). For each sampled chip: face-api's
 * 68 landmarks on the chip, the chip warped piecewise-affinely onto the model's alignment
 * template (scaled to --size, the crop box at full chip resolution), then averaged: mean
 * landmarks, mean colour, and per Laplacian band the root-mean-square local detail
 * energy. Fits far from the reference shape (profiles, failed landmarks) are dropped.
 * Writes prototypes/ into the model folder and lists its files, with their SHA-256, in
 * the manifest; both are written to temporary names and renamed.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { endianness } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { format, resolveConfig } from 'prettier';
import { AGE_CATEGORIES, ageToCategory } from '../src/shared/ages.js';
import { seededRandom } from '../src/shared/random.js';
import { writeFileAtomic } from '../src/main/node/atomic.js';
import { initBackend } from '../src/main/engine/backend.js';
import { FaceAnalyzer } from '../src/main/engine/faces.js';
import { MANIFEST_FILE, manifestSchema, sha256 } from '../src/main/engine/model.js';
import { borderPoints, delaunay, triangleMap } from '../src/main/engine/piecewise-warp.js';
import { normaliseFace } from '../src/main/engine/prototype-layer.js';
import {
  PROTOTYPE_FORMAT,
  PROTOTYPES_BIN,
  PROTOTYPES_JSON,
  prototypeMetaSchema,
  prototypesFrom,
  type PrototypeMeta,
} from '../src/main/engine/prototypes.js';
import { laplacianPyramid, localEnergy, planes, sampleBilinear } from '../src/main/engine/pyramid.js';
import { readFrame, toRgbFloat } from '../src/main/engine/sequence-io.js';
import type { Point } from '../src/main/engine/types.js';
import { shuffled } from '../src/main/eval/select.js';
import {
  CHIP_SIZE,
  chipLandmarks,
  CROP_BOX,
  defaultDataDir,
  imagePath,
  listSplit,
  REPO_ROOT,
} from '../src/main/eval/data.js';

const { values: args } = parseArgs({
  options: {
    model: { type: 'string', default: join(REPO_ROOT, 'models', 'reage-utkface-64') },
    dataset: { type: 'string', default: defaultDataDir() },
    'per-category': { type: 'string', default: '600' },
    // --per-cell N: balanced prototypes instead (evaluated, not adopted: docs/EVAL.md)
    'per-cell': { type: 'string' },
    size: { type: 'string', default: '192' },
    levels: { type: 'string', default: '4' },
    seed: { type: 'string', default: '1' },
  },
});
const modelDir = resolve(args.model);
const perCell = args['per-cell'] === undefined ? undefined : Number(args['per-cell']);
const perCategory = Number(args['per-category']);
const size = Number(args.size);
const levels = Number(args.levels);
const seed = Number(args.seed);
if (endianness() !== 'LE') throw new Error('prototypes.bin is little-endian float32; this machine is big-endian');

const manifestPath = join(modelDir, MANIFEST_FILE);
const manifest = manifestSchema.parse(JSON.parse(await readFile(manifestPath, 'utf8')));
const t = manifest.alignmentTemplate;
const k = size / t.imageSize;
const reference: Point[] = t.landmarks.map(([x, y]) => ({ x: x * k, y: y * k }));
const triangles = delaunay([...reference, ...borderPoints(size)]);
// chip pixel <-> prototype-frame pixel: the crop box, scaled to `size`
const [left, top, right] = CROP_BOX;
const chipPerFrame = (right - left) / size;

const names = await listSplit(args.dataset, 'train');
const byCategory = AGE_CATEGORIES.map((c) => names.filter((n) => ageToCategory(Number(n.split('_')[0])) === c));
const rand = seededRandom(seed);
/** The balancing cell of a chip: gender (0 male, 1 female) and ethnicity label 0-3; undefined for 'others' or unlabelled. */
function cellOf(name: string): string | undefined {
  const [, gender, race] = name.split('_');
  return (gender === '0' || gender === '1') && /^[0-3]$/.test(race ?? '') ? `${gender}/${race}` : undefined;
}
const samples = byCategory.map((list) => {
  const order = shuffled(list, rand);
  if (perCell === undefined) return order.slice(0, perCategory);
  const taken = new Map<string, number>();
  return order.filter((n) => {
    const cell = cellOf(n);
    if (!cell || (taken.get(cell) ?? 0) >= perCell) return false;
    taken.set(cell, (taken.get(cell) ?? 0) + 1);
    return true;
  });
});

await initBackend('auto');
const analyzer = await FaceAnalyzer.load();
const referenceMap = triangleMap([...reference, ...borderPoints(size)], triangles, size, size);
const geometry = { size, referenceMap, triangles };

/** Landmarks (chip pixels) -> prototype-frame pixels. */
const toFrame = (p: Point): Point => ({ x: (p.x - left) / chipPerFrame, y: (p.y - top) / chipPerFrame });
const rms = (a: readonly Point[], b: readonly Point[]) =>
  Math.sqrt(a.reduce((s, p, i) => s + (p.x - b[i]!.x) ** 2 + (p.y - b[i]!.y) ** 2, 0) / a.length);

interface Fit {
  name: string;
  points: Point[];
  chip: ReturnType<typeof planes>;
}

const started = Date.now();
const meanImages: Float32Array[] = [];
const energies: Float32Array[][] = [];
const counts: number[] = [];
const meanLandmarks: [number, number][][] = [];
for (const [c, sample] of samples.entries()) {
  const fits: Fit[] = [];
  for (const name of sample) {
    const { image } = await readFrame(imagePath(args.dataset, name));
    if (image.width !== CHIP_SIZE || image.height !== CHIP_SIZE) continue; // a handful of odd-sized chips
    const points = await chipLandmarks(analyzer, image, t);
    if (!points) continue;
    const rgb = toRgbFloat(image);
    fits.push({ name, points: points.map(toFrame), chip: planes(image.width, image.height, 3, rgb.rgb) });
  }
  // a landmark fit far from the reference shape (profile, occlusion) would smear the mean
  const dists = fits.map((f) => rms(f.points, reference));
  const median = dists.slice().sort((a, b) => a - b)[Math.floor(dists.length / 2)] ?? 0;
  const kept = fits.filter((_, i) => dists[i]! <= 3 * median);
  if (kept.length === 0) throw new Error(`no usable faces for ${AGE_CATEGORIES[c]}`);
  // balanced: every cell weighs the same, however many of its chips there are
  const cellSize = new Map<string, number>();
  const cell = (f: Fit) => (perCell === undefined ? 'all' : cellOf(f.name)!);
  for (const f of kept) cellSize.set(cell(f), (cellSize.get(cell(f)) ?? 0) + 1);
  const weight = (f: Fit) => 1 / (cellSize.get(cell(f))! * cellSize.size);
  const sum = new Float32Array(size * size * 3);
  const energy: Float32Array[] = [];
  const lm = reference.map(() => ({ x: 0, y: 0 }));
  for (const f of kept) {
    const w = weight(f);
    const face = normaliseFace(geometry, f.points, (x, y, out, at) =>
      sampleBilinear(f.chip, x * chipPerFrame + left, y * chipPerFrame + top, out, at),
    );
    for (let i = 0; i < sum.length; i++) sum[i] = sum[i]! + w * face.data[i]!;
    laplacianPyramid(face, levels)
      .slice(0, levels)
      .forEach((band, b) => {
        const e = localEnergy(band).data;
        const acc = (energy[b] ??= new Float32Array(e.length));
        for (let i = 0; i < e.length; i++) acc[i] = acc[i]! + w * e[i]!;
      });
    f.points.forEach((p, i) => {
      lm[i]!.x += w * p.x;
      lm[i]!.y += w * p.y;
    });
  }
  meanImages.push(sum);
  energies.push(energy.map((e) => e.map((v) => Math.sqrt(v))));
  counts.push(kept.length);
  meanLandmarks.push(lm.map((p) => [Number(p.x.toFixed(3)), Number(p.y.toFixed(3))]));
  console.log(
    `${AGE_CATEGORIES[c]}: ${kept.length} faces averaged (${sample.length - fits.length} without a face, ${fits.length - kept.length} outlier fits dropped), ${((Date.now() - started) / 1000).toFixed(0)} s`,
  );
}
analyzer.dispose();

const meta: PrototypeMeta = prototypeMetaSchema.parse({
  format: PROTOTYPE_FORMAT,
  size,
  levels,
  cropBox: [...CROP_BOX],
  categories: [...AGE_CATEGORIES],
  counts,
  reference: reference.map((p) => [Number(p.x.toFixed(3)), Number(p.y.toFixed(3))]),
  triangles,
  meanLandmarks,
  built: {
    data: `UTKFace training split (test.txt excluded)${perCell === undefined ? '' : ', men and women of ethnicity labels 0-3 weighed equally'}`,
    perCategory: perCell === undefined ? perCategory : perCell * 8,
    seed,
  },
});
const parts = meanImages.flatMap((m, c) => [m, ...energies[c]!]);
const values = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
let at = 0;
for (const p of parts) {
  values.set(p, at);
  at += p.length;
}
prototypesFrom(meta, values); // checks every size before anything is written

await mkdir(join(modelDir, 'prototypes'), { recursive: true });
const json = await format(JSON.stringify(meta), { ...(await resolveConfig(manifestPath)), parser: 'json' });
const bin = new Uint8Array(values.buffer);
await writeFileAtomic(join(modelDir, PROTOTYPES_BIN), bin);
await writeFileAtomic(join(modelDir, PROTOTYPES_JSON), json);
const updated = {
  ...manifest,
  prototypes: { size, levels, counts },
  files: {
    ...manifest.files,
    [PROTOTYPES_JSON]: sha256(new TextEncoder().encode(json)),
    [PROTOTYPES_BIN]: sha256(bin),
  },
};
const manifestJson = await format(JSON.stringify(manifestSchema.parse(updated)), {
  ...(await resolveConfig(manifestPath)),
  parser: 'json',
});
await writeFileAtomic(manifestPath, manifestJson);
console.log(
  `wrote ${PROTOTYPES_JSON} and ${PROTOTYPES_BIN} into ${modelDir} in ${((Date.now() - started) / 1000).toFixed(0)} s`,
);
