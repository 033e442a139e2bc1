/**
 * Chooses ageing settings on UTKFace *training* faces (never the test faces the report
 * uses): each face is reconstructed once (pixel-wise, as the studio's default), then
 * aged under every candidate in a JSON list, and judged by the same independent rulers
 * as `reage eval-aging` (human-models' estimators, faceres identity at a fixed
 * threshold: the test split's, stated in the evaluation report), so candidates that differ
 * only in the change are compared cheaply. The sheet: a row per face, the input and then
 * each candidate's targets in order.
 *
 *   npx tsx scripts/tune-aging.ts --candidates c.json [--limit 24] [--skip 0] \
 *     [--targets 0-18,60+] [--threshold 0.8762] [--sheet out.png]
 *
 * c.json: [{ "name": "...", "strength": 1, "texture": 1, "gains": { "detail": 2 } }, ...]
 * (gains: the prototype layer's parts, prototypes.ts's PrototypeParts, replacing its defaults)
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import sharp, { type OverlayOptions } from 'sharp';
import { ageCategoryIndex, ageToCategory, type AgeCategory } from '../src/shared/ages.js';
import { loadAgingModel, StageTimer, type PrototypeParts } from '../src/main/engine/aging-model.js';
import { initBackend } from '../src/main/engine/backend.js';
import { detectFaces } from '../src/main/engine/face-track.js';
import { toRgb8 } from '../src/main/engine/faces.js';
import { descriptorDistance } from '../src/main/engine/measure.js';
import { readFrame } from '../src/main/engine/sequence-io.js';
import type { RawImage } from '../src/main/engine/types.js';
import { agingFaceNames, countBlotches, judgeFaces, loadRulers, underNoseChange } from '../src/main/eval/aging.js';
import { HUMAN_AGE_ESTIMATOR_IDS } from '../src/main/eval/age-estimators.js';
import { boxAround, chipLandmarks, defaultDataDir, imagePath } from '../src/main/eval/data.js';

interface Candidate {
  name: string;
  strength: number;
  texture: number;
  /** the prototype layer's parts, replacing its defaults (PROTOTYPE_PARTS) */
  gains?: Partial<PrototypeParts>;
}

const { values: args } = parseArgs({
  options: {
    candidates: { type: 'string' },
    limit: { type: 'string', default: '24' },
    skip: { type: 'string', default: '0' },
    targets: { type: 'string', default: '0-18,60+' },
    threshold: { type: 'string', default: '0.8762' },
    sheet: { type: 'string' },
    'sheet-faces': { type: 'string', default: '4' },
  },
});
const candidates = JSON.parse(await readFile(args.candidates!, 'utf8')) as Candidate[];
const targets = args.targets.split(',') as AgeCategory[];
const threshold = Number(args.threshold);
const dataDir = defaultDataDir();

await initBackend('auto');
const model = await loadAgingModel();
const rulers = await loadRulers();

const names = (await agingFaceNames(dataDir, 'train', 20, 35)).slice(
  Number(args.skip),
  Number(args.skip) + Number(args.limit),
);

type Row = { shift: Record<string, number>; kept: number; underNose: number; blotches: number; male: boolean };
const rows = new Map<string, Row[]>(); // `${candidate}|${target}`
const sheet: RawImage[][] = [];
const started = Date.now();
for (const [i, name] of names.entries()) {
  const { image } = await readFrame(imagePath(dataDir, name));
  const [detected] = await detectFaces(model.analyzer, image);
  const landmarks =
    detected?.landmarks ?? (await chipLandmarks(model.analyzer, image, model.manifest.alignmentTemplate));
  if (!landmarks) continue;
  const box = { box: detected?.box ?? boxAround(landmarks), score: detected?.score ?? 1, landmarks };
  const source = ageCategoryIndex(ageToCategory(await model.analyzer.estimateAge(image, box)));
  const timer = new StageTimer();
  const face = model.face({ image, landmarks }, { timer });
  const rec = await model.reconstruct(face, { sourceIndex: source, mode: 'pixel', steps: 150, seed: 0 });
  const outputs: RawImage[] = [];
  const masks: Float32Array[] = [];
  const keys: string[] = [];
  for (const c of candidates)
    for (const t of targets) {
      const aged = model.age(rec, ageCategoryIndex(t), {
        composite: 'delta',
        strength: c.strength,
        texture: c.texture,
        ...(c.gains ? { prototypeGains: c.gains } : {}),
      });
      outputs.push(aged.output);
      masks.push(aged.mask.mask);
      keys.push(`${c.name}|${t}`);
    }
  face.dispose();
  const judged = await judgeFaces(rulers, [image, ...outputs], landmarks);
  const male = name.split('_')[1] === '0';
  keys.forEach((k, j) => {
    const shift: Record<string, number> = {};
    for (const id of Object.keys(judged.ages[0]!)) shift[id] = judged.ages[j + 1]![id]! - judged.ages[0]![id]!;
    const list = rows.get(k) ?? [];
    list.push({
      shift,
      kept: descriptorDistance(judged.descriptors[0]!, judged.descriptors[j + 1]!) <= threshold ? 1 : 0,
      underNose: underNoseChange(image, outputs[j]!, landmarks),
      blotches: countBlotches(image, outputs[j]!, masks[j]!),
      male,
    });
    rows.set(k, list);
  });
  if (sheet.length < Number(args['sheet-faces'])) sheet.push([image, ...outputs]);
  process.stderr.write(`  ${i + 1}/${names.length} ${((Date.now() - started) / 1000 / (i + 1)).toFixed(1)} s/face\n`);
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
console.log(
  `| candidate | target | ${HUMAN_AGE_ESTIMATOR_IDS.map((id) => `${id} shift`).join(' | ')} | kept | under-nose men (+ darker) | blotches/face |`,
);
for (const [k, list] of rows) {
  const [c, t] = k.split('|');
  const shifts = HUMAN_AGE_ESTIMATOR_IDS.map((id) => mean(list.map((r) => r.shift[id]!)));
  console.log(
    `| ${c} | ${t} | ${shifts.map((s) => (s >= 0 ? '+' : '') + s.toFixed(1)).join(' | ')} | ${(100 * mean(list.map((r) => r.kept))).toFixed(0)}% | ${(-mean(list.filter((r) => r.male).map((r) => r.underNose))).toFixed(1)} | ${mean(list.map((r) => r.blotches)).toFixed(2)} |`,
  );
}
if (args.sheet) {
  const tile = 192;
  const tiles: OverlayOptions[] = [];
  for (const [r, ims] of sheet.entries())
    for (const [col, im] of ims.entries())
      tiles.push({
        input: await sharp(toRgb8(im), { raw: { width: im.width, height: im.height, channels: 3 } })
          .resize(tile, tile)
          .png()
          .toBuffer(),
        left: col * tile,
        top: r * tile,
      });
  await sharp({
    create: { width: tile * sheet[0]!.length, height: tile * sheet.length, channels: 3, background: '#000' },
  })
    .composite(tiles)
    .png()
    .toFile(args.sheet);
}
