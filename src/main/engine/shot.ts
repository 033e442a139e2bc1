/**
 * A shot, frame by frame: read, find and follow the face, smooth its landmarks over
 * time, age it (warm-starting each frame's latent from the previous frame's), write
 * the frame atomically. A frame without a usable face is passed through unchanged
 * and reported; a frame that fails is reported with its reason and the shot goes on.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import {
  STRENGTH_LIMITS,
  TEXTURE_LIMITS,
  ageCategoryIndex,
  type ActiveBackend,
  type AgeCategory,
} from '../../shared/ages.js';
import { ageFace, type AgingNetworks } from './age-face.js';
import { LandmarkSmoother } from './align.js';
import type { RunHooks, ShotJob, ShotSummary } from './api.js';
import { writeFileAtomic } from './atomic.js';
import { detectFaces, pickFace } from './face-track.js';
import { estimateSourceAge } from './source-age.js';
import {
  InputError,
  frameFormatFromPath,
  isCompleteOutput,
  readFrame,
  resolveInput,
  resolveOutputs,
  withBitDepth,
  writeFrame,
  type DecodedFrame,
  type FrameRef,
} from './sequence-io.js';
import { StageTimer } from './stage-timer.js';
import type { AgeSettings, DetectedFace, FrameReport, RawImage } from './types.js';

/** Warm-started frames start from a z that already fits a face one frame away. */
export function warmStepsFor(settings: AgeSettings): number {
  return settings.warmSteps ?? Math.max(1, Math.ceil(settings.steps / 4));
}

export function checkSettings(settings: AgeSettings): void {
  if (!Number.isInteger(settings.steps) || settings.steps < 0)
    throw new InputError(`steps must be a whole number ≥ 0 (got ${settings.steps})`);
  if (settings.warmSteps !== undefined && (!Number.isInteger(settings.warmSteps) || settings.warmSteps < 0))
    throw new InputError(`warm steps must be a whole number ≥ 0 (got ${settings.warmSteps})`);
  if (!(settings.strength >= STRENGTH_LIMITS.min && settings.strength <= STRENGTH_LIMITS.max))
    throw new InputError(
      `age strength must be between ${STRENGTH_LIMITS.min} and ${STRENGTH_LIMITS.max} (got ${settings.strength})`,
    );
  if (!(settings.texture >= TEXTURE_LIMITS.min && settings.texture <= TEXTURE_LIMITS.max))
    throw new InputError(
      `texture must be between ${TEXTURE_LIMITS.min} and ${TEXTURE_LIMITS.max} (got ${settings.texture})`,
    );
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Where a frame goes: its pixels, or (unchanged, same format) the plate's own bytes. */
async function writeOutput(path: string, image: RawImage, decoded: DecodedFrame, bitDepth?: 8 | 16): Promise<void> {
  const format = frameFormatFromPath(path) ?? decoded.format;
  const converted = withBitDepth(image, bitDepth ?? image.bitDepth);
  await writeFrame(path, converted, format, { ...decoded.meta, bitDepth: converted.bitDepth });
}

async function passThrough(ref: FrameRef, path: string, decoded: DecodedFrame, bitDepth?: 8 | 16): Promise<void> {
  const sameFile =
    frameFormatFromPath(path) === decoded.format && (bitDepth === undefined || bitDepth === decoded.image.bitDepth);
  // the plate's own bytes: not even a re-encode touches a frame the engine did not change
  if (sameFile) await writeFileAtomic(path, await readFile(ref.path));
  else await writeOutput(path, decoded.image, decoded, bitDepth);
}

/** Follows one face through consecutive frames; forgets it at a gap (no face, failure, skip). */
class FaceTrack {
  private smoother = new LandmarkSmoother();
  previous: DetectedFace | undefined;
  z: Float32Array | undefined;
  detail: Float32Array | undefined;

  follow(faces: readonly DetectedFace[]): DetectedFace | undefined {
    const face = pickFace(faces, this.previous);
    if (!face) return undefined;
    this.previous = face;
    return { ...face, landmarks: this.smoother.smooth(face.landmarks) };
  }

  lose(): void {
    this.smoother.reset();
    this.previous = undefined;
    this.z = undefined;
    this.detail = undefined;
  }
}

export interface ShotContext {
  nets: AgingNetworks;
  backend: ActiveBackend;
}

export async function runShot(ctx: ShotContext, job: ShotJob, hooks: RunHooks = {}): Promise<ShotSummary> {
  const started = performance.now();
  const { settings } = job;
  const { signal } = hooks;
  checkSettings(settings);
  const refs = await resolveInput(job.input, job.frames);
  if (!refs.length) throw new InputError('the shot has no frames');
  const outputs = resolveOutputs(job.out, refs);
  for (const dir of new Set(outputs.map((p) => dirname(p)))) await mkdir(dir, { recursive: true });

  let sourceAge: AgeCategory | undefined = settings.sourceAge === 'auto' ? undefined : settings.sourceAge;
  if (!sourceAge) sourceAge = await estimateSourceAge(ctx.nets.analyzer, refs, signal);

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
  };
  const track = new FaceTrack();
  let workedSeconds = 0;
  let worked = 0;

  for (let i = 0; i < refs.length; i++) {
    signal?.throwIfAborted();
    const ref = refs[i]!;
    const output = outputs[i]!;
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

    let frameReport: FrameReport;
    if (job.resume && (await isCompleteOutput(output))) {
      track.lose();
      summary.skipped++;
      frameReport = report({ status: 'skipped', faceFound: false });
    } else {
      try {
        frameReport = await ageOneFrame();
      } catch (err) {
        if (signal?.aborted) throw signal.reason;
        track.lose();
        summary.failed++;
        frameReport = report({ status: 'failed', faceFound: false, error: errorText(err) });
        summary.failures.push(frameReport);
      }
      worked++;
      workedSeconds += frameReport.seconds;
    }
    hooks.onFrame?.(frameReport);
    const remaining = refs.length - i - 1;
    hooks.onProgress?.({
      done: i + 1,
      total: refs.length,
      frame: ref.frame,
      etaSeconds: worked ? (workedSeconds / worked) * remaining : null,
      backend: ctx.backend,
    });

    async function ageOneFrame(): Promise<FrameReport> {
      const decoded = await timer.timeAsync('read', () => readFrame(ref));
      const faces = await timer.timeAsync('detect', () => detectFaces(ctx.nets.analyzer, decoded.image));
      const face = track.follow(faces);
      if (!face) {
        track.lose();
        await timer.timeAsync('write', () => passThrough(ref, output, decoded, job.bitDepth));
        summary.noFace++;
        return report({ status: 'no-face', faceFound: false });
      }
      // a shot whose sampled frames showed no face gets its age from the first face found
      sourceAge ??= await estimateSourceAge(ctx.nets.analyzer, [ref], signal);
      summary.sourceAge ??= sourceAge;
      const src = sourceAge ?? settings.targetAge;
      const warm = track.z !== undefined;
      const aged = await ageFace(ctx.nets, {
        image: decoded.image,
        landmarks: face.landmarks,
        sourceIndex: ageCategoryIndex(src),
        targetIndex: ageCategoryIndex(settings.targetAge),
        mode: settings.mode,
        composite: settings.composite,
        steps: warm ? warmStepsFor(settings) : settings.steps,
        ...(track.z ? { z0: track.z } : {}),
        detail: settings.detail,
        strength: settings.strength,
        texture: settings.texture,
        ...(track.detail ? { detail0: track.detail } : {}),
        seed: settings.seed,
        ...(signal ? { signal } : {}),
        timer,
      });
      hooks.onAged?.({
        frame: ref.frame,
        input: decoded.image,
        output: aged.output,
        mask: aged.mask,
        landmarks: face.landmarks,
      });
      track.z = aged.z;
      track.detail = aged.detail;
      await timer.timeAsync('write', () => writeOutput(output, aged.output, decoded, job.bitDepth));
      summary.done++;
      return report({
        status: 'done',
        faceFound: true,
        sourceAge: src,
        losses: {
          initial: aged.losses[0] ?? NaN,
          final: Math.min(...aged.losses),
          steps: aged.losses.length - 1,
        },
      });
    }
  }
  summary.seconds = (performance.now() - started) / 1000;
  return summary;
}
