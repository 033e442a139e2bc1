import { describe, expect, it } from 'vitest';
import { main } from '../../src/main/cli/reage.js';
import { shotJobFor } from '../../src/main/cli/age.js';
import { parseCommand, type AgeCommand } from '../../src/main/cli/args.js';
import { ShotTally, frameLine, frameRecord, summaryLines } from '../../src/main/cli/frame-output.js';
import { describeError, crashListener, sigintListener } from '../../src/main/cli/process-guards.js';
import { TerminalProgress } from '../../src/main/cli/progress.js';
import type { EvalModule, EvalProgress } from '../../src/main/cli/deps.js';
import { EvalLogLines } from '../../src/main/cli/eval.js';
import type { KnownDefect } from '../../src/shared/known-defects.js';
import { MAX_OTHER_FACES } from '../../src/shared/project.js';
import { FakeEngine, Sink, frame, testDeps } from './fakes.js';

const AGE = ['age', 'in/shot.####.png', '--out', 'out', '--age', '60+'];
const FRAME_KEYS = [
  'frame',
  'file',
  'output',
  'status',
  'faceFound',
  'bridged',
  'sourceAge',
  'losses',
  'seconds',
  'error',
  'stages',
];

function named(name: string, message: string): Error {
  const e = new Error(message);
  e.name = name;
  return e;
}

describe('reage age', () => {
  it('exits 0 when every frame succeeded: done, skipped and no-face frames all count', async () => {
    const engine = new FakeEngine({ frames: [frame(1001, 'done'), frame(1002, 'no-face'), frame(1003, 'skipped')] });
    const deps = testDeps(engine);
    expect(
      await main(
        [
          ...AGE,
          '--mode',
          'pixel',
          '--detail',
          'off',
          '--strength',
          '1.5',
          '--texture',
          '0.5',
          '--steps',
          '20',
          '--warm-steps',
          '4',
          '--latent-smoothing',
          '0.25',
        ],
        deps,
      ),
    ).toBe(0);
    expect(engine.disposed).toBe(true);
    expect(engine.jobs).toEqual([
      {
        input: 'in/shot.####.png',
        out: 'out',
        resume: false,
        settings: {
          targetAge: '60+',
          sourceAge: 'auto',
          mode: 'pixel',
          detail: false,
          strength: 1.5,
          texture: 0.5,
          composite: 'delta',
          steps: 20,
          warmSteps: 4,
          latentSmoothing: 0.25,
          seed: 0,
        },
      },
    ]);
    // not a terminal: one human line per frame, then the summary; no progress bar
    const lines = deps.stdout.lines();
    expect(lines.slice(0, 3).map((l) => l.split(/\s+/).slice(0, 3))).toEqual([
      ['frame', '1001', 'done'],
      ['frame', '1002', 'no-face'],
      ['frame', '1003', 'skipped'],
    ]);
    expect(lines[1]).toContain('passed through unchanged');
    expect(lines[3]).toMatch(/^3\/3 frames .* on wasm: 1 done, 1 skipped .*, 1 without a face .*, 0 failed$/);
    expect(deps.stderr.text).toBe('');
  });

  it('exits 1 when a frame failed, naming it and its reason', async () => {
    const deps = testDeps(new FakeEngine({ frames: [frame(1001, 'done'), frame(1002, 'failed')] }));
    expect(await main(AGE, deps)).toBe(1);
    expect(deps.stdout.text).toContain('frame 1002 failed: cannot read frame (in/shot.1002.png)');
  });

  it('--json prints one record per frame with a fixed set of keys, then the summary', async () => {
    const frames = [frame(1001, 'done'), frame(1002, 'failed'), frame(1003, 'no-face')];
    const deps = testDeps(new FakeEngine({ frames }));
    expect(await main([...AGE, '--json'], deps)).toBe(1);
    const records = deps.stdout.lines().map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records).toHaveLength(4);
    for (const r of records.slice(0, 3)) expect(Object.keys(r)).toEqual(FRAME_KEYS);
    expect(records[0]).toMatchObject({
      frame: 1001,
      status: 'done',
      faceFound: true,
      sourceAge: '30-39',
      losses: { initial: 0.5, final: 0.2, steps: 15 },
      seconds: 1.235,
      error: null,
      stages: { read: 0.01, detect: 0.2, optimise: 0.9, write: 0.05 },
    });
    expect(records[1]).toMatchObject({ status: 'failed', error: 'cannot read frame', losses: null, stages: null });
    expect(records[3]).toEqual({
      summary: {
        total: 3,
        done: 1,
        skipped: 0,
        noFace: 1,
        failed: 1,
        failures: [{ frame: 1002, file: 'in/shot.1002.png', error: 'cannot read frame' }],
        seconds: 2,
        backend: 'wasm',
        sourceAge: null,
        face: null,
        interrupted: false,
        knownDefects: [],
      },
    });
  });

  it("warns of the model's known defects at the target age, before the frames and under the summary", async () => {
    const warning: KnownDefect = {
      ageCategories: ['50-59'],
      level: 'warning',
      summary: 'A mark under the nose.',
      advice: 'Paint it out.',
    };
    const note: KnownDefect = { ageCategories: ['60+'], level: 'note', summary: 'Blotches.', advice: 'Check.' };
    const fiftyArgs = ['age', 'in/shot.####.png', '--out', 'out', '--age', '50-59'];

    const deps = testDeps(new FakeEngine({ frames: [frame(1001, 'done')], knownDefects: [note, warning] }));
    expect(await main(fiftyArgs, deps)).toBe(0);
    const said = 'warning at 50-59: A mark under the nose. Paint it out.';
    expect(deps.stderr.text).toBe(`model test-model v1.2.3: ${said}\n`);
    expect(deps.stdout.lines().at(-1)).toBe(`model ${said}`);

    const json = testDeps(new FakeEngine({ frames: [frame(1001, 'done')], knownDefects: [note, warning] }));
    expect(await main([...fiftyArgs, '--json'], json)).toBe(0);
    const summary = JSON.parse(json.stdout.lines().at(-1)!) as { summary: { knownDefects: unknown } };
    expect(summary.summary.knownDefects).toEqual([warning]);

    // other targets: only what applies there, nothing at all where nothing does
    const old = testDeps(new FakeEngine({ frames: [frame(1001, 'done')], knownDefects: [note, warning] }));
    expect(await main(AGE, old)).toBe(0);
    expect(old.stderr.text).toBe('model test-model v1.2.3: note at 60+: Blotches. Check.\n');
    const young = testDeps(new FakeEngine({ frames: [frame(1001, 'done')], knownDefects: [note, warning] }));
    expect(await main([...AGE.slice(0, -1), '0-18'], young)).toBe(0);
    expect(young.stderr.text).toBe('');
    expect(young.stdout.text).not.toContain('model ');
  });

  it('passes several positionals as a list of files, and the model and backend to the engine', async () => {
    const engine = new FakeEngine();
    const deps = testDeps(engine);
    const argv = ['age', 'a.png', 'b.png', '--out', 'o', '--age', '0-18', '--backend', 'cpu', '--model', 'models/x'];
    expect(await main([...argv, '--frames', '1-2', '--resume'], deps)).toBe(0);
    expect(engine.jobs[0]).toMatchObject({ input: ['a.png', 'b.png'], frames: '1-2', resume: true });
    expect(deps.engineOptions).toEqual([{ backend: 'cpu', modelDir: 'models/x' }]);
  });

  it('on a terminal draws the progress bar on stderr and lists only frames needing a look', async () => {
    const deps = testDeps(new FakeEngine({ frames: [frame(1001, 'done'), frame(1002, 'no-face')] }), { isTTY: true });
    expect(await main(AGE, deps)).toBe(0);
    expect(deps.stderr.text).toContain('2/2 frames  frame 1002  ETA 0:03  [wasm]');
    expect(deps.stderr.text).toContain('frame 1002  no-face');
    expect(deps.stderr.text).not.toContain('frame 1001  done');
    expect(deps.stdout.lines()).toHaveLength(1); // the summary
  });

  it('an interrupt stops the shot, prints what was done and exits 130', async () => {
    const frames = [frame(1001, 'done'), frame(1002, 'done'), frame(1003, 'done')];
    const user: { interrupt?: () => void } = {};
    const engine = new FakeEngine({ frames, beforeFrame: (i) => i === 2 && user.interrupt?.() });
    const deps = testDeps(engine);
    user.interrupt = deps.interrupt;
    expect(await main([...AGE, '--json'], deps)).toBe(130);
    const records = deps.stdout.lines().map((l) => JSON.parse(l) as { summary?: Record<string, unknown> });
    expect(records).toHaveLength(3);
    expect(records[2]!.summary).toMatchObject({ total: 3, done: 2, failed: 0, interrupted: true });
    expect(deps.stderr.text).toContain('interrupted');
    expect(engine.disposed).toBe(true);
  });

  it('usage errors exit 2 with the message and a pointer to `reage help`, before loading anything', async () => {
    for (const argv of [
      ['age', 'in'],
      ['age', 'in', '--out', 'o'],
      ['age', 'in', '--out', 'o', '--age', '99'],
      ['frobnicate'],
      ['age', '--bogus'],
      ['age', 'in', '--out', 'o', '--age', '60+', '--detail', 'yes'],
      ['eval', '--detail', '1'],
      ['eval', '--z-anchor', '-1'],
      ['eval', '--z-anchor', 'x'],
      ['eval', '--detail-weight', '-0.5'],
      ['eval', '--age-weight', 'much'],
      ['eval', '--calibration-images', 'many'],
      ['age', 'in', '--out', 'o', '--age', '60+', '--strength', '4'],
      ['age', 'in', '--out', 'o', '--age', '60+', '--strength', 'strong'],
      ['age', 'in', '--out', 'o', '--age', '60+', '--texture', '5'],
      ['age', 'in', '--out', 'o', '--age', '60+', '--texture', 'abc'],
      ['eval', '--texture', '-1'],
      ['eval-aging', '--targets', 'old'],
      ['eval-aging', '--no-such-flag'],
      ['eval-plates', '--targets', '0-18,ancient'],
    ]) {
      const deps = testDeps(new Error('must not load the engine'));
      expect(await main(argv, deps)).toBe(2);
      // the message whole (Node's parser explains a dashed value over three lines), then the pointer
      expect(deps.stderr.lines().length).toBeGreaterThanOrEqual(2);
      expect(deps.stderr.lines()[0]).toMatch(/^reage: /);
      expect(deps.stderr.lines().at(-1)).toBe('Run `reage help` for usage.');
      expect(deps.engineOptions).toEqual([]);
    }
  });

  it('--texture takes a number from 0 to 2, default 1, and a bad one names the flag', async () => {
    expect((parseCommand([...AGE, '--texture', '0.5']) as AgeCommand).texture).toBe(0.5);
    expect((parseCommand([...AGE, '--texture', '0']) as AgeCommand).texture).toBe(0);
    expect((parseCommand(AGE) as AgeCommand).texture).toBe(1);
    for (const bad of ['5', 'abc', '']) {
      expect(() => parseCommand([...AGE, '--texture', bad])).toThrow(
        `--texture must be a number from 0 to 2 (got "${bad}")`,
      );
      const deps = testDeps(new Error('must not load the engine'));
      expect(await main([...AGE, '--texture', bad], deps)).toBe(2);
      expect(deps.stderr.lines()[0]).toContain('--texture');
    }
  });

  it('--latent-smoothing takes a number from 0 to 0.9, absent the engine default; a bad one names the flag', async () => {
    expect((parseCommand([...AGE, '--latent-smoothing', '0']) as AgeCommand).latentSmoothing).toBe(0);
    expect((parseCommand(AGE) as AgeCommand).latentSmoothing).toBeUndefined();
    for (const bad of ['1', '0.95', 'x'])
      expect(() => parseCommand([...AGE, '--latent-smoothing', bad])).toThrow(
        `--latent-smoothing must be a number from 0 to 0.9 (got "${bad}")`,
      );
  });

  it('an input the engine cannot use exits 2; other shot errors exit 1', async () => {
    let deps = testDeps(new FakeEngine({ error: named('InputError', 'no files match in/shot.####.png') }));
    expect(await main(AGE, deps)).toBe(2);
    expect(deps.stderr.text).toBe('reage: no files match in/shot.####.png\n');
    deps = testDeps(new FakeEngine({ error: new Error('disk full') }));
    expect(await main(AGE, deps)).toBe(1);
    expect(deps.stderr.text).toBe('reage: disk full\n');
  });

  it('a model that cannot be loaded exits 1 with its message and where to point instead', async () => {
    const deps = testDeps(named('ModelError', 'model /m: manifest.json: is missing'));
    expect(await main(AGE, deps)).toBe(1);
    expect(deps.stderr.lines()).toEqual([
      'reage: model /m: manifest.json: is missing',
      'Name a model folder with --model DIR or REAGE_MODEL.',
    ]);
  });

  it('a backend that cannot start exits 1 in one line, however long its error', async () => {
    const deps = testDeps(new Error(`backend 'tensorflow' is not available\n${'x'.repeat(100_000)}`));
    expect(await main(['info', '--backend', 'tensorflow'], deps)).toBe(1);
    expect(deps.stderr.text).toBe("reage: cannot start the engine: backend 'tensorflow' is not available\n");
  });
});

describe('reage info and help', () => {
  it('help prints the usage and exits 0', async () => {
    const deps = testDeps(new Error('unused'));
    expect(await main(['help'], deps)).toBe(0);
    expect(await main([], deps)).toBe(0);
    expect(deps.stdout.text).toContain('Usage:');
  });

  it('--help after a command prints the usage instead of an unknown-option error', async () => {
    for (const argv of [
      ['age', '--help'],
      ['eval-aging', '-h'],
      ['info', '--out', 'x', '--help'],
    ]) {
      const deps = testDeps(new Error('unused'));
      expect(await main(argv, deps)).toBe(0);
      expect(deps.stdout.text).toContain('Usage:');
    }
  });

  it('info prints the backend, model and versions', async () => {
    const engine = new FakeEngine();
    const deps = testDeps(engine);
    expect(await main(['info'], deps)).toBe(0);
    expect(deps.stdout.text).toContain('backend   wasm (SIMD, 1 thread)');
    expect(deps.stdout.text).toContain('not used: tensorflow: not installed');
    expect(deps.stdout.text).toContain('model     test-model 1.2.3: 64×64 px, 6 age categories');
    expect(deps.stdout.text).toContain('versions  reage 0.1.0, tfjs 4.22.0, node v20.0.0');
    expect(deps.stdout.text).not.toContain('known defect');
    expect(engine.disposed).toBe(true);

    const knownDefects: KnownDefect[] = [{ ageCategories: ['50-59'], level: 'warning', summary: 'S.', advice: 'A.' }];
    const withDefect = testDeps(new FakeEngine({ knownDefects }));
    expect(await main(['info'], withDefect)).toBe(0);
    expect(withDefect.stdout.text).toContain('          known defect, warning at 50-59: S. A.\n');
  });

  it('info --json is one JSON document', async () => {
    const deps = testDeps(new FakeEngine());
    expect(await main(['info', '--json'], deps)).toBe(0);
    expect(JSON.parse(deps.stdout.text)).toMatchObject({
      backend: { name: 'wasm', threads: 1, simd: true },
      model: { name: 'test-model', trained: true, bytes: null, imageSize: 64, knownDefects: [] },
      versions: { tfjs: '4.22.0' },
    });
  });
});

describe('reage eval', () => {
  const report = { faces: 3, identity: 0.91 };
  function evalModule(run: EvalModule['runEval']): EvalModule {
    return { runEval: run, formatEvalTable: (r) => `TABLE ${JSON.stringify(r)}` };
  }

  it('runs the evaluation with the options given and prints its table, or its JSON', async () => {
    const calls: unknown[] = [];
    const mod = evalModule(async (opts) => {
      calls.push({ ...opts, signal: undefined, onProgress: undefined });
      opts.onProgress?.({ done: 1, total: 3, stage: 'ageing', etaSeconds: 10 });
      return report;
    });
    let deps = testDeps(new Error('unused'), { loadEval: async () => mod });
    expect(
      await main(
        [
          'eval',
          '--limit',
          '3',
          '--steps',
          '5',
          '--model',
          'm',
          '--z-anchor',
          '0.5',
          '--detail-weight',
          '2',
          '--age-weight',
          '0',
          '--calibration-images',
          '300',
          '--save-faces',
          'strips',
          '--texture',
          '0.25',
        ],
        deps,
      ),
    ).toBe(0);
    expect(calls).toEqual([
      {
        backend: 'auto',
        split: 'test',
        steps: 5,
        detail: false,
        strength: 1,
        texture: 0.25,
        limit: 3,
        zAnchor: 0.5,
        detailWeight: 2,
        ageWeight: 0,
        calibrationImages: 300,
        facesDir: 'strips',
        modelDir: 'm',
        signal: undefined,
        onProgress: undefined,
      },
    ]);
    expect(deps.stdout.text).toBe(`TABLE ${JSON.stringify(report)}\n`);
    deps = testDeps(new Error('unused'), { loadEval: async () => mod });
    expect(await main(['eval', '--json'], deps)).toBe(0);
    expect(JSON.parse(deps.stdout.text)).toEqual(report);
  });

  it('exits 130 when interrupted, 1 when the evaluation fails or is missing', async () => {
    let deps!: ReturnType<typeof testDeps>;
    const interrupted = evalModule(async (opts) => {
      deps.interrupt();
      opts.signal?.throwIfAborted();
      return report;
    });
    deps = testDeps(new Error('unused'), { loadEval: async () => interrupted });
    expect(await main(['eval'], deps)).toBe(130);
    deps = testDeps(new Error('unused'), {
      loadEval: async () => evalModule(() => Promise.reject(new Error('no test split'))),
    });
    expect(await main(['eval'], deps)).toBe(1);
    expect(deps.stderr.text).toBe('reage: no test split\n');
    deps = testDeps(new Error('unused'));
    expect(await main(['eval'], deps)).toBe(1);
  });
});

describe('pieces', () => {
  it('logs the progress of an evaluation as plain lines: each phase, each face, each tenth of set-up', () => {
    const lines = new EvalLogLines();
    const events: EvalProgress[] = [
      { stage: 'load', done: 0, total: 1, etaSeconds: null },
      ...Array.from({ length: 21 }, (_, i) => ({ stage: 'calibrate', done: i, total: 20, etaSeconds: 20 - i })),
      { stage: 'encode', done: 0, total: 3, etaSeconds: null },
      { stage: 'optimise (pixel)', done: 0, total: 3, etaSeconds: null },
      { stage: 'encode', done: 1, total: 3, etaSeconds: 40 },
      { stage: 'measure', done: 1, total: 3, etaSeconds: 35 },
      { stage: 'encode', done: 2, total: 3, etaSeconds: 20 },
      { stage: 'done', done: 3, total: 3, etaSeconds: 0 },
    ];
    const logged = events.map((e) => lines.next(e)).filter((l) => l !== null);
    expect(logged).toEqual([
      'reage eval: load 0/1, ETA --:--',
      'reage eval: calibrate 0/20, ETA 0:20',
      'reage eval: calibrate 2/20, ETA 0:18',
      'reage eval: calibrate 4/20, ETA 0:16',
      'reage eval: calibrate 6/20, ETA 0:14',
      'reage eval: calibrate 8/20, ETA 0:12',
      'reage eval: calibrate 10/20, ETA 0:10',
      'reage eval: calibrate 12/20, ETA 0:08',
      'reage eval: calibrate 14/20, ETA 0:06',
      'reage eval: calibrate 16/20, ETA 0:04',
      'reage eval: calibrate 18/20, ETA 0:02',
      'reage eval: calibrate 20/20, ETA 0:00',
      'reage eval: faces evaluated 0/3, ETA --:--',
      'reage eval: faces evaluated 1/3, ETA 0:40',
      'reage eval: faces evaluated 2/3, ETA 0:20',
      'reage eval: done 3/3, ETA 0:00',
    ]);
  });

  it('shotJobFor leaves out what the user did not set', () => {
    const cmd = parseCommand(AGE) as AgeCommand;
    expect(shotJobFor(cmd)).toEqual({
      input: 'in/shot.####.png',
      out: 'out',
      resume: false,
      settings: {
        targetAge: '60+',
        sourceAge: 'auto',
        mode: 'pixel',
        detail: false,
        strength: 1,
        texture: 1,
        composite: 'delta',
        steps: 60,
        seed: 0,
      },
    });
  });

  it('frame lines say what happened to each frame', () => {
    expect(frameLine(frame(7, 'done'))).toBe(
      'frame 7  done       1.2 s  loss 0.500 → 0.200 (15 steps)  → out/shot.7.png',
    );
    expect(frameLine(frame(7, 'failed'))).toBe('frame 7  failed     1.2 s  cannot read frame (in/shot.7.png)');
    expect(frameLine(frame(7, 'skipped'))).toContain('already complete: out/shot.7.png');
  });

  it('the tally summarises a shot stopped part-way', () => {
    const tally = new ShotTally('cpu');
    tally.progress({ total: 10, backend: 'cpu' });
    tally.frame(frame(1, 'done'));
    tally.frame(frame(2, 'failed'));
    const summary = tally.snapshot();
    expect(summary).toMatchObject({ total: 10, done: 1, failed: 1, backend: 'cpu', sourceAge: '30-39' });
    expect(summaryLines({ summary, interrupted: true }).at(-1)).toMatch(/^interrupted: 8 frame\(s\) not processed/);
  });

  it('describeError keeps a message with a list under it whole', () => {
    const listed =
      'the folder in holds 2 sequences or files; pass one as a pattern, e.g. in/a.####.png:\n  a.####.png (1-3)\n  b.png';
    expect(describeError(named('InputError', listed))).toBe(listed);
    expect(describeError(new Error('first\r\n\n  second\n'))).toBe('first\n  second');
    expect(describeError('plain')).toBe('plain');
    expect(describeError({ message: 'wasm abort' })).toBe('wasm abort');
    expect(describeError(new Error(''))).toBe('Error');
    expect(describeError('\n \n')).toBe('unknown error');
  });

  it('describeError caps each line and the number of lines, for megabyte-long backend errors', () => {
    expect(describeError(new Error('y'.repeat(1_000_000))).length).toBeLessThanOrEqual(401);
    const many = Array.from({ length: 1000 }, (_, i) => `  line ${i} ${'z'.repeat(5000)}`).join('\n');
    const lines = describeError(new Error(`head\n${many}`)).split('\n');
    expect(lines.length).toBeLessThanOrEqual(25);
    expect(lines[0]).toBe('head');
    expect(lines[1]).toMatch(/^ {2}line 0 z+…$/);
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(401);
    expect(lines.at(-1)).toBe(`  … and ${1001 - (lines.length - 1)} more lines`);
  });

  it("a usage error keeps the parser's advice on its later lines", async () => {
    const deps = testDeps(new Error('must not load the engine'));
    expect(await main(['eval', '--z-anchor', '-1'], deps)).toBe(2);
    expect(deps.stderr.text).toContain("use '--z-anchor=-XYZ'");
  });

  it('an input error with a list prints the list, not just its first line', async () => {
    const message = 'no files match in/shot.####.png; the folder holds:\n  shot.###.png (1-3)\n  other.png';
    const deps = testDeps(new FakeEngine({ error: named('InputError', message) }));
    expect(await main(AGE, deps)).toBe(2);
    expect(deps.stderr.text).toBe(`reage: ${message}\n`);
  });

  it("a failed frame's multi-line error is shown whole under its line, capped like the rest", () => {
    const failed = frame(7, 'failed', { error: 'cannot read frame\n  because\n  of this' });
    expect(frameLine(failed)).toBe(
      'frame 7  failed     1.2 s  cannot read frame (in/shot.7.png)\n      because\n      of this',
    );
    const huge = frame(8, 'failed', { error: `abort ${'x'.repeat(1_000_000)}` });
    expect(frameLine(huge).length).toBeLessThan(500);
    expect(String(frameRecord(huge).error).length).toBeLessThan(500);
    const summary = {
      total: 1,
      done: 0,
      skipped: 0,
      noFace: 0,
      failed: 1,
      failures: [huge],
      seconds: 1,
      backend: 'cpu' as const,
    };
    expect(summaryLines({ summary, interrupted: false })[1]!.length).toBeLessThan(500);
  });

  it('a stray error is reported in one line and exits 1', () => {
    const sink = new Sink();
    const exits: number[] = [];
    const exit = (code: number): never => {
      exits.push(code);
      return undefined as never;
    };
    crashListener('unhandled rejection', sink, exit)(new Error(`abort()\n${'minified;'.repeat(1000)}`));
    expect(sink.text).toBe('reage: internal error (unhandled rejection): abort()\n');
    expect(exits).toEqual([1]);
  });

  it('Ctrl-C: first press stops gracefully; a duplicate delivered at once is ignored; a later press exits', () => {
    let t = 0;
    const exits: number[] = [];
    let stops = 0;
    const listener = sigintListener(
      () => stops++,
      (code) => {
        exits.push(code);
        return undefined as never;
      },
      () => t,
    );
    listener();
    t = 5;
    listener(); // the same press relayed by a parent (npm run)
    expect([stops, exits]).toEqual([1, []]);
    t = 2000;
    listener();
    expect(exits).toEqual([130]);
  });

  it('the progress bar draws only on a terminal, and logs lines above it', () => {
    const pipe = new Sink(false);
    const p = new TerminalProgress(pipe);
    p.update({ done: 1, total: 2, frame: 1, etaSeconds: null, backend: 'cpu' });
    p.log('note');
    p.end();
    expect(pipe.text).toBe('note\n');
    const tty = new Sink(true);
    const q = new TerminalProgress(tty);
    q.update({ done: 1, total: 2, frame: 1, etaSeconds: 61, backend: 'cpu' });
    q.log('note');
    q.end();
    expect(tty.text).toContain('1/2 frames  frame 1  ETA 1:01  [cpu]');
    expect(tty.text).toContain('note\n');
    expect(tty.text.endsWith('\n')).toBe(true);
  });
});

describe('choosing the face (--face, --face-at)', () => {
  it('takes a face id or a point on a frame into the shot settings', () => {
    expect((parseCommand([...AGE, '--face', '1']) as AgeCommand).face).toBe(1);
    expect((parseCommand([...AGE, '--face-at', '420,96']) as AgeCommand).face).toEqual({ x: 420, y: 96 });
    expect((parseCommand([...AGE, '--face-at', '420.5, 96@1012']) as AgeCommand).face).toEqual({
      x: 420.5,
      y: 96,
      frame: 1012,
    });
    expect((parseCommand(AGE) as AgeCommand).face).toBeUndefined();
    expect(shotJobFor(parseCommand([...AGE, '--face', '2']) as AgeCommand).settings.face).toBe(2);
  });

  it('refuses malformed or conflicting choices, saying what it wants', () => {
    for (const bad of ['-1', '1.5', 'x', '', '100'])
      expect(() => parseCommand([...AGE, `--face=${bad}`])).toThrow(
        /--face must be a face id, a whole number from 0 to 99/,
      );
    for (const bad of ['420', '420,', 'a,b', '1,2@x'])
      expect(() => parseCommand([...AGE, '--face-at', bad])).toThrow(/--face-at must be X,Y or X,Y@FRAME/);
    expect(() => parseCommand([...AGE, '--face', '1', '--face-at', '1,2'])).toThrow('not both');
    expect(() => parseCommand(['age', '--plan', 'p.json', '--face', '1'])).toThrow('drop --face');
  });

  it('--also-age ages other faces too, each to its own target and source, into the shot job', () => {
    const cmd = parseCommand([...AGE, '--also-age', '1=0-18', '--also-age', '420,96@1012 = 60+/30-39']) as AgeCommand;
    const expected = [
      { face: 1, targetAge: '0-18' },
      { face: { x: 420, y: 96, frame: 1012 }, targetAge: '60+', sourceAge: '30-39' },
    ];
    expect(shotJobFor(cmd).settings.otherFaces).toEqual(expected);
    expect(shotJobFor(parseCommand(AGE) as AgeCommand).settings.otherFaces).toBeUndefined();
  });

  it('refuses a malformed --also-age, or more other faces than a shot may age, saying what it wants', () => {
    expect(() => parseCommand([...AGE, '--also-age', '1'])).toThrow(/--also-age must be FACE=AGE/);
    expect(() => parseCommand([...AGE, '--also-age', '1=70'])).toThrow(/the age must be one of/);
    expect(() => parseCommand([...AGE, '--also-age', '1=60+/old'])).toThrow(/the source age must be one of/);
    expect(() => parseCommand([...AGE, '--also-age', 'x=60+'])).toThrow(/--also-age must be a face id/);
    const many = Array.from({ length: MAX_OTHER_FACES + 1 }, (_, i) => ['--also-age', `${i + 1}=60+`]).flat();
    expect(() => parseCommand([...AGE, ...many])).toThrow(`at most ${MAX_OTHER_FACES} other faces`);
  });

  it('names the flag when the engine cannot find the face', async () => {
    const deps = testDeps(new FakeEngine({ error: named('InputError', 'face 3: the shot has faces 0–1') }));
    expect(await main([...AGE, '--face', '3'], deps)).toBe(2);
    expect(deps.stderr.text).toContain('reage: --face 3: the shot has faces 0–1');
    const message = 'face at 5,5@1001: no face there; frame 1001 has face 0 at 1,2 3×4';
    const again = testDeps(new FakeEngine({ error: named('InputError', message) }));
    expect(await main([...AGE, '--face-at', '5,5'], again)).toBe(2);
    expect(again.stderr.text).toContain('reage: --face-at 5,5@1001: no face there');
  });

  it('says which face was aged, and where it was bridged or absent', () => {
    const summary = {
      total: 4,
      done: 3,
      skipped: 0,
      noFace: 1,
      failed: 0,
      failures: [],
      seconds: 10,
      backend: 'wasm' as const,
      face: { id: 1, faces: 2, bridged: 1, absent: 1 },
    };
    expect(summaryLines({ summary, interrupted: false })).toContain(
      'face 1 aged (of faces 0–1); bridged on 1 frame(s); absent from 1 frame(s), passed through',
    );
    expect(frameLine({ ...frame(1002, 'done'), bridged: true })).toContain('face bridged');
  });
});
