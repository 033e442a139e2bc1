/**
 * Everything behind the studio protocol, shared by the Electron main process and
 * the browser host: validates each request as it arrives, dispatches it to the
 * engine, job queue, project store or file access, and turns every outcome into a
 * plain reply. Events (engine status, job progress) go to whoever subscribes.
 */
import { dirname, join, resolve as resolvePath } from 'node:path';
import {
  parseStudioRequest,
  type AgeSettingsMessage,
  type EngineStatus,
  type PickPurpose,
  type StudioEvent,
  type StudioMethod,
  type StudioParams,
  type StudioReply,
  type StudioResult,
} from '../../shared/ipc.js';
import { AllowedRoots, realPathOrAncestor } from './allowed-roots.js';
import { EngineClient } from './engine-client.js';
import { StudioError, toErrorInfo } from './errors.js';
import { FileAccess } from './file-access.js';
import { browseFolder } from './file-browser.js';
import { JobQueue, type JobQueueOptions } from './job-queue.js';
import { silentLogger, type Logger } from './log.js';
import { exportWorkers } from './parallel-export.js';
import { PreviewDiskCache, type PreviewCacheKey } from './preview-cache.js';
import { ProjectStore, clipFolders } from './project-store.js';
import type { WorkerLauncher } from './worker-transport.js';
import { readPlateInfo } from '../node/plate-info.js';
import type { Project } from '../../shared/project.js';

/** A native file dialog; null where there is none (the browser host) or when cancelled. */
export type PathPicker = (purpose: PickPurpose, defaultPath?: string) => Promise<string | null>;

export interface StudioBackendOptions {
  launchWorker: WorkerLauncher;
  /** recent projects, untitled autosaves; always one of the allowed roots */
  dataDir: string;
  /** the folders requests may name (the data folder is added); none but the data folder when absent */
  roots?: AllowedRoots;
  pick?: PathPicker;
  queue?: JobQueueOptions;
  /**
   * engine workers one shot's export runs on (parallel-export.ts): a count, or 'auto'
   * for one per core as free memory allows, on shots long enough to share; absent,
   * the REAGE_EXPORT_WORKERS environment variable says, else 'auto'
   */
  exportWorkers?: number | 'auto';
  log?: Logger;
}

type Handlers = { [M in StudioMethod]: (params: StudioParams<M>) => Promise<StudioResult<M>> };

/** What an export may write: the image formats the engine encodes, never another kind of file. */
const OUTPUT_EXTENSION = /\.(png|tiff?|jpe?g|exr|dpx)$/i;
/** Compositing passes are float data: OpenEXR (or a 16-bit PNG / TIFF matte). */
const PASS_EXTENSION = /\.(exr|png|tiff?)$/i;

export class StudioBackend {
  readonly engine: EngineClient;
  readonly queue: JobQueue;
  readonly store: ProjectStore;
  readonly files: FileAccess;
  /** every path a request names is checked against these */
  readonly roots: AllowedRoots;
  /** project files the user chose in a native dialog: opening one grants the folders it references */
  private readonly chosenProjects = new Set<string>();
  private readonly pick: PathPicker | undefined;
  private readonly dataDir: string;
  /** previews kept across reloads, in the data folder */
  private readonly previews: PreviewDiskCache;
  private readonly log: Logger;
  private readonly listeners = new Set<(event: StudioEvent) => void>();
  private readonly handlers: Handlers;

  constructor(options: StudioBackendOptions) {
    this.log = options.log ?? silentLogger;
    this.engine = new EngineClient({ launch: options.launchWorker, log: this.log });
    // the other parts of a shot's export run on engines from the same launcher, so on the same model
    this.queue = new JobQueue(this.engine, {
      log: this.log,
      exportWorkers: exportWorkers(options.exportWorkers ?? process.env.REAGE_EXPORT_WORKERS, this.log),
      launchEngine: () => new EngineClient({ launch: options.launchWorker, log: this.log }),
      ...options.queue,
    });
    this.roots = options.roots ?? new AllowedRoots();
    this.roots.include(options.dataDir);
    this.dataDir = resolvePath(options.dataDir);
    this.previews = new PreviewDiskCache(join(this.dataDir, 'preview-cache'));
    this.store = new ProjectStore({ dataDir: options.dataDir, mayRead: (folder) => this.roots.allows(folder) });
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

  /** A native dialog's answer is the user's own act: its folder becomes a root. */
  private async picked(purpose: PickPurpose, path: string): Promise<void> {
    const isFile = purpose === 'openProject' || purpose === 'saveProject';
    await this.roots.add(isFile ? dirname(path) : path, { remember: true });
    if (purpose === 'openProject') this.chosenProjects.add(resolvePath(path));
  }

  /** The roots for the file browser: the ones given first, in their order, the data folder last. */
  private async browserRoots(): Promise<string[]> {
    const [all, data] = await Promise.all([this.roots.inOrder(), realPathOrAncestor(this.dataDir)]);
    return [...all.filter((r) => r !== data), ...(all.includes(data) ? [data] : [])];
  }

  /** A folder for the in-app file browser, checked as every read is; absent, the first root that can be listed. */
  /** The disk cache's key for a preview with the model now loaded; none while the engine has not said which. */
  private previewCacheKey(file: string, frame: number, settings: AgeSettingsMessage): PreviewCacheKey | undefined {
    const model = this.engine.status().info?.model.manifestSha256;
    return model ? { file: resolvePath(file), frame, settings, model } : undefined;
  }

  private async listFiles(dir: string | undefined): Promise<StudioResult<'files.list'>> {
    const roots = await this.browserRoots();
    const list = async (folder: string) => {
      const real = await this.roots.check(folder, 'folder');
      const listing = await browseFolder(real, { allows: (p) => this.roots.allows(p) });
      const up = dirname(real);
      const parent = up !== real && (await this.roots.allows(up)) ? up : null;
      return { dir: real, parent, roots, entries: listing.entries, ...(listing.truncated ? { truncated: true } : {}) };
    };
    if (dir !== undefined) return list(dir);
    let failure: unknown = new StudioError('not-found', 'this studio has no folders it may use');
    for (const root of roots) {
      try {
        return await list(root);
      } catch (err) {
        failure = err; // a root not made yet (the data folder before its first write): try the next
      }
    }
    throw failure;
  }

  private createHandlers(): Handlers {
    const roots = this.roots;
    return {
      'engine.status': async () => this.engine.status(),
      'preview.cached': async ({ file, frame, settings }) => {
        await roots.check(file, 'frame');
        const key = this.previewCacheKey(file, frame, settings);
        return { result: (key && (await this.previews.get(key))) ?? null };
      },
      'preview.render': async ({ file, frame, settings, group, previewId }) => {
        await roots.check(file, 'frame');
        const key = this.previewCacheKey(file, frame, settings);
        const cached = key && (await this.previews.get(key));
        if (cached) return cached;
        const result = await this.queue.preview({
          file,
          frame,
          settings,
          ...(group ? { group } : {}),
          ...(previewId ? { onStage: (stage) => this.emit({ type: 'preview', previewId, stage }) } : {}),
        });
        // a cache that cannot be written costs the next reload a render, not this preview
        if (key)
          await this.previews.put(key, result).catch((err: unknown) => this.log.warn(`preview cache: ${String(err)}`));
        return result;
      },
      'fs.listFolder': async ({ path }) => {
        await roots.check(path, 'folder');
        return this.files.listFolder(path);
      },
      'fs.readImage': async ({ path }) => {
        await roots.check(path, 'image');
        return this.files.readImage(path);
      },
      'fs.roots': async () => ({ roots: await roots.list() }),
      'plate.info': async ({ path }) => {
        await roots.check(path, 'image');
        return readPlateInfo(path);
      },
      'files.list': async ({ dir }) => this.listFiles(dir),
      'dialog.pick': async ({ purpose, defaultPath }) => {
        if (!this.pick) return { path: null, native: false };
        const path = await this.pick(purpose, defaultPath);
        if (path) await this.picked(purpose, path);
        return { path, native: true };
      },
      'project.open': async ({ path }) => {
        await roots.check(path, 'project file');
        // chosen in a native dialog: the folders the project uses are the user's too
        const grant = this.chosenProjects.has(resolvePath(path))
          ? async (project: Project) => {
              for (const folder of clipFolders(project)) await roots.add(folder, { remember: true });
            }
          : undefined;
        return this.store.open(path, grant ? { beforeMedia: grant } : {});
      },
      'project.save': async ({ path, project }) => {
        await roots.check(path, 'project file');
        return this.store.save(path, project);
      },
      'project.autosave': async ({ path, project }) => {
        if (path) await roots.check(path, 'project file');
        return this.store.autosave(path, project);
      },
      'project.recent': async () => ({ projects: await this.store.recent() }),
      'project.untitledAutosaves': async () => ({ autosaves: await this.store.untitledAutosaves() }),
      'project.reopenAutosave': async ({ path }) => this.store.reopenAutosave(path),
      'project.checkMedia': async ({ project, projectPath }) => {
        if (projectPath) await roots.check(projectPath, 'project file');
        return this.store.checkMedia(project, projectPath);
      },
      'project.relinkClip': async ({ clip, folder }) =>
        this.store.relinkClip(clip, await roots.check(folder, 'folder')),
      'export.start': async ({ shots, skipExisting }) => {
        for (const shot of shots) {
          if (!OUTPUT_EXTENSION.test(shot.out))
            throw new StudioError(
              'invalid-request',
              `the output ${shot.out} must end in .exr, .dpx, .png, .tif, .tiff, .jpg or .jpeg: that extension chooses the format`,
            );
          await roots.check(dirname(shot.input), 'plate folder');
          await roots.check(dirname(shot.out), 'output folder');
          for (const pass of [shot.matte, shot.delta]) {
            if (pass === undefined) continue;
            if (!PASS_EXTENSION.test(pass))
              throw new StudioError('invalid-request', `the pass ${pass} must end in .exr, .png or .tif`);
            await roots.check(dirname(pass), 'pass folder');
          }
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
