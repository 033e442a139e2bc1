/** App-wide behaviour hooks: keyboard shortcuts, playback, automatic previews. */
import { useEffect } from 'react';
import { AGE_CATEGORIES } from '../../shared/ages.js';
import { clipFramePath } from '../../shared/project.js';
import { shortcutFor, type ShortcutAction } from '../lib/shortcuts.js';
import { layoutTimeline, stepFrames, edgePlayhead } from '../lib/timeline.js';
import { useStudio, useStudioContext, type StudioState } from '../state/store.js';

function isEditable(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  return target instanceof HTMLInputElement && !['checkbox', 'radio', 'range', 'button'].includes(target.type);
}

function perform(state: StudioState, action: ShortcutAction): void {
  if ('command' in action) state.run(action.command);
  else if ('stepFrames' in action) state.stepFrames(action.stepFrames);
  else if ('stepShots' in action) state.stepShots(action.stepShots);
  else if ('edge' in action) state.goToEdge(action.edge);
  else if ('compare' in action) state.setViewer({ compare: action.compare });
  else if ('zoom' in action) state.setViewer({ zoom: action.zoom === 'fit' ? null : 1, pan: { x: 0, y: 0 } });
  else if ('age' in action) {
    const clip = state.project.timeline.clips.find((c) => c.id === state.selectedClipId);
    if (!clip) return;
    const next = AGE_CATEGORIES[AGE_CATEGORIES.indexOf(clip.settings.targetAge) + action.age];
    if (next) state.updateSettings(clip.id, { targetAge: next }, 'targetAge');
  }
}

export function useShortcuts(): void {
  const { store } = useStudioContext();
  useEffect(() => {
    const onKeyDown = (e: KeyboardEvent) => {
      const state = store.getState();
      const editing = isEditable(e.target);
      const action = shortcutFor(e, editing);
      if (!action) return;
      // with a dialog open, only file commands apply (its fields and buttons own the other keys)
      if ((state.dialog || state.prompt) && !('command' in action && (e.ctrlKey || e.metaKey))) return;
      // a focused button or slider keeps Space and arrows for itself
      const target = e.target instanceof Element ? e.target : null;
      if (!e.ctrlKey && !e.metaKey && target?.closest('[role="slider"], button') && /^(Arrow| )/.test(e.key)) return;
      e.preventDefault();
      perform(state, action);
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [store]);
}

/** How many frames ahead playback loads while it plays. */
const LOOKAHEAD = 8;

/**
 * Playback at the project's rate. A frame is shown only once its image has
 * arrived: on a slow link playback slows down rather than piling up requests.
 */
export function usePlayback(): void {
  const { store, images } = useStudioContext();
  const playing = useStudio((s) => s.playing);
  const rate = useStudio((s) => s.project.timeline.rate);
  useEffect(() => {
    if (!playing) return;
    const timer = setInterval(() => {
      const state = store.getState();
      const layout = layoutTimeline(state.project.timeline.clips);
      if (!state.playhead) return;
      let next = stepFrames(layout, state.playhead, 1);
      if (next.clipId === state.playhead.clipId && next.frame === state.playhead.frame) {
        next = edgePlayhead(layout, 'start') ?? next; // loop
      }
      let ahead = next;
      for (let i = 0; i < LOOKAHEAD; i++) {
        const clip = state.project.timeline.clips.find((c) => c.id === ahead.clipId);
        if (clip) images.prefetch(clipFramePath(clip, ahead.frame));
        ahead = stepFrames(layout, ahead, 1);
      }
      const clip = state.project.timeline.clips.find((c) => c.id === next.clipId);
      if (clip && images.peek(clipFramePath(clip, next.frame))) state.setPlayhead(next.clipId, next.frame);
    }, 1000 / rate);
    return () => clearInterval(timer);
  }, [playing, rate, store, images]);
}

/** With Auto on, render the frame under the playhead shortly after it or its settings stop changing. */
export function useAutoPreview(delayMs = 300): void {
  const { store } = useStudioContext();
  const auto = useStudio((s) => s.autoPreview);
  const playing = useStudio((s) => s.playing);
  const playhead = useStudio((s) => s.playhead);
  const clips = useStudio((s) => s.project.timeline.clips);
  useEffect(() => {
    if (!auto || playing || !playhead) return;
    const timer = setTimeout(() => void store.getState().renderPreview(), delayMs);
    return () => clearTimeout(timer);
  }, [auto, playing, playhead, clips, store, delayMs]);
}
