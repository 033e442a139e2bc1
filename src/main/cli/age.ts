/**
 * `reage age`: one shot through the engine. Per frame: a JSON record (--json), or a
 * human line when the output is a log or a pipe; on a terminal a progress bar
 * instead, with the frames that need attention printed above it. Then a summary.
 */
import { targetCategories } from '../../shared/age-keys.js';
import { defectLine, defectsAt } from '../../shared/known-defects.js';
import type { ShotJob, ShotProgress } from '../engine/api.js';
import type { FrameReport } from '../engine/types.js';
import type { AgeCommand, AgePlanCommand } from './args.js';
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
import { inFlagWords, interruptible, openEngine } from './session.js';
import { checkPlanModel, jobFromPlan, planFromSurvey, readPlan } from './plan.js';
import { renderWithWorkers } from './worker-pool.js';
import { resolveInput } from '../engine/sequence-io.js';
import { workersForFrames } from '../node/local-workers.js';
import { formatFrameRange, parseFrameRange } from '../../shared/sequence.js';
import { DEFAULT_PRE_ROLL, splitForWorkers, type ShotPlan } from '../../shared/plan.js';
import type { CliEngine } from './deps.js';

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
    matte,
    delta,
    ...settings
  } = cmd;
  return {
    // several positionals are a list of files; one is a folder, a pattern or a file
    input: inputs.length === 1 ? inputs[0]! : inputs,
    out,
    ...(matte !== undefined ? { matte } : {}),
    ...(delta !== undefined ? { delta } : {}),
    settings,
    ...(frames !== undefined ? { frames } : {}),
    resume,
  };
}

/** The job a command asks for: its own flags, or a plan's chunk (checked against the loaded model). */
async function jobFor(cmd: AgeCommand | AgePlanCommand, engine: CliEngine): Promise<{ job: ShotJob; plan?: ShotPlan }> {
  if (cmd.command === 'age') return { job: shotJobFor(cmd) };
  const plan = await readPlan(cmd.plan);
  checkPlanModel(plan, engine.info(), cmd.plan);
  return { job: jobFromPlan(plan, cmd.frames, cmd.resume), plan };
}

/**
 * The job with its frames listed once (those its input has within job.frames), and its
 * local plan still being surveyed: the workers start loading meanwhile.
 */
async function withLocalPlan(
  engine: CliEngine,
  job: ShotJob,
  workers: number,
  signal: AbortSignal,
): Promise<{ plan: Promise<ShotPlan>; job: ShotJob & { frames: string } }> {
  const frames = formatFrameRange((await resolveInput(job.input, job.frames)).map((r) => r.frame));
  const listed = { ...job, frames };
  return { plan: localPlan(engine, listed, workers, signal), job: listed };
}

/**
 * A plan for splitting `job` across local workers when the user gave none: the source
 * age over the whole shot, and the face only where each worker's part starts its
 * pre-roll (a full survey, `reage plan`, follows it through every frame).
 */
async function localPlan(
  engine: CliEngine,
  job: ShotJob & { frames: string },
  workers: number,
  signal: AbortSignal,
): Promise<ShotPlan> {
  const frames = parseFrameRange(job.frames);
  const starts = splitForWorkers(frames, workers, DEFAULT_PRE_ROLL).map((part) => {
    const at = frames.indexOf(part[0]!);
    return frames[Math.max(0, at - DEFAULT_PRE_ROLL)]!;
  });
  const survey = await engine.surveyShot(job, { signal }, starts);
  return planFromSurvey(job, survey, engine.info(), DEFAULT_PRE_ROLL);
}

export async function runAge(cmd: AgeCommand | AgePlanCommand, deps: CliDeps): Promise<number> {
  try {
    return await runAgeCommand(cmd, deps);
  } catch (err) {
    throw inFlagWords(err);
  }
}

async function runAgeCommand(cmd: AgeCommand | AgePlanCommand, deps: CliDeps): Promise<number> {
  const engine = await openEngine(deps, cmd);
  try {
    const { job, plan } = await jobFor(cmd, engine);
    const workers = await workersFor(cmd, job, deps);
    const { backend, model } = engine.info();
    const targets = targetCategories(job.settings);
    const progress = new TerminalProgress(deps.stderr, deps.isTTY);
    // Said before the first frame and again under the summary: a farm log is read from
    // either end, and frames at these targets need work before they can be delivered.
    // every category the shot is aged to: its age keys' when it has them
    const knownDefects = [...new Set(targets.flatMap((t) => defectsAt(model.knownDefects, t)))];
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
      const hooks = {
        signal: stop.signal,
        onFrame: (r: FrameReport) => {
          tally.frame(r);
          emitFrame(r);
        },
        onProgress: (p: ShotProgress) => {
          tally.progress(p);
          progress.update(p);
        },
      };
      // a local plan is surveyed while the workers load their engines
      const local = workers > 1 && !plan ? await withLocalPlan(engine, job, workers, stop.signal) : undefined;
      const summary =
        workers > 1
          ? await renderWithWorkers(
              local?.plan ?? plan!,
              local?.job ?? job,
              workers,
              hooks,
              deps.spawnWorker,
              workerArgs(cmd),
            )
          : await engine.ageShot(job, hooks);
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

/** --workers as given, else one per core (deps.defaultWorkers) for renders long enough to gain from it. */
async function workersFor(cmd: AgeCommand | AgePlanCommand, job: ShotJob, deps: CliDeps): Promise<number> {
  if (cmd.workers !== undefined) return cmd.workers;
  const cores = deps.defaultWorkers?.() ?? 1;
  if (cores <= 1) return 1;
  return workersForFrames(cores, (await resolveInput(job.input, job.frames)).length);
}

/** What each worker needs to load the same engine as this process. */
function workerArgs(cmd: AgeCommand | AgePlanCommand): string[] {
  return [`--backend=${cmd.backend}`, ...(cmd.model ? [`--model=${cmd.model}`] : [])];
}
