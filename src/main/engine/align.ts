/**
 * Face alignment: fit the similarity that puts a plate face's 68 landmarks onto the
 * model's template, warp the frame into the model's crop with it, and warp the crop
 * back into the frame for compositing. Plus temporal smoothing of landmark tracks.
 *
 * Coordinate convention, used by every Point and Affine here and by face-api, PIL and
 * the training CROP_BOX: continuous pixel coordinates, pixel (col, row) covers
 * [col, col+1) x [row, row+1) and its centre is (col + 0.5, row + 0.5). tfjs's
 * `tf.image.transform` instead samples at integer pixel indices, so `sampler` converts.
 */
import * as tf from '@tensorflow/tfjs';
import type { Affine, Point } from './types.js';

export interface Region {
  x: number;
  y: number;
  width: number;
  height: number;
}

// ---------------------------------------------------------------- affine algebra

/** (a ∘ b): apply b first, then a. */
export function composeAffine(a: Affine, b: Affine): Affine {
  const [a0, a1, a2, a3, a4, a5] = a;
  const [b0, b1, b2, b3, b4, b5] = b;
  return [
    a0 * b0 + a1 * b3,
    a0 * b1 + a1 * b4,
    a0 * b2 + a1 * b5 + a2,
    a3 * b0 + a4 * b3,
    a3 * b1 + a4 * b4,
    a3 * b2 + a4 * b5 + a5,
  ];
}

export function invertAffine(m: Affine): Affine {
  const [a, b, c, d, e, f] = m;
  const det = a * e - b * d;
  if (!Number.isFinite(det) || Math.abs(det) < 1e-12) throw new Error(`affine is not invertible (det ${det})`);
  const ia = e / det;
  const ib = -b / det;
  const id = -d / det;
  const ie = a / det;
  return [ia, ib, -(ia * c + ib * f), id, ie, -(id * c + ie * f)];
}

export function applyAffine(m: Affine, p: Point): Point;
export function applyAffine(m: Affine, p: readonly Point[]): Point[];
export function applyAffine(m: Affine, p: Point | readonly Point[]): Point | Point[] {
  const one = (q: Point): Point => ({ x: m[0] * q.x + m[1] * q.y + m[2], y: m[3] * q.x + m[4] * q.y + m[5] });
  return Array.isArray(p) ? (p as readonly Point[]).map(one) : one(p as Point);
}

/** Linear scale factor of an affine (geometric mean of its singular values). */
export function affineScale(m: Affine): number {
  return Math.sqrt(Math.abs(m[0] * m[4] - m[1] * m[3]));
}

/**
 * Least-squares similarity (rotation, uniform scale, translation) mapping src onto dst:
 * Umeyama (1991) in 2D. Writing the similarity as [[p, -q], [q, p]] + t makes the
 * problem linear; the solution below is Umeyama's closed form for proper rotations
 * (a reflection is never returned, which is what face alignment wants).
 */
export function fitSimilarity(src: readonly Point[], dst: readonly Point[]): Affine {
  const n = src.length;
  if (n !== dst.length) throw new Error(`fitSimilarity: ${n} source points but ${dst.length} destination points`);
  if (n < 2) throw new Error('fitSimilarity needs at least 2 point pairs');
  let sx = 0;
  let sy = 0;
  let dx = 0;
  let dy = 0;
  for (let i = 0; i < n; i++) {
    sx += src[i]!.x;
    sy += src[i]!.y;
    dx += dst[i]!.x;
    dy += dst[i]!.y;
  }
  sx /= n;
  sy /= n;
  dx /= n;
  dy /= n;
  let dot = 0;
  let cross = 0;
  let srcVar = 0;
  for (let i = 0; i < n; i++) {
    const ux = src[i]!.x - sx;
    const uy = src[i]!.y - sy;
    const vx = dst[i]!.x - dx;
    const vy = dst[i]!.y - dy;
    dot += ux * vx + uy * vy;
    cross += ux * vy - uy * vx;
    srcVar += ux * ux + uy * uy;
  }
  if (srcVar < 1e-12) throw new Error('fitSimilarity: source points are all the same');
  const p = dot / srcVar; // s·cosθ
  const q = cross / srcVar; // s·sinθ
  return [p, -q, dx - (p * sx - q * sy), q, p, dy - (q * sx + p * sy)];
}

/**
 * iBUG-68 indices used to place a face on the template: brows, nose, eyes and mouth
 * (17-67). The jaw contour (0-16) is left out: on a turned head those points slide
 * along whatever silhouette is visible, so they would pull the fit sideways, and on
 * the training crops they fall outside the 64x64 crop anyway.
 */
export const ALIGNMENT_POINTS: readonly number[] = Array.from({ length: 51 }, (_, i) => 17 + i);

/** The frame -> crop similarity putting a face's 68 landmarks onto the 68-point template. */
export function fitToTemplate(landmarks: readonly Point[], template: readonly Point[]): Affine {
  if (landmarks.length !== 68 || template.length !== 68) {
    throw new Error(
      `fitToTemplate needs 68 landmarks and a 68-point template, got ${landmarks.length} and ${template.length}`,
    );
  }
  return fitSimilarity(
    ALIGNMENT_POINTS.map((i) => landmarks[i]!),
    ALIGNMENT_POINTS.map((i) => template[i]!),
  );
}

// ---------------------------------------------------------------- warps

export type FillMode = 'constant' | 'nearest' | 'reflect';

/**
 * Resample `image` so output pixel (col, row) takes the input at outToIn(col+.5, row+.5).
 * When the output is smaller than the input (outToIn stretches by s > 1), bilinear
 * sampling alone aliases; the training crops were Lanczos-downsampled, so the warp
 * renders k×k sub-samples per output pixel (k = ceil(s), at most 4) and box-averages
 * them, an area resample.
 */
function warp(
  image: tf.Tensor3D,
  outToIn: Affine,
  outWidth: number,
  outHeight: number,
  fillMode: FillMode,
): tf.Tensor3D {
  if (!Number.isInteger(outWidth) || !Number.isInteger(outHeight) || outWidth < 1 || outHeight < 1) {
    throw new Error(`warp: output size must be positive integers, got ${outWidth}x${outHeight}`);
  }
  const k = Math.min(4, Math.max(1, Math.ceil(affineScale(outToIn) - 1e-6)));
  // sub-sample (col, row) at k× resolution sits at continuous output coordinate /k
  const m = composeAffine(outToIn, [1 / k, 0, 0, 0, 1 / k, 0]);
  return tf.tidy(() => {
    const x = tf.expandDims(tf.cast(image, 'float32'), 0) as tf.Tensor4D;
    const fine = tf.image.transform(x, tf.tensor2d([sampler(m)], [1, 8]), 'bilinear', fillMode, 0, [
      outHeight * k,
      outWidth * k,
    ]);
    const out = k > 1 ? tf.avgPool(fine, k, k, 'valid') : fine;
    return tf.squeeze(out, [0]) as tf.Tensor3D;
  });
}

/**
 * tf.image.transform's 8 parameters for a continuous outToIn affine: it maps integer
 * output indices to input indices, i.e. idx_in = outToIn(idx_out + 0.5) - 0.5.
 */
function sampler(outToIn: Affine): number[] {
  const [a, b, c, d, e, f] = outToIn;
  return [a, b, c + 0.5 * (a + b) - 0.5, d, e, f + 0.5 * (d + e) - 0.5, 0, 0];
}

/**
 * Warp a frame (float HWC tensor, any channel count) into a size×size crop.
 * `m` maps frame pixels to crop pixels (fitSimilarity(frameLandmarks, template)).
 * Outside the frame the edge pixels are repeated by default, so a face at the frame
 * border does not give the networks a black band they never saw in training.
 */
export function warpToCrop(image: tf.Tensor3D, m: Affine, size: number, fillMode: FillMode = 'nearest'): tf.Tensor3D {
  return warp(image, invertAffine(m), size, size, fillMode);
}

/**
 * Map a crop-space tensor (HxWxC, e.g. the generated face or a mask) back into frame
 * space over `region` (integer frame pixels, e.g. from `cropRegion`). Returns a
 * region.height × region.width × C tensor; where the crop does not cover a pixel the
 * value is 0, so warping a mask (or a ones channel) gives the coverage for compositing.
 */
export function warpFromCrop(crop: tf.Tensor3D, m: Affine, region: Region): tf.Tensor3D {
  const regionToCrop = composeAffine(m, [1, 0, region.x, 0, 1, region.y]);
  return warp(crop, regionToCrop, region.width, region.height, 'constant');
}

/**
 * The frame-pixel bounding box of a size×size crop under `m` (frame -> crop), grown by
 * `margin` pixels for the bilinear footprint and clipped to the frame. Integer-valued;
 * width or height 0 when the crop lies outside the frame.
 */
export function cropRegion(m: Affine, size: number, frameWidth: number, frameHeight: number, margin = 1): Region {
  const corners = applyAffine(invertAffine(m), [
    { x: 0, y: 0 },
    { x: size, y: 0 },
    { x: 0, y: size },
    { x: size, y: size },
  ]);
  const xs = corners.map((p) => p.x);
  const ys = corners.map((p) => p.y);
  const x0 = Math.max(0, Math.floor(Math.min(...xs)) - margin);
  const y0 = Math.max(0, Math.floor(Math.min(...ys)) - margin);
  const x1 = Math.min(frameWidth, Math.ceil(Math.max(...xs)) + margin);
  const y1 = Math.min(frameHeight, Math.ceil(Math.max(...ys)) + margin);
  return { x: x0, y: y0, width: Math.max(0, x1 - x0), height: Math.max(0, y1 - y0) };
}

// ---------------------------------------------------------------- temporal smoothing

export interface SmootherOptions {
  /** frame rate used when smooth() is called without timestamps (default 24) */
  fps?: number;
  /** One-Euro minimum cutoff in Hz for the head pose: lower = steadier, more lag (default 1) */
  minCutoff?: number;
  /**
   * One-Euro speed coefficient. Speed is measured in face radii per second (radius =
   * RMS distance of the landmarks from their centroid), so the same settings suit a
   * 60 px and a 600 px face (default 4)
   */
  beta?: number;
  /** cutoff in Hz for the speed estimate (default 1) */
  dCutoff?: number;
  /** cutoff in Hz for the face shape (expression) once head motion is removed (default 3) */
  shapeCutoff?: number;
  /**
   * reset when the face moves more than this many face radii in one frame: a cut, or
   * the tracker switching faces (default 0.6)
   */
  jumpThreshold?: number;
}

function smoothingFactor(cutoffHz: number, dt: number): number {
  const tau = 1 / (2 * Math.PI * cutoffHz);
  return 1 / (1 + tau / dt);
}

/** The mean of the points (also the compositor's face and polygon centre). */
export function centroid(points: readonly Point[]): Point {
  let x = 0;
  let y = 0;
  for (const p of points) {
    x += p.x;
    y += p.y;
  }
  return { x: x / points.length, y: y / points.length };
}

/** RMS distance of points from their centroid: the face's size in pixels. */
function spread(points: readonly Point[]): number {
  const c = centroid(points);
  let s = 0;
  for (const p of points) s += (p.x - c.x) ** 2 + (p.y - c.y) ** 2;
  return Math.sqrt(s / points.length);
}

function rmsDistance(a: readonly Point[], b: readonly Point[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i]!.x - b[i]!.x) ** 2 + (a[i]!.y - b[i]!.y) ** 2;
  return Math.sqrt(s / a.length);
}

/** Head pose as similarity parameters [s·cosθ, s·sinθ, tx, ty] about the reference centroid. */
type Pose = [number, number, number, number];
const poseAffine = ([p, q, tx, ty]: Pose): Affine => [p, -q, tx, q, p, ty];

/**
 * Temporal smoothing of a landmark track over a shot. The per-frame detector jitters
 * each landmark independently by a pixel or two; the aged face would inherit that as
 * shimmer. Each frame is split into head pose (the similarity from a reference shape:
 * a 4-parameter fit over 68 points, so nearly jitter-free already) and face shape (the
 * landmarks with the pose removed: mostly jitter, plus expression).
 *
 * The pose goes through a One-Euro filter (Casiez, Roussel & Vogel, CHI 2012): a
 * low-pass whose cutoff rises with speed, steady when the head is still and following
 * real motion with little lag. The shape gets a fixed low-pass (`shapeCutoff`), fast
 * enough for speech. Filtering points one by one instead would have to choose between
 * lag during head motion and leaving the jitter in.
 *
 * Call reset() at a shot boundary; a jump larger than `jumpThreshold` resets by itself.
 */
export class LandmarkSmoother {
  private readonly fps: number;
  private readonly minCutoff: number;
  private readonly beta: number;
  private readonly dCutoff: number;
  private readonly shapeCutoff: number;
  private readonly jumpThreshold: number;
  private state: { ref: Point[]; pose: Pose; shape: Point[]; speed: number; time: number } | undefined;
  private frames = 0;

  constructor(opts: SmootherOptions = {}) {
    this.fps = opts.fps ?? 24;
    this.minCutoff = opts.minCutoff ?? 1;
    this.beta = opts.beta ?? 4;
    this.dCutoff = opts.dCutoff ?? 1;
    this.shapeCutoff = opts.shapeCutoff ?? 3;
    this.jumpThreshold = opts.jumpThreshold ?? 0.6;
  }

  reset(): void {
    this.state = undefined;
    this.frames = 0;
  }

  /** Smooth one frame's landmarks. `time` in seconds; defaults to frame count / fps. */
  smooth(landmarks: readonly Point[], time?: number): Point[] {
    const t = time ?? this.frames / this.fps;
    this.frames++;
    const st = this.state;
    const dt = st ? t - st.time : 0;
    if (!st || st.ref.length !== landmarks.length || !(dt > 0)) return this.start(landmarks, t);

    const fit = fitSimilarity(st.ref, landmarks);
    const pose: Pose = [fit[0], fit[3], fit[2], fit[5]];
    // rigid motion since the last output, in face radii
    const displacement =
      rmsDistance(applyAffine(fit, st.ref), applyAffine(poseAffine(st.pose), st.ref)) /
      Math.max(spread(landmarks), 1e-6);
    if (displacement > this.jumpThreshold) return this.start(landmarks, t);

    st.speed += smoothingFactor(this.dCutoff, dt) * (displacement / dt - st.speed);
    const a = smoothingFactor(this.minCutoff + this.beta * st.speed, dt);
    st.pose = st.pose.map((v, i) => v + a * (pose[i]! - v)) as Pose;
    const shape = applyAffine(invertAffine(fit), landmarks);
    const b = smoothingFactor(this.shapeCutoff, dt);
    st.shape = st.shape.map((v, i) => ({ x: v.x + b * (shape[i]!.x - v.x), y: v.y + b * (shape[i]!.y - v.y) }));
    st.time = t;
    return applyAffine(poseAffine(st.pose), st.shape);
  }

  private start(landmarks: readonly Point[], t: number): Point[] {
    const c = centroid(landmarks);
    const ref = landmarks.map((p) => ({ x: p.x - c.x, y: p.y - c.y }));
    this.state = { ref, pose: [1, 0, c.x, c.y], shape: ref.map((p) => ({ ...p })), speed: 0, time: t };
    return landmarks.map((p) => ({ x: p.x, y: p.y }));
  }
}

/**
 * Offline smoothing of a whole shot's track (frames without a face are undefined and
 * split it). Options as for LandmarkSmoother, except beta defaults to 1.5. A causal filter must lag behind moving heads; a shot is processed after
 * tracking, so the track is filtered forwards and backwards and the two averaged: the
 * forward pass lags exactly where the backward pass leads, so moving faces stay put
 * while the jitter is still removed.
 */
export function smoothTrack(
  track: readonly (readonly Point[] | undefined)[],
  options: SmootherOptions = {},
): (Point[] | undefined)[] {
  // With the lag cancelled the pose needs to chase speed less: a lower default beta
  // keeps more of the smoothing while the head moves.
  const opts = { beta: 1.5, ...options };
  const dt = 1 / (opts.fps ?? 24);
  const pass = (order: number[]): Map<number, Point[]> => {
    const sm = new LandmarkSmoother(opts);
    const out = new Map<number, Point[]>();
    order.forEach((f, step) => {
      const pts = track[f];
      if (!pts) return sm.reset();
      out.set(f, sm.smooth(pts, step * dt));
    });
    return out;
  };
  const frames = track.map((_, i) => i);
  const fwd = pass(frames);
  const bwd = pass(frames.slice().reverse());
  return track.map((pts, f) => {
    if (!pts) return undefined;
    const a = fwd.get(f)!;
    const b = bwd.get(f)!;
    return a.map((p, i) => ({ x: (p.x + b[i]!.x) / 2, y: (p.y + b[i]!.y) / 2 }));
  });
}
