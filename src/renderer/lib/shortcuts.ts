/**
 * The keyboard map, as a pure function so it can be tested and shown in tooltips.
 * Menu accelerators in Electron are display-only; these handlers are the one place
 * keys are interpreted, in Electron and in the browser alike.
 */
import type { MenuCommand } from '../../shared/ipc.js';
import type { CompareMode } from '../state/playback-slice.js';

export type ShortcutAction =
  | { command: MenuCommand }
  | { stepFrames: number }
  | { stepShots: number }
  | { edge: 'start' | 'end' }
  | { compare: CompareMode }
  | { zoom: 'fit' | 1 }
  | { age: 1 | -1 };

export interface KeyInput {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
}

const MOD_KEYS: Record<string, MenuCommand> = {
  n: 'newProject',
  o: 'openProject',
  s: 'saveProject',
  i: 'importFrames',
  e: 'export',
  y: 'redo',
};

/**
 * `editing` is true while a text field has focus: then only the file commands
 * apply, and Ctrl+Z stays the field's own undo.
 */
export function shortcutFor(e: KeyInput, editing: boolean): ShortcutAction | null {
  const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
  if (e.ctrlKey || e.metaKey) {
    if (e.altKey) return null;
    if (key === 's' && e.shiftKey) return { command: 'saveProjectAs' };
    if (key === 'z' || key === 'y') return editing ? null : { command: key === 'y' || e.shiftKey ? 'redo' : 'undo' };
    const command = MOD_KEYS[key];
    return command && !e.shiftKey ? { command } : null;
  }
  if (editing || e.altKey) return null;
  switch (key) {
    case ' ':
      return { command: 'playPause' };
    case 'ArrowLeft':
      return { stepFrames: e.shiftKey ? -10 : -1 };
    case 'ArrowRight':
      return { stepFrames: e.shiftKey ? 10 : 1 };
    case 'ArrowUp':
      return { stepShots: -1 };
    case 'ArrowDown':
      return { stepShots: 1 };
    case 'Home':
      return { edge: 'start' };
    case 'End':
      return { edge: 'end' };
    case 'r':
      return { command: 'renderPreview' };
    case 'w':
      return { compare: 'wipe' };
    case 'a':
      return { compare: 'before' };
    case 'b':
      return { compare: 'after' };
    case 'f':
      return { zoom: 'fit' };
    case '1':
      return { zoom: 1 };
    case '[':
      return { age: -1 };
    case ']':
      return { age: 1 };
    default:
      return null;
  }
}
