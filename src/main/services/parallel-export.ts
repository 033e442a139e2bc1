/**
 * A studio export of one shot on several engine workers at once (issue #21). The tfjs
 * wasm backend runs one thread per process, so a shot on one engine uses one core. As
 * the CLI's `--workers` does (src/main/cli/worker-pool.ts), the shot is cut into
 * contiguous parts (splitForWorkers), each rendered on its own engine with the shot's
 * frames before it pre-rolled (ShotJob.shotFrames, preRoll), so the parts join
 * without a seam:
 *
 * - what every part must share is settled once per shot, before any part starts, by
 *   one survey on the queue's engine: the source ages (the shot's face and its other
 *   faces, estimated over the whole shot, not over each part's first frames) and the
 *   face followed (its box on each frame, so every part ages the same face). The seed
 *   and the rest are the shot's settings; every worker comes from the same launcher,
 *   and one that loaded another model than the queue's engine is refused;
 * - part 0 runs on the queue's own engine, the others on extra engines started for the
 *   export and kept while it lasts: N workers are N processes (the memory estimate
 *   counts them so), and previews, which pre-empt the whole export, find their engine
 *   loaded;
 * - the split is kept with the shot, so an export pre-empted by a preview, cancelled or
 *   failed resumes each part where it stopped, one pre-roll each, on the same workers;
 * - a part whose engine crashes restarts that engine and asks it for the part's frames
 *   not yet finished (resume: a frame written just before the crash is skipped), as the
 *   queue does for its one engine, while the other parts carry on; a part that keeps
 *   crashing without finishing a frame gives up, and the shot fails when the others
 *   are done.
 *
 * The queue (job-queue.ts) keeps what it keeps for any shot: each frame's report, the
 * ETA, pre-emption and cancel, through the one AbortSignal every part listens to.
 */
import type { AgeSettingsMessage, EngineInfoMessage, FrameReportMessage, ShotJobMessage } from '../../shared/ipc.js';
import { DEFAULT_PRE_ROLL, pinSurveyedAges, splitForWorkers } from '../../shared/plan.js';
import { formatFrameRange } from '../../shared/sequence.js';
import { localWorkers, workersForFrames } from '../node/local-workers.js';
import type { EngineService } from './engine-client.js';
import { StudioError } from './errors.js';
import { silentLogger, type Logger } from './log.js';

/** The most engine workers one export may run on (as the CLI's --workers). */
export const MAX_EXPORT_WORKERS = 64;

/** An engine started beside the queue's own for a part of an export: an EngineClient on the studio's launcher. */
export interface PartEngine extends EngineService {
  start(): Promise<EngineInfoMessage>;
  dispose(): void;
}

/** How many engine workers a shot is exported on, given the frames it has left when its export starts. */
export type ExportWorkers = (frames: number) => number;

/**
 * The studio's setting (a backend option, else REAGE_EXPORT_WORKERS) as a policy: a
 * count is used as given; absent or 'auto', one worker per core as free memory allows
 * (local-workers.ts), for shots long enough to give each worker its share, as the
 * CLI's default does. Anything else is logged and taken as 'auto'.
 */
export function exportWorkers(setting: number | string | undefined, log: Logger = silentLogger): ExportWorkers {
  const auto: ExportWorkers = (frames) => workersForFrames(localWorkers(), frames);
  if (setting === undefined || setting === '' || setting === 'auto') return auto;
  const count = Number(setting);
  if (!Number.isInteger(count) || count < 1 || count > MAX_EXPORT_WORKERS) {
    log.warn(`export workers: ${setting} is not a whole number from 1 to ${MAX_EXPORT_WORKERS}; one per core instead`);
    return auto;
  }
  return () => count;
}

/**
 * The extra engines: launched when an export first needs them (started at once, so
 * they load their model while the shot is surveyed), kept between the export's runs,
 * let go when no export is left, since each holds a model in memory.
 */
class EnginePool {
  private readonly engines: PartEngine[] = [];

  constructor(private readonly launch: () => PartEngine) {}

  take(count: number): PartEngine[] {
    while (this.engines.length < count) {
      const engine = this.launch();
      // a start that fails is reported by the part that asks this engine for frames
      engine.start().catch(() => {});
      this.engines.push(engine);
    }
    return this.engines.slice(0, count);
  }

  release(): void {
    for (const engine of this.engines.splice(0)) engine.dispose();
  }
}

/** What a shot exported on several workers keeps between its runs. */
export interface ParallelShotState {
  /** the settings (source ages fixed) and the face every part renders with, from the shot's survey */
  shared?: { settings: AgeSettingsMessage; faces?: ShotJobMessage['faces'] };
  /** each part's frames, cut once from the frames the shot had left at its first run */
  parts?: number[][];
}

/** One run of a shot on several workers, as the queue asks for it. */
export interface ParallelShotRun {
  /** for the log */
  name: string;
  /** the queue's request for the shot: its settings, output, resume flag and the whole shot as shotFrames */
  request: ShotJobMessage & { shotFrames: string };
  /** the frames the shot has left, in order */
  remaining: readonly number[];
  workers: number;
  state: ParallelShotState;
  /** cancel or pre-emption: every part stops */
  signal: AbortSignal;
  /** whether the shot has this frame's report already (this run's or an earlier one's) */
  finished(frame: number): boolean;
  onFrame(report: FrameReportMessage): void;
  /** a frame some part is on, and when the slowest part expects to be done (the engines' own ETAs; null unknown) */
  onProgress(frame: number, etaSeconds: number | null): void;
  /** a part's engine crashed and is being restarted */
  onRestart(reason: string): void;
}

export interface ParallelExportOptions {
  /** the queue's engine: the survey and part 0 run on it */
  engine: EngineService;
  /** starts an engine for another part */
  launch: () => PartEngine;
  /** crashes in a row, without a frame finishing in between, before a part is given up */
  maxCrashesWithoutProgress: number;
  log?: Logger;
}

/** Frames the busiest part has left: what a shot on several workers takes to finish scales with it. */
export function framesLeftInParts(parts: readonly (readonly number[])[], finished: (frame: number) => boolean): number {
  return Math.max(0, ...parts.map((part) => part.filter((f) => !finished(f)).length));
}

/** A model as a worker reports it: its manifest hash where known, else what names it. */
function modelKey(model: EngineInfoMessage['model']): string {
  return model.manifestSha256 ?? `${model.name} v${model.version} (${model.path})`;
}

export class ParallelExport {
  private readonly engine: EngineService;
  private readonly pool: EnginePool;
  private readonly maxCrashes: number;
  private readonly log: Logger;

  constructor(options: ParallelExportOptions) {
    this.engine = options.engine;
    this.pool = new EnginePool(options.launch);
    this.maxCrashes = options.maxCrashesWithoutProgress;
    this.log = options.log ?? silentLogger;
  }

  /**
   * Run what is left of the shot's parts, each on its own engine, until all are done or
   * the signal aborts. Resolves with the first part's error when a part failed (the
   * others ran to their end); a crash or failure of the survey, which runs on the
   * queue's engine alone, is thrown, for the queue to handle as any run of its engine.
   */
  async run(shot: ParallelShotRun): Promise<{ error?: string }> {
    const { state, request } = shot;
    state.parts ??= splitForWorkers(shot.remaining, shot.workers, DEFAULT_PRE_ROLL);
    const parts = state.parts;
    const extras = this.pool.take(parts.length - 1);
    state.shared ??= await this.survey(shot);
    const { settings, faces } = state.shared;
    const job: ShotJobMessage = { ...request, settings, preRoll: DEFAULT_PRE_ROLL, ...(faces ? { faces } : {}) };
    const model = this.engine.status().info?.model;
    this.log.info(`${shot.name}: ${parts.length} engine workers, frames ${parts.map(formatFrameRange).join(' | ')}`);
    const etas: (number | null)[] = parts.map(() => null);
    const errors = await Promise.all(
      parts.map((frames, i) =>
        this.runPart(shot, job, frames, {
          name: `engine worker ${i + 1}`,
          engine: i === 0 ? this.engine : extras[i - 1]!,
          // the queue's engine is the one the model is compared with; an extra's start says what it loaded
          ready: i === 0 ? async () => undefined : () => extras[i - 1]!.start(),
          model,
          eta: (seconds) => {
            etas[i] = seconds;
            const known = etas.filter((e) => e !== null);
            return known.length ? Math.max(...known) : null;
          },
        }),
      ),
    );
    const error = errors.find((e) => e !== undefined);
    return error === undefined ? {} : { error };
  }

  /** Let the extra engines go (no export left to run on them). */
  release(): void {
    this.pool.release();
  }

  /** The shot's settings with its source ages fixed over the whole shot, and the face followed through it. */
  private async survey(shot: ParallelShotRun): Promise<NonNullable<ParallelShotState['shared']>> {
    const { request } = shot;
    const survey = await this.engine.surveyShot(
      { ...request, frames: request.shotFrames },
      { signal: shot.signal, onProgress: (p) => shot.onProgress(p.frame, null) },
    );
    const { settings } = pinSurveyedAges(request.settings, survey);
    // no face found anywhere: each part finds none either, with the settings' own selection
    const found = Object.keys(survey.faces).length > 0;
    return { settings, ...(found ? { faces: survey.faces } : {}) };
  }

  /** One part until its frames are finished; its error, or undefined when done or stopped by the signal. */
  private async runPart(
    shot: ParallelShotRun,
    job: ShotJobMessage,
    frames: readonly number[],
    worker: {
      name: string;
      engine: EngineService;
      ready: () => Promise<EngineInfoMessage | undefined>;
      model: EngineInfoMessage['model'] | undefined;
      /** this part's ETA in, the slowest part's out */
      eta: (seconds: number | null) => number | null;
    },
  ): Promise<string | undefined> {
    const { name, engine, model } = worker;
    let { ready } = worker;
    let resume = job.resume ?? false;
    let crashes = 0;
    for (;;) {
      const todo = frames.filter((f) => !shot.finished(f));
      if (todo.length === 0 || shot.signal.aborted) {
        worker.eta(0);
        return undefined;
      }
      try {
        const info = await ready();
        if (info && model && modelKey(info.model) !== modelKey(model))
          throw new StudioError(
            'engine-unavailable',
            `it loaded model ${modelKey(info.model)}, not ${modelKey(model)} as the studio's engine: its frames would not match the others'`,
          );
        const summary = await engine.ageShot(
          { ...job, frames: formatFrameRange(todo), resume },
          {
            signal: shot.signal,
            onFrame: shot.onFrame,
            onProgress: (p) => shot.onProgress(p.frame, worker.eta(p.etaSeconds)),
          },
        );
        // reports the engine summarised but never streamed (it may batch) still count
        for (const failure of summary.failures) if (!shot.finished(failure.frame)) shot.onFrame(failure);
        worker.eta(0);
        return undefined;
      } catch (err) {
        if (shot.signal.aborted) return undefined;
        const message = err instanceof Error ? err.message : String(err);
        if (!(err instanceof StudioError && err.code === 'engine-crashed')) return `${name}: ${message}`;
        crashes = todo.some((f) => shot.finished(f)) ? 1 : crashes + 1;
        shot.onRestart(`${name}: ${message}`);
        let restarted: EngineInfoMessage;
        try {
          // restarted even when the part gives up: the queue's engine must be there for previews
          restarted = await engine.restart(message);
        } catch (restartError) {
          return `${name} could not be restarted after a crash (${message}): ${(restartError as Error).message}`;
        }
        if (crashes >= this.maxCrashes) {
          const at = frames.find((f) => !shot.finished(f));
          return `${name} crashed ${crashes} times in a row${at === undefined ? '' : ` at frame ${at}`}: ${message}`;
        }
        ready = async () => restarted;
        // the part's frames finished before the crash are not asked for; one written but not reported is skipped
        resume = true;
      }
    }
  }
}
