/**
 * The ageing on real plates, through the shot loop an export uses (runShot): each shot
 * of the footage folder aged to each target with G's change alone (--texture 0), the
 * prototype layer alone (--strength 0) and the hybrid, and measured on the frames:
 *  - pixels changed outside the face's mask (must be 0);
 *  - flicker: the output's frame-to-frame change in the face over the plate's (≤ 1.2);
 *  - age shift by human-models' estimators (aged minus plate, mean over every frame).
 * Writes a before/after sheet per shot: the first frame whole, then zoomed on the face.
 *
 *   reage eval-plates [--footage DIR] [--frames 1001-1016] [--targets 0-18,60+] \
 *     [--mode pixel] [--detail off] [--strength 1] [--texture 1] [--latent-smoothing K] \
 *     [--variants gan,texture,hybrid] [--sheets DIR]
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { parseOptions, UsageError, withinLimits } from './args.js';
import type { TextSink } from './progress.js';
import { EXIT_OK } from './frame-output.js';
import { LATENT_SMOOTHING_LIMITS, isAgeCategory, type AgeCategory } from '../../shared/ages.js';
import { DEFAULT_SHOT_SETTINGS } from '../../shared/project.js';
import { unionBox, type PixelBox } from '../engine/aging-model.js';
import { createEngine } from '../engine/engine.js';
import { toRgb8 } from '../engine/faces.js';
import type { AgeSettings, Point, RawImage } from '../engine/types.js';
import { faceCrop } from '../eval/aging.js';
import { defaultHumanModelsDir, HUMAN_AGE_ESTIMATOR_IDS, loadAgeEstimator } from '../eval/age-estimators.js';
import { defaultFootageDir, REPO_ROOT } from '../eval/data.js';
import { listShots } from '../eval/footage.js';
import { changedOutsideMask, flickerRatio } from '../eval/plate-checks.js';

/** `reage eval-plates`: returns the exit status. */
export async function runEvalPlates(argv: string[], out: TextSink): Promise<number> {
  const log = (line: string) => out.write(`${line}\n`);
  const { values: args } = parseOptions({
    args: argv,
    options: {
      footage: { type: 'string', default: defaultFootageDir() },
      frames: { type: 'string', default: '1001-1016' },
      targets: { type: 'string', default: '0-18,60+' },
      mode: { type: 'string', default: DEFAULT_SHOT_SETTINGS.mode },
      detail: { type: 'string', default: DEFAULT_SHOT_SETTINGS.detail ? 'on' : 'off' },
      strength: { type: 'string', default: String(DEFAULT_SHOT_SETTINGS.strength) },
      texture: { type: 'string', default: String(DEFAULT_SHOT_SETTINGS.texture) },
      steps: { type: 'string', default: String(DEFAULT_SHOT_SETTINGS.steps) },
      'latent-smoothing': { type: 'string' },
      variants: { type: 'string', default: 'gan,texture,hybrid' },
      model: { type: 'string', default: resolve(REPO_ROOT, 'models', 'reage-utkface-64') },
      sheets: { type: 'string' },
    },
  });
  const targets = args.targets.split(',').map((t) => {
    if (!isAgeCategory(t)) throw new UsageError(`--targets: unknown category ${t}`);
    return t;
  });
  const base = {
    mode: args.mode === 'identity' ? 'identity' : 'pixel',
    detail: args.detail === 'on',
    strength: Number(args.strength),
    texture: Number(args.texture),
    composite: 'delta',
    steps: Number(args.steps),
    seed: 0,
    sourceAge: 'auto',
    ...(args['latent-smoothing'] !== undefined
      ? { latentSmoothing: withinLimits('latent-smoothing', args['latent-smoothing'], LATENT_SMOOTHING_LIMITS) }
      : {}),
  } as const;
  const allVariants = {
    gan: { texture: 0 },
    texture: { strength: 0 },
    hybrid: {},
  } as const;
  const variants = Object.fromEntries(
    args.variants.split(',').map((v) => {
      if (!(v in allVariants)) throw new UsageError(`--variants: unknown variant ${v} (gan, texture, hybrid)`);
      return [v, allVariants[v as keyof typeof allVariants]];
    }),
  );

  // the sheets' folder now, so an unwritable one shows before the shots are aged
  if (args.sheets) await mkdir(resolve(args.sheets), { recursive: true });
  // the engine an export runs on, so its shots are aged as exports are
  const engine = await createEngine({ backend: 'auto', modelDir: args.model });
  const { backend } = engine.info();
  const estimators = await Promise.all(
    HUMAN_AGE_ESTIMATOR_IDS.map((id) => loadAgeEstimator(id, defaultHumanModelsDir())),
  );

  async function ages(images: readonly RawImage[], landmarks: readonly Point[][]): Promise<Record<string, number>> {
    const crops = tf.concat(images.map((im, i) => faceCrop(im, landmarks[i]!)));
    try {
      const out: Record<string, number> = {};
      for (const e of estimators) {
        const a = await e.estimate(crops);
        out[e.id] = a.reduce((s, v) => s + v, 0) / a.length;
      }
      return out;
    } finally {
      crops.dispose();
    }
  }

  const png = (im: RawImage, crop?: { x: number; y: number; width: number; height: number }, side?: number) => {
    let s = sharp(toRgb8(im), {
      raw: { width: im.width, height: im.height, channels: 3 },
    });
    if (crop) s = s.extract({ left: crop.x, top: crop.y, width: crop.width, height: crop.height });
    if (side) s = s.resize(side, side, { fit: 'fill', kernel: 'nearest' });
    return s.png().toBuffer();
  };

  log(`backend ${backend}; frames ${args.frames}; settings ${JSON.stringify(base)}`);
  log(
    '| shot | target | variant | outside-mask pixels changed | flicker | ' +
      HUMAN_AGE_ESTIMATOR_IDS.map((e) => `${e} shift`).join(' | ') +
      ' |',
  );
  log('|---|---|---|---|---|' + HUMAN_AGE_ESTIMATOR_IDS.map(() => '---|').join(''));
  for (const { shot, files } of await listShots(args.footage)) {
    const sheet: { row: Buffer[]; label: string }[] = [];
    for (const target of targets)
      for (const [variant, over] of Object.entries(variants)) {
        const settings: AgeSettings = { ...base, targetAge: target as AgeCategory, ...over };
        const out = await mkdtemp(join(tmpdir(), 'reage-plates-'));
        const seen: { input: RawImage; output: RawImage; mask: Float32Array; box: PixelBox; landmarks: Point[] }[] = [];
        let outside = 0;
        try {
          await engine.ageShot(
            { input: files, frames: args.frames, out, settings },
            {
              onAged: (a) => {
                outside += changedOutsideMask(a.input, a.output, a.mask.mask);
                seen.push({
                  input: a.input,
                  output: a.output,
                  mask: a.mask.mask,
                  box: a.mask.bbox,
                  landmarks: a.landmarks,
                });
              },
            },
          );
        } finally {
          await rm(out, { recursive: true, force: true });
        }
        const box = unionBox(seen.map((s) => s.box));
        const flicker = flickerRatio(
          seen.map((s) => s.input),
          seen.map((s) => s.output),
          box,
        );
        const before = await ages(
          seen.map((s) => s.input),
          seen.map((s) => s.landmarks),
        );
        const after = await ages(
          seen.map((s) => s.output),
          seen.map((s) => s.landmarks),
        );
        log(
          `| ${shot} | ${target} | ${variant} | ${outside} | ${flicker.toFixed(3)} | ` +
            HUMAN_AGE_ESTIMATOR_IDS.map(
              (e) => `${after[e]! - before[e]! >= 0 ? '+' : ''}${(after[e]! - before[e]!).toFixed(1)}`,
            ).join(' | ') +
            ' |',
        );
        if (args.sheets && seen[0]) {
          const side = Math.max(box.width, box.height);
          const zoom = {
            x: Math.max(0, Math.min(seen[0].input.width - side, box.x)),
            y: Math.max(0, Math.min(seen[0].input.height - side, box.y)),
            width: Math.min(side, seen[0].input.width),
            height: Math.min(side, seen[0].input.height),
          };
          if (sheet.length === 0)
            sheet.push({
              label: 'plate',
              row: [await png(seen[0].input), await png(seen[0].input, zoom, seen[0].input.height)],
            });
          sheet.push({
            label: `${target} ${variant}`,
            row: [await png(seen[0].output), await png(seen[0].output, zoom, seen[0].input.height)],
          });
        }
      }
    if (args.sheets && sheet.length) {
      const first = await sharp(sheet[0]!.row[0]!).metadata();
      const w = first.width!;
      const h = first.height!;
      const file = join(resolve(args.sheets), `${shot}-aging.png`);
      await sharp({ create: { width: w + h, height: h * sheet.length, channels: 3, background: '#000' } })
        .composite(
          sheet.flatMap((r, i) => [
            { input: r.row[0]!, left: 0, top: i * h },
            { input: r.row[1]!, left: w, top: i * h },
          ]),
        )
        .png()
        .toFile(file);
      log(`wrote ${file}: rows ${sheet.map((r) => r.label).join(', ')}`);
    }
  }

  return EXIT_OK;
}
