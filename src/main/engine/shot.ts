/**
 * A shot, frame by frame: read, find and follow the face, smooth its landmarks over
 * time, age it (warm-starting each frame's latent from the previous frame's), write
 * the frame atomically. A frame without a usable face is passed through unchanged
 * and reported; a frame that fails is reported with its reason and the shot goes on.
 * A resumed render pre-rolls the frames before its first one, so that frame starts
 * warm as it would have in an uninterrupted render.
 */
import { readFile } from 'node:fs/promises';
import {
  SEED_LIMITS,
  STEP_LIMITS,
  STRENGTH_LIMITS,
  TEXTURE_LIMITS,
  WARM_STEP_LIMITS,
  LATENT_SMOOTHING_LIMITS,
  withinSettingLimits,
  type SettingLimits,
  ageCategoryIndex,
  ageToCategory,
  isAgeCategory,
  type ActiveBackend,
  type AgeCategory,
} from '../../shared/ages.js';
import { ageAt, ageKeysProblem, formatAgeKey } from '../../shared/age-keys.js';
import { ageFace, type AgedFace, type AgingModel } from './aging-model.js';
import { LandmarkSmoother } from './align.js';
import type { RunHooks, ShotJob, ShotSummary, ShotSurvey } from './api.js';
import { writeFileAtomic } from '../node/atomic.js';
import { detectFaces } from './face-track.js';
import {
  FaceSelectionError,
  MAX_BRIDGE_GAP,
  selectTrack,
  trackFaces,
  trackForBoxes,
  type FaceTrackInfo,
  type FrameFaces,
  type TrackedFace,
} from './face-tracks.js';
import { estimateSourceAge, estimateTrackAge } from './source-age.js';
import { faceLabel, settingsPerFace } from './face-settings.js';
import {
  IDENTITY_TRANSFORM,
  InputError,
  type DisplayTransform,
  type FrameSamples,
  applyViewChange,
  frameFormatFromPath,
  isCompleteOutput,
  prepareOutputFolders,
  readFrame,
  resolveInput,
  resolveOutputs,
  writeOutputFrame,
  type DecodedFrame,
  type FrameRef,
} from './sequence-io.js';
import { StageTimer } from './stage-timer.js';
import { passesComplete, resolvePassOutputs, writePasses, type PassOutputs } from './passes.js';
import { shotTransform } from './shot-colour.js';
import type { AgeSettings, DetectedFace, FrameReport, RawImage } from './types.js';
import { unionMasks, type FaceMask } from './composite.js';

/** Frames a resumed render or a chunk pre-rolls before its first frame (ShotJob.preRoll). */
export const DEFAULT_PRE_ROLL = 3;

/**
 * How much of the previous frame's latent each frame of a shot is aged from, unless the
 * settings say (AgeFaceRequest.smoothing; the choice: docs/EVAL.md, "Latent smoothing").
 */
export const DEFAULT_LATENT_SMOOTHING = LATENT_SMOOTHING_LIMITS.default;

/** Warm-started frames start from a z that already fits a face one frame away. */
export function warmStepsFor(settings: AgeSettings): number {
  return settings.warmSteps ?? Math.max(1, Math.ceil(settings.steps / 4));
}

/** The numeric settings the engine checks, with the names its messages use; limits from src/shared/ages.ts. */
const CHECKED_SETTINGS: readonly { key: keyof AgeSettings; name: string; limits: SettingLimits }[] = [
  { key: 'steps', name: 'steps', limits: STEP_LIMITS },
  { key: 'warmSteps', name: 'warm steps', limits: WARM_STEP_LIMITS },
  { key: 'strength', name: 'age strength', limits: STRENGTH_LIMITS },
  { key: 'texture', name: 'texture', limits: TEXTURE_LIMITS },
  { key: 'seed', name: 'seed', limits: SEED_LIMITS },
  { key: 'latentSmoothing', name: 'latent smoothing', limits: LATENT_SMOOTHING_LIMITS },
];

/** Settings that may be absent (the engine's default then applies). */
const OPTIONAL_SETTINGS: ReadonlySet<keyof AgeSettings> = new Set(['warmSteps', 'latentSmoothing']);

/** Refuse settings outside the limits the schemas, the CLI and the inspector share (callers in-process skip the schema). */
export function checkSettings(settings: AgeSettings): void {
  for (const { key, name, limits } of CHECKED_SETTINGS) {
    const value = settings[key];
    if (value === undefined && OPTIONAL_SETTINGS.has(key)) continue;
    if (typeof value !== 'number' || !withinSettingLimits(value, limits)) {
      throw new InputError(
        limits.integer
          ? `${name} must be a whole number from ${limits.min} to ${limits.max} (got ${String(value)})`
          : `${name} must be between ${limits.min} and ${limits.max} (got ${String(value)})`,
      );
    }
  }
  if (settings.ageKeys !== undefined) {
    const problem = ageKeysProblem(settings.ageKeys);
    if (problem) throw new InputError(problem);
    for (const key of settings.ageKeys) {
      if (!Number.isInteger(key.frame)) throw new InputError(`age key ${formatAgeKey(key)}: the frame must be whole`);
      if (!isAgeCategory(key.age)) throw new InputError(`age key ${formatAgeKey(key)}: no such age category`);
      if (key.strength !== undefined && !withinSettingLimits(key.strength, STRENGTH_LIMITS))
        throw new InputError(
          `age key ${formatAgeKey(key)}: age strength must be between ${STRENGTH_LIMITS.min} and ${STRENGTH_LIMITS.max}`,
        );
    }
  }
}

export function checkPreRoll(preRoll: number): void {
  if (!Number.isInteger(preRoll) || preRoll < 0)
    throw new InputError(`pre-roll must be a whole number of frames ≥ 0 (got ${preRoll})`);
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Where a frame goes: the engine's view (`image`, changed or not) put back into the
 * plate's own samples through the shot's colour transform (the one its plates were read
 * with); returns the samples written.
 */
async function writeOutput(
  path: string,
  image: RawImage,
  decoded: DecodedFrame,
  transform: DisplayTransform,
  bitDepth?: 8 | 16,
): Promise<FrameSamples> {
  const samples = await applyViewChange(decoded, image, transform);
  await writeOutputFrame(path, samples, decoded, bitDepth);
  return samples;
}

/** A frame the engine did not change: (same format) the plate's own bytes, else its samples re-encoded. */
async function passThrough(ref: FrameRef, path: string, decoded: DecodedFrame, bitDepth?: 8 | 16): Promise<void> {
  const sameFile =
    frameFormatFromPath(path) === decoded.format && (bitDepth === undefined || bitDepth === decoded.meta.bitDepth);
  // the plate's own bytes: not even a re-encode touches a frame the engine did not change
  if (sameFile) await writeFileAtomic(path, await readFile(ref.path));
  else await writeOutputFrame(path, decoded.stored, decoded, bitDepth);
}

/** The chosen face's ageing state through consecutive frames; forgotten at a gap (absent, failure, skip). */
class FaceTrack {
  private smoother = new LandmarkSmoother();
  z: Float32Array | undefined;
  /** the latent the last frame was aged from (latent smoothing) */
  shownZ: Float32Array | undefined;
  detail: Float32Array | undefined;

  smooth(face: DetectedFace): DetectedFace {
    return { ...face, landmarks: this.smoother.smooth(face.landmarks) };
  }

  lose(): void {
    this.smoother.reset();
    this.z = undefined;
    this.shownZ = undefined;
    this.detail = undefined;
  }
}

/**
 * Detect every face on the frames, in shot order, and follow them: the shot's tracks
 * (face-tracks.ts), and the seconds each frame's detection took (its `detect` stage).
 */
export async function detectTracks(
  ctx: ShotContext,
  refs: readonly FrameRef[],
  signal?: AbortSignal,
  onFrame?: (ref: FrameRef, index: number) => void,
): Promise<{ tracks: FaceTrackInfo[]; seconds: Map<number, number> }> {
  const frames: FrameFaces[] = [];
  const seconds = new Map<number, number>();
  for (const [i, ref] of refs.entries()) {
    signal?.throwIfAborted();
    let faces: FrameFaces['faces'] = [];
    try {
      const { image } = await readFrame(ref, { transform: ctx.transform ?? IDENTITY_TRANSFORM });
      const started = performance.now();
      faces = await detectFaces(ctx.model.analyzer, image);
      seconds.set(ref.frame, (performance.now() - started) / 1000);
    } catch {
      // an unreadable frame fails when the shot reaches it; here it is a frame without faces
    }
    frames.push({ frame: ref.frame, faces });
    onFrame?.(ref, i);
  }
  return { tracks: trackFaces(frames), seconds };
}

/** The face a job ages, by frame: the track its plan's boxes follow, else the settings' selection. */
export interface ChosenFace {
  id: number | null;
  /** how many tracks the frames hold */
  faces: number;
  byFrame: ReadonlyMap<number, TrackedFace>;
  /** seconds each frame's detection took, reported as its `detect` stage */
  detectSeconds?: ReadonlyMap<number, number>;
}

/**
 * Pick the track to age: a plan's (or a chunk's) boxes decide when given, since the
 * whole-shot survey resolved the selection already; otherwise `settings.face` on
 * these tracks. A selection the shot cannot meet is an InputError naming its faces.
 */
export function chooseFace(
  tracks: readonly FaceTrackInfo[],
  settings: AgeSettings,
  firstFrame: number,
  boxes?: ShotJob['faces'],
): ChosenFace {
  let track: FaceTrackInfo | undefined;
  if (boxes) track = trackForBoxes(tracks, boxes);
  else
    try {
      track = selectTrack(tracks, settings.face, firstFrame);
    } catch (err) {
      if (err instanceof FaceSelectionError) throw new InputError(err.message);
      throw err;
    }
  return { id: track?.id ?? null, faces: tracks.length, byFrame: track?.faces ?? new Map() };
}

/**
 * Each face's track (chooseFace), the shot's face first; a plan's boxes name the shot's
 * face only. Two selections that land on one track are an InputError: a face is aged once.
 */
export function chooseFaces(
  tracks: readonly FaceTrackInfo[],
  perFace: readonly AgeSettings[],
  firstFrame: number,
  boxes?: ShotJob['faces'],
): ChosenFace[] {
  const chosen = perFace.map((s, i) => chooseFace(tracks, s, firstFrame, i === 0 ? boxes : undefined));
  for (const [i, c] of chosen.entries()) {
    const j = chosen.findIndex((d) => d.id !== null && d.id === c.id);
    if (j < i)
      throw new InputError(
        `${faceLabel(j, perFace[j]!)} and ${faceLabel(i, perFace[i]!)} are the same face (face ${c.id}): age each face once`,
      );
  }
  return chosen;
}

/**
 * A face's source age: the settings' when set; else estimated over the frames, on the
 * largest face of each when no face is named (as shots always were), on the chosen
 * face's track when one is.
 */
async function faceSourceAge(
  ctx: ShotContext,
  settings: AgeSettings,
  refs: readonly FrameRef[],
  chosen: ChosenFace,
  signal?: AbortSignal,
): Promise<AgeCategory | undefined> {
  if (settings.sourceAge !== 'auto') return settings.sourceAge;
  if (settings.face === undefined) return estimateSourceAge(ctx.model.analyzer, refs, signal, ctx.transform);
  return estimateTrackAge(ctx.model.analyzer, refs, chosen.byFrame, signal, ctx.transform);
}

export interface ShotContext {
  model: AgingModel;
  backend: ActiveBackend;
  /** the shot's plates to the engine's display sRGB (shot-colour.ts); absent: the identity */
  transform?: DisplayTransform;
}

/** What a frame is aged to: its target (index), at its strength, blended with a second target between age keys. */
export interface FrameTarget {
  targetIndex: number;
  strength: number;
  blend?: { targetIndex: number; t: number };
}

/**
 * The target of `frame` under the settings: the shot's target age and strength, or,
 * with age keys, the eased age there (age-keys.ts ageAt): on a key, before the first
 * and after the last, one category as without keys; between keys of different ages,
 * both, blended by t.
 */
export function frameTarget(settings: AgeSettings, frame: number): FrameTarget {
  if (!settings.ageKeys?.length)
    return { targetIndex: ageCategoryIndex(settings.targetAge), strength: settings.strength };
  const at = ageAt(settings.ageKeys, frame, settings.strength);
  const targetIndex = ageCategoryIndex(at.from);
  if (at.from === at.to || !(at.t > 0 && at.t < 1)) return { targetIndex, strength: at.strength };
  return { targetIndex, strength: at.strength, blend: { targetIndex: ageCategoryIndex(at.to), t: at.t } };
}

/** A frame aged on a track: the plate as read and, when the chosen face is on it, its ageing. */
export type TrackedFrame =
  | { decoded: DecodedFrame; face: undefined }
  | { decoded: DecodedFrame; face: DetectedFace; bridged: boolean; aged: AgedFace; sourceAge: AgeCategory };

/**
 * Ages a shot's frames in order on one face track: what the shot loop and pre-roll
 * share. Holds the track (landmark smoother, last latent and detail offset) and the
 * shot's source age, learnt from the first face when the shot's samples had none.
 */
export class ShotTracker {
  private readonly track = new FaceTrack();

  constructor(
    private readonly ctx: ShotContext,
    private readonly settings: AgeSettings,
    public sourceAge: AgeCategory | undefined,
    /** the chosen face by frame (chooseFace) */
    private readonly chosen: ChosenFace,
    private readonly signal?: AbortSignal,
  ) {}

  /** Forget the face: the next frame starts cold (full steps, fresh smoother), as after a gap. */
  lose(): void {
    this.track.lose();
  }

  /**
   * Read the frame (or take it as another face left it: `on`) and age the chosen face on
   * it. A frame without it loses the track; a throw leaves it to the caller.
   */
  async age(ref: FrameRef, timer: StageTimer, on?: { decoded: DecodedFrame; image: RawImage }): Promise<TrackedFrame> {
    const { ctx, settings, track, signal } = this;
    const transform = ctx.transform ?? IDENTITY_TRANSFORM;
    let decoded = on?.decoded;
    if (!decoded) {
      decoded = await timer.timeAsync('read', () => readFrame(ref, { transform }));
      // the frame's faces were detected once for every face the shot ages
      timer.record('detect', this.chosen.detectSeconds?.get(ref.frame) ?? 0);
    }
    const image = on?.image ?? decoded.image;
    const tracked = this.chosen.byFrame.get(ref.frame);
    if (!tracked) {
      track.lose();
      return { decoded, face: undefined };
    }
    const face = track.smooth(tracked.face);
    // a shot whose sampled frames showed no face gets its age from the first face found
    this.sourceAge ??= await ctx.model.analyzer.estimateAge(image, tracked.face).then(ageToCategory, () => undefined);
    const sourceAge = this.sourceAge ?? settings.targetAge;
    const target = frameTarget(settings, ref.frame);
    const keep = settings.latentSmoothing ?? DEFAULT_LATENT_SMOOTHING;
    const aged = await ageFace(ctx.model, {
      image,
      landmarks: face.landmarks,
      sourceIndex: ageCategoryIndex(sourceAge),
      targetIndex: target.targetIndex,
      ...(target.blend ? { blend: target.blend } : {}),
      mode: settings.mode,
      composite: settings.composite,
      steps: track.z ? warmStepsFor(settings) : settings.steps,
      ...(track.z ? { z0: track.z } : {}),
      detail: settings.detail,
      strength: target.strength,
      texture: settings.texture,
      ...(settings.regions ? { regions: settings.regions } : {}),
      ...(track.detail ? { detail0: track.detail } : {}),
      ...(track.shownZ && keep > 0 ? { smoothing: { shownZ: track.shownZ, keep } } : {}),
      seed: settings.seed,
      ...(signal ? { signal } : {}),
      timer,
    });
    track.z = aged.z;
    track.shownZ = aged.shownZ;
    track.detail = aged.detail;
    return { decoded, face, bridged: tracked.bridged, aged, sourceAge };
  }
}

/** A frame with every face the shot ages aged on it, one after another. */
export interface FacesFrame {
  decoded: DecodedFrame;
  /** each face's result, in the shot's order (the shot's face first) */
  faces: TrackedFrame[];
  /** the frame with every face found aged; the plate's view when none was */
  output: RawImage;
  /** where the frame changed: the faces' masks together; absent when no face was aged */
  mask: FaceMask | undefined;
}

/**
 * The faces a shot ages (issue #22), each on its own track: on every frame the first
 * ages its face on the plate, the next its own on what the first left, and so on, so
 * one read and one write carry them all. One face is the shot as it always was.
 */
export class ShotFaces {
  constructor(
    readonly trackers: readonly ShotTracker[],
    private readonly signal?: AbortSignal,
  ) {}

  lose(): void {
    for (const t of this.trackers) t.lose();
  }

  async age(ref: FrameRef, timer: StageTimer): Promise<FacesFrame> {
    const faces: TrackedFrame[] = [];
    let on: { decoded: DecodedFrame; image: RawImage } | undefined;
    const masks: FaceMask[] = [];
    for (const tracker of this.trackers) {
      const result = await tracker.age(ref, timer, on);
      faces.push(result);
      const image = result.face ? result.aged.output : (on?.image ?? result.decoded.image);
      if (result.face) masks.push(result.aged.mask);
      on = { decoded: result.decoded, image };
    }
    return { decoded: on!.decoded, faces, output: on!.image, mask: unionMasks(masks) };
  }

  /**
   * Warm the tracks on the frames just before the first one to render (a resumed
   * render's, or a render-farm chunk's), so that frame gets the latents, detail offsets
   * and smoothed landmarks an uninterrupted render would have given it. Starts cold:
   * the first runs the full step budget, as the uninterrupted render's first frame
   * did. Each frame is aged as the shot loop ages it and its output discarded; one
   * that fails loses the tracks, and one without a face that face's track, as in the
   * shot. `onFrame` hears of each, for progress.
   */
  async preRoll(refs: readonly FrameRef[], onFrame?: (ref: FrameRef, seconds: number) => void): Promise<void> {
    this.lose();
    for (const ref of refs) {
      this.signal?.throwIfAborted();
      const started = performance.now();
      try {
        await this.age(ref, new StageTimer());
      } catch {
        // not reported: a pre-rolled frame's output is discarded, so its failure only breaks the tracks, as in the shot
        if (this.signal?.aborted) throw this.signal.reason;
        this.lose();
      }
      onFrame?.(ref, (performance.now() - started) / 1000);
    }
  }
}

/** The frames that pre-roll refs[index]: up to `count` just before it, from the shot's start at most. */
export function preRollRefs(refs: readonly FrameRef[], index: number, count: number): FrameRef[] {
  return refs.slice(Math.max(0, index - count), index);
}

/** Seconds per frame of work (aged, failed or pre-rolled) so far, for the ETA. */
class WorkRate {
  private seconds = 0;
  private frames = 0;

  add(seconds: number): void {
    this.seconds += seconds;
    this.frames++;
  }

  eta(framesLeft: number): number | null {
    return this.frames ? (this.seconds / this.frames) * framesLeft : null;
  }
}

export async function runShot(processCtx: ShotContext, job: ShotJob, hooks: RunHooks = {}): Promise<ShotSummary> {
  const started = performance.now();
  const { settings } = job;
  const { signal } = hooks;
  checkSettings(settings);
  const preRoll = job.preRoll ?? DEFAULT_PRE_ROLL;
  checkPreRoll(preRoll);
  const refs = await resolveInput(job.input, job.frames);
  if (!refs.length) throw new InputError('the shot has no frames');
  // the shot in shot order, for pre-roll: the job's frames unless it renders part of a longer shot
  const shot = job.shotFrames ? await resolveInput(job.input, job.shotFrames) : refs;
  const shotIndex = new Map(shot.map((r, k) => [r.frame, k]));
  const outputs = resolveOutputs(job.out, refs);
  const passes = resolvePassOutputs(job, refs, outputs);
  // before the source age and the first frame: an unwritable output must not cost a render
  await prepareOutputFolders([...outputs, ...(passes.matte ?? []), ...(passes.delta ?? [])]);
  // from the shot's first frame, so every chunk of it converts alike
  const { transform } = await shotTransform(settings.colourSpace, shot[0]!);
  const ctx: ShotContext = { ...processCtx, transform };

  // Every face of the frames this job touches, followed: from the shot's start when an id
  // or a point names the face, so ids count as in the whole shot; otherwise (a plan's
  // boxes name it, or no selection: the largest face where the frames start, as a resumed
  // or chunked render always took it) from the first pre-rolled frame, so a resume near
  // the end of a long shot does not detect it all again; a few frames past the last, to
  // bridge a gap at the end. Other faces (issue #22) are named by id or point: from the start.
  const perFace = settingsPerFace(settings);
  const firstIndex = shotIndex.get(refs[0]!.frame) ?? 0;
  const lastIndex = Math.max(...refs.map((r) => shotIndex.get(r.frame) ?? 0));
  const fromStart = perFace.length > 1 || (!job.faces && settings.face !== undefined);
  const from = fromStart ? 0 : Math.max(0, firstIndex - preRoll);
  const { tracks, seconds } = await detectTracks(ctx, shot.slice(from, lastIndex + MAX_BRIDGE_GAP + 1), signal);
  const chosenFaces = chooseFaces(tracks, perFace, shot[0]!.frame, job.faces).map((c) => ({
    ...c,
    detectSeconds: seconds,
  }));
  const chosen = chosenFaces[0]!;
  const sourceAges: (AgeCategory | undefined)[] = [];
  for (const [i, faceSettings] of perFace.entries())
    sourceAges.push(await faceSourceAge(ctx, faceSettings, refs, chosenFaces[i]!, signal));
  const sourceAge = sourceAges[0];

  const summary: ShotSummary = {
    total: refs.length,
    done: 0,
    skipped: 0,
    noFace: 0,
    failed: 0,
    failures: [],
    seconds: 0,
    backend: ctx.backend,
    ...(sourceAge ? { sourceAge } : {}),
    face: { id: chosen.id, faces: chosen.faces, bridged: 0, absent: 0 },
  };
  const faces = new ShotFaces(
    perFace.map((s, i) => new ShotTracker(ctx, s, sourceAges[i], chosenFaces[i]!, signal)),
    signal,
  );
  const [tracker] = faces.trackers as [ShotTracker];
  const rate = new WorkRate();
  const progress = (done: number, frame: number, framesLeft: number): void =>
    hooks.onProgress?.({ done, total: refs.length, frame, etaSeconds: rate.eta(framesLeft), backend: ctx.backend });
  // whether the frame handled just before went through the tracker (aged, failed or no face)
  let previousTracked = false;

  for (let i = 0; i < refs.length; i++) {
    signal?.throwIfAborted();
    const ref = refs[i]!;
    const output = outputs[i]!;
    const checkStarted = performance.now();
    let frameReport: FrameReport;
    if (job.resume && (await isCompleteOutput(output)) && (await passesComplete(passes, i))) {
      faces.lose();
      summary.skipped++;
      const seconds = (performance.now() - checkStarted) / 1000;
      frameReport = {
        frame: ref.frame,
        file: ref.path,
        output,
        seconds,
        stages: {},
        status: 'skipped',
        faceFound: false,
      };
      previousTracked = false;
    } else {
      // an uninterrupted render reaches this frame warm from the shot's previous frame;
      // when that frame was not tracked just now (skipped, or outside this job), pre-roll
      const k = shotIndex.get(ref.frame) ?? 0;
      const warm = previousTracked && i > 0 && refs[i - 1]!.frame === shot[k - 1]?.frame;
      if (!warm && k > 0 && preRoll > 0) {
        // pre-rolled frames show in the progress (frame, ETA); the count of frames done waits for this one
        const warmers = preRollRefs(shot, k, preRoll);
        let warmed = 0;
        await faces.preRoll(warmers, (r, seconds) => {
          rate.add(seconds);
          warmed++;
          progress(i, r.frame, warmers.length - warmed + refs.length - i);
        });
      }
      previousTracked = true;
      frameReport = await renderFrame(faces, ref, output, job, hooks, summary, { passes, index: i, transform });
      rate.add(frameReport.seconds);
    }
    if (tracker.sourceAge) summary.sourceAge ??= tracker.sourceAge;
    hooks.onFrame?.(frameReport);
    progress(i + 1, ref.frame, refs.length - i - 1);
  }
  summary.seconds = (performance.now() - started) / 1000;
  return summary;
}

/** Age one frame of the shot and write it (or pass it through); a failure is reported, not thrown. */
async function renderFrame(
  faces: ShotFaces,
  ref: FrameRef,
  output: string,
  job: ShotJob,
  hooks: RunHooks,
  summary: ShotSummary,
  frame: { passes: PassOutputs; index: number; transform: DisplayTransform },
): Promise<FrameReport> {
  const frameStarted = performance.now();
  const timer = new StageTimer();
  const report = (r: Omit<FrameReport, 'frame' | 'file' | 'output' | 'seconds' | 'stages'>): FrameReport => ({
    frame: ref.frame,
    file: ref.path,
    output,
    seconds: (performance.now() - frameStarted) / 1000,
    stages: timer.seconds,
    ...r,
  });
  try {
    const aged = await faces.age(ref, timer);
    const { decoded, mask } = aged;
    const own = aged.faces[0]!;
    if (!own.face && summary.face) summary.face.absent++;
    // the frame's report speaks for the shot's face, or for the first other face when it is absent
    const tracked = aged.faces.find((f) => f.face);
    if (!tracked?.face || !mask) {
      await timer.timeAsync('write', async () => {
        await passThrough(ref, output, decoded, job.bitDepth);
        await writePasses(frame.passes, frame.index, decoded, undefined, undefined);
      });
      summary.noFace++;
      return report({ status: 'no-face', faceFound: false });
    }
    const { face, sourceAge, bridged } = tracked;
    if (own.face && own.bridged && summary.face) summary.face.bridged++;
    hooks.onAged?.({
      frame: ref.frame,
      input: decoded.image,
      output: aged.output,
      mask,
      landmarks: face.landmarks,
    });
    await timer.timeAsync('write', async () => {
      const samples = await writeOutput(output, aged.output, decoded, frame.transform, job.bitDepth);
      await writePasses(frame.passes, frame.index, decoded, mask, samples);
    });
    summary.done++;
    return report({
      status: 'done',
      faceFound: true,
      ...(bridged ? { bridged } : {}),
      sourceAge,
      losses: {
        initial: tracked.aged.losses[0] ?? NaN,
        final: Math.min(...tracked.aged.losses),
        steps: tracked.aged.losses.length - 1,
      },
    });
  } catch (err) {
    if (hooks.signal?.aborted) throw hooks.signal.reason;
    faces.lose();
    summary.failed++;
    const failure = report({ status: 'failed', faceFound: false, error: errorText(err) });
    summary.failures.push(failure);
    return failure;
  }
}

/**
 * A shot's facts for its plan, ageing nothing: the source age from frames spread over
 * the whole shot, and the chosen face in each frame (every face detected and followed
 * from the shot's start, as `runShot` follows them, and the settings' face picked), so
 * every chunk rendered from the plan ages the same category on the same face. The
 * face pass covers the whole shot even with `facesAt` (ids count from its start); the
 * boxes returned are then only those frames'.
 */
export async function surveyShot(
  ctx: ShotContext,
  job: ShotJob,
  hooks: RunHooks = {},
  facesAt?: readonly number[],
): Promise<ShotSurvey> {
  const { signal } = hooks;
  const shot = await resolveInput(job.input, job.frames);
  if (!shot.length) throw new InputError('the shot has no frames');
  const { transform } = await shotTransform(job.settings.colourSpace, shot[0]!);
  ctx = { ...ctx, transform };
  const started = performance.now();
  const { tracks } = await detectTracks(ctx, shot, signal, (ref, i) => {
    const perFrame = (performance.now() - started) / 1000 / (i + 1);
    hooks.onProgress?.({
      done: i + 1,
      total: shot.length,
      frame: ref.frame,
      etaSeconds: perFrame * (shot.length - i - 1),
      backend: ctx.backend,
    });
  });
  const perFace = settingsPerFace(job.settings);
  const chosenFaces = chooseFaces(tracks, perFace, shot[0]!.frame, job.faces);
  const sourceAges: (AgeCategory | undefined)[] = [];
  for (const [i, faceSettings] of perFace.entries())
    sourceAges.push(await faceSourceAge(ctx, faceSettings, shot, chosenFaces[i]!, signal));
  const [sourceAge, ...others] = sourceAges;
  const wanted = facesAt && new Set(facesAt);
  const faces: Record<string, DetectedFace['box']> = {};
  for (const [frame, f] of chosenFaces[0]!.byFrame) if (!wanted || wanted.has(frame)) faces[String(frame)] = f.face.box;
  return {
    ...(sourceAge ? { sourceAge } : {}),
    faces,
    frames: shot.length,
    ...(others.length ? { otherSourceAges: others.map((a) => a ?? null) } : {}),
  };
}
