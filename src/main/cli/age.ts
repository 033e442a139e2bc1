/**
 * `reage age`: one shot through the engine. Per frame: a JSON record (--json), or a
 * human line when the output is a log or a pipe; on a terminal a progress bar
 * instead, with the frames that need attention printed above it. Then a summary.
 */
import { defectLine, defectsAt } from '../../shared/known-defects.js';
import type { ShotJob } from '../engine/api.js';
import type { FrameReport } from '../engine/types.js';
import type { AgeCommand } from './args.js';
import type { CliDeps } from './deps.js';
import {
  ShotTally,
  exitCodeFor,
  frameLine,
  frameRecord,
  summaryLines,
  summaryRecord,
  type ShotOutcome,
} from './frame-output.js';
import { TerminalProgress } from './progress.js';
import { interruptible, openEngine } from './session.js';

export function shotJobFor(cmd: AgeCommand): ShotJob {
  // the command is the shot settings plus where the frames are and how to run
  const {
    command: _command,
    backend: _backend,
    model: _model,
    json: _json,
    inputs,
    out,
    frames,
    resume,
    ...settings
  } = cmd;
  return {
    // several positionals are a list of files; one is a folder, a pattern or a file
    input: inputs.length === 1 ? inputs[0]! : inputs,
    out,
    settings,
    ...(frames !== undefined ? { frames } : {}),
    resume,
  };
}

export async function runAge(cmd: AgeCommand, deps: CliDeps): Promise<number> {
  const engine = await openEngine(deps, cmd);
  try {
    const { backend, model } = engine.info();
    const progress = new TerminalProgress(deps.stderr, deps.isTTY);
    // Said before the first frame and again under the summary: a farm log is read from
    // either end, and frames at these targets need work before they can be delivered.
    const knownDefects = defectsAt(model.knownDefects, cmd.targetAge);
    for (const d of knownDefects) deps.stderr.write(`model ${model.name} v${model.version}: ${defectLine(d)}\n`);
    const tally = new ShotTally(backend);
    const stop = interruptible(deps, (message) => progress.log(message));

    const emitFrame = (r: FrameReport): void => {
      if (cmd.json) deps.stdout.write(`${JSON.stringify(frameRecord(r))}\n`);
      else if (!deps.isTTY) deps.stdout.write(`${frameLine(r)}\n`);
      // on a terminal the bar shows progress; only frames needing a look get a line
      else if (r.status === 'failed' || r.status === 'no-face') progress.log(frameLine(r));
    };

    let outcome: ShotOutcome;
    // the bar moves after the first frame, which can take a minute (source age, full step budget)
    progress.show(`starting: estimating the source age and ageing the first frame [${backend}]`);
    try {
      const summary = await engine.ageShot(shotJobFor(cmd), {
        signal: stop.signal,
        onFrame: (r) => {
          tally.frame(r);
          emitFrame(r);
        },
        onProgress: (p) => {
          tally.progress(p);
          progress.update(p);
        },
      });
      // an interrupt during the last frame's write lets the shot complete: report it as complete
      outcome = { summary, interrupted: false, knownDefects };
    } catch (err) {
      if (!stop.signal.aborted) throw err;
      outcome = { summary: tally.snapshot(), interrupted: true, knownDefects };
    } finally {
      stop.release();
      progress.end();
    }

    if (cmd.json) deps.stdout.write(`${JSON.stringify(summaryRecord(outcome))}\n`);
    else deps.stdout.write(summaryLines(outcome).join('\n') + '\n');
    return exitCodeFor(outcome);
  } finally {
    engine.dispose();
  }
}
