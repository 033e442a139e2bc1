/**
 * Chunked and parallel rendering, measured (issue #21): frames per minute of one shot
 * rendered by 1 and by N local workers (`reage age --workers`), the largest change a
 * chunk boundary makes against a single-process render of the same plan, and the
 * peak memory of each engine process. Every render runs the real CLI as a separate
 * process, as a user or a farm would.
 *
 *   npx tsx scripts/bench-chunks.ts [--footage DIR] [--frames 1001-1024] [--age 60+]
 *        [--workers 2] [--mode pixel|identity] [--scale 2] [--out FILE.md]
 *
 * `--scale S` upscales the plates S times first (Lanczos) into a temporary folder,
 * for a larger plate than the footage has (say so wherever the figures go).
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { parseShotPlan, type ShotPlan } from '../src/shared/plan.js';
import { parseFrameRange } from '../src/shared/sequence.js';
import { writeFileAtomic } from '../src/main/node/atomic.js';
import { readFrame } from '../src/main/engine/sequence-io.js';
import { boxDifference } from '../src/main/eval/plate-checks.js';

const ROOT = resolve(import.meta.dirname, '..');
const { values } = parseArgs({
  options: {
    footage: {
      type: 'string',
      default: process.env.REAGE_FOOTAGE
        ? join(process.env.REAGE_FOOTAGE, 'tears_of_steel')
        : resolve(ROOT, '../shared/footage/tears_of_steel'),
    },
    frames: { type: 'string', default: '1001-1024' },
    age: { type: 'string', default: '60+' },
    workers: { type: 'string', default: '2' },
    mode: { type: 'string', default: 'pixel' },
    scale: { type: 'string', default: '1' },
    out: { type: 'string' },
  },
});
const workers = Number(values.workers);
const scale = Number(values.scale);

/** Peak resident memory (VmHWM, bytes) of every process below `root`, polled while it runs. */
class PeakMemory {
  readonly peaks = new Map<number, number>();
  private timer: NodeJS.Timeout | undefined;

  watch(root: number): void {
    this.timer = setInterval(() => void this.poll(root), 200);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async poll(root: number): Promise<void> {
    const parents = new Map<number, number>();
    for (const name of await readdir('/proc').catch(() => [])) {
      if (!/^\d+$/.test(name)) continue;
      const stat = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => '');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(Number(name), ppid);
    }
    const below = (pid: number): boolean => pid === root || (parents.has(pid) && pid !== 1 && below(parents.get(pid)!));
    for (const pid of parents.keys()) {
      if (!below(pid)) continue;
      const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
      const cmd = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
      const hwm = /VmHWM:\s+(\d+) kB/.exec(status);
      // the engine processes only: node running reage (not npm, sh or esbuild)
      if (hwm && cmd.includes('reage')) this.peaks.set(pid, Math.max(this.peaks.get(pid) ?? 0, Number(hwm[1]) * 1024));
    }
  }
}

/** Run `reage` with these arguments; wall seconds, and the peak memory of each engine process under it. */
async function reage(args: string[]): Promise<{ seconds: number; peaks: number[]; stdout: string }> {
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/main/cli/reage.ts'), ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const memory = new PeakMemory();
  memory.watch(child.pid!);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const code = await new Promise<number>((r) => child.on('close', (c) => r(c ?? 1)));
  memory.stop();
  if (code !== 0) throw new Error(`reage ${args.join(' ')} exited ${code}:\n${stderr.slice(-2000)}`);
  return { seconds: (performance.now() - started) / 1000, peaks: [...memory.peaks.values()], stdout };
}

/** Largest and mean absolute difference (0-255) of two renders' colour in a face box (the plan's, clipped to the frame). */
async function difference(a: string, b: string, box: { x: number; y: number; width: number; height: number }) {
  const [x, y] = [(await readFrame(a)).image, (await readFrame(b)).image];
  const left = Math.max(0, Math.floor(box.x));
  const top = Math.max(0, Math.floor(box.y));
  const pixels = {
    x: left,
    y: top,
    width: Math.max(0, Math.min(x.width, Math.ceil(box.x + box.width)) - left),
    height: Math.max(0, Math.min(x.height, Math.ceil(box.y + box.height)) - top),
  };
  const d = boxDifference(x, y, pixels);
  return { max: d.max * 255, mean: d.mean * 255 };
}

async function upscaled(folder: string, frames: number[], into: string): Promise<string> {
  const names = (await readdir(folder)).filter((n) => frames.some((f) => n.includes(`.${f}.`)));
  await mkdir(into, { recursive: true });
  for (const name of names) {
    const image = sharp(join(folder, name));
    const { width = 0, height = 0 } = await image.metadata();
    await image
      .resize(Math.round(width * scale), Math.round(height * scale), { kernel: 'lanczos3' })
      .toFile(join(into, name));
  }
  return into;
}

async function main(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'reage-bench-chunks-'));
  try {
    const frames = parseFrameRange(values.frames);
    const plates = scale === 1 ? values.footage : await upscaled(values.footage, frames, join(work, 'plates'));
    const planFile = join(work, 'shot.reage-plan.json');
    const common = ['--age', values.age, '--mode', values.mode, '--frames', values.frames];
    const planned = await reage([
      'plan',
      plates,
      ...common,
      '--render-to',
      join(work, 'single') + '/',
      '--out',
      planFile,
    ]);
    const plan: ShotPlan = parseShotPlan(JSON.parse(await readFile(planFile, 'utf8')));
    // the same plan, rendered elsewhere: once in one process, once split across workers
    const planFor = async (name: string) => {
      const file = join(work, `${name}.reage-plan.json`);
      await writeFileAtomic(file, JSON.stringify({ ...plan, out: join(work, name) + '/' }));
      return file;
    };
    const single = await reage(['age', '--plan', await planFor('single'), '--workers', '1', '--json']);
    const split = await reage(['age', '--plan', await planFor('split'), '--workers', String(workers), '--json']);
    const outputs = (dir: string) => readdir(join(work, dir)).then((n) => n.filter((x) => !x.startsWith('.')).sort());
    const names = await outputs('single');
    const rows: { frame: number; max: number; mean: number; step: number }[] = [];
    for (const [i, name] of names.entries()) {
      const frame = frames[i]!;
      const box = plan.faces[String(frame)];
      if (!box) continue;
      const d = await difference(join(work, 'single', name), join(work, 'split', name), box);
      const step =
        i > 0 ? (await difference(join(work, 'single', names[i - 1]!), join(work, 'single', name), box)).mean : NaN;
      rows.push({ frame, ...d, step });
    }
    const fpm = (s: number) => ((frames.length / s) * 60).toFixed(2);
    const mb = (b: number) => (b / 1024 / 1024).toFixed(0);
    const { width, height } = await sharp(
      join(
        plates,
        (await readdir(plates)).find((n) => n.endsWith('.png'))!,
      ),
    ).metadata();
    const worst = rows.reduce((a, r) => (r.max > a.max ? r : a), { frame: 0, max: 0, mean: 0, step: 0 });
    const steps = rows.filter((r) => Number.isFinite(r.step)).map((r) => r.step);
    const lines = [
      `# Chunks and workers`,
      '',
      `Produced by \`npx tsx scripts/bench-chunks.ts --frames ${values.frames} --workers ${workers} --mode ${values.mode}${scale !== 1 ? ` --scale ${scale}` : ''}\` on ${new Date().toISOString().slice(0, 10)}.`,
      '',
      `- plates: ${values.footage.split('/').slice(-1)[0]} frames ${values.frames}, ${width}×${height}${scale !== 1 ? ` (upscaled ${scale}× with Lanczos from the footage)` : ''}`,
      `- settings: target ${values.age}, ${values.mode} mode, the CLI's defaults otherwise; pre-roll ${plan.preRoll}`,
      `- plan (survey of every frame): ${planned.seconds.toFixed(1)} s`,
      '',
      '| render | wall s | frames per minute | speed-up | peak RSS per engine process, MB |',
      '| --- | ---: | ---: | ---: | --- |',
      `| 1 worker | ${single.seconds.toFixed(1)} | ${fpm(single.seconds)} | 1.00 | ${single.peaks.map(mb).join(', ')} |`,
      `| ${workers} workers | ${split.seconds.toFixed(1)} | ${fpm(split.seconds)} | ${(single.seconds / split.seconds).toFixed(2)} | ${split.peaks.map(mb).join(', ')} |`,
      '',
      `Chunk boundary: the largest difference between the ${workers}-worker and the single render in the face box is ` +
        `${worst.max}/255 (frame ${worst.frame}); mean per frame up to ${Math.max(...rows.map((r) => r.mean)).toFixed(2)}/255, ` +
        `against the single render's own frame-to-frame change of ${Math.min(...steps).toFixed(2)}–${Math.max(...steps).toFixed(2)}/255 (mean in the face box).`,
      '',
      '| frame | max diff | mean diff | single render, mean change from the previous frame |',
      '| ---: | ---: | ---: | ---: |',
      ...rows.map(
        (r) => `| ${r.frame} | ${r.max} | ${r.mean.toFixed(2)} | ${Number.isFinite(r.step) ? r.step.toFixed(2) : ''} |`,
      ),
    ];
    const text = lines.join('\n') + '\n';
    process.stdout.write(text);
    if (values.out) await writeFileAtomic(resolve(values.out), text);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

await main();
