/**
 * Piecewise-affine warps between a face's landmarks and a reference shape: what makes
 * a face "shape-normalised" for the age prototypes (Burt & Perrett 1995), and what
 * carries a change made in the reference shape back onto the face's own geometry.
 *
 * The 68 landmarks plus fixed points on the frame's border are triangulated once, on
 * the reference shape (Delaunay); a face uses the same triangles with its own points,
 * so each triangle is one affine map between the two.
 */
import type { Point } from './types.js';

export type Triangle = [number, number, number];

/** Points on the border of a size x size frame, fixed under every warp: corners and edge thirds. */
export function borderPoints(size: number): Point[] {
  const s = size;
  const t = [0, s / 3, (2 * s) / 3, s];
  const pts: Point[] = [];
  for (const x of t) pts.push({ x, y: 0 }, { x, y: s });
  for (const y of t.slice(1, 3)) pts.push({ x: 0, y }, { x: s, y });
  return pts;
}

function circumcircle(a: Point, b: Point, c: Point): { x: number; y: number; r2: number } {
  const d = 2 * (a.x * (b.y - c.y) + b.x * (c.y - a.y) + c.x * (a.y - b.y));
  const a2 = a.x * a.x + a.y * a.y;
  const b2 = b.x * b.x + b.y * b.y;
  const c2 = c.x * c.x + c.y * c.y;
  const x = (a2 * (b.y - c.y) + b2 * (c.y - a.y) + c2 * (a.y - b.y)) / d;
  const y = (a2 * (c.x - b.x) + b2 * (a.x - c.x) + c2 * (b.x - a.x)) / d;
  return { x, y, r2: (a.x - x) ** 2 + (a.y - y) ** 2 };
}

/** Delaunay triangulation (Bowyer-Watson); triangles as indices into `points`, counter-clockwise in image axes. */
export function delaunay(points: readonly Point[]): Triangle[] {
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y);
  const minX = Math.min(...xs);
  const minY = Math.min(...ys);
  const span = Math.max(Math.max(...xs) - minX, Math.max(...ys) - minY) || 1;
  const n = points.length;
  const all = [
    ...points,
    { x: minX - 20 * span, y: minY - span },
    { x: minX + 20 * span, y: minY - span },
    { x: minX + span / 2, y: minY + 20 * span },
  ];
  let tris: { v: Triangle; c: { x: number; y: number; r2: number } }[] = [
    { v: [n, n + 1, n + 2], c: circumcircle(all[n]!, all[n + 1]!, all[n + 2]!) },
  ];
  for (let i = 0; i < n; i++) {
    const p = all[i]!;
    const bad = tris.filter((t) => (p.x - t.c.x) ** 2 + (p.y - t.c.y) ** 2 < t.c.r2 * (1 - 1e-12));
    const edges = new Map<string, [number, number]>();
    for (const t of bad)
      for (const [a, b] of [
        [t.v[0], t.v[1]],
        [t.v[1], t.v[2]],
        [t.v[2], t.v[0]],
      ] as const) {
        const key = a < b ? `${a},${b}` : `${b},${a}`;
        if (edges.has(key)) edges.delete(key);
        else edges.set(key, [a, b]);
      }
    tris = tris.filter((t) => !bad.includes(t));
    for (const [a, b] of edges.values()) tris.push({ v: [a, b, i], c: circumcircle(all[a]!, all[b]!, p) });
  }
  return tris
    .filter((t) => t.v.every((k) => k < n))
    .map(({ v }) => {
      const [a, b, c] = v;
      const cross =
        (all[b]!.x - all[a]!.x) * (all[c]!.y - all[a]!.y) - (all[b]!.y - all[a]!.y) * (all[c]!.x - all[a]!.x);
      return (cross > 0 ? [a, b, c] : [a, c, b]) as Triangle;
    });
}

/** Barycentric coordinates of p in triangle (a, b, c); undefined for a degenerate triangle. */
function barycentric(p: Point, a: Point, b: Point, c: Point): [number, number, number] | undefined {
  const det = (b.y - c.y) * (a.x - c.x) + (c.x - b.x) * (a.y - c.y);
  if (Math.abs(det) < 1e-12) return undefined;
  const l0 = ((b.y - c.y) * (p.x - c.x) + (c.x - b.x) * (p.y - c.y)) / det;
  const l1 = ((c.y - a.y) * (p.x - c.x) + (a.x - c.x) * (p.y - c.y)) / det;
  return [l0, l1, 1 - l0 - l1];
}

/**
 * For every pixel centre of a width x height grid (in `points`' coordinates), the
 * triangle that covers it and its barycentric weights: how a warp onto these points
 * looks up where each pixel comes from. Pixels no triangle covers get triangle -1.
 */
export interface TriangleMap {
  width: number;
  height: number;
  triangle: Int32Array;
  weights: Float32Array;
}

export function triangleMap(
  points: readonly Point[],
  triangles: readonly Triangle[],
  width: number,
  height: number,
  origin: Point = { x: 0, y: 0 },
): TriangleMap {
  const triangle = new Int32Array(width * height).fill(-1);
  const weights = new Float32Array(width * height * 3);
  const eps = 1e-6;
  triangles.forEach((t, ti) => {
    const [a, b, c] = t.map((k) => points[k]!) as [Point, Point, Point];
    const x0 = Math.max(0, Math.floor(Math.min(a.x, b.x, c.x) - origin.x - 0.5));
    const x1 = Math.min(width - 1, Math.ceil(Math.max(a.x, b.x, c.x) - origin.x - 0.5));
    const y0 = Math.max(0, Math.floor(Math.min(a.y, b.y, c.y) - origin.y - 0.5));
    const y1 = Math.min(height - 1, Math.ceil(Math.max(a.y, b.y, c.y) - origin.y - 0.5));
    for (let y = y0; y <= y1; y++)
      for (let x = x0; x <= x1; x++) {
        const p = y * width + x;
        if (triangle[p]! >= 0) continue;
        const w = barycentric({ x: origin.x + x + 0.5, y: origin.y + y + 0.5 }, a, b, c);
        if (!w || w[0] < -eps || w[1] < -eps || w[2] < -eps) continue;
        triangle[p] = ti;
        weights.set(w, 3 * p);
      }
  });
  return { width, height, triangle, weights };
}

/**
 * Where each pixel of a map over `from` lands on `to` (the same triangles, other
 * points): the pixel's weights applied to `to`'s vertices. NaN where no triangle covers it.
 */
export function mapPoints(map: TriangleMap, triangles: readonly Triangle[], to: readonly Point[]): Float32Array {
  const out = new Float32Array(map.width * map.height * 2).fill(Number.NaN);
  for (let p = 0; p < map.triangle.length; p++) {
    const ti = map.triangle[p]!;
    if (ti < 0) continue;
    const [i, j, k] = triangles[ti]!;
    const w0 = map.weights[3 * p]!;
    const w1 = map.weights[3 * p + 1]!;
    const w2 = map.weights[3 * p + 2]!;
    out[2 * p] = w0 * to[i]!.x + w1 * to[j]!.x + w2 * to[k]!.x;
    out[2 * p + 1] = w0 * to[i]!.y + w1 * to[j]!.y + w2 * to[k]!.y;
  }
  return out;
}
