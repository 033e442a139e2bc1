/**
 * How closely a resumed render matches an uninterrupted one, with and without
 * pre-roll (shot.ts): renders a plate's frames uninterrupted with `reage age`'s
 * default settings, then resumes a copy holding only the frames before --resume-at,
 * once with pre-roll (--pre-roll, the engine's default when absent) and once with none. For each resumed frame it prints
 * the max and mean absolute difference (0-255) from the uninterrupted frame inside
 * the face box (where the face mask is non-zero, so where ageing can change pixels),
 * next to the uninterrupted render's own change from the frame before, and the
 * plate's, in the same box: the variation a viewer already sees.
 *
 *   npx tsx scripts/measure-resume.ts [--footage DIR] [--frames 1001-1008] [--resume-at 1005] [--age 60+] [--pre-roll N] [--model DIR]
 *
 * The footage defaults to the Akiyo plate in ../shared/footage beside the checkout.
 */
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parseFrameRange } from '../src/shared/sequence.js';
import { shotJobFor } from '../src/main/cli/age.js';
import { parseCommand, type AgeCommand } from '../src/main/cli/args.js';
import { defaultModelDir, loadAgingModel, type PixelBox } from '../src/main/engine/aging-model.js';
import type { ShotJob } from '../src/main/engine/api.js';
import { initBackend } from '../src/main/engine/backend.js';
import { readFrame, resolveInput, resolveOutputs, type FrameRef } from '../src/main/engine/sequence-io.js';
import { DEFAULT_PRE_ROLL, runShot, type ShotContext } from '../src/main/engine/shot.js';
import { boxDifference } from '../src/main/eval/plate-checks.js';

const ROOT = resolve(import.meta.dirname, '..');

const { values } = parseArgs({
  options: {
    footage: { type: 'string', default: resolve(ROOT, '../shared/footage/akiyo') },
    frames: { type: 'string', default: '1001-1008' },
    'resume-at': { type: 'string', default: '1005' },
    age: { type: 'string', default: '60+' },
    'pre-roll': { type: 'string', default: String(DEFAULT_PRE_ROLL) },
    model: { type: 'string' },
  },
});
const preRoll = Number(values['pre-roll']);

interface Stats {
  max: number;
  mean: number;
}

/** Max and mean absolute sample difference (0-255) of two frames' colour inside `box`. */
async function difference(a: string, b: string, box: PixelBox): Promise<Stats> {
  const d = boxDifference((await readFrame(a)).image, (await readFrame(b)).image, box);
  return { max: d.max * 255, mean: d.mean * 255 };
}

function statsText({ max, mean }: Stats): string {
  return `max ${max.toFixed(0).padStart(3)}  mean ${mean.toFixed(2).padStart(5)}`;
}

function overall(stats: Stats[]): Stats {
  return { max: Math.max(...stats.map((s) => s.max)), mean: stats.reduce((a, s) => a + s.mean, 0) / stats.length };
}

async function loadContext(modelDir: string): Promise<ShotContext> {
  const backend = await initBackend();
  return { model: await loadAgingModel({ modelDir }), backend: backend.name };
}

/** A render stopped before `resumeAt` (its earlier outputs copied from `from`), resumed into `out`. */
async function resume(
  ctx: ShotContext,
  job: ShotJob,
  from: string[],
  outputs: string[],
  keep: number,
  options: Pick<ShotJob, 'preRoll'>,
): Promise<void> {
  for (let i = 0; i < keep; i++) await copyFile(from[i]!, outputs[i]!);
  await runShot(ctx, { ...job, resume: true, ...options });
}

async function main(): Promise<void> {
  const input = values.footage;
  const cmd = parseCommand(['age', input, '--out', 'unused', '--age', values.age, '--frames', values.frames]);
  const base = shotJobFor(cmd as AgeCommand); // reage age's defaults
  const resumeAt = Number(values['resume-at']);
  const frames = parseFrameRange(values.frames);
  const keep = frames.indexOf(resumeAt);
  if (keep < 1) throw new Error(`--resume-at ${resumeAt} must be one of --frames ${values.frames}, after the first`);

  const ctx = await loadContext(values.model ?? defaultModelDir());
  const work = await mkdtemp(join(tmpdir(), 'reage-measure-resume-'));
  try {
    const refs: FrameRef[] = await resolveInput(input, values.frames);
    const folders = { whole: 'uninterrupted', preRolled: 'pre-rolled', cold: 'no-pre-roll' } as const;
    const jobs = Object.fromEntries(
      Object.entries(folders).map(([k, f]) => [k, { ...base, out: join(work, f) + '/' }]),
    ) as Record<keyof typeof folders, ShotJob>;
    const outputs = Object.fromEntries(
      Object.entries(jobs).map(([k, j]) => [k, resolveOutputs(j.out, refs)]),
    ) as Record<keyof typeof folders, string[]>;
    for (const j of Object.values(jobs)) await mkdir(j.out, { recursive: true });

    const boxes = new Map<number, PixelBox>();
    console.log(`rendering ${values.frames} uninterrupted (${ctx.backend}; reage age's defaults, --age ${values.age})`);
    await runShot(ctx, jobs.whole, { onAged: (a) => boxes.set(a.frame, a.mask.bbox) });
    console.log(`resuming at ${resumeAt} with pre-roll ${preRoll}, then with none`);
    await resume(ctx, jobs.preRolled, outputs.whole, outputs.preRolled, keep, { preRoll });
    await resume(ctx, jobs.cold, outputs.whole, outputs.cold, keep, { preRoll: 0 });

    const rows = { preRolled: [] as Stats[], cold: [] as Stats[], render: [] as Stats[], plate: [] as Stats[] };
    console.log('\nin the face box, 0-255:');
    for (let i = keep; i < refs.length; i++) {
      const box = boxes.get(refs[i]!.frame);
      if (!box) {
        console.log(`frame ${refs[i]!.frame}: no face aged, left out`);
        continue;
      }
      const row = {
        preRolled: await difference(outputs.whole[i]!, outputs.preRolled[i]!, box),
        cold: await difference(outputs.whole[i]!, outputs.cold[i]!, box),
        render: await difference(outputs.whole[i - 1]!, outputs.whole[i]!, box),
        plate: await difference(refs[i - 1]!.path, refs[i]!.path, box),
      };
      for (const k of Object.keys(rows) as (keyof typeof rows)[]) rows[k].push(row[k]);
      console.log(
        `frame ${refs[i]!.frame}  box ${box.width}x${box.height}  resumed, pre-roll: ${statsText(row.preRolled)}` +
          `  |  resumed, none: ${statsText(row.cold)}  |  uninterrupted vs previous frame: ${statsText(row.render)}` +
          `  |  plate vs previous frame: ${statsText(row.plate)}`,
      );
    }
    console.log(
      `\nover frames ${resumeAt}-${frames.at(-1)}:\n` +
        `  resumed with pre-roll ${preRoll} vs uninterrupted: ${statsText(overall(rows.preRolled))}\n` +
        `  resumed without pre-roll vs uninterrupted: ${statsText(overall(rows.cold))}\n` +
        `  uninterrupted, frame vs previous frame:    ${statsText(overall(rows.render))}\n` +
        `  plate, frame vs previous frame:            ${statsText(overall(rows.plate))}`,
    );
  } finally {
    ctx.model.dispose();
    await rm(work, { recursive: true, force: true });
  }
}

await main();
