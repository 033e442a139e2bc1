/** A one-line terminal progress bar: frames done, ETA and the active backend. */
import type { ShotProgress } from '../engine/api.js';

/** What the CLI writes text to: process.stdout/stderr, or a buffer in tests. */
export interface TextSink {
  write(text: string): unknown;
  isTTY?: boolean;
}

export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '--:--';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

export function renderBar(done: number, total: number, width = 28): string {
  const frac = total ? Math.min(1, Math.max(0, done / total)) : 0;
  const filled = Math.round(frac * width);
  return '█'.repeat(filled) + '░'.repeat(width - filled);
}

export function renderProgressLine(p: ShotProgress, width = 28): string {
  return `${renderBar(p.done, p.total, width)} ${p.done}/${p.total} frames  frame ${p.frame}  ETA ${formatDuration(p.etaSeconds)}  [${p.backend}]`;
}

/**
 * Redraws one status line in place on a terminal; does nothing elsewhere, so logs
 * and pipes never fill up with carriage returns.
 */
export class TerminalProgress {
  private last = '';

  constructor(
    private readonly stream: TextSink = process.stderr,
    private readonly enabled = stream.isTTY === true,
  ) {}

  /** Show a shot's progress. */
  update(p: ShotProgress): void {
    this.show(renderProgressLine(p));
  }

  /** Show any status text (e.g. an evaluation's stage). */
  show(line: string): void {
    if (!this.enabled) return;
    this.last = line;
    this.stream.write(`\r\x1b[2K${line}`);
  }

  /** Print a permanent line above the bar, then redraw the bar under it. */
  log(line: string): void {
    if (!this.enabled) {
      this.stream.write(`${line}\n`);
      return;
    }
    this.stream.write(`\r\x1b[2K${line}\n${this.last}`);
  }

  end(): void {
    if (this.enabled && this.last) this.stream.write('\n');
    this.last = '';
  }
}
