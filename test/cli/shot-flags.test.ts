import { describe, expect, it } from 'vitest';
import { parseCommand, UsageError, type AgeCommand } from '../../src/main/cli/args.js';
import { parseColourSpaceName, colourSpaceSettingSchema } from '../../src/shared/colour-space.js';

const age = (...flags: string[]) =>
  parseCommand(['age', 'plates/', '--out', 'out/', '--age', '60+', ...flags]) as AgeCommand;

describe('--colour-space, --ocio-config, --matte, --delta', () => {
  it('leaves the colour space to auto when not given', () => {
    expect(age().colourSpace).toBeUndefined();
  });

  it('takes built-in ids and aliases, case-insensitive', () => {
    expect(age('--colour-space', 'ACEScg').colourSpace).toBe('acescg');
    expect(age('--color-space', 'linear-srgb').colourSpace).toBe('linear-rec709');
    expect(age('--colour-space', 'auto').colourSpace).toBe('auto');
  });

  it('refuses an unknown name, listing the valid ones', () => {
    expect(() => age('--colour-space', 'P3')).toThrow(UsageError);
    expect(() => age('--colour-space', 'P3')).toThrow(/srgb, rec709, linear-rec709, acescg, aces2065-1/);
    expect(() => age('--colour-space', 'srgb', '--color-space', 'srgb')).toThrow(/not both/);
  });

  it('names an OCIO config space, which needs the space', () => {
    expect(age('--ocio-config', 'c.ocio', '--colour-space', 'ACES - ACEScg').colourSpace).toEqual({
      ocio: { config: 'c.ocio', space: 'ACES - ACEScg' },
    });
    expect(
      age('--ocio-config', 'c.ocio', '--colour-space', 'lin', '--ocio-display', 'sRGB - Texture').colourSpace,
    ).toEqual({ ocio: { config: 'c.ocio', space: 'lin', display: 'sRGB - Texture' } });
    expect(() => age('--ocio-config', 'c.ocio')).toThrow(/needs --colour-space/);
    expect(() => age('--ocio-display', 'sRGB')).toThrow(/only means something with --ocio-config/);
  });

  it('passes the matte and delta outputs beside the frames', () => {
    const cmd = age('--matte', 'out/matte/', '--delta', 'out/delta/d.####.exr');
    expect(cmd.matte).toBe('out/matte/');
    expect(cmd.delta).toBe('out/delta/d.####.exr');
    expect(age().matte).toBeUndefined();
  });

  it('takes --regions into the settings, naming a bad part', () => {
    expect(age('--regions', 'mouth=1,neck=0.5,grow=0.05').regions).toEqual({ mouth: 1, neck: 0.5, grow: 0.05 });
    expect(age().regions).toBeUndefined();
    expect(() => age('--regions', 'nose=1')).toThrow(/--regions: no region "nose"/);
  });

  it('refuses settings and passes next to --plan, which fixes them', () => {
    expect(() => parseCommand(['age', '--plan', 'p.json', '--colour-space', 'acescg'])).toThrow(/--colour-space/);
    expect(() => parseCommand(['age', '--plan', 'p.json', '--matte', 'm/'])).toThrow(/--matte/);
  });

  it('the shared schema takes what the CLI makes and nothing else', () => {
    expect(colourSpaceSettingSchema.parse(parseColourSpaceName('AP1'))).toBe('acescg');
    expect(colourSpaceSettingSchema.safeParse('p3').success).toBe(false);
    expect(colourSpaceSettingSchema.safeParse({ ocio: { config: '', space: 'x' } }).success).toBe(false);
  });
});
