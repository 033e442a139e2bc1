/**
 * How detail refinement's settings trade likeness against age change, without paying
 * for stage 3 once per setting: for each UTKFace test face (the eval's stratified
 * order), z* is found once (identity-preserving, `--anchor` as `reage eval
 * --z-anchor`), then every configuration fits its own offset d and ages from it. Each
 * configuration is `none` (z* alone) or `LAYER:WEIGHT[:STRENGTH[:AGE]]`, e.g. `net.11:3`
 * (d on the 32x32 map, penalty 3), `net.5:1:1.5` (the 8x8 map, penalty 1, strength 1.5)
 * or `net.11:3::a0.003p`. AGE is detail refinement's age term (detail.ts AgeTerm, with
 * the model's age classifier): `aW` fits one d for all six targets with weight W, `aWp`
 * one d per target other than the source (as the engine and `reage eval` do), and an
 * `n` turns the jitter off. Every fit goes through the model API (aging-model.ts), so
 * the source is left out of a shared d's targets as it is of the engine's.
 *
 * It prints, per configuration, what `reage eval` reports for the identity-preserving
 * row and the aged faces: reconstruction accepted by faceres (threshold from an eval
 * report), aged faces accepted (over faces whose own category differs from the
 * target), and faceres / face-api age accuracy with their relative
 * drop against the real-face accuracies the eval measured on the 200 calibration faces
 * (passed in, not re-measured: this is a probe for choosing settings, and `reage eval`
 * is the measurement).
 *
 * Each face is computed the same way whatever else runs, so `--faces 36` and `--faces 36
 * --skip 36` in two processes (one per core) cover the same faces as `--faces 72`.
 *
 *   npx tsx scripts/probe-detail.ts [--faces 36] [--skip 0] [--anchor 3] [--steps 40] \
 *     [--configs "none,net.11:3,net.11:3::a0.003p"] [--json FILE]
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { AGE_CATEGORIES } from '../src/shared/ages.js';
import {
  defaultModelDir,
  loadAgingModel,
  type DetailRequest,
  type Reconstruction,
} from '../src/main/engine/aging-model.js';
import { initBackend } from '../src/main/engine/backend.js';
import { IndependentFaceMeasure, descriptorDistance } from '../src/main/engine/measure.js';
import { faceApiAges } from '../src/main/eval/evaluate.js';
import { defaultDataDir, imagePath, listSplit, loadTrainingCrop, toGeneratorRange } from '../src/main/eval/data.js';
import { estimatedCategoryIndex, mean, relativeDrop } from '../src/main/eval/metrics.js';
import { stratifiedOrder, utkCategoryIndex } from '../src/main/eval/select.js';

const { values } = parseArgs({
  options: {
    model: { type: 'string' },
    faces: { type: 'string', default: '36' },
    skip: { type: 'string', default: '0' },
    anchor: { type: 'string', default: '3' },
    steps: { type: 'string', default: '40' },
    threshold: { type: 'string', default: '0.8638' },
    configs: { type: 'string', default: 'none,net.11:3,net.11:3::a0.003p' },
    // real-face accuracy per category on the calibration faces, from an earlier eval run (git log -- docs/)
    'real-faceres': { type: 'string', default: '58.8,82.4,21.2,0,0,42.4' },
    'real-faceapi': { type: 'string', default: '94.1,52.9,39.4,39.4,45.5,84.8' },
    json: { type: 'string' },
  },
});

interface Config {
  label: string;
  layer?: string;
  weight: number;
  strength: number;
  /** age term weight; 0 = none */
  ageWeight: number;
  /** one d per target (fitted with that target's age term) instead of one for all */
  perTarget: boolean;
  jitter: boolean;
}
const configs: Config[] = values.configs.split(',').map((c) => {
  if (c === 'none') return { label: c, weight: 0, strength: 1, ageWeight: 0, perTarget: false, jitter: true };
  const [layer, w, s, a] = c.split(':');
  const weight = Number(w);
  const strength = s === undefined || s === '' ? 1 : Number(s);
  // age term: aW (shared d, jittered), aWp (per target), aWn (no jitter), e.g. a1p
  const am = a === undefined ? null : /^a([0-9.]+)([pn]*)$/.exec(a);
  if (a !== undefined && !am) throw new Error(`bad age term in '${c}'`);
  const ageWeight = am ? Number(am[1]) : 0;
  if (!layer || !Number.isFinite(weight) || !Number.isFinite(strength)) throw new Error(`bad config '${c}'`);
  return {
    label: c,
    layer,
    weight,
    strength,
    ageWeight,
    perTarget: !!am?.[2]?.includes('p'),
    jitter: !am?.[2]?.includes('n'),
  };
});
const threshold = Number(values.threshold);
const realRates = (s: string) => s.split(',').map(Number);
const real = { faceres: realRates(values['real-faceres']), faceapi: realRates(values['real-faceapi']) };

await initBackend('auto');
const model = await loadAgingModel({ modelDir: values.model ?? defaultModelDir() });
const independent = await IndependentFaceMeasure.load();
const dataDir = defaultDataDir();
const skip = Number(values.skip);
const names = stratifiedOrder(await listSplit(dataDir, 'test'), 0).slice(skip, skip + Number(values.faces));
const { imageSize: size } = model.manifest;
const nAges = AGE_CATEGORIES.length;
if (configs.some((c) => c.ageWeight > 0) && !model.hasAgeClassifier)
  throw new Error(`${model.dir} has no age classifier: the age term (aW in a configuration) needs one`);

interface Tally {
  recAccepted: number;
  aged: number[]; // accepted per target, among faces whose own category differs
  faceres: number[]; // correct per target
  faceapi: number[];
  recDistance: number;
  /** seconds spent fitting and rendering this configuration */
  seconds: number;
}
const tallies = configs.map<Tally>(() => ({
  recAccepted: 0,
  aged: Array(nAges).fill(0),
  faceres: Array(nAges).fill(0),
  faceapi: Array(nAges).fill(0),
  recDistance: 0,
  seconds: 0,
}));
const rows: unknown[] = [];

const started = performance.now();
for (const [k, name] of names.entries()) {
  const face = model.face({ crop: toGeneratorRange(await loadTrainingCrop(imagePath(dataDir, name), size)) });
  const source = utkCategoryIndex(name);
  const id = await model.reconstruct(face, {
    mode: 'identity',
    sourceIndex: source,
    steps: Number(values.steps),
    seed: 0,
    zAnchorWeight: Number(values.anchor),
  });
  const realUnit = tf.tidy(() => tf.div(tf.add(face.crop, 1), 2) as tf.Tensor4D);
  const [realM] = await independent.measure(realUnit);
  realUnit.dispose();
  const fits = new Map<string, Reconstruction>();
  const perFace: Record<string, unknown> = { name, source };
  for (const [c, cfg] of configs.entries()) {
    const configStart = performance.now();
    const ys = [source, ...AGE_CATEGORIES.map((_, i) => i)];
    // the 7 faces (reconstruction, then each target), each from the d fitted for it
    const render = async (targets: number[]): Promise<tf.Tensor4D> => {
      let rec: Reconstruction = id;
      if (cfg.layer) {
        const key = `${cfg.layer}:${cfg.weight}:${cfg.ageWeight}:${cfg.jitter}:${cfg.perTarget ? targets.join('/') : 'all'}`;
        let fitted = fits.get(key);
        if (!fitted) {
          // per target: the source's own d (the reconstruction) is fitted without the term
          const withAge = cfg.ageWeight && !(cfg.perTarget && targets[0] === source);
          const detail: DetailRequest = {
            layer: cfg.layer,
            weight: cfg.weight,
            ...(withAge
              ? {
                  ageTargets: cfg.perTarget ? targets : AGE_CATEGORIES.map((_, i) => i),
                  ageWeight: cfg.ageWeight,
                  jitter: cfg.jitter,
                }
              : {}),
          };
          fitted = await model.reconstruct(face, { mode: 'none', z0: id.z, sourceIndex: source, detail });
          fits.set(key, fitted);
        }
        rec = fitted;
      }
      const strength = cfg.layer ? cfg.strength : 1;
      return tf.tidy(() => {
        const g = tf.concat(targets.map((t) => model.generate(rec, t, { strength })));
        return tf.clipByValue(tf.div(tf.add(g, 1), 2), 0, 1) as tf.Tensor4D;
      });
    };
    let faces: tf.Tensor4D;
    if (cfg.perTarget) {
      const parts = [];
      for (const t of ys) parts.push(await render([t]));
      faces = tf.concat(parts, 0);
      tf.dispose(parts);
    } else faces = await render(ys);
    tallies[c]!.seconds += (performance.now() - configStart) / 1000;
    const ms = await independent.measure(faces);
    const aged = tf.slice(faces, 1, nAges);
    const apiAges = await faceApiAges(model.analyzer, aged);
    tf.dispose([faces, aged]);
    const dist = ms.map((m) => descriptorDistance(realM!.descriptor, m.descriptor));
    const t = tallies[c]!;
    t.recDistance += dist[0]!;
    if (dist[0]! < threshold) t.recAccepted++;
    AGE_CATEGORIES.forEach((_, i) => {
      if (i !== source && dist[i + 1]! < threshold) t.aged[i]!++;
      if (estimatedCategoryIndex(ms[i + 1]!.age) === i) t.faceres[i]!++;
      if (estimatedCategoryIndex(apiAges[i]!) === i) t.faceapi[i]!++;
    });
    perFace[cfg.label] = { distance: dist, faceres: ms.slice(1).map((m) => m.age), faceapi: apiAges };
  }
  rows.push(perFace);
  face.dispose();
  const s = (performance.now() - started) / 1000;
  console.error(`${k + 1}/${names.length} ${name}: ${(s / (k + 1)).toFixed(1)} s/face`);
}

const n = names.length;
// faces whose own category differs from each target: the aged-face identity is counted over these
const changed = AGE_CATEGORIES.map((_, i) => names.filter((name) => utkCategoryIndex(name) !== i).length);
const pct = (v: number) => `${v.toFixed(1)}%`;
const meanOf = (a: readonly number[]) => mean(a) ?? NaN;
const drop = (real: number, gen: number) => {
  const d = relativeDrop(real, gen);
  return d === null ? '–' : pct(d * 100);
};
console.log(`\n${n} faces, anchor ${values.anchor}, ${values.steps} steps, threshold ${threshold}`);
console.log(
  '| config | rec accepted | rec dist | aged accepted, target ≠ own age (min–max) | faceres acc (drop) [per category] | faceres drop without 19-29 | face-api acc (drop) | s/face |',
);
console.log('|---|---|---|---|---|---|---|---|');
// faceres reads generated 19-29 faces as 19-29 more often than real ones: the mean without it
const withoutYoungAdults = [0, 2, 3, 4, 5];
for (const [c, cfg] of configs.entries()) {
  const t = tallies[c]!;
  const fr = t.faceres.map((v) => (v / n) * 100);
  const fa = t.faceapi.map((v) => (v / n) * 100);
  // a target no face differs from (a run of one face) has no share: left out of the range
  const aged = t.aged.flatMap((v, i) => (changed[i] ? [(v / changed[i]) * 100] : []));
  const frPart = meanOf(withoutYoungAdults.map((i) => fr[i]!));
  const realPart = meanOf(withoutYoungAdults.map((i) => real.faceres[i]!));
  console.log(
    `| ${cfg.label} | ${pct((t.recAccepted / n) * 100)} | ${(t.recDistance / n).toFixed(3)} | ${Math.min(...aged).toFixed(0)}–${Math.max(...aged).toFixed(0)}% | ${pct(meanOf(fr))} (${drop(meanOf(real.faceres), meanOf(fr))}) [${fr.map((v) => v.toFixed(0)).join('/')}] | ${drop(realPart, frPart)} | ${pct(meanOf(fa))} (${drop(meanOf(real.faceapi), meanOf(fa))}) | ${(t.seconds / n).toFixed(1)} |`,
  );
}
if (values.json) await writeFile(values.json, JSON.stringify({ configs, rows }, null, 1));
