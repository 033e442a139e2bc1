// Both ends of the engine protocol in one process: the real worker serving code
// (src/main/worker/serve.ts) and the real EngineClient, joined by an in-memory
// transport, with a stub engine. Checks validation on both sides and cancel.
import { describe, expect, it } from 'vitest';
import type { WorkerMessage, WorkerRequest } from '../../src/shared/ipc.js';
import { DEFAULT_SHOT_SETTINGS } from '../../src/shared/project.js';
import type { ReAgeEngine } from '../../src/main/engine/api.js';
import { EngineClient } from '../../src/main/services/engine-client.js';
import type { Logger } from '../../src/main/services/log.js';
import type { WorkerExit, WorkerTransport } from '../../src/main/services/worker-transport.js';
import type { ParentChannel } from '../../src/main/worker/channel.js';
import { serveEngine } from '../../src/main/worker/serve.js';

const info = {
  backend: 'cpu' as const,
  model: { name: 'stub', version: '1', imageSize: 64, categories: [], path: '/m', trained: false, knownDefects: [] },
  versions: { app: 't', tfjs: 't', node: 't' },
};

/** A stub engine whose preview waits until aborted (or resolves at once when `slow` is false). */
function stubEngine(slow = false): ReAgeEngine {
  return {
    info: () => info,
    preview: (file, frame, _settings, signal, onStage) =>
      new Promise((resolve, reject) => {
        for (const [k, stage] of (['encoder', 'refining'] as const).entries())
          onStage?.({
            stage,
            file,
            frame,
            width: 1,
            height: 1,
            afterPng: new Uint8Array([k]),
            updates: k,
            steps: 2,
            seconds: 0,
          });
        const result = {
          file,
          frame,
          width: 1,
          height: 1,
          beforePng: new Uint8Array([1]),
          afterPng: new Uint8Array([2]),
          seconds: 0,
        };
        if (!slow) return resolve(result);
        signal?.addEventListener('abort', () => reject(Object.assign(new Error('aborted'), { name: 'AbortError' })));
      }),
    ageShot: async (_job, hooks) => {
      hooks?.onProgress?.({ done: 0, total: 1, frame: 7, etaSeconds: 1, backend: 'cpu' });
      hooks?.onFrame?.({ frame: 7, file: '/a.7.png', status: 'done', faceFound: true, seconds: 0.1 });
      return { total: 1, done: 1, skipped: 0, noFace: 0, failed: 0, failures: [], seconds: 0.1, backend: 'cpu' };
    },
    surveyShot: async (job, hooks) => {
      hooks?.onProgress?.({ done: 1, total: 2, frame: 7, etaSeconds: 1, backend: 'cpu' });
      hooks?.onProgress?.({ done: 2, total: 2, frame: 8, etaSeconds: 0, backend: 'cpu' });
      const sourceAge = job.settings.sourceAge === 'auto' ? '40-49' : job.settings.sourceAge;
      return { sourceAge, faces: { '7': { x: 1, y: 2, width: 3, height: 4 } }, frames: 2 };
    },
    dispose() {},
  };
}

/** An in-memory pair: the client's transport and the worker's parent channel. */
function pipe(tamper?: (m: WorkerMessage) => unknown) {
  const toWorker: ((raw: unknown) => void)[] = [];
  const toClient: ((raw: unknown) => void)[] = [];
  const exits: ((e: WorkerExit) => void)[] = [];
  const deliver = (listeners: ((raw: unknown) => void)[], raw: unknown) =>
    queueMicrotask(() => listeners.forEach((l) => l(structuredClone(raw))));
  const transport: WorkerTransport = {
    pid: 1,
    send: (m: WorkerRequest) => deliver(toWorker, m),
    onMessage: (l) => toClient.push(l),
    onExit: (l) => exits.push(l),
    kill: () => exits.forEach((l) => l({ code: null, signal: 'SIGTERM' })),
  };
  const channel: ParentChannel & { inject(raw: unknown): void } = {
    kind: 'node-fork',
    send: (m) => deliver(toClient, tamper ? tamper(m) : m),
    onMessage: (l) => toWorker.push(l),
    onDisconnect: () => {},
    inject: (raw) => deliver(toWorker, raw),
  };
  return { transport, channel, injectToClient: (raw: unknown) => deliver(toClient, raw) };
}

function capture(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, info: (m) => lines.push(m), warn: (m) => lines.push(m), error: (m) => lines.push(m) };
}

describe('engine protocol end to end (in memory)', () => {
  it('starts, answers previews and streams shot progress', async () => {
    const { transport, channel } = pipe();
    void serveEngine(channel, () => stubEngine(), { log: () => {} });
    const client = new EngineClient({ launch: () => transport });
    expect(await client.start()).toEqual(info);
    const preview = await client.preview('/a.1.png', 1, DEFAULT_SHOT_SETTINGS);
    expect([...preview.afterPng]).toEqual([2]);
    const frames: number[] = [];
    const summary = await client.ageShot(
      { input: '/a.#.png', out: '/o/', settings: DEFAULT_SHOT_SETTINGS },
      { onFrame: (r) => frames.push(r.frame) },
    );
    expect(summary.done).toBe(1);
    expect(frames).toEqual([7]);
  });

  it('surveys a shot, streaming its progress', async () => {
    const { transport, channel } = pipe();
    void serveEngine(channel, () => stubEngine(), { log: () => {} });
    const client = new EngineClient({ launch: () => transport });
    const progress: number[] = [];
    const survey = await client.surveyShot(
      { input: '/a.#.png', frames: '7-8', out: '/o/', settings: DEFAULT_SHOT_SETTINGS },
      { onProgress: (p) => progress.push(p.frame) },
    );
    expect(survey).toEqual({ sourceAge: '40-49', faces: { '7': { x: 1, y: 2, width: 3, height: 4 } }, frames: 2 });
    expect(progress).toEqual([7, 8]);
  });

  it("streams a progressive preview's pictures, only when asked, and rejects a malformed one", async () => {
    // the second picture is corrupted on the way: the client must drop it, not pass it on
    const { transport, channel } = pipe((m) =>
      m.type === 'previewStage' && m.stage.stage === 'refining' ? { ...m, stage: { ...m.stage, updates: -1 } } : m,
    );
    void serveEngine(channel, () => stubEngine(), { log: () => {} });
    const log = capture();
    const client = new EngineClient({ launch: () => transport, log });
    const stages: number[] = [];
    const preview = await client.preview('/a.1.png', 1, DEFAULT_SHOT_SETTINGS, undefined, (s) =>
      stages.push(s.afterPng[0]!),
    );
    expect([...preview.afterPng]).toEqual([2]);
    expect(stages).toEqual([0]);
    expect(log.lines.filter((l) => l.startsWith('rejected a message from the engine worker'))).toHaveLength(1);
    // without a listener the worker is not asked for them
    await client.preview('/a.1.png', 1, DEFAULT_SHOT_SETTINGS);
    expect(log.lines).toHaveLength(1);
  });

  it('cancels a request through its AbortSignal', async () => {
    const { transport, channel } = pipe();
    void serveEngine(channel, () => stubEngine(true), { log: () => {} });
    const client = new EngineClient({ launch: () => transport });
    const controller = new AbortController();
    const pending = client.preview('/a.1.png', 1, DEFAULT_SHOT_SETTINGS, controller.signal);
    setTimeout(() => controller.abort(), 10);
    await expect(pending).rejects.toMatchObject({ code: 'cancelled' });
  });

  it('the worker rejects and logs malformed requests, and keeps serving', async () => {
    const { transport, channel } = pipe();
    const logged: string[] = [];
    void serveEngine(channel, () => stubEngine(), { log: (l) => logged.push(l) });
    const client = new EngineClient({ launch: () => transport });
    await client.start();
    channel.inject({ type: 'preview', id: 'x', file: 42 });
    channel.inject({ type: 'shutdown' });
    await new Promise((r) => setTimeout(r, 10));
    expect(logged.filter((l) => l.startsWith('rejected a request'))).toHaveLength(2);
    expect((await client.preview('/a.1.png', 1, DEFAULT_SHOT_SETTINGS)).frame).toBe(1);
  });

  it('the client rejects and logs malformed worker messages', async () => {
    // the worker's preview reply is corrupted on the way: the client must not accept it
    const { transport, channel, injectToClient } = pipe((m) =>
      m.type === 'previewResult' ? { ...m, result: { ...m.result, width: 'wide' } } : m,
    );
    void serveEngine(channel, () => stubEngine(), { log: () => {} });
    const log = capture();
    const client = new EngineClient({ launch: () => transport, log });
    await client.start();
    injectToClient({ type: 'ready', info: { backend: 'abacus' } });
    const pending = client.preview('/a.1.png', 1, DEFAULT_SHOT_SETTINGS);
    const outcome = await Promise.race([
      pending.then(() => 'resolved'),
      new Promise((r) => setTimeout(() => r('still waiting'), 50)),
    ]);
    expect(outcome).toBe('still waiting');
    expect(log.lines.filter((l) => l.startsWith('rejected a message from the engine worker'))).toHaveLength(2);
    client.dispose();
    await expect(pending).rejects.toMatchObject({ code: 'engine-unavailable' });
  });

  it('reports an engine that cannot start with its reason', async () => {
    const { transport, channel } = pipe();
    void serveEngine(
      channel,
      () => {
        throw new Error('no model in models/default');
      },
      { log: () => {} },
    );
    const client = new EngineClient({ launch: () => transport });
    await expect(client.start()).rejects.toThrow('no model in models/default');
    expect(client.status()).toMatchObject({ state: 'failed', message: 'no model in models/default' });
  });
});
