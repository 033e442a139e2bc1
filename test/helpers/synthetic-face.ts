/** Landmark fixtures for the mask tests: a synthetic 68-point face and polygon membership. */
import type { Point } from '../../src/main/engine/types.js';

/**
 * A plausible, convex 68-point iBUG face: jaw a half-ellipse from (cx-s, cy) via the
 * chin (cx, cy+1.2s) to (cx+s, cy), brows at cy-0.45s, eyes at cy-0.25s. Eye-to-chin
 * is 1.45s. Nose and mouth points, which the mask ignores, sit at the centre.
 */
export function syntheticFace(cx: number, cy: number, s: number): Point[] {
  const p: Point[] = Array.from({ length: 68 }, () => ({ x: cx, y: cy + 0.3 * s }));
  for (let i = 0; i <= 16; i++) {
    const t = (Math.PI * i) / 16;
    p[i] = { x: cx - s * Math.cos(t), y: cy + 1.2 * s * Math.sin(t) };
  }
  for (let i = 0; i < 5; i++) {
    const x = 0.8 - (0.65 * i) / 4;
    p[17 + i] = { x: cx - x * s, y: cy - 0.45 * s };
    p[26 - i] = { x: cx + x * s, y: cy - 0.45 * s };
  }
  for (let i = 0; i < 6; i++) {
    const a = (2 * Math.PI * i) / 6;
    p[36 + i] = { x: cx - 0.4 * s + 0.15 * s * Math.cos(a), y: cy - 0.25 * s + 0.05 * s * Math.sin(a) };
    p[42 + i] = { x: cx + 0.4 * s + 0.15 * s * Math.cos(a), y: cy - 0.25 * s + 0.05 * s * Math.sin(a) };
  }
  return p;
}

/** The face with its mouth open: the inner lips (60-67) an octagon w wide and h tall about the mouth's centre. */
export function withOpenMouth(face: readonly Point[], w: number, h: number): Point[] {
  const c = { x: face[8]!.x, y: face[8]!.y - 0.45 * (face[8]!.y - face[36]!.y) };
  return face.map((p, i) => {
    if (i < 60) return p;
    const a = (2 * Math.PI * (i - 60)) / 8;
    return { x: c.x + (w / 2) * Math.cos(a), y: c.y + (h / 2) * Math.sin(a) };
  });
}

/** Even-odd point-in-polygon. */
export function inside(poly: Point[], x: number, y: number): boolean {
  let r = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const [a, b] = [poly[i]!, poly[j]!];
    if (a.y <= y !== b.y <= y && x < a.x + ((y - a.y) / (b.y - a.y)) * (b.x - a.x)) r = !r;
  }
  return r;
}
