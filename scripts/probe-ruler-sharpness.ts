/**
 * Does the age ruler read soft faces as one age? G's 64×64 faces are softer than the
 * real crops they are compared with, and faceres reads most of them as its "29" step
 * (docs/EVAL.md, History, "faceres reads age in steps"). This takes G out of the question: real
 * test crops only (the first N of the eval's stratified order, its calibration faces),
 * read by faceres as they are and after softening them (down to S×S and back up,
 * bilinear), and reports, per softness, the crops' sharpness (variance of the 3×3
 * Laplacian of luma, in 0..1 units), faceres's accuracy per category, its mean and
 * relative drop against the sharp crops (as `reage eval` computes the drop), and the
 * share of crops it reads at 29 (rounded). With --strips DIR (`reage eval --save-faces`), the
 * sharpness of the model's identity-preserving reconstructions is printed beside it, so
 * the softness that matches G's can be read off.
 *
 *   npx tsx scripts/probe-ruler-sharpness.ts [--faces 600] [--sizes 48,32,24] [--strips DIR]
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { AGE_CATEGORIES } from '../src/shared/ages.js';
import { initBackend } from '../src/main/engine/backend.js';
import { IndependentFaceMeasure } from '../src/main/engine/measure.js';
import { categoryHits } from '../src/main/eval/age-accuracy.js';
import { defaultDataDir, imagePath, listSplit, loadTrainingCrop } from '../src/main/eval/data.js';
import { unitBatch } from '../src/main/eval/evaluate.js';
import { STRIP_COLUMNS, readFaceStrip } from '../src/main/eval/face-strip.js';
import { meanOfKnown, relativeDrop } from '../src/main/eval/metrics.js';
import { laplacianSharpness } from '../src/main/eval/sharpness.js';
import { stratifiedOrder, utkCategoryIndex } from '../src/main/eval/select.js';

const { values } = parseArgs({
  options: {
    faces: { type: 'string', default: '600' },
    sizes: { type: 'string', default: '48,32,24' },
    strips: { type: 'string' },
  },
});
const size = 64;
const backend = await initBackend('auto');
const dataDir = defaultDataDir();
const names = stratifiedOrder(await listSplit(dataDir, 'test'), 0).slice(0, Number(values.faces));
const crops = await Promise.all(names.map((n) => loadTrainingCrop(imagePath(dataDir, n), size)));
const faceres = await IndependentFaceMeasure.load();

/** Soften to `to`×`to` and back; `to` = size leaves the crops as they are. */
function soften(x: tf.Tensor4D, to: number): tf.Tensor4D {
  if (to >= size) return x.clone();
  return tf.tidy(() => tf.image.resizeBilinear(tf.image.resizeBilinear(x, [to, to], true), [size, size], true));
}

const sizes = [size, ...values.sizes.split(',').map(Number)];
const rows: string[] = [];
let sharpMean: number | null = null;
for (const to of sizes) {
  const ages: number[] = [];
  let sharp = 0;
  for (let i = 0; i < crops.length; i += 16) {
    const batch = unitBatch(crops.slice(i, i + 16), size, false);
    const x = soften(batch, to);
    sharp += laplacianSharpness(x) * batch.shape[0];
    ages.push(...(await faceres.measure(x)).map((m) => m.age));
    tf.dispose([batch, x]);
  }
  const hits = categoryHits(ages.map((years, i) => ({ category: utkCategoryIndex(names[i]!), years })));
  const at29 = ages.filter((a) => Math.round(a) === 29).length / ages.length;
  const pct = (v: number | null) => (v === null ? '–' : `${(100 * v).toFixed(0)}%`);
  const mean = meanOfKnown(hits.map((h) => h.share));
  if (to === size) sharpMean = mean;
  // what softening alone costs, as the evaluation's relative drop against the sharp crops
  const drop = relativeDrop(sharpMean, mean);
  rows.push(
    `| ${to === size ? 'as they are' : `via ${to}×${to}`} | ${(sharp / crops.length).toExponential(2)} | ${hits.map((h) => pct(h.share)).join(' | ')} | **${mean === null ? '–' : `${(100 * mean).toFixed(1)}%`}** | ${drop === null ? '–' : `${(100 * drop).toFixed(1)}%`} | ${pct(at29)} |`,
  );
}

console.log(
  `real test crops: ${names.length} faces (stratified order 0–${names.length - 1}), faceres, backend ${backend.name}`,
);
console.log(`| real crops | sharpness | ${AGE_CATEGORIES.join(' | ')} | mean | drop against sharp | read as 29 |`);
console.log(`|---|---|${AGE_CATEGORIES.map(() => '---|').join('')}---|---|---|`);
for (const r of rows) console.log(r);

if (values.strips) {
  const files = readdirSync(values.strips).filter((f) => f.endsWith('.png'));
  const column = (name: (typeof STRIP_COLUMNS)[number]) => STRIP_COLUMNS.indexOf(name);
  const real: Uint8Array[] = [];
  const rec: Uint8Array[] = [];
  for (const f of files.sort()) {
    const tiles = await readFaceStrip(join(values.strips, f), size);
    real.push(tiles[column('real')]!);
    rec.push(tiles[column('identity')]!);
  }
  const measureSharpness = (list: Uint8Array[]) => {
    const x = unitBatch(list, size, false);
    const s = laplacianSharpness(x);
    x.dispose();
    return s;
  };
  console.log(
    `\n${values.strips}: ${files.length} strips; sharpness of the real crops ${measureSharpness(real).toExponential(2)}, of the model's identity-preserving reconstructions ${measureSharpness(rec).toExponential(2)}`,
  );
}
faceres.dispose();
