/**
 * The studio's commands (menus, shortcuts, toolbar buttons all run these) and the
 * flows behind them that talk to the backend: open, save, import, relink, export.
 */
import type { MediaCheck, MenuCommand } from '../../shared/ipc.js';
import {
  PROJECT_EXTENSION,
  baseName,
  clipFromSequence,
  clipInputPattern,
  dirName,
  emptyProject,
  joinPath,
  type Clip,
  type Project,
} from '../../shared/project.js';
import {
  PLATE_FILE,
  describeGaps,
  detectSequences,
  formatFrame,
  isPattern,
  type NumberedSequence,
} from '../../shared/sequence.js';
import { formatRate } from '../../shared/timecode.js';
import type { SliceCreator, StudioState } from './types.js';

export interface DroppedItems {
  /** absolute paths (Electron reveals them) */
  paths: string[];
  /** file names only (what a browser reveals) */
  names: string[];
  /** names of dropped folders whose paths were not revealed (a browser) */
  folders?: string[];
}

/**
 * A picked import path as folder and sequence: the file browser may return a
 * sequence's pattern (/plates/akiyo/akiyo.####.png), meaning its folder with it chosen.
 */
export function splitPickedSequence(path: string): { folder: string; pattern?: string } {
  const name = baseName(path);
  return name && isPattern(name) && dirName(path) ? { folder: dirName(path), pattern: name } : { folder: path };
}

/** Why the file browser opens after a browser drop, in its own words. */
export function dropNote(items: DroppedItems): string {
  const folders = items.folders ?? [];
  const what =
    folders.length === 1
      ? `the folder “${folders[0]}”`
      : folders.length > 1
        ? `${folders.length} folders`
        : `${items.names.length === 1 ? 'that file' : 'those files'}`;
  return (
    `You dropped ${what}, but a web page is never told where dropped files and folders are on disk, ` +
    'so the studio cannot open them from the drop. Find ' +
    (folders.length === 1 ? 'it' : 'the folder') +
    ' here instead.'
  );
}

export interface CommandSlice {
  run(command: MenuCommand): void;
  newProject(force?: boolean): void;
  openProject(path?: string): Promise<void>;
  /**
   * At start, with nothing open: offer to reopen the newest untitled autosave, which a
   * reload of the page or a crash left behind (a saved project's autosave is offered when
   * the project is opened).
   */
  offerUntitledAutosave(): Promise<void>;
  saveProject(saveAs?: boolean): Promise<boolean>;
  startImport(path?: string): Promise<void>;
  scanFolder(path: string): Promise<void>;
  importSequences(folder: string, sequences: readonly NumberedSequence[]): void;
  handleDrop(items: DroppedItems): Promise<void>;
  relinkClip(clipId: string): Promise<void>;
  openExport(): void;
}

export function imageSequences(names: readonly string[]): NumberedSequence[] {
  return detectSequences(names.filter((n) => PLATE_FILE.test(n))).filter(
    (s): s is NumberedSequence => s.kind === 'sequence',
  );
}

function mediaNotice(check: MediaCheck): { level: 'info' | 'warning' | 'error'; text: string } | null {
  switch (check.state) {
    case 'ok':
      return null;
    case 'relinked':
      return {
        level: 'info',
        text: `${check.name}: frames moved; relinked to ${check.folder} (was ${check.movedFrom})`,
      };
    case 'partial':
      return {
        level: 'warning',
        text: `${check.name}: ${check.missingFrames.length} frame(s) missing in ${check.folder}`,
      };
    case 'missing':
      return { level: 'error', text: `${check.name}: frames not found in ${check.folder}` };
  }
}

export const createCommandSlice: SliceCreator<CommandSlice> = (set, get, { client }) => {
  /**
   * What new shots' plates say about time (OpenEXR and DPX headers; PNG says nothing):
   * each shot's start timecode, and for a project's first shots the timeline's frame
   * rate. Part of the import, so not an edit of its own.
   */
  const plateTime = async (clips: readonly Clip[], firstShots: boolean) => {
    for (const [i, clip] of clips.entries()) {
      const path = formatFrame(clipInputPattern(clip), clip.mediaReference.availableRange.start);
      const info = await client
        .call('plate.info', { path })
        .catch(() => ({}) as { frameRate?: number; timecode?: string });
      if (!info.timecode && !info.frameRate) continue;
      const { project } = get();
      const clipsNow = project.timeline.clips.map((c) =>
        c.id === clip.id && info.timecode
          ? { ...c, mediaReference: { ...c.mediaReference, startTimecode: info.timecode } }
          : c,
      );
      const rate = firstShots && i === 0 && info.frameRate ? info.frameRate : project.timeline.rate;
      set({ project: { ...project, timeline: { ...project.timeline, clips: clipsNow, rate } } });
      if (rate !== project.timeline.rate)
        get().notify('info', `Timeline set to ${formatRate(rate)} fps, the rate ${clip.name}'s plates record`);
    }
  };
  const reportMedia = (media: readonly MediaCheck[]) => {
    for (const check of media) {
      const notice = mediaNotice(check);
      if (!notice) continue;
      const relink =
        check.state === 'missing' || check.state === 'partial'
          ? { label: 'Relink…', run: () => void get().relinkClip(check.clipId) }
          : undefined;
      get().notify(notice.level, notice.text, relink);
    }
  };

  const fail = (what: string) => (err: unknown) =>
    get().notify('error', `${what}: ${err instanceof Error ? err.message : String(err)}`);

  return {
    run(command) {
      const s: StudioState = get();
      switch (command) {
        case 'newProject':
          return s.newProject();
        case 'openProject':
          return void s.openProject();
        case 'saveProject':
          return void s.saveProject(false);
        case 'saveProjectAs':
          return void s.saveProject(true);
        case 'importFrames':
          return void s.startImport();
        case 'export':
          return s.openExport();
        case 'undo':
          return s.undo();
        case 'redo':
          return s.redo();
        case 'playPause':
          return s.togglePlay();
        case 'renderPreview':
          return void s.renderPreview();
      }
    },

    newProject(force = false) {
      if (get().dirty && !force) {
        get().notify('warning', 'The project has unsaved changes.', {
          label: 'Discard and start a new one',
          run: () => get().newProject(true),
        });
        return;
      }
      get().loadProject(emptyProject(), null);
    },

    async openProject(path) {
      const chosen = path ?? (await get().askPath('openProject', 'Open project file', get().projectPath ?? undefined));
      if (!chosen) return;
      try {
        const opened = await client.call('project.open', { path: chosen });
        get().loadProject(opened.project, opened.path, opened.media);
        reportMedia(opened.media);
        if (opened.autosavePath) {
          const autosave = opened.autosavePath;
          get().notify('warning', 'An autosave newer than this project exists.', {
            label: 'Recover it',
            run: () => {
              client
                .call('project.open', { path: autosave })
                .then((recovered) => {
                  get().loadProject(recovered.project, opened.path, recovered.media);
                  set({ dirty: true });
                })
                .catch(fail('Cannot recover the autosave'));
            },
          });
        }
      } catch (err) {
        fail('Cannot open the project')(err);
      }
    },

    async offerUntitledAutosave() {
      const { autosaves } = await client.call('project.untitledAutosaves', {}).catch(() => ({ autosaves: [] }));
      const newest = autosaves[0];
      const untouched = () => {
        const s = get();
        return !s.dirty && s.projectPath === null && s.project.timeline.clips.length === 0;
      };
      if (!newest || !untouched()) return;
      const when = new Date(newest.modifiedMs).toLocaleString();
      get().notify('warning', `The unsaved project “${newest.name}” was autosaved ${when}.`, {
        label: 'Reopen it',
        run: () => {
          client
            .call('project.reopenAutosave', { path: newest.path })
            .then((reopened) => {
              get().loadProject(reopened.project, null, reopened.media);
              // still unsaved: autosaved again on the next edit, asked about before the page is left
              set({ dirty: true });
              reportMedia(reopened.media);
            })
            .catch(fail('Cannot reopen the autosave'));
        },
      });
    },

    async saveProject(saveAs = false) {
      let path = get().projectPath;
      if (!path || saveAs) {
        const name = get().project.name.replace(/[^\w.-]+/g, '_') + PROJECT_EXTENSION;
        const suggestion = path
          ? joinPath(dirName(path), name)
          : get().project.exportSettings.folder
            ? joinPath(get().project.exportSettings.folder, name)
            : name;
        path = await get().askPath('saveProject', 'Save project as', suggestion);
        if (!path) return false;
      }
      const sent: Project = get().project;
      try {
        const saved = await client.call('project.save', { path, project: sent });
        if (get().project === sent) get().markSaved(saved.project, saved.path);
        else set({ projectPath: saved.path }); // edited while saving: keep the edits, still dirty
        get().notify('info', `Saved ${saved.path}`);
        return true;
      } catch (err) {
        fail('Cannot save the project')(err);
        return false;
      }
    },

    async startImport(path) {
      const start = path ?? get().project.timeline.clips.at(-1)?.mediaReference.targetUrlBase ?? '';
      get().openDialog({ kind: 'import', path: start });
      if (start) await get().scanFolder(start);
    },

    async scanFolder(path) {
      const { folder, pattern } = splitPickedSequence(path.trim());
      if (!folder) return;
      get().openDialog({
        ...currentImport(get()),
        kind: 'import',
        path: folder,
        scanning: true,
        preferred: pattern ? [pattern] : undefined,
      });
      try {
        const listing = await client.call('fs.listFolder', { path: folder });
        const names = listing.entries.filter((e) => e.kind === 'file').map((e) => e.name);
        get().updateDialog({
          path: listing.path,
          scanning: false,
          error: undefined,
          scan: {
            folder: listing.path,
            sequences: imageSequences(names),
            folders: listing.entries.filter((e) => e.kind === 'folder'),
          },
        });
      } catch (err) {
        get().updateDialog({
          scanning: false,
          scan: undefined,
          error: err instanceof Error ? err.message : String(err),
        });
      }
    },

    importSequences(folder, sequences) {
      const clips = sequences.map((seq) => clipFromSequence(folder, seq));
      const firstShots = get().project.timeline.clips.length === 0;
      get().addClips(clips);
      void plateTime(clips, firstShots);
      get().closeDialog();
      const frames = sequences.reduce((n, s) => n + s.frames.length, 0);
      get().notify('info', `Imported ${clips.length} shot(s), ${frames} frames`);
      for (const seq of sequences) {
        const gaps = describeGaps(seq.gaps);
        if (gaps) get().notify('warning', `${seq.pattern}: ${gaps}`);
      }
      // a project named after its first shot reads better than "Untitled"
      const { project } = get();
      if (project.name === 'Untitled' && clips[0]) {
        set({ project: { ...project, name: clips[0].name, timeline: { ...project.timeline, name: clips[0].name } } });
      }
    },

    async handleDrop(items) {
      const { paths, names } = items;
      const folders = items.folders ?? [];
      if (paths.length === 0) {
        if (names.length === 0 && folders.length === 0) return;
        // a browser: we know the names but not the folder, so the file browser finds it
        get().openDialog({ kind: 'import', path: '', droppedNames: names, droppedFolders: folders });
        const near = get().project.timeline.clips.at(-1)?.mediaReference.targetUrlBase;
        const title = folders.length === 1 ? `Find the folder “${folders[0]}”` : 'Find the folder holding the frames';
        const picked = await get().askPath('importFolder', title, near, { note: dropNote(items) });
        if (picked && get().dialog?.kind === 'import') await get().scanFolder(picked);
        return;
      }
      // a single dropped folder is scanned; dropped files are imported from their folder
      if (paths.length === 1) {
        const folderListing = await client.call('fs.listFolder', { path: paths[0]! }).catch(() => null);
        if (folderListing) return get().startImport(folderListing.path);
      }
      const folder = dirName(paths[0]!);
      const inFolder = paths.filter((p) => dirName(p) === folder).map((p) => p.slice(folder.length + 1));
      if (inFolder.length < paths.length)
        get().notify('warning', 'Import one folder at a time; only the first one is used.');
      get().openDialog({
        kind: 'import',
        path: folder,
        scan: { folder, sequences: imageSequences(inFolder), folders: [] },
      });
    },

    async relinkClip(clipId) {
      const clip = get().project.timeline.clips.find((c) => c.id === clipId);
      if (!clip) return;
      const picked = await get().askPath(
        'importFolder',
        `Where are ${clip.name}'s frames (${clip.mediaReference.namePattern}) now?`,
        clip.mediaReference.targetUrlBase,
      );
      if (!picked) return;
      const { folder } = splitPickedSequence(picked);
      try {
        const { clip: relinked, check } = await client.call('project.relinkClip', { clip, folder });
        get().replaceClip(relinked, check);
        get().notify(
          check.state === 'partial' ? 'warning' : 'info',
          `${clip.name} relinked to ${check.folder}${check.missingFrames.length ? ` (${check.missingFrames.length} frames still missing)` : ''}`,
        );
      } catch (err) {
        fail(`Cannot relink ${clip.name}`)(err);
      }
    },

    openExport() {
      const clips = get().project.timeline.clips;
      if (clips.length === 0) {
        get().notify('warning', 'Import a shot before exporting.');
        return;
      }
      get().openDialog({ kind: 'export', clipIds: clips.map((c) => c.id) });
    },
  };
};

function currentImport(state: StudioState) {
  return state.dialog?.kind === 'import' ? state.dialog : {};
}
