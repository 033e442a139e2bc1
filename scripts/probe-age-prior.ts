/**
 * How each model's G draws the six ages, as the evaluation's age estimators read them,
 * without a single test face: N latents drawn from G's prior (z ~ N(0, 1), seeded, the
 * same for every model), each generated at all six ages, then read by faceres (the age
 * target's ruler) and face-api's age net, as `reage eval` reads its aged faces (64×64,
 * estimate rounded to whole years, then binned), with the faces' sharpness
 * (laplacianSharpness, to compare with real test crops': scripts/probe-ruler-sharpness.ts).
 *
 * It screens training candidates before a held-out evaluation spends test faces on them;
 * `reage eval` on faces no choice has seen stays the measurement. It also prints the
 * values faceres's read-out takes, which are few (docs/EVAL.md, History, "faceres reads
 * age in steps").
 *
 *   npx tsx scripts/probe-age-prior.ts MODEL_DIR [MODEL_DIR ...] [--latents 256] [--seed 7] [--json FILE]
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { AGE_CATEGORIES } from '../src/shared/ages.js';
import { initBackend } from '../src/main/engine/backend.js';
import { FaceAnalyzer } from '../src/main/engine/faces.js';
import { IndependentFaceMeasure } from '../src/main/engine/measure.js';
import { loadModel } from '../src/main/engine/model.js';
import { faceApiAges } from '../src/main/eval/evaluate.js';
import { estimatedCategoryIndex } from '../src/main/eval/metrics.js';
import { laplacianSharpness } from '../src/main/eval/sharpness.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    latents: { type: 'string', default: '256' },
    seed: { type: 'string', default: '7' },
    batch: { type: 'string', default: '32' },
    json: { type: 'string' },
  },
});
if (positionals.length === 0) throw new Error('usage: probe-age-prior.ts MODEL_DIR [MODEL_DIR ...] [--latents 256]');
const nLatents = Number(values.latents);
const batch = Number(values.batch);
const nAges = AGE_CATEGORIES.length;

await initBackend('auto');
const analyzer = await FaceAnalyzer.load();
const faceres = await IndependentFaceMeasure.load();

interface ModelFigures {
  model: string;
  version: string;
  /** share of faces read in the requested category, per category */
  faceres: number[];
  faceApi: number[];
  /** mean estimate in years, per requested category */
  faceresMeanAge: number[];
  faceApiMeanAge: number[];
  /** laplacianSharpness of G's faces, mean over all ages (real crops: probe-ruler-sharpness.ts) */
  sharpness: number;
  /** how often faceres's read-out, rounded to whole years, took each value */
  faceresValues: Record<number, number>;
}

const results: ModelFigures[] = [];
for (const dir of positionals) {
  const model = await loadModel(dir);
  const { zDim } = model.manifest;
  const hits = { faceres: Array<number>(nAges).fill(0), faceApi: Array<number>(nAges).fill(0) };
  const sums = { faceres: Array<number>(nAges).fill(0), faceApi: Array<number>(nAges).fill(0) };
  const faceresValues: Record<number, number> = {};
  let sharpSum = 0;
  const started = performance.now();
  for (let from = 0; from < nLatents; from += batch) {
    const n = Math.min(batch, nLatents - from);
    // the seed is per batch, so every model sees the same latents
    const z = tf.randomNormal([n, zDim], 0, 1, 'float32', Number(values.seed) * 100_003 + from) as tf.Tensor2D;
    for (let a = 0; a < nAges; a++) {
      // G draws in [-1, 1]; both estimators take 0..1
      const faces = tf.tidy(
        () => tf.div(tf.add(model.generate(z, Array<number>(n).fill(a)), 1), 2).clipByValue(0, 1) as tf.Tensor4D,
      );
      sharpSum += laplacianSharpness(faces) * n;
      const measured = await faceres.measure(faces);
      const apiAges = await faceApiAges(analyzer, faces);
      faces.dispose();
      for (const [i, m] of measured.entries()) {
        const years = Math.round(m.age);
        faceresValues[years] = (faceresValues[years] ?? 0) + 1;
        sums.faceres[a]! += m.age;
        sums.faceApi[a]! += apiAges[i]!;
        if (estimatedCategoryIndex(m.age) === a) hits.faceres[a]!++;
        if (estimatedCategoryIndex(apiAges[i]!) === a) hits.faceApi[a]!++;
      }
    }
    z.dispose();
  }
  const per = (xs: number[]) => xs.map((x) => x / nLatents);
  results.push({
    model: dir,
    version: model.manifest.version,
    faceres: per(hits.faceres),
    faceApi: per(hits.faceApi),
    faceresMeanAge: per(sums.faceres),
    faceApiMeanAge: per(sums.faceApi),
    sharpness: sharpSum / (nLatents * nAges),
    faceresValues,
  });
  model.dispose();
  console.error(
    `${dir}: ${nLatents} latents × ${nAges} ages in ${((performance.now() - started) / 1000).toFixed(0)} s`,
  );
}

const pct = (x: number) => `${(100 * x).toFixed(0)}%`;
const meanOf = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
console.log(
  `G's prior, ${nLatents} latents (seed ${values.seed}), each at the six ages; share read in the requested category\n`,
);
console.log(`| model | estimator | ${AGE_CATEGORIES.join(' | ')} | mean | sharpness |`);
console.log(`|---|---|${AGE_CATEGORIES.map(() => '---|').join('')}---|---|`);
for (const r of results)
  for (const [label, shares, ages] of [
    ['faceres', r.faceres, r.faceresMeanAge],
    ['face-api', r.faceApi, r.faceApiMeanAge],
  ] as const)
    console.log(
      `| ${r.model} (${r.version}) | ${label} | ${shares.map((s, a) => `${pct(s)} (${ages[a]!.toFixed(0)} y)`).join(' | ')} | ${pct(meanOf(shares))} | ${r.sharpness.toExponential(2)} |`,
    );
console.log('\nfaceres read-out values (years: count), all models:');
for (const r of results)
  console.log(
    `${r.model}: ${Object.entries(r.faceresValues)
      .sort((a, b) => Number(a[0]) - Number(b[0]))
      .map(([v, c]) => `${v}: ${c}`)
      .join(', ')}`,
  );
if (values.json) await writeFile(values.json, JSON.stringify({ latents: nLatents, seed: values.seed, results }));
