/**
 * The prototype age layer on a plate: the face is aligned onto the prototype frame
 * (the model's crop box at full chip resolution, by the same similarity fit as G's
 * crop), warped piecewise-affinely onto the prototypes' reference shape, changed by
 * `ageTexture` there, and the change alone is warped back through the same triangles
 * onto the face's own geometry in the frame. This adds the wrinkles, skin texture and
 * colour a 64x64 generator cannot draw; age-face.ts adds it to G's change under the
 * same mask.
 */
import { applyAffine, affineScale, fitToTemplate, invertAffine } from './align.js';
import { borderPoints, mapPoints, triangleMap } from './piecewise-warp.js';
import { ageTexture, type AgePrototypes, type PrototypeParts } from './prototypes.js';
import { gaussianPyramid, planes, sampleBilinear, type Planes } from './pyramid.js';
import type { Affine, Point } from './types.js';

/** Width, in prototype-frame pixels at 64-pixel scale, of the fade at the frame's border (as age-face.ts's crop). */
const EDGE_FADE_AT_64 = 5;

/**
 * Warp a face onto the prototypes' reference shape. `facePoints` are its 68 landmarks
 * in prototype-frame pixels; `sample(x, y, out, at)` writes the face's RGB at a
 * prototype-frame point. Shared by the runtime and the prototype builder, so both
 * normalise faces the same way.
 */
export function normaliseFace(
  protos: Pick<AgePrototypes, 'size' | 'referenceMap' | 'triangles'>,
  facePoints: readonly Point[],
  sample: (x: number, y: number, out: Float32Array, at: number) => void,
): Planes {
  const { size } = protos;
  const to = [...facePoints, ...borderPoints(size)];
  const where = mapPoints(protos.referenceMap, protos.triangles, to);
  const out = new Float32Array(size * size * 3);
  for (let p = 0; p < size * size; p++) {
    const x = where[2 * p]!;
    const y = where[2 * p + 1]!;
    // a pixel no triangle covers (none should: the border points span the frame) keeps 0
    if (Number.isFinite(x)) sample(x, y, out, 3 * p);
  }
  return planes(size, size, 3, out);
}

/** The frame -> prototype-frame similarity for a face: G's alignment, scaled to the prototype frame. */
export function prototypeAlignment(
  landmarks: readonly Point[],
  template: readonly Point[],
  templateSize: number,
  size: number,
): Affine {
  const k = size / templateSize;
  return fitToTemplate(
    landmarks,
    template.map((p) => ({ x: p.x * k, y: p.y * k })),
  );
}

export interface PrototypeChangeRequest {
  /** the frame, interleaved RGB 0..1 */
  plate: Float32Array;
  width: number;
  height: number;
  /** the face's 68 landmarks, frame pixels */
  landmarks: readonly Point[];
  /** the model's alignment template (G's crop pixels) and G's crop size */
  template: readonly Point[];
  templateSize: number;
  source: number;
  target: number;
  /** how far each part goes (prototypes.ts's prototypeParts): 0 none, 1 the prototypes' own difference */
  parts: PrototypeParts;
  /** frame pixels to fill: the face mask's box */
  region: { x: number; y: number; width: number; height: number };
}

/**
 * The layer's change over `region`: [height, width, 4], RGB change in 0..1 units and,
 * in the 4th value, the prototype frame's edge fade (0 outside it, where the layer says
 * nothing), as age-face.ts's G change carries its crop window.
 */
export function prototypeChange(protos: AgePrototypes, req: PrototypeChangeRequest): Float32Array {
  const { plate, width, height, region, landmarks } = req;
  const { size } = protos;
  const out = new Float32Array(region.width * region.height * 4);
  if (region.width === 0 || region.height === 0) return out;
  const m = prototypeAlignment(landmarks, req.template, req.templateSize, size);
  const inv = invertAffine(m);
  const framePlate = planes(width, height, 3, plate);
  const facePoints = applyAffine(m, landmarks);
  const face = normaliseFace(protos, facePoints, (x, y, o, at) => {
    const f = applyAffine(inv, { x, y });
    sampleBilinear(framePlate, f.x, f.y, o, at);
  });
  const change = ageTexture(protos, face, req.source, req.target, req.parts);

  // Back onto the face: the same triangles with the face's vertices in frame pixels.
  // Where the face is smaller in the frame than in the prototype frame, the change is
  // read from a coarser level of its pyramid, so its fine bands do not alias.
  const frameVertices = applyAffine(inv, [...facePoints, ...borderPoints(size)]);
  const map = triangleMap(frameVertices, protos.triangles, region.width, region.height, region);
  const where = mapPoints(map, protos.triangles, protos.referencePoints);
  const shrink = affineScale(m); // prototype-frame pixels per frame pixel
  const level = Math.max(0, Math.min(protos.levels, Math.round(Math.log2(Math.max(1, shrink)))));
  const source = gaussianPyramid(change, level)[level]!;
  const k = source.width / size;
  const fade = (EDGE_FADE_AT_64 * size) / req.templateSize;
  for (let row = 0; row < region.height; row++)
    for (let col = 0; col < region.width; col++) {
      const p = row * region.width + col;
      const x = where[2 * p]!;
      const y = where[2 * p + 1]!;
      if (!Number.isFinite(x)) continue;
      // the fade follows the prototype frame's own square, as G's crop window does
      const q = applyAffine(m, { x: region.x + col + 0.5, y: region.y + row + 0.5 });
      const edge = Math.min(q.x, q.y, size - q.x, size - q.y);
      const weight = Math.min(1, Math.max(0, edge / fade));
      if (weight === 0) continue;
      sampleBilinear(source, x * k, y * k, out, 4 * p);
      out[4 * p + 3] = weight;
    }
  return out;
}

/**
 * How much of the prototypes' shape difference each landmark takes: the jaw none, so
 * the face's outline, and the plate beyond it, never move (a moved jaw would uncover
 * background delta compositing has no pixels for); the brows half, as the forehead
 * above them is pinned to the frame's border.
 */
function shapeWeight(i: number): number {
  return i <= 16 ? 0 : i <= 26 ? 0.5 : 1;
}

export type ShapeWarpRequest = Omit<PrototypeChangeRequest, 'plate' | 'width' | 'height'>;

/**
 * The shape change of the prototype layer: the face's inner features (brows, eyes,
 * nose, mouth) moved by `parts.shape` times the target prototype's mean landmarks minus the
 * source's, in the face's own frame. Returns, for each pixel of `region`, the frame
 * point its aged picture is read from ([h, w, 2]; NaN where the warp is the identity).
 */
export function prototypeShapeWarp(protos: AgePrototypes, req: ShapeWarpRequest): Float32Array {
  const { region, landmarks } = req;
  const { size } = protos;
  const m = prototypeAlignment(landmarks, req.template, req.templateSize, size);
  const inv = invertAffine(m);
  const s = protos.meta.meanLandmarks[req.source]!;
  const t = protos.meta.meanLandmarks[req.target]!;
  const facePoints = applyAffine(m, landmarks);
  const moved = facePoints.map((p, i) => {
    const k = req.parts.shape * shapeWeight(i);
    return { x: p.x + k * (t[i]![0] - s[i]![0]), y: p.y + k * (t[i]![1] - s[i]![1]) };
  });
  const border = borderPoints(size);
  const to = applyAffine(inv, [...moved, ...border]);
  const from = [...landmarks, ...applyAffine(inv, border)];
  const map = triangleMap(to, protos.triangles, region.width, region.height, region);
  return mapPoints(map, protos.triangles, from);
}
