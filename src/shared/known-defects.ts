/**
 * A model's known defects: flaws its evaluation found at particular target ages, that
 * an artist must know about before delivering frames aged to those targets.
 *
 * They are written into the model's manifest.json by whoever evaluated it (the model
 * card says why), carried in the engine's info to the studio and the CLI, and shown
 * wherever a target age is chosen or frames are rendered. A defect is data, not a
 * code path: a retrained model that no longer has it simply ships without the entry.
 */
import { z } from 'zod';
import type { AgeCategory } from './ages.js';
import { ageCategorySchema } from './project.js';

export const DEFECT_LEVELS = [
  /** frames at these targets need work (paint-out) before delivery */
  'warning',
  /** some frames show it: check each one */
  'note',
] as const;
export type DefectLevel = (typeof DEFECT_LEVELS)[number];

export const knownDefectSchema = z.object({
  /** the target ages at which the model shows it */
  ageCategories: z.array(ageCategorySchema).min(1),
  level: z.enum(DEFECT_LEVELS),
  /** what is wrong, in a sentence an artist reads beside the age slider */
  summary: z.string().min(1).max(400),
  /** what to do about it before delivery */
  advice: z.string().min(1).max(400),
});
export type KnownDefect = z.infer<typeof knownDefectSchema>;

export const knownDefectsSchema = z.array(knownDefectSchema);

/** The defects that apply when ageing to `target`, warnings first. */
export function defectsAt(defects: readonly KnownDefect[] | undefined, target: AgeCategory): KnownDefect[] {
  const hits = (defects ?? []).filter((d) => d.ageCategories.includes(target));
  return hits.sort((a, b) => DEFECT_LEVELS.indexOf(a.level) - DEFECT_LEVELS.indexOf(b.level));
}

/** The warning-level defects at `target`: those that need work before delivery. */
export function warningsAt(defects: readonly KnownDefect[] | undefined, target: AgeCategory): KnownDefect[] {
  return defectsAt(defects, target).filter((d) => d.level === 'warning');
}

/** "warning at 50-59: <summary> <advice>" in one line, for logs and the CLI. */
export function defectLine(defect: KnownDefect, target?: AgeCategory): string {
  const ages = target ?? defect.ageCategories.join(', ');
  return `${defect.level} at ${ages}: ${defect.summary} ${defect.advice}`;
}
