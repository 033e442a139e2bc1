import { describe, expect, it } from 'vitest';
import {
  DIFFERENT_PERSON_ASSUMPTION,
  buildThresholdReport,
  footageSamePairs,
  type FootageDescriptor,
} from '../../src/main/eval/calibrate.js';
import { seededRandom } from '../../src/shared/random.js';

const DIM = 16;
const random = seededRandom(7);

function unit(v: Float32Array): Float32Array {
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}
function randomUnit(): Float32Array {
  return unit(Float32Array.from({ length: DIM }, () => random() * 2 - 1));
}
/** `v` nudged by noise of size `eps`, renormalised. */
function near(v: Float32Array, eps: number): Float32Array {
  return unit(v.map((x) => x + eps * (random() * 2 - 1)));
}

describe('footageSamePairs', () => {
  it('pairs frames of one shot at least minGap apart, never across shots', () => {
    const a = randomUnit();
    const faces: FootageDescriptor[] = [1001, 1004, 1007, 1013].map((frame) => ({ shot: 'A', frame, descriptor: a }));
    faces.push({ shot: 'B', frame: 1020, descriptor: a });
    // gaps: 3,6,12,3,9,6 -> >= 6: (1001,1007) (1001,1013) (1004,1013) (1007,1013)
    expect(footageSamePairs(faces, 6)).toHaveLength(4);
    expect(footageSamePairs(faces, 1)).toHaveLength(6);
  });
});

describe('buildThresholdReport', () => {
  const real = Array.from({ length: 40 }, randomUnit); // 780 different-person pairs
  const flipped = real.map((v) => near(v, 0.05));
  const actorA = randomUnit();
  const actorB = randomUnit();
  const footage: FootageDescriptor[] = [
    ...Array.from({ length: 8 }, (_, i) => ({ shot: 'akiyo', frame: 1001 + 3 * i, descriptor: near(actorA, 0.1) })),
    ...Array.from({ length: 6 }, (_, i) => ({ shot: 'tos', frame: 1001 + 3 * i, descriptor: near(actorB, 0.1) })),
  ];
  const report = buildThresholdReport({ real, flipped, footage, far: 0.01, minFrameGap: 6, recogniser: 'test' });

  it('calibrates on all pairs of distinct real faces and states the assumption', () => {
    expect(report.pairs).toBe(780);
    expect(report.calibrationImages).toBe(40);
    expect(report.achievedFar).toBeLessThanOrEqual(0.01);
    expect(report.assumption).toBe(DIFFERENT_PERSON_ASSUMPTION);
    expect(report.recogniser).toBe('test');
    expect(report.meanDifferentDistance).toBeGreaterThan(1); // random unit vectors in 16-d: ~sqrt(2)
  });

  it('checks the threshold on mirror pairs, same-actor frames and cross-shot pairs', () => {
    expect(report.checks.map((c) => [c.kind, c.label.split(':')[0]])).toEqual([
      ['same', 'UTKFace test face vs its mirror image (weak'],
      ['same', 'akiyo'],
      ['same', 'tos'],
      ['different', 'actors of different shots (akiyo vs tos)'],
    ]);
    const [mirror, akiyo, tos, cross] = report.checks;
    expect(mirror!.accepted).toMatchObject({ n: 40, count: 40 });
    // 8 frames 3 apart, gap >= 6: 28 pairs minus the 7 adjacent ones
    expect(akiyo!.accepted).toMatchObject({ n: 21, count: 21 });
    expect(tos!.accepted.n).toBe(10);
    expect(cross!.accepted).toMatchObject({ n: 48, count: 0 });
  });

  it('works without footage or flips', () => {
    const r = buildThresholdReport({ real, flipped: [], footage: [], far: 0.01, recogniser: 'test' });
    expect(r.checks).toEqual([]);
    expect(r.threshold).toBe(report.threshold);
  });
});
