/**
 * Compositing passes beside a shot's aged frames (issue #18): the face matte (the
 * feathered mask the change was composited under, one channel) and the change itself
 * (aged − plate, in the plate's own colour space and units), numbered as the frames
 * are, so a compositor can apply, grade or paint the change in Nuke.
 */
import { basename, dirname, join } from 'node:path';
import { isPattern } from '../../shared/sequence.js';
import type { ShotJob } from './api.js';
import type { FaceMask } from './composite.js';
import { storedRgb } from './plate-view.js';
import {
  InputError,
  frameFormatFromPath,
  isCompleteOutput,
  resolveOutputs,
  writePass,
  type DecodedFrame,
  type FrameRef,
  type FrameSamples,
} from './sequence-io.js';

/** Where each frame's passes go, by frame index; undefined where the job writes none. */
export interface PassOutputs {
  matte?: string[];
  delta?: string[];
}

/** Pass formats: the matte in any format writePass writes; the delta only in EXR (it is signed). */
const MATTE_FORMATS = new Set(['exr', 'png', 'tiff']);

/**
 * A pass's file for each of `refs`: `spec` is a folder or a pattern, as a job's `out` is.
 * In a folder a pass takes its frame's name as .exr (a pass is float data, whatever the
 * plate's format), so the matte and delta folders hold what a compositor expects.
 */
function passPaths(spec: string, refs: readonly FrameRef[]): string[] {
  const folder = !isPattern(spec) && (/[\\/]$/.test(spec) || !frameFormatFromPath(spec));
  return resolveOutputs(spec, refs).map((p) =>
    folder ? join(dirname(p), basename(p).replace(/\.[^.]+$/, '') + '.exr') : p,
  );
}

/** The pass files for `refs`, checked against each other and the aged frames (`outputs`). */
export function resolvePassOutputs(job: ShotJob, refs: readonly FrameRef[], outputs: readonly string[]): PassOutputs {
  const result: PassOutputs = {};
  if (job.matte) {
    result.matte = passPaths(job.matte, refs);
    const bad = result.matte.find((p) => !MATTE_FORMATS.has(frameFormatFromPath(p) ?? ''));
    if (bad)
      throw new InputError(`the matte pass ${bad} must be .exr, .png or .tif: a matte is one channel of weights`);
  }
  if (job.delta) {
    result.delta = passPaths(job.delta, refs);
    const bad = result.delta.find((p) => frameFormatFromPath(p) !== 'exr');
    if (bad)
      throw new InputError(`the delta pass ${bad} must be .exr: the change is signed, and only a float file holds it`);
  }
  const frames = new Set(outputs);
  for (const p of [...(result.matte ?? []), ...(result.delta ?? [])])
    if (frames.has(p))
      throw new InputError(`the pass ${p} would overwrite an aged frame; give the passes their own folder`);
  return result;
}

/** Every pass file of the frame at `index`. */
export function passFilesAt(passes: PassOutputs, index: number): string[] {
  return [passes.matte?.[index], passes.delta?.[index]].filter((p): p is string => p !== undefined);
}

/** For --resume: the frame's passes are all there and whole. */
export async function passesComplete(passes: PassOutputs, index: number): Promise<boolean> {
  for (const p of passFilesAt(passes, index)) if (!(await isCompleteOutput(p))) return false;
  return true;
}

/**
 * Write the frame's passes: `mask` the change's matte (absent: none, a frame without
 * the face), `output` the samples written for the frame (absent: the plate's own).
 */
export async function writePasses(
  passes: PassOutputs,
  index: number,
  decoded: DecodedFrame,
  mask: FaceMask | undefined,
  output: FrameSamples | undefined,
): Promise<void> {
  const { width, height } = decoded.image;
  const matte = passes.matte?.[index];
  if (matte) {
    const data = mask ? Float32Array.from(mask.mask) : new Float32Array(width * height);
    const channel = frameFormatFromPath(matte) === 'exr' ? 'A' : 'Y';
    await writePass(matte, { width, height, channelNames: [channel], data }, decoded);
  }
  const delta = passes.delta?.[index];
  if (delta) {
    const before = storedRgb(decoded.stored);
    const data = new Float32Array(before.length);
    if (output && output !== decoded.stored) {
      const after = storedRgb(output);
      for (let i = 0; i < data.length; i++) data[i] = after[i]! - before[i]!;
    }
    await writePass(delta, { width, height, channelNames: ['R', 'G', 'B'], data }, decoded);
  }
}
