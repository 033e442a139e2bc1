/**
 * Which independent age estimator reads real UTKFace test crops best: the score that
 * EVAL.md's rule "A second age ruler" fixes, on real faces only (no generated face).
 * For faceres (the current ruler) and each human-models estimator: per category, the
 * share of faces whose estimate falls in their labelled category, the mean over the
 * six categories, the mean absolute error and the mean signed error (bias), in years.
 *
 *   npx tsx scripts/probe-age-estimators.ts [--models DIR] [--faces 400] [--json OUT]
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type * as tf from '@tensorflow/tfjs';
import { AGE_CATEGORIES } from '../src/shared/ages.js';
import { initBackend } from '../src/main/engine/backend.js';
import { IndependentFaceMeasure } from '../src/main/engine/measure.js';
import { HUMAN_AGE_ESTIMATOR_IDS, defaultHumanModelsDir, loadAgeEstimator } from '../src/main/eval/age-estimators.js';
import { categoryHits } from '../src/main/eval/age-accuracy.js';
import { defaultDataDir, imagePath, listSplit, loadTrainingCrop } from '../src/main/eval/data.js';
import { unitBatch } from '../src/main/eval/evaluate.js';
import { meanOfKnown } from '../src/main/eval/metrics.js';
import { parseUtkAge, stratifiedOrder, utkCategoryIndex } from '../src/main/eval/select.js';

const { values } = parseArgs({
  options: {
    models: { type: 'string' },
    faces: { type: 'string', default: '400' },
    size: { type: 'string', default: '64' },
    json: { type: 'string' },
  },
});
const size = Number(values.size);
const backend = await initBackend('auto');
const dataDir = defaultDataDir();
const names = stratifiedOrder(await listSplit(dataDir, 'test'), 0).slice(0, Number(values.faces));
const crops = await Promise.all(names.map((n) => loadTrainingCrop(imagePath(dataDir, n), size)));

async function allAges(estimate: (x: tf.Tensor4D) => Promise<number[]>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < names.length; i += 16) {
    const x = unitBatch(crops.slice(i, i + 16), size, false);
    try {
      out.push(...(await estimate(x)));
    } finally {
      x.dispose();
    }
  }
  return out;
}

const modelsDir = values.models ?? defaultHumanModelsDir();
const faceres = await IndependentFaceMeasure.load();
const rows: { id: string; ages: number[] }[] = [
  { id: 'faceres', ages: await allAges(async (x) => (await faceres.measure(x)).map((m) => m.age)) },
];
faceres.dispose();
for (const id of HUMAN_AGE_ESTIMATOR_IDS) {
  const est = await loadAgeEstimator(id, modelsDir);
  const t = performance.now();
  rows.push({ id, ages: await allAges((x) => est.estimate(x)) });
  console.error(`${id}: ${((performance.now() - t) / names.length).toFixed(0)} ms a face`);
  est.dispose();
}

const truth = names.map(parseUtkAge);
const results = rows.map(({ id, ages }) => {
  const hits = categoryHits(ages.map((years, i) => ({ category: utkCategoryIndex(names[i]!), years })));
  const mae = ages.reduce((s, a, i) => s + Math.abs(a - truth[i]!), 0) / ages.length;
  const bias = ages.reduce((s, a, i) => s + (a - truth[i]!), 0) / ages.length;
  return { id, perCategory: hits.map((h) => h.share), mean: meanOfKnown(hits.map((h) => h.share)), mae, bias };
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
if (values.json)
  writeFileSync(values.json, JSON.stringify({ faces: names.length, size, names, truth, rows, results }, null, 1));
