/**
 * Which independent age estimator reads real UTKFace test crops best: the score that
 * docs/EVAL.md's rule "The age ruler" fixes, on real faces only (no generated face).
 * For faceres (the current ruler) and each human-models estimator: per category, the
 * share of faces whose estimate falls in their labelled category, the mean over the
 * six categories, the mean absolute error and the mean signed error (bias), in years.
 *
 * With --strips DIR (the strips `reage eval --save-faces DIR` wrote), each estimator
 * also reads the aged faces in them, and a second table gives its accuracy at the
 * requested ages and the relative drop against its own real-face mean: how the same
 * generated faces fare under each ruler.
 *
 *   npx tsx scripts/probe-age-estimators.ts [--models DIR] [--faces 400] [--strips DIR] [--json OUT]
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type * as tf from '@tensorflow/tfjs';
import { AGE_CATEGORIES } from '../src/shared/ages.js';
import { initBackend } from '../src/main/engine/backend.js';
import { IndependentFaceMeasure } from '../src/main/engine/measure.js';
import { HUMAN_AGE_ESTIMATOR_IDS, defaultHumanModelsDir, loadAgeEstimator } from '../src/main/eval/age-estimators.js';
import { categoryHits } from '../src/main/eval/age-accuracy.js';
import { defaultDataDir, imagePath, listSplit, loadTrainingCrop } from '../src/main/eval/data.js';
import { unitBatch } from '../src/main/eval/evaluate.js';
import { meanOfKnown, relativeDrop } from '../src/main/eval/metrics.js';
import { STRIP_COLUMNS, readFaceStrip } from '../src/main/eval/face-strip.js';
import { parseUtkAge, stratifiedOrder, utkCategoryIndex } from '../src/main/eval/select.js';

const { values } = parseArgs({
  options: {
    models: { type: 'string' },
    faces: { type: 'string', default: '400' },
    size: { type: 'string', default: '64' },
    strips: { type: 'string' },
    json: { type: 'string' },
  },
});
const size = Number(values.size);
const backend = await initBackend('auto');
const dataDir = defaultDataDir();
const names = stratifiedOrder(await listSplit(dataDir, 'test'), 0).slice(0, Number(values.faces));
const crops = await Promise.all(names.map((n) => loadTrainingCrop(imagePath(dataDir, n), size)));

/** Ages of 8-bit crops, in batches of 16. */
async function agesOf(list: readonly Uint8Array[], estimate: (x: tf.Tensor4D) => Promise<number[]>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < list.length; i += 16) {
    const x = unitBatch(list.slice(i, i + 16), size, false);
    try {
      out.push(...(await estimate(x)));
    } finally {
      x.dispose();
    }
  }
  return out;
}

// the aged faces of each strip, with the category each was asked for
const aged: { crop: Uint8Array; category: number }[] = [];
if (values.strips) {
  const files = readdirSync(values.strips).filter((f) => f.endsWith('.png'));
  if (!files.length) throw new Error(`no face strips (*.png) in ${values.strips}`);
  for (const f of files.sort()) {
    const tiles = await readFaceStrip(join(values.strips, f), size);
    tiles
      .slice(STRIP_COLUMNS.length - AGE_CATEGORIES.length)
      .forEach((crop, category) => aged.push({ crop, category }));
  }
}
const agedCrops = aged.map((a) => a.crop);

/** Real-face ages, then aged-face ages, for one estimator. */
async function allAges(estimate: (x: tf.Tensor4D) => Promise<number[]>) {
  return { ages: await agesOf(crops, estimate), agedAges: await agesOf(agedCrops, estimate) };
}

const modelsDir = values.models ?? defaultHumanModelsDir();
const faceres = await IndependentFaceMeasure.load();
const rows: { id: string; ages: number[]; agedAges: number[] }[] = [
  { id: 'faceres', ...(await allAges(async (x) => (await faceres.measure(x)).map((m) => m.age))) },
];
faceres.dispose();
for (const id of HUMAN_AGE_ESTIMATOR_IDS) {
  const est = await loadAgeEstimator(id, modelsDir);
  const t = performance.now();
  rows.push({ id, ...(await allAges((x) => est.estimate(x))) });
  console.error(`${id}: ${((performance.now() - t) / (names.length + aged.length)).toFixed(0)} ms a face`);
  est.dispose();
}

const truth = names.map(parseUtkAge);
const results = rows.map(({ id, ages, agedAges }) => {
  const hits = categoryHits(ages.map((years, i) => ({ category: utkCategoryIndex(names[i]!), years })));
  const agedHits = categoryHits(agedAges.map((years, i) => ({ category: aged[i]!.category, years })));
  const mae = ages.reduce((s, a, i) => s + Math.abs(a - truth[i]!), 0) / ages.length;
  const bias = ages.reduce((s, a, i) => s + (a - truth[i]!), 0) / ages.length;
  const real = meanOfKnown(hits.map((h) => h.share));
  const generated = meanOfKnown(agedHits.map((h) => h.share));
  return {
    id,
    perCategory: hits.map((h) => h.share),
    mean: real,
    mae,
    bias,
    generatedPerCategory: agedHits.map((h) => h.share),
    generated,
    drop: relativeDrop(real, generated),
  };
});

const pct = (v: number | null) => (v === null ? '–' : `${(100 * v).toFixed(1)}%`);
console.log(
  `real test crops: ${names.length} faces (stratified order 0–${names.length - 1}), ${size}×${size}, backend ${backend.name}`,
);
console.log(`| estimator | ${AGE_CATEGORIES.join(' | ')} | mean | MAE | bias |`);
console.log(`|---|${AGE_CATEGORIES.map(() => '---|').join('')}---|---|---|`);
for (const r of results)
  console.log(
    `| ${r.id} | ${r.perCategory.map(pct).join(' | ')} | **${pct(r.mean)}** | ${r.mae.toFixed(1)} | ${r.bias >= 0 ? '+' : ''}${r.bias.toFixed(1)} |`,
  );
if (aged.length) {
  console.log(`\ngenerated faces in ${values.strips}: ${aged.length / AGE_CATEGORIES.length} strips, six ages each`);
  console.log(`| estimator | ${AGE_CATEGORIES.join(' | ')} | mean | real mean | drop |`);
  console.log(`|---|${AGE_CATEGORIES.map(() => '---|').join('')}---|---|---|`);
  for (const r of results)
    console.log(
      `| ${r.id} | ${r.generatedPerCategory.map(pct).join(' | ')} | **${pct(r.generated)}** | ${pct(r.mean)} | **${pct(r.drop)}** |`,
    );
}
if (values.json)
  writeFileSync(values.json, JSON.stringify({ faces: names.length, size, names, truth, rows, results }, null, 1));
