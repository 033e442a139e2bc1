// Progressive previews through the real worker serving code, engine client, job queue
// and studio backend, with the fake engine (test/services/fixtures/fake-engine-worker.ts,
// a test double) in a forked worker: the pictures on the way to a preview reach the
// subscriber as validated 'preview' events before the reply, and a superseded
// preview's late pictures are dropped.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseStudioEvent, type PreviewStageMessage, type StudioEvent } from '../../src/shared/ipc.js';
import { DEFAULT_SHOT_SETTINGS } from '../../src/shared/project.js';
import { AllowedRoots } from '../../src/main/services/allowed-roots.js';
import { EngineClient } from '../../src/main/services/engine-client.js';
import { JobQueue } from '../../src/main/services/job-queue.js';
import { StudioBackend } from '../../src/main/services/studio-backend.js';
import { forkWorker } from '../../src/main/services/worker-transport.js';

const FAKE_WORKER = join(import.meta.dirname, 'fixtures', 'fake-engine-worker.ts');
const settings = { ...DEFAULT_SHOT_SETTINGS };
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

let dir: string;
const disposers: (() => void)[] = [];

function launch(env: Record<string, string>) {
  return () => forkWorker({ script: FAKE_WORKER, env: { ...process.env, ...env } });
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'reage-stages-'));
  for (const f of [1, 2]) writeFileSync(join(dir, `a.000${f}.png`), 'not read by the fake engine');
});

afterEach(() => {
  for (const dispose of disposers.splice(0)) dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('progressive previews through the studio backend', () => {
  function backend(env: Record<string, string> = {}) {
    const b = new StudioBackend({
      launchWorker: launch(env),
      dataDir: join(dir, 'data'),
      roots: new AllowedRoots([dir]),
    });
    disposers.push(() => b.dispose());
    const events: StudioEvent[] = [];
    b.onEvent((e) => {
      if (e.type !== 'preview') return;
      // what the renderer receives is validated there: these must pass
      expect(parseStudioEvent(structuredClone(e)).ok).toBe(true);
      events.push(e);
    });
    return { b, events };
  }

  it("sends a preview's pictures as events with its previewId, in order, before the reply", async () => {
    const { b, events } = backend({ FAKE_PREVIEW_MS: '150', FAKE_PREVIEW_STAGES: '3' });
    const file = join(dir, 'a.0001.png');
    const reply = await b.handle({
      method: 'preview.render',
      params: { file, frame: 1, settings, group: 'viewer', previewId: 'view-1' },
    });
    expect(reply.ok).toBe(true);
    expect(events).toHaveLength(3); // all before the reply
    expect(events.map((e) => e.type === 'preview' && [e.previewId, e.stage.stage, text(e.stage.afterPng)])).toEqual([
      ['view-1', 'encoder', `${file}|1|stage 0`],
      ['view-1', 'refining', `${file}|1|stage 1`],
      ['view-1', 'refining', `${file}|1|stage 2`],
    ]);
  });

  it('sends no pictures for a preview asked without a previewId', async () => {
    const { b, events } = backend({ FAKE_PREVIEW_MS: '60' });
    const reply = await b.handle({
      method: 'preview.render',
      params: { file: join(dir, 'a.0001.png'), frame: 1, settings, group: 'viewer' },
    });
    expect(reply.ok).toBe(true);
    expect(events).toEqual([]);
  });
});

describe('progressive previews through the job queue', () => {
  function queueWith(env: Record<string, string>) {
    const client = new EngineClient({ launch: launch(env) });
    const queue = new JobQueue(client);
    disposers.push(
      () => queue.dispose(),
      () => client.dispose(),
    );
    return queue;
  }

  it("drops a superseded preview's late pictures; the newer one's all arrive", async () => {
    // pictures in bursts of 10: the rest of a burst is on its way from the worker when the newer one supersedes
    const queue = queueWith({ FAKE_PREVIEW_MS: '300', FAKE_PREVIEW_STAGES: '100', FAKE_PREVIEW_BURST: '10' });
    const older: PreviewStageMessage[] = [];
    const newer: PreviewStageMessage[] = [];
    let replacing: Promise<unknown> | undefined;
    const first = queue.preview({
      file: '/p/a.0001.png',
      frame: 1,
      settings,
      group: 'viewer',
      onStage: (s) => {
        older.push(s);
        // superseded at once, from the 5th picture's delivery
        if (older.length === 5)
          replacing = queue.preview({
            file: '/p/a.0002.png',
            frame: 2,
            settings,
            group: 'viewer',
            onStage: (n) => newer.push(n),
          });
      },
    });
    await expect(first).rejects.toMatchObject({ code: 'superseded' });
    await replacing;
    expect(older).toHaveLength(5);
    expect(older.every((s) => s.frame === 1)).toBe(true);
    expect(newer).toHaveLength(100);
    expect(newer.every((s) => s.frame === 2)).toBe(true);
  });

  it("gives a preview's listener its pictures before the result", async () => {
    const queue = queueWith({ FAKE_PREVIEW_MS: '90', FAKE_PREVIEW_STAGES: '2' });
    const seen: PreviewStageMessage[] = [];
    const result = await queue.preview({ file: '/p/a.0001.png', frame: 1, settings, onStage: (s) => seen.push(s) });
    expect(result.frame).toBe(1);
    expect(seen.map((s) => [s.stage, s.updates, s.steps])).toEqual([
      ['encoder', 0, 2],
      ['refining', 1, 2],
    ]);
    // a preview without a listener is not progressive
    const plain = await queue.preview({ file: '/p/a.0002.png', frame: 2, settings });
    expect(plain.frame).toBe(2);
    expect(seen).toHaveLength(2);
  });
});
