import { describe, expect, it } from 'vitest';
import {
  ageAt,
  ageCurve,
  withAgeKey,
  withoutAgeKey,
  ageKeysProblem,
  formatAgeKey,
  parseAgeKeys,
  smoothstep,
  targetCategories,
  type AgeKey,
} from '../../src/shared/age-keys.js';
import { ageSettingsSchema } from '../../src/shared/ipc.js';
import { shotPlanSchema } from '../../src/shared/plan.js';
import { DEFAULT_SHOT_SETTINGS, migrateProject } from '../../src/shared/project.js';
import { oneClipProject } from '../helpers/one-clip-project.js';

const keys: AgeKey[] = [
  { frame: 1001, age: '30-39' },
  { frame: 1041, age: '60+' },
  { frame: 1051, age: '60+', strength: 1.5 },
];

describe('ageAt', () => {
  it('holds the first key before it and on it, the last after it and on it', () => {
    expect(ageAt(keys, 900)).toEqual({ from: '30-39', to: '30-39', t: 0, strength: 1 });
    expect(ageAt(keys, 1001)).toEqual({ from: '30-39', to: '30-39', t: 0, strength: 1 });
    expect(ageAt(keys, 1051)).toEqual({ from: '60+', to: '60+', t: 0, strength: 1.5 });
    expect(ageAt(keys, 2000)).toEqual({ from: '60+', to: '60+', t: 0, strength: 1.5 });
  });

  it('is a key’s own age on a key between others', () => {
    expect(ageAt(keys, 1041)).toEqual({ from: '60+', to: '60+', t: 0, strength: 1 });
  });

  it('eases between two keys of different ages (smoothstep)', () => {
    const mid = ageAt(keys, 1021);
    expect(mid).toMatchObject({ from: '30-39', to: '60+', strength: 1 });
    expect(mid.t).toBeCloseTo(0.5, 10);
    const quarter = ageAt(keys, 1011).t;
    expect(quarter).toBeCloseTo(smoothstep(0.25), 10);
    expect(quarter).toBeLessThan(0.25); // eased in: slower than linear near a key
    expect(ageAt(keys, 1031).t).toBeGreaterThan(0.75);
    // strictly increasing between the keys, strictly inside (0, 1)
    let prev = 0;
    for (let f = 1002; f < 1041; f++) {
      const { t } = ageAt(keys, f);
      expect(t).toBeGreaterThan(prev);
      expect(t).toBeLessThan(1);
      prev = t;
    }
  });

  it('eases the strength between keys of the same age, with no blend (t 0)', () => {
    const mid = ageAt(keys, 1046);
    expect(mid.from).toBe('60+');
    expect(mid.to).toBe('60+');
    expect(mid.t).toBe(0);
    expect(mid.strength).toBeCloseTo(1.25, 10);
  });

  it('takes the shot’s strength for keys without one', () => {
    expect(ageAt(keys, 1001, 0.5).strength).toBe(0.5);
    expect(ageAt(keys, 1046, 0.5).strength).toBeCloseTo(1, 10);
  });

  it('works with one key, and many (binary search)', () => {
    expect(ageAt([{ frame: 5, age: '0-18' }], 1)).toEqual({ from: '0-18', to: '0-18', t: 0, strength: 1 });
    const many: AgeKey[] = Array.from({ length: 200 }, (_, i) => ({ frame: i * 10, age: i % 2 ? '60+' : '0-18' }));
    expect(ageAt(many, 1235)).toMatchObject({ from: '60+', to: '0-18', t: 0.5 });
    expect(ageAt(many, 1240)).toMatchObject({ from: '0-18', to: '0-18', t: 0 });
  });

  it('refuses no keys', () => {
    expect(() => ageAt([], 1)).toThrow('at least one');
  });
});

describe('age keys’ text (the CLI)', () => {
  it('parses FRAME:CATEGORY[@STRENGTH] lists and writes them back', () => {
    const parsed = parseAgeKeys('1001:30-39,1041:60+,1051:60+@1.5');
    expect(parsed).toEqual(keys);
    expect(parsed.map(formatAgeKey).join(',')).toBe('1001:30-39,1041:60+,1051:60+@1.5');
  });

  it('names the bad key', () => {
    expect(() => parseAgeKeys('1001:30-39,1040:70+')).toThrow('age key "1040:70+": the age must be one of');
    expect(() => parseAgeKeys('1001:30-39,abc')).toThrow('age key "abc" must be FRAME:CATEGORY');
    expect(() => parseAgeKeys('1001:60+@9')).toThrow('age key "1001:60+@9": the strength must be a number from 0 to 3');
    expect(() => parseAgeKeys('1001:60+@x')).toThrow('the strength');
    expect(() => parseAgeKeys('')).toThrow('must be FRAME:CATEGORY');
  });

  it('refuses keys out of order or on one frame', () => {
    expect(() => parseAgeKeys('1040:60+,1001:30-39')).toThrow('frame order (frame 1001 comes after 1040)');
    expect(() => parseAgeKeys('1001:60+,1001:30-39')).toThrow('two age keys on frame 1001');
  });

  it('lists the categories a shot is aged to', () => {
    expect(targetCategories({ targetAge: '50-59' })).toEqual(['50-59']);
    expect(targetCategories({ targetAge: '50-59', ageKeys: keys })).toEqual(['30-39', '60+']);
  });
});

describe('age keys in the shot settings', () => {
  it('are optional: a version 2 file without them opens unchanged', () => {
    const project = migrateProject(oneClipProject({ ...DEFAULT_SHOT_SETTINGS }, 1060));
    expect(project.version).toBe(2);
    expect(project.timeline.clips[0]!.settings.ageKeys).toBeUndefined();
  });

  it('go through the project file, the engine protocol and a plan', () => {
    const project = migrateProject(oneClipProject({ ...DEFAULT_SHOT_SETTINGS, ageKeys: keys }, 1060));
    expect(project.timeline.clips[0]!.settings.ageKeys).toEqual(keys);
    expect(ageSettingsSchema.parse({ ...DEFAULT_SHOT_SETTINGS, ageKeys: keys }).ageKeys).toEqual(keys);
    const plan = shotPlanSchema.shape.settings.safeParse({
      ...DEFAULT_SHOT_SETTINGS,
      sourceAge: '30-39',
      ageKeys: keys,
    });
    expect(plan.success && plan.data.ageKeys).toEqual(keys);
  });

  it('are refused out of order, doubled, empty, unknown or beyond the limits', () => {
    const bad: unknown[] = [
      [],
      [keys[1], keys[0]],
      [keys[0], keys[0]],
      [{ frame: 1, age: '70+' }],
      [{ frame: 1.5, age: '60+' }],
      [{ frame: 1, age: '60+', strength: 4 }],
      [{ frame: 1e10, age: '60+' }],
    ];
    for (const ageKeys of bad)
      expect(() => migrateProject(oneClipProject({ ...DEFAULT_SHOT_SETTINGS, ageKeys }, 1060))).toThrow('damaged');
    expect(ageKeysProblem([keys[0]!, keys[0]!])).toBe('two age keys on frame 1001');
  });
});

describe('editing age keys', () => {
  it('adds a key in frame order, replacing one on its frame, and removes keys', () => {
    expect(withAgeKey(undefined, { frame: 5, age: '60+' })).toEqual([{ frame: 5, age: '60+' }]);
    const two = withAgeKey([{ frame: 10, age: '60+' }], { frame: 1, age: '0-18' });
    expect(two.map((k) => k.frame)).toEqual([1, 10]);
    expect(withAgeKey(two, { frame: 10, age: '40-49' })).toEqual([
      { frame: 1, age: '0-18' },
      { frame: 10, age: '40-49' },
    ]);
    expect(withoutAgeKey(two, 1)).toEqual([{ frame: 10, age: '60+' }]);
    expect(withoutAgeKey([{ frame: 10, age: '60+' }], 10)).toBeUndefined();
  });

  it('draws the curve as category positions', () => {
    const curve = ageCurve(
      [
        { frame: 0, age: '0-18' },
        { frame: 2, age: '60+' },
      ],
      [0, 1, 2, 3],
    );
    expect(curve).toEqual([0, 2.5, 5, 5]);
  });
});
