/**
 * `reage eval`: measures the model on the held-out split (src/main/eval) and prints
 * the table, or the report as JSON. The evaluation loads its own engine parts.
 */
import type { EvalCommand } from './args.js';
import type { CliDeps, EvalProgress } from './deps.js';
import { EXIT_INTERRUPTED, EXIT_OK } from './frame-output.js';
import { TerminalProgress, formatDuration, renderBar } from './progress.js';
import { interruptible } from './session.js';

export function evalProgressLine(p: EvalProgress): string {
  return `${renderBar(p.done, p.total)} ${p.done}/${p.total}  ${p.stage}  ETA ${formatDuration(p.etaSeconds)}`;
}

/** Stages that run per evaluated face; everything else is set-up. */
const SETUP_STAGES = new Set(['load', 'calibrate', 'footage', 'done']);

/**
 * Progress for logs (stderr not a terminal): a farm log of a 30-minute evaluation
 * should say how far it got, without a redrawn bar's carriage returns. One line when a
 * phase starts, then each finished face, or each tenth of a set-up phase.
 */
export class EvalLogLines {
  private phase = '';
  private done = -1;

  /** The line to log for this event, or null. */
  next(p: EvalProgress): string | null {
    const phase = SETUP_STAGES.has(p.stage) ? p.stage : 'faces';
    const step = phase === 'faces' ? 1 : Math.max(1, Math.ceil(p.total / 10));
    const newPhase = phase !== this.phase;
    if (!newPhase && (p.done === this.done || (p.done % step !== 0 && p.done !== p.total))) return null;
    this.phase = phase;
    this.done = p.done;
    const label = phase === 'faces' ? 'faces evaluated' : phase;
    return `reage eval: ${label} ${p.done}/${p.total}, ETA ${formatDuration(p.etaSeconds)}`;
  }
}

export async function runEvalCommand(cmd: EvalCommand, deps: CliDeps): Promise<number> {
  if (!deps.loadEval) throw new Error('evaluation is not available in this build');
  const evaluation = await deps.loadEval();
  const progress = new TerminalProgress(deps.stderr, deps.isTTY);
  const stop = interruptible(deps, (message) => progress.log(message));
  const logLines = new EvalLogLines();
  let report;
  try {
    report = await evaluation.runEval({
      backend: cmd.backend,
      split: cmd.split,
      steps: cmd.steps,
      detail: cmd.detail,
      strength: cmd.strength,
      texture: cmd.texture,
      signal: stop.signal,
      onProgress: (p) => {
        if (deps.isTTY) return progress.show(evalProgressLine(p));
        const line = logLines.next(p);
        if (line) deps.stderr.write(`${line}\n`);
      },
      ...(cmd.model !== undefined ? { modelDir: cmd.model } : {}),
      ...(cmd.limit !== undefined ? { limit: cmd.limit } : {}),
      ...(cmd.skip !== undefined ? { skip: cmd.skip } : {}),
      ...(cmd.zAnchor !== undefined ? { zAnchor: cmd.zAnchor } : {}),
      ...(cmd.detailWeight !== undefined ? { detailWeight: cmd.detailWeight } : {}),
      ...(cmd.ageWeight !== undefined ? { ageWeight: cmd.ageWeight } : {}),
      ...(cmd.calibrationImages !== undefined ? { calibrationImages: cmd.calibrationImages } : {}),
      ...(cmd.out !== undefined ? { out: cmd.out } : {}),
      ...(cmd.saveFaces !== undefined ? { facesDir: cmd.saveFaces } : {}),
    });
  } catch (err) {
    if (!stop.signal.aborted) throw err;
    progress.end();
    deps.stderr.write('reage: evaluation interrupted\n');
    return EXIT_INTERRUPTED;
  } finally {
    stop.release();
    progress.end();
  }
  deps.stdout.write(cmd.json ? `${JSON.stringify(report, null, 2)}\n` : `${evaluation.formatEvalTable(report)}\n`);
  return EXIT_OK;
}
