/**
 * The main side of the engine protocol: starts the engine worker through a
 * WorkerTransport, matches replies to requests, streams shot progress, turns
 * AbortSignals into cancel messages, and reports the worker's death so the job
 * queue can restart it. Messages from the worker are validated; anything that
 * does not fit the protocol is logged and dropped.
 */
import {
  parseWorkerMessage,
  type AgeSettingsMessage,
  type EngineInfoMessage,
  type EngineStatus,
  type PreviewResultMessage,
  type PreviewStageMessage,
  type ShotJobMessage,
  type ShotSummaryMessage,
  type ShotSurveyMessage,
  type WorkerMessage,
  type WorkerRequest,
} from '../../shared/ipc.js';
import type { RunHooks } from '../engine/api.js';
import { StudioError, fromErrorInfo } from './errors.js';
import { silentLogger, type Logger } from './log.js';
import type { WorkerExit, WorkerLauncher, WorkerTransport } from './worker-transport.js';

export interface EngineClientOptions {
  launch: WorkerLauncher;
  /** loading a model and initialising tfjs can take a while on a cold machine */
  startTimeoutMs?: number;
  log?: Logger;
}

/** What the job queue needs from an engine; EngineClient implements it, tests may fake it. */
export interface EngineService {
  /** with `onStage`, the pictures on the way to the result stream to it first (a progressive preview) */
  preview(
    file: string,
    frame: number,
    settings: AgeSettingsMessage,
    signal?: AbortSignal,
    onStage?: (stage: PreviewStageMessage) => void,
  ): Promise<PreviewResultMessage>;
  ageShot(job: ShotJobMessage, hooks?: RunHooks): Promise<ShotSummaryMessage>;
  /**
   * Follow the face through the job's frames and estimate the source age over them,
   * ageing nothing: what every part of a shot rendered on several engines must share
   * (progress streams to `hooks.onProgress`; no frame reports)
   */
  surveyShot(job: ShotJobMessage, hooks?: RunHooks): Promise<ShotSurveyMessage>;
  /** kill whatever runs and start a fresh worker */
  restart(reason: string): Promise<EngineInfoMessage>;
  status(): EngineStatus;
  onStatus(listener: (status: EngineStatus) => void): () => void;
  /** the worker process ended on its own (crash, kill, out of memory) */
  onExit(listener: (exit: WorkerExit) => void): () => void;
}

type ReplyOf<T extends WorkerRequest['type']> = T extends 'info'
  ? EngineInfoMessage
  : T extends 'preview'
    ? PreviewResultMessage
    : T extends 'ageShot'
      ? ShotSummaryMessage
      : T extends 'surveyShot'
        ? ShotSurveyMessage
        : never;

interface RequestHooks extends RunHooks {
  onStage?: (stage: PreviewStageMessage) => void;
}

interface PendingRequest {
  resolve(value: unknown): void;
  reject(error: Error): void;
  hooks?: RequestHooks;
}

function describeExit(exit: WorkerExit): string {
  if (exit.signal) return `the engine process was killed (${exit.signal})`;
  return `the engine process stopped (exit code ${exit.code ?? 'unknown'})`;
}

export class EngineClient implements EngineService {
  private readonly launch: WorkerLauncher;
  private readonly startTimeoutMs: number;
  private readonly log: Logger;
  private transport: WorkerTransport | undefined;
  private starting: Promise<EngineInfoMessage> | undefined;
  private readonly pending = new Map<string, PendingRequest>();
  private nextId = 1;
  private current: EngineStatus = { state: 'stopped', restarts: 0 };
  private readonly statusListeners = new Set<(status: EngineStatus) => void>();
  private readonly exitListeners = new Set<(exit: WorkerExit) => void>();
  private disposed = false;
  private generation = 0;

  constructor(options: EngineClientOptions) {
    this.launch = options.launch;
    this.startTimeoutMs = options.startTimeoutMs ?? 180_000;
    this.log = options.log ?? silentLogger;
  }

  status(): EngineStatus {
    return this.current;
  }

  onStatus(listener: (status: EngineStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  onExit(listener: (exit: WorkerExit) => void): () => void {
    this.exitListeners.add(listener);
    return () => this.exitListeners.delete(listener);
  }

  /** The worker's process id (tests kill it to simulate a crash). */
  get pid(): number | undefined {
    return this.transport?.pid;
  }

  /** Start the worker (once); resolves with the engine's info when it is ready. */
  start(): Promise<EngineInfoMessage> {
    if (this.disposed) return Promise.reject(new StudioError('engine-unavailable', 'the engine was shut down'));
    if (this.starting) return this.starting;
    if (this.current.state === 'ready' && this.current.info) return Promise.resolve(this.current.info);
    this.setStatus({ state: this.current.restarts > 0 ? 'restarting' : 'starting', restarts: this.current.restarts });
    this.starting = this.spawn().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  async restart(reason: string): Promise<EngineInfoMessage> {
    this.log.warn(`restarting the engine: ${reason}`);
    this.stopTransport(new StudioError('engine-crashed', `the engine restarted: ${reason}`));
    this.generation++; // orphan a start still in progress
    this.starting = undefined;
    this.current = { ...this.current, state: 'restarting', restarts: this.current.restarts + 1, message: reason };
    return this.start();
  }

  async info(): Promise<EngineInfoMessage> {
    return this.request({ type: 'info', id: this.newId() });
  }

  preview(
    file: string,
    frame: number,
    settings: AgeSettingsMessage,
    signal?: AbortSignal,
    onStage?: (stage: PreviewStageMessage) => void,
  ): Promise<PreviewResultMessage> {
    return this.request(
      { type: 'preview', id: this.newId(), file, frame, settings, ...(onStage ? { stages: true } : {}) },
      { ...(signal ? { signal } : {}), ...(onStage ? { onStage } : {}) },
    );
  }

  ageShot(job: ShotJobMessage, hooks?: RunHooks): Promise<ShotSummaryMessage> {
    return this.request({ type: 'ageShot', id: this.newId(), job }, hooks);
  }

  surveyShot(job: ShotJobMessage, hooks?: RunHooks): Promise<ShotSurveyMessage> {
    return this.request({ type: 'surveyShot', id: this.newId(), job }, hooks);
  }

  dispose(): void {
    this.disposed = true;
    this.stopTransport(new StudioError('engine-unavailable', 'the engine was shut down'));
    this.setStatus({ state: 'stopped', restarts: this.current.restarts });
  }

  // -------------------------------------------------------------------------

  private newId(): string {
    return `r${this.nextId++}`;
  }

  private setStatus(status: EngineStatus): void {
    this.current = status;
    for (const listener of this.statusListeners) listener(status);
  }

  private spawn(): Promise<EngineInfoMessage> {
    const generation = ++this.generation;
    // a spawn that a restart has replaced must not touch the status any more
    const isCurrent = () => generation === this.generation && !this.disposed;
    return new Promise<EngineInfoMessage>((resolve, reject) => {
      let transport: WorkerTransport;
      try {
        transport = this.launch();
      } catch (err) {
        const message = `cannot start the engine process: ${(err as Error).message}`;
        this.setStatus({ state: 'failed', message, restarts: this.current.restarts });
        reject(new StudioError('engine-unavailable', message));
        return;
      }
      this.transport = transport;
      let settled = false;
      /** whether this worker said 'ready': only then is its exit a crash worth a restart */
      let ready = false;
      const timer = setTimeout(() => {
        fail(`the engine did not start within ${Math.round(this.startTimeoutMs / 1000)} s`);
        transport.kill();
      }, this.startTimeoutMs);
      const fail = (message: string) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (isCurrent()) this.setStatus({ state: 'failed', message, restarts: this.current.restarts });
        reject(new StudioError('engine-unavailable', message));
      };
      transport.onMessage((raw) => {
        if (this.transport !== transport) return; // a message from a worker we already replaced
        const parsed = parseWorkerMessage(raw);
        if (!parsed.ok) {
          this.log.warn(`rejected a message from the engine worker: ${parsed.error}`);
          return;
        }
        const message = parsed.value;
        if (message.type === 'ready') {
          if (settled) return;
          settled = true;
          ready = true;
          clearTimeout(timer);
          if (isCurrent()) this.setStatus({ state: 'ready', info: message.info, restarts: this.current.restarts });
          resolve(message.info);
        } else if (message.type === 'startFailed') {
          // settles with the worker's reason now, rather than "exit code 1" when it exits next
          fail(message.error.message);
        } else {
          this.dispatch(message);
        }
      });
      transport.onExit((exit) => {
        const wasCurrent = this.transport === transport;
        if (wasCurrent) this.transport = undefined;
        const reason = describeExit(exit);
        if (!ready) {
          // a worker that never started (it said why, or timed out) exits as it should: the
          // failure is already reported, and restarting it would only fail again, in a loop
          fail(reason);
          return;
        }
        if (!wasCurrent) return; // replaced by a restart, which already rejected its requests
        this.log.error(reason);
        this.rejectAll(new StudioError('engine-crashed', reason));
        if (!this.disposed) {
          this.setStatus({ state: 'failed', message: reason, restarts: this.current.restarts });
          for (const listener of this.exitListeners) listener(exit);
        }
      });
    });
  }

  private dispatch(message: Exclude<WorkerMessage, { type: 'ready' | 'startFailed' }>): void {
    const pending = this.pending.get(message.id);
    if (!pending) {
      // replies to requests that were cancelled while in flight still arrive; nothing waits for them
      return;
    }
    switch (message.type) {
      case 'progress':
        pending.hooks?.onProgress?.(message.progress);
        return;
      case 'frame':
        pending.hooks?.onFrame?.(message.report);
        return;
      case 'previewStage':
        // a cancelled request's late pictures are dropped with it
        if (!pending.hooks?.signal?.aborted) pending.hooks?.onStage?.(message.stage);
        return;
      case 'error':
        this.pending.delete(message.id);
        pending.reject(fromErrorInfo(message.error));
        return;
      case 'infoResult':
        this.pending.delete(message.id);
        pending.resolve(message.info);
        return;
      case 'previewResult':
        this.pending.delete(message.id);
        pending.resolve(message.result);
        return;
      case 'ageShotResult':
        this.pending.delete(message.id);
        pending.resolve(message.summary);
        return;
      case 'surveyShotResult':
        this.pending.delete(message.id);
        pending.resolve(message.survey);
        return;
    }
  }

  private async request<R extends Exclude<WorkerRequest, { type: 'cancel' }>>(
    request: R,
    hooks?: RequestHooks,
  ): Promise<ReplyOf<R['type']>> {
    await this.start();
    const signal = hooks?.signal;
    if (signal?.aborted) throw new StudioError('cancelled', 'cancelled');
    const transport = this.transport;
    if (!transport) throw new StudioError('engine-crashed', 'the engine process is not running');
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        // the worker answers the cancelled request with a 'cancelled' error, which settles it
        try {
          transport.send({ type: 'cancel', id: request.id });
        } catch {
          // the worker is gone; its exit rejects the request
        }
      };
      const cleanup = () => signal?.removeEventListener('abort', onAbort);
      this.pending.set(request.id, {
        resolve: (value) => {
          cleanup();
          resolve(value as ReplyOf<R['type']>);
        },
        reject: (error) => {
          cleanup();
          reject(error);
        },
        hooks,
      });
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        transport.send(request);
      } catch (err) {
        this.pending.delete(request.id);
        cleanup();
        reject(new StudioError('engine-crashed', (err as Error).message));
      }
    });
  }

  private rejectAll(error: Error): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const pending of all) pending.reject(error);
  }

  private stopTransport(error: Error): void {
    const transport = this.transport;
    this.transport = undefined;
    this.rejectAll(error);
    transport?.kill();
  }
}
