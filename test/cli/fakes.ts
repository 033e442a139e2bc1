/**
 * A scripted stand-in for the engine and the streams, so the CLI's behaviour (exit
 * codes, output shapes, interrupts) is tested without loading tfjs or a model.
 */
import type { ActiveBackend } from '../../src/shared/ages.js';
import type { KnownDefect } from '../../src/shared/known-defects.js';
import type { RunHooks, ShotJob, ShotSummary, ShotSurvey } from '../../src/main/engine/api.js';
import type { FrameReport } from '../../src/main/engine/types.js';
import type { CliDeps, CliEngine, CliEngineInfo, EngineOptions } from '../../src/main/cli/deps.js';

export function frame(n: number, status: FrameReport['status'], extra: Partial<FrameReport> = {}): FrameReport {
  return {
    frame: n,
    file: `in/shot.${n}.png`,
    output: `out/shot.${n}.png`,
    status,
    faceFound: status === 'done',
    seconds: 1.23456,
    ...(status === 'done'
      ? {
          sourceAge: '30-39' as const,
          losses: { initial: 0.5, final: 0.2, steps: 15 },
          stages: { read: 0.01, detect: 0.2, optimise: 0.9, write: 0.05 },
        }
      : {}),
    ...(status === 'failed' ? { error: 'cannot read frame' } : {}),
    ...extra,
  };
}

export const INFO: CliEngineInfo = {
  backend: 'wasm',
  backendDetails: { name: 'wasm', threads: 1, simd: true, tried: [{ name: 'tensorflow', error: 'not installed' }] },
  model: {
    name: 'test-model',
    version: '1.2.3',
    imageSize: 64,
    categories: ['0-18', '19-29', '30-39', '40-49', '50-59', '60+'],
    path: '/nonexistent/model',
    trained: true,
    knownDefects: [],
  },
  versions: { app: '0.1.0', tfjs: '4.22.0', node: 'v20.0.0' },
};

export interface FakeEngineScript {
  frames?: FrameReport[];
  /** called before each frame is reported, e.g. to fire an interrupt part-way */
  beforeFrame?: (index: number) => void;
  /** thrown by ageShot before any frame */
  error?: Error;
  /** the loaded model's known defects (none by default) */
  knownDefects?: KnownDefect[];
}

/** Mimics shot.ts: checks the signal before each frame, reports, and sums up. */
export class FakeEngine implements CliEngine {
  jobs: ShotJob[] = [];
  disposed = false;

  constructor(private readonly script: FakeEngineScript = {}) {}

  info(): CliEngineInfo {
    const { knownDefects } = this.script;
    return knownDefects ? { ...INFO, model: { ...INFO.model, knownDefects } } : INFO;
  }

  preview(): never {
    throw new Error('not used by the CLI');
  }

  async ageShot(job: ShotJob, hooks: RunHooks = {}): Promise<ShotSummary> {
    this.jobs.push(job);
    if (this.script.error) throw this.script.error;
    const frames = this.script.frames ?? [];
    const backend: ActiveBackend = 'wasm';
    const s: ShotSummary = {
      total: frames.length,
      done: 0,
      skipped: 0,
      noFace: 0,
      failed: 0,
      failures: [],
      seconds: 2,
      backend,
    };
    for (const [i, r] of frames.entries()) {
      this.script.beforeFrame?.(i);
      hooks.signal?.throwIfAborted();
      await Promise.resolve();
      if (r.status === 'done') s.done++;
      else if (r.status === 'skipped') s.skipped++;
      else if (r.status === 'no-face') s.noFace++;
      else {
        s.failed++;
        s.failures.push(r);
      }
      hooks.onFrame?.(r);
      hooks.onProgress?.({ done: i + 1, total: frames.length, frame: r.frame, etaSeconds: 3, backend });
    }
    return s;
  }

  /** A survey of the job's frames as the script says: every frame's face at one box, source age 30-39. */
  async surveyShot(job: ShotJob): Promise<ShotSurvey> {
    this.jobs.push(job);
    if (this.script.error) throw this.script.error;
    const frames = this.script.frames ?? [];
    const box = { x: 10, y: 20, width: 30, height: 40 };
    return {
      sourceAge: '30-39',
      faces: Object.fromEntries(frames.map((f) => [String(f.frame), box])),
      frames: frames.length,
    };
  }

  dispose(): void {
    this.disposed = true;
  }
}

export class Sink {
  text = '';
  constructor(readonly isTTY = false) {}
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
  lines(): string[] {
    return this.text.split('\n').filter((l) => l.length > 0);
  }
}

export interface TestDeps extends CliDeps {
  stdout: Sink;
  stderr: Sink;
  engineOptions: EngineOptions[];
  /** fire the user's interrupt, as Ctrl-C would */
  interrupt(): void;
}

export function testDeps(engine: CliEngine | Error, overrides: Partial<CliDeps> = {}): TestDeps {
  const handlers = new Set<() => void>();
  const engineOptions: EngineOptions[] = [];
  const isTTY = overrides.isTTY ?? false;
  return {
    stdout: new Sink(),
    stderr: new Sink(isTTY),
    isTTY,
    engineOptions,
    createEngine: async (options) => {
      engineOptions.push(options);
      if (engine instanceof Error) throw engine;
      return engine;
    },
    onInterrupt: (handler) => {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
    interrupt: () => handlers.forEach((h) => h()),
    ...overrides,
  } as TestDeps;
}
