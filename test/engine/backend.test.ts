import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type * as BackendModuleNs from '../../src/main/engine/backend.js';

// backend.ts keeps per-process state (idempotent init), so each case loads a fresh copy
// of the module. tf itself is one instance across them, as in the app.
type BackendModule = typeof BackendModuleNs;
async function freshBackend(): Promise<BackendModule> {
  vi.resetModules();
  return import('../../src/main/engine/backend.js');
}

const savedEnv = process.env.REAGE_BACKEND;
afterEach(() => {
  if (savedEnv === undefined) delete process.env.REAGE_BACKEND;
  else process.env.REAGE_BACKEND = savedEnv;
});

describe('initBackend', () => {
  it('auto falls through the missing native bindings to wasm and says why', async () => {
    delete process.env.REAGE_BACKEND;
    const b = await freshBackend();
    const info = await b.initBackend();
    // On this machine the native packages are not installed (their libtensorflow
    // download fails offline); on a machine with them this case reports 'tensorflow*'.
    expect(['tensorflow-gpu', 'tensorflow', 'wasm']).toContain(info.name);
    if (info.name === 'wasm') {
      expect(info.tried.map((t) => t.name)).toEqual(['tensorflow-gpu', 'tensorflow']);
      expect(info.tried[0]!.error).toMatch(/@tensorflow\/tfjs-node-gpu/);
      expect(info.tried[1]!.error).toMatch(/@tensorflow\/tfjs-node\b/);
      expect(info.simd).toBe(true);
      expect(info.threads).toBeGreaterThanOrEqual(1);
    }
    expect(tf.getBackend()).toBe(info.name === 'wasm' ? 'wasm' : 'tensorflow');
    expect(b.activeBackend()).toBe(info.name);
    // idempotent: the very same info, nothing re-initialised
    expect(await b.initBackend()).toBe(info);
    expect(await b.initBackend('auto')).toBe(info);
    console.info(`backend: ${JSON.stringify(info)}`);
  });

  it('refuses to switch once initialised', async () => {
    const b = await freshBackend();
    const info = await b.initBackend('wasm');
    const other = info.name === 'cpu' ? 'wasm' : 'cpu';
    await expect(b.initBackend(other)).rejects.toThrow(/already initialised as 'wasm'/);
  });

  it('a forced backend that cannot start throws, naming it and why', async () => {
    const b = await freshBackend();
    let err: Error | undefined;
    try {
      await b.initBackend('tensorflow');
    } catch (e) {
      err = e as Error;
    }
    // Only meaningful where the native bindings are absent (this machine).
    if (err) {
      expect(err.message).toMatch(/backend 'tensorflow' is not available/);
      expect(err.message).toMatch(/tfjs-node-gpu is not usable/);
      expect(err.message).toMatch(/tfjs-node is not usable/);
      expect(() => b.activeBackend()).toThrow(/has not completed/);
    }
  });

  it('REAGE_BACKEND selects the backend; bad values are rejected', async () => {
    process.env.REAGE_BACKEND = 'nonsense';
    await expect((await freshBackend()).initBackend()).rejects.toThrow(
      /unknown backend 'nonsense'.*auto, tensorflow, wasm, cpu/,
    );
    process.env.REAGE_BACKEND = 'cpu';
    const b = await freshBackend();
    const info = await b.initBackend();
    expect(info).toEqual({ name: 'cpu', tried: [] });
    expect(tf.getBackend()).toBe('cpu');
    // put the process back on wasm for any later case
    delete process.env.REAGE_BACKEND;
    await tf.setBackend('wasm');
  });

  it('finds the wasm binaries through module resolution, not a fixed path', async () => {
    const b = await freshBackend();
    const dir = b.wasmBinaryDir();
    for (const f of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm']) {
      expect(existsSync(join(dir, f))).toBe(true);
    }
  });
});
