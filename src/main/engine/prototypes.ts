/**
 * Age prototypes: per age category, the average shape-normalised face of the training
 * data at full chip resolution (Burt & Perrett 1995; Tiddeman, Burt & Perrett 2001):
 *  - mean landmarks (the category's shape),
 *  - mean colour image, warped to one reference shape so features line up,
 *  - per band of a Laplacian pyramid and per location, the detail amplitude: the root
 *    mean square of the faces' band values, locally smoothed.
 * The age texture transform (`ageTexture`) moves a shape-normalised face from one
 * category's prototype towards another's; prototype-layer.ts carries that change back
 * onto a face in a plate.
 *
 * On disk (a model folder's `prototypes/`): prototypes.json (this module's
 * `prototypeMetaSchema`) and prototypes.bin, little-endian float32, for each category
 * in order its mean image (size x size x 3, RGB 0..1) then its amplitude at each band
 * (finest first; band b is ceil(size / 2^b) square, one channel). Built by
 * scripts/build-prototypes.ts.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { borderPoints, triangleMap, type Triangle, type TriangleMap } from './piecewise-warp.js';
import { collapse, expand, gaussianPyramid, laplacianPyramid, luma, planes, type Planes } from './pyramid.js';
import type { Point } from './types.js';

export const PROTOTYPES_JSON = 'prototypes/prototypes.json';
export const PROTOTYPES_BIN = 'prototypes/prototypes.bin';
export const PROTOTYPE_FORMAT = 1;

const point = z.tuple([z.number(), z.number()]);

export const prototypeMetaSchema = z.object({
  format: z.literal(PROTOTYPE_FORMAT),
  /** side of the prototype frame in pixels: the model's crop box at full chip resolution */
  size: z.number().int().min(16),
  /** detail bands of the pyramid (the residual below them is not stored) */
  levels: z.number().int().min(1).max(8),
  /** the training chip's crop (left, top, right, bottom) the frame covers: the same as the networks' */
  cropBox: z.tuple([z.number(), z.number(), z.number(), z.number()]),
  categories: z.array(z.string()).min(2),
  /** faces averaged into each category's prototype */
  counts: z.array(z.number().int().positive()),
  /** the reference shape every face is warped to (68 landmarks, frame pixels) */
  reference: z.array(point).length(68),
  /** triangles over the reference landmarks followed by borderPoints(size) */
  triangles: z.array(z.tuple([z.number().int(), z.number().int(), z.number().int()])).min(1),
  /** each category's mean landmarks, frame pixels */
  meanLandmarks: z.array(z.array(point).length(68)),
  built: z.object({ data: z.string(), perCategory: z.number().int().positive(), seed: z.number().int() }),
});
export type PrototypeMeta = z.infer<typeof prototypeMetaSchema>;

export interface AgePrototypes {
  meta: PrototypeMeta;
  size: number;
  levels: number;
  /** the reference landmarks followed by the frame's border points: the warp's vertices */
  referencePoints: Point[];
  triangles: Triangle[];
  /** per category */
  mean: Planes[];
  /** per category, per band (finest first) */
  amplitude: Planes[][];
  /** which triangle covers each pixel of the reference frame, for warping faces onto it */
  referenceMap: TriangleMap;
  /** per category, derived from `mean` once at load: its coarsest Gaussian level (colour) */
  coarseMean: Planes[];
  /** per category, derived from `mean` once at load: the Laplacian bands of its luma (structure) */
  meanLumaBands: Planes[][];
}

export function bandSize(size: number, band: number): number {
  let s = size;
  for (let b = 0; b < band; b++) s = Math.ceil(s / 2);
  return s;
}

/** float32 values per category in prototypes.bin */
export function categoryValues(size: number, levels: number): number {
  let n = size * size * 3;
  for (let b = 0; b < levels; b++) n += bandSize(size, b) ** 2;
  return n;
}

const toPoints = (pts: readonly (readonly [number, number])[]): Point[] => pts.map(([x, y]) => ({ x, y }));

/** Assemble prototypes from their metadata and float32 values (as stored), checking every size. */
export function prototypesFrom(meta: PrototypeMeta, values: Float32Array): AgePrototypes {
  const { size, levels, categories } = meta;
  const per = categoryValues(size, levels);
  if (values.length !== per * categories.length)
    throw new Error(
      `${PROTOTYPES_BIN} holds ${values.length} values; ${categories.length} categories need ${per * categories.length}`,
    );
  if (meta.counts.length !== categories.length || meta.meanLandmarks.length !== categories.length)
    throw new Error('prototype counts and mean landmarks must list every category');
  const referencePoints = [...toPoints(meta.reference), ...borderPoints(size)];
  for (const t of meta.triangles)
    if (t.some((k) => k < 0 || k >= referencePoints.length)) throw new Error(`triangle ${t.join(',')} names no point`);
  const mean: Planes[] = [];
  const amplitude: Planes[][] = [];
  categories.forEach((_, c) => {
    let at = c * per;
    mean.push(planes(size, size, 3, values.slice(at, at + size * size * 3)));
    at += size * size * 3;
    const bands: Planes[] = [];
    for (let b = 0; b < levels; b++) {
      const s = bandSize(size, b);
      bands.push(planes(s, s, 1, values.slice(at, at + s * s)));
      at += s * s;
    }
    amplitude.push(bands);
  });
  const triangles = meta.triangles as Triangle[];
  return {
    meta,
    size,
    levels,
    referencePoints,
    triangles,
    mean,
    amplitude,
    referenceMap: triangleMap(referencePoints, triangles, size, size),
    coarseMean: mean.map((m) => gaussianPyramid(m, levels)[levels]!),
    meanLumaBands: mean.map((m) => laplacianPyramid(luma(m), levels)),
  };
}

/** Load a model folder's prototypes (files already verified against the manifest's SHA-256). */
export async function loadPrototypes(modelDir: string): Promise<AgePrototypes> {
  const meta = prototypeMetaSchema.parse(JSON.parse(await readFile(join(modelDir, PROTOTYPES_JSON), 'utf8')));
  const buf = await readFile(join(modelDir, PROTOTYPES_BIN));
  const values = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  return prototypesFrom(meta, values);
}

/**
 * Bound on the gain of a band's detail at a location (the amplitude ratio to its part's
 * power): where a prototype's amplitude is near zero (the frame's smooth border, noise
 * in the mean), an unbounded ratio would blow the face's own detail up.
 */
export const MAX_DETAIL_GAIN = 3;
/** Bound on the prototypes' coarse colour ratio per channel. */
const MAX_COLOUR_RATIO = 1.5;
const AMPLITUDE_FLOOR = 1e-3;
/** Towards a younger age, the finest bands whose detail may be smoothed (skin texture, pores, fine lines). */
const SMOOTHED_BANDS = 2;

/**
 * How far each part of the prototype layer goes, as a multiple of the prototypes' own
 * difference: colour and detail as powers on their ratios, structure as a factor on the
 * mean faces' band difference, shape on the mean landmarks' difference.
 */
export interface PrototypeParts {
  colour: number;
  structure: number;
  detail: number;
  shape: number;
}

/**
 * The parts at texture 1, chosen on UTKFace training faces with scripts/tune-aging.ts
 * under the rule in docs/EVAL.md ("Decisions"). A prototype is an average: individual
 * faces' differences in shape and detail are partly averaged away in it, so the
 * prototypes' own difference understates an age change: detail goes three times and
 * shape twice as far. The mean faces' band difference (structure) is off: on an adult aged to 0-18
 * it drew the average child's features over the face's own as creases.
 */
export const PROTOTYPE_PARTS: Readonly<PrototypeParts> = { colour: 1, structure: 0, detail: 3, shape: 2 };

/** Each part at `texture` (0 off, 1 the defaults above), with `gains` replacing the defaults' multiples. */
export function prototypeParts(texture: number, gains: Partial<PrototypeParts> = {}): PrototypeParts {
  const g = { ...PROTOTYPE_PARTS, ...gains };
  return {
    colour: texture * g.colour,
    structure: texture * g.structure,
    detail: texture * g.detail,
    shape: texture * g.shape,
  };
}

/**
 * The age change of a shape-normalised face (size x size RGB, 0..1) from category
 * `source` to `target`, each part `parts` of the way (1 the prototypes' own difference):
 *  - colour: the prototypes' coarse colour ratio (mean_target / mean_source at the
 *    pyramid's residual level)^parts.colour, its luma applied to the face's luma and each
 *    channel's to the face's own chroma (so a grey plate stays grey);
 *  - consistent structure: parts.structure * the luma of the prototypes' band differences;
 *  - texture: each detail band of the face's luma scaled by
 *    (amplitude_target / amplitude_source)^parts.detail at each location, so wrinkles the
 *    face already has deepen where older faces have them, and smooth out towards a
 *    child's skin (in the finest SMOOTHED_BANDS only, towards a younger age).
 * Returns the change alone (same size, RGB), so that adding it to the plate leaves
 * the plate's own pixels wherever the change is zero. (parts.shape is prototype-layer.ts's.)
 */
export function ageTexture(
  protos: AgePrototypes,
  face: Planes,
  source: number,
  target: number,
  parts: Omit<PrototypeParts, 'shape'>,
): Planes {
  const { size, levels } = protos;
  if (face.width !== size || face.height !== size || face.channels !== 3)
    throw new Error(`ageTexture needs a ${size}x${size} RGB face, got ${face.width}x${face.height}x${face.channels}`);
  for (const c of [source, target])
    if (!(c >= 0 && c < protos.mean.length)) throw new RangeError(`no prototype for age category ${c}`);
  const out = new Float32Array(size * size * 3);
  if ((parts.colour === 0 && parts.structure === 0 && parts.detail === 0) || source === target)
    return planes(size, size, 3, out);
  // Colour, multiplicatively at the pyramid's coarsest level: skin reflectance changes
  // under the plate's own light, and a grey or tinted plate is not pulled towards the
  // training photos' average colour.
  const cs = protos.coarseMean[source]!;
  const ct = protos.coarseMean[target]!;
  const ratio = new Float32Array(cs.data.length);
  for (let i = 0; i < ratio.length; i++)
    ratio[i] =
      Math.min(MAX_COLOUR_RATIO, Math.max(1 / MAX_COLOUR_RATIO, (ct.data[i]! + 0.02) / (cs.data[i]! + 0.02))) **
        parts.colour -
      1;
  const colour = expand({ ...cs, data: ratio }, size, size).data;
  // luma scales by the ratio's luma; the face's own chroma (its difference from its luma)
  // by each channel's ratio, so a grey face stays grey
  for (let p = 0; p < size * size; p++) {
    const f = face.data;
    const y = 0.2126 * f[3 * p]! + 0.7152 * f[3 * p + 1]! + 0.0722 * f[3 * p + 2]!;
    const ry = 0.2126 * colour[3 * p]! + 0.7152 * colour[3 * p + 1]! + 0.0722 * colour[3 * p + 2]!;
    for (let k = 0; k < 3; k++) out[3 * p + k] = y * ry + (f[3 * p + k]! - y) * colour[3 * p + k]!;
  }
  // Consistent structure (folds, bags, the lips' outline) that the category's faces share:
  // the prototypes' band difference, in luma only for the same reason.
  if (parts.structure !== 0) {
    const ls = protos.meanLumaBands[source]!;
    const lt = protos.meanLumaBands[target]!;
    const structure = collapse([
      ...ls
        .slice(0, levels)
        .map((band, b) => ({ ...band, data: band.data.map((v, i) => parts.structure * (lt[b]!.data[i]! - v)) })),
      planes(ls[levels]!.width, ls[levels]!.height, 1),
    ]).data;
    for (let p = 0; p < size * size; p++) for (let k = 0; k < 3; k++) out[3 * p + k] = out[3 * p + k]! + structure[p]!;
  }

  const younger = target < source;
  const bands = laplacianPyramid(face, levels);
  const scaled = bands.map((band, b) => {
    if (b === levels) return planes(band.width, band.height, 3); // the residual is left to the mean difference
    const as = protos.amplitude[source]![b]!.data;
    const at = protos.amplitude[target]![b]!.data;
    const d = new Float32Array(band.data.length);
    for (let p = 0; p < as.length; p++) {
      const ratio = (at[p]! + AMPLITUDE_FLOOR) / (as[p]! + AMPLITUDE_FLOOR);
      // bounded after the power, so a large part cannot cut cracks into a fold
      let gain = Math.min(MAX_DETAIL_GAIN, Math.max(1 / MAX_DETAIL_GAIN, ratio ** parts.detail)) - 1;
      // towards a younger age only skin texture is smoothed: every lit face has the
      // coarse bands' shading (eye sockets, the nose's sides), and flattening it on an
      // adult left pale patches around the eyes
      if (younger && gain < 0 && b >= SMOOTHED_BANDS) gain = 0;
      // the band's luma only: wrinkles and pores are light and shade, while the chroma
      // detail of a photographed face is mostly compression noise, which would be
      // amplified into coloured specks
      const y = 0.2126 * band.data[3 * p]! + 0.7152 * band.data[3 * p + 1]! + 0.0722 * band.data[3 * p + 2]!;
      for (let k = 0; k < 3; k++) d[3 * p + k] = gain * y;
    }
    return { ...band, data: d };
  });
  const texture = collapse(scaled).data;
  for (let i = 0; i < out.length; i++) out[i] = out[i]! + texture[i]!;
  return planes(size, size, 3, out);
}
