import { describe, expect, it } from 'vitest';
import { AGE_CATEGORIES } from '../../src/shared/ages.js';
import { DETAIL_DEFAULTS } from '../../src/main/engine/detail.js';
import { DEFAULT_IDENTITY_ANCHOR_WEIGHT } from '../../src/main/engine/optimise.js';
import { commandFor, eta } from '../../src/main/eval/evaluate.js';
import { ageAccuracy } from '../../src/main/eval/age-accuracy.js';
import { shareOf } from '../../src/main/eval/metrics.js';

/** an age inside each category */
const MID = [10, 25, 35, 45, 55, 70];
/** an age outside each category */
const WRONG = [200, 200, 200, 200, 200, 10];
import { PAPER, formatEvalTable, hardwareInfo, shellQuote, type EvalReport } from '../../src/main/eval/report.js';

function sampleReport(over: Partial<EvalReport> = {}): EvalReport {
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

/** The markdown tables of a text: each as its rows' cell counts. */
function tableShapes(md: string): number[][] {
  const shapes: number[][] = [];
  let current: number[] | undefined;
  for (const line of md.split('\n')) {
    if (line.startsWith('|')) {
      // escaped pipes are not separators
      (current ??= []).push(line.replace(/\\\|/g, '').split('|').length - 2);
    } else if (current) {
      shapes.push(current);
      current = undefined;
    }
  }
  if (current) shapes.push(current);
  return shapes;
}

describe('formatEvalTable', () => {
  const md = formatEvalTable(sampleReport());

  it('names the command, model, backend, hardware, data and threshold', () => {
    expect(md).toContain('## reage eval: reage-utkface-64 0.1.0\n');
    expect(md).toContain('`npx reage eval --split test --limit 2 --steps 40 --backend wasm`');
    expect(md).toContain('trained yes (100 epochs, 50000 GAN steps, 20000 encoder steps)');
    expect(md).toContain('Backend: wasm (SIMD on, 1 thread)');
    expect(md).toContain('2 × AMD EPYC, 23.5 GiB RAM');
    expect(md).toContain('0-18: 1, 19-29: 1, 30-39: 0');
    expect(md).toContain('distance < **0.8638**');
    expect(md).toContain('false-accept rate of 1.0% (achieved 0.98%) on 19900 different-person pairs');
    expect(md).toContain('Assumption: distinct images are different people');
  });

  it("prints the paper's Table 1 beside ours, the aging table and the timings", () => {
    expect(md).toMatch(
      /\| identity-preserving optimisation \| 100\.0% \(2\/2\) \| 34–100% \| 0\.500 \| 0\.180 \| 31\.5 \| 82\.9% \|/,
    );
    expect(md).toMatch(/\| initial, z0 = E\(x\) \| 50\.0% \(1\/2\) \| .* \| – \| 53\.2% \|/);
    expect(md).toContain('measured 100.0%, **met**');
    expect(md).toContain('| 40-49 | 50.0% (1/2) | 9–91% | 100.0% (1/1) | 0.700 |');
    expect(md).toContain('| faceres: generated | faceres: real | faceres: drop | face-api: generated |');
    expect(md).toContain('| 40-49 | 50.0% (1/2) | – | – | – | – | – |');
    expect(md).toContain('| 60+ | 50.0% (1/2) | 66.7% (2/3) | 25.0% | – | – | – |');
    expect(md).toContain('| all (mean over categories) | 50.0% | 66.7% | 25.0% | – | – | – |');
    expect(md).toContain('drop ≤ 10% (paper 17%): measured 25.0%, **not met**');
    expect(md).toContain('| optimise, identity-preserving | 15.000 |');
    expect(md).toContain('- a note');
  });

  it('renders well-formed tables (pipes in labels escaped)', () => {
    expect(md).toContain('mirror \\| flipped');
    const shapes = tableShapes(md);
    expect(shapes).toHaveLength(5);
    for (const rows of shapes) expect(new Set(rows).size).toBe(1);
    expect(shapes.map((s) => s.length)).toEqual([4, 5, 8, 9, 9]);
  });

  it('flags an untrained model and unmeasured targets', () => {
    const r = sampleReport();
    const u = formatEvalTable({
      ...r,
      model: { ...r.model, trained: false },
      targets: { ...r.targets, ageAccuracyDrop: { ...r.targets.ageAccuracyDrop, measured: null, met: null } },
    });
    expect(u).toContain('(UNTRAINED: random weights, figures are meaningless)');
    expect(u).toContain('trained no');
    expect(u).toContain('measured –, **not measured**');
  });

  it('the report survives a JSON round trip unchanged', () => {
    const r = sampleReport();
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });
});

describe('command and hardware', () => {
  it('quotes only what needs quoting', () => {
    expect(shellQuote('/tmp/a-b_c.md')).toBe('/tmp/a-b_c.md');
    expect(shellQuote('/tmp/my model')).toBe("'/tmp/my model'");
    expect(shellQuote("it's")).toBe("'it'\\''s'");
  });

  it('rebuilds the reage eval command from the options', () => {
    expect(commandFor({ backend: 'wasm', steps: 40 })).toBe(
      'npx reage eval --split test --limit 100 --steps 40 --detail off --backend wasm',
    );
    expect(
      commandFor({
        backend: 'auto',
        steps: 5,
        limit: 8,
        modelDir: '/tmp/my model',
        dataDir: '/data/utk',
        out: 'docs/x.md',
      }),
    ).toBe(
      "REAGE_UTKFACE=/data/utk npx reage eval --split test --limit 8 --steps 5 --detail off --backend auto --model '/tmp/my model' --out docs/x.md",
    );
    // settings other than the engine's are spelled out; the engine's are left implicit
    expect(
      commandFor({ backend: 'wasm', steps: 40, detail: true, zAnchor: 0, detailWeight: 0.25, strength: 1.5 }),
    ).toBe(
      'npx reage eval --split test --limit 100 --steps 40 --detail on --strength 1.5 --z-anchor 0 --detail-weight 0.25 --backend wasm',
    );
    expect(
      commandFor({
        backend: 'wasm',
        steps: 40,
        detail: true,
        zAnchor: DEFAULT_IDENTITY_ANCHOR_WEIGHT,
        detailWeight: DETAIL_DEFAULTS.weight,
      }),
    ).toBe('npx reage eval --split test --limit 100 --steps 40 --detail on --backend wasm');
  });

  it('estimates the time left from finished units, less the time spent on the current one', () => {
    const now = performance.now();
    expect(eta(now - 10_000, 0, 5)).toBeNull();
    expect(eta(now - 10_000, 2, 5, now)).toBeCloseTo(15, 1); // 5 s a unit, 3 left
    expect(eta(now - 12_000, 2, 5, now - 2_000)).toBeCloseTo(13, 1); // 2 s into the third
    expect(eta(now - 100_000, 2, 5, now - 99_000)).toBe(0); // overdue: never negative
  });

  it('describes the machine', () => {
    const h = hardwareInfo();
    expect(h.cores).toBeGreaterThan(0);
    expect(h.cpu.length).toBeGreaterThan(0);
    expect(h.node).toBe(process.version);
  });
});
