/** App-wide behaviour hooks: keyboard shortcuts, playback, automatic previews. */
import { useEffect } from 'react';
import { AGE_CATEGORIES } from '../../shared/ages.js';
import { clipFramePath } from '../../shared/project.js';
import { shortcutFor, viewerPatchFor, type ShortcutAction } from '../lib/shortcuts.js';
import { layoutTimeline, stepFrames, edgePlayhead } from '../lib/timeline.js';
import { useStudio, useStudioContext, type StudioState } from '../state/store.js';

function isEditable(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  return target instanceof HTMLInputElement && !['checkbox', 'radio', 'range', 'button'].includes(target.type);
}

/** Keys a focused slider (the age slider, the wipe handle, a range input) needs for itself. */
const SLIDER_KEYS = /^(Arrow|Home$|End$|Page)/;

/**
 * Whether the focused element keeps this key: sliders their arrows, Home and End;
 * a button focused from the keyboard Space and Enter (its own activation). Buttons
 * keep no arrows: a click on a toolbar button must not stop the arrows stepping frames.
 */
function ownedByFocus(target: EventTarget | null, e: KeyboardEvent): boolean {
  if (e.ctrlKey || e.metaKey || !(target instanceof Element)) return false;
  if (target.closest('[role="slider"], input[type="range"]')) return SLIDER_KEYS.test(e.key);
  if (target.closest('button, input[type="checkbox"], input[type="radio"]')) return e.key === ' ' || e.key === 'Enter';
  return false;
}

function perform(state: StudioState, action: ShortcutAction): void {
  const patch = viewerPatchFor(state.viewer, action);
  if (patch) state.setViewer(patch);
  else if ('command' in action) state.run(action.command);
  else if ('stepFrames' in action) state.stepFrames(action.stepFrames);
  else if ('stepShots' in action) state.stepShots(action.stepShots);
  else if ('edge' in action) state.goToEdge(action.edge, action.scope);
  else if ('shuttle' in action) state.shuttle(action.shuttle);
  else if ('shortcuts' in action) state.showShortcuts(action.shortcuts === 'toggle' ? !state.shortcutsOpen : false);
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
      if (ownedByFocus(e.target, e)) return;
      // Escape means something only while the overlay is open: leave it to others otherwise
      if ('shortcuts' in action && action.shortcuts === 'close' && !state.shortcutsOpen) return;
      e.preventDefault();
      perform(state, action);
    };
    // A button or checkbox clicked with the mouse gives its focus back, so Space plays
    // rather than clicking it again (e.detail is 0 for a click made from the keyboard).
    const onClick = (e: MouseEvent) => {
      if (e.detail === 0) return;
      setTimeout(() => {
        const focused = document.activeElement;
        if (focused instanceof HTMLElement && focused.matches('button, input[type="checkbox"], input[type="radio"]'))
          focused.blur();
      });
    };
    window.addEventListener('keydown', onKeyDown);
    window.addEventListener('click', onClick);
    return () => {
      window.removeEventListener('keydown', onKeyDown);
      window.removeEventListener('click', onClick);
    };
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
  // frames per tick, signed: J plays backwards, a repeated J or L moves more frames per tick
  const step = useStudio((s) => s.playRate);
  const rate = useStudio((s) => s.project.timeline.rate);
  useEffect(() => {
    if (!playing) return;
    const timer = setInterval(() => {
      const state = store.getState();
      const layout = layoutTimeline(state.project.timeline.clips);
      if (!state.playhead) return;
      let next = stepFrames(layout, state.playhead, step);
      if (next.clipId === state.playhead.clipId && next.frame === state.playhead.frame) {
        next = edgePlayhead(layout, step > 0 ? 'start' : 'end') ?? next; // loop
      }
      let ahead = next;
      for (let i = 0; i < LOOKAHEAD; i++) {
        const clip = state.project.timeline.clips.find((c) => c.id === ahead.clipId);
        if (clip) images.prefetch(clipFramePath(clip, ahead.frame));
        ahead = stepFrames(layout, ahead, step);
      }
      const clip = state.project.timeline.clips.find((c) => c.id === next.clipId);
      if (clip && images.peek(clipFramePath(clip, next.frame))) state.setPlayhead(next.clipId, next.frame);
    }, 1000 / rate);
    return () => clearInterval(timer);
  }, [playing, step, rate, store, images]);
}

/** With Auto on, render the frame under the playhead shortly after it or its settings stop changing. */
/** A frame the playhead rests on shows its preview from the disk cache when one was rendered before. */
export function useCachedPreview(delayMs = 150): void {
  const { store } = useStudioContext();
  const playing = useStudio((s) => s.playing);
  const playhead = useStudio((s) => s.playhead);
  const clips = useStudio((s) => s.project.timeline.clips);
  useEffect(() => {
    if (playing || !playhead) return;
    const timer = setTimeout(() => void store.getState().showCachedPreview(), delayMs);
    return () => clearTimeout(timer);
  }, [playing, playhead, clips, store, delayMs]);
}

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
