/**
 * Project files on disk: open (any known version, migrated), save atomically
 * (temp file + rename, so a crash never leaves half a project), autosave, the
 * recent-projects list, and finding each shot's frames again when they moved.
 */
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { z } from 'zod';
import type { MediaCheck, RecentProject, UntitledAutosave } from '../../shared/ipc.js';
import {
  PROJECT_EXTENSION,
  PROJECT_LIMITS,
  ProjectFileError,
  clipFrames,
  migrateProject,
  projectSchema,
  type Clip,
  type Project,
} from '../../shared/project.js';
import { formatFrame } from '../../shared/sequence.js';
import { writeFileAtomic } from '../node/atomic.js';
import { FileTooLargeError, NotAFileError, readTextWithin } from '../node/bounded-read.js';
import { StudioError } from './errors.js';

export interface ProjectStoreOptions {
  /** where the recent list and untitled autosaves live (the app's user-data folder) */
  dataDir: string;
  maxRecent?: number;
  now?: () => Date;
  /** whether the studio may look into a folder (AllowedRoots); folders it may not are reported missing */
  mayRead?: (folder: string) => Promise<boolean>;
}

export interface OpenOptions {
  /** runs on the parsed project before its media are looked for (granting its folders, say) */
  beforeMedia?: (project: Project) => Promise<void>;
}

/** Every folder a project reads or writes: its clips' plates and its export folder. */
export function clipFolders(project: Project): string[] {
  const folders = project.timeline.clips.map((c) => c.mediaReference.targetUrlBase);
  if (project.exportSettings.folder) folders.push(project.exportSettings.folder);
  return [...new Set(folders.filter((f) => isAbsolute(f)))];
}

export interface OpenedProject {
  path: string;
  project: Project;
  media: MediaCheck[];
  /** an autosave newer than the file: the studio offers to recover it */
  autosavePath?: string;
}

const recentFileSchema = z.array(z.object({ path: z.string(), name: z.string(), openedAt: z.string() }));

const AUTOSAVE_SUFFIX = '.autosave';

async function listNames(folder: string): Promise<Set<string> | null> {
  try {
    return new Set(await readdir(folder));
  } catch {
    return null;
  }
}

async function modifiedMs(path: string): Promise<number | null> {
  try {
    return (await stat(path)).mtimeMs;
  } catch {
    return null;
  }
}

/** A project file's text, refusing anything larger than PROJECT_LIMITS.fileBytes before reading it. */
async function readProjectText(file: string): Promise<string> {
  const limit = PROJECT_LIMITS.fileBytes;
  try {
    return await readTextWithin(file, limit);
  } catch (err) {
    if (err instanceof NotAFileError) throw new StudioError('invalid-request', `cannot open ${file}: it is not a file`);
    if (err instanceof FileTooLargeError) throw tooLarge(file, limit);
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'it does not exist'
        : code === 'EACCES' || code === 'EPERM'
          ? 'no permission to read it'
          : code === 'EISDIR'
            ? 'it is a folder'
            : (err as Error).message;
    throw new StudioError(code === 'ENOENT' ? 'not-found' : 'io', `cannot open ${file}: ${why}`);
  }
}

function tooLarge(file: string, limit: number): StudioError {
  return new StudioError(
    'invalid-request',
    `cannot open ${file}: it is larger than ${limit / 1024 / 1024} MB, too large for a ReAge Studio project`,
  );
}

/**
 * Where JSON.parse gave up, without its excerpt: V8 quotes the text around the
 * error, and the text may be a file that is not a project at all (an error must
 * never carry a file's contents back to whoever asked).
 */
function jsonErrorPlace(err: unknown): string {
  const place = /at position \d+(?: \(line \d+ column \d+\))?/.exec((err as Error).message ?? '');
  return place ? ` (${place[0]})` : '';
}

/** Frames of the clip that are not in `names` (the folder's listing). */
function framesMissingFrom(clip: Clip, names: Set<string>): number[] {
  return clipFrames(clip).filter((f) => !names.has(formatFrame(clip.mediaReference.namePattern, f)));
}

export class ProjectStore {
  private readonly dataDir: string;
  private readonly maxRecent: number;
  private readonly now: () => Date;
  private readonly mayRead: (folder: string) => Promise<boolean>;

  constructor(options: ProjectStoreOptions) {
    this.dataDir = options.dataDir;
    this.mayRead = options.mayRead ?? (async () => true);
    this.maxRecent = options.maxRecent ?? 12;
    this.now = options.now ?? (() => new Date());
  }

  async open(path: string, options: OpenOptions = {}): Promise<OpenedProject> {
    const file = resolve(path);
    const project = await this.read(file);
    await options.beforeMedia?.(project);
    const checked = await this.checkMedia(project, file);
    await this.remember(file, project.name);
    const autosave = file + AUTOSAVE_SUFFIX;
    const [fileTime, autosaveTime] = await Promise.all([modifiedMs(file), modifiedMs(autosave)]);
    const newerAutosave = autosaveTime !== null && fileTime !== null && autosaveTime > fileTime;
    return { path: file, ...checked, ...(newerAutosave ? { autosavePath: autosave } : {}) };
  }

  /** A project file parsed and migrated to the current version. */
  private async read(file: string): Promise<Project> {
    const text = await readProjectText(file);
    try {
      return migrateProject(JSON.parse(text));
    } catch (err) {
      const reason = err instanceof ProjectFileError ? err.message : `it is not valid JSON${jsonErrorPlace(err)}`;
      throw new StudioError('invalid-request', `cannot open ${basename(file)}: ${reason}`);
    }
  }

  /** Write the project atomically; records each clip's folder relative to the file so a moved project finds its media. */
  async save(path: string, project: Project): Promise<{ path: string; project: Project }> {
    const file = resolve(path.endsWith(PROJECT_EXTENSION) ? path : path + PROJECT_EXTENSION);
    const saved = this.stamp(project, dirname(file));
    await this.write(file, saved);
    await this.remember(file, saved.name);
    // saved under a name of its own: its untitled autosave is superseded, and no longer offered at start
    await rm(this.untitledAutosavePath(project.name), { force: true });
    return { path: file, project: saved };
  }

  /** A safety copy: `<project>.reage.autosave`, or one per untitled project name in the data folder. */
  async autosave(path: string | null, project: Project): Promise<{ path: string }> {
    const file = path ? resolve(path) + AUTOSAVE_SUFFIX : this.untitledAutosavePath(project.name);
    if (!path) await mkdir(dirname(file), { recursive: true });
    await this.write(file, this.stamp(project, dirname(path ? resolve(path) : file)));
    return { path: file };
  }

  /** Where an untitled project of this name is autosaved: one file per name in the data folder. */
  private untitledAutosavePath(name: string): string {
    return join(this.untitledAutosaveDir(), `${name.replace(/[^\w.-]+/g, '_') || 'untitled'}${PROJECT_EXTENSION}`);
  }

  private untitledAutosaveDir(): string {
    return resolve(this.dataDir, 'autosave');
  }

  /** The untitled autosaves a reload or a crash left, newest first; files that do not read as projects are left out. */
  async untitledAutosaves(): Promise<UntitledAutosave[]> {
    const dir = this.untitledAutosaveDir();
    const names = [...((await listNames(dir)) ?? [])].filter((n) => n.endsWith(PROJECT_EXTENSION));
    const found = await Promise.all(
      names.map(async (n): Promise<UntitledAutosave | null> => {
        const file = join(dir, n);
        try {
          const [project, modified] = await Promise.all([this.read(file), modifiedMs(file)]);
          return modified === null ? null : { path: file, name: project.name, modifiedMs: modified };
        } catch {
          return null;
        }
      }),
    );
    return found.filter((a): a is UntitledAutosave => a !== null).sort((a, b) => b.modifiedMs - a.modifiedMs);
  }

  /** Open an untitled autosave (only those in the data folder): it stays untitled and out of the recent list. */
  async reopenAutosave(path: string): Promise<{ project: Project; media: MediaCheck[] }> {
    const file = resolve(path);
    if (dirname(file) !== this.untitledAutosaveDir() || !file.endsWith(PROJECT_EXTENSION))
      throw new StudioError('forbidden', `${path} is not an untitled project's autosave`);
    return this.checkMedia(await this.read(file), file);
  }

  async recent(): Promise<RecentProject[]> {
    const entries = await this.readRecent();
    return Promise.all(entries.map(async (e) => ({ ...e, exists: (await modifiedMs(e.path)) !== null })));
  }

  /**
   * Look for every clip's frames. A folder that is gone (or holds none of the
   * frames) is searched for beside the project: at the saved relative path, then
   * under its own name. Clips found elsewhere are relinked in the returned project.
   */
  async checkMedia(project: Project, projectPath: string | null): Promise<{ project: Project; media: MediaCheck[] }> {
    const projectDir = projectPath ? dirname(resolve(projectPath)) : null;
    const clips: Clip[] = [];
    const media: MediaCheck[] = [];
    for (const clip of project.timeline.clips) {
      const { clip: checkedClip, check } = await this.locate(clip, projectDir);
      clips.push(checkedClip);
      media.push(check);
    }
    return { project: { ...project, timeline: { ...project.timeline, clips } }, media };
  }

  /** Point a clip at a folder the artist chose; the check says how many frames are there. */
  async relinkClip(clip: Clip, folder: string): Promise<{ clip: Clip; check: MediaCheck }> {
    if (!isAbsolute(folder)) throw new StudioError('invalid-request', `${folder} is not an absolute folder path`);
    const names = await this.fileNames(folder);
    if (!names) throw new StudioError('not-found', `cannot read the folder ${folder}`);
    const missing = framesMissingFrom(clip, names);
    if (missing.length === clipFrames(clip).length) {
      throw new StudioError(
        'not-found',
        `${folder} holds none of ${clip.name}'s frames (${clip.mediaReference.namePattern})`,
      );
    }
    const relinked: Clip = {
      ...clip,
      mediaReference: { ...clip.mediaReference, targetUrlBase: resolve(folder) },
    };
    return {
      clip: relinked,
      check: {
        clipId: clip.id,
        name: clip.name,
        state: missing.length ? 'partial' : 'relinked',
        folder: resolve(folder),
        movedFrom: clip.mediaReference.targetUrlBase,
        missingFrames: missing,
      },
    };
  }

  // -------------------------------------------------------------------------

  /** A folder's file names, or null when it cannot be read or lies outside what the studio may read. */
  private async fileNames(folder: string): Promise<Set<string> | null> {
    return (await this.mayRead(folder)) ? listNames(folder) : null;
  }

  private async locate(clip: Clip, projectDir: string | null): Promise<{ clip: Clip; check: MediaCheck }> {
    const ref = clip.mediaReference;
    const all = clipFrames(clip);
    const here = await this.fileNames(ref.targetUrlBase);
    const missingHere = here ? framesMissingFrom(clip, here) : all;
    const base = { clipId: clip.id, name: clip.name };
    if (missingHere.length < all.length || all.length === 0) {
      return {
        clip,
        check: {
          ...base,
          state: missingHere.length ? 'partial' : 'ok',
          folder: ref.targetUrlBase,
          missingFrames: missingHere,
        },
      };
    }
    const candidates = projectDir
      ? [ref.relativeUrlBase, basename(ref.targetUrlBase)]
          .filter((c): c is string => !!c)
          .map((c) => resolve(projectDir, c))
      : [];
    for (const folder of candidates) {
      if (folder === resolve(ref.targetUrlBase)) continue;
      const names = await this.fileNames(folder);
      if (!names) continue;
      const missing = framesMissingFrom(clip, names);
      if (missing.length === all.length) continue;
      return {
        clip: { ...clip, mediaReference: { ...ref, targetUrlBase: folder } },
        check: {
          ...base,
          state: missing.length ? 'partial' : 'relinked',
          folder,
          movedFrom: ref.targetUrlBase,
          missingFrames: missing,
        },
      };
    }
    return { clip, check: { ...base, state: 'missing', folder: ref.targetUrlBase, missingFrames: all } };
  }

  private stamp(project: Project, projectDir: string): Project {
    return projectSchema.parse({
      ...project,
      modifiedAt: this.now().toISOString(),
      timeline: {
        ...project.timeline,
        clips: project.timeline.clips.map((clip) => ({
          ...clip,
          mediaReference: {
            ...clip.mediaReference,
            relativeUrlBase: relative(projectDir, clip.mediaReference.targetUrlBase) || '.',
          },
        })),
      },
    });
  }

  private async write(file: string, project: Project): Promise<void> {
    try {
      await writeFileAtomic(file, JSON.stringify(project, null, 2) + '\n');
    } catch (err) {
      throw new StudioError('io', `cannot save ${file}: ${(err as Error).message}`);
    }
  }

  private get recentFile(): string {
    return join(this.dataDir, 'recent.json');
  }

  private async readRecent(): Promise<z.infer<typeof recentFileSchema>> {
    try {
      const parsed = recentFileSchema.safeParse(JSON.parse(await readFile(this.recentFile, 'utf8')));
      return parsed.success ? parsed.data : [];
    } catch {
      return []; // none yet, or unreadable: the list is a convenience, never a reason to fail
    }
  }

  private async remember(path: string, name: string): Promise<void> {
    const entries = (await this.readRecent()).filter((e) => e.path !== path);
    entries.unshift({ path, name, openedAt: this.now().toISOString() });
    try {
      await mkdir(this.dataDir, { recursive: true });
      await writeFileAtomic(this.recentFile, JSON.stringify(entries.slice(0, this.maxRecent), null, 2));
    } catch {
      // a read-only data folder costs the recent list, not the save
    }
  }
}
