/** The open project, its shots' settings with undo/redo, the selected shot and media status. */
import type { MediaCheck } from '../../shared/ipc.js';
import { emptyProject, type Clip, type ExportSettings, type Project, type ShotSettings } from '../../shared/project.js';
import { emptyHistory, recordEdit, redoEdit, undoEdit, type History } from './history.js';
import type { SliceCreator, StudioState } from './types.js';

/** What undo restores: every shot's settings by clip id. */
export type SettingsSnapshot = Record<string, ShotSettings>;

export interface ProjectSlice {
  project: Project;
  projectPath: string | null;
  dirty: boolean;
  history: History<SettingsSnapshot>;
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
  setExportSettings(patch: Partial<ExportSettings>): void;
  replaceClip(clip: Clip, check?: MediaCheck): void;
  markSaved(project: Project, path: string): void;
}

function settingsOf(project: Project): SettingsSnapshot {
  return Object.fromEntries(project.timeline.clips.map((c) => [c.id, c.settings]));
}

function withClips(project: Project, clips: Clip[]): Project {
  return { ...project, timeline: { ...project.timeline, clips } };
}

function applySnapshot(project: Project, snapshot: SettingsSnapshot): Project {
  return withClips(
    project,
    project.timeline.clips.map((c) => (snapshot[c.id] ? { ...c, settings: snapshot[c.id]! } : c)),
  );
}

export const createProjectSlice: SliceCreator<ProjectSlice> = (set, get, { now }) => {
  /** Replace shot settings, recording the previous ones for undo. */
  const editSettings = (label: string, change: (clip: Clip) => ShotSettings, key?: string) => {
    const { project, history } = get();
    const before = settingsOf(project);
    const clips = project.timeline.clips.map((c) => ({ ...c, settings: change(c) }));
    set({
      project: withClips(project, clips),
      history: recordEdit(history, before, label, now(), key),
      dirty: true,
    });
  };

  const restore = (result: ReturnType<typeof undoEdit<SettingsSnapshot>>) => {
    if (!result) return;
    set((s: StudioState) => ({
      project: applySnapshot(s.project, result.snapshot),
      history: result.history,
      dirty: true,
    }));
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
      const { project } = get();
      set({
        project: withClips(project, [...project.timeline.clips, ...clips]),
        dirty: true,
        selectedClipId: clips[0]!.id,
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
      restore(undoEdit(history, settingsOf(project)));
    },

    redo() {
      const { history, project } = get();
      restore(redoEdit(history, settingsOf(project)));
    },

    setExportSettings(patch) {
      const { project } = get();
      set({ project: { ...project, exportSettings: { ...project.exportSettings, ...patch } }, dirty: true });
    },

    replaceClip(clip, check) {
      const { project, media } = get();
      set({
        project: withClips(
          project,
          project.timeline.clips.map((c) => (c.id === clip.id ? clip : c)),
        ),
        media: check ? { ...media, [clip.id]: check } : media,
        dirty: true,
      });
    },

    markSaved(project, path) {
      set({ project, projectPath: path, dirty: false });
    },
  };
};
