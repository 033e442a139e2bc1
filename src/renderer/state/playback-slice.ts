/** The playhead, playback (J/K/L shuttle included) and the viewer's compare / zoom / look / overlay settings. */
import {
  edgePlayhead,
  layoutTimeline,
  nearestFrame,
  shotEdgePlayhead,
  stepFrames,
  stepShots,
  type Playhead,
} from '../lib/timeline.js';
import type { SliceCreator } from './types.js';

/** A: the plate; B: the preview; a wipe between them; |B−A| amplified; A and B side by side. */
export type CompareMode = 'before' | 'after' | 'wipe' | 'difference' | 'side' | 'matte';
/** vertical: a vertical divider, A left | B right; horizontal: A above, B below */
export type WipeAxis = 'vertical' | 'horizontal';
/** display-only channel views: all three, one as grey, or luma (Rec. 709) */
export type ChannelView = 'rgb' | 'r' | 'g' | 'b' | 'luma';

export const CHANNEL_VIEWS: readonly ChannelView[] = ['rgb', 'r', 'g', 'b', 'luma'];
/** the difference view's gains, in the order G / Shift+G step through them */
export const DIFFERENCE_GAINS = [1, 2, 4, 8, 16, 32, 64] as const;
/** display exposure is kept within ±EXPOSURE_LIMIT stops, in EXPOSURE_STEP steps */
export const EXPOSURE_LIMIT = 8;
export const EXPOSURE_STEP = 0.5;
/** J / L pressed again doubles the speed up to this many frames per tick */
export const MAX_SHUTTLE = 8;

export interface ViewerSettings {
  compare: CompareMode;
  /** the wipe divider's position across (or down) the frame, 0 (all B) … 1 (all A) */
  wipe: number;
  wipeAxis: WipeAxis;
  /** |B−A| is multiplied by this in the difference view */
  gain: number;
  /** display exposure in stops (f-stops, applied in linear light); never reaches exported frames */
  exposure: number;
  channel: ChannelView;
  /** null fits the frame to the viewer */
  zoom: number | null;
  pan: { x: number; y: number };
  showFace: boolean;
  showMask: boolean;
}

export interface PlaybackSlice {
  playhead: Playhead | null;
  playing: boolean;
  /** frames moved per playback tick while playing: negative plays backwards (J), |n| > 1 is faster */
  playRate: number;
  viewer: ViewerSettings;
  setPlayhead(clipId: string, frame: number): void;
  stepFrames(delta: number): void;
  stepShots(delta: number): void;
  /** `scope` 'shot': the shot under the playhead (Home / End); 'timeline' (the default): the whole timeline */
  goToEdge(edge: 'start' | 'end', scope?: 'shot' | 'timeline'): void;
  resetPlayhead(): void;
  setPlaying(playing: boolean): void;
  togglePlay(): void;
  /** J / K / L as in an editing suite: -1 backwards, 1 forwards, the same way again doubles the speed, 0 stops */
  shuttle(direction: -1 | 0 | 1): void;
  setViewer(patch: Partial<ViewerSettings>): void;
}

/** The next rate for a J (-1) or L (1) press while playing at `rate` (0 when stopped). */
export function shuttleRate(rate: number, direction: -1 | 1): number {
  if (Math.sign(rate) !== direction) return direction;
  return direction * Math.min(MAX_SHUTTLE, Math.abs(rate) * 2);
}

export const DEFAULT_VIEWER: ViewerSettings = {
  compare: 'wipe',
  wipe: 0.5,
  wipeAxis: 'vertical',
  gain: 4,
  exposure: 0,
  channel: 'rgb',
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
    playRate: 1,
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

    goToEdge(edge, scope = 'timeline') {
      const { playhead } = get();
      moveTo(scope === 'shot' && playhead ? shotEdgePlayhead(layout(), playhead, edge) : edgePlayhead(layout(), edge));
    },

    resetPlayhead() {
      const start = edgePlayhead(layout(), 'start');
      set({ playhead: start, playing: false, ...(start ? { selectedClipId: start.clipId } : {}) });
    },

    setPlaying(playing) {
      // play / pause (Space, the transport button) always plays forwards at normal speed
      set({ playing: playing && get().playhead !== null, playRate: 1 });
    },

    togglePlay() {
      get().setPlaying(!get().playing);
    },

    shuttle(direction) {
      const { playing, playRate, playhead } = get();
      if (direction === 0 || !playhead) {
        set({ playing: false, playRate: 1 });
        return;
      }
      set({ playing: true, playRate: shuttleRate(playing ? playRate : 0, direction) });
    },

    setViewer(patch) {
      const viewer = { ...get().viewer, ...patch };
      viewer.wipe = Math.min(1, Math.max(0, viewer.wipe));
      viewer.exposure = Math.min(EXPOSURE_LIMIT, Math.max(-EXPOSURE_LIMIT, viewer.exposure));
      set({ viewer });
    },
  };
};
