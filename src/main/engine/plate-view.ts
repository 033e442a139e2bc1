/**
 * The plate as the network sees it: display-referred sRGB; and the engine's change put
 * back into the plate.
 *
 * The engine works on display-referred sRGB in 8 or 16 bits (RawImage). A plate is what
 * the file holds: integer samples (PNG, TIFF, JPEG) or float ones (FloatPlate: OpenEXR,
 * DPX, float TIFF), in whatever colour space the studio works in
 * (src/main/engine/colour-spaces.ts names the built-in ones and reaches OCIO configs); a
 * DisplayTransform takes its pixels to the engine's display sRGB and back; the identity
 * is for plates already in the engine's encoding. The view is built from the
 * stored samples; after the engine has changed the view, only the pixels it changed are
 * changed in the stored samples, by the change it made (mapped back through the
 * transform), so everything else, every other channel and every pixel outside the face,
 * stays exactly as stored.
 */
import { isFloatPlate, plateQuantisers, plateRgb, type FloatPlate, type FrameSamples } from './float-plate.js';
import type { RawImage } from './types.js';

export interface DisplayTransform {
  /** true when the plate's encoding is the engine's own (sRGB display): integer plates then pass as they are */
  readonly identity: boolean;
  /** plate-space RGB (interleaved float) -> display-referred sRGB RGB, unclamped */
  toDisplay(rgb: Float32Array): Promise<Float32Array>;
  /** the inverse */
  fromDisplay(rgb: Float32Array): Promise<Float32Array>;
}

/** The plate is already display sRGB: both directions return a copy of their input. */
export const IDENTITY_TRANSFORM: DisplayTransform = Object.freeze({
  identity: true,
  toDisplay: (rgb: Float32Array) => Promise.resolve(rgb.slice()),
  fromDisplay: (rgb: Float32Array) => Promise.resolve(rgb.slice()),
});

/** An integer image's colour as interleaved RGB 0..1 (gray replicated). */
function rawRgb(image: RawImage): Float32Array {
  const { width, height, channels, bitDepth, data } = image;
  const n = width * height;
  const max = bitDepth === 16 ? 65535 : 255;
  const out = new Float32Array(n * 3);
  for (let p = 0, s = 0; p < n; p++, s += channels) {
    const gray = channels < 3;
    out[3 * p] = data[s]! / max;
    out[3 * p + 1] = data[gray ? s : s + 1]! / max;
    out[3 * p + 2] = data[gray ? s : s + 2]! / max;
  }
  return out;
}

/** The stored colour as interleaved RGB, integer samples as 0..1. */
export function storedRgb(stored: FrameSamples): Float32Array {
  return isFloatPlate(stored) ? plateRgb(stored) : rawRgb(stored);
}

/** Display RGB as a 16-bit RGB image: clamped to 0..1, NaN as 0, rounded. */
function toView(width: number, height: number, rgb: Float32Array): RawImage {
  const data = new Uint16Array(width * height * 3);
  for (let i = 0; i < data.length; i++) {
    const v = rgb[i]!;
    data[i] = v > 0 ? (v < 1 ? Math.round(v * 65535) : 65535) : 0;
  }
  return { width, height, channels: 3, bitDepth: 16, data };
}

/**
 * What the engine sees of `stored`: an integer plate with the identity transform is
 * itself (bit for bit, any layout); anything else is a 16-bit RGB image of
 * toDisplay(stored RGB), clamped to 0..1 (NaN as 0). A float plate's view covers its
 * data window.
 */
export async function plateView(stored: FrameSamples, transform: DisplayTransform): Promise<RawImage> {
  if (!isFloatPlate(stored) && transform.identity) return stored;
  const rgb = storedRgb(stored);
  const shown = await transform.toDisplay(rgb);
  if (shown.length !== rgb.length)
    throw new TypeError(`the display transform returned ${shown.length} values for ${rgb.length}`);
  return toView(stored.width, stored.height, shown);
}

function sameLayout(a: RawImage, b: RawImage): boolean {
  return a.width === b.width && a.height === b.height && a.channels === b.channels && a.bitDepth === b.bitDepth;
}

/** Pixels whose samples differ between two images of one layout. */
function changedPixels(view: RawImage, aged: RawImage): Uint32Array {
  const c = view.channels;
  const n = view.width * view.height;
  const changed: number[] = [];
  for (let p = 0, s = 0; p < n; p++, s += c) {
    for (let k = 0; k < c; k++) {
      if (view.data[s + k] !== aged.data[s + k]) {
        changed.push(p);
        break;
      }
    }
  }
  return Uint32Array.from(changed);
}

/** The view's RGB of the listed pixels, 0..1. */
function viewRgbAt(view: RawImage, pixels: Uint32Array): Float32Array {
  const max = view.bitDepth === 16 ? 65535 : 255;
  const c = view.channels;
  const gray = c < 3;
  const out = new Float32Array(pixels.length * 3);
  for (let i = 0; i < pixels.length; i++) {
    const s = pixels[i]! * c;
    out[3 * i] = view.data[s]! / max;
    out[3 * i + 1] = view.data[gray ? s : s + 1]! / max;
    out[3 * i + 2] = view.data[gray ? s : s + 2]! / max;
  }
  return out;
}

/** Rec.709 luma weights: a gray plate takes the luma of the change. */
const LUMA = [0.2126, 0.7152, 0.0722] as const;

/**
 * The engine's change to the view (`view` -> `aged`) as the plate's own samples: pixels
 * whose view samples are unchanged keep the stored samples bit for bit; a changed pixel
 * gets stored + fromDisplay(aged) − fromDisplay(view) on its colour channels (a gray
 * plate the luma of that), rounded to the plate's types, alpha and every other channel
 * untouched. An integer plate with the identity transform is `aged` itself. When `aged`
 * is `view` (or equal to it) the result is the stored samples exactly.
 */
export async function viewChangeToSamples(
  stored: FrameSamples,
  view: RawImage,
  aged: RawImage,
  transform: DisplayTransform,
): Promise<FrameSamples> {
  if (!sameLayout(view, aged)) {
    const d = (i: RawImage) => `${i.width}x${i.height}, ${i.channels} channels, ${i.bitDepth}-bit`;
    throw new TypeError(`the aged frame is ${d(aged)} but the view it came from is ${d(view)}`);
  }
  if (!isFloatPlate(stored) && transform.identity) return aged;
  if (aged === view) return stored;
  const pixels = changedPixels(view, aged);
  if (pixels.length === 0) return stored;
  // both sides through the transform in one call (one round trip when it is a service)
  const both = new Float32Array(pixels.length * 6);
  both.set(viewRgbAt(aged, pixels), 0);
  both.set(viewRgbAt(view, pixels), pixels.length * 3);
  const back = await transform.fromDisplay(both);
  if (back.length !== both.length)
    throw new TypeError(`the display transform returned ${back.length} values for ${both.length}`);
  const delta = (i: number, c: number) => back[3 * i + c]! - back[(pixels.length + i) * 3 + c]!;
  return isFloatPlate(stored) ? changeFloat(stored, pixels, delta) : changeRaw(stored, pixels, delta);
}

function changeFloat(plate: FloatPlate, pixels: Uint32Array, delta: (i: number, c: number) => number): FloatPlate {
  const stride = plate.channelNames.length;
  const data = plate.data.slice();
  const quantise = plateQuantisers(plate);
  const [r, g, b] = plate.rgb;
  const gray = r === g && g === b;
  for (let i = 0; i < pixels.length; i++) {
    const s = pixels[i]! * stride;
    if (gray) {
      const d = LUMA[0] * delta(i, 0) + LUMA[1] * delta(i, 1) + LUMA[2] * delta(i, 2);
      const v = data[s + r]! + d;
      data[s + r] = quantise[r] ? quantise[r](v) : v;
      continue;
    }
    for (const [c, k] of [r, g, b].entries()) {
      const v = data[s + k]! + delta(i, c);
      data[s + k] = quantise[k] ? quantise[k](v) : v;
    }
  }
  return { ...plate, data };
}

function changeRaw(image: RawImage, pixels: Uint32Array, delta: (i: number, c: number) => number): RawImage {
  const { channels, bitDepth } = image;
  const max = bitDepth === 16 ? 65535 : 255;
  const data = image.data.slice();
  const put = (at: number, v: number) => {
    data[at] = v > 0 ? (v < 1 ? Math.round(v * max) : max) : 0;
  };
  for (let i = 0; i < pixels.length; i++) {
    const s = pixels[i]! * channels;
    if (channels < 3) {
      put(s, data[s]! / max + LUMA[0] * delta(i, 0) + LUMA[1] * delta(i, 1) + LUMA[2] * delta(i, 2));
      continue;
    }
    for (let c = 0; c < 3; c++) put(s + c, data[s + c]! / max + delta(i, c));
  }
  return { ...image, data };
}
