/**
 * End to end on a real scheduler: the Akiyo shot (frames 1001-1006) rendered by Slurm as
 * a job array of 2-frame chunks (`reage farm slurm`, `sbatch --wait`), compared with the
 * same plan rendered in one process (`reage age --plan`).
 *
 * A chunk starts its face track from pre-roll: the plan's pre-roll frames before its
 * first, rendered and discarded. Where the pre-roll reaches back to the shot's first
 * frame the chunk repeats the single process's work exactly; where it does not, the
 * chunk's first frame starts from a slightly different track, so it may differ a little,
 * by less than the shot changes from one frame to the next. The test prints every
 * frame's difference.
 *
 * Needs `sbatch` and a running cluster (scripts/slurm/start-cluster.sh; SLURM_CONF names
 * it). Skipped, saying why, when there is none, unless REAGE_SLURM=1 (set by
 * scripts/test.sh when it started the cluster), where a missing cluster fails.
 */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { farmTasks } from '../../src/main/cli/farm/tasks.js';
import { parseShotPlan } from '../../src/shared/plan.js';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '..', '..');
const REAGE = [join(ROOT, 'bin', 'reage.js')];
const FOOTAGE = resolve(process.env.REAGE_FOOTAGE ?? join(ROOT, '..', 'shared', 'footage'), 'akiyo');
const REQUIRED = process.env.REAGE_SLURM === '1';
const FRAMES = '1001-1006';
const CHUNK = 2;

/** Slurm's clients retry a missing configuration for a minute; a cluster that is up answers at once. */
const QUICK = { encoding: 'utf8', timeout: 15_000, killSignal: 'SIGKILL' } as const;

/** Why the test cannot run here, or null when it can. */
function unavailable(): string | null {
  // sbatch --version itself fails without a configuration: only a missing program means not installed
  const sbatch = spawnSync('sbatch', ['--version'], QUICK);
  if ((sbatch.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT')
    return 'sbatch is not installed (apt-get install slurm-wlm munge)';
  const state = spawnSync('sinfo', ['-h', '-o', '%T'], QUICK);
  if (state.status !== 0 || !/idle|mixed|allocated/.test(state.stdout))
    return `no Slurm cluster answers (${(state.stderr || state.stdout).trim().split('\n')[0] || 'no node up'}); start one with: export SLURM_CONF="$(bash scripts/slurm/start-cluster.sh)"`;
  if (!existsSync(join(FOOTAGE, 'akiyo.1001.png'))) return `the Akiyo footage is not at ${FOOTAGE}`;
  return null;
}

const why = unavailable();
if (why && !REQUIRED) console.warn(`test/farm/slurm.test.ts skipped: ${why}`);

const work = mkdtempSync(join(tmpdir(), 'reage-slurm-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function reage(...args: string[]): Promise<string> {
  try {
    const { stdout } = await run(process.execPath, [...REAGE, ...args], { maxBuffer: 16 * 1024 * 1024 });
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; stdout?: string; message: string };
    throw new Error(`reage ${args.join(' ')} failed: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`, {
      cause: err,
    });
  }
}

interface Raw {
  data: Buffer;
  width: number;
  height: number;
  channels: number;
}

async function raw(file: string): Promise<Raw> {
  const { data, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels };
}

/** Max and mean absolute difference (0-255) over the pixels that `mask` marks. */
function difference(a: Raw, b: Raw, mask: Uint8Array): { max: number; mean: number } {
  expect([a.width, a.height, a.channels]).toEqual([b.width, b.height, b.channels]);
  let max = 0;
  let sum = 0;
  let n = 0;
  for (let p = 0; p < a.width * a.height; p++) {
    if (!mask[p]) continue;
    for (let c = 0; c < a.channels; c++) {
      const d = Math.abs(a.data[p * a.channels + c]! - b.data[p * b.channels + c]!);
      max = Math.max(max, d);
      sum += d;
      n++;
    }
  }
  return { max, mean: n ? sum / n : 0 };
}

/** The pixels either render changed from the plate: the aged face, where the renders can differ at all. */
function agedRegion(plate: Raw, ...renders: Raw[]): Uint8Array {
  const mask = new Uint8Array(plate.width * plate.height);
  for (let p = 0; p < mask.length; p++) {
    for (let c = 0; c < plate.channels && !mask[p]; c++) {
      const i = p * plate.channels + c;
      if (renders.some((r) => r.data[i] !== plate.data[i])) mask[p] = 1;
    }
  }
  return mask;
}

describe.skipIf(why !== null && !REQUIRED)('Slurm end to end: the Akiyo shot as a job array of chunks', () => {
  it('renders every chunk on the cluster, matching a single-process render of the same plan', async () => {
    expect(why, 'REAGE_SLURM=1 but the cluster cannot be used').toBeNull();
    const planFile = join(work, 'akiyo.reage-plan.json');
    // few optimisation steps: the test is about chunking, not about the ageing's quality
    await reage(
      'plan',
      join(FOOTAGE, 'akiyo.####.png'),
      '--age',
      '60+',
      '--steps',
      '8',
      '--warm-steps',
      '3',
      '--frames',
      FRAMES,
      '--pre-roll',
      '2',
      '--render-to',
      join(work, 'farm', 'akiyo.####.png'),
      '--out',
      planFile,
    );
    const plan = parseShotPlan(JSON.parse(readFileSync(planFile, 'utf8')));
    const frames = farmTasks(plan, CHUNK).flatMap((t) =>
      Array.from({ length: t.last - t.first + 1 }, (_, i) => t.first + i),
    );
    const firsts = new Set(farmTasks(plan, CHUNK).map((t) => t.first));

    // the same plan, rendered elsewhere in one process
    const singleFile = join(work, 'single.reage-plan.json');
    writeFileSync(singleFile, JSON.stringify({ ...plan, out: join(work, 'single', 'akiyo.####.png') }));

    const job = join(work, 'akiyo.sh');
    await reage('farm', 'slurm', '--plan', planFile, '--chunk', String(CHUNK), '--out', job);
    const submitted = spawnSync('sbatch', ['--wait', job], { encoding: 'utf8', timeout: 900_000 });
    const logs = existsSync(join(work, 'logs'))
      ? readdirSync(join(work, 'logs')).map((f) => `--- ${f}\n${readFileSync(join(work, 'logs', f), 'utf8')}`)
      : [];
    expect(submitted.status, `sbatch --wait failed: ${submitted.stderr}\n${logs.join('\n')}`).toBe(0);
    expect(logs).toHaveLength(farmTasks(plan, CHUNK).length);

    await reage('age', '--plan', singleFile);

    const rows: string[] = [];
    const firstBoundary = Math.min(...[...firsts].filter((f) => f > frames[0]!));
    for (const f of frames) {
      const name = `akiyo.${f}.png`;
      const [plate, farm, single] = await Promise.all([
        raw(join(FOOTAGE, name)),
        raw(join(work, 'farm', name)),
        raw(join(work, 'single', name)),
      ]);
      const prev = f > frames[0]! ? await raw(join(work, 'single', `akiyo.${f - 1}.png`)) : null;
      const region = agedRegion(plate, farm, single, ...(prev ? [prev] : []));
      const d = difference(farm, single, region);
      // how much the shot itself changes from the frame before, in the same region
      const motion = prev ? difference(single, prev, region) : null;
      // frames of the first chunk are the single render's own chain; from the first boundary
      // on, each chunk's pre-roll re-approaches that chain, which it need not reach exactly
      const kind =
        f === frames[0]
          ? 'shot start'
          : firsts.has(f)
            ? 'chunk start'
            : f > firstBoundary
              ? 'after a boundary'
              : 'inside';
      rows.push(
        `${f}  ${kind.padEnd(11)}  farm vs single: max ${d.max}, mean ${d.mean.toFixed(3)}` +
          (motion ? `   frame-to-frame: max ${motion.max}, mean ${motion.mean.toFixed(3)}` : ''),
      );
      if (kind === 'chunk start' || kind === 'after a boundary') {
        expect(d.mean, `frame ${f}: a chunk's first frame within the shot's frame-to-frame change`).toBeLessThan(
          motion!.mean,
        );
      } else {
        expect(d.max, `frame ${f}: ${kind} frames as the single process renders them`).toBeLessThanOrEqual(2);
        expect(d.mean, `frame ${f}`).toBeLessThan(0.05);
      }
    }
    console.log(
      `Slurm chunks of ${CHUNK} vs one process, pre-roll ${plan.preRoll}, aged region, 0-255:\n${rows.join('\n')}`,
    );
  }, 1_200_000);
});
