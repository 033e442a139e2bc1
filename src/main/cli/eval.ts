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

export async function runEvalCommand(cmd: EvalCommand, deps: CliDeps): Promise<number> {
  if (!deps.loadEval) throw new Error('evaluation is not available in this build');
  const evaluation = await deps.loadEval();
  const progress = new TerminalProgress(deps.stderr, deps.isTTY);
  const stop = interruptible(deps, (message) => progress.log(message));
  let report;
  try {
    report = await evaluation.runEval({
      backend: cmd.backend,
      split: cmd.split,
      steps: cmd.steps,
      detail: cmd.detail,
      signal: stop.signal,
      onProgress: (p) => progress.show(evalProgressLine(p)),
      ...(cmd.model !== undefined ? { modelDir: cmd.model } : {}),
      ...(cmd.limit !== undefined ? { limit: cmd.limit } : {}),
      ...(cmd.out !== undefined ? { out: cmd.out } : {}),
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
