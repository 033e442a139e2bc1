/**
 * `npm run bench`: the real engine on a real plate (Tears of Steel by default), one
 * shot per reconstruction mode, delta compositing, written to a temporary folder.
 * Prints where the time goes per stage, throughput per mode, first vs warm frames,
 * peak memory, tensor counts (a leak shows as a growing count), the studio's
 * progressive previews (time to the first picture and to the final one, cold and
 * warm) and whether the targets are met. Nothing is estimated: every number
 * is measured here.
 *
 * It also times the plate formats (bench-formats.ts): one 1920×1080 frame written and
 * read as PNG, TIFF and OpenEXR; `--formats only` times them alone, without the engine.
 *
 *   npm run bench -- [--frames 24] [--modes identity,pixel] [--detail on|off] [--footage DIR]
 *                    [--steps N] [--warm-steps N] [--previews on|off] [--formats on|off|only]
 *                    [--backend …] [--model DIR] [--json] [--out FILE]
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import {
  BACKEND_CHOICES,
  RECONSTRUCTION_MODES,
  TEXTURE_LIMITS,
  type BackendChoice,
  type ReconstructionMode,
} from '../../shared/ages.js';
import { DEFAULT_SHOT_SETTINGS } from '../../shared/project.js';
import { createEngine } from '../engine/engine.js';
import { resolveInput } from '../engine/sequence-io.js';
import { warmStepsFor } from '../engine/shot.js';
import type { AgeSettings, FrameReport } from '../engine/types.js';
import { DEFAULT_STEPS, UsageError, onOff } from './args.js';
import { benchFormats } from './bench-formats.js';
import {
  benchReport,
  formatBenchMarkdown,
  formatBenchText,
  formatsText,
  type BenchContext,
  type FormatBench,
  type ModeRun,
  type PreviewRun,
} from './bench-report.js';
import type { CliEngine } from './deps.js';
import { EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK } from './frame-output.js';
import { backendNote } from './info.js';
import { installCrashGuards, isEntryPoint, messageLines, onSigint } from './process-guards.js';
import { TerminalProgress } from './progress.js';
import { reportError } from './session.js';

export const BENCH_USAGE = `Usage: npm run bench -- [--frames 24] [--modes identity,pixel] [--detail on|off] [--footage DIR]
         [--steps N] [--warm-steps N] [--previews on|off] [--formats on|off|only]
         [--backend auto|tensorflow|wasm|cpu] [--model DIR] [--json] [--out FILE]`;

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** The same footage root scripts/demo.sh reads: REAGE_FOOTAGE or ../shared/footage beside the checkout. */
export function defaultFootage(): string {
  return join(process.env.REAGE_FOOTAGE ?? join(ROOT, '..', 'shared', 'footage'), 'tears_of_steel');
}

export interface BenchOptions {
  frames: number;
  modes: ReconstructionMode[];
  detail: boolean;
  footage: string;
  steps: number;
  warmSteps?: number;
  /** time the studio's progressive previews too (default on) */
  previews: boolean;
  /** time the plate formats too (default on), or only them */
  formats: 'on' | 'off' | 'only';
  backend: BackendChoice;
  model?: string;
  json: boolean;
  out?: string;
}

export function parseBenchArgs(argv: string[]): BenchOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        frames: { type: 'string' },
        modes: { type: 'string' },
        detail: { type: 'string' },
        footage: { type: 'string' },
        steps: { type: 'string' },
        'warm-steps': { type: 'string' },
        previews: { type: 'string' },
        formats: { type: 'string' },
        backend: { type: 'string' },
        model: { type: 'string' },
        json: { type: 'boolean' },
        out: { type: 'string' },
      },
    }));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const count = (name: string, v: string | undefined, min: number): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be a whole number ≥ ${min} (got "${v}")`);
    return n;
  };
  const modes = (values.modes ?? RECONSTRUCTION_MODES.join(',')).split(',').map((m) => m.trim());
  for (const m of modes)
    if (!(RECONSTRUCTION_MODES as readonly string[]).includes(m))
      throw new UsageError(`--modes takes ${RECONSTRUCTION_MODES.join(', ')} (got "${m}")`);
  const backend = values.backend ?? process.env.REAGE_BACKEND ?? 'auto';
  if (!(BACKEND_CHOICES as readonly string[]).includes(backend))
    throw new UsageError(`--backend must be one of ${BACKEND_CHOICES.join(', ')} (got "${backend}")`);
  const warmSteps = count('warm-steps', values['warm-steps'], 0);
  const formats = values.formats ?? 'on';
  if (formats !== 'on' && formats !== 'off' && formats !== 'only')
    throw new UsageError(`--formats takes on, off or only (got "${formats}")`);
  return {
    frames: count('frames', values.frames, 1) ?? 24,
    modes: [...new Set(modes)] as ReconstructionMode[],
    detail: onOff('detail', values.detail, false),
    footage: resolve(values.footage ?? defaultFootage()),
    steps: count('steps', values.steps, 0) ?? DEFAULT_STEPS,
    ...(warmSteps !== undefined ? { warmSteps } : {}),
    previews: onOff('previews', values.previews, true),
    formats,
    backend: backend as BackendChoice,
    ...(values.model !== undefined ? { model: values.model } : {}),
    json: values.json ?? false,
    ...(values.out !== undefined ? { out: values.out } : {}),
  };
}

function settingsFor(opts: BenchOptions, mode: ReconstructionMode): AgeSettings {
  return {
    targetAge: '60+',
    sourceAge: 'auto',
    mode,
    detail: opts.detail,
    strength: 1,
    texture: TEXTURE_LIMITS.default,
    composite: 'delta',
    steps: opts.steps,
    ...(opts.warmSteps !== undefined ? { warmSteps: opts.warmSteps } : {}),
    seed: 0,
  };
}

function frameLog(mode: ReconstructionMode, r: FrameReport): string {
  const steps = r.losses ? `, ${r.losses.steps} steps` : '';
  // capped as reage's own messages are: a wasm failure can be megabytes on one line
  const error = r.error ? `: ${messageLines(r.error).join('\n    ')}` : '';
  return `${mode.padEnd(8)} frame ${r.frame}  ${r.status.padEnd(7)} ${r.seconds.toFixed(1).padStart(6)} s${steps}${error}`;
}

/** One mode's shot, with the tensor count around it (the engine and this file share one tf). */
async function runMode(
  engine: CliEngine,
  opts: BenchOptions,
  mode: ReconstructionMode,
  files: string[],
  outDir: string,
  signal: AbortSignal,
  progress: TerminalProgress,
): Promise<ModeRun> {
  const frames: FrameReport[] = [];
  const tensorsBefore = tf.memory().numTensors;
  const summary = await engine.ageShot(
    { input: files, out: join(outDir, mode), settings: settingsFor(opts, mode) },
    {
      signal,
      onFrame: (r) => {
        frames.push(r);
        progress.log(frameLog(mode, r));
      },
      onProgress: (p) => progress.update(p),
    },
  );
  return { mode, frames, wallSeconds: summary.seconds, tensorsBefore, tensorsAfter: tf.memory().numTensors };
}

/** A new shot's settings in the studio, in this mode: what an artist's preview runs with. */
function previewSettingsFor(opts: BenchOptions, mode: ReconstructionMode): AgeSettings {
  return { ...DEFAULT_SHOT_SETTINGS, mode, detail: opts.detail };
}

/**
 * The studio's preview, timed from the call to its first picture and to its result:
 * a fresh engine (nothing remembered: not the shot's source age, a face, a latent)
 * previews the first frame, then the next one, then that one at another target age.
 */
async function runPreviews(
  opts: BenchOptions,
  mode: ReconstructionMode,
  refs: readonly { frame: number; path: string }[],
  signal: AbortSignal,
  progress: TerminalProgress,
): Promise<PreviewRun[]> {
  const engine: CliEngine = await createEngine({
    backend: opts.backend,
    ...(opts.model ? { modelDir: opts.model } : {}),
  });
  const settings = previewSettingsFor(opts, mode);
  const other = settings.targetAge === '50-59' ? '60+' : '50-59';
  type Planned = [PreviewRun['kind'], (typeof refs)[number], AgeSettings];
  const next = refs[1];
  const plan: Planned[] = [
    ['cold', refs[0]!, settings],
    ...(next
      ? [['warm', next, settings] as Planned, ['again', next, { ...settings, targetAge: other }] as Planned]
      : []),
  ];
  const runs: PreviewRun[] = [];
  try {
    for (const [kind, ref, s] of plan) {
      signal.throwIfAborted();
      const started = performance.now();
      const since = () => (performance.now() - started) / 1000;
      let first: { seconds: number; stage: string } | undefined;
      let pictures = 1;
      const result = await engine.preview(ref.path, ref.frame, s, signal, (stage) => {
        first ??= { seconds: since(), stage: stage.stage };
        pictures++;
      });
      const finalSeconds = since();
      const run: PreviewRun = {
        mode,
        kind,
        frame: ref.frame,
        firstPictureSeconds: first?.seconds ?? finalSeconds,
        firstPicture: first?.stage ?? 'final',
        finalSeconds,
        pictures,
        steps: Math.max(0, (result.losses?.length ?? 0) - 1),
        ...(result.warmStartFrame !== undefined ? { warmStartFrame: result.warmStartFrame } : {}),
      };
      progress.log(
        `${mode.padEnd(8)} preview ${kind.padEnd(5)} frame ${ref.frame}  first picture ${run.firstPictureSeconds.toFixed(2)} s (${run.firstPicture}), final ${finalSeconds.toFixed(2)} s, ${run.steps} steps`,
      );
      runs.push(run);
    }
  } finally {
    engine.dispose();
  }
  return runs;
}

/** `command` is recorded in the markdown report, so that it can be rerun as it was. */
export async function bench(opts: BenchOptions, signal: AbortSignal, command: string): Promise<number> {
  const refs = await resolveInput(opts.footage);
  if (opts.formats === 'only') {
    const formats = await benchFormats(refs[0]!.path);
    process.stdout.write(opts.json ? `${JSON.stringify(formats, null, 2)}\n` : `${formatsText(formats)}\n`);
    return EXIT_OK;
  }
  const files = refs.slice(0, opts.frames).map((r) => r.path);
  if (files.length < opts.frames)
    process.stderr.write(`bench: ${opts.footage} has only ${files.length} frames; using all of them\n`);

  const loadAverage = loadavg()[0] ?? 0;
  const loadStarted = performance.now();
  const engine: CliEngine = await createEngine({
    backend: opts.backend,
    ...(opts.model ? { modelDir: opts.model } : {}),
  });
  const engineLoadSeconds = (performance.now() - loadStarted) / 1000;
  const info = engine.info();
  const outDir = await mkdtemp(join(tmpdir(), 'reage-bench-'));
  const progress = new TerminalProgress(process.stderr);
  const runs: ModeRun[] = [];
  const previews: PreviewRun[] = [];
  let formats: FormatBench | undefined;
  try {
    try {
      for (const mode of opts.modes) runs.push(await runMode(engine, opts, mode, files, outDir, signal, progress));
    } finally {
      engine.dispose();
    }
    // each mode's previews on a fresh engine of its own, after the shots: the first is cold
    if (opts.previews)
      for (const mode of opts.modes) previews.push(...(await runPreviews(opts, mode, refs, signal, progress)));
    if (opts.formats === 'on') {
      signal.throwIfAborted();
      progress.log('plate formats: writing and reading a 1920x1080 frame as PNG, TIFF and OpenEXR');
      formats = await benchFormats(refs[0]!.path);
    }
  } finally {
    progress.end();
    await rm(outDir, { recursive: true, force: true });
  }

  const cpu = cpus();
  const context: BenchContext = {
    backend: info.backend,
    backendNote: info.backendDetails ? backendNote(info.backendDetails) : '',
    model: { name: info.model.name, version: info.model.version, trained: info.model.trained, path: info.model.path },
    footage: `${opts.footage} (${files.length} frames from ${refs[0]?.frame ?? '?'})`,
    settings: {
      targetAge: '60+',
      steps: opts.steps,
      warmSteps: warmStepsFor(settingsFor(opts, 'identity')),
      detail: opts.detail,
      composite: 'delta',
    },
    machine: { cpus: cpu.length, cpuModel: cpu[0]?.model.trim() ?? 'unknown', node: process.version, loadAverage },
    ...(opts.previews
      ? {
          previewSettings: {
            steps: DEFAULT_SHOT_SETTINGS.steps,
            warmSteps: warmStepsFor(previewSettingsFor(opts, 'pixel')),
            sourceAge: DEFAULT_SHOT_SETTINGS.sourceAge,
            texture: DEFAULT_SHOT_SETTINGS.texture,
          },
        }
      : {}),
    engineLoadSeconds,
    // maxRSS is in kilobytes
    peakRssMB: process.resourceUsage().maxRSS / 1024,
    date: new Date().toISOString().slice(0, 10),
  };
  const report = benchReport(context, runs, previews, formats);
  process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatBenchText(report)}\n`);
  if (opts.out) {
    await writeFile(opts.out, formatBenchMarkdown(report, command));
    process.stderr.write(`bench: report written to ${opts.out}\n`);
  }
  return report.modes.some((m) => m.failed > 0) ? EXIT_FAILED : EXIT_OK;
}

if (isEntryPoint(import.meta.url)) {
  installCrashGuards(process.stderr);
  const controller = new AbortController();
  onSigint(() => {
    process.stderr.write('\nbench: interrupted: stopping at the next safe point\n');
    controller.abort();
  });
  let code: number;
  try {
    const argv = process.argv.slice(2);
    code = await bench(
      parseBenchArgs(argv),
      controller.signal,
      ['npm run bench', ...(argv.length ? ['--', ...argv] : [])].join(' '),
    );
  } catch (err) {
    code = controller.signal.aborted
      ? EXIT_INTERRUPTED
      : reportError(err, process.stderr, { program: 'bench', usage: BENCH_USAGE });
  }
  process.exit(code);
}
