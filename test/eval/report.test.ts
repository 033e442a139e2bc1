import { describe, expect, it } from 'vitest';
import { DETAIL_DEFAULTS } from '../../src/main/engine/detail.js';
import { DEFAULT_IDENTITY_ANCHOR_WEIGHT } from '../../src/main/engine/optimise.js';
import { commandFor, eta } from '../../src/main/eval/evaluate.js';
import { formatEvalTable, hardwareInfo, reportPath, shellQuote } from '../../src/main/eval/report.js';
import { sampleReport } from '../helpers/sample-report.js';

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

  it("gives the drop's bootstrap interval where the report has one", () => {
    const r = sampleReport();
    expect(md).not.toContain('95% interval');
    const [faceres, ...rest] = r.ageAccuracy;
    const withInterval = formatEvalTable({
      ...r,
      ageAccuracy: [{ ...faceres!, relativeDropCi95: [-0.071, 0.234] }, ...rest],
    });
    expect(withInterval).toContain('(95% interval -7–23%, bootstrap over the faces)');
    expect(withInterval).toMatch(/\| all \(mean over categories\) \| [^|]+ \| [^|]+ \| [-0-9.]+% \(-7–23%\) \|/);
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
      commandFor({
        backend: 'wasm',
        steps: 40,
        detail: true,
        zAnchor: 0,
        detailWeight: 0.25,
        ageWeight: 0,
        calibrationImages: 300,
        strength: 1.5,
      }),
    ).toBe(
      'npx reage eval --split test --limit 100 --steps 40 --detail on --strength 1.5 --z-anchor 0 --detail-weight 0.25 --age-weight 0 --calibration-images 300 --backend wasm',
    );
    expect(
      commandFor({
        backend: 'wasm',
        steps: 40,
        detail: true,
        zAnchor: DEFAULT_IDENTITY_ANCHOR_WEIGHT,
        detailWeight: DETAIL_DEFAULTS.weight,
        ageWeight: DETAIL_DEFAULTS.ageWeight,
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

describe('reportPath', () => {
  it('writes a model folder relative to the checkout, or by its name alone, never as a machine path', () => {
    expect(reportPath('/repo/models/reage-utkface-64', '/repo')).toBe('models/reage-utkface-64');
    expect(reportPath('/scratch/runs/candidate-7', '/repo')).toBe('candidate-7');
    expect(formatEvalTable(sampleReport())).not.toMatch(/Model: `\//);
  });
});
