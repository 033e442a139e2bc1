// Shot plans and local workers on the command line (issue #21): parsing, the plan's
// job, the model check, splitting for workers, and the worker pool's merging of its
// workers' JSON records (real child processes standing in for engines).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseShotPlan, splitForWorkers, type ShotPlan } from '../../src/shared/plan.js';
import { parseCommand, UsageError } from '../../src/main/cli/args.js';
import { frameRecord } from '../../src/main/cli/frame-output.js';
import { checkPlanModel, jobFromPlan, planFromSurvey, readPlan } from '../../src/main/cli/plan.js';
import { main } from '../../src/main/cli/reage.js';
import { renderWithWorkers, reportFromRecord } from '../../src/main/cli/worker-pool.js';
import { DEFAULT_LATENT_SMOOTHING } from '../../src/main/engine/shot.js';
import type { FrameReport } from '../../src/main/engine/types.js';
import { FakeEngine, INFO, frame, testDeps } from './fakes.js';

const HASH = 'a'.repeat(64);
const info = { ...INFO, model: { ...INFO.model, manifestSha256: HASH } };
const settings = {
  targetAge: '60+' as const,
  sourceAge: 'auto' as const,
  mode: 'pixel' as const,
  detail: false,
  strength: 1,
  texture: 1,
  composite: 'delta' as const,
  steps: 60,
  seed: 0,
};
const box = { x: 1, y: 2, width: 30, height: 40 };

function plan(): ShotPlan {
  return planFromSurvey(
    { input: '/plates/akiyo.####.png', frames: '1001-1012', out: '/renders/', settings },
    { sourceAge: '19-29', faces: { '1001': box, '1002': box }, frames: 12 },
    info,
    3,
  );
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'reage-plan-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('reage plan and age --plan: arguments', () => {
  it('parses a plan command with the settings of reage age', () => {
    const cmd = parseCommand(['plan', 'in/shot.####.png', '--age', '0-18', '--render-to', 'out/', '--out', 'p.json']);
    expect(cmd).toMatchObject({ command: 'plan', targetAge: '0-18', renderTo: 'out/', out: 'p.json', preRoll: 3 });
    expect(() => parseCommand(['plan', 'in', '--age', '60+', '--out', 'p.json'])).toThrow(/--render-to/);
  });

  it('takes only how to run next to --plan: plates, output and settings are the plan’s', () => {
    expect(parseCommand(['age', '--plan', 'p.json', '--frames', '1-4', '--workers', '2'])).toMatchObject({
      command: 'age-plan',
      plan: 'p.json',
      frames: '1-4',
      workers: 2,
    });
    expect(() => parseCommand(['age', '--plan', 'p.json', '--age', '60+'])).toThrow(UsageError);
    expect(() => parseCommand(['age', '--plan', 'p.json', 'in/'])).toThrow(/drop in\//);
    expect(() => parseCommand(['age', 'in', '--out', 'o', '--age', '60+', '--workers', '0'])).toThrow(/--workers/);
  });
});

describe('a plan', () => {
  it('fixes the surveyed source age and validates against its schema', () => {
    const p = plan();
    expect(p.settings.sourceAge).toBe('19-29');
    expect(parseShotPlan(JSON.parse(JSON.stringify(p)))).toEqual(p);
    expect(() => parseShotPlan({ ...p, settings: { ...p.settings, sourceAge: 'auto' } })).toThrow(/source age/);
  });

  it('renders a chunk with the whole shot for pre-roll and the face to follow', () => {
    expect(jobFromPlan(plan(), '1005-1008', true)).toEqual({
      input: '/plates/akiyo.####.png',
      frames: '1005-1008',
      shotFrames: '1001-1012',
      out: '/renders/',
      // the engine's latent smoothing written in: every chunk smooths alike
      settings: { ...settings, sourceAge: '19-29', latentSmoothing: DEFAULT_LATENT_SMOOTHING },
      resume: true,
      preRoll: 3,
      faces: { '1001': box, '1002': box },
    });
  });

  it('refuses to render on another model than the plan’s, naming both', () => {
    expect(() => checkPlanModel(plan(), info, 'p.json')).not.toThrow();
    const other = { ...info, model: { ...info.model, manifestSha256: 'b'.repeat(64) } };
    expect(() => checkPlanModel(plan(), other, 'p.json')).toThrow(/p\.json was planned with model test-model v1\.2\.3/);
  });

  it('drives reage age --plan: the engine gets the plan’s chunk job', async () => {
    const file = join(dir, 'p.json');
    writeFileSync(file, JSON.stringify(plan()));
    const engine = new FakeEngine({ frames: [frame(1005, 'done')] });
    engine.info = () => info;
    const deps = testDeps(engine);
    expect(await main(['age', '--plan', file, '--frames', '1005', '--workers', '1', '--json'], deps)).toBe(0);
    expect(engine.jobs[0]).toMatchObject({
      frames: '1005',
      shotFrames: '1001-1012',
      preRoll: 3,
      faces: { '1001': box },
    });
  });
});

describe('local workers by default', () => {
  const plates = (n: number) => {
    for (let i = 0; i < n; i++) writeFileSync(join(dir, `shot.${1001 + i}.png`), 'x');
    return join(dir, 'shot.####.png');
  };

  it('keeps a short render in one process, bit for bit what one process makes', async () => {
    const engine = new FakeEngine({ frames: [frame(1001, 'done')] });
    const deps = testDeps(engine, {
      defaultWorkers: () => 2,
      spawnWorker: () => {
        throw new Error('no worker for 5 frames');
      },
    });
    expect(await main(['age', plates(5), '--out', join(dir, 'out') + '/', '--age', '60+'], deps)).toBe(0);
    expect(engine.jobs).toHaveLength(1);
  });

  it('splits a long render across one worker per core', async () => {
    const engine = new FakeEngine({ frames: [] });
    engine.info = () => info;
    const launched: string[][] = [];
    const deps = testDeps(engine, {
      defaultWorkers: () => 2,
      spawnWorker: (args) => {
        launched.push(args);
        return spawn(process.execPath, ['-e', 'console.log(JSON.stringify({ summary: { backend: "cpu" } }))'], {
          stdio: ['ignore', 'pipe', 'inherit'],
        });
      },
    });
    await main(['age', plates(24), '--out', join(dir, 'out') + '/', '--age', '60+'], deps);
    expect(launched.map((a) => a[a.indexOf('--frames') + 1])).toEqual(['1001-1014', '1015-1024']);
  });
});

describe('local workers', () => {
  it('splits a shot into contiguous parts balanced on the frames each ages, pre-roll included', () => {
    const frames = Array.from({ length: 24 }, (_, i) => 1001 + i);
    const parts = splitForWorkers(frames, 2, 3);
    expect(parts.map((p) => p.length)).toEqual([14, 10]);
    expect(parts.flat()).toEqual(frames);
    expect(splitForWorkers(frames.slice(0, 1), 4, 3)).toEqual([[1001]]);
    expect(splitForWorkers(frames, 3, 0).map((p) => p.length)).toEqual([8, 8, 8]);
  });

  it('turns a worker’s JSON frame record back into the report it came from', () => {
    const report = frame(1001, 'done');
    expect(reportFromRecord(JSON.parse(JSON.stringify(frameRecord(report))) as Record<string, unknown>)).toEqual({
      ...report,
      seconds: 1.235,
      stages: { read: 0.01, detect: 0.2, optimise: 0.9, write: 0.05 },
    });
  });

  it('starts the workers before the plan is made, and gives it to each on its standard input', async () => {
    const launched: string[][] = [];
    let planGiven = false;
    // a stand-in worker: reads the plan from stdin, then a done record for each frame it was given
    const fakeWorker = (args: string[]) => {
      launched.push(args);
      expect(planGiven).toBe(false); // started while the plan was still being made
      const frames = args[args.indexOf('--frames') + 1]!;
      const script = `
        let text = '';
        process.stdin.on('data', (d) => (text += d));
        process.stdin.on('end', () => {
          const plan = JSON.parse(text);
          const [a, b] = process.argv[1].split('-').map(Number);
          for (let f = a; f <= (b || a); f++)
            console.log(JSON.stringify({ frame: f, file: plan.name + '.' + f + '.png', output: 'o.' + f + '.png', status: 'done', faceFound: true, seconds: 0.1, error: null, losses: null, stages: null, sourceAge: plan.settings.sourceAge }));
          console.log(JSON.stringify({ summary: { backend: 'cpu' } }));
        });`;
      return spawn(process.execPath, ['-e', script, frames], { stdio: ['pipe', 'pipe', 'inherit'] });
    };
    const planned = new Promise<ShotPlan>((resolve) =>
      setTimeout(() => {
        planGiven = true;
        resolve(plan());
      }, 200),
    );
    const reports: FrameReport[] = [];
    const job = { ...jobFromPlan(plan(), undefined, false), frames: '1001-1012' };
    await renderWithWorkers(planned, job, 2, { onFrame: (r) => reports.push(r) }, fakeWorker);
    expect(launched.map((a) => a.slice(a.indexOf('--plan'), a.indexOf('--plan') + 2))).toEqual([
      ['--plan', '-'],
      ['--plan', '-'],
    ]);
    // each worker read the plan it was given: the records carry its shot name and source age
    expect(reports.map((r) => r.frame).sort()).toEqual(Array.from({ length: 12 }, (_, i) => 1001 + i));
    expect(new Set(reports.map((r) => [r.file.split('.')[0], r.sourceAge].join(' ')))).toEqual(
      new Set([`${plan().name} 19-29`]),
    );
  });

  it('stops the waiting workers when the plan cannot be made', async () => {
    // stand-in workers that wait for a plan that never comes
    const waiting = () =>
      spawn(process.execPath, ['-e', 'process.stdin.resume()'], { stdio: ['pipe', 'pipe', 'inherit'] });
    const job = { ...jobFromPlan(plan(), undefined, false), frames: '1001-1012' };
    await expect(
      renderWithWorkers(Promise.reject(new Error('no face in the shot')), job, 2, {}, waiting),
    ).rejects.toThrow('no face in the shot');
  });

  it('reads a plan from standard input with --plan -', async () => {
    const p = plan();
    expect(await readPlan('-', Readable.from([JSON.stringify(p)]))).toEqual(
      parseShotPlan(JSON.parse(JSON.stringify(p))),
    );
    await expect(readPlan('-', Readable.from(['{ no']))).rejects.toThrow(
      'cannot use the plan on standard input: it is not JSON',
    );
  });

  it('runs one process per part and merges their records, each part on its own frames', async () => {
    const launched: string[][] = [];
    // a stand-in worker: prints a done record for every frame it was given, then a summary
    const fakeWorker = (args: string[]) => {
      launched.push(args);
      const frames = args[args.indexOf('--frames') + 1]!;
      const script = `
        const [a, b] = process.argv[1].split('-').map(Number);
        for (let f = a; f <= (b || a); f++)
          console.log(JSON.stringify({ frame: f, file: 'p.' + f + '.png', output: 'o.' + f + '.png', status: 'done', faceFound: true, seconds: 0.1, error: null, losses: null, stages: null, sourceAge: null }));
        console.log(JSON.stringify({ summary: { backend: 'cpu' } }));`;
      return spawn(process.execPath, ['-e', script, frames], { stdio: ['ignore', 'pipe', 'inherit'] });
    };
    const reports: FrameReport[] = [];
    const summary = await renderWithWorkers(
      plan(),
      jobFromPlan(plan(), undefined, false),
      2,
      { onFrame: (r) => reports.push(r) },
      fakeWorker,
    );
    expect(launched.map((a) => a[a.indexOf('--frames') + 1])).toEqual(['1001-1008', '1009-1012']);
    expect(reports.map((r) => r.frame).sort()).toEqual(Array.from({ length: 12 }, (_, i) => 1001 + i));
    expect(summary).toMatchObject({ total: 12, done: 12, failed: 0, backend: 'cpu', sourceAge: '19-29' });
  });
});
