/**
 * A plate held as float samples: OpenEXR, DPX and float TIFF frames as OpenImageIO reads
 * them (src/main/node/oiio-service.ts), every channel kept, with what is needed to write
 * it back as it was (per-channel types, windows, compression, attributes). The engine
 * never sees one: sequence-io.ts builds its 16-bit RGB view (plate-view.ts) and puts the
 * engine's change back into these samples.
 */
import type { RawImage } from './types.js';

/** A window on the image plane, in pixels. */
export interface PlateWindow {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The formats a FloatPlate comes from (and sequence-io's FrameFormat names them). */
export type FloatPlateFormat = 'exr' | 'dpx' | 'tiff';

export interface FloatPlate {
  /** the data window's size: the pixels held */
  width: number;
  height: number;
  channelNames: string[];
  /** OpenImageIO's type per channel as the file stores it: half, float, uint8, uint16, uint32, ... */
  channelTypes: string[];
  /** width × height × channels, interleaved, rows top to bottom; integer types as 0..1 */
  data: Float32Array;
  /** the channels that are R, G and B (one index three times for a Y or gray plate) */
  rgb: readonly [number, number, number];
  /** the alpha channel, or null */
  alpha: number | null;
  /** where the pixels held lie, and the frame they belong to (EXR's dataWindow and displayWindow) */
  dataWindow: PlateWindow;
  displayWindow: PlateWindow;
  /** every attribute of the file (name -> value as JSON) and its OpenImageIO type */
  attributes: Record<string, unknown>;
  attributeTypes: Record<string, string>;
  format: FloatPlateFormat;
  /** '' when the format has none */
  compression: string;
  /** tiled files' tile size */
  tile?: { width: number; height: number };
  /** an integer file's bits per sample when fewer than its type holds (10- and 12-bit DPX) */
  bitsPerSample?: number;
}

export type FrameSamples = RawImage | FloatPlate;

export function isFloatPlate(samples: FrameSamples): samples is FloatPlate {
  return 'channelNames' in samples;
}

/** Throws a TypeError when `plate` is inconsistent; catches engine bugs before they reach disk. */
export function assertFloatPlate(plate: FloatPlate): void {
  const { width, height, channelNames, channelTypes, data, rgb, alpha } = plate;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1)
    throw new TypeError(`plate size ${width}x${height} is not a positive whole size`);
  const n = channelNames.length;
  if (n < 1 || channelTypes.length !== n)
    throw new TypeError(`plate has ${n} channel names and ${channelTypes.length} channel types`);
  if (!(data instanceof Float32Array)) throw new TypeError('plate data must be a Float32Array');
  if (data.length !== width * height * n)
    throw new TypeError(`plate data has ${data.length} samples; ${width}x${height}x${n} needs ${width * height * n}`);
  for (const c of [...rgb, ...(alpha === null ? [] : [alpha])])
    if (!Number.isInteger(c) || c < 0 || c >= n) throw new TypeError(`plate channel index ${c} is not one of its ${n}`);
}

/**
 * Which channels are colour and alpha: R, G and B by name (case-insensitive; else the
 * one layer whose `.R`, `.G`, `.B` there are), else a Y channel or a lone channel (gray,
 * replicated into all three); alpha is A (or OpenImageIO's alpha channel). A string
 * saying what is missing when there is no colour.
 */
export function colourChannels(
  names: readonly string[],
  oiioAlpha = -1,
): { rgb: [number, number, number]; alpha: number | null } | string {
  const lower = names.map((n) => n.toLowerCase());
  const find = (want: string) => lower.indexOf(want);
  let rgb: [number, number, number] | undefined;
  const [r, g, b] = [find('r'), find('g'), find('b')];
  if (r >= 0 && g >= 0 && b >= 0) rgb = [r, g, b];
  let layer = '';
  if (!rgb) {
    const layers = new Set(lower.filter((n) => n.endsWith('.r')).map((n) => n.slice(0, -2)));
    const complete = [...layers].filter((l) => find(`${l}.g`) >= 0 && find(`${l}.b`) >= 0);
    if (complete.length === 1) {
      layer = `${complete[0]!}.`;
      rgb = [find(`${layer}r`), find(`${layer}g`), find(`${layer}b`)];
    }
  }
  if (!rgb) {
    const y = find('y');
    const gray = y >= 0 ? y : names.length === 1 || (names.length === 2 && lower[1] === 'a') ? 0 : -1;
    if (gray >= 0) rgb = [gray, gray, gray];
  }
  if (!rgb) {
    return `it has no R, G and B (or Y) channels (its channels: ${names.join(', ')}); ReAge ages colour or gray plates: shuffle the colour into R, G and B first (oiiotool --ch)`;
  }
  const a = find(`${layer}a`) >= 0 ? find(`${layer}a`) : find('a');
  const alpha = a >= 0 ? a : oiioAlpha >= 0 && !rgb.includes(oiioAlpha) ? oiioAlpha : null;
  return { rgb, alpha };
}

/** The plate's colour as interleaved RGB (a gray plate replicated), as stored. */
export function plateRgb(plate: FloatPlate): Float32Array {
  const { width, height, data, rgb } = plate;
  const n = width * height;
  const stride = plate.channelNames.length;
  const out = new Float32Array(n * 3);
  const [r, g, b] = rgb;
  for (let p = 0, s = 0; p < n; p++, s += stride) {
    out[3 * p] = data[s + r]!;
    out[3 * p + 1] = data[s + g]!;
    out[3 * p + 2] = data[s + b]!;
  }
  return out;
}

// ---------------------------------------------------------------------------
// Quantising to a channel's type

const halfBits = new DataView(new ArrayBuffer(4));

/** The nearest IEEE half-float (ties to even), as a number: what a half channel will store. */
export function roundToHalf(v: number): number {
  halfBits.setFloat32(0, v);
  const bits = halfBits.getUint32(0);
  const exponent = (bits >>> 23) & 0xff;
  if (exponent === 0xff) return v; // infinities and NaN are halves too
  const negative = bits >>> 31 === 1;
  const a = Math.abs(Math.fround(v));
  if (exponent - 127 > 15) return negative ? -Infinity : Infinity;
  // the spacing of halves around a: 2^(e-10), subnormals 2^-24
  const quantum = 2 ** (Math.max(exponent - 127, -14) - 10);
  const m = a / quantum;
  const floor = Math.floor(m);
  const frac = m - floor;
  const k = frac > 0.5 || (frac === 0.5 && floor % 2 === 1) ? floor + 1 : floor;
  const r = k * quantum > 65504 ? Infinity : k * quantum;
  return negative ? -r : r;
}

/**
 * How samples of `type` are rounded when written: halves to the nearest half, unsigned
 * integers (bits of them, when fewer: OpenImageIO holds 10- and 12-bit DPX samples as
 * 16-bit with the bits replicated) clamped to 0..1 and rounded to their steps; float as
 * it is (undefined).
 */
export function quantiserFor(type: string, bitsPerSample?: number): ((v: number) => number) | undefined {
  if (type === 'half') return roundToHalf;
  const bits = type === 'uint8' ? 8 : type === 'uint16' ? 16 : undefined;
  if (bits === undefined) return undefined;
  const held = bitsPerSample && bitsPerSample < bits ? bitsPerSample : bits;
  const steps = 2 ** held - 1;
  const full = 2 ** bits - 1;
  // b-bit k as the container holds it: k's bits repeated down to the container's width
  const widen = (k: number) => {
    let v = 0;
    for (let shift = bits - held; shift > -held; shift -= held)
      v += shift >= 0 ? k * 2 ** shift : Math.floor(k / 2 ** -shift);
    return v;
  };
  // as OpenImageIO turns the integers into floats (k times the float 1/max, in float), so
  // that a sample read back from the file is this one exactly; NaN fails both comparisons: 0
  const step = Math.fround(1 / full);
  return (v) => (v > 0 ? (v < 1 ? Math.fround(widen(Math.round(v * steps)) * step) : 1) : 0);
}

/** Channels' quantisers, in channel order (undefined where samples are kept as they are). */
export function plateQuantisers(plate: FloatPlate): (((v: number) => number) | undefined)[] {
  return plate.channelTypes.map((t) => quantiserFor(t, plate.bitsPerSample));
}

// ---------------------------------------------------------------------------
// To and from integer images

/**
 * The plate as an integer image for PNG, TIFF or JPEG: its colour (gray for a gray
 * plate) and alpha, clamped to 0..1 (NaN as 0) and rounded to `bitDepth`; other
 * channels are dropped.
 */
export function floatPlateToRaw(plate: FloatPlate, bitDepth: 8 | 16): RawImage {
  const { width, height, data, rgb, alpha } = plate;
  const gray = rgb[0] === rgb[1] && rgb[1] === rgb[2];
  const picks = [...(gray ? [rgb[0]] : rgb), ...(alpha === null ? [] : [alpha])];
  const channels = picks.length as RawImage['channels'];
  const n = width * height;
  const stride = plate.channelNames.length;
  const max = bitDepth === 16 ? 65535 : 255;
  const out = bitDepth === 16 ? new Uint16Array(n * channels) : new Uint8Array(n * channels);
  for (let p = 0, s = 0; p < n; p++, s += stride) {
    for (let c = 0; c < channels; c++) {
      const v = data[s + picks[c]!]!;
      out[p * channels + c] = v > 0 ? (v < 1 ? Math.round(v * max) : max) : 0;
    }
  }
  return { width, height, channels, bitDepth, data: out };
}

/** An integer image's samples as floats 0..1 (v / max), interleaved as they are. */
export function rawToFloats(image: RawImage): Float32Array {
  const max = image.bitDepth === 16 ? 65535 : 255;
  const out = new Float32Array(image.data.length);
  for (let i = 0; i < out.length; i++) out[i] = image.data[i]! / max;
  return out;
}

/** EXR's names for an integer image's channels: Y, Y A, R G B, R G B A. */
export function rawChannelNames(channels: RawImage['channels']): string[] {
  return [['Y'], ['Y', 'A'], ['R', 'G', 'B'], ['R', 'G', 'B', 'A']][channels - 1]!;
}
