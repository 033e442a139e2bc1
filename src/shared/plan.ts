/**
 * A shot plan (`reage plan`): everything that must be the same for every chunk of a
 * shot rendered apart, on other cores or other machines, so the chunks join without
 * a seam. Written once; `reage age --plan FILE --frames A-B` renders any chunk from
 * it, pre-rolling the frames before A from the shot (ShotJob.shotFrames), and the
 * farm job generators (`reage farm openjd|opencue`) split it into tasks.
 *
 * Pure data and validation: no Node imports, so the studio and the CLI share it.
 */
import { z } from 'zod';
import { ageSettingsSchema, type AgeSettingsMessage, type ShotSurveyMessage } from './ipc.js';
import { PROJECT_LIMITS } from './project.js';

export const PLAN_FORMAT = 'reage.shot-plan';
export const PLAN_VERSION = 1;
/** What `reage plan` names its file when --out is a folder: `<shot>.reage-plan.json` */
export const PLAN_EXTENSION = '.reage-plan.json';
/** Frames a resumed render or a chunk pre-rolls before its first frame when its job names none (ShotJob.preRoll). */
export const DEFAULT_PRE_ROLL = 3;

const path = z.string().min(1).max(PROJECT_LIMITS.path);
const frameSpec = z.string().min(1).max(65536);
const boxSchema = z.object({ x: z.number(), y: z.number(), width: z.number(), height: z.number() });

export const shotPlanSchema = z.looseObject({
  format: z.literal(PLAN_FORMAT),
  version: z.literal(PLAN_VERSION),
  /** the shot's name, for job names and logs */
  name: z.string().min(1).max(PROJECT_LIMITS.name),
  /** the plates: a folder, a pattern or a list of files, as `reage age` takes them (absolute paths) */
  input: z.union([path, z.array(path).min(1).max(PROJECT_LIMITS.clipFrames)]),
  /** every frame of the shot, as a range (`1001-1060`); chunks are parts of it */
  frames: frameSpec,
  /** the output folder or pattern (absolute) */
  out: path,
  /** the settings with the source age resolved (never 'auto': estimated once over the whole shot) */
  settings: ageSettingsSchema.refine((s) => s.sourceAge !== 'auto', {
    message: 'a plan fixes the source age: it must not be auto',
  }),
  /** output bit depth; the plate's own when absent */
  bitDepth: z.union([z.literal(8), z.literal(16)]).optional(),
  /** where each frame's face matte and change passes go (absolute folders or patterns), when the shot writes them */
  matte: path.optional(),
  delta: path.optional(),
  /** frames each chunk pre-rolls before its first (discarded), so its track starts warm */
  preRoll: z.int().min(0).max(100),
  /** the model every chunk must load: a chunk on another model refuses to render */
  model: z.object({
    name: z.string(),
    version: z.string(),
    /** SHA-256 of the model's manifest.json, which lists every weight file's own hash */
    manifestSha256: z.string().regex(/^[0-9a-f]{64}$/),
  }),
  /**
   * The face followed through the shot, by frame: a chunk starts its track on the box
   * the whole-shot pass saw at its first frame, so a shot with several faces ages the
   * same one in every chunk. Frames where none was found are absent.
   */
  faces: z.record(z.string().regex(/^-?\d+$/), boxSchema),
  /** when and by what the plan was made, for the farm's logs */
  createdAt: z.string().max(64),
  createdBy: z.string().max(256),
});
export type ShotPlan = z.infer<typeof shotPlanSchema>;

/** Parse a plan file's JSON value, or throw with what is wrong (first few problems). */
export function parseShotPlan(raw: unknown): ShotPlan {
  const parsed = shotPlanSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues;
  const more = issues.length > 5 ? ` (and ${issues.length - 5} more problems)` : '';
  throw new Error(`not a usable shot plan: ${z.prettifyError(new z.ZodError(issues.slice(0, 5)))}${more}`);
}

/**
 * Split a shot's frames (ascending) into chunks of `size` frames, in order: the farm's
 * tasks, and the units the local workers take in turn.
 */
export function chunkFrames(frames: readonly number[], size: number): number[][] {
  if (!Number.isInteger(size) || size < 1) throw new Error(`a chunk must hold at least one frame (got ${size})`);
  const chunks: number[][] = [];
  for (let i = 0; i < frames.length; i += size) chunks.push(frames.slice(i, i + size));
  return chunks;
}

/**
 * Split a shot's frames into `workers` contiguous parts for workers that pre-roll
 * `preRoll` frames at each part's start (all but the first): part sizes are balanced
 * on frames aged, pre-roll included. Contiguous rather than interleaved, since every
 * part's start costs a pre-roll: the CLI's `--workers` and the studio's parallel
 * export both split this way.
 */
export function splitForWorkers(frames: readonly number[], workers: number, preRoll: number): number[][] {
  const n = Math.max(1, Math.min(workers, frames.length));
  // total work = frames + (n-1) * preRoll, shared equally; the first part has no pre-roll to pay
  const share = (frames.length + (n - 1) * preRoll) / n;
  const parts: number[][] = [];
  let start = 0;
  for (let i = 0; i < n; i++) {
    const size = i === n - 1 ? frames.length - start : Math.max(1, Math.round(i === 0 ? share : share - preRoll));
    parts.push(frames.slice(start, Math.min(frames.length, start + size)));
    start += size;
    if (start >= frames.length) break;
  }
  return parts.filter((p) => p.length > 0);
}

/** The settings' source ages a survey could not fix: the shot's own face, or another face by index. */
export type UnsurveyedAge = { face: 'shot' } | { face: 'other'; index: number };

/**
 * The settings with every 'auto' source age replaced by the survey's estimate over the
 * whole shot (the shot's face and each other face), so parts rendered apart age from
 * the same ages instead of each estimating its own. Those no sampled frame showed stay
 * 'auto' and are listed: a plan refuses them, the studio's parallel export lets each
 * part find no face as one render would.
 */
export function pinSurveyedAges(
  settings: AgeSettingsMessage,
  survey: Pick<ShotSurveyMessage, 'sourceAge' | 'otherSourceAges'>,
): { settings: AgeSettingsMessage; unsurveyed: UnsurveyedAge[] } {
  const unsurveyed: UnsurveyedAge[] = [];
  let { sourceAge } = settings;
  if (sourceAge === 'auto') {
    if (survey.sourceAge) sourceAge = survey.sourceAge;
    else unsurveyed.push({ face: 'shot' });
  }
  const otherFaces = settings.otherFaces?.map((other, index) => {
    if (other.sourceAge !== undefined && other.sourceAge !== 'auto') return other;
    const estimated = survey.otherSourceAges?.[index];
    if (estimated) return { ...other, sourceAge: estimated };
    unsurveyed.push({ face: 'other', index });
    return other;
  });
  return { settings: { ...settings, sourceAge, ...(otherFaces ? { otherFaces } : {}) }, unsurveyed };
}
