/**
 * `--workers N`: one shot shared by N engine processes. The tfjs wasm backend runs one
 * thread in Node, so one process uses one core; N processes on N cores render N
 * frames at a time. The shot is planned once (source age, face, model), cut into one
 * contiguous part per worker, and each worker renders its part as a chunk of the plan
 * (`reage age --plan - --frames A-B --json`, the plan on its standard input), pre-rolling
 * the frames before it so the seams do not show. Their JSON records come back as this
 * process's frame reports and progress, so the command prints and exits as a
 * single-process render does.
 *
 * The workers start before the plan is made: each loads its engine (seconds of model and
 * network loading) while this process surveys the shot, then reads the plan once it is
 * written to it, so the survey and the loads overlap instead of adding up.
 *
 * Contiguous parts rather than interleaved chunks: every chunk start costs a pre-roll
 * (frames aged and discarded, the first of them cold), so the fewer starts the
 * better, and the first part, which starts at the shot's start, gets the extra frames
 * the others spend on pre-roll.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { frameReportSchema } from '../../shared/ipc.js';
import { parseFrameRange, formatFrameRange } from '../../shared/sequence.js';
import { DEFAULT_PRE_ROLL, splitForWorkers, type ShotPlan } from '../../shared/plan.js';
import type { RunHooks, ShotJob, ShotSummary } from '../engine/api.js';
import type { FrameReport } from '../engine/types.js';
import { ShotTally } from './frame-output.js';
import { PLAN_FROM_STDIN } from './plan.js';

/** Starts one worker: `reage` with these arguments, its stdin (the plan goes there) and stdout piped. */
export type WorkerSpawner = (args: string[]) => ChildProcess;

/** The running CLI again, as Node was asked to run it (tsx's loader included when run from source). */
export const spawnReage: WorkerSpawner = (args) =>
  spawn(process.execPath, [...process.execArgv, process.argv[1]!, ...args], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: process.env,
  });

/** A frame record of `reage age --json` back into the engine's report (its nulls are absences). */
export function reportFromRecord(record: Record<string, unknown>): FrameReport | undefined {
  const present = Object.fromEntries(Object.entries(record).filter(([, v]) => v !== null));
  const parsed = frameReportSchema.safeParse(present);
  return parsed.success ? parsed.data : undefined;
}

/**
 * Render a planned shot (or the `frames` of it) on `workers` processes; reports arrive as
 * the engine's hooks. `plan` may still be in the making (a local plan's survey): the
 * workers are started at once and given it when it comes, which needs `job.frames` and
 * the default pre-roll to cut the parts by.
 */
export async function renderWithWorkers(
  plan: ShotPlan | Promise<ShotPlan>,
  job: ShotJob,
  workers: number,
  hooks: RunHooks,
  spawnWorker: WorkerSpawner = spawnReage,
  extraArgs: readonly string[] = [],
): Promise<ShotSummary> {
  const started = performance.now();
  const known = plan instanceof Promise ? undefined : plan;
  const range = job.frames ?? known?.frames;
  if (range === undefined) throw new Error('a plan still being made needs the frames to render');
  const frames = parseFrameRange(range);
  const preRoll = known?.preRoll ?? DEFAULT_PRE_ROLL;
  const parts = splitForWorkers(frames, workers, preRoll);
  // the workers' frames tallied as one shot (the same tally a single-process render's interrupt uses)
  const tally = new ShotTally('wasm');
  tally.progress({ total: frames.length, backend: 'wasm' });
  const children: ChildProcess[] = [];
  const onAbort = () => {
    // each worker stops after its current frame, as one process does on Ctrl-C
    for (const child of children) child.kill('SIGINT');
  };
  hooks.signal?.addEventListener('abort', onAbort, { once: true });
  let reported = 0;
  const record = (report: FrameReport) => {
    reported++;
    tally.frame(report);
    hooks.onFrame?.(report);
    const elapsed = (performance.now() - started) / 1000;
    hooks.onProgress?.({
      done: reported,
      total: frames.length,
      frame: report.frame,
      etaSeconds: (elapsed / reported) * (frames.length - reported),
      backend: tally.snapshot().backend,
    });
  };
  try {
    const running = parts.map((part) => {
      const args = ['age', '--plan', PLAN_FROM_STDIN, '--frames', formatFrameRange(part), '--json', '--workers', '1'];
      if (job.resume) args.push('--resume');
      const child = spawnWorker([...args, ...extraArgs]);
      // a worker that dies before reading its plan says why by its exit status, not by EPIPE here
      child.stdin?.on('error', () => {});
      children.push(child);
      const done = collect(child, record, (backend) => tally.progress({ total: frames.length, backend }));
      // seen below, once the plan is given; until then a failed start must not go unhandled
      done.catch(() => {});
      return done;
    });
    let resolved: ShotPlan;
    try {
      resolved = await plan;
      if (resolved.preRoll !== preRoll)
        throw new Error(`the plan pre-rolls ${resolved.preRoll} frames, the parts were cut for ${preRoll}`);
    } catch (err) {
      // no plan for the workers waiting on one: stop them rather than leave them waiting
      for (const child of children) child.kill('SIGTERM');
      await Promise.allSettled(running);
      throw err;
    }
    const text = JSON.stringify(resolved);
    for (const child of children) child.stdin?.end(text);
    const codes = await Promise.all(running);
    hooks.signal?.throwIfAborted();
    const failed = codes.find((c) => c !== 0 && c !== 1);
    if (failed !== undefined && reported < frames.length)
      throw new Error(`a worker stopped with exit status ${failed} after ${reported} of ${frames.length} frames`);
    const { sourceAge } = resolved.settings;
    return { ...tally.snapshot(), ...(sourceAge !== 'auto' ? { sourceAge } : {}) };
  } finally {
    hooks.signal?.removeEventListener('abort', onAbort);
  }
}

/** Read a worker's JSON lines until it exits: frame records to `onFrame`, its summary's backend to `onBackend`. */
function collect(
  child: ChildProcess,
  onFrame: (report: FrameReport) => void,
  onBackend: (backend: ShotSummary['backend']) => void,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        return; // not a record: a worker's stray output is not ours to interpret
      }
      if (typeof value !== 'object' || value === null) return;
      const rec = value as Record<string, unknown>;
      if (rec.summary && typeof rec.summary === 'object') {
        const backend = (rec.summary as { backend?: unknown }).backend;
        if (typeof backend === 'string') onBackend(backend as ShotSummary['backend']);
        return;
      }
      const report = reportFromRecord(rec);
      if (report) onFrame(report);
    });
    child.on('error', reject);
    child.on('close', (code) => resolve(code ?? 1));
  });
}
