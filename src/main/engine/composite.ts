/**
 * Full-resolution compositing of an aged face into the plate.
 *
 * Everything here works on interleaved float RGB in 0..1 in frame space; the caller
 * converts the RawImage and warps the 64x64 crop-space results back into the frame.
 * Two modes:
 *  - delta:   out = frame + mask * (G(z*, y_target) - G(z*, y_source)). Only what the
 *             age change alters is added, so the plate keeps its resolution, grain and
 *             lighting, and G's reconstruction error (blur, colour shift) cancels out;
 *  - replace: out = frame * (1 - mask) + G(z*, y_target) * mask, the paper's output,
 *             at G's 64x64 resolution.
 *
 * The pipeline's promise to the artist is that nothing outside the face changes, so
 * `mergeIntoRaw` writes back only the samples under the mask: every other sample of
 * the output is a copy of the input's, bit for bit, whatever the float round trip.
 *
 * Pixel (col, row) covers [col, col+1) x [row, row+1) with its centre at
 * (col + 0.5, row + 0.5), as in align.ts; landmarks are in those coordinates.
 */
import { centroid } from './align.js';
import type { Point, RawImage } from './types.js';

/** A pixel rectangle: columns x..x+width-1, rows y..y+height-1. */
export interface PixelBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The smallest box holding every box (empty boxes ignored). */
export function unionBox(boxes: readonly PixelBox[]): PixelBox {
  const real = boxes.filter((b) => b.width > 0 && b.height > 0);
  if (!real.length) return { x: 0, y: 0, width: 0, height: 0 };
  const x = Math.min(...real.map((b) => b.x));
  const y = Math.min(...real.map((b) => b.y));
  return {
    x,
    y,
    width: Math.max(...real.map((b) => b.x + b.width)) - x,
    height: Math.max(...real.map((b) => b.y + b.height)) - y,
  };
}

export interface FaceMask {
  width: number;
  height: number;
  /** width*height weights in 0..1, row-major */
  mask: Float32Array;
  /** the mask is exactly 0 outside this box (clipped to the frame; may be empty) */
  bbox: PixelBox;
  /** the filled polygon (before feathering), in frame coordinates: the UI's mask outline */
  polygon: Point[];
}

export interface FaceMaskOptions {
  /**
   * Soft-edge half-width in pixels: the weight goes from 1 to 0 across about
   * `feather` pixels either side of the polygon edge (the blur's support is square,
   * so up to feather * sqrt(2) where the edge runs diagonally). Default 10% of the
   * eye-to-chin distance, so it scales with the face; 0 gives a hard edge.
   */
  feather?: number;
  /** move the polygon's vertices outwards from its centre by this many pixels (negative shrinks); default 0 */
  grow?: number;
  /**
   * Lift of the brow points towards the hairline, as a fraction of the eye-to-chin
   * distance: the forehead, where much of ageing shows (wrinkles), lies above the
   * brows. The forehead is ~0.5 of that distance tall; the default 0.3 stops short of
   * the hairline so hair is not composited (G's hair is the least stable part).
   */
  foreheadLift?: number;
}

export const DEFAULT_FEATHER_FRACTION = 0.1;
export const DEFAULT_FOREHEAD_LIFT = 0.3;
/** Box-blur passes: three boxes approximate a Gaussian and keep a finite support. */
export const BLUR_PASSES = 3;

const JAW = [...Array(17).keys()]; // 0..16, image left to image right via the chin
const BROWS_RIGHT_TO_LEFT = [26, 25, 24, 23, 22, 21, 20, 19, 18, 17];
const EYES = [...Array(12).keys()].map((i) => 36 + i); // 36..47
const CHIN = 8;

export function checkLandmarks(landmarks: readonly Point[]): void {
  if (landmarks.length !== 68) throw new Error(`face mask needs the 68 iBUG landmarks, got ${landmarks.length}`);
  for (const p of landmarks)
    if (!Number.isFinite(p.x) || !Number.isFinite(p.y)) throw new Error('face mask landmarks must be finite');
}

/** Eye-to-chin vector: its length sizes the forehead and the feather, its direction is "up" for the face. */
export function faceAxis(landmarks: readonly Point[]): { up: Point; size: number } {
  const eyes = centroid(EYES.map((i) => landmarks[i]!));
  const chin = landmarks[CHIN]!;
  const dx = eyes.x - chin.x;
  const dy = eyes.y - chin.y;
  const size = Math.hypot(dx, dy);
  if (!(size > 0)) throw new Error('face mask: eyes and chin coincide');
  return { up: { x: dx / size, y: dy / size }, size };
}

/**
 * The face outline: the jaw line (0-16), then the brows (26 back to 17) lifted along
 * the face's own up axis (so a tilted head gets a tilted forehead), optionally grown.
 */
export function faceMaskPolygon(
  landmarks: readonly Point[],
  opts: Pick<FaceMaskOptions, 'grow' | 'foreheadLift'> = {},
): Point[] {
  checkLandmarks(landmarks);
  const { up, size } = faceAxis(landmarks);
  const lift = (opts.foreheadLift ?? DEFAULT_FOREHEAD_LIFT) * size;
  const polygon = [
    ...JAW.map((i) => ({ ...landmarks[i]! })),
    ...BROWS_RIGHT_TO_LEFT.map((i) => ({ x: landmarks[i]!.x + lift * up.x, y: landmarks[i]!.y + lift * up.y })),
  ];
  const grow = opts.grow ?? 0;
  if (grow === 0) return polygon;
  const c = centroid(polygon);
  return polygon.map((p) => {
    const d = Math.hypot(p.x - c.x, p.y - c.y);
    const k = d > 0 ? Math.max(0, d + grow) / d : 1;
    return { x: c.x + (p.x - c.x) * k, y: c.y + (p.y - c.y) * k };
  });
}

/** Fill `polygon` (even-odd, sampled at pixel centres) into `out`, a w x h region whose origin is frame pixel (ox, oy). */
export function fillPolygon(
  polygon: readonly Point[],
  out: Float64Array,
  w: number,
  h: number,
  ox: number,
  oy: number,
): void {
  const xs: number[] = [];
  for (let row = 0; row < h; row++) {
    const cy = oy + row + 0.5;
    xs.length = 0;
    for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
      const a = polygon[i]!;
      const b = polygon[j]!;
      // half-open in y so a vertex on the scanline is counted once
      if (a.y <= cy !== b.y <= cy) xs.push(a.x + ((cy - a.y) / (b.y - a.y)) * (b.x - a.x));
    }
    xs.sort((p, q) => p - q);
    for (let k = 0; k + 1 < xs.length; k += 2) {
      // pixels whose centre col + 0.5 lies in [xs[k], xs[k+1])
      const from = Math.max(0, Math.ceil(xs[k]! - 0.5 - ox));
      const to = Math.min(w, Math.ceil(xs[k + 1]! - 0.5 - ox));
      for (let col = from; col < to; col++) out[row * w + col] = 1;
    }
  }
}

/**
 * Running-sum box blur (unnormalised: window sums) of `n` samples starting at `start`
 * with stride `stride`, edges replicated. Sums of integers stay exact in float64, so
 * after normalising, the interior is exactly 1 and the far field exactly 0.
 */
function boxBlurLine(buf: Float64Array, tmp: Float64Array, start: number, stride: number, n: number, r: number): void {
  const at = (i: number) => buf[start + (i < 0 ? 0 : i >= n ? n - 1 : i) * stride]!;
  let sum = 0;
  for (let i = -r; i <= r; i++) sum += at(i);
  for (let i = 0; i < n; i++) {
    tmp[i] = sum;
    sum += at(i + r + 1) - at(i - r);
  }
  for (let i = 0; i < n; i++) buf[start + i * stride] = tmp[i]!;
}

/** BLUR_PASSES box blurs of radius r over a w x h region, in place (unnormalised: divide by (2r+1)^(2 BLUR_PASSES)). */
export function blurInPlace(region: Float64Array, w: number, h: number, r: number): void {
  const tmp = new Float64Array(Math.max(w, h));
  for (let pass = 0; pass < BLUR_PASSES; pass++) {
    for (let row = 0; row < h; row++) boxBlurLine(region, tmp, row * w, 1, w, r);
    for (let col = 0; col < w; col++) boxBlurLine(region, tmp, col, w, h, r);
  }
}

/**
 * The face's compositing weight: the landmark polygon filled and feathered. The blur
 * runs only over the polygon's box grown by the blur's reach, which is also exactly
 * where the mask can be non-zero, so a 4K frame costs what the face costs.
 */
export function buildFaceMask(
  landmarks: readonly Point[],
  width: number,
  height: number,
  opts: FaceMaskOptions = {},
): FaceMask {
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0))
    throw new Error(`bad frame size ${width}x${height}`);
  const polygon = faceMaskPolygon(landmarks, opts);
  const feather = opts.feather ?? DEFAULT_FEATHER_FRACTION * faceAxis(landmarks).size;
  if (!(feather >= 0)) throw new Error(`feather must be >= 0, got ${feather}`);
  // three boxes of radius r reach 3r: the ramp spans about `feather` either side
  const r = Math.round(feather / BLUR_PASSES);
  const reach = BLUR_PASSES * r;

  const mask = new Float32Array(width * height);
  const x0 = Math.max(0, Math.floor(Math.min(...polygon.map((p) => p.x))) - reach);
  const y0 = Math.max(0, Math.floor(Math.min(...polygon.map((p) => p.y))) - reach);
  const x1 = Math.min(width, Math.ceil(Math.max(...polygon.map((p) => p.x))) + reach);
  const y1 = Math.min(height, Math.ceil(Math.max(...polygon.map((p) => p.y))) + reach);
  const bbox = { x: x0, y: y0, width: Math.max(0, x1 - x0), height: Math.max(0, y1 - y0) };
  const { width: w, height: h } = bbox;
  if (w === 0 || h === 0) return { width, height, mask, bbox, polygon };

  const region = new Float64Array(w * h);
  fillPolygon(polygon, region, w, h, x0, y0);
  if (r > 0) {
    // Where the region is clipped by the frame edge, replicated edges continue the
    // face past the border instead of fading it; elsewhere the region's border is
    // `reach` away from the polygon and still 0 when read, so it acts as zero padding.
    blurInPlace(region, w, h, r);
  }
  const norm = (2 * r + 1) ** (2 * BLUR_PASSES);
  for (let row = 0; row < h; row++)
    for (let col = 0; col < w; col++) mask[(y0 + row) * width + x0 + col] = region[row * w + col]! / norm;
  return { width, height, mask, bbox, polygon };
}

/** A mask as built here, or bare weights (then the whole frame is visited). */
export type MaskInput = FaceMask | Float32Array;

function maskParts(mask: MaskInput, width: number, height: number): { m: Float32Array; box: PixelBox } {
  if (mask instanceof Float32Array) {
    if (mask.length !== width * height)
      throw new Error(`mask has ${mask.length} weights; ${width}x${height} needs ${width * height}`);
    return { m: mask, box: { x: 0, y: 0, width, height } };
  }
  if (mask.width !== width || mask.height !== height)
    throw new Error(`mask is ${mask.width}x${mask.height}, frame is ${width}x${height}`);
  return { m: mask.mask, box: mask.bbox };
}

function checkRgb(name: string, rgb: Float32Array, width: number, height: number): void {
  if (rgb.length !== width * height * 3)
    throw new Error(`${name} has ${rgb.length} values; ${width}x${height} RGB needs ${width * height * 3}`);
}

/** NaN fails both tests and becomes 0 rather than poisoning the frame. */
const clamp01 = (v: number) => (v > 0 ? (v < 1 ? v : 1) : 0);

/** Visit every pixel of `box` with weight > 0: (pixel index, weight). */
function forMasked(m: Float32Array, box: PixelBox, frameWidth: number, fn: (p: number, weight: number) => void): void {
  for (let row = box.y; row < box.y + box.height; row++)
    for (let p = row * frameWidth + box.x, end = p + box.width; p < end; p++) {
      const weight = m[p]!;
      if (weight > 0) fn(p, weight);
    }
}

/** Mix `frame` (RGB 0..1) with `fn`'s value under the mask; a new array, the inputs untouched. */
function blend(
  frame: Float32Array,
  width: number,
  height: number,
  mask: MaskInput,
  fn: (s: number, v: number, weight: number) => number,
): Float32Array {
  checkRgb('frame', frame, width, height);
  const { m, box } = maskParts(mask, width, height);
  const out = frame.slice();
  forMasked(m, box, width, (p, weight) => {
    for (let s = 3 * p; s < 3 * p + 3; s++) out[s] = clamp01(fn(s, frame[s]!, weight));
  });
  return out;
}

/**
 * Delta compositing: out = clamp(frame + mask * delta), where `delta` is
 * G(z*, y_target) - G(z*, y_source) in 0..1 units, already warped to the frame.
 */
export function compositeDelta(
  frame: Float32Array,
  width: number,
  height: number,
  delta: Float32Array,
  mask: MaskInput,
): Float32Array {
  checkRgb('delta', delta, width, height);
  return blend(frame, width, height, mask, (s, v, weight) => v + weight * delta[s]!);
}

/** Replace compositing: out = frame * (1 - mask) + generated * mask (generated: RGB 0..1 in the frame). */
export function compositeReplace(frame: Float32Array, generated: Float32Array, mask: MaskInput): Float32Array {
  // bare weights carry no size: treat them as one row, which indexes the same
  const { width, height } = mask instanceof Float32Array ? { width: mask.length, height: 1 } : mask;
  checkRgb('generated', generated, width, height);
  // this form (not v + w*(g - v)) gives exactly g where the weight is 1
  return blend(frame, width, height, mask, (s, v, weight) => v * (1 - weight) + generated[s]! * weight);
}

/**
 * The output frame: a copy of `original` in which only the samples of pixels with
 * mask > 0 are replaced by `composited` (RGB 0..1), quantised to the original's bit
 * depth and layout: gray takes Rec.709 luma (as sequence-io's fromRgbFloat), alpha is
 * never touched. Everything else stays bit-identical to the input, which a float
 * round trip cannot promise (e.g. 16-bit -> float32 -> 16-bit, or gray -> RGB -> luma).
 */
export function mergeIntoRaw(original: RawImage, composited: Float32Array, mask: MaskInput): RawImage {
  const { width, height, channels, bitDepth } = original;
  checkRgb('composited', composited, width, height);
  if (original.data.length !== width * height * channels)
    throw new Error(
      `RawImage data has ${original.data.length} values; ${width}x${height}x${channels} needs ${width * height * channels}`,
    );
  const { m, box } = maskParts(mask, width, height);
  const max = bitDepth === 16 ? 65535 : 255;
  const q = (v: number) => Math.round(clamp01(v) * max);
  const data = original.data.slice();
  const color = channels >= 3;
  forMasked(m, box, width, (p) => {
    const r = composited[3 * p]!;
    const g = composited[3 * p + 1]!;
    const b = composited[3 * p + 2]!;
    const s = p * channels;
    if (color) {
      data[s] = q(r);
      data[s + 1] = q(g);
      data[s + 2] = q(b);
    } else data[s] = q(0.2126 * r + 0.7152 * g + 0.0722 * b);
  });
  return { width, height, channels, bitDepth, data };
}

/** Several faces' masks as one: the largest weight at each pixel (they rarely overlap), the first's outline. */
export function unionMasks(masks: readonly FaceMask[]): FaceMask | undefined {
  if (masks.length <= 1) return masks[0];
  const [first] = masks as [FaceMask, ...FaceMask[]];
  const mask = Float32Array.from(first.mask);
  const boxes = masks.filter((m) => m.bbox.width > 0 && m.bbox.height > 0).map((m) => m.bbox);
  for (const m of masks.slice(1))
    for (let i = 0; i < mask.length; i++) if (m.mask[i]! > mask[i]!) mask[i] = m.mask[i]!;
  if (!boxes.length) return { ...first, mask };
  const x = Math.min(...boxes.map((b) => b.x));
  const y = Math.min(...boxes.map((b) => b.y));
  const right = Math.max(...boxes.map((b) => b.x + b.width));
  const bottom = Math.max(...boxes.map((b) => b.y + b.height));
  return { ...first, mask, bbox: { x, y, width: right - x, height: bottom - y } };
}
