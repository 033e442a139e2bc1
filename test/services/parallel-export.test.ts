// A shot's export on several engine workers (issue #21, src/main/services/parallel-export.ts)
// through the real job queue, engine clients and worker serving code, each worker a forked
// process running the fake engine (test/services/fixtures/fake-engine-worker.ts, a test
// double). The fake logs which process wrote which frame and which frames it pre-rolled,
// so the tests see how the shot was split, not only that it finished.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AGE_CATEGORIES } from '../../src/shared/ages.js';
import type { JobSnapshot } from '../../src/shared/ipc.js';
import { DEFAULT_SHOT_SETTINGS } from '../../src/shared/project.js';
import { formatFrame, parseFrameRange } from '../../src/shared/sequence.js';
import { AllowedRoots } from '../../src/main/services/allowed-roots.js';
import { EngineClient } from '../../src/main/services/engine-client.js';
import { JobQueue } from '../../src/main/services/job-queue.js';
import { exportWorkers, framesLeftInParts } from '../../src/main/services/parallel-export.js';
import { StudioBackend } from '../../src/main/services/studio-backend.js';
import { frames, queueKit } from './fixtures/queue-kit.js';
import { forkWorker, type WorkerLauncher } from '../../src/main/services/worker-transport.js';
import {
  MIN_FRAMES_PER_WORKER,
  WORKER_MEMORY_BYTES,
  localWorkers,
  workersForFrames,
} from '../../src/main/node/local-workers.js';

const FAKE_WORKER = join(import.meta.dirname, 'fixtures', 'fake-engine-worker.ts');
/** the fake reports frameMs / 1000 engine seconds for every frame it renders */
const FRAME_MS = 40;

let dir: string;
let queue: JobQueue | undefined;
let client: EngineClient | undefined;
let backend: StudioBackend | undefined;
const extras: EngineClient[] = [];
const jobs = new Map<string, JobSnapshot[]>();
/** worker processes started by the current test */
let launches = 0;

function launcher(env: Record<string, string> = {}): WorkerLauncher {
  return () => {
    launches++;
    return forkWorker({
      script: FAKE_WORKER,
      env: {
        ...process.env,
        FAKE_FRAME_MS: String(FRAME_MS),
        FAKE_RENDER_LOG: join(dir, 'render.log'),
        FAKE_FRAME_LOG: join(dir, 'frames.log'),
        FAKE_PREROLL_LOG: join(dir, 'preroll.log'),
        FAKE_AGE_LOG: join(dir, 'age.log'),
        FAKE_JOB_LOG: join(dir, 'jobs.log'),
        FAKE_SURVEY_LOG: join(dir, 'survey.log'),
        ...env,
      },
    });
  };
}

/** A queue whose shots run on `workers` engines: its own and extras from the same launcher (or `extraLaunch`). */
function start(workers: number, env: Record<string, string> = {}, extraLaunch?: WorkerLauncher) {
  const launch = launcher(env);
  client = new EngineClient({ launch, startTimeoutMs: 30_000 });
  queue = new JobQueue(client, {
    notifyIntervalMs: 0,
    exportWorkers: () => workers,
    launchEngine: () => {
      const extra = new EngineClient({ launch: extraLaunch ?? launch, startTimeoutMs: 30_000 });
      extras.push(extra);
      return extra;
    },
  });
  queue.onJob((snap) => jobs.set(snap.id, [...(jobs.get(snap.id) ?? []), snap]));
  return queue;
}

const { shot, waitFor, waitForJob } = queueKit(() => dir, jobs, 60_000);

function lines(file: string): string[] {
  const path = join(dir, file);
  return existsSync(path) ? readFileSync(path, 'utf8').trim().split('\n').filter(Boolean) : [];
}

/** Frames written, in order, from the fake's render log. */
function rendered(): number[] {
  return lines('render.log').map(Number);
}

/** Frames written (or pre-rolled) by each worker process, in order, from a "pid frame" log. */
/** Both workers have written at least two frames each. */
function bothWorkersUnderWay(): Promise<void> {
  return waitFor(
    () => byWorker('frames.log').size === 2 && [...byWorker('frames.log').values()].every((f) => f.length >= 2),
  );
}

function byWorker(file: 'frames.log' | 'preroll.log'): Map<number, number[]> {
  const out = new Map<number, number[]>();
  for (const line of lines(file)) {
    const [pid, frame] = line.split(' ').map(Number) as [number, number];
    out.set(pid, [...(out.get(pid) ?? []), frame]);
  }
  return out;
}

interface JobLine {
  frames: string;
  shotFrames: string;
  sourceAge: string;
  faces: number;
  pid: number;
}

/** Every shot request the fake engines were sent, in order. */
function requests(): JobLine[] {
  return lines('jobs.log').map((l) => JSON.parse(l) as JobLine);
}

/** Requests sent at once (the parts of one run) in frame order: which reaches its worker first is a race. */
function byFrames(sent: JobLine[]): JobLine[] {
  return [...sent].sort((a, b) => parseFrameRange(a.frames)[0]! - parseFrameRange(b.frames)[0]!);
}

const sorted = (xs: Iterable<number>) => [...xs].sort((a, b) => a - b);

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'reage-parallel-'));
  // outputs go to dir/out; the fake engine never reads the plates
  mkdirSync(join(dir, 'out'));
  jobs.clear();
  launches = 0;
});

afterEach(() => {
  queue?.dispose();
  client?.dispose();
  backend?.dispose();
  for (const extra of extras.splice(0)) extra.dispose();
  queue = client = backend = undefined;
  rmSync(dir, { recursive: true, force: true });
});

describe('a shot exported on two engine workers', () => {
  // 16 frames, 3 frames' pre-roll: the first part takes 10, the second 6 (and pre-rolls 3)
  const PART_A = frames(1001, 10);
  const PART_B = frames(1011, 6);

  it('splits the frames between the workers, each written once, the second part pre-rolled, one survey for the source age and face', async () => {
    const q = start(2);
    const id = q.enqueueExport({ shots: [shot('a', frames(1001, 16))], skipExisting: false });
    const done = await waitForJob(id, ['completed', 'failed']);
    expect(done.status).toBe('completed');
    expect(done.shots[0]).toMatchObject({ done: 16, total: 16, status: 'done', completed: '1001-1016' });
    expect(launches).toBe(2);

    // one survey over the whole shot, before any part
    expect(lines('survey.log')).toEqual(['1001-1016']);
    // one request a part: the queue's own engine takes the first, the extra the second
    const sent = byFrames(requests());
    expect(sent.map((r) => r.frames)).toEqual(['1001-1010', '1011-1016']);
    expect(sent[0]!.pid).toBe(client!.pid);
    expect(sent[1]!.pid).not.toBe(sent[0]!.pid);
    // both age from the survey's source age (the whole shot's, not the part's first frame's) and follow its face
    const age = AGE_CATEGORIES[1001 % AGE_CATEGORIES.length]!;
    expect(AGE_CATEGORIES[1011 % AGE_CATEGORIES.length]).not.toBe(age); // a part estimating its own would differ
    expect(sent.map((r) => [r.sourceAge, r.faces, r.shotFrames])).toEqual([
      [age, 16, '1001-1016'],
      [age, 16, '1001-1016'],
    ]);
    expect(new Set(lines('age.log').map((l) => l.split(' ')[1]))).toEqual(new Set([age]));
    expect(done.shots[0]!.sourceAge).toBe(age);

    // who wrote what: each part by its own worker, every frame once
    const written = byWorker('frames.log');
    expect(written.get(sent[0]!.pid)).toEqual(PART_A);
    expect(written.get(sent[1]!.pid)).toEqual(PART_B);
    expect(sorted(rendered())).toEqual(frames(1001, 16));
    for (const f of frames(1001, 16)) expect(existsSync(formatFrame(shot('a', []).out, f))).toBe(true);
    // the second part starts warm from the three frames before it, which it does not write
    expect(byWorker('preroll.log')).toEqual(new Map([[sent[1]!.pid, [1008, 1009, 1010]]]));
  });

  it("merges the parts' progress into the one job: frames from both as they finish, the ETA the busier part's", async () => {
    const q = start(2);
    const id = q.enqueueExport({ shots: [shot('a', frames(1001, 16))], skipExisting: false });
    await waitForJob(id, ['completed', 'failed']);
    const snaps = jobs.get(id)!;
    expect(snaps.at(-1)!.shots[0]!.done).toBe(16);
    const counts = snaps.map((s) => s.shots[0]!.done);
    expect(counts).toEqual(sorted(counts)); // never goes back
    const running = snaps.filter((s) => s.status === 'running' && s.shots[0]!.done > 0 && s.shots[0]!.done < 16);
    // both parts reported while the other was still going
    const finished = (s: JobSnapshot) => new Set(parseFrameRange(s.shots[0]!.completed));
    expect(running.some((s) => PART_A.some((f) => finished(s).has(f)) && PART_B.some((f) => finished(s).has(f)))).toBe(
      true,
    );
    // the parts run side by side: the ETA is the busier part's frames left, not all frames left
    let sideBySide = 0;
    for (const s of running) {
      const have = finished(s);
      const left = (part: number[]) => part.filter((f) => !have.has(f)).length;
      expect(s.etaSeconds).toBeCloseTo((Math.max(left(PART_A), left(PART_B)) * FRAME_MS) / 1000, 6);
      if (left(PART_A) > 0 && left(PART_B) > 0) sideBySide++;
    }
    expect(sideBySide).toBeGreaterThan(0);
  });

  it('cancel stops both parts; resume renders only the unfinished frames', async () => {
    const q = start(2);
    const all = frames(1001, 24);
    const id = q.enqueueExport({ shots: [shot('a', all)], skipExisting: false });
    await bothWorkersUnderWay();
    q.cancel(id);
    const cancelled = await waitForJob(id, ['cancelled']);
    const before = rendered();
    expect(cancelled.shots[0]!.done).toBe(before.length);
    expect(before.length).toBeLessThan(24);
    // neither worker goes on after the cancel
    await new Promise((r) => setTimeout(r, 6 * FRAME_MS));
    expect(rendered()).toEqual(before);
    // no export left: the extra engine is let go
    expect(extras[0]!.status().state).toBe('stopped');

    q.resume(id);
    const done = await waitForJob(id, ['completed', 'failed']);
    expect(done.shots[0]!.done).toBe(24);
    expect(sorted(rendered())).toEqual(all);
    // the resumed parts ask for none of the frames finished before the cancel
    const resumed = requests().slice(2);
    expect(resumed).toHaveLength(2);
    for (const r of resumed) for (const f of parseFrameRange(r.frames)) expect(before).not.toContain(f);
  });

  it("restarts a killed worker and renders only its part's missing frames, while the other part carries on", async () => {
    const q = start(2);
    const all = frames(1001, 24);
    // 24 frames: the first part 1001-1014, the second 1015-1024
    const partB = frames(1015, 10);
    const id = q.enqueueExport({ shots: [shot('a', all)], skipExisting: false });
    await waitFor(() => requests().length === 2);
    const [first, second] = byFrames(requests()) as [JobLine, JobLine];
    expect(second.frames).toBe('1015-1024');
    await waitFor(() => (byWorker('frames.log').get(second.pid)?.length ?? 0) >= 2);
    process.kill(second.pid, 'SIGKILL');

    const done = await waitForJob(id, ['completed', 'failed']);
    expect(done.status).toBe('completed');
    expect(done.restarts).toBe(1);
    expect(done.shots[0]!.done + done.shots[0]!.skipped).toBe(24);
    expect(new Set(rendered()).size).toBe(rendered().length); // nothing rendered twice
    for (const f of all) expect(existsSync(formatFrame(shot('a', []).out, f))).toBe(true);

    const sent = requests();
    expect(sent).toHaveLength(3);
    expect(sent.slice(0, 2)).toEqual(expect.arrayContaining([first, second]));
    // the first part, on the queue's engine, was never interrupted
    expect(sent.filter((r) => r.pid === first.pid).map((r) => r.frames)).toEqual(['1001-1014']);
    expect(byWorker('frames.log').get(first.pid)).toEqual(frames(1001, 14));
    // the restarted worker is asked for the rest of the second part only
    const retry = sent[2]!;
    expect(retry.pid).not.toBe(second.pid);
    expect(retry.pid).not.toBe(first.pid);
    const killedWrote = byWorker('frames.log').get(second.pid)!;
    const retried = parseFrameRange(retry.frames);
    // at most the frame written as the kill came (it was not reported) is asked for again, and skipped
    expect(retried.filter((f) => killedWrote.includes(f)).length).toBeLessThanOrEqual(1);
    expect(sorted(new Set([...killedWrote, ...retried]))).toEqual(partB);
    expect(retried.every((f) => partB.includes(f))).toBe(true);
    // and starts warm again from the frames before the first it renders (one left written by the kill is skipped)
    const firstNew = byWorker('frames.log').get(retry.pid)![0]!;
    expect(byWorker('preroll.log').get(retry.pid)).toEqual([firstNew - 3, firstNew - 2, firstNew - 1]);
  });

  it('a preview pauses both parts, and both resume on their own workers where they stopped', async () => {
    const q = start(2);
    const all = frames(1001, 24);
    const id = q.enqueueExport({ shots: [shot('a', all)], skipExisting: false });
    await bothWorkersUnderWay();
    const preview = await q.preview({ file: '/plates/a.1001.png', frame: 1001, settings: DEFAULT_SHOT_SETTINGS });
    expect(preview.frame).toBe(1001);
    // both parts stopped for it, and neither was asked to go on before it was done
    expect(jobs.get(id)!.some((s) => s.status === 'paused')).toBe(true);
    expect(requests()).toHaveLength(2);
    const beforePause = new Set(rendered());
    expect(beforePause.size).toBeLessThan(24);

    const done = await waitForJob(id, ['completed', 'failed']);
    expect(done.shots[0]!.done).toBe(24);
    expect(sorted(rendered())).toEqual(all);
    const sent = requests();
    expect(sent).toHaveLength(4);
    const [a, b] = byFrames(sent.slice(0, 2)) as [JobLine, JobLine];
    const [resumedA, resumedB] = byFrames(sent.slice(2)) as [JobLine, JobLine];
    // the same workers, each on the rest of its own part
    expect([resumedA.pid, resumedB.pid]).toEqual([a.pid, b.pid]);
    expect(a.pid).not.toBe(b.pid);
    for (const [part, resumed] of [
      [a, resumedA],
      [b, resumedB],
    ] as const) {
      const rest = parseFrameRange(resumed.frames);
      expect(rest.length).toBeGreaterThan(0);
      expect(rest.every((f) => parseFrameRange(part.frames).includes(f) && !beforePause.has(f))).toBe(true);
    }
    expect(launches).toBe(2);
  });

  it('refuses a worker that loaded another model: its part is not rendered, the shot fails saying why', async () => {
    const q = start(2, {}, launcher({ FAKE_MODEL_VERSION: '9.9-other' }));
    const id = q.enqueueExport({ shots: [shot('a', frames(1001, 16))], skipExisting: false });
    const done = await waitForJob(id, ['completed', 'failed']);
    expect(done.status).toBe('failed');
    expect(done.shots[0]!.error).toMatch(
      /^engine worker 2: it loaded model fake-model v9\.9-other .*not fake-model v0\.0-test/,
    );
    // the queue's engine rendered its part; nothing came from the other model
    expect(requests().map((r) => [r.frames, r.pid])).toEqual([['1001-1010', client!.pid]]);
    expect(sorted(rendered())).toEqual(PART_A);
    expect(done.shots[0]).toMatchObject({ done: 10, status: 'failed' });
  });

  it('with one worker, exports as before: the queue engine alone, no survey', async () => {
    const q = start(1);
    const id = q.enqueueExport({ shots: [shot('a', frames(1001, 6))], skipExisting: false });
    const done = await waitForJob(id, ['completed', 'failed']);
    expect(done.shots[0]).toMatchObject({ done: 6, status: 'done' });
    expect(launches).toBe(1);
    expect(lines('survey.log')).toEqual([]);
    expect(requests().map((r) => [r.frames, r.sourceAge, r.faces, r.pid])).toEqual([
      ['1001-1006', 'auto', 0, client!.pid],
    ]);
    expect(lines('preroll.log')).toEqual([]);
  });

  it("the studio backend's exportWorkers option runs an export on that many workers", async () => {
    mkdirSync(join(dir, 'plates'));
    backend = new StudioBackend({
      launchWorker: launcher(),
      dataDir: join(dir, 'data'),
      roots: new AllowedRoots([dir]),
      exportWorkers: 2,
    });
    const snaps: JobSnapshot[] = [];
    backend.onEvent((e) => {
      if (e.type === 'job') snaps.push(e.job);
    });
    const reply = await backend.handle({
      method: 'export.start',
      params: { shots: [shot('a', frames(1001, 16))], skipExisting: false },
    });
    expect(reply.ok).toBe(true);
    await waitFor(() => snaps.at(-1)?.status === 'completed');
    expect(byFrames(requests()).map((r) => r.frames)).toEqual(['1001-1010', '1011-1016']);
    expect(byWorker('frames.log').size).toBe(2);
    expect(sorted(rendered())).toEqual(frames(1001, 16));
  });
});

describe('how many export workers', () => {
  it('takes a count as given, and otherwise one per core for shots long enough to share', () => {
    expect(exportWorkers(3)(5)).toBe(3);
    expect(exportWorkers('2')(1000)).toBe(2);
    const auto = (frames: number) => workersForFrames(localWorkers(), frames);
    expect(exportWorkers(undefined)(1000)).toBe(auto(1000));
    expect(exportWorkers('auto')(1000)).toBe(auto(1000));
    // a short shot stays on one engine
    expect(exportWorkers(undefined)(2 * MIN_FRAMES_PER_WORKER - 1)).toBe(1);
    const warnings: string[] = [];
    const log = { info() {}, error() {}, warn: (m: string) => warnings.push(m) };
    for (const bad of ['0', '1.5', 'lots', 65]) expect(exportWorkers(bad, log)(1000)).toBe(auto(1000));
    expect(warnings).toHaveLength(4);
  });

  it('no more than the cores, nor than free memory holds at the per-worker estimate, and at least one', () => {
    expect(localWorkers({ cores: 8, freeBytes: 3.5 * WORKER_MEMORY_BYTES })).toBe(3);
    expect(localWorkers({ cores: 2, freeBytes: 64 * WORKER_MEMORY_BYTES })).toBe(2);
    expect(localWorkers({ cores: 8, freeBytes: 0 })).toBe(1);
    expect(workersForFrames(8, 5 * MIN_FRAMES_PER_WORKER)).toBe(5);
    expect(workersForFrames(1, 1000)).toBe(1);
  });

  it("counts a parallel shot's frames left by its busiest part", () => {
    const done = new Set([1, 2, 3, 11]);
    expect(
      framesLeftInParts(
        [
          [1, 2, 3, 4, 5],
          [11, 12],
        ],
        (f) => done.has(f),
      ),
    ).toBe(2);
    expect(framesLeftInParts([], () => true)).toBe(0);
  });
});
