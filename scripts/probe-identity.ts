/**
 * Where the identity of a reconstruction is lost: for a few UTKFace test faces, the
 * distance from the real face to
 *   - the real face blurred (downsampled to 32 and 24 px and back): how much detail the
 *     independent recogniser needs, i.e. how sharp a reconstruction must be;
 *   - G(z0), G(z*pixel) and G(z*identity) after 40 and 150 identity steps,
 * each by the optimiser's own recogniser (face-api, 128-d, same person below 0.6) and by
 * the independent one `reage eval` measures with (faceres, threshold from the eval
 * report). A model whose identity optimisation lowers only the first distance fits that
 * one network rather than the person.
 *
 *   npx tsx scripts/probe-identity.ts [--model DIR] [--faces 6] [--threshold 0.8638]
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { AGE_CATEGORIES } from '../src/shared/ages.js';
import { defaultModelDir, loadAgingModel, type Reconstruction } from '../src/main/engine/aging-model.js';
import { initBackend } from '../src/main/engine/backend.js';
import { IndependentFaceMeasure, descriptorDistance } from '../src/main/engine/measure.js';
import { optimiserDistances } from '../src/main/eval/evaluate.js';
import { defaultDataDir, imagePath, listSplit, loadTrainingCrop, toGeneratorRange } from '../src/main/eval/data.js';
import { stratifiedOrder, utkCategoryIndex } from '../src/main/eval/select.js';

const { values } = parseArgs({
  options: {
    model: { type: 'string' },
    faces: { type: 'string', default: '6' },
    threshold: { type: 'string', default: '0.8638' },
  },
});
const threshold = Number(values.threshold);

await initBackend('auto');
const model = await loadAgingModel({ modelDir: values.model ?? defaultModelDir() });
const recogniser = model.analyzer;
const independent = await IndependentFaceMeasure.load();
const dataDir = defaultDataDir();
const names = stratifiedOrder(await listSplit(dataDir, 'test'), 0).slice(0, Number(values.faces));
const size = model.manifest.imageSize;

function blurred(x: tf.Tensor4D, side: number): tf.Tensor4D {
  return tf.tidy(() => tf.image.resizeBilinear(tf.image.resizeBilinear(x, [side, side], true), [size, size], true));
}

const labels = ['blur 32px', 'blur 24px', 'z0', 'pixel 40', 'identity 40', 'identity 150'];
const sums = labels.map(() => ({ own: 0, independent: 0, accepted: 0 }));
for (const name of names) {
  const face = model.face({ crop: toGeneratorRange(await loadTrainingCrop(imagePath(dataDir, name), size)) });
  const x = face.crop;
  const ageIndex = utkCategoryIndex(name);
  const common = { sourceIndex: ageIndex, seed: 0 };
  const z0 = await model.reconstruct(face, { sourceIndex: ageIndex, mode: 'none' });
  const pixel = await model.reconstruct(face, { ...common, mode: 'pixel', steps: 40 });
  const id40 = await model.reconstruct(face, { ...common, mode: 'identity', steps: 40 });
  const id150 = await model.reconstruct(face, { ...common, mode: 'identity', steps: 150, earlyStop: false });
  const at = (rec: Reconstruction) => model.generate(rec, ageIndex, { strength: 1 });
  const candidates = [blurred(x, 32), blurred(x, 24), at(z0), at(pixel), at(id40), at(id150)];
  const unit = tf.tidy(() => tf.clipByValue(tf.div(tf.add(tf.concat([x, ...candidates]), 1), 2), 0, 1) as tf.Tensor4D);
  const measured = await independent.measure(unit);
  const stacked = tf.concat(candidates) as tf.Tensor4D;
  const own = await optimiserDistances(recogniser, x, stacked);
  stacked.dispose();
  const cells = candidates.map((_, i) => {
    const ind = descriptorDistance(measured[0]!.descriptor, measured[i + 1]!.descriptor);
    sums[i]!.own += own[i]!;
    sums[i]!.independent += ind;
    sums[i]!.accepted += ind < threshold ? 1 : 0;
    return `${own[i]!.toFixed(2)}/${ind.toFixed(2)}`;
  });
  console.log(`${name} (${AGE_CATEGORIES[ageIndex]}): ${labels.map((l, i) => `${l} ${cells[i]}`).join(' | ')}`);
  tf.dispose([unit, ...candidates]);
  face.dispose();
}
console.log(
  `\nmean over ${names.length} faces (face-api distance / faceres distance, faceres accepted < ${threshold}):`,
);
console.log('| | face-api | faceres | accepted |\n|---|---|---|---|');
for (const [i, l] of labels.entries()) {
  const s = sums[i]!;
  const n = names.length;
  console.log(`| ${l} | ${(s.own / n).toFixed(3)} | ${(s.independent / n).toFixed(3)} | ${s.accepted}/${n} |`);
}
