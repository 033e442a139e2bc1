/**
 * Schedules the engine's work, one engine job at a time (the engine saturates the
 * CPU or GPU on its own):
 *
 * - previews go before exports, and by default pre-empt a running export: it is
 *   cancelled at once and continued after the previews with `resume: true`, so the
 *   artist never waits for a long shot to finish before seeing a frame;
 * - a newer preview in the same group (the viewer) supersedes an older one;
 * - exports are tracked per shot and per frame, with an ETA;
 * - when the engine process dies, the queue restarts it and continues where it
 *   was. Frames already reported finished are not asked for again (the request
 *   lists only the remaining frames) and `resume: true` skips any frame written
 *   just before the crash, so nothing is lost or rendered twice;
 * - a shot rendered in several engine runs (pre-empted, cancelled and resumed,
 *   restarted) keeps one source age: the engine's estimate from the first run is
 *   passed as an override to the later ones, so the ageing does not jump mid-shot;
 * - with `exportWorkers` above 1, a shot's export runs on that many engines at once,
 *   one contiguous part each (parallel-export.ts): still one job here, its frames,
 *   ETA, pre-emption, cancel and crash recovery as above.
 */
import {
  type AgeSettingsMessage,
  type ExportShot,
  type FrameFailure,
  type FrameReportMessage,
  type JobShotSnapshot,
  type JobSnapshot,
  type JobStatus,
  type PreviewResultMessage,
  type PreviewStageMessage,
  type ShotJobMessage,
} from '../../shared/ipc.js';
import type { AgeCategory } from '../../shared/ages.js';
import { formatFrameRange } from '../../shared/sequence.js';
import type { EngineService } from './engine-client.js';
import { StudioError } from './errors.js';
import { silentLogger, type Logger } from './log.js';
import {
  ParallelExport,
  framesLeftInParts,
  type ExportWorkers,
  type ParallelShotState,
  type PartEngine,
} from './parallel-export.js';

export interface PreviewRequest {
  file: string;
  frame: number;
  settings: AgeSettingsMessage;
  /** a newer request in the same group supersedes this one */
  group?: string;
  /**
   * the pictures on the way to the result (a progressive preview), each replacing the
   * one before; none once the request is superseded or cancelled
   */
  onStage?: (stage: PreviewStageMessage) => void;
}

export interface ExportRequest {
  shots: ExportShot[];
  /** skip frames whose output already exists (the engine's resume) on the first run too */
  skipExisting: boolean;
}

export interface JobQueueOptions {
  /** cancel a running export when a preview arrives, and resume it afterwards (default true) */
  preemptExports?: boolean;
  /** engine crashes in a row, without a frame finishing in between, before a shot is given up (default 3) */
  maxCrashesWithoutProgress?: number;
  /** minimum milliseconds between progress snapshots of one job (default 100) */
  notifyIntervalMs?: number;
  /**
   * engine workers a shot is exported on, decided when its export first starts from the
   * frames it has left (parallel-export.ts exportWorkers); 1, the queue's engine
   * alone, when absent or without `launchEngine`
   */
  exportWorkers?: ExportWorkers;
  /** starts an engine beside the queue's own, for the other parts of a shot on several workers */
  launchEngine?: () => PartEngine;
  now?: () => number;
  log?: Logger;
}

interface PreviewTask {
  kind: 'preview';
  request: PreviewRequest;
  controller: AbortController;
  superseded: boolean;
  crashes: number;
  resolve(result: PreviewResultMessage): void;
  reject(error: Error): void;
}

type ShotStatus = JobShotSnapshot['status'];

interface ShotState {
  spec: ExportShot;
  status: ShotStatus;
  /** the latest report for each frame this job has finished (done, skipped, no face or failed) */
  reports: Map<number, FrameReportMessage>;
  currentFrame: number | null;
  /** the engine's own ETA for the running segment, used until this job has timings of its own */
  engineEta: number | null;
  /** whether the engine has been asked for this shot before: later runs always resume */
  started: boolean;
  crashesWithoutProgress: number;
  /** the source age the engine reported (its estimate when the settings say 'auto') */
  sourceAge?: AgeCategory;
  error?: string;
  /** engine workers the shot runs on, decided at its first run */
  workers?: number;
  /** a shot on several workers: what its parts share, and their frames */
  parallel: ParallelShotState;
}

interface ExportJob {
  id: string;
  status: JobStatus;
  skipExisting: boolean;
  shots: ShotState[];
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  restarts: number;
  message?: string;
  cancelRequested: boolean;
}

interface RunningShot {
  kind: 'export';
  job: ExportJob;
  shot: ShotState;
  controller: AbortController;
  preempted: boolean;
}

type Running = { kind: 'preview'; task: PreviewTask } | RunningShot;

export class JobQueue {
  private readonly engine: EngineService;
  private readonly preemptExports: boolean;
  private readonly maxCrashes: number;
  private readonly notifyIntervalMs: number;
  private readonly now: () => number;
  private readonly log: Logger;
  private readonly exportWorkers: ExportWorkers;
  private readonly parallel: ParallelExport | undefined;

  private readonly previews: PreviewTask[] = [];
  private readonly jobs: ExportJob[] = [];
  private running: Running | undefined;
  private restarting: Promise<void> | undefined;
  private disposed = false;
  private nextJob = 1;
  private readonly jobListeners = new Set<(job: JobSnapshot) => void>();
  private readonly lastNotified = new Map<string, number>();
  private readonly notifyTimers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly unsubscribeExit: () => void;

  constructor(engine: EngineService, options: JobQueueOptions = {}) {
    this.engine = engine;
    this.preemptExports = options.preemptExports ?? true;
    this.maxCrashes = options.maxCrashesWithoutProgress ?? 3;
    this.notifyIntervalMs = options.notifyIntervalMs ?? 100;
    this.now = options.now ?? Date.now;
    this.log = options.log ?? silentLogger;
    this.exportWorkers = options.exportWorkers ?? (() => 1);
    this.parallel =
      options.launchEngine &&
      new ParallelExport({
        engine,
        launch: options.launchEngine,
        maxCrashesWithoutProgress: this.maxCrashes,
        log: this.log,
      });
    // An engine that dies while idle is restarted straight away, so the next request does not wait for it.
    this.unsubscribeExit = engine.onExit((exit) => {
      if (!this.running && !this.disposed) {
        void this.restartEngine(`it stopped while idle (code ${exit.code ?? exit.signal})`).then(() => this.pump());
      }
    });
  }

  onJob(listener: (job: JobSnapshot) => void): () => void {
    this.jobListeners.add(listener);
    return () => this.jobListeners.delete(listener);
  }

  // -------------------------------------------------------------------------
  // Previews

  preview(request: PreviewRequest): Promise<PreviewResultMessage> {
    if (this.disposed) return Promise.reject(new StudioError('engine-unavailable', 'the studio is shutting down'));
    if (request.group !== undefined) this.supersede(request.group);
    return new Promise((resolve, reject) => {
      this.previews.push({
        kind: 'preview',
        request,
        controller: new AbortController(),
        superseded: false,
        crashes: 0,
        resolve,
        reject,
      });
      if (this.running?.kind === 'export' && this.preemptExports) this.preempt(this.running);
      this.pump();
    });
  }

  private supersede(group: string): void {
    for (let i = this.previews.length - 1; i >= 0; i--) {
      const task = this.previews[i]!;
      if (task.request.group !== group) continue;
      this.previews.splice(i, 1);
      task.reject(new StudioError('superseded', 'a newer preview replaced this one'));
    }
    const running = this.running;
    if (running?.kind === 'preview' && running.task.request.group === group) {
      running.task.superseded = true;
      running.task.controller.abort();
    }
  }

  private preempt(running: RunningShot): void {
    if (running.preempted) return;
    this.log.info(`pausing export ${running.job.id} (${running.shot.spec.name}) for a preview`);
    running.preempted = true;
    running.controller.abort();
  }

  // -------------------------------------------------------------------------
  // Exports

  /** Queue an export; returns its job id. */
  enqueueExport(request: ExportRequest): string {
    if (request.shots.length === 0) throw new StudioError('invalid-request', 'an export needs at least one shot');
    const job: ExportJob = {
      id: `job-${this.nextJob++}`,
      status: 'queued',
      skipExisting: request.skipExisting,
      shots: request.shots.map((spec) => ({
        spec,
        status: 'pending',
        reports: new Map(),
        currentFrame: null,
        engineEta: null,
        started: false,
        crashesWithoutProgress: 0,
        parallel: {},
      })),
      createdAt: this.now(),
      startedAt: null,
      finishedAt: null,
      restarts: 0,
      cancelRequested: false,
    };
    this.jobs.push(job);
    this.notify(job, true);
    this.pump();
    return job.id;
  }

  cancel(jobId: string): void {
    const job = this.requireJob(jobId);
    if (job.status === 'completed' || job.status === 'cancelled' || job.status === 'failed') return;
    job.cancelRequested = true;
    for (const shot of job.shots) if (shot.status === 'pending') shot.status = 'cancelled';
    const running = this.running;
    if (running?.kind === 'export' && running.job === job) {
      running.controller.abort();
    } else {
      this.finishJob(job, 'cancelled');
    }
    this.notify(job, true);
  }

  /** Continue a cancelled or failed job, or retry the failed frames of a completed one. */
  resume(jobId: string): void {
    const job = this.requireJob(jobId);
    if (job.status === 'queued' || job.status === 'running' || job.status === 'paused') return;
    job.cancelRequested = false;
    job.finishedAt = null;
    job.message = undefined;
    for (const shot of job.shots) {
      // failed frames get another go; finished ones are kept
      for (const [frame, report] of shot.reports) if (report.status === 'failed') shot.reports.delete(frame);
      shot.crashesWithoutProgress = 0;
      shot.error = undefined;
      if (shot.reports.size < shot.spec.frames.length) shot.status = 'pending';
    }
    job.status = 'queued';
    this.notify(job, true);
    this.pump();
  }

  snapshots(): JobSnapshot[] {
    return this.jobs.map((job) => this.snapshot(job));
  }

  dispose(): void {
    this.disposed = true;
    this.unsubscribeExit();
    for (const timer of this.notifyTimers.values()) clearTimeout(timer);
    for (const task of this.previews.splice(0))
      task.reject(new StudioError('cancelled', 'the studio is shutting down'));
    const running = this.running;
    if (running?.kind === 'preview') running.task.controller.abort();
    if (running?.kind === 'export') running.controller.abort();
    this.parallel?.release();
  }

  // -------------------------------------------------------------------------
  // Scheduling

  private pump(): void {
    if (this.running || this.restarting || this.disposed) return;
    const preview = this.previews.shift();
    if (preview) {
      this.running = { kind: 'preview', task: preview };
      void this.runPreview(preview).finally(() => this.next());
      return;
    }
    for (const job of this.jobs) {
      if (job.status !== 'queued' && job.status !== 'running' && job.status !== 'paused') continue;
      const shot = job.shots.find((s) => s.status === 'pending' || s.status === 'running');
      if (!shot) {
        this.finishJob(job);
        continue;
      }
      const running: RunningShot = { kind: 'export', job, shot, controller: new AbortController(), preempted: false };
      this.running = running;
      void this.runShot(running).finally(() => this.next());
      return;
    }
  }

  private next(): void {
    this.running = undefined;
    this.pump();
  }

  private async runPreview(task: PreviewTask): Promise<void> {
    const { file, frame, settings, onStage } = task.request;
    const { signal } = task.controller;
    // a superseded preview's late pictures must not replace the newer one's
    const stage =
      onStage &&
      ((s: PreviewStageMessage) => {
        if (!task.superseded && !signal.aborted) onStage(s);
      });
    try {
      task.resolve(await this.engine.preview(file, frame, settings, signal, stage));
    } catch (err) {
      if (task.superseded) {
        task.reject(new StudioError('superseded', 'a newer preview replaced this one'));
      } else if (err instanceof StudioError && err.code === 'engine-crashed' && task.crashes < 1 && !this.disposed) {
        // one retry on a fresh engine; a frame that kills the engine twice is reported
        task.crashes++;
        this.previews.unshift(task);
        await this.restartEngine(err.message);
      } else {
        task.reject(err instanceof Error ? err : new Error(String(err)));
      }
    }
  }

  /** The shot's frames that still need the engine. */
  private remainingFrames(shot: ShotState): number[] {
    return shot.spec.frames.filter((f) => !shot.reports.has(f));
  }

  private async runShot(running: RunningShot): Promise<void> {
    const { job, shot, controller } = running;
    const remaining = this.remainingFrames(shot);
    if (remaining.length === 0) {
      shot.status = 'done';
      this.notify(job, true);
      return;
    }
    if (job.status !== 'running') {
      job.status = 'running';
      job.startedAt ??= this.now();
    }
    shot.status = 'running';
    this.notify(job, true);

    const request: ShotJobMessage & { shotFrames: string } = {
      input: shot.spec.input,
      frames: formatFrameRange(remaining),
      // the whole shot, so frames after a pre-emption, cancel or crash are pre-rolled as if never interrupted
      shotFrames: formatFrameRange(shot.spec.frames),
      out: shot.spec.out,
      settings: shot.sourceAge ? { ...shot.spec.settings, sourceAge: shot.sourceAge } : shot.spec.settings,
      resume: shot.started || job.skipExisting,
      ...(shot.spec.bitDepth === 'source' ? {} : { bitDepth: shot.spec.bitDepth }),
      ...(shot.spec.matte ? { matte: shot.spec.matte } : {}),
      ...(shot.spec.delta ? { delta: shot.spec.delta } : {}),
    };
    shot.started = true;
    const finishedBefore = shot.reports.size;
    shot.workers ??= this.parallel ? Math.max(1, this.exportWorkers(remaining.length)) : 1;
    try {
      if (shot.workers > 1) await this.runOnWorkers(job, shot, request, remaining, controller.signal);
      else await this.runOnEngine(job, shot, request, controller.signal);
    } catch (err) {
      if (controller.signal.aborted) {
        // handled below: a cancel or a pre-emption
      } else if (err instanceof StudioError && err.code === 'engine-crashed' && !this.disposed) {
        await this.recoverFromCrash(job, shot, finishedBefore, err.message);
      } else {
        shot.status = 'failed';
        shot.error = err instanceof Error ? err.message : String(err);
        this.log.error(`export ${job.id}, shot ${shot.spec.name}: ${shot.error}`);
      }
    } finally {
      shot.currentFrame = null;
      shot.engineEta = null;
    }
    if (controller.signal.aborted) {
      if (job.cancelRequested) {
        shot.status = 'cancelled';
        this.finishJob(job, 'cancelled');
      } else if (running.preempted) {
        shot.status = 'pending';
        job.status = 'paused';
      }
    }
    this.notify(job, true);
  }

  /** The shot's frames on the queue's engine, in one run. */
  private async runOnEngine(
    job: ExportJob,
    shot: ShotState,
    request: ShotJobMessage,
    signal: AbortSignal,
  ): Promise<void> {
    const summary = await this.engine.ageShot(request, {
      signal,
      onFrame: (report) => this.recordFrame(job, shot, report),
      onProgress: (progress) => {
        shot.currentFrame = progress.frame;
        shot.engineEta = progress.etaSeconds;
        this.notify(job);
      },
    });
    shot.sourceAge ??= summary.sourceAge;
    // reports the engine summarised but never streamed (it may batch) still count
    for (const failure of summary.failures) if (!shot.reports.has(failure.frame)) this.recordFrame(job, shot, failure);
    if (!signal.aborted) this.settleShot(shot);
  }

  /** The shot's parts on several engines at once (parallel-export.ts); a part's crash is recovered there. */
  private async runOnWorkers(
    job: ExportJob,
    shot: ShotState,
    request: ShotJobMessage & { shotFrames: string },
    remaining: readonly number[],
    signal: AbortSignal,
  ): Promise<void> {
    const outcome = await this.parallel!.run({
      name: `export ${job.id}, shot ${shot.spec.name}`,
      request,
      remaining,
      workers: shot.workers!,
      state: shot.parallel,
      signal,
      finished: (frame) => shot.reports.has(frame),
      onFrame: (report) => this.recordFrame(job, shot, report),
      onProgress: (frame, eta) => {
        shot.currentFrame = frame;
        shot.engineEta = eta;
        this.notify(job);
      },
      onRestart: (reason) => {
        job.restarts++;
        job.message = `engine restarted after a crash (${reason}); continuing`;
        this.notify(job, true);
      },
    });
    const pinned = shot.parallel.shared?.settings.sourceAge;
    if (pinned && pinned !== 'auto') shot.sourceAge ??= pinned;
    if (signal.aborted) return;
    if (outcome.error === undefined) {
      this.settleShot(shot);
    } else {
      shot.status = 'failed';
      shot.error = outcome.error;
      this.log.error(`export ${job.id}, shot ${shot.spec.name}: ${shot.error}`);
    }
  }

  private settleShot(shot: ShotState): void {
    // an engine that returns without reporting every frame has failed the rest
    const unreported = this.remainingFrames(shot);
    for (const frame of unreported) {
      shot.reports.set(frame, {
        frame,
        file: '',
        status: 'failed',
        faceFound: false,
        seconds: 0,
        error: 'the engine finished without reporting this frame',
      });
    }
    shot.status = 'done';
  }

  private async recoverFromCrash(
    job: ExportJob,
    shot: ShotState,
    finishedBefore: number,
    reason: string,
  ): Promise<void> {
    const progressed = shot.reports.size > finishedBefore;
    shot.crashesWithoutProgress = progressed ? 1 : shot.crashesWithoutProgress + 1;
    job.restarts++;
    if (shot.crashesWithoutProgress >= this.maxCrashes) {
      const frame = this.remainingFrames(shot)[0];
      shot.status = 'failed';
      shot.error = `the engine crashed ${shot.crashesWithoutProgress} times in a row${frame === undefined ? '' : ` at frame ${frame}`}: ${reason}`;
      this.log.error(`export ${job.id}, shot ${shot.spec.name}: ${shot.error}`);
    } else {
      shot.status = 'pending';
      job.status = 'paused';
      job.message = `engine restarted after a crash (${reason}); continuing`;
    }
    this.notify(job, true);
    await this.restartEngine(reason);
  }

  private recordFrame(job: ExportJob, shot: ShotState, report: FrameReportMessage): void {
    const before = shot.reports.get(report.frame);
    // a frame this job rendered before a crash comes back as 'skipped' on resume: it stays 'done'
    if (before?.status === 'done' && report.status === 'skipped') return;
    shot.sourceAge ??= report.sourceAge;
    shot.reports.set(report.frame, report);
    this.notify(job);
  }

  private finishJob(job: ExportJob, forced?: JobStatus): void {
    if (forced) {
      job.status = forced;
    } else {
      const failedShot = job.shots.find((s) => s.status === 'failed');
      job.status = failedShot ? 'failed' : 'completed';
      if (failedShot) job.message = `${failedShot.spec.name}: ${failedShot.error ?? 'failed'}`;
    }
    job.finishedAt = this.now();
    this.notify(job, true);
    // the extra engines hold a model each: kept while an export may still run, not after
    if (!this.jobs.some((j) => j.status === 'queued' || j.status === 'running' || j.status === 'paused'))
      this.parallel?.release();
  }

  private requireJob(jobId: string): ExportJob {
    const job = this.jobs.find((j) => j.id === jobId);
    if (!job) throw new StudioError('not-found', `no export job ${jobId}`);
    return job;
  }

  /** Restart the engine once, however many tasks noticed its death. */
  private restartEngine(reason: string): Promise<void> {
    this.restarting ??= this.engine
      .restart(reason)
      .then(
        () => undefined,
        (err: unknown) => this.log.error(`the engine could not be restarted: ${(err as Error).message}`),
      )
      .finally(() => {
        this.restarting = undefined;
        // tasks held back while restarting run now (a failed restart fails them with its reason)
        queueMicrotask(() => this.pump());
      });
    return this.restarting;
  }

  // -------------------------------------------------------------------------
  // Snapshots

  /** Mean engine seconds per rendered frame over the whole job: the basis of its ETA. */
  private secondsPerFrame(job: ExportJob): number | null {
    let total = 0;
    let count = 0;
    for (const shot of job.shots) {
      for (const report of shot.reports.values()) {
        if (report.status === 'done' || report.status === 'no-face') {
          total += report.seconds;
          count++;
        }
      }
    }
    return count > 0 ? total / count : null;
  }

  private snapshot(job: ExportJob): JobSnapshot {
    const perFrame = this.secondsPerFrame(job);
    const active = job.status === 'running' || job.status === 'queued' || job.status === 'paused';
    let jobEta: number | null = active ? 0 : null;
    const shots = job.shots.map((shot): JobShotSnapshot => {
      const counts = { done: 0, skipped: 0, noFace: 0, failed: 0 };
      const failures: FrameFailure[] = [];
      for (const report of shot.reports.values()) {
        if (report.status === 'done') counts.done++;
        else if (report.status === 'skipped') counts.skipped++;
        else if (report.status === 'no-face') counts.noFace++;
        else {
          counts.failed++;
          failures.push({ frame: report.frame, file: report.file, error: report.error ?? 'failed' });
        }
      }
      const left = shot.spec.frames.length - shot.reports.size;
      const shotActive = active && (shot.status === 'pending' || shot.status === 'running');
      // parts run side by side: the shot takes as long as its busiest part
      const { parts } = shot.parallel;
      const inTurn = parts ? framesLeftInParts(parts, (f) => shot.reports.has(f)) : left;
      let eta: number | null = null;
      if (shotActive) eta = perFrame !== null ? inTurn * perFrame : shot.status === 'running' ? shot.engineEta : null;
      if (jobEta !== null) jobEta = shotActive ? (eta === null ? null : jobEta + eta) : jobEta;
      return {
        shotId: shot.spec.shotId,
        name: shot.spec.name,
        out: shot.spec.out,
        status: shot.status,
        total: shot.spec.frames.length,
        ...counts,
        currentFrame: shot.currentFrame,
        completed: formatFrameRange(shot.reports.keys()),
        etaSeconds: eta,
        ...(shot.sourceAge ? { sourceAge: shot.sourceAge } : {}),
        failures: failures.sort((a, b) => a.frame - b.frame),
        ...(shot.error ? { error: shot.error } : {}),
      };
    });
    return {
      id: job.id,
      kind: 'export',
      status: job.status,
      createdAt: job.createdAt,
      startedAt: job.startedAt,
      finishedAt: job.finishedAt,
      etaSeconds: jobEta,
      restarts: job.restarts,
      ...(job.message ? { message: job.message } : {}),
      shots,
    };
  }

  /** Tell listeners about a job; frame-by-frame updates are throttled, status changes are not. */
  private notify(job: ExportJob, immediate = false): void {
    if (this.jobListeners.size === 0) return;
    const last = this.lastNotified.get(job.id) ?? 0;
    const wait = last + this.notifyIntervalMs - this.now();
    if (!immediate && wait > 0) {
      if (!this.notifyTimers.has(job.id)) {
        this.notifyTimers.set(
          job.id,
          setTimeout(() => {
            this.notifyTimers.delete(job.id);
            this.notify(job, true);
          }, wait),
        );
      }
      return;
    }
    const timer = this.notifyTimers.get(job.id);
    if (timer) {
      clearTimeout(timer);
      this.notifyTimers.delete(job.id);
    }
    this.lastNotified.set(job.id, this.now());
    const snapshot = this.snapshot(job);
    for (const listener of this.jobListeners) listener(snapshot);
  }
}
