/**
 * How `reage age` reports frames and shots: a JSON record per frame (stable keys,
 * null where a value does not apply, so a pipeline can rely on the shape), a
 * concise human line per frame, the summary in both forms, and the exit status.
 */
import type { ActiveBackend } from '../../shared/ages.js';
import { defectLine, type KnownDefect } from '../../shared/known-defects.js';
import type { ShotSummary } from '../engine/api.js';
import type { FrameReport } from '../engine/types.js';
import { messageLines } from './process-guards.js';
import { formatDuration } from './progress.js';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;
/** 128 + SIGINT, what shells expect from a program stopped by Ctrl-C */
export const EXIT_INTERRUPTED = 130;

/** Milliseconds are plenty for timings, and keep the JSON lines short. */
function ms(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}

export function frameRecord(r: FrameReport): Record<string, unknown> {
  return {
    frame: r.frame,
    file: r.file,
    output: r.output ?? null,
    status: r.status,
    faceFound: r.faceFound,
    bridged: r.bridged ?? null,
    sourceAge: r.sourceAge ?? null,
    losses: r.losses ?? null,
    seconds: ms(r.seconds),
    error: r.error === undefined ? null : cappedError(r.error),
    stages: r.stages ? Object.fromEntries(Object.entries(r.stages).map(([k, v]) => [k, ms(v)])) : null,
  };
}

/** A frame's error as the CLI shows it: every line, each capped (a wasm error can be megabytes). */
function cappedError(error: string): string {
  return messageLines(error).join('\n');
}

/**
 * A failed frame's report: `head`, the error's first line and the file, then any
 * further lines of the error (a list under it) indented, so the frame reads as one block.
 */
function errorBlock(head: string, error: string | undefined, file: string): string {
  const [first, ...rest] = messageLines(error ?? 'unknown error');
  return [`${head}${first} (${file})`, ...rest.map((l) => `    ${l}`)].join('\n');
}

function lossText(losses: NonNullable<FrameReport['losses']>): string {
  const f = (v: number) => (Number.isFinite(v) ? v.toPrecision(3) : '?');
  return `loss ${f(losses.initial)} → ${f(losses.final)} (${losses.steps} steps)`;
}

export function frameLine(r: FrameReport): string {
  const head = `frame ${r.frame}  ${r.status.padEnd(7)} ${r.seconds.toFixed(1).padStart(6)} s`;
  switch (r.status) {
    case 'done':
      return `${head}  ${r.losses ? lossText(r.losses) + '  ' : ''}${r.bridged ? '(face bridged: missed here, interpolated)  ' : ''}→ ${r.output ?? '?'}`;
    case 'no-face':
      return `${head}  the chosen face is not on this frame: passed through unchanged → ${r.output ?? '?'}`;
    case 'skipped':
      return `${head}  already complete: ${r.output ?? '?'}`;
    case 'failed':
      return errorBlock(`${head}  `, r.error, r.file);
  }
}

export interface ShotOutcome {
  summary: ShotSummary;
  /** stopped by the user before every frame was processed */
  interrupted: boolean;
  /** the model's known defects at the shot's target age, repeated under the summary */
  knownDefects?: KnownDefect[];
}

export function summaryRecord({ summary: s, interrupted, knownDefects = [] }: ShotOutcome): {
  summary: Record<string, unknown>;
} {
  return {
    summary: {
      total: s.total,
      done: s.done,
      skipped: s.skipped,
      noFace: s.noFace,
      failed: s.failed,
      failures: s.failures.map((f) => ({
        frame: f.frame,
        file: f.file,
        error: f.error === undefined ? null : cappedError(f.error),
      })),
      seconds: ms(s.seconds),
      backend: s.backend,
      sourceAge: s.sourceAge ?? null,
      face: s.face ?? null,
      interrupted,
      knownDefects,
    },
  };
}

export function summaryLines({ summary: s, interrupted, knownDefects = [] }: ShotOutcome): string[] {
  const processed = s.done + s.skipped + s.noFace + s.failed;
  const counts = [
    `${s.done} done`,
    ...(s.skipped ? [`${s.skipped} skipped (already complete)`] : []),
    ...(s.noFace ? [`${s.noFace} without a face (passed through)`] : []),
    `${s.failed} failed`,
  ].join(', ');
  const source = s.sourceAge ? `; source age ${s.sourceAge}` : '';
  const lines = [`${processed}/${s.total} frames in ${formatDuration(s.seconds)} on ${s.backend}: ${counts}${source}`];
  if (s.face) lines.push(faceLine(s.face));
  for (const f of s.failures) lines.push(errorBlock(`  frame ${f.frame} failed: `, f.error, f.file));
  if (interrupted)
    lines.push(
      `interrupted: ${s.total - processed} frame(s) not processed; no frame was left half-written (rerun with --resume)`,
    );
  for (const d of knownDefects) lines.push(`model ${defectLine(d)}`);
  return lines;
}

/** Which face was aged, of how many, and where it was bridged or absent. */
function faceLine(f: NonNullable<ShotSummary['face']>): string {
  if (f.id === null) return 'no face was found in the shot';
  const of = f.faces === 1 ? 'the only face' : `of faces 0–${f.faces - 1}`;
  const notes = [
    ...(f.bridged ? [`bridged on ${f.bridged} frame(s)`] : []),
    ...(f.absent ? [`absent from ${f.absent} frame(s), passed through`] : []),
  ];
  return `face ${f.id} aged (${of})${notes.length ? `; ${notes.join('; ')}` : ''}`;
}

export function exitCodeFor({ summary, interrupted }: ShotOutcome): number {
  if (interrupted) return EXIT_INTERRUPTED;
  return summary.failed > 0 ? EXIT_FAILED : EXIT_OK;
}

/**
 * Counts frames as the engine reports them, so that a shot stopped part-way (the
 * engine then rejects instead of returning its summary) can still be summarised.
 */
export class ShotTally {
  private readonly started = performance.now();
  private summary: ShotSummary;

  constructor(backend: ActiveBackend) {
    this.summary = { total: 0, done: 0, skipped: 0, noFace: 0, failed: 0, failures: [], seconds: 0, backend };
  }

  frame(r: FrameReport): void {
    const s = this.summary;
    if (r.status === 'done') s.done++;
    else if (r.status === 'skipped') s.skipped++;
    else if (r.status === 'no-face') s.noFace++;
    else {
      s.failed++;
      s.failures.push(r);
    }
    s.sourceAge ??= r.sourceAge;
  }

  progress(p: { total: number; backend: ActiveBackend }): void {
    this.summary.total = p.total;
    this.summary.backend = p.backend;
  }

  /** The summary so far; `total` stays 0 until the engine reported the shot's length. */
  snapshot(): ShotSummary {
    const s = this.summary;
    const processed = s.done + s.skipped + s.noFace + s.failed;
    return { ...s, total: Math.max(s.total, processed), seconds: (performance.now() - this.started) / 1000 };
  }
}
