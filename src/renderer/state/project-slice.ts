/** The open project, its shots' settings with undo/redo, the selected shot and media status. */
import type { MediaCheck } from '../../shared/ipc.js';
import { emptyProject, type Clip, type ExportSettings, type Project, type ShotSettings } from '../../shared/project.js';
import { emptyHistory, recordEdit, redoEdit, undoEdit, type History } from './history.js';
import type { SliceCreator, StudioState } from './types.js';

/**
 * What undo restores: the project's editable content, every shot (settings, media
 * reference, range) and the export settings. Everything that marks the project
 * dirty is recorded, except loading a file or recovering an autosave: those replace
 * the project (the previous one is still on disk) and start a fresh history.
 */
export interface ProjectSnapshot {
  clips: readonly Clip[];
  exportSettings: ExportSettings;
  /** the timeline's frames per second */
  rate: number;
}

export interface ProjectSlice {
  project: Project;
  projectPath: string | null;
  dirty: boolean;
  history: History<ProjectSnapshot>;
  selectedClipId: string | null;
  media: Record<string, MediaCheck>;
  loadProject(project: Project, path: string | null, media?: readonly MediaCheck[]): void;
  addClips(clips: readonly Clip[]): void;
  selectClip(clipId: string): void;
  /** change one shot's settings; edits with the same coalesceKey in quick succession are one undo step */
  updateSettings(clipId: string, patch: Partial<ShotSettings>, coalesceKey?: string): void;
  applySettingsToAll(clipId: string): void;
  undo(): void;
  redo(): void;
  /** edits with the same coalesceKey in quick succession (typing a folder) are one undo step */
  setExportSettings(patch: Partial<ExportSettings>, coalesceKey?: string): void;
  /** the timeline's frames per second (playback and timecode) */
  setFrameRate(rate: number): void;
  replaceClip(clip: Clip, check?: MediaCheck): void;
  markSaved(project: Project, path: string): void;
}

function snapshotOf(project: Project): ProjectSnapshot {
  return { clips: project.timeline.clips, exportSettings: project.exportSettings, rate: project.timeline.rate };
}

function withClips(project: Project, clips: Clip[]): Project {
  return { ...project, timeline: { ...project.timeline, clips } };
}

function applySnapshot(project: Project, snapshot: ProjectSnapshot): Project {
  const restored = withClips(project, [...snapshot.clips]);
  return {
    ...restored,
    timeline: { ...restored.timeline, rate: snapshot.rate },
    exportSettings: snapshot.exportSettings,
  };
}

export const createProjectSlice: SliceCreator<ProjectSlice> = (set, get, { now }) => {
  /** Apply an edit to the project, recording the content before it for undo. */
  const edit = (
    label: string,
    change: (project: Project) => Project,
    key?: string,
    extra: Partial<StudioState> = {},
  ) => {
    const { project, history } = get();
    set({
      project: change(project),
      history: recordEdit(history, snapshotOf(project), label, now(), key),
      dirty: true,
      ...extra,
    });
  };

  /** Replace shot settings, recording the previous project for undo. */
  const editSettings = (label: string, change: (clip: Clip) => ShotSettings, key?: string) =>
    edit(
      label,
      (project) =>
        withClips(
          project,
          project.timeline.clips.map((c) => ({ ...c, settings: change(c) })),
        ),
      key,
    );

  const restore = (result: ReturnType<typeof undoEdit<ProjectSnapshot>>) => {
    if (!result) return;
    set((s: StudioState) => {
      const project = applySnapshot(s.project, result.snapshot);
      const clips = new Map(project.timeline.clips.map((c) => [c.id, c]));
      // a media check describes the folder it was made on: drop those of clips whose folder changed back
      const media = Object.fromEntries(
        Object.entries(s.media).filter(([id]) => {
          const before = s.project.timeline.clips.find((c) => c.id === id)?.mediaReference;
          return clips.get(id)?.mediaReference === before;
        }),
      );
      const selected =
        s.selectedClipId && clips.has(s.selectedClipId) ? s.selectedClipId : (project.timeline.clips[0]?.id ?? null);
      return { project, history: result.history, dirty: true, media, selectedClipId: selected };
    });
  };

  return {
    project: emptyProject(),
    projectPath: null,
    dirty: false,
    history: emptyHistory(),
    selectedClipId: null,
    media: {},

    loadProject(project, path, media = []) {
      const first = project.timeline.clips[0];
      set({
        project,
        projectPath: path,
        dirty: false,
        history: emptyHistory(),
        selectedClipId: first?.id ?? null,
        media: Object.fromEntries(media.map((m) => [m.clipId, m])),
      });
      get().resetPlayhead();
    },

    addClips(clips) {
      if (clips.length === 0) return;
      const label = clips.length === 1 ? `Import ${clips[0]!.name}` : `Import ${clips.length} shots`;
      // the new shot's settings are what the artist sets next
      edit(label, (project) => withClips(project, [...project.timeline.clips, ...clips]), undefined, {
        selectedClipId: clips[0]!.id,
        sidebarTab: 'inspector',
      });
      get().setPlayhead(clips[0]!.id, clips[0]!.sourceRange.start);
    },

    selectClip(clipId) {
      set({ selectedClipId: clipId });
    },

    updateSettings(clipId, patch, coalesceKey) {
      const clip = get().project.timeline.clips.find((c) => c.id === clipId);
      if (!clip) return;
      const changed = (Object.keys(patch) as (keyof ShotSettings)[]).some((k) => patch[k] !== clip.settings[k]);
      if (!changed) return;
      const label = `Change ${Object.keys(patch).join(', ')} of ${clip.name}`;
      editSettings(
        label,
        (c) => (c.id === clipId ? { ...c.settings, ...patch } : c.settings),
        coalesceKey && `${clipId}:${coalesceKey}`,
      );
    },

    applySettingsToAll(clipId) {
      const source = get().project.timeline.clips.find((c) => c.id === clipId);
      if (!source) return;
      editSettings(`Apply ${source.name}'s settings to all shots`, () => ({ ...source.settings }));
    },

    undo() {
      const { history, project } = get();
      restore(undoEdit(history, snapshotOf(project)));
    },

    redo() {
      const { history, project } = get();
      restore(redoEdit(history, snapshotOf(project)));
    },

    setExportSettings(patch, coalesceKey) {
      const label = `Change export ${Object.keys(patch).join(', ')}`;
      edit(
        label,
        (project) => ({ ...project, exportSettings: { ...project.exportSettings, ...patch } }),
        coalesceKey && `export:${coalesceKey}`,
      );
    },

    setFrameRate(rate) {
      if (!(rate > 0 && rate <= 1000) || rate === get().project.timeline.rate) return;
      edit(`Set frame rate to ${rate} fps`, (project) => ({ ...project, timeline: { ...project.timeline, rate } }));
    },

    replaceClip(clip, check) {
      const { media } = get();
      edit(
        `Relink ${clip.name}`,
        (project) =>
          withClips(
            project,
            project.timeline.clips.map((c) => (c.id === clip.id ? clip : c)),
          ),
        undefined,
        { media: check ? { ...media, [clip.id]: check } : media },
      );
    },

    markSaved(project, path) {
      set({ project, projectPath: path, dirty: false });
    },
  };
};
