import { describe, expect, it } from 'vitest';
import {
  benchReport,
  formatBenchMarkdown,
  formatBenchText,
  modeStats,
  renderTable,
  warmFrames,
  type BenchContext,
  type ModeRun,
  type PreviewRun,
} from '../../src/main/cli/bench-report.js';
import type { FrameReport } from '../../src/main/engine/types.js';
import { frame } from './fakes.js';

/** An aged frame with given total seconds, optimise seconds and steps. */
function aged(n: number, seconds: number, optimise: number, steps: number): FrameReport {
  return frame(n, 'done', {
    seconds,
    losses: { initial: 1, final: 0.5, steps },
    stages: {
      read: 0.1,
      detect: 0.4,
      align: 0.05,
      encode: n === 1 ? 0.2 : 0,
      optimise,
      generate: 0.1,
      composite: 0.05,
      write: 0.1,
    },
  });
}

const CONTEXT: BenchContext = {
  backend: 'wasm',
  backendNote: 'SIMD, 1 thread',
  model: { name: 'm', version: '1', trained: true, path: '/m' },
  footage: '/f (4 frames from 1001)',
  settings: { targetAge: '60+', steps: 60, warmSteps: 15, detail: true, composite: 'delta' },
  machine: { cpus: 2, cpuModel: 'cpu', node: 'v20', loadAverage: 1.5 },
  engineLoadSeconds: 3,
  peakRssMB: 900,
  date: '2025-01-01',
};

function run(mode: ModeRun['mode'], frames: FrameReport[], wallSeconds: number): ModeRun {
  return { mode, frames, wallSeconds, tensorsBefore: 100, tensorsAfter: 100 };
}

describe('bench statistics', () => {
  const frames = [aged(1, 30, 28, 60), aged(2, 8, 7, 15), aged(3, 6, 5, 15), aged(4, 7, 6, 15)];

  it('splits the first frame from warm-started ones and averages stages per aged frame', () => {
    const s = modeStats(run('identity', frames, 53));
    expect(s).toMatchObject({
      frames: 4,
      done: 4,
      noFace: 0,
      failed: 0,
      firstFrameSeconds: 30,
      firstFrameSteps: 60,
      warmFrameSteps: 15,
    });
    expect(s.warmFrameSeconds).toBeCloseTo(7);
    expect(s.meanFrameSeconds).toBeCloseTo(51 / 4);
    expect(s.secondsPerFrame).toBeCloseTo(53 / 4);
    expect(s.framesPerMinute).toBeCloseTo((4 * 60) / 53);
    expect(s.stages.optimise).toBeCloseTo(46 / 4);
    expect(s.stages.encode).toBeCloseTo(0.05);
    expect(s.optimiseSecondsPerStep).toBeCloseTo(46 / 105);
    // frame 1: 30 - 29 staged = 1 s unaccounted; the others: 8-7.8, 6-5.8, 7-6.8
    expect(s.otherSeconds).toBeCloseTo((1 + 0.2 + 0.2 + 0.2) / 4);
  });

  it('a frame without a face breaks the warm start, as in the engine', () => {
    const gap = [aged(1, 30, 28, 60), frame(2, 'no-face'), aged(3, 29, 27, 60), aged(4, 7, 6, 15)];
    expect(warmFrames(gap).map((f) => f.frame)).toEqual([4]);
    const s = modeStats(run('pixel', gap, 70));
    expect(s).toMatchObject({ done: 3, noFace: 1, warmFrameSteps: 15, warmFrameSeconds: 7 });
  });

  it('judges the target on identity mode wall time per frame, and never passes a shot with failures', () => {
    expect(benchReport(CONTEXT, [run('identity', frames, 36)]).target).toEqual({
      mode: 'identity',
      seconds: 10,
      measured: 9,
      met: true,
    });
    expect(benchReport(CONTEXT, [run('identity', frames, 53)]).target.met).toBe(false);
    const failing = [...frames.slice(0, 3), frame(4, 'failed', { seconds: 0.1 })];
    expect(benchReport(CONTEXT, [run('identity', failing, 20)]).target.met).toBe(false);
    expect(benchReport(CONTEXT, [run('pixel', frames, 20)]).target).toMatchObject({ measured: null, met: null });
  });

  it('copes with a shot where nothing was aged', () => {
    const s = modeStats(run('identity', [frame(1, 'no-face')], 1));
    expect(s).toMatchObject({ firstFrameSeconds: null, warmFrameSeconds: null, optimiseSecondsPerStep: null });
    expect(formatBenchText(benchReport(CONTEXT, [run('identity', [frame(1, 'no-face')], 1)]))).toContain('NOT MET');
  });
});

describe('bench rendering', () => {
  it('aligns text tables and writes markdown tables', () => {
    const rows = [
      ['', 'a', 'bb'],
      ['long label', '1', '22.5'],
    ];
    expect(renderTable(rows, 'text')).toBe('            a    bb\nlong label  1  22.5');
    expect(renderTable(rows, 'markdown')).toBe('|  | a | bb |\n| --- | ---: | ---: |\n| long label | 1 | 22.5 |');
  });

  it('reports every stage, both modes, memory, tensors and the verdict', () => {
    const report = benchReport(CONTEXT, [
      run('identity', [aged(1, 12, 10, 60), aged(2, 5, 4, 15)], 18),
      run('pixel', [aged(1, 6, 5, 60), aged(2, 3, 2, 15)], 10),
    ]);
    const text = formatBenchText(report);
    for (const s of [
      'read',
      'detect',
      'align',
      'encode',
      'optimise',
      'generate',
      'composite',
      'write',
      'optimise, s per step',
    ])
      expect(text).toMatch(new RegExp(`^${s}\\s`, 'm'));
    expect(text).toContain('backend: wasm (SIMD, 1 thread)');
    expect(text).toContain('peak RSS 900 MB');
    expect(text).toMatch(/^frames per minute\s+6\.67\s+12\.00$/m);
    expect(text).toMatch(/^first frame, s\s+12\.00\s+6\.00$/m);
    expect(text).toContain('tf tensors before → after');
    expect(text).toContain(
      'target (identity mode with warm starts under 10 s per frame): MET, measured 9.00 s per frame over 2 frames',
    );
    const md = formatBenchMarkdown(report, 'npm run bench');
    expect(md).toMatch(/^# Benchmark/);
    expect(md).toContain('| frames per minute | 6.67 | 12.00 |');
  });

  it('reports the previews: first picture and final per mode and case, and the preview target', () => {
    const preview = (
      mode: PreviewRun['mode'],
      kind: PreviewRun['kind'],
      first: number,
      final: number,
      extra: Partial<PreviewRun> = {},
    ): PreviewRun => ({
      mode,
      kind,
      frame: kind === 'cold' ? 1001 : 1002,
      firstPictureSeconds: first,
      firstPicture: kind === 'cold' ? 'encoder' : kind === 'warm' ? 'warm' : 'final',
      finalSeconds: final,
      pictures: kind === 'again' ? 1 : 3,
      steps: kind === 'cold' ? 70 : kind === 'warm' ? 38 : 0,
      ...(kind === 'cold' ? {} : { warmStartFrame: kind === 'warm' ? 1001 : 1002 }),
      ...extra,
    });
    const frames = [aged(1, 6, 5, 60), aged(2, 3, 2, 15)];
    const previews = [
      preview('pixel', 'cold', 0.9, 6.5),
      preview('pixel', 'warm', 0.6, 2.5),
      preview('pixel', 'again', 0.2, 0.2),
      preview('identity', 'warm', 0.7, 17),
    ];
    const report = benchReport(
      { ...CONTEXT, previewSettings: { steps: 150, warmSteps: 38, sourceAge: 'auto', texture: 1 } },
      [run('pixel', frames, 20)],
      previews,
    );
    // the warm final is judged in pixel mode, the studio's default; first pictures everywhere
    expect(report.previewTarget).toMatchObject({ measuredFirst: 0.9, measuredWarmFinal: 2.5, met: true });
    const text = formatBenchText(report);
    expect(text).toMatch(
      /^pixel, cold \(fresh engine, first of the shot\)\s+1001\s+0\.90\s+encoder\s+6\.50\s+3\s+70\s+–$/m,
    );
    expect(text).toMatch(/^pixel, warm \(next frame, one solved\)\s+1002\s+0\.60\s+warm\s+2\.50\s+3\s+38\s+1001$/m);
    expect(text).toContain("previews: the studio's defaults for a new shot: 150 steps cold, 38 warm, source age auto");
    expect(text).toContain(
      'preview target (first picture within 1 s every time, final within 6 s warm in pixel mode): MET, measured 0.90 s to the slowest first picture, 2.50 s to the warm final',
    );
    expect(formatBenchMarkdown(report, 'npm run bench')).toContain('## Previews');
    // a slow first picture anywhere, or a slow warm final, misses it
    expect(benchReport(CONTEXT, [], [...previews, preview('identity', 'cold', 1.4, 40)]).previewTarget.met).toBe(false);
    expect(benchReport(CONTEXT, [], [preview('pixel', 'warm', 0.6, 6.1)]).previewTarget.met).toBe(false);
    // without previews, nothing is said of them
    const none = benchReport(CONTEXT, [run('pixel', frames, 20)]);
    expect(none.previewTarget.met).toBeNull();
    expect(formatBenchText(none)).not.toContain('preview');
  });

  it('reports the plate formats beside the shots: size, write and read per frame, and the service start', () => {
    const formats = {
      source: 'a plate, upscaled to 1920x1080 (Lanczos)',
      width: 1920,
      height: 1080,
      repeats: 5,
      serviceStartSeconds: 0.44,
      runs: [
        { label: 'PNG 8-bit RGB', bytes: 3_000_000, writeSeconds: 0.095, readSeconds: 0.025 },
        { label: 'OpenEXR half RGB (zip), new file', bytes: 2_100_000, writeSeconds: 0.224, readSeconds: 0.177 },
      ],
    };
    const report = benchReport(CONTEXT, [], [], formats);
    const text = formatBenchText(report);
    expect(text).toContain('OpenImageIO service start: 440 ms');
    expect(text).toMatch(/OpenEXR half RGB \(zip\), new file\s+2\.1\s+224\s+177/);
    const md = formatBenchMarkdown(report, 'npm run bench');
    expect(md).toContain('## Plate formats');
    expect(md).toContain('| PNG 8-bit RGB | 3.0 | 95 | 25 |');
    const without = formatBenchText(
      benchReport(CONTEXT, [], [], { ...formats, serviceStartSeconds: null, unavailable: 'no module' }),
    );
    expect(without).toContain('OpenEXR not measured: no module');
    expect(formatBenchText(benchReport(CONTEXT, []))).not.toContain('plate formats');
  });

  it('says plainly when the model is untrained', () => {
    const report = benchReport({ ...CONTEXT, model: { ...CONTEXT.model, trained: false } }, []);
    expect(formatBenchText(report)).toContain('UNTRAINED');
    expect(report.target.met).toBeNull();
  });
});
