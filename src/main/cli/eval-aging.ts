/**
 * Runs the ageing evaluation (src/main/eval/aging.ts) on UTKFace faces whose real age
 * is in --ages (default 20-35), and prints its table:
 *
 *   reage eval-aging [--split test|train] [--limit 200] [--skip 0] [--ages 20-35] \
 *     [--targets 0-18,60+] [--mode pixel|identity] [--detail off|on] [--strength 1] [--texture 1] \
 *     [--steps 150] [--records out.json] [--sheet sheet.png] [--sheet-faces 8]
 *   reage eval-aging --pool a.json b.json ...     # one table from parts run apart
 *
 * The test split's faces are taken in test.txt's order (a fixed set: report on it, never
 * choose settings on it); the training split's in a seeded shuffle (choose on those).
 * Settings default to the studio's (DEFAULT_SHOT_SETTINGS), so the figures are the product's.
 * Needs human-models' estimators: scripts/fetch-human-models.sh.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import sharp from 'sharp';
import type { TextSink } from './progress.js';
import { EXIT_OK } from './frame-output.js';
import { parseOptions, UsageError } from './args.js';
import { AGE_CATEGORIES, isAgeCategory, type AgeCategory } from '../../shared/ages.js';
import { DEFAULT_SHOT_SETTINGS } from '../../shared/project.js';
import { probeAtomicWrite, writeFileAtomic } from '../node/atomic.js';
import { loadAgingModel } from '../engine/aging-model.js';
import { initBackend } from '../engine/backend.js';
import { toRgb8 } from '../engine/faces.js';
import type { RawImage } from '../engine/types.js';
import {
  agingFaceNames,
  evaluateFace,
  loadRulers,
  summarise,
  VARIANTS,
  type AgedExample,
  type AgingSettings,
  type FaceRecord,
} from '../eval/aging.js';
import { defaultDataDir, REPO_ROOT } from '../eval/data.js';

interface RecordsFile {
  command: string;
  settings: AgingSettings;
  records: FaceRecord[];
  descriptors: number[][];
}

function printTable(
  log: (line: string) => void,
  records: FaceRecord[],
  descriptors: Float32Array[],
  settings: AgingSettings,
  command: string,
): void {
  const s = summarise(records, descriptors);
  log(`\n${command}`);
  log(
    `settings: mode ${settings.mode}, detail ${settings.detail ? 'on' : 'off'}, strength ${settings.strength}, texture ${settings.texture}, steps ${settings.steps}`,
  );
  log(
    `${s.faces} faces; identity threshold ${s.threshold.toFixed(4)} (faceres, ${s.far * 100}% of distinct real input pairs below it)`,
  );
  const est = Object.keys(s.variants[0]?.ageShift ?? {});
  log(
    `| target | variant | ${est.map((e) => `${e} shift`).join(' | ')} | identity | under-nose darkening (men) | blotches/face |`,
  );
  log(`|---|---|${est.map(() => '---|').join('')}---|---|---|`);
  for (const v of s.variants)
    log(
      `| ${v.target} | ${v.variant} | ${est.map((e) => `${v.ageShift[e]! >= 0 ? '+' : ''}${v.ageShift[e]!.toFixed(1)}`).join(' | ')} | ${(100 * v.identity).toFixed(1)}% | ${v.underNoseDarkeningMen.toFixed(2)} | ${v.blotchesPerFace.toFixed(2)} |`,
    );
}

/** Rows: faces; columns: input, then each target's variants. Each tile the face box at 128 px. */
async function writeSheet(
  log: (line: string) => void,
  path: string,
  examples: AgedExample[],
  targets: readonly AgeCategory[],
): Promise<void> {
  const tile = 200;
  const cols = 1 + targets.length * VARIANTS.length;
  const tiles: { input: Buffer; left: number; top: number }[] = [];
  const png = async (im: RawImage) =>
    sharp(toRgb8(im), {
      raw: { width: im.width, height: im.height, channels: 3 },
    })
      .resize(tile, tile, { fit: 'fill' })
      .png()
      .toBuffer();
  for (const [row, ex] of examples.entries()) {
    tiles.push({ input: await png(ex.input), left: 0, top: row * tile });
    let col = 1;
    for (const t of targets)
      for (const v of VARIANTS) {
        const im = ex.outputs[t]?.[v];
        if (im) tiles.push({ input: await png(im), left: col * tile, top: row * tile });
        col++;
      }
  }
  const buf = await sharp({
    create: { width: cols * tile, height: examples.length * tile, channels: 3, background: '#000' },
  })
    .composite(tiles)
    .png()
    .toBuffer();
  await writeFileAtomic(path, buf);
  log(
    `wrote ${path}: columns input, then ${targets.map((t) => VARIANTS.map((v) => `${t} ${v}`).join(', ')).join(', ')}`,
  );
}

/** `reage eval-aging`: returns the exit status. */
export async function runEvalAging(argv: string[], out: TextSink): Promise<number> {
  const log = (line: string) => out.write(`${line}\n`);
  const { values: args, positionals } = parseOptions({
    args: argv,
    allowPositionals: true,
    options: {
      split: { type: 'string', default: 'test' },
      limit: { type: 'string', default: '200' },
      skip: { type: 'string', default: '0' },
      ages: { type: 'string', default: '20-35' },
      targets: { type: 'string', default: '0-18,60+' },
      mode: { type: 'string', default: DEFAULT_SHOT_SETTINGS.mode },
      detail: { type: 'string', default: DEFAULT_SHOT_SETTINGS.detail ? 'on' : 'off' },
      strength: { type: 'string', default: String(DEFAULT_SHOT_SETTINGS.strength) },
      texture: { type: 'string', default: String(DEFAULT_SHOT_SETTINGS.texture) },
      steps: { type: 'string', default: String(DEFAULT_SHOT_SETTINGS.steps) },
      seed: { type: 'string', default: '0' },
      model: { type: 'string', default: resolve(REPO_ROOT, 'models', 'reage-utkface-64') },
      dataset: { type: 'string', default: defaultDataDir() },
      records: { type: 'string' },
      sheet: { type: 'string' },
      'sheet-faces': { type: 'string', default: '8' },
      pool: { type: 'boolean', default: false },
    },
  });
  if (args.pool) {
    const files = await Promise.all(positionals.map(async (p) => JSON.parse(await readFile(p, 'utf8')) as RecordsFile));
    const same = files.every((f) => JSON.stringify(f.settings) === JSON.stringify(files[0]!.settings));
    if (!same) throw new Error('the parts were run with different settings');
    printTable(
      log,
      files.flatMap((f) => f.records),
      files.flatMap((f) => f.descriptors.map((d) => Float32Array.from(d))),
      files[0]!.settings,
      `pooled: ${positionals.join(' ')}`,
    );
  } else {
    const settings: AgingSettings = {
      mode: args.mode === 'pixel' ? 'pixel' : 'identity',
      detail: args.detail === 'on',
      strength: Number(args.strength),
      texture: Number(args.texture),
      steps: Number(args.steps),
      seed: Number(args.seed),
    };
    const targets = args.targets.split(',').map((t) => {
      if (!isAgeCategory(t)) throw new UsageError(`--targets: unknown category ${t} (${AGE_CATEGORIES.join(', ')})`);
      return t;
    });
    const [lo, hi] = args.ages.split('-').map(Number) as [number, number];
    const split = args.split === 'train' ? 'train' : 'test';
    const ordered = await agingFaceNames(args.dataset, split, lo, hi);
    const names = ordered.slice(Number(args.skip), Number(args.skip) + Number(args.limit));
    const command = `eval-aging ${process.argv.slice(2).join(' ')}`;

    // an unwritable --records or --sheet shows now, not after hours of faces
    for (const path of [args.records, args.sheet]) if (path) await probeAtomicWrite(path);
    const backend = (await initBackend('auto')).name;
    const model = await loadAgingModel({ modelDir: args.model });
    const rulers = await loadRulers();
    log(
      `backend ${backend}; model ${model.manifest.name} ${model.manifest.version}; ${names.length} ${split} faces aged ${lo}-${hi}`,
    );

    const records: FaceRecord[] = [];
    const descriptors: Float32Array[] = [];
    const examples: AgedExample[] = [];
    const started = Date.now();
    for (const [i, name] of names.entries()) {
      const r = await evaluateFace(model, rulers, args.dataset, name, targets, settings);
      if (r) {
        records.push(r.record);
        descriptors.push(r.inputDescriptor);
        if (examples.length < Number(args['sheet-faces'])) examples.push(r.example);
      } else log(`  ${name}: no face found, left out`);
      const per = (Date.now() - started) / 1000 / (i + 1);
      if ((i + 1) % 10 === 0 || i + 1 === names.length)
        log(
          `  ${i + 1}/${names.length} faces, ${per.toFixed(1)} s/face, ETA ${Math.round(per * (names.length - i - 1))} s`,
        );
    }
    if (args.records)
      await writeFileAtomic(
        args.records,
        JSON.stringify({
          command,
          settings,
          records,
          descriptors: descriptors.map((d) => Array.from(d)),
        } satisfies RecordsFile),
      );
    if (args.sheet) await writeSheet(log, args.sheet, examples, targets);
    if (records.length >= 15) printTable(log, records, descriptors, settings, command);
    else log('fewer than 15 faces: too few distinct pairs to calibrate the identity threshold; pool parts with --pool');
  }

  return EXIT_OK;
}
