// files.list, the in-app file browser's request (issue #22 item 5), through the studio
// backend as the browser host answers it: roots and parents, sequences collapsed to one
// entry, hidden files left out, and nothing outside the allowed roots listed or reachable.
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseStudioResult, type FilesListResult, type StudioReply } from '../../src/shared/ipc.js';
import { AllowedRoots } from '../../src/main/services/allowed-roots.js';
import { browseFolder } from '../../src/main/services/file-browser.js';
import { StudioBackend } from '../../src/main/services/studio-backend.js';

let dir: string;
let plates: string;
let renders: string;
let outside: string;
let data: string;
let backend: StudioBackend;

async function list(params: { dir?: string }): Promise<FilesListResult> {
  const reply = await backend.handle({ method: 'files.list', params });
  if (!reply.ok) throw new Error(`files.list ${JSON.stringify(params)} failed: ${reply.error.message}`);
  const parsed = parseStudioResult('files.list', reply.result);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
}

async function refused(params: { dir?: string }): Promise<Extract<StudioReply, { ok: false }>['error']> {
  const reply = await backend.handle({ method: 'files.list', params });
  expect(reply.ok, `files.list ${JSON.stringify(params)} was allowed`).toBe(false);
  if (reply.ok) throw new Error('unreachable');
  return reply.error;
}

const names = (result: FilesListResult) => result.entries.map((e) => e.name);

beforeEach(() => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'reage-files-')));
  plates = join(dir, 'plates');
  renders = join(dir, 'renders');
  outside = join(dir, 'elsewhere');
  data = join(dir, 'data');
  for (const d of [
    plates,
    renders,
    outside,
    data,
    join(plates, 'akiyo'),
    join(plates, 'b_roll'),
    join(plates, '.cache'),
  ])
    mkdirSync(d, { recursive: true });
  for (let f = 1001; f <= 1012; f++) if (f !== 1004) writeFileSync(join(plates, 'akiyo', `akiyo.${f}.png`), 'png');
  writeFileSync(join(plates, 'akiyo', 'notes.txt'), 'hello');
  writeFileSync(join(plates, 'akiyo', 'still.0001.png'), 'one numbered frame alone');
  writeFileSync(join(plates, 'akiyo', '.akiyo.1013.png.tmp'), 'being written');
  writeFileSync(join(plates, 'akiyo', '.hidden'), '');
  writeFileSync(join(plates, 'shot_2.reage'), '{}');
  writeFileSync(join(plates, 'shot_10.reage'), '{}');
  writeFileSync(join(outside, 'secret.txt'), 'secret');
  backend = new StudioBackend({
    launchWorker: () => {
      throw new Error('these tests never reach the engine');
    },
    dataDir: data,
    roots: new AllowedRoots([plates, renders]),
  });
});

afterEach(() => {
  backend.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('files.list', () => {
  it('starts at the first root, lists the roots in order (data folder last), with no parent at a root', async () => {
    const top = await list({});
    expect(top.dir).toBe(plates);
    expect(top.parent).toBeNull();
    expect(top.roots).toEqual([plates, renders, data]);
    // folders first, then files by name with numbers in order; .cache is hidden
    expect(names(top)).toEqual(['akiyo', 'b_roll', 'shot_2.reage', 'shot_10.reage']);
    expect(top.entries.map((e) => e.kind)).toEqual(['folder', 'folder', 'file', 'file']);
    expect(top.entries[2]).toMatchObject({ path: join(plates, 'shot_2.reage'), size: 2 });
    expect(top.entries[2]!.modifiedAt).toBeGreaterThan(0);
    expect(top.truncated).toBeUndefined();
    expect((await list({ dir: renders })).parent).toBeNull();
  });

  it('collapses a numbered sequence into one entry with its frames; hidden files are left out', async () => {
    const akiyo = await list({ dir: join(plates, 'akiyo') });
    expect(akiyo.parent).toBe(plates);
    expect(akiyo.entries).toEqual([
      {
        name: 'akiyo.####.png',
        path: join(plates, 'akiyo', 'akiyo.####.png'),
        kind: 'sequence',
        frames: '1001–1012 · 11 frames · 1 frame missing: 1004',
        modifiedAt: expect.any(Number),
      },
      expect.objectContaining({ name: 'notes.txt', kind: 'file', size: 5 }),
      // a single numbered frame is a file, not a sequence of one
      expect.objectContaining({ name: 'still.0001.png', kind: 'file' }),
    ]);
  });

  it('refuses a folder outside the roots, a root’s parent and a relative path, as reads are refused', async () => {
    for (const path of [outside, dir, join(plates, '..'), '/', '/etc']) {
      const error = await refused({ dir: path });
      expect(error.code).toBe('forbidden');
      expect(error.message).toContain('outside the folders this studio may use');
    }
    expect((await refused({ dir: 'plates' })).code).toBe('invalid-request');
    expect((await refused({ dir: join(plates, 'missing') })).code).toBe('not-found');
    expect((await refused({ dir: join(plates, 'shot_2.reage') })).code).toBe('invalid-request');
  });

  it('follows no symlink out of the roots: such links are not listed, and are refused when named', async () => {
    symlinkSync(outside, join(plates, 'linked-out'));
    symlinkSync(join(outside, 'secret.txt'), join(plates, 'secret.txt'));
    symlinkSync(join(plates, 'akiyo'), join(renders, 'akiyo-link'));
    symlinkSync(join(dir, 'nowhere'), join(plates, 'dangling'));
    const top = await list({ dir: plates });
    expect(names(top)).not.toContain('linked-out');
    expect(names(top)).not.toContain('secret.txt');
    expect(names(top)).not.toContain('dangling');
    const error = await refused({ dir: join(plates, 'linked-out') });
    expect(error.code).toBe('forbidden');
    expect(error.message).not.toContain('secret');
    // a link that stays inside the roots is a folder like any other, listed at its real path
    const linked = await list({ dir: renders });
    expect(linked.entries).toEqual([expect.objectContaining({ name: 'akiyo-link', kind: 'folder' })]);
    const through = await list({ dir: join(renders, 'akiyo-link') });
    expect(through.dir).toBe(join(plates, 'akiyo'));
    expect(names(through)[0]).toBe('akiyo.####.png');
  });

  it('caps what it returns and says so', async () => {
    const many = join(renders, 'many');
    mkdirSync(many);
    for (let i = 0; i < 30; i++) writeFileSync(join(many, `file_${String.fromCharCode(97 + (i % 26))}${i}.txt`), '');
    const capped = await browseFolder(many, { allows: async () => true, limit: 10 });
    expect(capped.entries).toHaveLength(10);
    expect(capped.truncated).toBe(true);
    const scanned = await browseFolder(many, { allows: async () => true, scanLimit: 5 });
    expect(scanned.entries).toHaveLength(5);
    expect(scanned.truncated).toBe(true);
    expect((await list({ dir: many })).entries).toHaveLength(30);
  });

  it('starts at the next root when the first cannot be listed', async () => {
    rmSync(plates, { recursive: true });
    const top = await list({});
    expect(top.dir).toBe(renders);
  });
});
