/**
 * Same-person face crops from real footage, for checking the calibrated threshold
 * against pairs that really are one person (UTKFace has no identity labels).
 *
 * Each sub-folder of the footage folder is taken as one shot of one actor (the
 * project's `akiyo/` and `tears_of_steel/` are): every `stride`-th frame is read,
 * the actor's face is found and followed (largest face, then the nearest one, as the
 * engine tracks it), and aligned onto the model's landmark template exactly as the
 * engine aligns plate faces, giving crops framed like the training crops.
 */
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { AgingModel } from '../engine/aging-model.js';
import { detectFaces, pickFace } from '../engine/face-track.js';
import { readFrame } from '../engine/sequence-io.js';
import type { DetectedFace } from '../engine/types.js';

export interface FootageFace {
  shot: string;
  /** frame number from the file name (the last run of digits), else the index in the folder */
  frame: number;
  /** aligned crop, [size, size, 3] RGB in 0..1 */
  crop: Float32Array;
}

export interface FootageOptions {
  /** take every stride-th frame of each shot (default 3) */
  stride?: number;
  /** at most this many frames per shot (default 24) */
  maxFramesPerShot?: number;
  signal?: AbortSignal;
  onFrame?: (done: number, total: number) => void;
}

const IMAGE_EXT = /\.(png|jpe?g|tiff?)$/i;

function frameNumber(name: string, index: number): number {
  const m = /(\d+)\.[^.]+$/.exec(name);
  return m ? Number(m[1]) : index;
}

/** The shots in a footage folder: sub-folders holding image files, sorted by name. */
export async function listShots(footageDir: string): Promise<{ shot: string; files: string[] }[]> {
  if (!existsSync(footageDir)) return [];
  const shots: { shot: string; files: string[] }[] = [];
  for (const entry of (await readdir(footageDir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (!entry.isDirectory()) continue;
    const files = (await readdir(join(footageDir, entry.name))).filter((n) => IMAGE_EXT.test(n) && !n.startsWith('.'));
    if (files.length >= 2)
      shots.push({ shot: entry.name, files: files.sort().map((f) => join(footageDir, entry.name, f)) });
  }
  return shots;
}

/** Every stride-th item, at most `max`. */
export function sampleEvery<T>(items: readonly T[], stride: number, max: number): T[] {
  const out: T[] = [];
  for (let i = 0; i < items.length && out.length < max; i += Math.max(1, stride)) out.push(items[i]!);
  return out;
}

/** Detect, follow and align the actor's face in sampled frames of every shot. */
export async function loadFootageFaces(
  model: Pick<AgingModel, 'analyzer' | 'align'>,
  footageDir: string,
  opts: FootageOptions = {},
): Promise<FootageFace[]> {
  const stride = opts.stride ?? 3;
  const max = opts.maxFramesPerShot ?? 24;
  const shots = (await listShots(footageDir)).map((s) => ({ ...s, files: sampleEvery(s.files, stride, max) }));
  const total = shots.reduce((n, s) => n + s.files.length, 0);
  const faces: FootageFace[] = [];
  let done = 0;
  for (const { shot, files } of shots) {
    let previous: DetectedFace | undefined;
    for (const [i, file] of files.entries()) {
      opts.signal?.throwIfAborted();
      const { image } = await readFrame(file);
      const face = pickFace(await detectFaces(model.analyzer, image), previous);
      if (face) {
        previous = face;
        const crop = tf.tidy(() => tf.clipByValue(model.align(image, face.landmarks), 0, 1));
        // a copy: on the cpu backend data() hands out the tensor's own buffer
        faces.push({ shot, frame: frameNumber(file, i), crop: ((await crop.data()) as Float32Array).slice() });
        crop.dispose();
      }
      opts.onFrame?.(++done, total);
    }
  }
  return faces;
}
