/** Previews kept on disk across reloads (issue #22 item 5): found again only for the same plate, frame, settings and model. */
import { mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PreviewDiskCache } from '../../src/main/services/preview-cache.js';
import { DEFAULT_SHOT_SETTINGS } from '../../src/shared/project.js';
import type { PreviewResultMessage } from '../../src/shared/ipc.js';

let dir: string;
let plate: string;
const settings = { ...DEFAULT_SHOT_SETTINGS };

function result(bytes = 64): PreviewResultMessage {
  return {
    frame: 1001,
    file: plate,
    width: 4,
    height: 3,
    beforePng: new Uint8Array(bytes).fill(1),
    afterPng: new Uint8Array(bytes).fill(2),
    mattePng: new Uint8Array(bytes).fill(3),
    sourceAge: '30-39',
    losses: [0.5, 0.25],
    seconds: 2.5,
  };
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'reage-preview-cache-'));
  plate = join(dir, 'plate.1001.png');
  await writeFile(plate, 'a plate');
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('PreviewDiskCache', () => {
  it('gives back what was put, bytes included, for the same plate, frame, settings and model', async () => {
    const cache = new PreviewDiskCache(join(dir, 'cache'));
    const key = { file: plate, frame: 1001, settings, model: 'm1' };
    expect(await cache.get(key)).toBeUndefined();
    await cache.put(key, result());
    expect(await cache.get(key)).toEqual(result());
    // settings in another key order are the same settings
    const reordered = Object.fromEntries(Object.entries(settings).reverse()) as typeof settings;
    expect(await new PreviewDiskCache(join(dir, 'cache')).get({ ...key, settings: reordered })).toEqual(result());
  });

  it('misses for another frame, setting, model or a changed plate', async () => {
    const cache = new PreviewDiskCache(join(dir, 'cache'));
    const key = { file: plate, frame: 1001, settings, model: 'm1' };
    await cache.put(key, result());
    expect(await cache.get({ ...key, frame: 1002 })).toBeUndefined();
    expect(await cache.get({ ...key, settings: { ...settings, strength: 1.5 } })).toBeUndefined();
    expect(await cache.get({ ...key, model: 'm2' })).toBeUndefined();
    await utimes(plate, new Date(), new Date(Date.now() + 5000));
    expect(await cache.get(key)).toBeUndefined();
    expect(await cache.get({ ...key, file: join(dir, 'gone.png') })).toBeUndefined();
  });

  it('drops an entry that does not read back as a preview', async () => {
    const cache = new PreviewDiskCache(join(dir, 'cache'));
    const key = { file: plate, frame: 1001, settings, model: 'm1' };
    await cache.put(key, result());
    const [name] = await readdir(join(dir, 'cache'));
    await writeFile(join(dir, 'cache', name!), JSON.stringify({ frame: 'nope' }));
    expect(await cache.get(key)).toBeUndefined();
    expect(await readdir(join(dir, 'cache'))).toEqual([]);
  });

  it('keeps the folder under its size limit, the oldest going first', async () => {
    const cache = new PreviewDiskCache(join(dir, 'cache'), 6000);
    for (let frame = 1; frame <= 5; frame++) {
      await cache.put({ file: plate, frame, settings, model: 'm1' }, result(1000));
      // distinct write times, so "oldest" is well defined
      await new Promise((r) => setTimeout(r, 15));
    }
    expect((await readdir(join(dir, 'cache'))).length).toBeLessThan(5);
    expect(await cache.get({ file: plate, frame: 5, settings, model: 'm1' })).toBeDefined();
    expect(await cache.get({ file: plate, frame: 1, settings, model: 'm1' })).toBeUndefined();
  });
});
