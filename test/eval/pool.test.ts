import { describe, expect, it } from 'vitest';
import { AGE_CATEGORIES } from '../../src/shared/ages.js';
import { figuresOf } from '../../src/main/eval/evaluate.js';
import { poolReports } from '../../src/main/eval/pool.js';
import type { EvalReport, ImageResult } from '../../src/main/eval/report.js';
import { MID, WRONG, sampleReport } from '../helpers/sample-report.js';

/** A face of category c whose figures vary with i, so that pooling errors show. */
function face(i: number): ImageResult {
  const c = i % 6;
  const stages = {
    encode: 0,
    optimisePixel: 1,
    optimiseIdentity: 10 + i,
    detail: 1,
    generate: 0,
    measure: 1,
    total: 13 + i,
  };
  return {
    name: `${MID[c]}_0_0_${i}.jpg`,
    age: MID[c]!,
    category: AGE_CATEGORIES[c]!,
    distance: {
      initial: 0.8 + (i % 3) * 0.05,
      pixel: 0.7 + (i % 4) * 0.06,
      identity: 0.6 + (i % 5) * 0.07,
      aged: AGE_CATEGORIES.map((_, t) => 0.7 + ((i + t) % 4) * 0.06),
    },
    optimiserDistance: { initial: 0.6, pixel: 0.5, identity: 0.3 },
    estimatedAge: {
      faceres: {
        real: MID[c]!,
        aged: AGE_CATEGORIES.map((_, t) => ((i + t) % (i < 12 ? 3 : 4) ? MID[t]! : WRONG[t]!)),
      },
      'face-api': { real: MID[c]!, aged: AGE_CATEGORIES.map((_, t) => ((i * t) % 2 ? MID[t]! : WRONG[t]!)) },
    },
    steps: { pixel: 40, identity: 30 + (i % 10) },
    seconds: stages,
  };
}

const t = sampleReport().threshold.threshold;
const realHits = () => {
  const r = sampleReport();
  return {
    faceres: r.ageAccuracy[0]!.perCategory.map((c) => c.real),
    'face-api': r.ageAccuracy[1]!.perCategory.map((c) => c.real),
  };
};

/** A part's report as `reage eval --limit n --skip k` writes it, from its faces. */
function part(images: ImageResult[], skip: number, seconds: number): EvalReport {
  const base = sampleReport();
  return {
    ...base,
    command: `npx reage eval --limit ${images.length}${skip ? ` --skip ${skip}` : ''}`,
    data: { ...base.data, images: images.length, ...(skip ? { skip } : {}) },
    ...figuresOf(images, t, realHits()),
    timings: { ...base.timings, totalSeconds: seconds },
    images,
    notes: [],
  };
}

describe('poolReports', () => {
  const all = Array.from({ length: 24 }, (_, i) => face(i));
  const a = part(all.slice(0, 12), 0, 100);
  const b = part(all.slice(12), 12, 110);

  it('gives the figures one run over all the faces gives', () => {
    const pooled = poolReports([a, b], 'pool a b');
    const whole = figuresOf(all, t, realHits());
    expect(pooled.reconstruction).toEqual(whole.reconstruction);
    expect(pooled.aging).toEqual(whole.aging);
    expect(pooled.ageAccuracy).toEqual(whole.ageAccuracy);
    expect(pooled.targets).toEqual(whole.targets);
    // the parts disagree, so a part's figures passed through would fail the checks above
    expect(a.ageAccuracy[0]!.generated).not.toBe(b.ageAccuracy[0]!.generated);
    expect(pooled.images.map((im) => im.name)).toEqual(all.map((im) => im.name));
    expect(pooled.data.images).toBe(24);
    expect(pooled.data.skip).toBeUndefined();
    expect(pooled.timings.totalSeconds).toBe(210);
    expect(pooled.command).toBe('pool a b');
    expect(pooled.notes[0]).toMatch(/pooled from 2 parts .*--limit 12 --skip 12/);
  });

  it('refuses parts that overlap or were not run alike', () => {
    expect(() => poolReports([a], 'x')).toThrow(/at least two parts/);
    expect(() => poolReports([a, part(all.slice(6, 18), 6, 1)], 'x')).toThrow(/is in more than one part/);
    const otherThreshold = { ...b, threshold: { ...b.threshold, threshold: 0.9 } };
    expect(() => poolReports([a, otherThreshold], 'x')).toThrow(/part 2 differs from part 1 in its threshold/);
    const otherSettings = { ...b, settings: { ...b.settings, strength: 1.5 } };
    expect(() => poolReports([a, otherSettings], 'x')).toThrow(/in its settings/);
    const moreCalibration = { ...b, data: { ...b.data, calibrationImages: b.data.calibrationImages + 50 } };
    expect(() => poolReports([a, moreCalibration], 'x')).toThrow(/in its data: .* same --calibration-images/);
  });
});

describe('poolReports with rebase', () => {
  const all = Array.from({ length: 24 }, (_, i) => face(i));
  const a = part(all.slice(0, 12), 0, 100);
  // a later run: more calibration faces, its own threshold and real-face accuracies, another folder
  const bigT = 0.75;
  const bigReal = () => {
    const r = realHits();
    return { faceres: r.faceres.map((s) => ({ ...s, n: s.n + 10 })), 'face-api': r['face-api'] };
  };
  const plainB = part(all.slice(12), 12, 110);
  const b: EvalReport = {
    ...plainB,
    model: { ...plainB.model, path: '/elsewhere/model' },
    data: { ...plainB.data, calibrationImages: plainB.data.calibrationImages + 100 },
    threshold: { ...plainB.threshold, threshold: bigT },
    ...figuresOf(all.slice(12), bigT, bigReal()),
  };

  it('judges every face at the largest calibration set’s threshold, against its real faces', () => {
    expect(() => poolReports([a, b], 'x')).toThrow(/or pool with --rebase/);
    const pooled = poolReports([a, b], 'pool --rebase', { rebase: true });
    const whole = figuresOf(all, bigT, bigReal());
    expect(pooled.reconstruction).toEqual(whole.reconstruction);
    expect(pooled.aging).toEqual(whole.aging);
    expect(pooled.ageAccuracy).toEqual(whole.ageAccuracy);
    // the threshold matters here: part a's own threshold gives other acceptances
    expect(figuresOf(all, t, bigReal()).aging).not.toEqual(whole.aging);
    expect(pooled.threshold.threshold).toBe(bigT);
    expect(pooled.data.calibrationImages).toBe(b.data.calibrationImages);
    expect(pooled.model.path).toBe('/elsewhere/model');
    expect(pooled.notes[1]).toMatch(/rebased: the threshold \(0\.7500\) .* part 2's/);
    // named by folder, not machine path: the note goes into committed reports
    expect(pooled.notes[1]).toContain('0.7500 (model)');
  });

  it('still refuses parts of another model or other settings', () => {
    const otherModel = { ...b, model: { ...b.model, version: '9.9.9' } };
    expect(() => poolReports([a, otherModel], 'x', { rebase: true })).toThrow(/part 2 differs .* in its model/);
    const otherSettings = { ...b, settings: { ...b.settings, strength: 1.5 } };
    expect(() => poolReports([a, otherSettings], 'x', { rebase: true })).toThrow(/in its settings/);
    const otherSeed = { ...b, data: { ...b.data, seed: 7 } };
    expect(() => poolReports([a, otherSeed], 'x', { rebase: true })).toThrow(/in its data/);
  });
});
