import { describe, expect, it } from 'vitest';
import { borderPoints, delaunay, mapPoints, triangleMap } from '../../src/main/engine/piecewise-warp.js';
import type { Point } from '../../src/main/engine/types.js';
import { seededRandom } from '../../src/shared/random.js';

const area = (a: Point, b: Point, c: Point) => ((b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x)) / 2;

function scattered(n: number, size: number): Point[] {
  const r = seededRandom(3);
  return Array.from({ length: n }, () => ({ x: 4 + r() * (size - 8), y: 4 + r() * (size - 8) }));
}

describe('piecewise-affine warps', () => {
  const size = 40;
  const points = [...scattered(30, size), ...borderPoints(size)];
  const tris = delaunay(points);

  it('triangulates the frame exactly: positive areas summing to the frame, no point inside a circumcircle', () => {
    const total = tris.reduce((s, [a, b, c]) => s + area(points[a]!, points[b]!, points[c]!), 0);
    for (const [a, b, c] of tris) expect(area(points[a]!, points[b]!, points[c]!)).toBeGreaterThan(0);
    expect(total).toBeCloseTo(size * size, 6);
  });

  it('covers every pixel of the frame, and maps a shape onto itself as the identity', () => {
    const map = triangleMap(points, tris, size, size);
    expect(Array.from(map.triangle).every((t) => t >= 0)).toBe(true);
    const where = mapPoints(map, tris, points);
    for (let p = 0; p < size * size; p++) {
      expect(where[2 * p]).toBeCloseTo((p % size) + 0.5, 4);
      expect(where[2 * p + 1]).toBeCloseTo(Math.floor(p / size) + 0.5, 4);
    }
  });

  it('carries an affine change of the points to every pixel', () => {
    const moved = points.map((p) => ({ x: 2 * p.x + 3, y: p.y - 1 }));
    const where = mapPoints(triangleMap(points, tris, size, size), tris, moved);
    const p = 17 * size + 9;
    expect(where[2 * p]).toBeCloseTo(2 * 9.5 + 3, 4);
    expect(where[2 * p + 1]).toBeCloseTo(17.5 - 1, 4);
  });

  it('leaves pixels outside every triangle unmapped (NaN)', () => {
    const one = [
      { x: 0, y: 0 },
      { x: 4, y: 0 },
      { x: 0, y: 4 },
    ];
    const map = triangleMap(one, [[0, 1, 2]], 8, 8);
    expect(map.triangle[7 * 8 + 7]).toBe(-1);
    expect(Number.isNaN(mapPoints(map, [[0, 1, 2]], one)[2 * (7 * 8 + 7)])).toBe(true);
  });
});
