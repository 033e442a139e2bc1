// The keyboard map: one table read by the key handler and the `?` overlay.
import { describe, expect, it } from 'vitest';
import {
  SHORTCUTS,
  keyLabel,
  keysFor,
  shortcutFor,
  shortcutGroups,
  viewerPatchFor,
  type KeyInput,
} from '../../src/renderer/lib/shortcuts.js';
import { DEFAULT_VIEWER, shuttleRate } from '../../src/renderer/state/playback-slice.js';

const key = (k: string, mods: Partial<KeyInput> = {}): KeyInput => ({
  key: k,
  ctrlKey: false,
  metaKey: false,
  shiftKey: false,
  altKey: false,
  ...mods,
});

describe('shortcutFor', () => {
  it('maps the playback keys, J/K/L and Home/End within the shot', () => {
    expect(shortcutFor(key(' '), false)).toEqual({ command: 'playPause' });
    expect(shortcutFor(key('ArrowRight'), false)).toEqual({ stepFrames: 1 });
    expect(shortcutFor(key('ArrowLeft', { shiftKey: true }), false)).toEqual({ stepFrames: -10 });
    expect(shortcutFor(key('j'), false)).toEqual({ shuttle: -1 });
    expect(shortcutFor(key('K'), false)).toEqual({ shuttle: 0 });
    expect(shortcutFor(key('l'), false)).toEqual({ shuttle: 1 });
    expect(shortcutFor(key('Home'), false)).toEqual({ edge: 'start', scope: 'shot' });
    expect(shortcutFor(key('End'), false)).toEqual({ edge: 'end', scope: 'shot' });
    expect(shortcutFor(key('End', { shiftKey: true }), false)).toEqual({ edge: 'end', scope: 'timeline' });
  });

  it('maps the viewer keys, telling Shift apart on letters but not on "?"', () => {
    expect(shortcutFor(key('d'), false)).toEqual({ compare: 'difference' });
    expect(shortcutFor(key('s'), false)).toEqual({ compare: 'side' });
    expect(shortcutFor(key('w'), false)).toEqual({ compare: 'wipe' });
    expect(shortcutFor(key('W', { shiftKey: true }), false)).toEqual({ wipeAxis: 'toggle' });
    expect(shortcutFor(key('E', { shiftKey: true }), false)).toEqual({ exposure: -1 });
    expect(shortcutFor(key('?', { shiftKey: true }), false)).toEqual({ shortcuts: 'toggle' });
    expect(shortcutFor(key('q'), false)).toBeNull();
  });

  it('keeps only the file commands while a text field has focus, and modifiers exact', () => {
    expect(shortcutFor(key('s', { ctrlKey: true }), false)).toEqual({ command: 'saveProject' });
    expect(shortcutFor(key('S', { ctrlKey: true, shiftKey: true }), true)).toEqual({ command: 'saveProjectAs' });
    expect(shortcutFor(key('e', { metaKey: true }), true)).toEqual({ command: 'export' });
    expect(shortcutFor(key('z', { ctrlKey: true }), true)).toBeNull(); // the field's own undo
    expect(shortcutFor(key('z', { ctrlKey: true }), false)).toEqual({ command: 'undo' });
    expect(shortcutFor(key('Z', { ctrlKey: true, shiftKey: true }), false)).toEqual({ command: 'redo' });
    expect(shortcutFor(key('ArrowRight'), true)).toBeNull();
    expect(shortcutFor(key('?'), true)).toBeNull();
    expect(shortcutFor(key('n', { ctrlKey: true, shiftKey: true }), false)).toBeNull();
    expect(shortcutFor(key('s', { ctrlKey: true, altKey: true }), false)).toBeNull();
  });

  it('has no two entries for the same keys', () => {
    const seen = SHORTCUTS.map((s) => keyLabel(s));
    expect(new Set(seen).size).toBe(seen.length);
  });
});

describe('the table as shown', () => {
  it('lists every shortcut once, grouped, with its keys written out', () => {
    const listed = shortcutGroups().flatMap((g) => g.shortcuts);
    expect(listed).toHaveLength(SHORTCUTS.length);
    expect(new Set(listed)).toEqual(new Set(SHORTCUTS));
    expect(keyLabel({ key: 'ArrowRight', shift: true })).toBe('Shift+→');
    expect(keyLabel({ key: 's', mod: true, shift: true })).toBe('Ctrl+Shift+S');
    expect(keyLabel({ key: 's', mod: true }, true)).toBe('⌘+S');
    expect(keyLabel({ key: '?' })).toBe('?');
    expect(keyLabel({ key: ' ' })).toBe('Space');
    expect(keysFor({ command: 'redo' })).toBe('Ctrl+Shift+Z / Ctrl+Y');
    expect(keysFor({ compare: 'difference' })).toBe('D');
  });
});

describe('viewer shortcuts', () => {
  it('turn into viewer settings: axis, exposure, channels, gain', () => {
    expect(viewerPatchFor(DEFAULT_VIEWER, { wipeAxis: 'toggle' })).toEqual({ compare: 'wipe', wipeAxis: 'horizontal' });
    expect(viewerPatchFor({ ...DEFAULT_VIEWER, exposure: 1 }, { exposure: 1 })).toEqual({ exposure: 1.5 });
    expect(viewerPatchFor({ ...DEFAULT_VIEWER, exposure: 1 }, { exposure: 0 })).toEqual({ exposure: 0 });
    expect(viewerPatchFor({ ...DEFAULT_VIEWER, channel: 'b' }, { channel: 'next' })).toEqual({ channel: 'luma' });
    expect(viewerPatchFor({ ...DEFAULT_VIEWER, channel: 'luma' }, { channel: 'next' })).toEqual({ channel: 'rgb' });
    expect(viewerPatchFor({ ...DEFAULT_VIEWER, gain: 4 }, { gain: 1 })).toEqual({ gain: 8 });
    expect(viewerPatchFor({ ...DEFAULT_VIEWER, gain: 64 }, { gain: 1 })).toEqual({ gain: 64 });
    expect(viewerPatchFor({ ...DEFAULT_VIEWER, gain: 1 }, { gain: -1 })).toEqual({ gain: 1 });
    expect(viewerPatchFor(DEFAULT_VIEWER, { stepFrames: 1 })).toBeNull();
  });

  it('shuttle: the same way again doubles the speed up to 8, the other way starts at 1', () => {
    expect(shuttleRate(0, 1)).toBe(1);
    expect(shuttleRate(1, 1)).toBe(2);
    expect(shuttleRate(4, 1)).toBe(8);
    expect(shuttleRate(8, 1)).toBe(8);
    expect(shuttleRate(4, -1)).toBe(-1);
    expect(shuttleRate(-2, -1)).toBe(-4);
  });
});
