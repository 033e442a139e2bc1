/**
 * Every message that crosses a process boundary, defined once with a zod schema:
 *
 * - the engine protocol between the main process (or browser host) and the engine
 *   worker (Electron utility process or forked Node child);
 * - the studio protocol between the renderer and the main process (Electron IPC)
 *   or the browser host (WebSocket).
 *
 * Whoever receives a message validates it here and rejects (and logs) anything
 * else, because each side may be a different build or a hostile page.
 */
import { z } from 'zod';
import { LATENT_SMOOTHING_LIMITS, WARM_STEP_LIMITS } from './ages.js';
import { knownDefectsSchema } from './known-defects.js';
import {
  PROJECT_LIMITS,
  ageCategorySchema,
  clipSchema,
  exportBitDepthSchema,
  limitedNumber,
  projectSchema,
  shotSettingsSchema,
} from './project.js';

// ---------------------------------------------------------------------------
// Shared pieces

const id = z.string().min(1).max(64);
const frameNumber = z.int();
const seconds = z.number().nonnegative();
const path = z.string().min(1).max(PROJECT_LIMITS.path);
/** Any Uint8Array (also a Buffer or one over a SharedArrayBuffer), unlike z.instanceof's Uint8Array<ArrayBuffer>. */
export const bytesSchema = z.custom<Uint8Array>((v) => v instanceof Uint8Array, {
  message: 'expected bytes (Uint8Array)',
});

/** Why a request failed, in a form the other side can act on. */
export const ERROR_CODES = [
  'cancelled',
  'superseded',
  'engine-crashed',
  'engine-unavailable',
  'invalid-request',
  'not-found',
  /** the path is outside the folders the studio may use (see AllowedRoots) */
  'forbidden',
  'io',
  'failed',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];
export const errorInfoSchema = z.object({
  message: z.string(),
  code: z.enum(ERROR_CODES),
});
export type ErrorInfo = z.infer<typeof errorInfoSchema>;

export const activeBackendSchema = z.enum(['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu']);
const pointSchema = z.object({ x: z.number(), y: z.number() });
const boxSchema = z.object({ x: z.number(), y: z.number(), width: z.number(), height: z.number() });

// ---------------------------------------------------------------------------
// Engine data: the one declaration of the engine's own types (src/main/engine/api.ts
// and types.ts name these), so what crosses the worker boundary is what the engine uses

/** The engine's AgeSettings: the shot settings plus the optional warm-start budget. */
export const ageSettingsSchema = shotSettingsSchema.extend({
  warmSteps: limitedNumber(WARM_STEP_LIMITS).optional(),
  latentSmoothing: limitedNumber(LATENT_SMOOTHING_LIMITS).optional(),
});
export type AgeSettingsMessage = z.infer<typeof ageSettingsSchema>;

/** How the active backend runs, and why faster ones were not used (the engine's BackendInfo, engine/backend.ts). */
export const backendDetailsSchema = z.object({
  name: activeBackendSchema,
  /** wasm only: XNNPACK threads */
  threads: z.int().positive().optional(),
  /** wasm only: whether the SIMD binary was loaded */
  simd: z.boolean().optional(),
  /** backends tried before the active one, and why each was unusable */
  tried: z.array(z.object({ name: activeBackendSchema, error: z.string() })),
});
export type BackendDetailsMessage = z.infer<typeof backendDetailsSchema>;

export const engineInfoSchema = z.object({
  backend: activeBackendSchema,
  /** sent by engines that know it (createEngine's info() does) */
  backendDetails: backendDetailsSchema.optional(),
  model: z.object({
    name: z.string(),
    version: z.string(),
    imageSize: z.int().positive(),
    categories: z.array(z.string()).readonly(),
    path: z.string(),
    trained: z.boolean(),
    /** SHA-256 of manifest.json (which lists every weight file's hash): what a shot plan pins */
    manifestSha256: z.string().optional(),
    /** flaws its evaluation found at particular target ages (the manifest's knownDefects) */
    knownDefects: knownDefectsSchema,
  }),
  versions: z.object({ app: z.string(), tfjs: z.string(), node: z.string() }),
});
export type EngineInfoMessage = z.infer<typeof engineInfoSchema>;

export const detectedFaceSchema = z.object({
  box: boxSchema,
  score: z.number(),
  /** the 68 iBUG landmarks in frame pixel coordinates */
  landmarks: z.array(pointSchema),
});
export type DetectedFaceMessage = z.infer<typeof detectedFaceSchema>;

/** A face of a frame as the shot's tracks know it: its id, its box, and whether it was bridged across a gap. */
export const trackedFaceSchema = z.object({
  id: z.int().nonnegative(),
  box: boxSchema,
  /** missed by the detector on this frame; box and landmarks interpolated from the frames around it */
  bridged: z.boolean().optional(),
});
export type TrackedFaceMessage = z.infer<typeof trackedFaceSchema>;

export const FRAME_STATUSES = ['done', 'skipped', 'no-face', 'failed'] as const;
export type FrameStatus = (typeof FRAME_STATUSES)[number];
export const frameReportSchema = z.object({
  frame: frameNumber,
  file: z.string(),
  output: z.string().optional(),
  status: z.enum(FRAME_STATUSES),
  faceFound: z.boolean(),
  sourceAge: ageCategorySchema.optional(),
  losses: z.object({ initial: z.number(), final: z.number(), steps: z.int() }).optional(),
  seconds,
  error: z.string().optional(),
  /** the chosen face was missed here and its landmarks interpolated from the frames around (aged all the same) */
  bridged: z.boolean().optional(),
  /** seconds per stage: read, detect, align, encode, optimise, generate, composite, write */
  stages: z.record(z.string(), z.number()).optional(),
});
export type FrameReportMessage = z.infer<typeof frameReportSchema>;

export const shotProgressSchema = z.object({
  done: z.int().nonnegative(),
  total: z.int().nonnegative(),
  frame: frameNumber,
  etaSeconds: z.number().nullable(),
  backend: activeBackendSchema,
});
export type ShotProgressMessage = z.infer<typeof shotProgressSchema>;

export const shotSummarySchema = z.object({
  total: z.int().nonnegative(),
  done: z.int().nonnegative(),
  skipped: z.int().nonnegative(),
  noFace: z.int().nonnegative(),
  failed: z.int().nonnegative(),
  failures: z.array(frameReportSchema),
  seconds,
  backend: activeBackendSchema,
  sourceAge: ageCategorySchema.optional(),
  /**
   * the face aged: its track id (null when the shot has none), how many faces the
   * shot's frames hold, the frames it was bridged on (interpolated) and those it is
   * absent from (passed through, counted in noFace)
   */
  face: z
    .object({
      id: z.int().nonnegative().nullable(),
      faces: z.int().nonnegative(),
      bridged: z.int().nonnegative(),
      absent: z.int().nonnegative(),
    })
    .optional(),
});
export type ShotSummaryMessage = z.infer<typeof shotSummarySchema>;

export const previewResultSchema = z.object({
  frame: frameNumber,
  file: z.string(),
  width: z.int().positive(),
  height: z.int().positive(),
  /** 8-bit RGB PNG bytes of the plate and of the aged frame, for display */
  beforePng: bytesSchema,
  afterPng: bytesSchema,
  face: detectedFaceSchema.optional(),
  /** every face on the frame with its track id, for the viewer to draw and choose from */
  faces: z.array(trackedFaceSchema).optional(),
  /** the id of the face aged (the settings' face), absent when it is not on this frame */
  chosenFace: z.int().nonnegative().optional(),
  /**
   * the track id of each of the settings' other faces (issue #22), in their order, aged
   * on this frame too; null where that face is not on this frame
   */
  otherFaces: z.array(z.int().nonnegative().nullable()).optional(),
  /** mask outline in frame pixels, for the viewer's overlay */
  maskOutline: z.array(pointSchema).optional(),
  /** the matte the change was composited under (regions applied), 8-bit gray PNG of the frame's size */
  mattePng: bytesSchema.optional(),
  sourceAge: ageCategorySchema.optional(),
  losses: z.array(z.number()).optional(),
  /**
   * the frame of the same shot, solved before with these settings, whose latent the
   * preview started from (with the warm step budget); this frame itself when its own
   * was reused as it was; absent when it started from the encoder
   */
  warmStartFrame: frameNumber.optional(),
  seconds,
});
export type PreviewResultMessage = z.infer<typeof previewResultSchema>;

/**
 * A progressive preview's pictures before its result: the face aged from the
 * optimisation's start (the encoder's E(x), or the solved neighbour's latent when
 * warm-started), then from the best latent after some of its updates. Each replaces
 * the one before; the result (previewResult) is the final picture.
 */
export const PREVIEW_STAGES = ['encoder', 'warm', 'refining'] as const;
export type PreviewStageName = (typeof PREVIEW_STAGES)[number];
export const previewStageSchema = z.object({
  stage: z.enum(PREVIEW_STAGES),
  frame: frameNumber,
  file: z.string(),
  width: z.int().positive(),
  height: z.int().positive(),
  /** 8-bit RGB PNG of the aged frame at this stage */
  afterPng: bytesSchema,
  /** the plate as PNG, with the first stage only (the result carries it again) */
  beforePng: bytesSchema.optional(),
  face: detectedFaceSchema.optional(),
  faces: z.array(trackedFaceSchema).optional(),
  chosenFace: z.int().nonnegative().optional(),
  maskOutline: z.array(pointSchema).optional(),
  mattePng: bytesSchema.optional(),
  sourceAge: ageCategorySchema.optional(),
  /** the optimiser's updates behind this picture, of the `steps` it may run */
  updates: z.int().nonnegative(),
  steps: z.int().nonnegative(),
  /** as in the result: the solved frame the preview warm-starts from */
  warmStartFrame: frameNumber.optional(),
  /** since the preview began */
  seconds,
});
export type PreviewStageMessage = z.infer<typeof previewStageSchema>;

export const shotJobSchema = z.object({
  /** a folder, a pattern (name.####.ext, name.%04d.ext, name.@@@@.ext) or a list of files */
  input: z.union([path, z.array(path).min(1).max(PROJECT_LIMITS.clipFrames)]),
  /** frame range, e.g. "1001-1010" or "1001,1003-1005"; all frames when absent */
  frames: z.string().min(1).max(65536).optional(),
  /**
   * all frames of the shot these frames belong to (a range, as `frames`), when the job
   * renders part of it (the rest of a resumed export, a farm chunk): a frame whose
   * predecessor in the shot is not rendered just before it is pre-rolled from the
   * shot's frames before it, as an uninterrupted render would have reached it
   */
  shotFrames: z.string().min(1).max(65536).optional(),
  /** output folder (input names kept) or pattern */
  out: path,
  settings: ageSettingsSchema,
  /** skip frames whose output already exists and is complete */
  resume: z.boolean().optional(),
  /**
   * frames aged (and discarded) before a frame whose predecessor in the shot was not
   * tracked just before it (skipped on resume, or outside this job's frames), so its
   * track starts warm; the engine's default (3) when absent, 0 for none
   */
  preRoll: z.int().min(0).max(100).optional(),
  /**
   * the face to follow, by frame (a shot plan's whole-shot pass): a track that starts
   * cold picks the face nearest this box, so every chunk of a shot ages the same face
   */
  faces: z.record(z.string().regex(/^-?\d+$/), boxSchema).optional(),
  /** output bit depth; absent keeps the plate's (JPEG is always 8-bit) */
  bitDepth: z.union([z.literal(8), z.literal(16)]).optional(),
  /** also write each frame's face matte here: a folder or pattern, as `out` (issue #18's passes) */
  matte: path.optional(),
  /** also write each frame's change (aged − plate, in the plate's colour space) here: a folder or an .exr pattern */
  delta: path.optional(),
});
export type ShotJobMessage = z.infer<typeof shotJobSchema>;

/** What a pass over a whole shot learns for its plan: the source age and the face followed in each frame. */
export const shotSurveySchema = z.object({
  sourceAge: ageCategorySchema.optional(),
  faces: z.record(z.string(), boxSchema),
  frames: z.int().nonnegative(),
  /** the source age of each of the settings' other faces (issue #22), null where none was on the frames sampled */
  otherSourceAges: z.array(ageCategorySchema.nullable()).optional(),
});
export type ShotSurveyMessage = z.infer<typeof shotSurveySchema>;

// ---------------------------------------------------------------------------
// Engine protocol: main process / browser host <-> engine worker

export const workerRequestSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('info'), id }),
  z.object({
    type: z.literal('preview'),
    id,
    file: path,
    frame: frameNumber,
    settings: ageSettingsSchema,
    /** send the pictures on the way to the result as previewStage messages */
    stages: z.boolean().optional(),
  }),
  z.object({ type: z.literal('ageShot'), id, job: shotJobSchema }),
  /** the job's frames surveyed, ageing nothing (a parallel export's shared facts); progress streams as for ageShot */
  z.object({ type: z.literal('surveyShot'), id, job: shotJobSchema }),
  /** abort the request with this id; its reply is then an error with code 'cancelled' */
  z.object({ type: z.literal('cancel'), id }),
]);
export type WorkerRequest = z.infer<typeof workerRequestSchema>;

export const workerMessageSchema = z.discriminatedUnion('type', [
  /** sent once, when the engine has loaded */
  z.object({ type: z.literal('ready'), info: engineInfoSchema }),
  /** sent instead of ready when the engine cannot start (missing model, no backend); the worker then exits */
  z.object({ type: z.literal('startFailed'), error: errorInfoSchema }),
  z.object({ type: z.literal('infoResult'), id, info: engineInfoSchema }),
  z.object({ type: z.literal('previewResult'), id, result: previewResultSchema }),
  z.object({ type: z.literal('ageShotResult'), id, summary: shotSummarySchema }),
  z.object({ type: z.literal('surveyShotResult'), id, survey: shotSurveySchema }),
  z.object({ type: z.literal('error'), id, error: errorInfoSchema }),
  z.object({ type: z.literal('progress'), id, progress: shotProgressSchema }),
  z.object({ type: z.literal('frame'), id, report: frameReportSchema }),
  /** a preview's picture on the way to its previewResult (requested with `stages`) */
  z.object({ type: z.literal('previewStage'), id, stage: previewStageSchema }),
]);
export type WorkerMessage = z.infer<typeof workerMessageSchema>;

// ---------------------------------------------------------------------------
// Studio data

export const ENGINE_STATES = ['starting', 'ready', 'restarting', 'failed', 'stopped'] as const;
export type EngineState = (typeof ENGINE_STATES)[number];
export const engineStatusSchema = z.object({
  state: z.enum(ENGINE_STATES),
  info: engineInfoSchema.optional(),
  /** why it failed or restarted, for the status bar */
  message: z.string().optional(),
  restarts: z.int().nonnegative(),
});
export type EngineStatus = z.infer<typeof engineStatusSchema>;

/** One shot of an export, fully resolved by the renderer (paths, frames, settings). */
export const exportShotSchema = z.object({
  shotId: id,
  name: z.string().min(1).max(PROJECT_LIMITS.name),
  /** the plate's full-path pattern, e.g. /plates/akiyo/akiyo.####.png */
  input: path,
  frames: z.array(frameNumber).min(1).max(PROJECT_LIMITS.clipFrames),
  /** the output's full-path pattern; its extension chooses the format */
  out: path,
  settings: ageSettingsSchema,
  bitDepth: exportBitDepthSchema,
  /** the face matte's full-path pattern, when the export writes it */
  matte: path.optional(),
  /** the change's (aged − plate) full-path pattern (.exr), when the export writes it */
  delta: path.optional(),
});
export type ExportShot = z.infer<typeof exportShotSchema>;

export const JOB_STATUSES = ['queued', 'running', 'paused', 'cancelled', 'completed', 'failed'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
export const SHOT_JOB_STATUSES = ['pending', 'running', 'done', 'cancelled', 'failed'] as const;

export const frameFailureSchema = z.object({ frame: frameNumber, file: z.string(), error: z.string() });
export type FrameFailure = z.infer<typeof frameFailureSchema>;

export const jobShotSnapshotSchema = z.object({
  shotId: id,
  name: z.string(),
  out: z.string(),
  status: z.enum(SHOT_JOB_STATUSES),
  total: z.int().nonnegative(),
  done: z.int().nonnegative(),
  skipped: z.int().nonnegative(),
  noFace: z.int().nonnegative(),
  failed: z.int().nonnegative(),
  /** the frame being rendered now */
  currentFrame: frameNumber.nullable(),
  /** frames finished so far as a range string, e.g. "1001-1012,1014" */
  completed: z.string(),
  etaSeconds: z.number().nullable(),
  /** the source age the engine used: the override, or its estimate from the shot's first frames */
  sourceAge: ageCategorySchema.optional(),
  failures: z.array(frameFailureSchema),
  /** why the whole shot failed (unreadable input, an engine that keeps crashing) */
  error: z.string().optional(),
});
export type JobShotSnapshot = z.infer<typeof jobShotSnapshotSchema>;

export const jobSnapshotSchema = z.object({
  id,
  kind: z.literal('export'),
  status: z.enum(JOB_STATUSES),
  /** epoch milliseconds */
  createdAt: z.number(),
  startedAt: z.number().nullable(),
  finishedAt: z.number().nullable(),
  etaSeconds: z.number().nullable(),
  /** how many times the engine was restarted under this job */
  restarts: z.int().nonnegative(),
  message: z.string().optional(),
  shots: z.array(jobShotSnapshotSchema),
});
export type JobSnapshot = z.infer<typeof jobSnapshotSchema>;

export const MEDIA_STATES = ['ok', 'relinked', 'partial', 'missing'] as const;
export const mediaCheckSchema = z.object({
  clipId: id,
  name: z.string(),
  /** ok: all frames found; relinked: found beside the project after a move; partial: some frames gone; missing: none found */
  state: z.enum(MEDIA_STATES),
  folder: z.string(),
  /** where the project said the frames were, when they were found elsewhere */
  movedFrom: z.string().optional(),
  /** frames the clip uses that are not on disk */
  missingFrames: z.array(frameNumber),
});
export type MediaCheck = z.infer<typeof mediaCheckSchema>;

export const recentProjectSchema = z.object({
  path,
  name: z.string(),
  openedAt: z.string(),
  exists: z.boolean(),
});
export type RecentProject = z.infer<typeof recentProjectSchema>;

/** An untitled project's autosave in the studio's data folder: what a reload or a crash left behind. */
export const untitledAutosaveSchema = z.object({
  path,
  name: z.string(),
  /** when it was last written, milliseconds since the epoch */
  modifiedMs: z.number().nonnegative(),
});
export type UntitledAutosave = z.infer<typeof untitledAutosaveSchema>;

export const folderEntrySchema = z.object({ name: z.string(), kind: z.enum(['file', 'folder']) });
export type FolderEntry = z.infer<typeof folderEntrySchema>;

export const PICK_PURPOSES = ['importFolder', 'openProject', 'saveProject', 'exportFolder'] as const;
export type PickPurpose = (typeof PICK_PURPOSES)[number];

/** The most entries one files.list answer carries (the rest is cut, and the answer says `truncated`). */
export const FILES_LIST_LIMIT = 5000;
export const BROWSER_ENTRY_KINDS = ['folder', 'file', 'sequence'] as const;
export type BrowserEntryKind = (typeof BROWSER_ENTRY_KINDS)[number];
/** One row of the in-app file browser: a folder, a file, or a numbered image sequence shown as one. */
export const browserEntrySchema = z.object({
  /** the file or folder name; for a sequence its pattern, e.g. akiyo.####.png */
  name: z.string().min(1).max(PROJECT_LIMITS.path),
  /** absolute; for a sequence the pattern's path, e.g. /plates/akiyo/akiyo.####.png */
  path,
  kind: z.enum(BROWSER_ENTRY_KINDS),
  /** a sequence's frames for people to read: "1001–1060 · 60 frames" (gaps named after) */
  frames: z.string().max(1024).optional(),
  /** bytes (files only) */
  size: z.number().nonnegative().optional(),
  /** epoch milliseconds (a sequence: its first frame's) */
  modifiedAt: z.number().optional(),
});
export type BrowserEntry = z.infer<typeof browserEntrySchema>;
export const filesListResultSchema = z.object({
  /** the folder listed, as its real path */
  dir: path,
  /** the folder above it, null where that is outside the allowed roots (at a root) */
  parent: path.nullable(),
  /** the allowed roots, the ones the studio was given first and its data folder last */
  roots: z.array(path),
  /** folders first, then files and sequences, each by name (numbers in order); hidden files left out */
  entries: z.array(browserEntrySchema).max(FILES_LIST_LIMIT),
  /** the folder holds more than the answer carries */
  truncated: z.boolean().optional(),
});
export type FilesListResult = z.infer<typeof filesListResultSchema>;

// ---------------------------------------------------------------------------
// Studio protocol: renderer -> main process / browser host, request and result per method

const empty = z.object({});

export const studioMethods = {
  'engine.status': { params: empty, result: engineStatusSchema },
  /**
   * renders one frame; a newer request in the same group supersedes an older one still
   * waiting or running. With a previewId, the pictures on the way to the result come
   * first as 'preview' events carrying it (none from a superseded request).
   */
  /**
   * a preview rendered before (this session or an earlier one: they are kept on disk) for
   * this file, frame, settings and the loaded model, without rendering; null when none
   */
  'preview.cached': {
    params: z.object({ file: path, frame: frameNumber, settings: ageSettingsSchema }),
    result: z.object({ result: previewResultSchema.nullable() }),
  },
  'preview.render': {
    params: z.object({
      file: path,
      frame: frameNumber,
      settings: ageSettingsSchema,
      group: id.optional(),
      previewId: id.optional(),
    }),
    result: previewResultSchema,
  },
  'fs.listFolder': {
    params: z.object({ path }),
    result: z.object({ path, entries: z.array(folderEntrySchema) }),
  },
  /**
   * a folder for the in-app file browser (where there is no native dialog): its
   * entries, numbered image sequences collapsed to one each; absent `dir`, the first
   * root. Refused (forbidden) outside the allowed roots; symlinks leading out of them
   * are left out of the listing and refused when named.
   */
  'files.list': { params: z.object({ dir: path.optional() }), result: filesListResultSchema },
  /** image bytes for display (plates, thumbnails): PNG, JPEG, TIFF only */
  'fs.readImage': {
    params: z.object({ path }),
    result: z.object({ path, mime: z.string(), bytes: bytesSchema }),
  },
  /** what a plate's header says about time: frame rate and timecode (OpenEXR, DPX; nothing for other formats) */
  'plate.info': {
    params: z.object({ path }),
    result: z.object({
      frameRate: z.number().positive().max(1000).optional(),
      timecode: z
        .string()
        .regex(/^\d\d:\d\d:\d\d[:;]\d\d$/)
        .optional(),
    }),
  },
  /** the folders requests may name (the host's --root folders, the data folder, what the user chose) */
  'fs.roots': { params: empty, result: z.object({ roots: z.array(path) }) },
  /** a native file dialog where there is one (Electron); path null when cancelled or unavailable; a chosen path becomes allowed */
  'dialog.pick': {
    params: z.object({ purpose: z.enum(PICK_PURPOSES), defaultPath: path.optional() }),
    result: z.object({ path: z.string().nullable(), native: z.boolean() }),
  },
  'project.open': {
    params: z.object({ path }),
    result: z.object({
      path,
      project: projectSchema,
      media: z.array(mediaCheckSchema),
      /** a newer autosave of this project, which the studio offers to recover */
      autosavePath: path.optional(),
    }),
  },
  'project.save': {
    params: z.object({ path, project: projectSchema }),
    result: z.object({ path, project: projectSchema }),
  },
  /** a crash-safety copy beside the project (or in the studio's data folder while untitled) */
  'project.autosave': {
    params: z.object({ path: path.nullable(), project: projectSchema }),
    result: z.object({ path }),
  },
  'project.recent': { params: empty, result: z.object({ projects: z.array(recentProjectSchema) }) },
  /** untitled projects' autosaves, newest first, which the studio offers to reopen at start */
  'project.untitledAutosaves': { params: empty, result: z.object({ autosaves: z.array(untitledAutosaveSchema) }) },
  /** open one of them: as project.open, but it stays untitled and out of the recent list */
  'project.reopenAutosave': {
    params: z.object({ path }),
    result: z.object({ project: projectSchema, media: z.array(mediaCheckSchema) }),
  },
  /** find every shot's frames; shots whose frames moved beside the project come back relinked */
  'project.checkMedia': {
    params: z.object({ project: projectSchema, projectPath: path.nullable() }),
    result: z.object({ project: projectSchema, media: z.array(mediaCheckSchema) }),
  },
  /** point a clip at a folder holding its frames (after they moved) */
  'project.relinkClip': {
    params: z.object({ clip: clipSchema, folder: path }),
    result: z.object({ clip: clipSchema, check: mediaCheckSchema }),
  },
  'export.start': {
    params: z.object({ shots: z.array(exportShotSchema).min(1).max(PROJECT_LIMITS.clips), skipExisting: z.boolean() }),
    result: z.object({ jobId: id }),
  },
  'export.cancel': { params: z.object({ jobId: id }), result: empty },
  /** re-run a cancelled or failed job's unfinished frames (finished ones are kept) */
  'export.resume': { params: z.object({ jobId: id }), result: empty },
  'jobs.list': { params: empty, result: z.object({ jobs: z.array(jobSnapshotSchema) }) },
} as const;

export type StudioMethod = keyof typeof studioMethods;
export const STUDIO_METHODS = Object.keys(studioMethods) as StudioMethod[];
export type StudioParams<M extends StudioMethod> = z.infer<(typeof studioMethods)[M]['params']>;
export type StudioResult<M extends StudioMethod> = z.infer<(typeof studioMethods)[M]['result']>;
export type StudioRequest = { [M in StudioMethod]: { method: M; params: StudioParams<M> } }[StudioMethod];

export const MENU_COMMANDS = [
  'newProject',
  'openProject',
  'saveProject',
  'saveProjectAs',
  'importFrames',
  'export',
  'undo',
  'redo',
  'playPause',
  'renderPreview',
] as const;
export type MenuCommand = (typeof MENU_COMMANDS)[number];

/** Pushed from main / host to the renderer. */
export const studioEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('engine'), status: engineStatusSchema }),
  z.object({ type: z.literal('job'), job: jobSnapshotSchema }),
  z.object({ type: z.literal('menu'), command: z.enum(MENU_COMMANDS) }),
  /** a picture of the preview requested with this previewId, before its reply */
  z.object({ type: z.literal('preview'), previewId: id, stage: previewStageSchema }),
]);
export type StudioEvent = z.infer<typeof studioEventSchema>;

/** What a studio request returns across Electron IPC (errors cannot cross ipcRenderer.invoke intact). */
export const studioReplySchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), result: z.unknown() }),
  z.object({ ok: z.literal(false), error: errorInfoSchema }),
]);
export type StudioReply = z.infer<typeof studioReplySchema>;

// ---------------------------------------------------------------------------
// Validation helpers

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

function parsed<T>(result: z.ZodSafeParseResult<T>): Parsed<T> {
  return result.success ? { ok: true, value: result.data } : { ok: false, error: z.prettifyError(result.error) };
}

export function parseWorkerRequest(raw: unknown): Parsed<WorkerRequest> {
  return parsed(workerRequestSchema.safeParse(raw));
}

export function parseWorkerMessage(raw: unknown): Parsed<WorkerMessage> {
  return parsed(workerMessageSchema.safeParse(raw));
}

export function parseStudioEvent(raw: unknown): Parsed<StudioEvent> {
  return parsed(studioEventSchema.safeParse(raw));
}

function isStudioMethod(m: unknown): m is StudioMethod {
  return typeof m === 'string' && Object.hasOwn(studioMethods, m);
}

/** Validate a request envelope `{ method, params }` as it arrives in main or the host. */
export function parseStudioRequest(raw: unknown): Parsed<StudioRequest> {
  if (typeof raw !== 'object' || raw === null) return { ok: false, error: 'a request must be an object' };
  const { method, params } = raw as { method?: unknown; params?: unknown };
  if (!isStudioMethod(method)) return { ok: false, error: `unknown method ${JSON.stringify(method)}` };
  const result = studioMethods[method].params.safeParse(params);
  if (!result.success) return { ok: false, error: `${method}: ${z.prettifyError(result.error)}` };
  return { ok: true, value: { method, params: result.data } as StudioRequest };
}

/** Validate a method's result as it arrives in the renderer. */
export function parseStudioResult<M extends StudioMethod>(method: M, raw: unknown): Parsed<StudioResult<M>> {
  const result = studioMethods[method].result.safeParse(raw) as z.ZodSafeParseResult<StudioResult<M>>;
  return parsed(result);
}

// ---------------------------------------------------------------------------
// Electron IPC channels and the preload bridge

export const IPC_CHANNELS = {
  invoke: 'reage:invoke',
  event: 'reage:event',
  /** preload → main: the path of a file dropped on the window, whose folder becomes an allowed root */
  grantDropped: 'reage:grant-dropped',
} as const;
export type IpcChannel = (typeof IPC_CHANNELS)[keyof typeof IPC_CHANNELS];

/** What preload exposes as `window.reage`. Untyped payloads: the renderer validates what it receives. */
export interface ReageBridge {
  invoke(request: { method: string; params: unknown }): Promise<unknown>;
  onEvent(listener: (event: unknown) => void): () => void;
  /** the absolute path of a dropped file (Electron only: browsers do not reveal it) */
  pathForFile(file: File): string;
  platform: string;
}

// ---------------------------------------------------------------------------
// WebSocket protocol (browser host): JSON text frames, bytes as base64

export const wsClientMessageSchema = z.object({
  kind: z.literal('request'),
  id: z.int().nonnegative(),
  method: z.string().max(64),
  params: z.unknown(),
});
export type WsClientMessage = z.infer<typeof wsClientMessageSchema>;

export const wsServerMessageSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('response'), id: z.int().nonnegative(), reply: studioReplySchema }),
  z.object({ kind: z.literal('event'), event: z.unknown() }),
  /** the host could not read a message well enough to answer it as a request (no usable id) */
  z.object({ kind: z.literal('rejected'), error: errorInfoSchema }),
]);
export type WsServerMessage = z.infer<typeof wsServerMessageSchema>;

/** Query parameter that carries the host's per-launch token. */
export const HOST_TOKEN_PARAM = 'token';
export const HOST_SOCKET_PATH = '/ws';

const BYTES_KEY = '$bytes';

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  const chunk = 0x8000; // String.fromCharCode takes arguments on the stack
  for (let i = 0; i < bytes.length; i += chunk) binary += String.fromCharCode(...bytes.subarray(i, i + chunk));
  return btoa(binary);
}

function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** JSON with Uint8Arrays as `{ "$bytes": base64 }`, so images survive a text WebSocket. */
export function encodeWire(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (v instanceof Uint8Array ? { [BYTES_KEY]: toBase64(v) } : v));
}

/** The inverse of encodeWire; throws SyntaxError on malformed JSON. */
export function decodeWire(text: string): unknown {
  return JSON.parse(text, (_key, v: unknown) => {
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
      const rec = v as Record<string, unknown>;
      const encoded = rec[BYTES_KEY];
      if (typeof encoded === 'string' && Object.keys(rec).length === 1) return fromBase64(encoded);
    }
    return v;
  });
}
