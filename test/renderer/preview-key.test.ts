import { describe, expect, it } from 'vitest';
import { DEFAULT_SHOT_SETTINGS, shotSettingsSchema, type ShotSettings } from '../../src/shared/project.js';
import { previewKey } from '../../src/renderer/lib/preview-key.js';

// A different value for each setting; the schema check keeps them valid.
const CHANGED: { [K in keyof ShotSettings]: ShotSettings[K] } = {
  targetAge: '0-18',
  sourceAge: '40-49',
  mode: 'identity',
  detail: true,
  strength: 1.5,
  texture: 0.5,
  composite: 'replace',
  steps: 42,
  seed: 7,
  face: { x: 420, y: 96, frame: 1012 },
  ageKeys: [{ frame: 1, age: '30-39' }],
  colourSpace: 'acescg',
  regions: { mouth: 1 },
  otherFaces: [{ face: { x: 100, y: 80, frame: 1 }, targetAge: '0-18' }],
};

describe('previewKey', () => {
  it('changes with every shot setting, so no render is shown for settings it was not made with', () => {
    const base = previewKey('/p/a.0001.png', 1, DEFAULT_SHOT_SETTINGS);
    const keys = Object.keys(shotSettingsSchema.shape) as (keyof ShotSettings)[];
    expect(keys.sort()).toEqual((Object.keys(CHANGED) as (keyof ShotSettings)[]).sort());
    for (const k of keys) {
      const s = shotSettingsSchema.parse({ ...DEFAULT_SHOT_SETTINGS, [k]: CHANGED[k] });
      expect(s[k]).not.toEqual(DEFAULT_SHOT_SETTINGS[k]);
      expect(previewKey('/p/a.0001.png', 1, s), k).not.toBe(base);
    }
    expect(previewKey('/p/a.0001.png', 2, DEFAULT_SHOT_SETTINGS)).not.toBe(base);
  });

  it("changes with an other face's own target, strength and source age", () => {
    const face = { x: 100, y: 80, frame: 1 };
    const key = (o: Record<string, unknown>) =>
      previewKey(
        '/p/a.0001.png',
        1,
        shotSettingsSchema.parse({ ...DEFAULT_SHOT_SETTINGS, otherFaces: [{ face, targetAge: '0-18', ...o }] }),
      );
    const base = key({});
    expect(key({ targetAge: '60+' })).not.toBe(base);
    expect(key({ strength: 0.5 })).not.toBe(base);
    expect(key({ sourceAge: '40-49' })).not.toBe(base);
    expect(key({ face: { ...face, x: 300 } })).not.toBe(base);
  });
});
