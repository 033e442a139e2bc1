/** A small, complete EvalReport for tests of the report and of pooling. */
import { AGE_CATEGORIES } from '../../src/shared/ages.js';
import { ageAccuracy } from '../../src/main/eval/age-accuracy.js';
import { shareOf } from '../../src/main/eval/metrics.js';
import { PAPER, type EvalReport } from '../../src/main/eval/report.js';

/** an age inside each category */
export const MID = [10, 25, 35, 45, 55, 70];
/** an age outside each category */
export const WRONG = [200, 200, 200, 200, 200, 10];

export function sampleReport(over: Partial<EvalReport> = {}): EvalReport {
  const stages = {
    encode: 0.01,
    optimisePixel: 2,
    optimiseIdentity: 15,
    detail: 0,
    generate: 0.1,
    measure: 1.2,
    total: 18.31,
  };
  return {
    format: 1,
    createdAt: '2026-11-29T00:00:00.000Z',
    command: 'npx reage eval --split test --limit 2 --steps 40 --backend wasm',
    model: {
      name: 'reage-utkface-64',
      version: '0.1.0',
      trained: true,
      path: '/m',
      width: 48,
      encoderWidth: 48,
      training: { epochs: 100, steps: 50000, encoderSteps: 20000 },
    },
    backend: { name: 'wasm', simd: true, threads: 1 },
    hardware: { cpu: 'AMD EPYC', cores: 2, memoryGiB: 23.5, os: 'Linux 6', arch: 'x64', node: 'v20.0.0' },
    data: {
      dir: '/d',
      split: 'test',
      images: 2,
      perCategory: { '0-18': 1, '19-29': 1, '30-39': 0, '40-49': 0, '50-59': 0, '60+': 0 },
      calibrationImages: 200,
      seed: 0,
      crop: 'chip crop',
    },
    settings: {
      steps: 40,
      detail: 'off',
      strength: 1,
      earlyStop: 'patience 20',
      agedFrom: 'z*IP',
      optimiserRecogniser: 'face-api',
      measuredWith: 'faceres',
      measureInput: '64 -> 224',
      ageBinning: 'rounded',
    },
    threshold: {
      threshold: 0.86381,
      targetFar: 0.01,
      achievedFar: 0.0098,
      pairs: 19900,
      recogniser: 'faceres',
      calibrationImages: 200,
      assumption: 'distinct images are different people',
      meanDifferentDistance: 1.08,
      checks: [
        { label: 'mirror | flipped', kind: 'same', accepted: shareOf(200, 200), meanDistance: 0.33 },
        { label: 'shots', kind: 'different', accepted: shareOf(0, 320), meanDistance: 1.1 },
      ],
    },
    reconstruction: {
      initial: { accepted: shareOf(1, 2), meanDistance: 0.9, meanOptimiserDistance: 0.61 },
      pixel: { accepted: shareOf(1, 2), meanDistance: 0.8, meanOptimiserDistance: 0.55, meanSteps: 40 },
      identity: { accepted: shareOf(2, 2), meanDistance: 0.5, meanOptimiserDistance: 0.18, meanSteps: 31.5 },
    },
    aging: AGE_CATEGORIES.map((category) => ({
      category,
      identity: shareOf(1, 2),
      identityChanged: shareOf(1, 1),
      meanDistance: 0.7,
    })),
    ageAccuracy: [
      // generated: two faces per category, one estimated right; real: 2 of 3 right, none of 40-49
      ageAccuracy(
        'faceres',
        AGE_CATEGORIES.flatMap((_, c) => [
          { category: c, years: MID[c]! },
          { category: c, years: WRONG[c]! },
        ]),
        AGE_CATEGORIES.flatMap((_, c) =>
          c === 3 ? [] : [MID[c]!, MID[c]!, WRONG[c]!].map((years) => ({ category: c, years })),
        ),
      ),
      ageAccuracy('face-api', [], []),
    ],
    targets: {
      identityReconstruction: { target: 0.9, paper: PAPER.identity, measured: 1, met: true },
      ageAccuracyDrop: { target: 0.1, paper: 0.17, measured: 0.25, met: false },
    },
    timings: { perImage: stages, setup: { load: 1, calibrate: 60, footage: 20 }, totalSeconds: 117 },
    images: [],
    notes: ['a note'],
    ...over,
  };
}
