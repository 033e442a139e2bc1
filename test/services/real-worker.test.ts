// The real engine worker (src/main/worker/engine-worker.ts) in a forked Node child,
// driven by the real EngineClient and JobQueue, with a small random model: what the
// engine actually sends (backend details, PNG bytes, landmarks, mask outline, frame
// reports with stage timings) must pass the protocol's schemas on arrival, and a shot
// cancelled mid-way must keep the frames it finished. The fake worker
// (fixtures/fake-engine-worker.ts) covers the queue's crash and priority logic fast;
// this covers the payloads.
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/main/engine/backend.js';
import { EngineClient } from '../../src/main/services/engine-client.js';
import { JobQueue } from '../../src/main/services/job-queue.js';
import { DEFAULT_PRE_ROLL, splitForWorkers } from '../../src/shared/plan.js';
import type { Logger } from '../../src/main/services/log.js';
import { forkWorker } from '../../src/main/services/worker-transport.js';
import { parseWorkerMessage, type AgeSettingsMessage, type JobSnapshot } from '../../src/shared/ipc.js';
import sharp from 'sharp';
import { buildRandomModel } from '../helpers/random-model.js';

const ROOT = resolve(import.meta.dirname, '../..');
const AKIYO = resolve(ROOT, '../shared/footage/akiyo');
const WORKER = join(ROOT, 'src/main/worker/engine-worker.ts');
const settings: AgeSettingsMessage = {
  targetAge: '60+',
  sourceAge: '19-29',
  mode: 'pixel',
  detail: true,
  strength: 1.5,
  texture: 0,
  composite: 'replace',
  steps: 3,
  seed: 0,
};

const rejected: string[] = [];
const log: Logger = {
  info: () => {},
  warn: (line) => rejected.push(line),
  error: (line) => rejected.push(line),
};

let modelDir: string;
let work: string;
let client: EngineClient;

beforeAll(async () => {
  await initBackend('cpu'); // only to initialise the random weights in this process
  modelDir = await buildRandomModel(8);
  work = await mkdtemp(join(tmpdir(), 'reage-real-worker-'));
  client = new EngineClient({
    launch: () => forkWorker({ script: WORKER, args: ['--backend=wasm', `--model=${modelDir}`] }),
    log,
  });
}, 120_000);

afterAll(async () => {
  client?.dispose();
  if (modelDir) await rm(join(modelDir, '..'), { recursive: true, force: true });
  if (work) await rm(work, { recursive: true, force: true });
});

describe.skipIf(!existsSync(AKIYO))('the real engine worker', () => {
  it('starts and reports its backend, with details, and the untrained model', async () => {
    const info = await client.start();
    expect(info.backend).toBe('wasm');
    expect(info.backendDetails).toMatchObject({ name: 'wasm', tried: [] });
    expect(typeof info.backendDetails?.simd).toBe('boolean');
    expect(info.model).toMatchObject({ name: 'random-test', trained: false, imageSize: 64 });
    expect(client.status()).toMatchObject({ state: 'ready', info: { backend: 'wasm' } });
  });

  it('renders a preview whose payload passes the schema: PNG bytes, face, mask outline, source age', async () => {
    const result = await client.preview(join(AKIYO, 'akiyo.1001.png'), 1001, settings);
    for (const png of [result.beforePng, result.afterPng]) {
      expect(png).toBeInstanceOf(Uint8Array);
      expect([...png.subarray(1, 4)]).toEqual([0x50, 0x4e, 0x47]); // "PNG"
    }
    expect(Buffer.from(result.afterPng).equals(Buffer.from(result.beforePng))).toBe(false);
    expect({ width: result.width, height: result.height }).toEqual({ width: 352, height: 288 });
    expect(result.face?.landmarks).toHaveLength(68);
    expect(result.maskOutline!.length).toBeGreaterThan(10);
    expect(result.sourceAge).toBe('19-29');
    expect(result.losses!.length).toBe(settings.steps + 1);
    // the same message re-checked as it would arrive over the WebSocket
    expect(parseWorkerMessage({ type: 'previewResult', id: 'x', result }).ok).toBe(true);
    expect(rejected).toEqual([]);
  }, 120_000);

  it('streams frame reports with stage timings, and a cancel keeps the frames already finished', async () => {
    const out = join(work, 'aged') + '/';
    const frames: number[] = [];
    const stages: string[][] = [];
    const controller = new AbortController();
    const shot = client.ageShot(
      { input: join(AKIYO, 'akiyo.####.png'), frames: '1001-1010', out, settings, bitDepth: 8 },
      {
        signal: controller.signal,
        onFrame: (report) => {
          frames.push(report.frame);
          stages.push(Object.keys(report.stages ?? {}));
          if (frames.length === 2) controller.abort();
        },
      },
    );
    await expect(shot).rejects.toMatchObject({ code: 'cancelled' });
    expect(frames.slice(0, 2)).toEqual([1001, 1002]);
    expect(stages[0]).toEqual(expect.arrayContaining(['read', 'detect', 'optimise', 'composite', 'write']));
    const written = (await readdir(out)).filter((f) => f.endsWith('.png')).sort();
    expect(written).toEqual(frames.map((f) => `akiyo.${f}.png`));
    expect(written.length).toBeLessThan(10);
    expect(rejected).toEqual([]);
  }, 180_000);

  it('exports a shot on two real engines: every frame written once, the parts joining as one render does', async () => {
    const launch = () => forkWorker({ script: WORKER, args: ['--backend=wasm', `--model=${modelDir}`] });
    const frames = Array.from({ length: 8 }, (_, i) => 1001 + i);
    const snapshots: JobSnapshot[] = [];
    const exportOn = async (workers: number, label: string) => {
      const own = new EngineClient({ launch, log });
      const extras: EngineClient[] = [];
      const queue = new JobQueue(own, {
        notifyIntervalMs: 0,
        exportWorkers: () => workers,
        launchEngine: () => {
          const extra = new EngineClient({ launch, log });
          extras.push(extra);
          return extra;
        },
      });
      const last = new Map<string, JobSnapshot>();
      queue.onJob((snap) => {
        last.set(snap.id, snap);
        snapshots.push(snap);
      });
      const out = join(work, label);
      const id = queue.enqueueExport({
        shots: [
          {
            shotId: label,
            name: label,
            input: join(AKIYO, 'akiyo.####.png'),
            frames,
            out: join(out, 'akiyo_aged.####.png'),
            settings: { ...settings, detail: false },
            bitDepth: 'source',
          },
        ],
        skipExisting: false,
      });
      try {
        for (;;) {
          const snap = last.get(id);
          if (snap && ['completed', 'failed', 'cancelled'].includes(snap.status)) {
            expect(snap.status, JSON.stringify(snap.shots)).toBe('completed');
            break;
          }
          await new Promise((r) => setTimeout(r, 100));
        }
      } finally {
        queue.dispose();
        own.dispose();
        for (const extra of extras) extra.dispose();
      }
      expect(extras).toHaveLength(workers - 1);
      return out;
    };
    const single = await exportOn(1, 'one-engine');
    const split = await exportOn(2, 'two-engines');
    expect((await readdir(split)).filter((f) => f.endsWith('.png')).sort()).toEqual(
      frames.map((f) => `akiyo_aged.${f}.png`),
    );
    // the first part is the single render's own chain, bit for bit; the second starts warm
    // from its pre-roll (a cold restart there differs: test/engine/shot.test.ts)
    const maxDifference = async (name: string) => {
      const [a, b] = await Promise.all([join(single, name), join(split, name)].map((f) => sharp(f).raw().toBuffer()));
      let max = 0;
      for (let i = 0; i < a!.length; i++) max = Math.max(max, Math.abs(a![i]! - b![i]!));
      return max;
    };
    const [first, second] = splitForWorkers(frames, 2, DEFAULT_PRE_ROLL);
    expect(second?.length).toBeGreaterThan(0);
    for (const f of first!) expect(await maxDifference(`akiyo_aged.${f}.png`), `frame ${f}`).toBe(0);
    expect(rejected).toEqual([]);
  }, 300_000);
});
