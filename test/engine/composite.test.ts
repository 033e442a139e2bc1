import { describe, expect, it } from 'vitest';
import {
  buildFaceMask,
  compositeDelta,
  compositeReplace,
  faceMaskPolygon,
  mergeIntoRaw,
  type FaceMask,
} from '../../src/main/engine/composite.js';
import type { Point, RawImage } from '../../src/main/engine/types.js';
import { seededRandom } from '../../src/shared/random.js';
import { inside, syntheticFace } from '../helpers/synthetic-face.js';

// ------------------------------------------------------------ fixtures

function rotate(points: Point[], c: Point, degrees: number): Point[] {
  const a = (degrees * Math.PI) / 180;
  const [cos, sin] = [Math.cos(a), Math.sin(a)];
  return points.map((p) => ({
    x: c.x + (p.x - c.x) * cos - (p.y - c.y) * sin,
    y: c.y + (p.x - c.x) * sin + (p.y - c.y) * cos,
  }));
}

function distanceToEdge(poly: Point[], x: number, y: number): number {
  let d = Infinity;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const [a, b] = [poly[i]!, poly[j]!];
    const [vx, vy] = [b.x - a.x, b.y - a.y];
    const t = Math.max(0, Math.min(1, ((x - a.x) * vx + (y - a.y) * vy) / (vx * vx + vy * vy)));
    d = Math.min(d, Math.hypot(x - a.x - t * vx, y - a.y - t * vy));
  }
  return d;
}

const W = 300;
const H = 320;
const S = 60;
const FACE = syntheticFace(150, 150, S);
const at = (m: FaceMask, x: number, y: number) => m.mask[y * m.width + x]!;

/** The local equivalent of sequence-io's toRgbFloat: RGB 0..1, gray replicated. */
function toFloat(raw: RawImage): Float32Array {
  const max = raw.bitDepth === 16 ? 65535 : 255;
  const n = raw.width * raw.height;
  const out = new Float32Array(n * 3);
  for (let p = 0; p < n; p++)
    for (let c = 0; c < 3; c++) out[3 * p + c] = raw.data[p * raw.channels + (raw.channels >= 3 ? c : 0)]! / max;
  return out;
}

function randomRaw(
  width: number,
  height: number,
  channels: RawImage['channels'],
  bitDepth: 8 | 16,
  seed: number,
): RawImage {
  const r = seededRandom(seed);
  const max = bitDepth === 16 ? 65535 : 255;
  const data = bitDepth === 16 ? new Uint16Array(width * height * channels) : new Uint8Array(width * height * channels);
  for (let i = 0; i < data.length; i++) data[i] = Math.floor(r() * (max + 1));
  return { width, height, channels, bitDepth, data };
}

const LAYOUTS: [string, RawImage['channels'], 8 | 16][] = [
  ['8-bit RGB', 3, 8],
  ['16-bit RGB', 3, 16],
  ['8-bit gray', 1, 8],
  ['16-bit gray', 1, 16],
  ['8-bit gray+alpha', 2, 8],
  ['8-bit RGBA', 4, 8],
  ['16-bit RGBA', 4, 16],
];

// ------------------------------------------------------------ mask

describe('buildFaceMask', () => {
  const feather = 8;
  const m = buildFaceMask(FACE, W, H, { feather });

  it('is 0 outside its bounded box, 1 well inside the polygon, 0 well outside, in 0..1', () => {
    const { x, y, width, height } = m.bbox;
    expect(x).toBeGreaterThan(0);
    expect(y).toBeGreaterThan(0);
    expect(x + width).toBeLessThan(W);
    expect(y + height).toBeLessThan(H);
    let ones = 0;
    for (let row = 0; row < H; row++)
      for (let col = 0; col < W; col++) {
        const v = at(m, col, row);
        expect(v >= 0 && v <= 1).toBe(true);
        if (col < x || col >= x + width || row < y || row >= y + height) expect(v).toBe(0);
        const [cx, cy] = [col + 0.5, row + 0.5];
        // the separable blur's support is a square: it reaches `feather` along the
        // axes and up to feather * sqrt(2) on the diagonals
        if (distanceToEdge(m.polygon, cx, cy) > feather * Math.SQRT2 + 1.5) {
          expect(v).toBe(inside(m.polygon, cx, cy) ? 1 : 0);
          if (v === 1) ones++;
        }
      }
    expect(ones).toBeGreaterThan(5000);
    // the edge itself is about half way
    const chin = m.polygon[8]!;
    expect(at(m, Math.floor(chin.x), Math.floor(chin.y))).toBeGreaterThan(0.3);
    expect(at(m, Math.floor(chin.x), Math.floor(chin.y))).toBeLessThan(0.7);
  });

  it('lifts the brows to take in the forehead, along the face axis', () => {
    // 0.6s above the eyes-line is above the brows (0.45s) but below the lifted line
    // (0.45s + 0.3 * 1.45s = 0.885s)
    const y = Math.floor(150 - 0.66 * S);
    expect(at(m, 150, y)).toBe(1);
    expect(at(buildFaceMask(FACE, W, H, { feather, foreheadLift: 0 }), 150, y)).toBe(0);
    // a head turned 90 degrees has its forehead to the side
    const turned = buildFaceMask(rotate(FACE, { x: 150, y: 150 }, 90), W, H, { feather });
    expect(at(turned, Math.floor(150 + 0.66 * S), 150)).toBe(1);
    const expected = rotate(faceMaskPolygon(FACE), { x: 150, y: 150 }, 90);
    turned.polygon.forEach((p, i) => {
      expect(p.x).toBeCloseTo(expected[i]!.x, 6);
      expect(p.y).toBeCloseTo(expected[i]!.y, 6);
    });
  });

  it('feathers monotonically from the centre outwards, wider with a larger feather', () => {
    const centre = { x: 150, y: 170 };
    for (const mask of [m, buildFaceMask(FACE, W, H, { feather: 20 })]) {
      expect(at(mask, centre.x, centre.y)).toBe(1);
      for (let k = 0; k < 16; k++) {
        const a = (2 * Math.PI * k) / 16;
        let prev = 1;
        for (let t = 0; t < 200; t++) {
          const [col, row] = [Math.round(centre.x + t * Math.cos(a)), Math.round(centre.y + t * Math.sin(a))];
          if (col < 0 || row < 0 || col >= W || row >= H) break;
          const v = at(mask, col, row);
          expect(v).toBeLessThanOrEqual(prev);
          prev = v;
        }
        expect(prev).toBe(0);
      }
    }
    const soft = (mask: FaceMask) => mask.mask.filter((v) => v > 0 && v < 1).length;
    expect(soft(buildFaceMask(FACE, W, H, { feather: 20 }))).toBeGreaterThan(1.8 * soft(m));
    // no feather: a hard edge
    expect(soft(buildFaceMask(FACE, W, H, { feather: 0 }))).toBe(0);
    // the default scales with the face (10% of eye-to-chin)
    const small = buildFaceMask(syntheticFace(150, 150, S / 2), W, H);
    const big = buildFaceMask(syntheticFace(150, 150, S), W, H);
    expect(soft(big)).toBeGreaterThan(3 * soft(small));
  });

  it('grows and keeps a face cut by the frame edge solid to the edge', () => {
    const area = (mask: FaceMask) => mask.mask.reduce((s, v) => s + v, 0);
    expect(area(buildFaceMask(FACE, W, H, { feather, grow: 6 }))).toBeGreaterThan(area(m) + 1000);
    const edge = buildFaceMask(syntheticFace(10, 150, S), W, H, { feather });
    expect(edge.bbox.x).toBe(0);
    expect(at(edge, 0, 170)).toBe(1);
    // entirely outside the frame: an empty box and no weights
    const gone = buildFaceMask(syntheticFace(-500, 150, S), W, H, { feather });
    expect(gone.bbox.width).toBe(0);
    expect(gone.mask.every((v) => v === 0)).toBe(true);
  });

  it('gives its polygon for the outline overlay and checks its input', () => {
    expect(m.polygon).toEqual(faceMaskPolygon(FACE));
    expect(m.polygon).toHaveLength(27);
    expect(() => buildFaceMask(FACE.slice(0, 67), W, H)).toThrow(/68/);
    expect(() =>
      buildFaceMask(
        FACE.map((p, i) => (i === 3 ? { x: NaN, y: 0 } : p)),
        W,
        H,
      ),
    ).toThrow(/finite/);
  });
});

// ------------------------------------------------------------ compositing and output

describe('compositing', () => {
  const w = 120;
  const h = 128;
  const mask = buildFaceMask(syntheticFace(60, 55, 30), w, h, { feather: 6 });

  function randomDelta(seed: number, scale = 0.3): Float32Array {
    const r = seededRandom(seed);
    return Float32Array.from({ length: w * h * 3 }, () => (r() * 2 - 1) * scale);
  }

  it.each(LAYOUTS)('%s: samples outside the mask are bit-identical, alpha everywhere', (_, channels, bitDepth) => {
    const raw = randomRaw(w, h, channels, bitDepth, 1000 + channels * bitDepth);
    const before = raw.data.slice();
    const out = mergeIntoRaw(raw, compositeDelta(toFloat(raw), w, h, randomDelta(5), mask), mask);
    expect(out.data).not.toBe(raw.data);
    expect(raw.data).toEqual(before); // the input is not modified
    expect(out.data.constructor).toBe(raw.data.constructor);
    expect({ ...out, data: null }).toEqual({ ...raw, data: null });
    const alpha = channels === 2 || channels === 4;
    let changed = 0;
    for (let p = 0; p < w * h; p++)
      for (let c = 0; c < channels; c++) {
        const s = p * channels + c;
        if (mask.mask[p] === 0 || (alpha && c === channels - 1)) expect(out.data[s]).toBe(raw.data[s]);
        else if (out.data[s] !== raw.data[s]) changed++;
      }
    expect(changed).toBeGreaterThan(500); // and the face did change
  });

  it.each(LAYOUTS)(
    '%s: a zero delta (target age = source age) changes nothing beyond 1 LSB',
    (_, channels, bitDepth) => {
      const raw = randomRaw(w, h, channels, bitDepth, 7 + channels);
      const out = mergeIntoRaw(raw, compositeDelta(toFloat(raw), w, h, new Float32Array(w * h * 3), mask), mask);
      let worst = 0;
      for (let i = 0; i < raw.data.length; i++) worst = Math.max(worst, Math.abs(out.data[i]! - raw.data[i]!));
      expect(worst).toBeLessThanOrEqual(1);
    },
  );

  it('writes the quantised composite under the mask: RGB as is, gray as Rec.709 luma', () => {
    const full = new Float32Array(w * h).fill(1);
    const r = seededRandom(3);
    const generated = Float32Array.from({ length: w * h * 3 }, () => r());
    for (const [channels, bitDepth] of [
      [3, 16],
      [1, 8],
      [4, 8],
    ] as const) {
      const raw = randomRaw(w, h, channels, bitDepth, 11);
      const max = bitDepth === 16 ? 65535 : 255;
      const out = mergeIntoRaw(raw, compositeReplace(toFloat(raw), generated, full), full);
      for (const p of [0, 777, w * h - 1]) {
        const [R, G, B] = [generated[3 * p]!, generated[3 * p + 1]!, generated[3 * p + 2]!];
        if (channels === 1) expect(out.data[p]).toBe(Math.round((0.2126 * R + 0.7152 * G + 0.0722 * B) * max));
        else {
          expect(out.data[p * channels]).toBe(Math.round(R * max));
          expect(out.data[p * channels + 2]).toBe(Math.round(B * max));
        }
        if (channels === 4) expect(out.data[p * 4 + 3]).toBe(raw.data[p * 4 + 3]);
      }
    }
  });

  it('replace: mask 1 gives the generated face, mask 0 the plate, in between a mix', () => {
    const r = seededRandom(9);
    const frame = Float32Array.from({ length: w * h * 3 }, () => r());
    const generated = Float32Array.from({ length: w * h * 3 }, () => r());
    expect(compositeReplace(frame, generated, new Float32Array(w * h).fill(1))).toEqual(generated);
    expect(compositeReplace(frame, generated, new Float32Array(w * h))).toEqual(frame);
    const out = compositeReplace(frame, generated, mask);
    for (let p = 0; p < w * h; p++) {
      const m = mask.mask[p]!;
      for (let c = 0; c < 3; c++) {
        const s = 3 * p + c;
        if (m === 0) expect(out[s]).toBe(frame[s]);
        else if (m === 1) expect(out[s]).toBe(generated[s]);
        else expect(out[s]).toBeCloseTo(frame[s]! * (1 - m) + generated[s]! * m, 6);
      }
    }
  });

  it('delta: adds the weighted difference and clamps to 0..1', () => {
    const frame = new Float32Array(w * h * 3).fill(0.5);
    const delta = new Float32Array(w * h * 3).fill(0.2);
    const half = new Float32Array(w * h).fill(0.5);
    const out = compositeDelta(frame, w, h, delta, half);
    expect(out[0]).toBeCloseTo(0.6, 6);
    expect(out[w * h * 3 - 1]).toBeCloseTo(0.6, 6);
    const big = compositeDelta(frame, w, h, new Float32Array(w * h * 3).fill(-3), new Float32Array(w * h).fill(1));
    expect(big.every((v) => v === 0)).toBe(true);
    // NaN in the delta does not poison the frame
    const nan = compositeDelta(frame, w, h, new Float32Array(w * h * 3).fill(NaN), mask);
    expect(nan.every((v) => Number.isFinite(v))).toBe(true);
  });

  it('checks sizes', () => {
    const frame = new Float32Array(w * h * 3);
    expect(() => compositeDelta(frame, w, h, new Float32Array(5), mask)).toThrow(/delta/);
    expect(() => compositeDelta(frame, w + 1, h, new Float32Array((w + 1) * h * 3), mask)).toThrow(/frame/);
    expect(() => compositeReplace(frame, new Float32Array(3), mask)).toThrow(/generated/);
    expect(() => mergeIntoRaw(randomRaw(w, h, 3, 8, 1), new Float32Array(3), mask)).toThrow(/composited/);
    expect(() => mergeIntoRaw(randomRaw(w, h, 3, 8, 1), frame, new Float32Array(7))).toThrow(/mask/);
  });
});
