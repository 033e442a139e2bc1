/**
 * Colour management: the plate's colour space to the engine's and back.
 *
 * The networks were trained on, and see, display-referred sRGB (IEC 61966-2-1 encoding,
 * Rec.709 primaries, D65 white): that is the engine's "display" space. A studio's plate
 * is whatever it works in; a DisplayTransform (plate-view.ts) takes it to display sRGB
 * before the engine looks at it and takes the engine's result back.
 *
 * The conversion is colourimetric and nothing else: a 3x3 matrix between primaries (with
 * Bradford chromatic adaptation from the ACES white to D65, as OCIO's
 * `UTILITY - ACES-AP1_to_LINEAR-REC709_BFD`), and the transfer curves. There is no tone
 * mapping (no ACES RRT/ODT, no highlight roll-off): a tone map compresses and clips, so its
 * inverse is not exact (and not defined past the display's white), and what the engine did
 * not change would not come back as it was. Matrix and curves are each exactly invertible,
 * so fromDisplay(toDisplay(x)) is x up to float rounding, values above 1 and below 0 included
 * (display values are unclamped: scene-linear highlights land above 1, out-of-gamut colours
 * below 0, and come back).
 *
 * The curves are OCIO's ExponentWithLinearTransform (the "moncurve" of CTF/CLF): a power
 * law with an offset, joined at the point where it is tangent to a line through the origin,
 * that break point and slope derived from the gamma and offset alone. Those are the exact
 * curves the published constants round: sRGB's 12.92 slope and 0.04045 break (OCIO's:
 * 12.9232 and 0.03929), BT.709's 4.5 and 0.081 (4.5138 and 0.081); on 0..1 the two forms
 * differ by under 1e-5 for sRGB and under 2.5e-4 for BT.709. We match OCIO's, so that a plate
 * converted here and in any OCIO-based tool (Nuke, Resolve, oiiotool) agrees. Negative values
 * follow OCIO's default negative style, NEGATIVE_LINEAR, the one OCIO's own
 * `DISPLAY - CIE-XYZ-D65_to_sRGB` builtin and the ACES OCIO v2 configs' "sRGB - Texture" use:
 * the linear segment continues through zero into the negatives (not mirrored), so the curve is
 * smooth and monotonic everywhere; above 1 the power law continues.
 *
 * The matrices are derived here from the published chromaticities (Rec.709/sRGB, ACES AP0 and
 * AP1, the D65 and ACES white points), not pasted, so they can be checked.
 *
 * OCIO configs go through OpenColorIO itself (src/main/node/oiio-service.ts's ocioConvert).
 */
import {
  COLOUR_SPACE_IDS,
  COLOUR_SPACE_LABELS,
  parseColourSpaceName,
  type ColourSpaceId,
  type OcioColourSpace,
} from '../../shared/colour-space.js';
import { ocioColourSpaces, ocioConvert } from '../node/oiio-service.js';
import { IDENTITY_TRANSFORM, type DisplayTransform } from './plate-view.js';

export type { DisplayTransform } from './plate-view.js';
export { IDENTITY_TRANSFORM } from './plate-view.js';

// ---- chromaticities -------------------------------------------------------------------

/** A CIE 1931 xy chromaticity. */
export type Xy = readonly [x: number, y: number];

/** An RGB colour space's primaries and white point. */
export interface Primaries {
  readonly red: Xy;
  readonly green: Xy;
  readonly blue: Xy;
  readonly white: Xy;
}

/** D65 (ITU-R BT.709, IEC 61966-2-1). */
export const WHITE_D65: Xy = [0.3127, 0.329];
/** The ACES white point (SMPTE ST 2065-1), close to D60. */
export const WHITE_ACES: Xy = [0.32168, 0.33767];

/** ITU-R BT.709 / sRGB primaries, D65 white. */
export const PRIMARIES_REC709: Primaries = {
  red: [0.64, 0.33],
  green: [0.3, 0.6],
  blue: [0.15, 0.06],
  white: WHITE_D65,
};
/** ACES AP0 (ACES2065-1, SMPTE ST 2065-1). */
export const PRIMARIES_AP0: Primaries = {
  red: [0.7347, 0.2653],
  green: [0.0, 1.0],
  blue: [0.0001, -0.077],
  white: WHITE_ACES,
};
/** ACES AP1 (ACEScg, ACEScc, ACEScct; S-2014-004). */
export const PRIMARIES_AP1: Primaries = {
  red: [0.713, 0.293],
  green: [0.165, 0.83],
  blue: [0.128, 0.044],
  white: WHITE_ACES,
};

// ---- 3x3 matrices (row-major: out = M * [r, g, b]) ---------------------------------------

export type Matrix3 = readonly [number, number, number, number, number, number, number, number, number];

export function multiply(a: Matrix3, b: Matrix3): Matrix3 {
  const m = new Array<number>(9);
  for (let r = 0; r < 3; r++)
    for (let c = 0; c < 3; c++)
      m[r * 3 + c] = a[r * 3]! * b[c]! + a[r * 3 + 1]! * b[3 + c]! + a[r * 3 + 2]! * b[6 + c]!;
  return m as unknown as Matrix3;
}

export function invert(m: Matrix3): Matrix3 {
  const [a, b, c, d, e, f, g, h, i] = m;
  const A = e * i - f * h;
  const B = f * g - d * i;
  const C = d * h - e * g;
  const det = a * A + b * B + c * C;
  if (!det) throw new Error('colour-spaces: singular matrix');
  const k = 1 / det;
  return [
    A * k,
    (c * h - b * i) * k,
    (b * f - c * e) * k,
    B * k,
    (a * i - c * g) * k,
    (c * d - a * f) * k,
    C * k,
    (b * g - a * h) * k,
    (a * e - b * d) * k,
  ];
}

function applyToVector(m: Matrix3, v: readonly [number, number, number]): [number, number, number] {
  return [
    m[0] * v[0] + m[1] * v[1] + m[2] * v[2],
    m[3] * v[0] + m[4] * v[1] + m[5] * v[2],
    m[6] * v[0] + m[7] * v[1] + m[8] * v[2],
  ];
}

/** XYZ of a chromaticity at luminance Y = 1. */
function xyToXyz([x, y]: Xy): [number, number, number] {
  return [x / y, 1, (1 - x - y) / y];
}

/** Linear RGB -> CIE XYZ for the primaries (white maps to Y = 1): each primary's XYZ column scaled so that they sum to the white. */
export function rgbToXyzMatrix(p: Primaries): Matrix3 {
  const [r, g, b] = [xyToXyz(p.red), xyToXyz(p.green), xyToXyz(p.blue)];
  const columns: Matrix3 = [r[0], g[0], b[0], r[1], g[1], b[1], r[2], g[2], b[2]];
  const [sr, sg, sb] = applyToVector(invert(columns), xyToXyz(p.white));
  return [r[0] * sr, g[0] * sg, b[0] * sb, r[1] * sr, g[1] * sg, b[1] * sb, r[2] * sr, g[2] * sg, b[2] * sb];
}

/** The Bradford cone response matrix (Lam 1985), as OCIO and ACES use it. */
const BRADFORD: Matrix3 = [0.8951, 0.2664, -0.1614, -0.7502, 1.7135, 0.0367, 0.0389, -0.0685, 1.0296];

/** XYZ under white `from` -> XYZ under white `to` (von Kries scaling in Bradford's cone space). */
export function bradfordAdaptation(from: Xy, to: Xy): Matrix3 {
  const s = applyToVector(BRADFORD, xyToXyz(from));
  const d = applyToVector(BRADFORD, xyToXyz(to));
  const scale: Matrix3 = [d[0] / s[0], 0, 0, 0, d[1] / s[1], 0, 0, 0, d[2] / s[2]];
  return multiply(invert(BRADFORD), multiply(scale, BRADFORD));
}

/** Linear RGB in `from` -> linear RGB in `to`, with Bradford adaptation when the white points differ. */
export function conversionMatrix(from: Primaries, to: Primaries): Matrix3 {
  let m = rgbToXyzMatrix(from);
  if (from.white[0] !== to.white[0] || from.white[1] !== to.white[1])
    m = multiply(bradfordAdaptation(from.white, to.white), m);
  return multiply(invert(rgbToXyzMatrix(to)), m);
}

// ---- transfer curves ---------------------------------------------------------------------

/** Entries of a PowTable's mantissa table: 2^POW_TABLE_BITS intervals over [1, 2). */
const POW_TABLE_BITS = 12;
const POW_FRACTION_BITS = 23 - POW_TABLE_BITS;
const POW_FRACTION_SCALE = 1 / (1 << POW_FRACTION_BITS);
const POW_FRACTION_MASK = (1 << POW_FRACTION_BITS) - 1;
const POW_INDEX_MASK = (1 << POW_TABLE_BITS) - 1;

/**
 * x^p as tables (see powOf): Math.pow costs ~55 ns a call in V8, a 1080p frame's 6.2 M
 * values ~350 ms a curve; the tables ~6 ns.
 */
export interface PowTable {
  readonly p: number;
  /** (1 + k / 2^POW_TABLE_BITS)^p, k = 0..2^POW_TABLE_BITS */
  readonly mantissa: Float64Array;
  /** (2^p)^(e - 127) for a float32's biased exponent e (1..254) */
  readonly exponent: Float64Array;
}

export function powTable(p: number): PowTable {
  const n = 1 << POW_TABLE_BITS;
  const mantissa = new Float64Array(n + 1);
  for (let k = 0; k <= n; k++) mantissa[k] = Math.pow(1 + k / n, p);
  const exponent = new Float64Array(256);
  for (let e = 1; e < 255; e++) exponent[e] = Math.pow(2, (e - 127) * p);
  return { p, mantissa, exponent };
}

const scratchF32 = new Float32Array(1);
const scratchBits = new Int32Array(scratchF32.buffer);

/**
 * x^t.p. x, rounded to float32 (the pixels' precision), is 2^e * m with m in [1, 2):
 * x^p = (2^p)^e * m^p, the first from a table by exponent, the second interpolated linearly
 * in 4097 values of m^p. The interpolation's relative error is under h^2/8 |p (p - 1)| 2^|p|
 * with h = 2^-12, 2.5e-8 for p = 2.4: below float32's 6e-8 (the tests check it against
 * Math.pow). Zero, negatives, subnormals, infinities and NaN go to Math.pow.
 */
export function powOf(t: PowTable, x: number): number {
  scratchF32[0] = x;
  const b = scratchBits[0]!;
  const e = b >>> 23; // negatives: the sign bit makes e > 255
  if (e === 0 || e >= 255) return Math.pow(x, t.p);
  const k = (b >>> POW_FRACTION_BITS) & POW_INDEX_MASK;
  const lo = t.mantissa[k]!;
  return t.exponent[e]! * (lo + (t.mantissa[k + 1]! - lo) * ((b & POW_FRACTION_MASK) * POW_FRACTION_SCALE));
}

/**
 * OCIO's ExponentWithLinearTransform for one gamma and offset, NEGATIVE_LINEAR style.
 * Decoding (OCIO's forward direction) takes encoded values to linear:
 * ((v + offset) / (1 + offset))^gamma above the break, v * slope below it, negatives
 * included; encoding is its exact inverse. The break is where the power law is tangent to a
 * line through the origin: encoded offset / (gamma - 1).
 */
export interface TransferCurve {
  readonly gamma: number;
  readonly offset: number;
  /** the break point in encoded values, offset / (gamma - 1) */
  readonly encodedBreak: number;
  /** the break point in linear values */
  readonly linearBreak: number;
  /** d(linear)/d(encoded) on the linear segment */
  readonly slope: number;
  readonly powGamma: PowTable;
  readonly powInverse: PowTable;
}

export function exponentWithLinear(gamma: number, offset: number): TransferCurve {
  const encodedBreak = offset / (gamma - 1);
  const linearBreak = Math.pow((encodedBreak + offset) / (1 + offset), gamma);
  return {
    gamma,
    offset,
    encodedBreak,
    linearBreak,
    slope: linearBreak / encodedBreak,
    powGamma: powTable(gamma),
    powInverse: powTable(1 / gamma),
  };
}

/** Encoded -> linear. */
export function decode(c: TransferCurve, v: number): number {
  return v < c.encodedBreak ? v * c.slope : powOf(c.powGamma, (v + c.offset) / (1 + c.offset));
}

/** Linear -> encoded. */
export function encode(c: TransferCurve, v: number): number {
  return v < c.linearBreak ? v / c.slope : (1 + c.offset) * powOf(c.powInverse, v) - c.offset;
}

/** The sRGB encoding (IEC 61966-2-1): gamma 2.4, offset 0.055. */
export const SRGB_CURVE = exponentWithLinear(2.4, 0.055);
/**
 * The BT.709 camera OETF (ITU-R BT.709): 0.45 power, offset 0.099, linear toe; the camera
 * encoding, as ACES configs' "Utility - Rec.709 - Camera", not a display's Rec.1886 2.4 gamma.
 */
export const BT709_CURVE = exponentWithLinear(1 / 0.45, 0.099);

// ---- the built-in spaces -----------------------------------------------------------------

// The ids, menu labels and aliases are the vocabulary the project file, plan, CLI and studio share
// (src/shared/colour-space.ts); the maths is here.
export type { ColourSpaceId } from '../../shared/colour-space.js';

export interface ColourSpaceInfo {
  readonly id: ColourSpaceId;
  /** for menus */
  readonly label: string;
  readonly description: string;
}

const DESCRIPTIONS: Record<ColourSpaceId, string> = {
  srgb: 'sRGB encoding (IEC 61966-2-1), Rec.709 primaries, D65: the engine’s own display space; 8/16-bit PNG, TIFF and JPEG plates are usually this.',
  rec709:
    'Rec.709 primaries with the BT.709 camera OETF (0.45 power, 4.5 linear toe), as ACES configs’ "Utility - Rec.709 - Camera": video from a camera, not a Rec.1886 display encoding.',
  'linear-rec709': 'Scene-linear light with Rec.709/sRGB primaries and D65 white: a common EXR working space.',
  acescg: 'Scene-linear ACES AP1 primaries, ACES white: the ACES CG and compositing working space.',
  'aces2065-1': 'Scene-linear ACES AP0 primaries, ACES white: the ACES archive and interchange encoding.',
};

/** The built-in spaces, in menu order. */
export const COLOUR_SPACES: readonly ColourSpaceInfo[] = COLOUR_SPACE_IDS.map((id) =>
  Object.freeze({ id, label: COLOUR_SPACE_LABELS[id], description: DESCRIPTIONS[id] }),
);

/** A built-in space from its id or an alias (linear-srgb, ap1, ...), any case; the error names the valid ones. */
export function parseColourSpace(text: string): ColourSpaceId {
  let id: ColourSpaceId | 'auto' | undefined;
  try {
    id = parseColourSpaceName(text);
  } catch {
    id = undefined;
  }
  if (id !== undefined && id !== 'auto') return id;
  throw new Error(
    `unknown colour space "${text}": use one of ${COLOUR_SPACE_IDS.join(', ')} (linear-srgb is linear-rec709 too)`,
  );
}

const IDENTITY_MATRIX: Matrix3 = [1, 0, 0, 0, 1, 0, 0, 0, 1];

/** The linear spaces' matrices to linear Rec.709 (D65) and back; none for linear-rec709 itself. */
const LINEAR_MATRICES: Record<
  'linear-rec709' | 'acescg' | 'aces2065-1',
  { toRec709: Matrix3; fromRec709: Matrix3 } | undefined
> = {
  'linear-rec709': undefined,
  acescg: matricesTo709(PRIMARIES_AP1),
  'aces2065-1': matricesTo709(PRIMARIES_AP0),
};

function matricesTo709(p: Primaries): { toRec709: Matrix3; fromRec709: Matrix3 } {
  const toRec709 = conversionMatrix(p, PRIMARIES_REC709);
  return { toRec709, fromRec709: invert(toRec709) };
}

/** The matrix from a built-in space's linear RGB to linear Rec.709 (the identity for srgb, rec709 and linear-rec709). */
export function matrixToLinearRec709(id: ColourSpaceId): Matrix3 {
  if (id === 'srgb' || id === 'rec709') return IDENTITY_MATRIX;
  return LINEAR_MATRICES[id]?.toRec709 ?? IDENTITY_MATRIX;
}

function checkRgb(rgb: Float32Array): void {
  if (rgb.length % 3)
    throw new Error(`colour-spaces: interleaved RGB expected, got ${rgb.length} values (not a multiple of 3)`);
}

/**
 * The per-pixel loop: decode each value with `from`, the 3x3 matrix, encode each value with
 * `to`; undefined skips that step. (Curves are data and decode/encode plain functions, so that
 * V8 inlines them: closures per curve made the call sites polymorphic, 5x slower.)
 */
function convert(
  from: TransferCurve | undefined,
  m: Matrix3 | undefined,
  to: TransferCurve | undefined,
  src: Float32Array,
  out: Float32Array,
): void {
  if (!m) {
    for (let i = 0; i < src.length; i++) {
      let v = src[i]!;
      if (from) v = decode(from, v);
      if (to) v = encode(to, v);
      out[i] = v;
    }
    return;
  }
  const [m0, m1, m2, m3, m4, m5, m6, m7, m8] = m;
  for (let i = 0; i < src.length; i += 3) {
    let r = src[i]!;
    let g = src[i + 1]!;
    let b = src[i + 2]!;
    if (from) {
      r = decode(from, r);
      g = decode(from, g);
      b = decode(from, b);
    }
    const R = m0 * r + m1 * g + m2 * b;
    const G = m3 * r + m4 * g + m5 * b;
    const B = m6 * r + m7 * g + m8 * b;
    out[i] = to ? encode(to, R) : R;
    out[i + 1] = to ? encode(to, G) : G;
    out[i + 2] = to ? encode(to, B) : B;
  }
}

/** Plate-space RGB of a built-in space -> display sRGB, unclamped: into `out` (a new array by default; may be `rgb` itself). */
export function convertToDisplay(
  id: ColourSpaceId,
  rgb: Float32Array,
  out = new Float32Array(rgb.length),
): Float32Array {
  checkRgb(rgb);
  if (out.length !== rgb.length) throw new Error('colour-spaces: output length differs from input');
  if (id === 'srgb') out.set(rgb);
  else if (id === 'rec709') convert(BT709_CURVE, undefined, SRGB_CURVE, rgb, out);
  else convert(undefined, LINEAR_MATRICES[id]?.toRec709, SRGB_CURVE, rgb, out);
  return out;
}

/** Display sRGB -> plate-space RGB of a built-in space: the exact inverse of convertToDisplay (`out` as there). */
export function convertFromDisplay(
  id: ColourSpaceId,
  rgb: Float32Array,
  out = new Float32Array(rgb.length),
): Float32Array {
  checkRgb(rgb);
  if (out.length !== rgb.length) throw new Error('colour-spaces: output length differs from input');
  if (id === 'srgb') out.set(rgb);
  else if (id === 'rec709') convert(SRGB_CURVE, undefined, BT709_CURVE, rgb, out);
  else convert(SRGB_CURVE, LINEAR_MATRICES[id]?.fromRec709, undefined, rgb, out);
  return out;
}

/** The DisplayTransform of a built-in space (IDENTITY_TRANSFORM for srgb). */
export function builtinTransform(id: ColourSpaceId): DisplayTransform {
  if (id === 'srgb') return IDENTITY_TRANSFORM;
  return Object.freeze({
    identity: false,
    toDisplay: async (rgb: Float32Array) => convertToDisplay(id, rgb),
    fromDisplay: async (rgb: Float32Array) => convertFromDisplay(id, rgb),
  });
}

// ---- OCIO configs --------------------------------------------------------------------------

/** What a plate is in: a built-in space, or a colour space of an OCIO config (converted to that config's sRGB display space). */
/**
 * What a plate is in: a built-in space, or a colour space of an OCIO config ({ config, space,
 * display? }: converted to the config's display sRGB space, `display` or by default the first
 * of its colour spaces that DISPLAY_SPACE_NAMES matches).
 */
export type DisplayTransformSpec = { space: ColourSpaceId } | { ocio: OcioColourSpace };

/** How configs name display-referred sRGB (the ACES configs, OCIO's cg/studio configs, ad-hoc ones). */
export const DISPLAY_SPACE_NAMES = /^(sRGB|Utility - sRGB - Texture|sRGB - Texture|srgb_tx|Output - sRGB)$/i;

/**
 * The DisplayTransform for a spec. Built-in spaces convert here, in JS; OCIO config spaces go
 * through OpenColorIO (oiio-service.ts), after checking that the config has the plate's space and
 * a display space (errors name the config's spaces).
 */
export async function displayTransform(spec: DisplayTransformSpec): Promise<DisplayTransform> {
  if ('space' in spec) return builtinTransform(spec.space);
  const { config, space, display } = spec.ocio;
  const spaces = await ocioColourSpaces(config);
  const find = (name: string) => spaces.find((s) => s.toLowerCase() === name.toLowerCase());
  const listed = () => spaces.map((s) => `"${s}"`).join(', ');
  const plate = find(space);
  if (plate === undefined) throw new Error(`OCIO config ${config} has no colour space "${space}"; it has ${listed()}`);
  let shown: string | undefined;
  if (display !== undefined) {
    shown = find(display);
    if (shown === undefined)
      throw new Error(
        `OCIO config ${config} has no colour space "${display}" (the display space asked for); it has ${listed()}`,
      );
  } else {
    shown = spaces.find((s) => DISPLAY_SPACE_NAMES.test(s));
    if (shown === undefined)
      throw new Error(
        `OCIO config ${config} has no sRGB display colour space (one named sRGB, Utility - sRGB - Texture, sRGB - Texture, srgb_tx or Output - sRGB): name the one to use as display; it has ${listed()}`,
      );
  }
  if (plate === shown) return IDENTITY_TRANSFORM;
  const to = shown;
  return Object.freeze({
    identity: false,
    toDisplay: (rgb: Float32Array) => (checkRgb(rgb), ocioConvert(config, plate, to, rgb)),
    fromDisplay: (rgb: Float32Array) => (checkRgb(rgb), ocioConvert(config, to, plate, rgb)),
  });
}

// ---- EXR chromaticities ----------------------------------------------------------------------

/** How far (in x and y) an EXR's chromaticities may be from the published ones and still name the space. */
export const CHROMATICITY_TOLERANCE = 1e-3;

/**
 * The built-in linear space an EXR's `chromaticities` attribute names: [red x, y, green x, y,
 * blue x, y, white x, y]. AP1 -> acescg, AP0 -> aces2065-1, Rec.709 (D65) -> linear-rec709 (EXR
 * pixels are scene-linear); undefined for anything else, or no attribute.
 */
export function colourSpaceFromChromaticities(xy: ArrayLike<number> | undefined): ColourSpaceId | undefined {
  if (!xy || xy.length !== 8) return undefined;
  const candidates: [Primaries, ColourSpaceId][] = [
    [PRIMARIES_AP1, 'acescg'],
    [PRIMARIES_AP0, 'aces2065-1'],
    [PRIMARIES_REC709, 'linear-rec709'],
  ];
  for (const [p, id] of candidates) {
    const want = [...p.red, ...p.green, ...p.blue, ...p.white];
    if (want.every((v, i) => Math.abs(v - xy[i]!) <= CHROMATICITY_TOLERANCE)) return id;
  }
  return undefined;
}
