/**
 * Where on the face the age change applies (issue #22): the face mask (composite.ts)
 * shaped by the artist's regions. Eyes, the mouth's interior, glasses lenses and the
 * forehead can be weakened or switched off; the neck, below the jaw line, can be
 * added; the whole outline fed and grown.
 *
 * The mouth's interior switched off keeps the plate's own pixels inside its outline
 * exactly: its weight is 1 on every pixel of the outline (dilated by the blur's reach
 * before it is feathered), so the mask there is multiplied by exactly 0, the feather on
 * the lips around it. The other regions fade across their outlines, as the eyes always
 * have (their outlines are grown past the iris for that).
 */
import { centroid } from './align.js';
import {
  BLUR_PASSES,
  blurInPlace,
  buildFaceMask,
  checkLandmarks,
  faceAxis,
  fillPolygon,
  unionBox,
  type FaceMask,
  type PixelBox,
  DEFAULT_FEATHER_FRACTION,
  DEFAULT_FOREHEAD_LIFT,
} from './composite.js';
import type { Point } from './types.js';
import { resolveRegions, type Regions, type RegionName } from '../../shared/regions.js';

const EYE_RIGHT = [36, 37, 38, 39, 40, 41];
const EYE_LEFT = [42, 43, 44, 45, 46, 47];
const BROW_RIGHT = [17, 18, 19, 20, 21];
const BROW_LEFT = [22, 23, 24, 25, 26];
const INNER_LIPS = [60, 61, 62, 63, 64, 65, 66, 67];
const BROWS = [...BROW_RIGHT, ...BROW_LEFT];
/** The jaw points the neck hangs from: below the ears, round the chin. */
const NECK_JAW = [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13];

/** How much the eye outlines are grown about their centres: iris and lids' edge, not the bags below. */
const EYE_GROWTH = 1.35;
/** A lens reaches past the eye: half as wide again as the brow above it, and as far below the eye as the brow is above. */
const LENS_WIDTH = 1.15;
const LENS_HEIGHT = 1.1;
/** The neck's depth below the jaw, as a fraction of the eye-to-chin distance. */
const NECK_DEPTH = 0.55;
/** Feather of the kept-out features, as a fraction of the eye-to-chin distance. */
const FEATURE_FEATHER_FRACTION = 0.025;

function scaledAbout(points: readonly Point[], k: number): Point[] {
  const c = centroid(points);
  return points.map((p) => ({ x: c.x + (p.x - c.x) * k, y: c.y + (p.y - c.y) * k }));
}

const at = (landmarks: readonly Point[], ids: readonly number[]) => ids.map((i) => landmarks[i]!);

/** An ellipse about an eye reaching the brow above it: where a spectacle lens sits. */
function lensOutline(landmarks: readonly Point[], eye: readonly number[], brow: readonly number[]): Point[] {
  const { up } = faceAxis(landmarks);
  const c = centroid(at(landmarks, eye));
  const b = at(landmarks, brow);
  const span = Math.hypot(b[0]!.x - b[b.length - 1]!.x, b[0]!.y - b[b.length - 1]!.y);
  const rise = Math.max(1, (c.x - centroid(b).x) * -up.x + (c.y - centroid(b).y) * -up.y);
  const a = (LENS_WIDTH * span) / 2;
  const h = LENS_HEIGHT * rise;
  // across the face (perpendicular to up) and along it
  const across = { x: -up.y, y: up.x };
  return Array.from({ length: 24 }, (_, i) => {
    const t = (2 * Math.PI * i) / 24;
    const u = a * Math.cos(t);
    const v = h * Math.sin(t);
    return { x: c.x + u * across.x + v * up.x, y: c.y + u * across.y + v * up.y };
  });
}

/** The forehead: above the brow line up to the mask's lifted brows (and a little past, for the outline's feather). */
function foreheadOutline(landmarks: readonly Point[], lift: number): Point[] {
  const { up, size } = faceAxis(landmarks);
  const brows = at(landmarks, BROWS);
  const top = brows.map((p) => ({ x: p.x + 1.5 * lift * size * up.x, y: p.y + 1.5 * lift * size * up.y }));
  return [...brows, ...top.reverse()];
}

/** The neck: from the jaw line down NECK_DEPTH of the eye-to-chin distance. */
function neckOutline(landmarks: readonly Point[]): Point[] {
  const { up, size } = faceAxis(landmarks);
  const jaw = at(landmarks, NECK_JAW);
  const below = jaw.map((p) => ({ x: p.x - NECK_DEPTH * size * up.x, y: p.y - NECK_DEPTH * size * up.y }));
  return [...jaw, ...below.reverse()];
}

/** The outlines of a region that can be weakened, in frame pixels (a closed mouth's has no area). */
export function regionOutlines(
  landmarks: readonly Point[],
  region: Exclude<RegionName, 'neck'>,
  foreheadLift = DEFAULT_FOREHEAD_LIFT,
): Point[][] {
  checkLandmarks(landmarks);
  switch (region) {
    case 'eyes':
      return [scaledAbout(at(landmarks, EYE_RIGHT), EYE_GROWTH), scaledAbout(at(landmarks, EYE_LEFT), EYE_GROWTH)];
    case 'mouth':
      return [at(landmarks, INNER_LIPS)];
    case 'lenses':
      return [lensOutline(landmarks, EYE_RIGHT, BROW_RIGHT), lensOutline(landmarks, EYE_LEFT, BROW_LEFT)];
    case 'forehead':
      return [foreheadOutline(landmarks, foreheadLift)];
  }
}

/**
 * The outlines filled over `box` and feathered by about `feather` pixels. `exact`:
 * exactly 1 on every pixel of an outline, falling to 0 beyond (filling, blurring and
 * keeping every touched pixel dilates the outline by the blur's reach; the second
 * blur's ramp then lies wholly outside it): what the mouth's interior needs, so teeth
 * and tongue keep their pixels. Otherwise the ramp is centred on the outline, as the
 * eyes have always been kept out: a wider hold takes the change from the lids and the
 * skin round the eyes, where much of an age reads.
 */
function heldRegion(outlines: readonly Point[][], box: PixelBox, feather: number, exact: boolean): Float64Array {
  const { x, y, width: w, height: h } = box;
  const region = new Float64Array(w * h);
  for (const outline of outlines) {
    const one = new Float64Array(w * h);
    fillPolygon(outline, one, w, h, x, y);
    for (let i = 0; i < one.length; i++) if (one[i]) region[i] = 1;
  }
  const r = Math.max(1, Math.round(feather / BLUR_PASSES));
  if (exact) {
    blurInPlace(region, w, h, r);
    for (let i = 0; i < region.length; i++) region[i] = region[i]! > 0 ? 1 : 0;
  }
  blurInPlace(region, w, h, r);
  const norm = (2 * r + 1) ** (2 * BLUR_PASSES);
  for (let i = 0; i < region.length; i++) region[i] = Math.min(1, region[i]! / norm);
  return region;
}

/** Multiply the mask by 1 − (1 − amount) · region over its box: amount 0 keeps the plate inside the region. */
function weaken(mask: FaceMask, region: Float64Array, amount: number): void {
  const { bbox, width } = mask;
  for (let row = 0; row < bbox.height; row++)
    for (let col = 0; col < bbox.width; col++) {
      const p = (bbox.y + row) * width + bbox.x + col;
      mask.mask[p] = mask.mask[p]! * (1 - (1 - amount) * region[row * bbox.width + col]!);
    }
}

/** The neck added to the mask at `amount` (the larger of the two weights at each pixel), its box grown to hold it. */
function addNeck(mask: FaceMask, landmarks: readonly Point[], amount: number, feather: number): FaceMask {
  const neck = buildFaceMaskFromOutline(neckOutline(landmarks), mask.width, mask.height, feather);
  if (!neck.bbox.width || !neck.bbox.height) return mask;
  const out = mask.mask.slice();
  const { bbox } = neck;
  for (let row = bbox.y; row < bbox.y + bbox.height; row++)
    for (let p = row * mask.width + bbox.x, end = p + bbox.width; p < end; p++)
      out[p] = Math.max(out[p]!, amount * neck.mask[p]!);
  return { ...mask, mask: out, bbox: unionBox([mask.bbox, bbox]) };
}

/** A polygon's mask feathered as the face mask is (its own box; no forehead lift). */
function buildFaceMaskFromOutline(outline: readonly Point[], width: number, height: number, feather: number): FaceMask {
  const r = Math.round(feather / BLUR_PASSES);
  const reach = BLUR_PASSES * r;
  const x0 = Math.max(0, Math.floor(Math.min(...outline.map((p) => p.x))) - reach);
  const y0 = Math.max(0, Math.floor(Math.min(...outline.map((p) => p.y))) - reach);
  const x1 = Math.min(width, Math.ceil(Math.max(...outline.map((p) => p.x))) + reach);
  const y1 = Math.min(height, Math.ceil(Math.max(...outline.map((p) => p.y))) + reach);
  const bbox = { x: x0, y: y0, width: Math.max(0, x1 - x0), height: Math.max(0, y1 - y0) };
  const mask = new Float32Array(width * height);
  if (!bbox.width || !bbox.height) return { width, height, mask, bbox, polygon: [...outline] };
  const region = new Float64Array(bbox.width * bbox.height);
  fillPolygon(outline, region, bbox.width, bbox.height, x0, y0);
  if (r > 0) blurInPlace(region, bbox.width, bbox.height, r);
  const norm = (2 * r + 1) ** (2 * BLUR_PASSES);
  for (let row = 0; row < bbox.height; row++)
    for (let col = 0; col < bbox.width; col++)
      mask[(y0 + row) * width + x0 + col] = region[row * bbox.width + col]! / norm;
  return { width, height, mask, bbox, polygon: [...outline] };
}

/**
 * The mask the change is composited under: the face's outline fed and grown as the
 * regions say, the neck added at its amount, then each weakened region taken out.
 * With the defaults: the face less its eyes and an open mouth's interior.
 */
export function regionMask(
  landmarks: readonly Point[],
  width: number,
  height: number,
  regions: Regions | undefined,
  /** regions left out of the weakening (the shape warp's mask leaves the eyes in: shapeMask) */
  except: readonly RegionName[] = [],
): FaceMask {
  const r = resolveRegions(regions);
  const { size } = faceAxis(landmarks);
  const feather = r.feather * DEFAULT_FEATHER_FRACTION * size;
  let mask = buildFaceMask(landmarks, width, height, { feather, grow: r.grow * size });
  if (r.neck > 0) mask = addNeck(mask, landmarks, r.neck, feather);
  if (!mask.bbox.width || !mask.bbox.height) return mask;
  const featureFeather = FEATURE_FEATHER_FRACTION * size;
  for (const name of ['eyes', 'mouth', 'lenses', 'forehead'] as const) {
    if (r[name] >= 1 || except.includes(name)) continue;
    // only the mouth's interior is held pixel for pixel; the other regions fade across their outline
    weaken(mask, heldRegion(regionOutlines(landmarks, name), mask.bbox, featureFeather, name === 'mouth'), r[name]);
  }
  return mask;
}

/**
 * The mask of the prototypes' shape warp: the regions' but for the eyes, which move with
 * the face (their colour and texture are kept out, not their place). The face's shape
 * reads its age largely at the eyes (their size, the lids' slope): held still there, the
 * evaluation's age shifts fell by 2 to 3 years (docs/EVAL.md). The mouth's interior,
 * lenses and a forehead switched off are held still too, so teeth and tongue keep their
 * pixels exactly.
 */
export function shapeMask(
  landmarks: readonly Point[],
  width: number,
  height: number,
  regions: Regions | undefined,
): FaceMask {
  return regionMask(landmarks, width, height, regions, ['eyes']);
}
