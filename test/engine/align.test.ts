import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  LandmarkSmoother,
  applyAffine,
  composeAffine,
  cropRegion,
  fitSimilarity,
  invertAffine,
  smoothTrack,
  warpFromCrop,
  warpToCrop,
} from '../../src/main/engine/align.js';
import { initBackend } from '../../src/main/engine/backend.js';
import type { Affine, Point } from '../../src/main/engine/types.js';
import { seededRandom } from '../../src/shared/random.js';

beforeAll(async () => {
  await initBackend('wasm');
});

/** Similarity from scale, rotation (degrees) and translation. */
function similarity(s: number, deg: number, tx: number, ty: number): Affine {
  const r = (deg * Math.PI) / 180;
  const p = s * Math.cos(r);
  const q = s * Math.sin(r);
  return [p, -q, tx, q, p, ty];
}

function gaussian(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

/** A face-like 68-point cloud: an ellipse of points, radius ~ `r` around (cx, cy). */
function cloud(cx: number, cy: number, r: number): Point[] {
  return Array.from({ length: 68 }, (_, i) => {
    const a = (i / 68) * 2 * Math.PI * 3;
    const k = 0.3 + (0.7 * ((i * 37) % 68)) / 68;
    return { x: cx + r * k * Math.cos(a), y: cy + 1.2 * r * k * Math.sin(a) };
  });
}

/** H×W×2 image whose channels are each pixel centre's x and y: bilinear-exact. */
function rampImage(w: number, h: number): tf.Tensor3D {
  return tf.tidy(() => {
    const xs = tf.add(tf.range(0, w), 0.5);
    const ys = tf.add(tf.range(0, h), 0.5);
    const X = tf.tile(tf.reshape(xs, [1, w, 1]), [h, 1, 1]);
    const Y = tf.tile(tf.reshape(ys, [h, 1, 1]), [1, w, 1]);
    return tf.concat([X, Y], 2) as tf.Tensor3D;
  });
}

describe('affine algebra', () => {
  it('invert/apply round-trips points exactly', () => {
    const m: Affine = [1.3, -0.4, 12, 0.25, 0.9, -7];
    const pts = cloud(100, 80, 40);
    const back = applyAffine(invertAffine(m), applyAffine(m, pts));
    for (let i = 0; i < pts.length; i++) {
      expect(back[i]!.x).toBeCloseTo(pts[i]!.x, 9);
      expect(back[i]!.y).toBeCloseTo(pts[i]!.y, 9);
    }
    const id = composeAffine(m, invertAffine(m));
    [1, 0, 0, 0, 1, 0].forEach((v, i) => expect(id[i]).toBeCloseTo(v, 12));
    expect(() => invertAffine([1, 2, 0, 2, 4, 0])).toThrow(/not invertible/);
  });

  it('fitSimilarity recovers a known transform, exactly and under noise', () => {
    const src = cloud(220, 160, 60);
    const truth = similarity(0.42, -17, 5.5, -3.25);
    const dst = applyAffine(truth, src);
    const fit = fitSimilarity(src, dst);
    fit.forEach((v, i) => expect(v).toBeCloseTo(truth[i]!, 9));

    const rand = seededRandom(7);
    const noisy = dst.map((p) => ({ x: p.x + 0.3 * gaussian(rand), y: p.y + 0.3 * gaussian(rand) }));
    const f2 = fitSimilarity(src, noisy);
    const scale = Math.hypot(f2[0], f2[3]);
    const angle = (Math.atan2(f2[3], f2[0]) * 180) / Math.PI;
    expect(scale).toBeCloseTo(0.42, 2);
    expect(angle).toBeCloseTo(-17, 0);
    // residual of the fit is the noise level, not more
    const res = applyAffine(f2, src).map((p, i) => Math.hypot(p.x - noisy[i]!.x, p.y - noisy[i]!.y));
    expect(Math.sqrt(res.reduce((s, r) => s + r * r, 0) / res.length)).toBeLessThan(0.6);
  });

  it('fitSimilarity never returns a reflection and rejects bad input', () => {
    const src = cloud(0, 0, 10);
    const mirrored = src.map((p) => ({ x: -p.x, y: p.y }));
    const m = fitSimilarity(src, mirrored);
    expect(m[0] * m[4] - m[1] * m[3]).toBeGreaterThanOrEqual(0);
    expect(() => fitSimilarity(src, src.slice(1))).toThrow(/67 destination/);
    expect(() =>
      fitSimilarity(
        [
          { x: 1, y: 1 },
          { x: 1, y: 1 },
        ],
        [
          { x: 0, y: 0 },
          { x: 1, y: 1 },
        ],
      ),
    ).toThrow(/all the same/);
  });
});

describe('warps', () => {
  // frame -> crop: the face (radius ~60 px) shrinks into a 64 px crop, rotated
  const cases: [string, Affine][] = [
    ['scale 1, rotated 20°', similarity(1, 20, -40, 10)],
    ['scale 0.4 (downsample, supersampled), rotated -12°', similarity(0.4, -12, -30, -12)],
    ['scale 2.5 (upsample)', similarity(2.5, 8, -300, -250)],
  ];

  it.each(cases)('a crop pixel samples the frame where m⁻¹ maps its centre: %s', (_name, m) => {
    const frame = rampImage(200, 160);
    const crop = warpToCrop(frame, m, 64);
    expect(crop.shape).toEqual([64, 64, 2]);
    const v = crop.arraySync();
    const inv = invertAffine(m);
    let worst = 0;
    for (const [r, c] of [
      [0, 0],
      [10, 50],
      [32, 32],
      [63, 63],
      [50, 7],
    ] as const) {
      const want = applyAffine(inv, { x: c + 0.5, y: r + 0.5 });
      if (want.x < 1 || want.y < 1 || want.x > 199 || want.y > 159) continue; // clamped at the frame edge
      worst = Math.max(worst, Math.abs(v[r]![c]![0]! - want.x), Math.abs(v[r]![c]![1]! - want.y));
    }
    expect(worst).toBeLessThan(1e-3);
    tf.dispose([frame, crop]);
  });

  it.each(cases)('align then un-align is the identity within 0.5 px: %s', (_name, m) => {
    const frame = rampImage(200, 160);
    const crop = warpToCrop(frame, m, 64);
    const region = cropRegion(m, 64, 200, 160);
    const back = warpFromCrop(crop, m, region);
    const cover = warpFromCrop(tf.onesLike(crop), m, region);
    expect(back.shape).toEqual([region.height, region.width, 2]);
    const b = back.arraySync();
    const cv = cover.arraySync();
    let worst = 0;
    let checked = 0;
    for (let r = 0; r < region.height; r++) {
      for (let c = 0; c < region.width; c++) {
        if (cv[r]![c]![0]! < 0.999) continue; // not fully inside the crop
        const x = region.x + c + 0.5;
        const y = region.y + r + 0.5;
        const crossEdge = x < 1.5 || y < 1.5 || x > 198.5 || y > 158.5;
        if (crossEdge) continue;
        worst = Math.max(worst, Math.abs(b[r]![c]![0]! - x), Math.abs(b[r]![c]![1]! - y));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(100);
    expect(worst).toBeLessThan(0.5);
    tf.dispose([frame, crop, back, cover]);
  });

  it('a pattern of Gaussian blobs returns to where it was (centroids within 0.5 px)', () => {
    const W = 160;
    const H = 140;
    const blobs: Point[] = [
      { x: 60.3, y: 50.7 },
      { x: 100.6, y: 58.2 },
      { x: 82.1, y: 95.4 },
    ];
    const frame = tf.tidy(() => {
      const X = tf.tile(tf.reshape(tf.add(tf.range(0, W), 0.5), [1, W]), [H, 1]);
      const Y = tf.tile(tf.reshape(tf.add(tf.range(0, H), 0.5), [H, 1]), [1, W]);
      const img = blobs
        .map((b) => tf.exp(tf.div(tf.add(tf.square(tf.sub(X, b.x)), tf.square(tf.sub(Y, b.y))), -2 * 4 * 4)))
        .reduce((a, t) => tf.add(a, t));
      return tf.expandDims(tf.mul(img, 255), 2) as tf.Tensor3D;
    });
    const pts = blobs;
    // a template the blobs fit exactly, as a face's landmarks (nearly) fit the template
    const tmpl = applyAffine(similarity(0.55, 9, -12, -8), pts);
    const m = fitSimilarity(pts, tmpl); // like aligning landmarks onto a template
    const crop = warpToCrop(frame, m, 64);
    const back = warpFromCrop(crop, m, { x: 0, y: 0, width: W, height: H });
    const img = back.arraySync();
    for (const b of blobs) {
      let sx = 0;
      let sy = 0;
      let sw = 0;
      for (let r = Math.floor(b.y - 12); r < b.y + 12; r++) {
        for (let c = Math.floor(b.x - 12); c < b.x + 12; c++) {
          const w = img[r]![c]![0]!;
          sx += w * (c + 0.5);
          sy += w * (r + 0.5);
          sw += w;
        }
      }
      expect(Math.hypot(sx / sw - b.x, sy / sw - b.y)).toBeLessThan(0.5);
    }
    // landmarks land on the template in the crop too
    applyAffine(m, pts).forEach((p, i) => expect(Math.hypot(p.x - tmpl[i]!.x, p.y - tmpl[i]!.y)).toBeLessThan(1e-9));
    tf.dispose([frame, crop, back]);
  });

  it('cropRegion clips to the frame and is integer', () => {
    const m = similarity(0.5, 30, 10, -20);
    const r = cropRegion(m, 64, 100, 90);
    expect(Number.isInteger(r.x) && Number.isInteger(r.width)).toBe(true);
    expect(r.x).toBeGreaterThanOrEqual(0);
    expect(r.x + r.width).toBeLessThanOrEqual(100);
    expect(r.y + r.height).toBeLessThanOrEqual(90);
  });

  it('does not leak tensors', () => {
    const frame = rampImage(50, 40);
    const before = tf.memory().numTensors;
    const c = warpToCrop(frame, similarity(0.3, 5, 0, 0), 16);
    const b = warpFromCrop(c, similarity(0.3, 5, 0, 0), { x: 0, y: 0, width: 50, height: 40 });
    expect(tf.memory().numTensors).toBe(before + 2);
    tf.dispose([frame, c, b]);
  });
});

describe('LandmarkSmoother', () => {
  const fps = 24;
  /**
   * A face drifting and turning (or still), with detector-like noise: the whole face
   * shakes with the detection box (shift, scale, roll) and each point jitters on its own.
   */
  function track(frames: number, moving: boolean, seed: number): { truth: Point[][]; noisy: Point[][] } {
    const base = cloud(0, 0, 45);
    const rand = seededRandom(seed);
    const truth: Point[][] = [];
    const noisy: Point[][] = [];
    for (let f = 0; f < frames; f++) {
      const t = f / fps;
      const m = moving
        ? similarity(
            1 + 0.05 * Math.sin(t),
            4 * Math.sin(0.7 * t),
            200 + 25 * Math.sin(2 * t),
            150 + 10 * Math.cos(1.3 * t),
          )
        : similarity(1, 0, 200, 150);
      const p = applyAffine(m, base);
      truth.push(p);
      const shake = similarity(
        1 + 0.01 * gaussian(rand),
        0.5 * gaussian(rand),
        0.8 * gaussian(rand),
        0.8 * gaussian(rand),
      );
      noisy.push(
        p.map((q) => {
          const d = applyAffine(shake, { x: q.x - 200, y: q.y - 150 });
          return { x: d.x + 200 + gaussian(rand), y: d.y + 150 + gaussian(rand) };
        }),
      );
    }
    return { truth, noisy };
  }
  const rms = (a: Point[][], b: Point[][], from: number) => {
    let s = 0;
    let n = 0;
    for (let f = from; f < a.length; f++) {
      for (let i = 0; i < a[f]!.length; i++) {
        s += (a[f]![i]!.x - b[f]![i]!.x) ** 2 + (a[f]![i]!.y - b[f]![i]!.y) ** 2;
        n++;
      }
    }
    return Math.sqrt(s / n);
  };
  /** mean frame-to-frame motion left over after removing the true motion */
  const jitter = (a: Point[][], truth: Point[][]) => {
    let s = 0;
    let n = 0;
    for (let f = 1; f < a.length; f++) {
      for (let i = 0; i < a[f]!.length; i++) {
        const dx = a[f]![i]!.x - a[f - 1]![i]!.x - (truth[f]![i]!.x - truth[f - 1]![i]!.x);
        const dy = a[f]![i]!.y - a[f - 1]![i]!.y - (truth[f]![i]!.y - truth[f - 1]![i]!.y);
        s += Math.hypot(dx, dy);
        n++;
      }
    }
    return s / n;
  };

  /** How far the true face lands from the template when aligned with these landmarks. */
  const misregistration = (a: Point[][], truth: Point[][], from: number) => {
    const tmpl = cloud(32, 32, 12);
    let s = 0;
    let n = 0;
    for (let f = from; f < a.length; f++) {
      const m = fitSimilarity(a[f]!, tmpl);
      applyAffine(m, truth[f]!).forEach((p, i) => {
        s += (p.x - tmpl[i]!.x) ** 2 + (p.y - tmpl[i]!.y) ** 2;
        n++;
      });
    }
    return Math.sqrt(s / n);
  };

  function measure(label: string, out: Point[][], noisy: Point[][], truth: Point[][]) {
    const raw = { err: rms(noisy, truth, 5), jit: jitter(noisy, truth), reg: misregistration(noisy, truth, 5) };
    const smo = { err: rms(out, truth, 5), jit: jitter(out, truth), reg: misregistration(out, truth, 5) };
    console.info(
      `${label}: landmark rms error ${raw.err.toFixed(2)} -> ${smo.err.toFixed(2)} px, ` +
        `jitter ${raw.jit.toFixed(2)} -> ${smo.jit.toFixed(2)} px/frame, crop misregistration ${raw.reg.toFixed(3)} -> ${smo.reg.toFixed(3)} crop px`,
    );
    return { raw, smo };
  }

  it('causal: reduces jitter on a noisy moving track without drifting off it', () => {
    const { truth, noisy } = track(120, true, 3);
    const sm = new LandmarkSmoother({ fps });
    const { raw, smo } = measure(
      'causal, moving',
      noisy.map((p) => sm.smooth(p)),
      noisy,
      truth,
    );
    expect(smo.err).toBeLessThan(0.8 * raw.err);
    expect(smo.jit).toBeLessThan(0.6 * raw.jit);
    // lag must not cost more alignment accuracy than the jitter it removes
    expect(smo.reg).toBeLessThan(raw.reg);
  });

  it('causal: a still face settles well under the detector noise', () => {
    const { truth, noisy } = track(96, false, 11);
    const sm = new LandmarkSmoother({ fps });
    const { raw, smo } = measure(
      'causal, still',
      noisy.map((p) => sm.smooth(p)),
      noisy,
      truth,
    );
    expect(smo.err).toBeLessThan(0.6 * raw.err);
    expect(smo.reg).toBeLessThan(0.7 * raw.reg);
  });

  it('offline (forward-backward): steadier still, and no lag on moving faces', () => {
    for (const moving of [true, false]) {
      const { truth, noisy } = track(120, moving, 5);
      const out = smoothTrack(noisy, { fps }) as Point[][];
      const { raw, smo } = measure(`offline, ${moving ? 'moving' : 'still'}`, out, noisy, truth);
      expect(smo.err).toBeLessThan(0.6 * raw.err);
      expect(smo.jit).toBeLessThan(0.4 * raw.jit);
      expect(smo.reg).toBeLessThan(0.7 * raw.reg);
    }
  });

  it('offline: frames without a face split the track', () => {
    const a = cloud(100, 100, 40);
    const out = smoothTrack([a, a, undefined, cloud(300, 100, 40), cloud(300, 100, 40)], { fps });
    expect(out[2]).toBeUndefined();
    expect(out[3]![0]!.x).toBeCloseTo(cloud(300, 100, 40)[0]!.x, 9);
    expect(out[1]![0]!.x).toBeCloseTo(a[0]!.x, 9);
  });

  it('resets on a jump (cut or a different face) instead of gliding across', () => {
    const sm = new LandmarkSmoother({ fps });
    const a = cloud(100, 100, 40);
    for (let f = 0; f < 10; f++) sm.smooth(a);
    const b = cloud(300, 120, 40);
    const out = sm.smooth(b);
    out.forEach((p, i) => {
      expect(p.x).toBe(b[i]!.x);
      expect(p.y).toBe(b[i]!.y);
    });
    // and explicit reset
    sm.reset();
    const c = cloud(101, 100, 40);
    expect(sm.smooth(c)).toEqual(c);
  });

  it('follows fast real motion with little lag', () => {
    const sm = new LandmarkSmoother({ fps });
    const base = cloud(0, 0, 40);
    let lagged = 0;
    for (let f = 0; f < 48; f++) {
      // 8 px per frame pan: a quick head turn / camera move, under the jump threshold
      const p = base.map((q) => ({ x: q.x + 100 + 8 * f, y: q.y + 100 }));
      const out = sm.smooth(p);
      if (f > 12) lagged = Math.max(lagged, p[0]!.x - out[0]!.x);
    }
    expect(lagged).toBeLessThan(6);
  });
});
