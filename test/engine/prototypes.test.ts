import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { borderPoints, delaunay } from '../../src/main/engine/piecewise-warp.js';
import { normaliseFace, prototypeChange, prototypeShapeWarp } from '../../src/main/engine/prototype-layer.js';
import {
  ageTexture,
  bandSize,
  categoryValues,
  loadPrototypes,
  MAX_DETAIL_GAIN,
  prototypesFrom,
  PROTOTYPE_FORMAT,
  type PrototypeMeta,
} from '../../src/main/engine/prototypes.js';
import { collapse, laplacianPyramid, planes, sampleBilinear } from '../../src/main/engine/pyramid.js';
import type { Point } from '../../src/main/engine/types.js';
import { seededRandom } from '../../src/shared/random.js';

const SIZE = 32;
const LEVELS = 2;

/** 68 points on a rough face layout inside the frame. */
function shape(): Point[] {
  const r = seededRandom(5);
  return Array.from({ length: 68 }, (_, i) => ({
    x: 6 + ((i * 7) % 20) + r() * 0.5,
    y: 6 + Math.floor(i / 3) * 0.9 + r() * 0.5,
  }));
}

/** Two categories: flat grey means (the second `colour` times the first), amplitudes `amp` each. */
function synthetic(colour: number, amp: [number, number], levels = LEVELS) {
  const ref = shape();
  const meta: PrototypeMeta = {
    format: PROTOTYPE_FORMAT,
    size: SIZE,
    levels,
    cropBox: [20, 20, 180, 180],
    categories: ['young', 'old'],
    counts: [10, 10],
    reference: ref.map((p) => [p.x, p.y]),
    triangles: delaunay([...ref, ...borderPoints(SIZE)]),
    meanLandmarks: [ref.map((p) => [p.x, p.y]), ref.map((p) => [p.x, p.y])],
    built: { data: 'synthetic', perCategory: 10, seed: 0 },
  };
  const per = categoryValues(SIZE, levels);
  const values = new Float32Array(2 * per);
  [0, 1].forEach((c) => {
    const base = c * per;
    values.fill(c === 0 ? 0.5 : 0.5 * colour, base, base + SIZE * SIZE * 3);
    values.fill(amp[c]!, base + SIZE * SIZE * 3, base + per);
  });
  return prototypesFrom(meta, values);
}

function greyNoise(seed = 2) {
  const r = seededRandom(seed);
  const data = new Float32Array(SIZE * SIZE * 3);
  for (let p = 0; p < SIZE * SIZE; p++) data.fill(0.4 + 0.2 * r(), 3 * p, 3 * p + 3);
  return planes(SIZE, SIZE, 3, data);
}

/** every part of the layer the same amount of the prototypes' own difference */
const allParts = (n: number) => ({ colour: n, structure: n, detail: n, shape: n });

describe('age prototypes', () => {
  it('checks sizes when assembled', () => {
    expect(bandSize(192, 3)).toBe(24);
    const p = synthetic(1, [0.1, 0.1]);
    expect(() => prototypesFrom(p.meta, new Float32Array(5))).toThrow(/holds 5 values/);
  });

  it('changes nothing at amount 0 or between a category and itself', () => {
    const p = synthetic(1.2, [0.1, 0.2]);
    for (const change of [ageTexture(p, greyNoise(), 0, 1, allParts(0)), ageTexture(p, greyNoise(), 1, 1, allParts(1))])
      expect(change.data.every((v) => v === 0)).toBe(true);
  });

  it('scales the face detail bands by the amplitude ratio, and the ratio to the power of the amount', () => {
    const p = synthetic(1, [0.1, 0.2]);
    const face = greyNoise();
    const fine = (img: ReturnType<typeof planes>) => laplacianPyramid(img, LEVELS)[0]!.data;
    const energy = (a: Float32Array) => a.reduce((s, v) => s + v * v, 0);
    for (const [amount, gain] of [
      [1, 2],
      [0.5, Math.SQRT2],
    ] as const) {
      const change = ageTexture(p, face, 0, 1, allParts(amount));
      const aged = planes(
        SIZE,
        SIZE,
        3,
        face.data.map((v, i) => v + change.data[i]!),
      );
      expect(Math.sqrt(energy(fine(aged)) / energy(fine(face)))).toBeCloseTo(gain, 1);
    }
  });

  it('scales only the detail of the luma, so colour noise is not amplified into specks', () => {
    const p = synthetic(1, [0.1, 0.2]);
    const r = seededRandom(9);
    const face = planes(
      SIZE,
      SIZE,
      3,
      Float32Array.from({ length: SIZE * SIZE * 3 }, () => 0.3 + 0.4 * r()),
    );
    const change = ageTexture(p, face, 0, 1, allParts(1));
    let moved = 0;
    for (let q = 0; q < SIZE * SIZE; q++) {
      expect(change.data[3 * q]).toBeCloseTo(change.data[3 * q + 1]!, 6);
      expect(change.data[3 * q]).toBeCloseTo(change.data[3 * q + 2]!, 6);
      moved += Math.abs(change.data[3 * q]!);
    }
    expect(moved).toBeGreaterThan(0);
  });

  it('smooths only the finest bands towards a younger age, and deepens every band towards an older one', () => {
    // the younger category 0 has half the older category 1's detail amplitude everywhere
    const p = synthetic(1, [0.1, 0.2], 3);
    // a face whose detail is all in the coarsest band (2): the shading smoothing must keep
    const r = seededRandom(4);
    const empty = laplacianPyramid(greyNoise(), 3).map((band) => planes(band.width, band.height, 3));
    empty[2] = planes(
      empty[2]!.width,
      empty[2]!.height,
      3,
      empty[2]!.data.map(() => 0.1 * (r() - 0.5)),
    );
    empty[3] = planes(empty[3]!.width, empty[3]!.height, 3, empty[3]!.data.fill(0.5));
    const face = collapse(empty);
    const size = (change: ReturnType<typeof planes>) => change.data.reduce((s, v) => s + Math.abs(v), 0);
    // (what re-analysis of the collapsed face puts into the finer bands is still smoothed:
    // without the rule the younger change is half the older one)
    const older = size(ageTexture(p, face, 0, 1, allParts(1)));
    expect(size(ageTexture(p, face, 1, 0, allParts(1)))).toBeLessThan(0.4 * older);
  });

  it('bounds a detail gain after its power, however far the part goes', () => {
    const p = synthetic(1, [0.1, 0.2]);
    const face = greyNoise();
    const fine = (img: ReturnType<typeof planes>) => laplacianPyramid(img, LEVELS)[0]!.data;
    const energy = (a: Float32Array) => a.reduce((s, v) => s + v * v, 0);
    // a ratio of 2 to the power 4 is 16: bounded to MAX_DETAIL_GAIN
    const change = ageTexture(p, face, 0, 1, allParts(4));
    const aged = planes(
      SIZE,
      SIZE,
      3,
      face.data.map((v, i) => v + change.data[i]!),
    );
    expect(Math.sqrt(energy(fine(aged)) / energy(fine(face)))).toBeCloseTo(MAX_DETAIL_GAIN, 1);
  });

  it('moves colour by the prototypes ratio and keeps a grey face grey', () => {
    const p = synthetic(1.2, [0.1, 0.1]);
    const face = greyNoise();
    const change = ageTexture(p, face, 0, 1, allParts(1));
    let ratio = 0;
    for (let q = 0; q < SIZE * SIZE; q++) {
      expect(change.data[3 * q]).toBeCloseTo(change.data[3 * q + 1]!, 6);
      expect(change.data[3 * q]).toBeCloseTo(change.data[3 * q + 2]!, 6);
      ratio += (face.data[3 * q]! + change.data[3 * q]!) / face.data[3 * q]! / (SIZE * SIZE);
    }
    expect(ratio).toBeCloseTo(1.2, 1);
  });

  it('normalises a face already in the reference shape to itself', () => {
    const p = synthetic(1, [0.1, 0.1]);
    const face = greyNoise();
    const ref = p.meta.reference.map(([x, y]) => ({ x, y }));
    const again = normaliseFace(p, ref, (x, y, out, at) => sampleBilinear(face, x, y, out, at));
    let worst = 0;
    for (let i = 0; i < face.data.length; i++) worst = Math.max(worst, Math.abs(again.data[i]! - face.data[i]!));
    expect(worst).toBeLessThan(1e-4);
  });

  it('carries the change onto a frame inside the prototype frame only, faded at its edge', () => {
    const p = synthetic(1.3, [0.1, 0.1]);
    const ref = p.meta.reference.map(([x, y]) => ({ x, y }));
    // the frame is the prototype frame moved by (10, 5) and scaled by 2; template at G's size 16
    const width = 100;
    const height = 90;
    const landmarks = ref.map((q) => ({ x: 10 + 2 * q.x, y: 5 + 2 * q.y }));
    const plate = new Float32Array(width * height * 3).fill(0.5);
    const region = { x: 0, y: 0, width, height };
    const change = prototypeChange(p, {
      plate,
      width,
      height,
      landmarks,
      template: ref.map((q) => ({ x: q.x / 2, y: q.y / 2 })),
      templateSize: SIZE / 2,
      source: 0,
      target: 1,
      parts: allParts(1),
      region,
    });
    const at = (x: number, y: number) => change.subarray(4 * (y * width + x), 4 * (y * width + x) + 4);
    // the prototype frame spans x 10..74, y 5..69 here
    expect(at(42, 37)[3]).toBeCloseTo(1, 5);
    expect(at(42, 37)[0]).toBeCloseTo(0.5 * 0.3, 1);
    expect(Array.from(at(90, 80))).toEqual([0, 0, 0, 0]);
    expect(at(11, 37)[3]).toBeLessThan(1);
  });
});

describe('the prototype shape change', () => {
  it('moves the inner features by the mean-landmark difference and pins the jaw', () => {
    const p = synthetic(1, [0.1, 0.1]);
    const ref = p.meta.reference.map(([x, y]) => ({ x, y }));
    // the older category's mean shape: every landmark 2 px lower
    const meta = {
      ...p.meta,
      meanLandmarks: [p.meta.meanLandmarks[0]!, ref.map((q) => [q.x, q.y + 2] as [number, number])],
    };
    const q = { ...p, meta };
    const region = { x: 0, y: 0, width: SIZE, height: SIZE };
    const req = {
      landmarks: ref,
      template: ref.map((r) => ({ x: r.x / 2, y: r.y / 2 })),
      templateSize: SIZE / 2,
      source: 0,
      target: 1,
      parts: allParts(1),
      region,
    };
    const warp = prototypeShapeWarp(q, req);
    // a nose landmark (30) lands 2 px lower: its picture is read from 2 px above
    const nose = ref[30]!;
    const at = Math.floor(nose.y + 2) * SIZE + Math.floor(nose.x);
    expect(warp[2 * at + 1]).toBeCloseTo(Math.floor(nose.y + 2) + 0.5 - 2, 0);
    // a frame corner is pinned
    expect(warp[0]).toBeCloseTo(0.5, 4);
    expect(warp[1]).toBeCloseTo(0.5, 4);
    // at amount 0 nothing moves
    const still = prototypeShapeWarp(q, { ...req, parts: allParts(0) });
    expect(still[2 * at + 1]).toBeCloseTo(Math.floor(nose.y + 2) + 0.5, 4);
  });
});

describe('the shipped model’s prototypes', () => {
  it('load with six categories, a 192-pixel frame and amplitudes at every band', async () => {
    const p = await loadPrototypes(join(import.meta.dirname, '../../models/reage-utkface-64'));
    expect(p.meta.categories).toHaveLength(6);
    expect(p.size).toBeGreaterThanOrEqual(192);
    expect(p.amplitude[5]!.map((a) => a.width)).toEqual([...Array(p.levels).keys()].map((b) => bandSize(p.size, b)));
    expect(p.meta.counts.every((n) => n >= 100)).toBe(true);
  });
});
