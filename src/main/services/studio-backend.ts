/**
 * Everything behind the studio protocol, shared by the Electron main process and
 * the browser host: validates each request as it arrives, dispatches it to the
 * engine, job queue, project store or file access, and turns every outcome into a
 * plain reply. Events (engine status, job progress) go to whoever subscribes.
 */
import { isAbsolutePath } from '../../shared/project.js';
import {
  parseStudioRequest,
  type EngineStatus,
  type PickPurpose,
  type StudioEvent,
  type StudioMethod,
  type StudioParams,
  type StudioReply,
  type StudioResult,
} from '../../shared/ipc.js';
import { EngineClient } from './engine-client.js';
import { StudioError, toErrorInfo } from './errors.js';
import { FileAccess } from './file-access.js';
import { JobQueue, type JobQueueOptions } from './job-queue.js';
import { silentLogger, type Logger } from './log.js';
import { ProjectStore } from './project-store.js';
import type { WorkerLauncher } from './worker-transport.js';

/** A native file dialog; null where there is none (the browser host) or when cancelled. */
export type PathPicker = (purpose: PickPurpose, defaultPath?: string) => Promise<string | null>;

export interface StudioBackendOptions {
  launchWorker: WorkerLauncher;
  dataDir: string;
  pick?: PathPicker;
  queue?: JobQueueOptions;
  log?: Logger;
}

type Handlers = { [M in StudioMethod]: (params: StudioParams<M>) => Promise<StudioResult<M>> };

function requireAbsolute(path: string, what: string): void {
  if (!isAbsolutePath(path)) throw new StudioError('invalid-request', `the ${what} must be an absolute path: ${path}`);
}

export class StudioBackend {
  readonly engine: EngineClient;
  readonly queue: JobQueue;
  readonly store: ProjectStore;
  readonly files: FileAccess;
  private readonly pick: PathPicker | undefined;
  private readonly log: Logger;
  private readonly listeners = new Set<(event: StudioEvent) => void>();
  private readonly handlers: Handlers;

  constructor(options: StudioBackendOptions) {
    this.log = options.log ?? silentLogger;
    this.engine = new EngineClient({ launch: options.launchWorker, log: this.log });
    this.queue = new JobQueue(this.engine, { log: this.log, ...options.queue });
    this.store = new ProjectStore({ dataDir: options.dataDir });
    this.files = new FileAccess();
    this.pick = options.pick;
    this.engine.onStatus((status) => this.emit({ type: 'engine', status }));
    this.queue.onJob((job) => this.emit({ type: 'job', job }));
    this.handlers = this.createHandlers();
  }

  /** Start the engine process now, so the first preview does not wait for the model to load. */
  start(): void {
    this.engine.start().catch((err: unknown) => this.log.error(`the engine did not start: ${(err as Error).message}`));
  }

  onEvent(listener: (event: StudioEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Answer one request as it arrived (unvalidated); never throws. */
  async handle(raw: unknown): Promise<StudioReply> {
    const parsed = parseStudioRequest(raw);
    if (!parsed.ok) {
      this.log.warn(`rejected a studio request: ${parsed.error}`);
      return { ok: false, error: { code: 'invalid-request', message: parsed.error } };
    }
    const { method, params } = parsed.value;
    try {
      const handler = this.handlers[method] as (p: typeof params) => Promise<unknown>;
      return { ok: true, result: await handler(params) };
    } catch (err) {
      const error = toErrorInfo(err);
      if (error.code !== 'superseded' && error.code !== 'cancelled')
        this.log.warn(`${method} failed: ${error.message}`);
      return { ok: false, error };
    }
  }

  engineStatus(): EngineStatus {
    return this.engine.status();
  }

  dispose(): void {
    this.queue.dispose();
    this.engine.dispose();
    this.listeners.clear();
  }

  private emit(event: StudioEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  private createHandlers(): Handlers {
    return {
      'engine.status': async () => this.engine.status(),
      'preview.render': async ({ file, frame, settings, group }) => {
        requireAbsolute(file, 'frame');
        return this.queue.preview({ file, frame, settings, ...(group ? { group } : {}) });
      },
      'fs.listFolder': async ({ path }) => this.files.listFolder(path),
      'fs.readImage': async ({ path }) => this.files.readImage(path),
      'dialog.pick': async ({ purpose, defaultPath }) => {
        if (!this.pick) return { path: null, native: false };
        return { path: await this.pick(purpose, defaultPath), native: true };
      },
      'project.open': async ({ path }) => {
        requireAbsolute(path, 'project file');
        return this.store.open(path);
      },
      'project.save': async ({ path, project }) => {
        requireAbsolute(path, 'project file');
        return this.store.save(path, project);
      },
      'project.autosave': async ({ path, project }) => this.store.autosave(path, project),
      'project.recent': async () => ({ projects: await this.store.recent() }),
      'project.checkMedia': async ({ project, projectPath }) => this.store.checkMedia(project, projectPath),
      'project.relinkClip': async ({ clip, folder }) => this.store.relinkClip(clip, folder),
      'export.start': async ({ shots, skipExisting }) => {
        for (const shot of shots) {
          requireAbsolute(shot.input, 'plate pattern');
          requireAbsolute(shot.out, 'output pattern');
        }
        return { jobId: this.queue.enqueueExport({ shots, skipExisting }) };
      },
      'export.cancel': async ({ jobId }) => {
        this.queue.cancel(jobId);
        return {};
      },
      'export.resume': async ({ jobId }) => {
        this.queue.resume(jobId);
        return {};
      },
      'jobs.list': async () => ({ jobs: this.queue.snapshots() }),
    };
  }
}
