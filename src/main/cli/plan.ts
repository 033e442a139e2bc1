/**
 * Shot plans on the command line: `reage plan` surveys a shot (the source age from
 * frames spread over all of it, the face followed in every frame) and writes what
 * every chunk must share (src/shared/plan.ts); `reage age --plan FILE` turns a plan
 * and a chunk's frames back into the engine's job.
 */
import { userInfo, hostname } from 'node:os';
import { basename, resolve } from 'node:path';
import { formatAgeKey } from '../../shared/age-keys.js';
import { PLAN_FORMAT, PLAN_VERSION, parseShotPlan, pinSurveyedAges, type ShotPlan } from '../../shared/plan.js';
import { formatFrameRange } from '../../shared/sequence.js';
import type { ShotJob, ShotSurvey } from '../engine/api.js';
import { resolveInput } from '../engine/sequence-io.js';
import { DEFAULT_LATENT_SMOOTHING } from '../engine/shot.js';
import { writeFileAtomic } from '../node/atomic.js';
import { FileTooLargeError, readStreamWithin, readTextWithin } from '../node/bounded-read.js';
import { UsageError, type PlanCommand } from './args.js';
import type { CliDeps, CliEngine, CliEngineInfo } from './deps.js';
import { EXIT_FAILED, EXIT_OK } from './frame-output.js';
import { TerminalProgress } from './progress.js';
import { inFlagWords, interruptible, openEngine } from './session.js';

/** A plan is a few kilobytes per hundred frames; anything far larger is not one. */
const MAX_PLAN_BYTES = 64 * 1024 * 1024;

/** An input as a plan keeps it: absolute, so a farm node in another folder finds it. */
function absoluteInput(inputs: readonly string[]): string | string[] {
  const paths = inputs.map((p) => resolve(p));
  return paths.length === 1 ? paths[0]! : paths;
}

/** The shot's name for job names: the plates' pattern without frame number and extension. */
function shotName(input: string | string[]): string {
  const first = Array.isArray(input) ? input[0]! : input;
  const name = basename(first)
    .replace(/\.[^.]+$/, '')
    .replace(/[._-]*(#+|%0?\d*d|@+|\d+)$/, '');
  return name || 'shot';
}

/** Turn a survey of the job's frames into the plan every chunk renders from. */
export function planFromSurvey(
  job: ShotJob & { frames: string },
  survey: ShotSurvey,
  info: CliEngineInfo,
  preRoll: number,
): ShotPlan {
  // every face's age is fixed once, or every chunk would estimate its own
  const { settings, unsurveyed } = pinSurveyedAges(job.settings, survey);
  if (unsurveyed.some((u) => u.face === 'shot'))
    throw new UsageError('no face was found in the frames sampled for the source age: give --source-age');
  if (!info.model.manifestSha256) throw new Error('the engine did not report its model manifest hash');
  const other = unsurveyed.find((u) => u.face === 'other');
  if (other)
    throw new UsageError(
      `no frame sampled showed other face ${other.index + 1}: give its source age (--also-age FACE=AGE/SOURCE)`,
    );
  return {
    format: PLAN_FORMAT,
    version: PLAN_VERSION,
    name: shotName(job.input),
    input: job.input,
    frames: job.frames,
    out: job.out,
    // the engine's default written in, so every chunk smooths alike whichever version renders it
    settings: { ...settings, latentSmoothing: settings.latentSmoothing ?? DEFAULT_LATENT_SMOOTHING },
    ...(job.bitDepth ? { bitDepth: job.bitDepth } : {}),
    ...(job.matte ? { matte: job.matte } : {}),
    ...(job.delta ? { delta: job.delta } : {}),
    preRoll,
    model: { name: info.model.name, version: info.model.version, manifestSha256: info.model.manifestSha256 },
    faces: survey.faces,
    createdAt: new Date().toISOString(),
    createdBy: `${userInfo().username}@${hostname()} reage ${info.versions.app}`,
  };
}

/** Survey the job's shot and make its plan; the job names every frame of the shot (a plan does). */
export async function makePlan(
  engine: CliEngine,
  job: ShotJob & { frames: string },
  preRoll: number,
  hooks: Parameters<CliEngine['surveyShot']>[1] = {},
): Promise<ShotPlan> {
  const survey = await engine.surveyShot(job, hooks);
  return planFromSurvey(job, survey, engine.info(), preRoll);
}

/** Where `reage age --plan -` reads its plan: standard input (local workers get theirs so, as soon as it is made). */
export const PLAN_FROM_STDIN = '-';

/** The plan file (or standard input), read within a size limit and checked; errors name where it came from. */
export async function readPlan(file: string, stdin: NodeJS.ReadableStream = process.stdin): Promise<ShotPlan> {
  const fromStdin = file === PLAN_FROM_STDIN;
  const where = fromStdin ? 'the plan on standard input' : `the plan ${file}`;
  let text: string;
  try {
    text = fromStdin
      ? await readStreamWithin(stdin, MAX_PLAN_BYTES, where)
      : await readTextWithin(file, MAX_PLAN_BYTES);
  } catch (err) {
    if (err instanceof FileTooLargeError)
      throw new UsageError(`${fromStdin ? where : file} is too large to be a shot plan`);
    throw new UsageError(`cannot read ${where}: ${(err as Error).message}`);
  }
  try {
    return parseShotPlan(JSON.parse(text));
  } catch (err) {
    const why = err instanceof SyntaxError ? 'it is not JSON' : (err as Error).message;
    throw new UsageError(`cannot use ${where}: ${why}`);
  }
}

/** A chunk must render on the model its plan was made with, or its frames would not match the others'. */
export function checkPlanModel(plan: ShotPlan, info: CliEngineInfo, file: string): void {
  const { model } = plan;
  if (info.model.manifestSha256 !== model.manifestSha256)
    throw new UsageError(
      `${file} was planned with model ${model.name} v${model.version} (manifest ${model.manifestSha256.slice(0, 12)}…), ` +
        `but this engine loaded ${info.model.name} v${info.model.version} (manifest ${(info.model.manifestSha256 ?? '?').slice(0, 12)}…); ` +
        'render with the same model (--model) or make a new plan',
    );
}

/** The engine's job for a plan's chunk: the chunk's frames, the whole shot for pre-roll, everything else the plan's. */
export function jobFromPlan(plan: ShotPlan, frames: string | undefined, resume: boolean): ShotJob {
  return {
    input: plan.input,
    frames: frames ?? plan.frames,
    shotFrames: plan.frames,
    out: plan.out,
    settings: plan.settings,
    resume,
    preRoll: plan.preRoll,
    faces: plan.faces,
    ...(plan.bitDepth ? { bitDepth: plan.bitDepth } : {}),
    ...(plan.matte ? { matte: plan.matte } : {}),
    ...(plan.delta ? { delta: plan.delta } : {}),
  };
}

/** The shot's target as the plan line says it: `age 60+`, or `age keys 1001:30-39,1040:60+`. */
function ageText(settings: ShotPlan['settings']): string {
  return settings.ageKeys ? `age keys ${settings.ageKeys.map(formatAgeKey).join(',')}` : `age ${settings.targetAge}`;
}

/** `reage plan`: survey the shot, write the plan atomically, say what it found. */
export async function runPlan(cmd: PlanCommand, deps: CliDeps): Promise<number> {
  const engine = await openEngine(deps, cmd);
  const progress = new TerminalProgress(deps.stderr, deps.isTTY);
  const stop = interruptible(deps, (message) => progress.log(message));
  try {
    const {
      command: _c,
      backend: _b,
      model: _m,
      json: _j,
      inputs,
      renderTo,
      out,
      frames,
      preRoll,
      matte,
      delta,
      ...settings
    } = cmd;
    const base: ShotJob = {
      input: absoluteInput(inputs),
      out: resolve(renderTo),
      ...(matte !== undefined ? { matte: resolve(matte) } : {}),
      ...(delta !== undefined ? { delta: resolve(delta) } : {}),
      settings,
      ...(frames ? { frames } : {}),
    };
    // a plan names every frame of the shot, so chunks can be cut from it without the plates at hand
    const all = formatFrameRange((await resolveInput(base.input, base.frames)).map((r) => r.frame));
    progress.show('surveying the shot: the face in every frame, the source age');
    const plan = await makePlan(engine, { ...base, frames: all }, preRoll, {
      signal: stop.signal,
      onProgress: (p) => progress.update(p),
    });
    progress.end();
    const file = resolve(out);
    await writeFileAtomic(file, JSON.stringify(plan, null, 2) + '\n');
    const found = Object.keys(plan.faces).length;
    const line = `plan ${file}: ${plan.name}, frames ${plan.frames}, source age ${plan.settings.sourceAge}, ${ageText(plan.settings)}, face followed in ${found} frames, pre-roll ${plan.preRoll}`;
    deps.stdout.write(
      cmd.json
        ? `${JSON.stringify({ plan: file, frames: plan.frames, sourceAge: plan.settings.sourceAge, faces: found })}\n`
        : `${line}\n`,
    );
    return found ? EXIT_OK : EXIT_FAILED;
  } catch (err) {
    throw inFlagWords(err);
  } finally {
    stop.release();
    progress.end();
    engine.dispose();
  }
}
