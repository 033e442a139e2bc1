/** A one-line terminal progress bar: frames done, ETA and the active backend. */
import type { ShotProgress } from '../engine/api.js';

export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '--:--';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

export function renderProgressLine(p: ShotProgress, width = 28): string {
  const frac = p.total ? p.done / p.total : 0;
  const filled = Math.round(frac * width);
  const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
  return `${bar} ${p.done}/${p.total} frames  frame ${p.frame}  ETA ${formatDuration(p.etaSeconds)}  [${p.backend}]`;
}

export class TerminalProgress {
  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {}
  update(p: ShotProgress): void {
    if (!this.stream.isTTY) return;
    this.stream.write(`\r\x1b[2K${renderProgressLine(p)}`);
  }
  end(): void {
    if (this.stream.isTTY) this.stream.write('\n');
  }
}
