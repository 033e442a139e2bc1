// Job queue against a real forked worker process that runs a fake engine
// (test/services/fixtures/fake-engine-worker.ts, a test double).
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AGE_CATEGORIES } from '../../src/shared/ages.js';
import type { JobSnapshot } from '../../src/shared/ipc.js';
import { DEFAULT_SHOT_SETTINGS } from '../../src/shared/project.js';
import { formatFrame } from '../../src/shared/sequence.js';
import { EngineClient } from '../../src/main/services/engine-client.js';
import { StudioError } from '../../src/main/services/errors.js';
import { JobQueue, type JobQueueOptions } from '../../src/main/services/job-queue.js';
import { frames, queueKit } from './fixtures/queue-kit.js';
import { forkWorker } from '../../src/main/services/worker-transport.js';

const FAKE_WORKER = join(import.meta.dirname, 'fixtures', 'fake-engine-worker.ts');

let dir: string;
let client: EngineClient;
let queue: JobQueue;
const jobs = new Map<string, JobSnapshot[]>();
/** worker processes started by the current test's client */
let launches = 0;

function start(env: Record<string, string> = {}, options: JobQueueOptions = {}) {
  launches = 0;
  client = new EngineClient({
    launch: () => {
      launches++;
      return forkWorker({
        script: FAKE_WORKER,
        env: {
          ...process.env,
          FAKE_RENDER_LOG: join(dir, 'render.log'),
          FAKE_AGE_LOG: join(dir, 'age.log'),
          FAKE_JOB_LOG: join(dir, 'jobs.log'),
          ...env,
        },
      });
    },
    startTimeoutMs: 30_000,
  });
  queue = new JobQueue(client, { notifyIntervalMs: 0, ...options });
  queue.onJob((snap) => jobs.set(snap.id, [...(jobs.get(snap.id) ?? []), snap]));
}

const { shot, latest, waitFor, waitForJob } = queueKit(() => dir, jobs);

/** Frames the fake engine rendered, in order, from its render log. */
function renderLog(): number[] {
  const log = join(dir, 'render.log');
  return existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).map(Number) : [];
}

function doneCount(jobId: string): number {
  return latest(jobId)?.shots.reduce((n, s) => n + s.done, 0) ?? 0;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'reage-queue-'));
  // outputs go to dir/out; the fake engine never reads the plates
  mkdirSync(join(dir, 'out'));
  jobs.clear();
});

afterEach(() => {
  queue?.dispose();
  client?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('JobQueue', () => {
  it('exports every frame with per-shot progress and a summary', async () => {
    start();
    const id = queue.enqueueExport({
      shots: [shot('a', frames(1001, 5)), shot('b', frames(1, 3))],
      skipExisting: false,
    });
    const done = await waitForJob(id, ['completed', 'failed']);
    expect(done.status).toBe('completed');
    expect(done.shots.map((s) => [s.name, s.done, s.total, s.status])).toEqual([
      ['a', 5, 5, 'done'],
      ['b', 3, 3, 'done'],
    ]);
    expect(done.shots[0]!.completed).toBe('1001-1005');
    expect(done.etaSeconds).toBeNull();
    // progress arrived frame by frame, with an ETA while running
    const running = jobs.get(id)!.filter((s) => s.status === 'running');
    expect(running.some((s) => s.etaSeconds !== null && s.etaSeconds > 0)).toBe(true);
    expect(running.some((s) => s.shots[0]!.currentFrame !== null)).toBe(true);
    for (const f of frames(1001, 5)) expect(existsSync(formatFrame(shot('a', []).out, f))).toBe(true);
  });

  it('runs previews before queued exports', async () => {
    start({ FAKE_FRAME_MS: '40' }, { preemptExports: false });
    const first = queue.enqueueExport({ shots: [shot('a', frames(1, 4))], skipExisting: false });
    const second = queue.enqueueExport({ shots: [shot('b', frames(1, 4))], skipExisting: false });
    await waitForJob(first, ['running']);
    const preview = await queue.preview({ file: '/plates/a.0001.png', frame: 1, settings: DEFAULT_SHOT_SETTINGS });
    expect(preview.frame).toBe(1);
    // the preview finished before the second export began
    expect(latest(second)!.status).toBe('queued');
    expect((await waitForJob(second, ['completed'])).status).toBe('completed');
  });

  it('pre-empts a running export for a preview and resumes it without re-rendering a frame', async () => {
    start({ FAKE_FRAME_MS: '30' });
    const id = queue.enqueueExport({ shots: [shot('a', frames(1001, 20))], skipExisting: false });
    await waitFor(() => doneCount(id) >= 4);
    const preview = await queue.preview({ file: '/plates/a.1001.png', frame: 1001, settings: DEFAULT_SHOT_SETTINGS });
    expect(preview.file).toBe('/plates/a.1001.png');
    expect(doneCount(id)).toBeLessThan(20);
    expect(jobs.get(id)!.some((s) => s.status === 'paused')).toBe(true);
    const done = await waitForJob(id, ['completed', 'failed']);
    expect(done.shots[0]!.done).toBe(20);
    expect(renderLog().sort((a, b) => a - b)).toEqual(frames(1001, 20));
    // the source age estimated on the shot's first segment holds for the rest of it
    const ages = new Set(
      readFileSync(join(dir, 'age.log'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => l.split(' ')[1]),
    );
    expect([...ages]).toEqual([AGE_CATEGORIES[1001 % 6]]);
    expect(done.shots[0]!.sourceAge).toBe(AGE_CATEGORIES[1001 % 6]);
    // each engine run names the whole shot, so the engine pre-rolls where the last run stopped
    const runs = readFileSync(join(dir, 'jobs.log'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { frames: string; shotFrames: string });
    expect(runs.length).toBeGreaterThan(1);
    expect(runs.every((r) => r.shotFrames === '1001-1020')).toBe(true);
    expect(runs[1]!.frames).not.toBe('1001-1020');
  });

  it('supersedes an older preview of the same group', async () => {
    start({ FAKE_PREVIEW_MS: '200' });
    const older = queue.preview({ file: '/p/a.0001.png', frame: 1, settings: DEFAULT_SHOT_SETTINGS, group: 'viewer' });
    const newer = queue.preview({ file: '/p/a.0002.png', frame: 2, settings: DEFAULT_SHOT_SETTINGS, group: 'viewer' });
    await expect(older).rejects.toMatchObject({ code: 'superseded' });
    expect((await newer).frame).toBe(2);
  });

  it('cancels an export and resumes only the unfinished frames', async () => {
    start({ FAKE_FRAME_MS: '30' });
    const id = queue.enqueueExport({ shots: [shot('a', frames(1, 15))], skipExisting: false });
    await waitFor(() => doneCount(id) >= 3);
    queue.cancel(id);
    const cancelled = await waitForJob(id, ['cancelled']);
    expect(cancelled.shots[0]!.done).toBeLessThan(15);
    const renderedBefore = renderLog().length;
    expect(renderedBefore).toBe(cancelled.shots[0]!.done);
    queue.resume(id);
    const done = await waitForJob(id, ['completed']);
    expect(done.shots[0]!.done).toBe(15);
    expect(renderLog().sort((a, b) => a - b)).toEqual(frames(1, 15));
  });

  it('restarts a killed engine and finishes the export with nothing lost or rendered twice', async () => {
    start({ FAKE_FRAME_MS: '40' });
    await client.start();
    const firstPid = client.pid!;
    const id = queue.enqueueExport({
      shots: [shot('a', frames(1001, 12)), shot('b', frames(1, 6))],
      skipExisting: false,
    });
    await waitFor(() => doneCount(id) >= 5);
    process.kill(firstPid, 'SIGKILL');
    const done = await waitForJob(id, ['completed', 'failed']);
    expect(done.status).toBe('completed');
    expect(done.restarts).toBe(1);
    expect(client.pid).not.toBe(firstPid);
    expect(client.status()).toMatchObject({ state: 'ready', restarts: 1 });
    expect(done.shots.map((s) => s.done + s.skipped)).toEqual([12, 6]);
    const log = renderLog();
    expect(log.length).toBe(18); // each frame exactly once
    for (const f of frames(1001, 12)) expect(existsSync(formatFrame(shot('a', []).out, f))).toBe(true);
    for (const f of frames(1, 6)) expect(existsSync(formatFrame(shot('b', []).out, f))).toBe(true);
  });

  it('lists failed frames with their reasons', async () => {
    start({ FAKE_FAIL_FRAMES: '3,5' });
    const id = queue.enqueueExport({ shots: [shot('a', frames(1, 6))], skipExisting: false });
    const done = await waitForJob(id, ['completed', 'failed']);
    expect(done.status).toBe('completed');
    expect(done.shots[0]).toMatchObject({ done: 4, failed: 2 });
    expect(done.shots[0]!.failures).toEqual([
      { frame: 3, file: join(dir, 'plates', 'a.0003.png'), error: 'fake failure at 3' },
      { frame: 5, file: join(dir, 'plates', 'a.0005.png'), error: 'fake failure at 5' },
    ]);
  });

  it('reports an engine that cannot start, without restarting it in a loop', async () => {
    start({ FAKE_START_FAIL: 'model folder models/default is missing' });
    await expect(queue.preview({ file: '/p/a.1.png', frame: 1, settings: DEFAULT_SHOT_SETTINGS })).rejects.toThrow(
      /model folder models\/default is missing/,
    );
    expect(client.status()).toMatchObject({ state: 'failed', message: 'model folder models/default is missing' });
    // the worker exits after saying why it could not start: that exit is not a crash to restart from
    await new Promise((r) => setTimeout(r, 1500));
    expect(launches).toBe(1);
    expect(client.status()).toMatchObject({ state: 'failed', message: 'model folder models/default is missing' });
  });

  it('rejects an export without shots', () => {
    start();
    expect(() => queue.enqueueExport({ shots: [], skipExisting: false })).toThrow(StudioError);
  });
});
