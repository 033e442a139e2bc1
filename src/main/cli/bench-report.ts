/**
 * The numbers `npm run bench` reports, computed from the engine's own per-frame
 * reports (FrameReport.seconds, .stages, .losses.steps), and their rendering as a
 * terminal table or a markdown report. Pure: no engine, no clock, no files.
 */
import type { ReconstructionMode } from '../../shared/ages.js';
import type { FrameReport } from '../engine/types.js';

/** The pipeline stages the engine times, in pipeline order. */
export const STAGES = [
  'read',
  'detect',
  'align',
  'encode',
  'optimise',
  'detail',
  'generate',
  'texture',
  'composite',
  'write',
] as const;

/** The issue's goal: identity mode, warm starts on, under this many seconds per frame. */
export const TARGET_SECONDS_PER_FRAME = 10;
export const TARGET_MODE: ReconstructionMode = 'identity';

/** What one mode's shot produced. */
export interface ModeRun {
  mode: ReconstructionMode;
  frames: FrameReport[];
  /** the engine's wall time for the shot, including the source-age estimate before frame 1 */
  wallSeconds: number;
  tensorsBefore: number;
  tensorsAfter: number;
}

export interface ModeStats {
  mode: ReconstructionMode;
  frames: number;
  done: number;
  noFace: number;
  failed: number;
  wallSeconds: number;
  /** wall time / frames: what an artist waits per frame */
  secondsPerFrame: number;
  framesPerMinute: number;
  /** mean of the frames' own times (excludes the once-per-shot source-age estimate) */
  meanFrameSeconds: number;
  firstFrameSeconds: number | null;
  /** mean over warm-started frames; null when none */
  warmFrameSeconds: number | null;
  /** mean seconds per aged frame for each stage */
  stages: Record<string, number>;
  /** frame time no stage accounts for (face tracking, bookkeeping) */
  otherSeconds: number;
  optimiseSecondsPerStep: number | null;
  firstFrameSteps: number | null;
  warmFrameSteps: number | null;
  tensorsBefore: number;
  tensorsAfter: number;
}

export interface BenchContext {
  backend: string;
  backendNote: string;
  model: { name: string; version: string; trained: boolean; path: string };
  footage: string;
  settings: { targetAge: string; steps: number; warmSteps: number; detail: boolean; composite: string };
  /** the previews' settings: the studio's defaults for a new shot (its step budgets, not the shots') */
  previewSettings?: { steps: number; warmSteps: number; sourceAge: string; texture: number };
  /** loadAverage: the 1-minute load when the bench started; above the core count, other work competed for the CPU */
  machine: { cpus: number; cpuModel: string; node: string; loadAverage: number };
  engineLoadSeconds: number;
  peakRssMB: number;
  date: string;
}

/**
 * A studio preview the bench timed through the engine's progressive preview: `cold`, a
 * fresh engine's first preview of the shot (source age, detection, full step budget);
 * `warm`, the next frame once that one was solved (warm-started from it); `again`,
 * that frame at another target age (its own latent reused).
 */
export interface PreviewRun {
  mode: ReconstructionMode;
  kind: 'cold' | 'warm' | 'again';
  frame: number;
  /** seconds from the call to the first picture: its first stage, or the result when none came first */
  firstPictureSeconds: number;
  /** which picture that was: 'encoder', 'warm' (the solved neighbour's latent) or 'final' */
  firstPicture: string;
  finalSeconds: number;
  /** pictures shown, the final one included */
  pictures: number;
  /** the optimiser's updates behind the final picture */
  steps: number;
  warmStartFrame?: number;
}

/** The issue's preview goals: a first picture within this, every time, */
export const TARGET_FIRST_PICTURE_SECONDS = 1;
/** and the final picture within this when warm-started, in the studio's default mode. */
export const TARGET_WARM_PREVIEW_SECONDS = 6;
export const PREVIEW_TARGET_MODE: ReconstructionMode = 'pixel';

export interface PreviewTarget {
  firstPictureSeconds: number;
  warmFinalSeconds: number;
  mode: ReconstructionMode;
  /** the slowest first picture over every preview, and the warm final in `mode`; null when not measured */
  measuredFirst: number | null;
  measuredWarmFinal: number | null;
  met: boolean | null;
}

/** One plate format's cost per frame (bench-formats.ts): the median of several writes and reads. */
export interface FormatRun {
  label: string;
  bytes: number;
  writeSeconds: number;
  readSeconds: number;
}

/** The plate formats' timings, on one frame of `width` x `height`. */
export interface FormatBench {
  /** which frame: a footage plate and how it was made this size */
  source: string;
  width: number;
  height: number;
  repeats: number;
  /** the OpenImageIO service's start (once per process, not in the EXR times); null when it did not start */
  serviceStartSeconds: number | null;
  runs: FormatRun[];
  /** why EXR was not measured */
  unavailable?: string;
}

export interface BenchReport extends BenchContext {
  modes: ModeStats[];
  target: { mode: ReconstructionMode; seconds: number; measured: number | null; met: boolean | null };
  previews: PreviewRun[];
  previewTarget: PreviewTarget;
  formats?: FormatBench;
}

function mean(values: readonly number[]): number | null {
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : null;
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

/**
 * Frames the engine warm-started: aged frames whose previous frame was aged too.
 * That mirrors shot.ts, which keeps the latent across a run of aged frames and
 * forgets it at a frame without a face, a failure or a skip.
 */
export function warmFrames(frames: readonly FrameReport[]): FrameReport[] {
  return frames.filter((f, i) => i > 0 && f.status === 'done' && frames[i - 1]!.status === 'done');
}

export function modeStats(run: ModeRun): ModeStats {
  const { frames } = run;
  const aged = frames.filter((f) => f.status === 'done');
  const warm = warmFrames(frames);
  const first = frames[0]?.status === 'done' ? frames[0] : undefined;
  const stages = Object.fromEntries(STAGES.map((s) => [s, mean(aged.map((f) => f.stages?.[s] ?? 0)) ?? 0]));
  const staged = (f: FrameReport) => sum(Object.values(f.stages ?? {}));
  const steps = sum(aged.map((f) => f.losses?.steps ?? 0));
  const n = frames.length;
  return {
    mode: run.mode,
    frames: n,
    done: aged.length,
    noFace: frames.filter((f) => f.status === 'no-face').length,
    failed: frames.filter((f) => f.status === 'failed').length,
    wallSeconds: run.wallSeconds,
    secondsPerFrame: n ? run.wallSeconds / n : 0,
    framesPerMinute: run.wallSeconds > 0 ? (n * 60) / run.wallSeconds : 0,
    meanFrameSeconds: mean(frames.map((f) => f.seconds)) ?? 0,
    firstFrameSeconds: first?.seconds ?? null,
    warmFrameSeconds: mean(warm.map((f) => f.seconds)),
    stages,
    otherSeconds: mean(aged.map((f) => Math.max(0, f.seconds - staged(f)))) ?? 0,
    optimiseSecondsPerStep: steps > 0 ? sum(aged.map((f) => f.stages?.optimise ?? 0)) / steps : null,
    firstFrameSteps: first?.losses?.steps ?? null,
    warmFrameSteps: mean(warm.map((f) => f.losses?.steps ?? 0)),
    tensorsBefore: run.tensorsBefore,
    tensorsAfter: run.tensorsAfter,
  };
}

/**
 * The target is judged on wall time per frame of the whole shot (first frame and
 * source-age estimate included), with warm starts as the engine does them; a shot
 * with failed frames does not count as meeting it.
 */
export function benchReport(
  context: BenchContext,
  runs: readonly ModeRun[],
  previews: readonly PreviewRun[] = [],
  formats?: FormatBench,
): BenchReport {
  const modes = runs.map(modeStats);
  const judged = modes.find((m) => m.mode === TARGET_MODE);
  const measured = judged ? judged.secondsPerFrame : null;
  const met = judged
    ? judged.failed === 0 && judged.done > 0 && judged.secondsPerFrame < TARGET_SECONDS_PER_FRAME
    : null;
  return {
    ...context,
    modes,
    target: { mode: TARGET_MODE, seconds: TARGET_SECONDS_PER_FRAME, measured, met },
    previews: [...previews],
    previewTarget: previewTarget(previews),
    ...(formats ? { formats } : {}),
  };
}

/** First pictures are judged over every preview (the encoder's does not depend on the mode), the warm final in the default mode. */
export function previewTarget(previews: readonly PreviewRun[]): PreviewTarget {
  const firsts = previews.map((p) => p.firstPictureSeconds);
  const warm = previews.find((p) => p.mode === PREVIEW_TARGET_MODE && p.kind === 'warm');
  const measuredFirst = firsts.length ? Math.max(...firsts) : null;
  const measuredWarmFinal = warm ? warm.finalSeconds : null;
  const met =
    measuredFirst === null || measuredWarmFinal === null
      ? null
      : measuredFirst <= TARGET_FIRST_PICTURE_SECONDS && measuredWarmFinal <= TARGET_WARM_PREVIEW_SECONDS;
  return {
    firstPictureSeconds: TARGET_FIRST_PICTURE_SECONDS,
    warmFinalSeconds: TARGET_WARM_PREVIEW_SECONDS,
    mode: PREVIEW_TARGET_MODE,
    measuredFirst,
    measuredWarmFinal,
    met,
  };
}

// ---- rendering -------------------------------------------------------------

type Table = string[][];

/** Fixed decimals, or a dash for a value that does not apply. */
function num(v: number | null, digits = 2): string {
  return v === null || !Number.isFinite(v) ? '–' : v.toFixed(digits);
}

export function renderTable(rows: Table, style: 'text' | 'markdown'): string {
  const [header, ...body] = rows;
  if (!header) return '';
  if (style === 'markdown') {
    const line = (r: string[]) => `| ${r.join(' | ')} |`;
    return [line(header), line(header.map((_, i) => (i ? '---:' : '---'))), ...body.map(line)].join('\n');
  }
  const widths = header.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  // first column left-aligned (labels), numbers right-aligned
  const line = (r: string[]) => r.map((c, i) => (i ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  return [line(header), ...body.map(line)].join('\n');
}

export function modesTable(r: BenchReport): Table {
  const col = (label: string, f: (m: ModeStats) => string): string[] => [label, ...r.modes.map(f)];
  return [
    ['', ...r.modes.map((m) => m.mode)],
    col('frames (aged / no face / failed)', (m) => `${m.frames} (${m.done}/${m.noFace}/${m.failed})`),
    col('wall time, s', (m) => num(m.wallSeconds, 1)),
    col('s per frame (wall)', (m) => num(m.secondsPerFrame)),
    col('frames per minute', (m) => num(m.framesPerMinute)),
    col('mean frame time, s', (m) => num(m.meanFrameSeconds)),
    col('first frame, s', (m) => num(m.firstFrameSeconds)),
    col('warm frames, mean s', (m) => num(m.warmFrameSeconds)),
    col('steps: first / warm mean', (m) => `${num(m.firstFrameSteps, 0)} / ${num(m.warmFrameSteps, 1)}`),
    col('tf tensors before → after', (m) => `${m.tensorsBefore} → ${m.tensorsAfter}`),
  ];
}

export function stagesTable(r: BenchReport): Table {
  const col = (label: string, f: (m: ModeStats) => string): string[] => [label, ...r.modes.map(f)];
  return [
    ['stage, s per aged frame', ...r.modes.map((m) => m.mode)],
    ...STAGES.map((s) => col(s, (m) => num(m.stages[s] ?? 0, 3))),
    col('(other)', (m) => num(m.otherSeconds, 3)),
    col('optimise, s per step', (m) => num(m.optimiseSecondsPerStep, 3)),
  ];
}

const PREVIEW_KINDS: Record<PreviewRun['kind'], string> = {
  cold: 'cold (fresh engine, first of the shot)',
  warm: 'warm (next frame, one solved)',
  again: 'again (that frame, another age)',
};

export function previewsTable(r: BenchReport): Table {
  return [
    ['preview', 'frame', 'first picture, s', 'first is', 'final, s', 'pictures', 'steps', 'warm from'],
    ...r.previews.map((p) => [
      `${p.mode}, ${PREVIEW_KINDS[p.kind]}`,
      String(p.frame),
      num(p.firstPictureSeconds),
      p.firstPicture,
      num(p.finalSeconds),
      String(p.pictures),
      String(p.steps),
      p.warmStartFrame === undefined ? '–' : String(p.warmStartFrame),
    ]),
  ];
}

export function formatsTable(f: FormatBench): Table {
  return [
    ['format', 'file, MB', 'write, ms', 'read, ms'],
    ...f.runs.map((run) => [
      run.label,
      num(run.bytes / 1e6, 1),
      num(run.writeSeconds * 1000, 0),
      num(run.readSeconds * 1000, 0),
    ]),
  ];
}

function formatsLines(f: FormatBench): string[] {
  return [
    `plate formats: one ${f.width}x${f.height} frame (${f.source}), median of ${f.repeats} writes and reads through sequence-io`,
    f.serviceStartSeconds === null
      ? `OpenEXR not measured: ${f.unavailable ?? 'the OpenImageIO service did not start'}`
      : `OpenImageIO service start: ${num(f.serviceStartSeconds * 1000, 0)} ms (once per process, not in the EXR times)`,
  ];
}

/** The plate formats alone (`npm run bench -- --formats only`). */
export function formatsText(f: FormatBench): string {
  return [...formatsLines(f), renderTable(formatsTable(f), 'text')].join('\n');
}

export function previewTargetLine(r: BenchReport): string {
  const t = r.previewTarget;
  const goal = `first picture within ${t.firstPictureSeconds} s every time, final within ${t.warmFinalSeconds} s warm in ${t.mode} mode`;
  if (t.met === null) return `preview target (${goal}): not measured`;
  return `preview target (${goal}): ${t.met ? 'MET' : 'NOT MET'}, measured ${num(t.measuredFirst)} s to the slowest first picture, ${num(t.measuredWarmFinal)} s to the warm final`;
}

export function targetLine(r: BenchReport): string {
  const t = r.target;
  const goal = `${t.mode} mode with warm starts under ${t.seconds} s per frame`;
  if (t.met === null) return `target (${goal}): not measured (${t.mode} mode not run)`;
  const frames = r.modes.find((m) => m.mode === t.mode)?.frames ?? 0;
  return `target (${goal}): ${t.met ? 'MET' : 'NOT MET'}, measured ${num(t.measured)} s per frame over ${frames} frames`;
}

function contextLines(r: BenchReport): string[] {
  return [
    `backend: ${r.backend}${r.backendNote ? ` (${r.backendNote})` : ''}`,
    `model: ${r.model.name} ${r.model.version}${r.model.trained ? '' : ' (UNTRAINED: random weights; timings only)'} at ${r.model.path}`,
    `footage: ${r.footage}`,
    `settings: target age ${r.settings.targetAge}, ${r.settings.steps} steps on the first frame, ${r.settings.warmSteps} on warm frames, detail refinement ${r.settings.detail ? 'on' : 'off'}, ${r.settings.composite} compositing`,
    `machine: ${r.machine.cpus} × ${r.machine.cpuModel}, node ${r.machine.node}, load average ${num(r.machine.loadAverage, 1)} at the start`,
    `engine load: ${num(r.engineLoadSeconds, 1)} s (once per process, not in the frame times); peak RSS ${num(r.peakRssMB, 0)} MB`,
    ...(r.previewSettings
      ? [
          `previews: the studio's defaults for a new shot: ${r.previewSettings.steps} steps cold, ${r.previewSettings.warmSteps} warm, source age ${r.previewSettings.sourceAge}, texture ${r.previewSettings.texture}, detail refinement ${r.settings.detail ? 'on' : 'off'}`,
        ]
      : []),
  ];
}

export function formatBenchText(r: BenchReport): string {
  return [
    ...contextLines(r),
    '',
    renderTable(modesTable(r), 'text'),
    '',
    renderTable(stagesTable(r), 'text'),
    ...(r.previews.length ? ['', renderTable(previewsTable(r), 'text')] : []),
    ...(r.formats ? ['', ...formatsLines(r.formats), renderTable(formatsTable(r.formats), 'text')] : []),
    '',
    targetLine(r),
    ...(r.previews.length ? [previewTargetLine(r)] : []),
  ].join('\n');
}

export function formatBenchMarkdown(r: BenchReport, command: string): string {
  return [
    '# Benchmark',
    '',
    `Produced by \`${command}\` on ${r.date}.`,
    '',
    'The engine\'s per-frame reports give the stage times. "s per frame (wall)" is the shot\'s wall',
    'time over its frames, first frame and source-age estimate included: the target is judged on it.',
    'Each mode is one shot, so its first frame optimises from the encoder (full step budget) and',
    'the rest warm-start from the previous frame (the warm step budget).',
    '',
    ...contextLines(r).map((l) => `- ${l}`),
    '',
    '## Per mode',
    '',
    renderTable(modesTable(r), 'markdown'),
    '',
    '## Per stage',
    '',
    renderTable(stagesTable(r), 'markdown'),
    '',
    ...(r.previews.length
      ? [
          '## Previews',
          '',
          "The studio's progressive preview, in-process, with the studio's default shot settings:",
          'seconds from the call to the first picture and to the final one. Cold is a fresh engine',
          'on the first frame; warm the next frame, which starts from the first one solved; again',
          'that frame at another target age, which reuses its own latent.',
          '',
          renderTable(previewsTable(r), 'markdown'),
          '',
        ]
      : []),
    ...(r.formats
      ? [
          '## Plate formats',
          '',
          ...formatsLines(r.formats).map((l) => `- ${l}`),
          '',
          renderTable(formatsTable(r.formats), 'markdown'),
          '',
        ]
      : []),
    '## Target',
    '',
    targetLine(r),
    ...(r.previews.length ? ['', previewTargetLine(r)] : []),
    '',
  ].join('\n');
}
