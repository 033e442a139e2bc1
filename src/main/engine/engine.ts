/**
 * The engine: picks the tf backend, loads the Age-cGAN model and face-api's
 * networks once (aging-model.ts), and serves previews and shots. The CLI, the engine
 * worker process (Electron utility process or browser-host child) and the tests all
 * start here.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import {
  ageCategoryIndex,
  ageToCategory,
  type AgeCategory,
  type BackendChoice,
  type ReconstructionMode,
} from '../../shared/ages.js';
import { patternString, splitFrameNumber } from '../../shared/sequence.js';
import type {
  EngineInfo,
  PreviewResult,
  PreviewStage,
  ReAgeEngine,
  RunHooks,
  ShotJob,
  ShotSummary,
  ShotSurvey,
} from './api.js';
import {
  ageFace,
  blendAgedFrames,
  loadAgingModel,
  type AgedFace,
  type AgedFrame,
  type AgingModel,
} from './aging-model.js';
import { initBackend, type BackendInfo } from './backend.js';
import { detectFaces } from './face-track.js';
import { FaceSelectionError, MAX_BRIDGE_GAP, facesOnFrame, selectTrack, trackFaces } from './face-tracks.js';
import { toRgb8 } from './faces.js';
import { checkSettings, frameTarget, runShot, surveyShot, warmStepsFor, type FrameTarget } from './shot.js';
import { SolvedLatents } from './solved-latents.js';
import { SOURCE_AGE_SAMPLES, estimateSourceAge, median, spread } from './source-age.js';
import { settingsPerFace } from './face-settings.js';
import type { DisplayTransform } from './plate-view.js';
import { InputError, readFrame, resolveInput, type FrameRef } from './sequence-io.js';
import { readWithColour } from './shot-colour.js';
import { StageTimer } from './stage-timer.js';
import { unionMasks, type FaceMask } from './composite.js';
import type { AgeSettings, DetectedFace, RawImage } from './types.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export { defaultModelDir } from './aging-model.js';

function appVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

export interface EngineOptions {
  backend?: BackendChoice;
  modelDir?: string;
}

/** The matte a change was composited under, as an 8-bit gray PNG of the frame, for the viewer's matte view. */
async function mattePng(mask: FaceMask): Promise<Uint8Array> {
  const { width, height } = mask;
  const gray = new Uint8Array(width * height);
  for (let i = 0; i < gray.length; i++) gray[i] = Math.round(Math.min(1, Math.max(0, mask.mask[i]!)) * 255);
  return new Uint8Array(
    await sharp(gray, { raw: { width, height, channels: 1 } })
      .png()
      .toBuffer(),
  );
}

async function png(image: RawImage): Promise<Uint8Array> {
  const { width, height } = image;
  return new Uint8Array(
    await sharp(toRgb8(image), { raw: { width, height, channels: 3 } })
      .png()
      .toBuffer(),
  );
}

/**
 * How far (in frames) a preview reaches for a solved frame of the same shot to start
 * from. The shot loop starts each frame from the one before; a face further away has
 * moved and turned more, and the warm step budget no longer closes the gap: on Tears
 * of Steel, within this reach a warm preview came out as the cold one within two 8-bit
 * levels in both modes, and twice as far the pixel mode's loss began to climb.
 */
export const WARM_PREVIEW_REACH = 12;

/**
 * After which fractions of its step budget a progressive preview shows the latent so
 * far. A picture costs about what a few pixel-mode updates cost and waits for nothing
 * but G and the compositing, so identity mode (several times slower an update) gets
 * one after every quarter, pixel mode after the first quarter only.
 */
const REFINE_FRACTIONS: Record<ReconstructionMode, readonly number[]> = {
  pixel: [0.25],
  identity: [0.25, 0.5, 0.75],
};

/** The updates after which a progressive preview of `steps` updates shows a refining picture. */
export function refineStages(mode: ReconstructionMode, steps: number): number[] {
  const after = REFINE_FRACTIONS[mode].map((f) => Math.round(f * steps)).filter((n) => n >= 1 && n < steps);
  return [...new Set(after)];
}

/**
 * Frames whose detected faces are remembered: a preview follows the faces from the
 * shot's start to its frame (the ids count from there), so a shot's worth, not one.
 */
const DETECTION_CACHE_SIZE = 2048;

/** What a stage's picture says besides the picture. */
interface StageShown {
  stage: PreviewStage['stage'];
  aged: AgedFrame;
  updates: number;
  steps: number;
  sourceAge: AgeCategory;
  warmStartFrame?: number;
}

/**
 * A progressive preview's pictures: each encoded (off the main thread, while the
 * optimisation goes on) and sent in order, the plate with the first; none once the
 * preview is aborted, and all of them before the result.
 */
class StagePictures {
  private chain: Promise<void> = Promise.resolve();
  private first = true;
  private closed = false;

  constructor(
    private readonly onStage: (stage: PreviewStage) => void,
    private readonly before: Promise<Uint8Array>,
    private readonly base: {
      frame: number;
      file: string;
      width: number;
      height: number;
      faces: PreviewResult['faces'];
      chosenFace?: number;
    },
    private readonly face: DetectedFace,
    private readonly elapsed: () => number,
    private readonly signal: AbortSignal | undefined,
  ) {}

  show({ stage, aged, updates, steps, sourceAge, warmStartFrame }: StageShown): void {
    const withBefore = this.first;
    this.first = false;
    this.chain = this.chain.then(async () => {
      try {
        const afterPng = await png(aged.output);
        const matte = await mattePng(aged.mask);
        const beforePng = withBefore ? await this.before : undefined;
        if (this.closed || this.signal?.aborted) return;
        this.onStage({
          stage,
          ...this.base,
          afterPng,
          ...(beforePng ? { beforePng } : {}),
          face: this.face,
          maskOutline: aged.mask.polygon,
          mattePng: matte,
          sourceAge,
          updates,
          steps,
          ...(warmStartFrame !== undefined ? { warmStartFrame } : {}),
          seconds: this.elapsed(),
        });
      } catch {
        // a picture that could not be made is skipped: the next one, or the result, replaces it
      }
    });
  }

  /** Resolves once every picture shown so far has been sent (or skipped). */
  sent(): Promise<void> {
    return this.chain;
  }

  /** The preview is over (its result or its error is out): nothing more is sent. */
  close(): void {
    this.closed = true;
  }
}

/** The sequence pattern a numbered frame belongs to (`/p/a.1001.png` → `/p/a.####.png`). */
function sequenceOf(path: string): string | undefined {
  const numbered = splitFrameNumber(path);
  return numbered ? patternString({ ...numbered, padding: numbered.digits.length }) : undefined;
}

class Engine implements ReAgeEngine {
  /** one job at a time: the networks and the tf backend are shared state */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly sequenceAges = new Map<string, AgeCategory>();
  /** previews' solved latents, for warm starts (shot loops keep their own track) */
  private readonly solved = new SolvedLatents();
  /** a frame file's faces, by path, size and modification time */
  private readonly detections = new Map<string, DetectedFace[]>();

  /** the loaded model's manifest hash, which a shot plan pins */
  private readonly manifestSha256: string;

  constructor(
    private readonly model: AgingModel,
    private readonly backend: BackendInfo,
  ) {
    this.manifestSha256 = createHash('sha256')
      .update(readFileSync(join(model.dir, 'manifest.json')))
      .digest('hex');
  }

  info(): EngineInfo {
    const { manifest, dir } = this.model;
    return {
      backend: this.backend.name,
      backendDetails: this.backend,
      model: {
        name: manifest.name,
        version: manifest.version,
        imageSize: manifest.imageSize,
        categories: manifest.ageCategories,
        path: dir,
        trained: manifest.trained,
        manifestSha256: this.manifestSha256,
        knownDefects: manifest.knownDefects ?? [],
      },
      versions: { app: appVersion(), tfjs: tf.version.tfjs, node: process.version },
    };
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  preview(
    file: string,
    frame: number,
    settings: AgeSettings,
    signal?: AbortSignal,
    onStage?: (stage: PreviewStage) => void,
  ): Promise<PreviewResult> {
    return this.serial(async () => {
      checkSettings(settings);
      const started = performance.now();
      const elapsed = () => (performance.now() - started) / 1000;
      const ref = { frame, path: file };
      const {
        decoded: { image },
        transform,
      } = await readWithColour(ref, settings.colourSpace);
      const [own, ...others] = settingsPerFace(settings);
      const { faces, chosen } = await this.previewFaces(ref, image, own!, transform, signal);
      const face = chosen?.face;
      // encoded while the face is aged (sharp works off the main thread)
      const before = png(image);
      before.catch(() => undefined);
      const base = {
        frame,
        file,
        width: image.width,
        height: image.height,
        faces,
        ...(chosen ? { chosenFace: chosen.id } : {}),
      };
      if (!face && !others.length)
        return { ...base, beforePng: await before, afterPng: await before, seconds: elapsed() };
      // with age keys, the frame's own strength (frameTarget)
      const useGan = (s: AgeSettings) => s.composite === 'replace' || frameTarget(s, frame).strength > 0;
      const stages =
        onStage && face && useGan(own!) ? new StagePictures(onStage, before, base, face, elapsed, signal) : undefined;
      try {
        const primary =
          chosen && face
            ? await this.agePreview({
                ref,
                image,
                face,
                faceId: chosen.id,
                settings: own!,
                useGan: useGan(own!),
                stages,
                signal,
              })
            : undefined;
        // the shot's other faces, each aged on what the one before left (as the shot loop does)
        let output = primary?.output ?? image;
        const masks = primary ? [primary.mask] : [];
        const otherIds: (number | null)[] = [];
        let first = primary;
        for (const faceSettings of others) {
          const other = (await this.previewFaces(ref, image, faceSettings, transform, signal)).chosen;
          if (!other) {
            otherIds.push(null);
            continue;
          }
          if (other.id === chosen?.id || otherIds.includes(other.id))
            throw new InputError(`face ${other.id} is aged twice in this shot: age each face once`);
          const aged = await this.agePreview({
            ref,
            image: output,
            face: other.face,
            faceId: other.id,
            settings: faceSettings,
            useGan: useGan(faceSettings),
            stages: undefined,
            signal,
          });
          output = aged.output;
          masks.push(aged.mask);
          otherIds.push(other.id);
          first ??= aged;
        }
        const mask = unionMasks(masks);
        if (!first || !mask) return { ...base, beforePng: await before, afterPng: await before, seconds: elapsed() };
        const afterPng = await png(output);
        const matte = await mattePng(mask);
        await stages?.sent();
        return {
          ...base,
          beforePng: await before,
          afterPng,
          ...(face ? { face } : {}),
          ...(others.length ? { otherFaces: otherIds } : {}),
          maskOutline: first.mask.polygon,
          mattePng: matte,
          sourceAge: first.sourceAge,
          losses: first.losses,
          ...(first.warmStartFrame !== undefined ? { warmStartFrame: first.warmStartFrame } : {}),
          seconds: elapsed(),
        };
      } finally {
        stages?.close();
      }
    });
  }

  /**
   * A preview's face aged: from the nearest solved frame of the shot when there is one
   * (or this frame's own latent as it was), from the encoder otherwise, with the
   * stages' pictures on the way; the solution is remembered.
   */
  private async agePreview(job: {
    ref: FrameRef;
    image: RawImage;
    face: DetectedFace;
    faceId: number;
    settings: AgeSettings;
    useGan: boolean;
    stages: StagePictures | undefined;
    signal: AbortSignal | undefined;
  }): Promise<AgedFace & { sourceAge: AgeCategory; warmStartFrame?: number }> {
    const { ref, image, face, faceId, settings, useGan, stages, signal } = job;
    // the frame's target under the shot's age keys (or its one target age), blended between keys
    const target = frameTarget(settings, ref.frame);
    const { targetIndex, blend } = target;
    const ageing = {
      composite: settings.composite,
      strength: target.strength,
      texture: settings.texture,
      ...(settings.regions ? { regions: settings.regions } : {}),
    };

    // The shot's source age takes seconds the first time (frames spread over the shot):
    // the encoder's picture comes first, aged from this frame's own estimate.
    let early: AgeCategory | undefined;
    if (stages && settings.sourceAge === 'auto' && !this.knownSourceAge(ref)) {
      const start = this.model.face({ image, landmarks: face.landmarks });
      try {
        const estimate = ageToCategory(await this.model.analyzer.estimateAge(image, face));
        const rec = await this.model.reconstruct(start, { sourceIndex: ageCategoryIndex(estimate), mode: 'none' });
        stages.show({
          stage: 'encoder',
          aged: blend
            ? blendAgedFrames(
                this.model.age(rec, targetIndex, ageing),
                this.model.age(rec, blend.targetIndex, ageing),
                blend.t,
              )
            : this.model.age(rec, targetIndex, ageing),
          updates: 0,
          steps: settings.steps,
          sourceAge: estimate,
        });
        early = estimate;
      } catch {
        // no early picture (a face the age network cannot read): the start's comes after the shot's estimate
      } finally {
        start.dispose();
      }
    }
    const sourceAge =
      settings.sourceAge === 'auto' ? await this.shotSourceAge(ref, settings, signal) : settings.sourceAge;
    if (!sourceAge) throw new InputError(`no age estimate for frame ${ref.frame} (${ref.path})`);
    const shot = this.solvedShot(ref.path, settings, sourceAge, faceId, target);
    const warm = useGan ? this.solved.nearest(shot, ref.frame, WARM_PREVIEW_REACH) : undefined;
    const own = warm?.frame === ref.frame;
    const steps = warm ? warmStepsFor(settings) : settings.steps;
    const warmStart = warm ? { warmStartFrame: warm.frame } : {};
    const show = (stage: PreviewStage['stage'], aged: AgedFrame, updates: number) =>
      stages?.show({ stage, aged, updates, steps, sourceAge, ...warmStart });

    const aged = await ageFace(this.model, {
      image,
      landmarks: face.landmarks,
      sourceIndex: ageCategoryIndex(sourceAge),
      targetIndex,
      ...(blend ? { blend } : {}),
      mode: settings.mode,
      detail: settings.detail,
      ...ageing,
      steps,
      seed: settings.seed,
      ...(warm ? { z0: warm.latent.z, ...(warm.latent.detail ? { detail0: warm.latent.detail } : {}) } : {}),
      ...(own ? { keep: true } : {}),
      ...(stages && !own
        ? {
            stages: {
              // the early picture is the start's own unless the shot's age came out otherwise
              ...(early !== sourceAge ? { onStart: (a: AgedFrame) => show(warm ? 'warm' : 'encoder', a, 0) } : {}),
              refineAfter: refineStages(settings.mode, steps),
              onRefined: (a: AgedFrame, updates: number) => show('refining', a, updates),
            },
          }
        : {}),
      ...(signal ? { signal } : {}),
      timer: new StageTimer(),
    });
    if (useGan) this.solved.set(shot, ref.frame, { z: aged.z, ...(aged.detail ? { detail: aged.detail } : {}) });
    return { ...aged, sourceAge, ...warmStart };
  }

  /** Whether the 'auto' source age of the frame's sequence is known already. */
  private knownSourceAge(ref: FrameRef): boolean {
    const pattern = sequenceOf(ref.path);
    return pattern !== undefined && this.sequenceAges.has(pattern);
  }

  /**
   * Every face of the preview's frame with its track id, and the chosen one (the
   * settings' face) when it is on the frame. Without a selection, or with a point on this
   * frame, the frame alone decides (ids by size on it). An id or a point on another frame
   * follows the faces from the start of the sequence the frame belongs to, as the shot
   * loop does, up to the frame (and the point's frame), a few frames beyond to bridge a
   * gap; detections are remembered per file, so the next preview pays only for new frames.
   */
  private async previewFaces(
    ref: FrameRef,
    image: RawImage,
    settings: AgeSettings,
    transform: DisplayTransform,
    signal?: AbortSignal,
  ): Promise<{ faces: PreviewResult['faces']; chosen?: { id: number; face: DetectedFace } }> {
    const selection = settings.face;
    // The common cases need this frame alone: no selection (the largest face, as on a
    // shot's first frame) and a point clicked on this frame. Only an id, which counts from
    // the sequence's start, or a point on another frame follows the faces from there.
    const local = selection === undefined || (typeof selection === 'object' && selection.frame === ref.frame);
    const pattern = local ? undefined : sequenceOf(ref.path);
    const listed = pattern ? await resolveInput(pattern).catch(() => []) : [];
    const refs = listed.some((r) => r.frame === ref.frame) ? listed : [ref];
    const at = (frame: number | undefined) => refs.findIndex((r) => r.frame === frame);
    const last = Math.max(at(ref.frame), typeof selection === 'object' ? at(selection.frame) : -1);
    const frames = [];
    for (const r of refs.slice(0, local ? 1 : last + MAX_BRIDGE_GAP + 1)) {
      signal?.throwIfAborted();
      const own = r.frame === ref.frame;
      frames.push({
        frame: r.frame,
        faces: await this.detect(own ? ref : r, transform, settings.colourSpace, own ? image : undefined),
      });
    }
    const tracks = trackFaces(frames);
    let track;
    try {
      track = selectTrack(tracks, selection, refs[0]!.frame);
    } catch (err) {
      if (err instanceof FaceSelectionError) throw new InputError(err.message);
      throw err;
    }
    const face = track?.faces.get(ref.frame)?.face;
    return { faces: facesOnFrame(tracks, ref.frame), ...(track && face ? { chosen: { id: track.id, face } } : {}) };
  }

  /**
   * Faces in a frame, remembered per file (and its size and modification time):
   * detection is deterministic. Without `image` the frame is read (none when it cannot be).
   */
  private async detect(
    ref: FrameRef,
    transform: DisplayTransform,
    colourSpace: AgeSettings['colourSpace'],
    image?: RawImage,
  ): Promise<DetectedFace[]> {
    const file = await stat(ref.path).catch(() => undefined);
    // the faces are those of the frame as a colour space shows it
    const key = file && `${ref.path}\n${file.size}\n${file.mtimeMs}\n${JSON.stringify(colourSpace ?? 'auto')}`;
    const known = key ? this.detections.get(key) : undefined;
    if (key && known) {
      this.detections.delete(key);
      this.detections.set(key, known);
      return known;
    }
    let faces: DetectedFace[];
    try {
      faces = await detectFaces(this.model.analyzer, image ?? (await readFrame(ref, { transform })).image);
    } catch (err) {
      if (image) throw err;
      return [];
    }
    if (key) {
      this.detections.set(key, faces);
      if (this.detections.size > DETECTION_CACHE_SIZE) this.detections.delete(this.detections.keys().next().value!);
    }
    return faces;
  }

  /**
   * Which solved latents a preview may start from: those of the same shot (the frame's
   * sequence, or the file alone) and model, solved with the settings the
   * reconstruction depends on (the detail offset is fitted for the target age too).
   */
  private solvedShot(
    file: string,
    settings: AgeSettings,
    sourceAge: AgeCategory,
    faceId: number,
    target: FrameTarget,
  ): string {
    const { mode, detail, steps, seed } = settings;
    return JSON.stringify([
      this.manifestSha256,
      sequenceOf(file) ?? file,
      faceId,
      mode,
      detail,
      steps,
      seed,
      sourceAge,
      // the offset is fitted for the frame's target ages (two between age keys)
      detail ? [target.targetIndex, ...(target.blend ? [target.blend.targetIndex] : [])] : null,
    ]);
  }

  /**
   * 'auto' source age for a preview, estimated as an export of the whole sequence the
   * frame belongs to estimates it (frames spread over the shot), so the preview and the
   * export age from the same category. Remembered per sequence.
   */
  private async shotSourceAge(
    ref: FrameRef,
    settings: AgeSettings,
    signal?: AbortSignal,
  ): Promise<AgeCategory | undefined> {
    const pattern = sequenceOf(ref.path);
    // a named face has an age of its own: estimated on it, as the shot loop does (shot.ts faceSourceAge)
    const key = pattern && (settings.face === undefined ? pattern : `${pattern}\n${JSON.stringify(settings.face)}`);
    const known = key ? this.sequenceAges.get(key) : undefined;
    if (known) return known;
    const refs = pattern ? await resolveInput(pattern).catch(() => [ref]) : [ref];
    const age =
      settings.face === undefined
        ? await estimateSourceAge(this.model.analyzer, refs, signal)
        : await this.namedFaceAge(refs, settings, signal);
    if (key && age) this.sequenceAges.set(key, age);
    return age;
  }

  /** A named face's age over frames spread over the sequence (those it is on), median. */
  private async namedFaceAge(
    refs: readonly FrameRef[],
    settings: AgeSettings,
    signal?: AbortSignal,
  ): Promise<AgeCategory | undefined> {
    const years: number[] = [];
    for (const r of spread(refs, SOURCE_AGE_SAMPLES)) {
      signal?.throwIfAborted();
      try {
        const { decoded, transform } = await readWithColour(r, settings.colourSpace);
        const { chosen } = await this.previewFaces(r, decoded.image, settings, transform, signal);
        if (chosen) years.push(await this.model.analyzer.estimateAge(decoded.image, chosen.face));
      } catch (err) {
        if (signal?.aborted) throw err;
        // an unreadable frame, or one the selection does not meet, is just not a sample
      }
    }
    return years.length ? ageToCategory(median(years)) : undefined;
  }

  ageShot(job: ShotJob, hooks?: RunHooks): Promise<ShotSummary> {
    return this.serial(() => runShot({ model: this.model, backend: this.backend.name }, job, hooks));
  }

  surveyShot(job: ShotJob, hooks?: RunHooks, facesAt?: readonly number[]): Promise<ShotSurvey> {
    return this.serial(() => surveyShot({ model: this.model, backend: this.backend.name }, job, hooks, facesAt));
  }

  dispose(): void {
    this.model.dispose();
  }
}

/**
 * Load everything the engine needs. Throws ModelError (naming the file and the
 * problem) for a missing, corrupt or mismatched model, and a plain Error naming the
 * backend when a forced backend cannot start.
 */
export async function createEngine(options: EngineOptions = {}): Promise<ReAgeEngine> {
  const backend = await initBackend(options.backend);
  const model = await loadAgingModel(options.modelDir !== undefined ? { modelDir: options.modelDir } : {});
  return new Engine(model, backend);
}
