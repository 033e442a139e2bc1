import { describe, expect, it } from 'vitest';
import {
  defectLine,
  defectsAt,
  knownDefectsSchema,
  warningsAt,
  type KnownDefect,
} from '../../src/shared/known-defects.js';

const NOTE: KnownDefect = {
  ageCategories: ['40-49', '50-59', '60+'],
  level: 'note',
  summary: 'Blotches on some faces.',
  advice: 'Check each frame.',
};
const WARNING: KnownDefect = {
  ageCategories: ['50-59'],
  level: 'warning',
  summary: 'A mark under the nose.',
  advice: 'Paint it out.',
};

describe('known defects', () => {
  it('finds the defects at a target, warnings first', () => {
    expect(defectsAt([NOTE, WARNING], '50-59')).toEqual([WARNING, NOTE]);
    expect(defectsAt([NOTE, WARNING], '60+')).toEqual([NOTE]);
    expect(defectsAt([NOTE, WARNING], '0-18')).toEqual([]);
    expect(defectsAt(undefined, '50-59')).toEqual([]);
  });

  it('picks the warnings out of the defects at a target', () => {
    expect(warningsAt([NOTE, WARNING], '50-59')).toEqual([WARNING]);
    expect(warningsAt([NOTE, WARNING], '60+')).toEqual([]);
    expect(warningsAt(undefined, '50-59')).toEqual([]);
  });

  it('says a defect in one line, naming the level and the ages', () => {
    expect(defectLine(WARNING)).toBe('warning at 50-59: A mark under the nose. Paint it out.');
    expect(defectLine(NOTE)).toBe('note at 40-49, 50-59, 60+: Blotches on some faces. Check each frame.');
    expect(defectLine(NOTE, '60+')).toBe('note at 60+: Blotches on some faces. Check each frame.');
  });

  it('refuses unknown ages and levels, and a defect at no age', () => {
    expect(knownDefectsSchema.safeParse([WARNING, NOTE]).success).toBe(true);
    expect(knownDefectsSchema.safeParse([{ ...WARNING, ageCategories: ['55'] }]).success).toBe(false);
    expect(knownDefectsSchema.safeParse([{ ...WARNING, ageCategories: [] }]).success).toBe(false);
    expect(knownDefectsSchema.safeParse([{ ...WARNING, level: 'fatal' }]).success).toBe(false);
    expect(knownDefectsSchema.safeParse([{ ...WARNING, summary: '' }]).success).toBe(false);
  });
});
