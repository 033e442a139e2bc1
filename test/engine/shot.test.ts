/** The engine's own check of a shot's settings, before any frame is read. */
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/main/engine/sequence-io.js';
import { checkSettings } from '../../src/main/engine/shot.js';
import type { AgeSettings } from '../../src/main/engine/types.js';

const settings: AgeSettings = {
  targetAge: '60+',
  sourceAge: 'auto',
  mode: 'identity',
  detail: true,
  strength: 1,
  texture: 1,
  composite: 'delta',
  steps: 10,
  seed: 0,
};

describe('checkSettings', () => {
  it('accepts the texture from 0 (the Age-cGAN change alone) to 2', () => {
    for (const texture of [0, 0.5, 1, 2]) expect(() => checkSettings({ ...settings, texture })).not.toThrow();
  });

  it('refuses a texture out of range, or not a number, as an input error naming it', () => {
    for (const texture of [-0.1, 2.5, Number.NaN, Infinity]) {
      expect(() => checkSettings({ ...settings, texture })).toThrow(InputError);
      expect(() => checkSettings({ ...settings, texture })).toThrow(`texture must be between 0 and 2 (got ${texture})`);
    }
  });

  it('refuses an age strength out of range', () => {
    expect(() => checkSettings({ ...settings, strength: 4 })).toThrow(/age strength must be between 0 and 3/);
  });
});
