/**
 * The keyboard map: one table of shortcuts, read both by the key handler
 * (shortcutFor) and by the `?` overlay that lists them, so the list shown can
 * never drift from the keys that work. Menu accelerators in Electron are
 * display-only; the handler is the one place keys are interpreted, in Electron
 * and in the browser alike.
 */
import type { MenuCommand } from '../../shared/ipc.js';
import {
  CHANNEL_VIEWS,
  DIFFERENCE_GAINS,
  EXPOSURE_STEP,
  type ChannelView,
  type CompareMode,
  type ViewerSettings,
} from '../state/playback-slice.js';

export type ShortcutAction =
  | { command: MenuCommand }
  | { stepFrames: number }
  | { stepShots: number }
  /** the first / last frame of the shot under the playhead, or of the whole timeline */
  | { edge: 'start' | 'end'; scope: 'shot' | 'timeline' }
  /** J / K / L: -1 plays backwards, 1 forwards (again: faster), 0 stops */
  | { shuttle: -1 | 0 | 1 }
  | { compare: CompareMode }
  | { wipeAxis: 'toggle' }
  | { zoom: 'fit' | 1 }
  | { exposure: 1 | -1 | 0 }
  | { channel: 'next' | ChannelView }
  | { gain: 1 | -1 }
  | { age: 1 | -1 }
  | { shortcuts: 'toggle' | 'close' };

export interface KeyInput {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
}

export type ShortcutGroup = 'File' | 'Edit' | 'Playback' | 'Viewer' | 'Shot';

export interface Shortcut {
  /** KeyboardEvent.key, letters in lower case */
  key: string;
  /** Ctrl (Cmd on macOS) held */
  mod?: boolean;
  /** Shift held; ignored for non-letter characters, whose shift is in the character itself ('?') */
  shift?: boolean;
  action: ShortcutAction;
  group: ShortcutGroup;
  /** what it does, as the overlay lists it */
  label: string;
  /** still applies while a text field has focus (the file commands only) */
  inFields?: boolean;
}

const file = (key: string, command: MenuCommand, label: string, shift = false): Shortcut => ({
  key,
  mod: true,
  shift,
  action: { command },
  group: 'File',
  label,
  inFields: true,
});

/** Every shortcut, in the order the overlay lists them. */
export const SHORTCUTS: readonly Shortcut[] = [
  { key: ' ', action: { command: 'playPause' }, group: 'Playback', label: 'Play / pause' },
  { key: 'j', action: { shuttle: -1 }, group: 'Playback', label: 'Play backwards (again: faster)' },
  { key: 'k', action: { shuttle: 0 }, group: 'Playback', label: 'Stop' },
  { key: 'l', action: { shuttle: 1 }, group: 'Playback', label: 'Play forwards (again: faster)' },
  { key: 'ArrowLeft', action: { stepFrames: -1 }, group: 'Playback', label: 'Previous frame' },
  { key: 'ArrowRight', action: { stepFrames: 1 }, group: 'Playback', label: 'Next frame' },
  { key: 'ArrowLeft', shift: true, action: { stepFrames: -10 }, group: 'Playback', label: '10 frames back' },
  { key: 'ArrowRight', shift: true, action: { stepFrames: 10 }, group: 'Playback', label: '10 frames forward' },
  { key: 'Home', action: { edge: 'start', scope: 'shot' }, group: 'Playback', label: 'First frame of the shot' },
  { key: 'End', action: { edge: 'end', scope: 'shot' }, group: 'Playback', label: 'Last frame of the shot' },
  {
    key: 'Home',
    shift: true,
    action: { edge: 'start', scope: 'timeline' },
    group: 'Playback',
    label: 'First frame of the timeline',
  },
  {
    key: 'End',
    shift: true,
    action: { edge: 'end', scope: 'timeline' },
    group: 'Playback',
    label: 'Last frame of the timeline',
  },
  { key: 'ArrowUp', action: { stepShots: -1 }, group: 'Playback', label: 'Previous shot' },
  { key: 'ArrowDown', action: { stepShots: 1 }, group: 'Playback', label: 'Next shot' },

  { key: 'a', action: { compare: 'before' }, group: 'Viewer', label: 'A: the plate' },
  { key: 'b', action: { compare: 'after' }, group: 'Viewer', label: 'B: the re-aged preview' },
  { key: 'w', action: { compare: 'wipe' }, group: 'Viewer', label: 'Wipe between A and B' },
  { key: 'w', shift: true, action: { wipeAxis: 'toggle' }, group: 'Viewer', label: 'Wipe vertical / horizontal' },
  { key: 'd', action: { compare: 'difference' }, group: 'Viewer', label: 'Difference |B−A|, amplified' },
  { key: 'g', action: { gain: 1 }, group: 'Viewer', label: 'Difference gain up' },
  { key: 'g', shift: true, action: { gain: -1 }, group: 'Viewer', label: 'Difference gain down' },
  { key: 's', action: { compare: 'side' }, group: 'Viewer', label: 'A and B side by side' },
  { key: 'm', action: { compare: 'matte' }, group: 'Viewer', label: 'The matte the change is composited under' },
  { key: 'f', action: { zoom: 'fit' }, group: 'Viewer', label: 'Fit to the viewer' },
  { key: '1', action: { zoom: 1 }, group: 'Viewer', label: 'Actual pixels (100%)' },
  { key: 'e', action: { exposure: 1 }, group: 'Viewer', label: 'Exposure +½ stop (display only)' },
  { key: 'e', shift: true, action: { exposure: -1 }, group: 'Viewer', label: 'Exposure −½ stop (display only)' },
  { key: '0', action: { exposure: 0 }, group: 'Viewer', label: 'Exposure back to 0' },
  { key: 'c', action: { channel: 'next' }, group: 'Viewer', label: 'Channels: RGB → R → G → B → luma' },
  { key: 'c', shift: true, action: { channel: 'rgb' }, group: 'Viewer', label: 'Channels back to RGB' },
  { key: '?', action: { shortcuts: 'toggle' }, group: 'Viewer', label: 'Show / hide this list' },
  { key: 'Escape', action: { shortcuts: 'close' }, group: 'Viewer', label: 'Close this list' },

  { key: 'r', action: { command: 'renderPreview' }, group: 'Shot', label: 'Render the preview' },
  { key: '[', action: { age: -1 }, group: 'Shot', label: 'Target age one step younger' },
  { key: ']', action: { age: 1 }, group: 'Shot', label: 'Target age one step older' },

  { key: 'z', mod: true, action: { command: 'undo' }, group: 'Edit', label: 'Undo' },
  { key: 'z', mod: true, shift: true, action: { command: 'redo' }, group: 'Edit', label: 'Redo' },
  { key: 'y', mod: true, action: { command: 'redo' }, group: 'Edit', label: 'Redo' },

  file('n', 'newProject', 'New project'),
  file('o', 'openProject', 'Open project…'),
  file('s', 'saveProject', 'Save project'),
  file('s', 'saveProjectAs', 'Save project as…', true),
  file('i', 'importFrames', 'Import frames…'),
  file('e', 'export', 'Export…'),
];

const isLetter = (key: string) => key.length === 1 && key.toLowerCase() !== key.toUpperCase();

function matches(shortcut: Shortcut, key: string, e: KeyInput): boolean {
  if (shortcut.key !== key || !!shortcut.mod !== (e.ctrlKey || e.metaKey)) return false;
  // '?' is Shift+/ on most layouts: the character already says it
  const shiftMatters = key.length > 1 || isLetter(key);
  return !shiftMatters || !!shortcut.shift === e.shiftKey;
}

/**
 * The shortcut a key press means, or null. `editing` is true while a text field
 * has focus: then only the file commands apply, and Ctrl+Z stays the field's own undo.
 */
export function shortcutFor(e: KeyInput, editing: boolean): ShortcutAction | null {
  if (e.altKey) return null;
  const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
  const found = SHORTCUTS.find((s) => matches(s, key, e));
  if (!found || (editing && !found.inFields)) return null;
  return found.action;
}

/** The next of `values` after (or before) `current`, staying at the ends. */
function stepThrough<T>(values: readonly T[], current: T, delta: number): T {
  const i = values.indexOf(current);
  return values[Math.max(0, Math.min(values.length - 1, (i < 0 ? 0 : i) + delta))]!;
}

/** The viewer settings a shortcut changes, or null for one that is not about the viewer. */
export function viewerPatchFor(viewer: ViewerSettings, action: ShortcutAction): Partial<ViewerSettings> | null {
  if ('compare' in action) return { compare: action.compare };
  if ('wipeAxis' in action)
    return { compare: 'wipe', wipeAxis: viewer.wipeAxis === 'vertical' ? 'horizontal' : 'vertical' };
  if ('zoom' in action) return { zoom: action.zoom === 'fit' ? null : 1, pan: { x: 0, y: 0 } };
  if ('exposure' in action)
    return { exposure: action.exposure === 0 ? 0 : viewer.exposure + action.exposure * EXPOSURE_STEP };
  if ('channel' in action) {
    const next = CHANNEL_VIEWS[(CHANNEL_VIEWS.indexOf(viewer.channel) + 1) % CHANNEL_VIEWS.length]!;
    return { channel: action.channel === 'next' ? next : action.channel };
  }
  if ('gain' in action) return { gain: stepThrough<number>(DIFFERENCE_GAINS, viewer.gain, action.gain) };
  return null;
}

const KEY_NAMES: Record<string, string> = {
  ' ': 'Space',
  ArrowLeft: '←',
  ArrowRight: '→',
  ArrowUp: '↑',
  ArrowDown: '↓',
  Escape: 'Esc',
};

/** How the overlay and tooltips write a shortcut's keys: "Ctrl+Shift+S", "Shift+→", "J". */
export function keyLabel(shortcut: Pick<Shortcut, 'key' | 'mod' | 'shift'>, isMac = false): string {
  const name = KEY_NAMES[shortcut.key] ?? (shortcut.key.length === 1 ? shortcut.key.toUpperCase() : shortcut.key);
  const shift = shortcut.shift && (shortcut.key.length > 1 || isLetter(shortcut.key));
  return [shortcut.mod ? (isMac ? '⌘' : 'Ctrl') : '', shift ? 'Shift' : '', name].filter(Boolean).join('+');
}

/** The keys of every shortcut doing `action`, for tooltips: "D", "Shift+W". */
export function keysFor(action: ShortcutAction): string {
  const wanted = JSON.stringify(action);
  return SHORTCUTS.filter((s) => JSON.stringify(s.action) === wanted)
    .map((s) => keyLabel(s))
    .join(' / ');
}

/** The table grouped for display, groups in a fixed order. */
export function shortcutGroups(): { group: ShortcutGroup; shortcuts: Shortcut[] }[] {
  const order: ShortcutGroup[] = ['Playback', 'Viewer', 'Shot', 'Edit', 'File'];
  return order.map((group) => ({ group, shortcuts: SHORTCUTS.filter((s) => s.group === group) }));
}
