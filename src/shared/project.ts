/**
 * The studio's project file: versioned JSON modelled after OpenTimelineIO. A
 * timeline holds clips (one per shot); each clip points at its frames through an
 * image-sequence media reference (folder + name pattern + frame range, as OTIO's
 * ImageSequenceReference does) and carries the artist's re-ageing settings.
 *
 * Also the pure path and naming helpers the renderer and the services share for
 * building export file names: no Node imports, so the renderer can use them.
 */
import { z } from 'zod';
import {
  AGE_CATEGORIES,
  COMPOSITE_MODES,
  RECONSTRUCTION_MODES,
  SEED_LIMITS,
  STEP_LIMITS,
  STRENGTH_LIMITS,
  TEXTURE_LIMITS,
  type SettingLimits,
} from './ages.js';
import { MAX_AGE_KEYS, ageKeysProblem } from './age-keys.js';
import { colourSpaceSettingSchema } from './colour-space.js';
import { regionsSchema } from './regions.js';
import { MAX_RANGE_FRAMES, formatFrame, parsePattern, type NumberedSequence } from './sequence.js';

export const PROJECT_FORMAT = 'reage.project';
/**
 * Bump when the file's shape changes, and add a migration from the previous version
 * (PROJECT_MIGRATIONS). 2: shot settings carry detail, strength and texture.
 */
export const PROJECT_VERSION = 2;
/** What the studio names its project files: `shot_042.reage` */
export const PROJECT_EXTENSION = '.reage';

/**
 * Bounds on everything a project file (or a request carrying a project) can make
 * the studio allocate or loop over: a file is untrusted input, and a few hundred
 * bytes claiming a billion frames must be refused, not expanded.
 */
export const PROJECT_LIMITS = {
  /** bytes of a .reage file; a project with hundreds of shots is well under a megabyte */
  fileBytes: 16 * 1024 * 1024,
  clips: 2000,
  /** frames in one clip's media or source range: the same ceiling as a CLI frame range */
  clipFrames: MAX_RANGE_FRAMES,
  /** frame numbers, as plates number them (at most nine digits) */
  frameNumber: 999_999_999,
  name: 256,
  path: 4096,
} as const;

// ---------------------------------------------------------------------------
// Schemas

const frameNumber = z.int().min(-PROJECT_LIMITS.frameNumber).max(PROJECT_LIMITS.frameNumber);
const nameText = z.string().min(1).max(PROJECT_LIMITS.name);
const pathText = z.string().max(PROJECT_LIMITS.path);
const stamp = z.string().max(64);

export const ageCategorySchema = z.enum(AGE_CATEGORIES);
export const sourceAgeSchema = z.union([z.literal('auto'), ageCategorySchema]);
export const reconstructionModeSchema = z.enum(RECONSTRUCTION_MODES);
export const compositeModeSchema = z.enum(COMPOSITE_MODES);

/** A number schema for a setting, from its one declaration of limits (src/shared/ages.ts). */
export function limitedNumber(limits: SettingLimits) {
  const n = z.number().min(limits.min).max(limits.max);
  return limits.integer ? n.int() : n;
}

/** Most faces of a shot a selection can name (ids count from 0). */
export const MAX_FACE_ID = 99;

/**
 * Which face of the shot to age (issue #22, "Choose the actor"): a track id (0: the
 * largest face where the first track appears, the default), or a point on a frame,
 * which picks the track whose box holds it there (the shot's first frame when no
 * frame is given). The studio stores the point a click chose; the CLI takes either.
 */
export const faceSelectionSchema = z.union([
  z.int().min(0).max(MAX_FACE_ID),
  z.object({ x: z.number(), y: z.number(), frame: frameNumber.optional() }),
]);
export type FaceSelection = z.infer<typeof faceSelectionSchema>;

/** One age key (src/shared/age-keys.ts): from `frame`, the target `age`, at `strength` (absent: the shot's). */
export const ageKeySchema = z.object({
  frame: frameNumber,
  age: ageCategorySchema,
  strength: limitedNumber(STRENGTH_LIMITS).optional(),
});

/** A shot's age keys: at least one, in frame order, one per frame (age-keys.ts ageKeysProblem). */
export const ageKeysSchema = z
  .array(ageKeySchema)
  .min(1)
  .max(MAX_AGE_KEYS)
  .superRefine((keys, ctx) => {
    const problem = ageKeysProblem(keys);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

/** Most other faces one shot may age besides its own face. */
export const MAX_OTHER_FACES = 8;

/**
 * Another face of the shot, aged too with a target of its own (issue #22: several faces
 * of one shot, each with its own target). The shot's other settings (mode, texture,
 * regions, steps) apply to it as to the shot's face; absent strength is the shot's,
 * absent source age is estimated on this face.
 */
export const otherFaceSchema = z.object({
  face: faceSelectionSchema,
  targetAge: ageCategorySchema,
  strength: limitedNumber(STRENGTH_LIMITS).optional(),
  sourceAge: sourceAgeSchema.optional(),
  ageKeys: ageKeysSchema.optional(),
});
export type OtherFace = z.infer<typeof otherFaceSchema>;

/** What an artist sets on a shot. Mirrors the engine's AgeSettings (checked in services). */
export const shotSettingsSchema = z.object({
  targetAge: ageCategorySchema,
  sourceAge: sourceAgeSchema,
  mode: reconstructionModeSchema,
  /**
   * Detail refinement after the latent (engine: detail.ts). Added after version 1
   * files were written: absent means off, which is how those shots were aged.
   */
  detail: z.boolean().default(false),
  /** How far along the age change to go (added after version 1 files: absent means 1, as they were aged). */
  strength: limitedNumber(STRENGTH_LIMITS).default(STRENGTH_LIMITS.default),
  /**
   * Amount of the prototype age layer (engine: prototype-layer.ts). Added after version 1
   * files were written: absent means 0, the Age-cGAN change alone, which is how those shots were aged.
   */
  texture: limitedNumber(TEXTURE_LIMITS).default(0),
  composite: compositeModeSchema,
  steps: limitedNumber(STEP_LIMITS),
  seed: limitedNumber(SEED_LIMITS),
  /**
   * The face to age; absent means face 0, as every shot was aged before faces had ids.
   * Optional, so version 2 files without it need no migration, and a studio that does
   * not know it keeps it (settings are loose).
   */
  face: faceSelectionSchema.optional(),
  /**
   * Age over time (issue #22): keys from which each frame's target and strength are
   * eased (age-keys.ts ageAt); absent, every frame is aged to targetAge at strength.
   * Optional, so version 2 files without it need no migration; targetAge stays the
   * shot's name for its age (export names) and a studio that does not know keys keeps them.
   */
  ageKeys: ageKeysSchema.optional(),
  /**
   * The plate's colour space (issue #18, shared/colour-space.ts); absent means auto.
   * Optional, so version 2 files without it need no migration.
   */
  colourSpace: colourSpaceSettingSchema.optional(),
  /**
   * Where on the face the change applies (issue #22, shared/regions.ts): regions
   * weakened or off, the mask's feather and grow; absent means the defaults (eyes and
   * the mouth's interior kept out), as shots were aged before regions existed.
   */
  regions: regionsSchema.optional(),
  /**
   * Other faces of the shot aged as well, each to its own target, after the shot's face
   * and in this order (issue #22); absent, the shot's face alone, as before.
   */
  otherFaces: z.array(otherFaceSchema).max(MAX_OTHER_FACES).optional(),
});
export type ShotSettings = z.infer<typeof shotSettingsSchema>;

export const DEFAULT_SHOT_SETTINGS: ShotSettings = {
  targetAge: '60+',
  sourceAge: 'auto',
  // the hybrid (G's change + the prototype layer): pixel-wise reconstruction without detail
  // refinement, chosen by eval-aging's rule (docs/EVAL.md, "Ageing that reads")
  mode: 'pixel',
  detail: false,
  strength: STRENGTH_LIMITS.default,
  texture: TEXTURE_LIMITS.default,
  composite: 'delta',
  steps: STEP_LIMITS.default,
  seed: 0,
};

/** An inclusive frame range (OTIO uses start + duration; inclusive ends read better for plates). */
export const frameRangeSchema = z
  .object({ start: frameNumber, end: frameNumber })
  .refine((r) => r.end >= r.start, { message: 'a range must not end before it starts' })
  .refine((r) => r.end - r.start < PROJECT_LIMITS.clipFrames, {
    message: `a range may hold at most ${PROJECT_LIMITS.clipFrames.toLocaleString('en')} frames`,
  });
export type FrameRange = z.infer<typeof frameRangeSchema>;

/** Where a shot's frames live: OTIO's ImageSequenceReference, reduced to what plates need. */
export const mediaReferenceSchema = z.looseObject({
  kind: z.literal('ImageSequenceReference'),
  /** absolute folder holding the frames */
  targetUrlBase: pathText.min(1),
  /** the same folder relative to the project file when it was saved: finds media moved together with the project */
  relativeUrlBase: pathText.optional(),
  /** the frames' base-name pattern, e.g. `akiyo.####.png` */
  namePattern: nameText,
  availableRange: frameRangeSchema,
  /** frames inside availableRange that were absent at import (gaps in the sequence) */
  missingFrames: z.array(frameNumber).max(PROJECT_LIMITS.clipFrames),
  /** the SMPTE timecode of availableRange.start, when the plates record one (OpenEXR, DPX; issue #18) */
  startTimecode: z
    .string()
    .regex(/^\d\d:\d\d:\d\d[:;]\d\d$/)
    .optional(),
});
export type MediaReference = z.infer<typeof mediaReferenceSchema>;

export const clipSchema = z.looseObject({
  kind: z.literal('Clip'),
  id: z.string().min(1).max(64),
  name: nameText,
  mediaReference: mediaReferenceSchema,
  /** the frames of the media the shot uses */
  sourceRange: frameRangeSchema,
  // keys this studio does not know (a newer minor feature, a pipeline's own) are kept, not dropped on save
  settings: shotSettingsSchema.loose(),
});
export type Clip = z.infer<typeof clipSchema>;

export const EXPORT_FORMATS = ['source', 'exr', 'png', 'tiff', 'jpeg'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
export const EXPORT_BIT_DEPTHS = ['source', 8, 16] as const;
export const exportBitDepthSchema = z.union([z.literal('source'), z.literal(8), z.literal(16)]);
export type ExportBitDepth = z.infer<typeof exportBitDepthSchema>;

export const exportSettingsSchema = z.looseObject({
  /** absolute output folder; empty until the artist picks one */
  folder: pathText,
  /** file name without extension; tokens {shot}, {age}, {frame} (the plate's padding) or ####, see outputPattern */
  namingPattern: nameText,
  format: z.enum(EXPORT_FORMATS),
  bitDepth: exportBitDepthSchema,
  /** also write the face matte beside each frame (single channel; added after version 2 files: absent is off) */
  matte: z.boolean().default(false),
  /** also write the change itself (aged − plate, float EXR) beside each frame (absent is off) */
  delta: z.boolean().default(false),
});
export type ExportSettings = z.infer<typeof exportSettingsSchema>;

export const DEFAULT_EXPORT_SETTINGS: ExportSettings = {
  folder: '',
  namingPattern: '{shot}_reaged.{frame}',
  format: 'source',
  bitDepth: 'source',
  matte: false,
  delta: false,
};

export const projectSchema = z.looseObject({
  format: z.literal(PROJECT_FORMAT),
  version: z.literal(PROJECT_VERSION),
  name: nameText,
  createdAt: stamp,
  modifiedAt: stamp,
  timeline: z.looseObject({
    kind: z.literal('Timeline'),
    name: z.string().max(PROJECT_LIMITS.name),
    /** frames per second, for playback */
    rate: z.number().positive().max(1000),
    clips: z.array(clipSchema).max(PROJECT_LIMITS.clips),
  }),
  exportSettings: exportSettingsSchema,
});
export type Project = z.infer<typeof projectSchema>;

// ---------------------------------------------------------------------------
// Versions

/** Turns a version-N project (parsed JSON) into version N+1. */
export type ProjectMigration = (project: Record<string, unknown>) => Record<string, unknown>;

/** Version 1's shots, written before detail, strength and texture existed, as they were aged. */
const VERSION_1_SETTINGS = { detail: false, strength: 1, texture: 0 } as const;

/**
 * Key N migrates version N to N+1; when the file changes, bump PROJECT_VERSION and
 * add the step here so old files still open. Steps touch only what they know and
 * keep every other key.
 */
export const PROJECT_MIGRATIONS: Readonly<Record<number, ProjectMigration>> = {
  1: (project) => {
    const timeline = isRecord(project.timeline) ? project.timeline : undefined;
    if (!timeline || !Array.isArray(timeline.clips)) return project;
    const clips = timeline.clips.map((clip: unknown) => {
      if (!isRecord(clip) || !isRecord(clip.settings)) return clip;
      return { ...clip, settings: { ...VERSION_1_SETTINGS, ...clip.settings } };
    });
    return { ...project, timeline: { ...timeline, clips } };
  },
};

/** The project file cannot be read; the message says why in an artist's words. */
export class ProjectFileError extends Error {
  override name = 'ProjectFileError';
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Bring a project file's JSON value of any known version up to `currentVersion`
 * by running the migrations step by step; no validation yet. Throws
 * ProjectFileError for other formats, newer versions and gaps in the chain.
 */
export function upgradeProject(
  raw: unknown,
  migrations: Readonly<Record<number, ProjectMigration>> = PROJECT_MIGRATIONS,
  currentVersion: number = PROJECT_VERSION,
): Record<string, unknown> {
  if (!isRecord(raw) || raw.format !== PROJECT_FORMAT) {
    throw new ProjectFileError('this is not a ReAge Studio project file');
  }
  let version = raw.version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    throw new ProjectFileError(`the project file has no valid version (${JSON.stringify(version)})`);
  }
  if (version > currentVersion) {
    throw new ProjectFileError(
      `the project was saved by a newer ReAge Studio (file version ${version}, this one reads up to ${currentVersion}); update the studio`,
    );
  }
  let project: Record<string, unknown> = raw;
  while (version < currentVersion) {
    const step = migrations[version];
    if (!step) throw new ProjectFileError(`no migration from project version ${version}`);
    project = { ...step(project), version: version + 1 };
    version += 1;
  }
  return project;
}

/** Parse a project file's JSON value of any known version into the current Project, or throw ProjectFileError. */
export function migrateProject(raw: unknown): Project {
  const parsed = projectSchema.safeParse(upgradeProject(raw));
  if (!parsed.success) {
    // a damaged file can hold a million bad entries: name the first few, count the rest
    const shown = 5;
    const issues = parsed.error.issues;
    const more = issues.length > shown ? `\n(and ${issues.length - shown} more problems)` : '';
    throw new ProjectFileError(
      `the project file is damaged: ${z.prettifyError(new z.ZodError(issues.slice(0, shown)))}${more}`,
    );
  }
  return parsed.data;
}

// ---------------------------------------------------------------------------
// Building projects and clips

/** A short random id; crypto.getRandomValues exists in browsers and Node. */
export function newId(): string {
  const bytes = new Uint8Array(8);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export function emptyProject(name = 'Untitled', now = new Date()): Project {
  const stamp = now.toISOString();
  return {
    format: PROJECT_FORMAT,
    version: PROJECT_VERSION,
    name,
    createdAt: stamp,
    modifiedAt: stamp,
    timeline: { kind: 'Timeline', name, rate: 24, clips: [] },
    exportSettings: { ...DEFAULT_EXPORT_SETTINGS },
  };
}

/** `akiyo.` → `akiyo`: a sequence head without the separator before the frame number. */
export function shotNameFromHead(head: string, fallback = 'shot'): string {
  const base = baseName(head).replace(/[._\-\s]+$/, '');
  return base || fallback;
}

/** A clip for a detected sequence found in `folder`. */
export function clipFromSequence(
  folder: string,
  seq: NumberedSequence,
  settings: ShotSettings = DEFAULT_SHOT_SETTINGS,
): Clip {
  const start = seq.frames[0]!;
  const end = seq.frames[seq.frames.length - 1]!;
  const missing: number[] = [];
  for (const gap of seq.gaps) for (let f = gap.from; f <= gap.to; f++) missing.push(f);
  return {
    kind: 'Clip',
    id: newId(),
    name: shotNameFromHead(seq.head),
    mediaReference: {
      kind: 'ImageSequenceReference',
      targetUrlBase: folder,
      namePattern: baseName(seq.pattern),
      availableRange: { start, end },
      missingFrames: missing,
    },
    sourceRange: { start, end },
    settings: { ...settings },
  };
}

/** The frames a clip really has: its source range minus the gaps, ascending. */
export function clipFrames(clip: Clip): number[] {
  const missing = new Set(clip.mediaReference.missingFrames);
  const frames: number[] = [];
  for (let f = clip.sourceRange.start; f <= clip.sourceRange.end; f++) if (!missing.has(f)) frames.push(f);
  return frames;
}

/** The clip's frames as one full-path pattern: `/plates/akiyo/akiyo.####.png` */
export function clipInputPattern(clip: Clip): string {
  return joinPath(clip.mediaReference.targetUrlBase, clip.mediaReference.namePattern);
}

/** The path of one of the clip's frames. */
export function clipFramePath(clip: Clip, frame: number): string {
  return formatFrame(clipInputPattern(clip), frame);
}

// ---------------------------------------------------------------------------
// Paths, without Node's path module (the renderer has none)

/** Whether a path uses Windows separators: `C:\plates` or `\\server\share`. */
function usesBackslashes(path: string): boolean {
  return path.includes('\\') && !path.includes('/');
}

export function joinPath(folder: string, name: string): string {
  if (folder === '') return name;
  const sep = usesBackslashes(folder) ? '\\' : '/';
  return folder.endsWith('/') || folder.endsWith('\\') ? folder + name : folder + sep + name;
}

export function baseName(path: string): string {
  return path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
}

export function dirName(path: string): string {
  const cut = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  if (cut < 0) return '';
  return cut === 0 ? path.slice(0, 1) : path.slice(0, cut);
}

/** True for `/x`, `C:\x`, `C:/x` and `\\server\x`. */
export function isAbsolutePath(path: string): boolean {
  return path.startsWith('/') || /^[A-Za-z]:[\\/]/.test(path) || path.startsWith('\\\\');
}

// ---------------------------------------------------------------------------
// Export naming

const FORMAT_EXTENSIONS: Record<Exclude<ExportFormat, 'source'>, string> = {
  exr: '.exr',
  png: '.png',
  tiff: '.tif',
  jpeg: '.jpg',
};

export const PASSES = ['matte', 'delta'] as const;
export type PassName = (typeof PASSES)[number];

/**
 * Where an export's compositing pass goes: a `matte` or `delta` folder beside the aged
 * frames, with the frames' own names as float EXR, so a compositor finds each pass by
 * the frame's name. `out` is the frames' full-path pattern (outputPattern).
 */
export function passPattern(out: string, pass: PassName): string {
  const name = baseName(out).replace(/\.[^.]+$/, '');
  return joinPath(joinPath(dirName(out), pass), `${name}.exr`);
}

/** `60+` → `60plus`, `0-18` → `0-18`: safe in file names on every OS. */
export function ageToken(age: string): string {
  return age.replace('+', 'plus');
}

/** Characters Windows, macOS or Linux refuse (or that would make a folder) become `_`. */
function safeFileNamePart(s: string): string {
  return s.replace(/[\\/:*?"<>|]/g, '_');
}

/** The naming pattern cannot make a file name; the message says what to change. */
export class NamingPatternError extends Error {
  override name = 'NamingPatternError';
}

/**
 * The output pattern for a clip: export folder + naming pattern with its tokens
 * filled in + the format's extension. `{shot}` is the shot's name, `{age}` its
 * target age, `{frame}` the frame number padded like the plate; `####` (or
 * `%04d`, `@@@@`) pads explicitly. Exactly one frame token is required, so every
 * frame gets its own file and keeps its number.
 */
export function outputPattern(clip: Clip, settings: ExportSettings): string {
  const plate = parsePattern(clip.mediaReference.namePattern);
  const padding = plate?.padding ?? 4;
  const name = settings.namingPattern
    .trim()
    .replaceAll('{shot}', safeFileNamePart(clip.name))
    .replaceAll('{age}', ageToken(clip.settings.targetAge))
    .replaceAll('{frame}', '#'.repeat(padding));
  if (name === '') throw new NamingPatternError('the naming pattern is empty');
  if (/[\\/]/.test(name)) throw new NamingPatternError('the naming pattern must be a file name, without folders');
  let parsed;
  try {
    parsed = parsePattern(name);
  } catch (err) {
    throw new NamingPatternError((err as Error).message);
  }
  if (!parsed) throw new NamingPatternError('the naming pattern needs a frame number: add {frame} or ####');
  const extension =
    settings.format === 'source' ? (plate?.tail.match(/\.[^.]+$/)?.[0] ?? '.png') : FORMAT_EXTENSIONS[settings.format];
  return joinPath(settings.folder, name + extension);
}
