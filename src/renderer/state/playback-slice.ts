/** The playhead, playback and the viewer's compare / zoom / overlay settings. */
import { edgePlayhead, layoutTimeline, nearestFrame, stepFrames, stepShots, type Playhead } from '../lib/timeline.js';
import type { SliceCreator } from './types.js';

export type CompareMode = 'wipe' | 'before' | 'after';

export interface ViewerSettings {
  compare: CompareMode;
  /** the wipe divider's position across the frame, 0 (all after) … 1 (all before) */
  wipe: number;
  /** null fits the frame to the viewer */
  zoom: number | null;
  pan: { x: number; y: number };
  showFace: boolean;
  showMask: boolean;
}

export interface PlaybackSlice {
  playhead: Playhead | null;
  playing: boolean;
  viewer: ViewerSettings;
  setPlayhead(clipId: string, frame: number): void;
  stepFrames(delta: number): void;
  stepShots(delta: number): void;
  goToEdge(edge: 'start' | 'end'): void;
  resetPlayhead(): void;
  setPlaying(playing: boolean): void;
  togglePlay(): void;
  setViewer(patch: Partial<ViewerSettings>): void;
}

export const DEFAULT_VIEWER: ViewerSettings = {
  compare: 'wipe',
  wipe: 0.5,
  zoom: null,
  pan: { x: 0, y: 0 },
  showFace: false,
  showMask: false,
};

export const createPlaybackSlice: SliceCreator<PlaybackSlice> = (set, get) => {
  const layout = () => layoutTimeline(get().project.timeline.clips);
  const moveTo = (playhead: Playhead | null) => {
    if (!playhead) return;
    set({ playhead, selectedClipId: playhead.clipId });
  };

  return {
    playhead: null,
    playing: false,
    viewer: DEFAULT_VIEWER,

    setPlayhead(clipId, frame) {
      const span = layout().spans.find((s) => s.clip.id === clipId);
      if (!span || span.frames.length === 0) return;
      moveTo({ clipId, frame: nearestFrame(span.frames, frame) });
    },

    stepFrames(delta) {
      const { playhead } = get();
      moveTo(playhead ? stepFrames(layout(), playhead, delta) : edgePlayhead(layout(), 'start'));
    },

    stepShots(delta) {
      const { playhead } = get();
      moveTo(playhead ? stepShots(layout(), playhead, delta) : edgePlayhead(layout(), 'start'));
    },

    goToEdge(edge) {
      moveTo(edgePlayhead(layout(), edge));
    },

    resetPlayhead() {
      const start = edgePlayhead(layout(), 'start');
      set({ playhead: start, playing: false, ...(start ? { selectedClipId: start.clipId } : {}) });
    },

    setPlaying(playing) {
      set({ playing: playing && get().playhead !== null });
    },

    togglePlay() {
      get().setPlaying(!get().playing);
    },

    setViewer(patch) {
      const viewer = { ...get().viewer, ...patch };
      viewer.wipe = Math.min(1, Math.max(0, viewer.wipe));
      set({ viewer });
    },
  };
};
