// Issue #20's findings 2 and 3, re-run through the studio backend as a token
// holder would send them: every path a request names must lie inside the allowed
// roots by its real path (symlinks cannot lead out), errors never quote a file's
// contents, and project files are bounded before anything is expanded.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_SHOT_SETTINGS, PROJECT_LIMITS, clipFromSequence, emptyProject } from '../../src/shared/project.js';
import { detectSequences, type NumberedSequence } from '../../src/shared/sequence.js';
import type { StudioReply } from '../../src/shared/ipc.js';
import { AllowedRoots } from '../../src/main/services/allowed-roots.js';
import { StudioBackend } from '../../src/main/services/studio-backend.js';

const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
const SECRET = 'root:$6$not-really-a-hash:19000:0:99999:7:::';

let dir: string;
let root: string;
let outside: string;
let backend: StudioBackend;
let picks: (string | null)[];

async function call(method: string, params: unknown): Promise<StudioReply> {
  return backend.handle({ method, params });
}

async function refused(method: string, params: unknown, code = 'forbidden'): Promise<string> {
  const reply = await call(method, params);
  expect(reply.ok, `${method} ${JSON.stringify(params)} was allowed`).toBe(false);
  if (reply.ok) return '';
  expect(reply.error.code).toBe(code);
  expect(reply.error.message).not.toContain('not-really-a-hash');
  return reply.error.message;
}

function plates(folder: string, frames: number[]): NumberedSequence {
  mkdirSync(folder, { recursive: true });
  const names = frames.map((f) => `shot.${f}.png`);
  for (const name of names) writeFileSync(join(folder, name), PNG);
  return detectSequences(names)[0] as NumberedSequence;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'reage-roots-'));
  root = join(dir, 'work');
  outside = join(dir, 'elsewhere');
  mkdirSync(root);
  mkdirSync(outside);
  writeFileSync(join(outside, 'shadow'), SECRET);
  writeFileSync(join(outside, 'real.png'), PNG);
  picks = [];
  backend = new StudioBackend({
    launchWorker: () => {
      throw new Error('these tests never reach the engine');
    },
    dataDir: join(dir, 'data'),
    roots: new AllowedRoots([root], { rememberIn: join(dir, 'data', 'allowed-roots.json') }),
    pick: async () => picks.shift() ?? null,
  });
});

afterEach(() => {
  backend.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('allowed roots', () => {
  it('lists and reads inside the roots only', async () => {
    writeFileSync(join(root, 'a.png'), PNG);
    expect((await call('fs.listFolder', { path: root })).ok).toBe(true);
    expect((await call('fs.readImage', { path: join(root, 'a.png') })).ok).toBe(true);
    for (const path of ['/', '/etc', outside, dir, join(root, '..')]) await refused('fs.listFolder', { path });
    await refused('fs.readImage', { path: join(outside, 'real.png') });
  });

  it('follows no symlink out of a root: a link named x.png to a secret is refused without its contents', async () => {
    symlinkSync(join(outside, 'shadow'), join(root, 'x.png'));
    symlinkSync(outside, join(root, 'linked-folder'));
    await refused('fs.readImage', { path: join(root, 'x.png') });
    await refused('fs.listFolder', { path: join(root, 'linked-folder') });
    await refused('project.open', { path: join(root, 'linked-folder', 'shadow') });
  });

  it('refuses a file inside a root that only carries an image name', async () => {
    writeFileSync(join(root, 'fake.png'), SECRET);
    const message = await refused('fs.readImage', { path: join(root, 'fake.png') }, 'invalid-request');
    expect(message).toContain('fake.png');
  });

  it('opens, saves and autosaves projects inside the roots only', async () => {
    await refused('project.open', { path: join(outside, 'shadow') });
    await refused('project.save', { path: join(outside, 'p.reage'), project: emptyProject() });
    await refused('project.autosave', { path: join(outside, 'p.reage'), project: emptyProject() });
    expect(existsSync(join(outside, 'p.reage'))).toBe(false);
    expect(existsSync(join(outside, 'p.reage.autosave'))).toBe(false);
    expect((await call('project.save', { path: join(root, 'p.reage'), project: emptyProject() })).ok).toBe(true);
    // untitled autosaves go to the data folder, which is always a root
    expect((await call('project.autosave', { path: null, project: emptyProject() })).ok).toBe(true);
  });

  it('never quotes a file that is not a project in its error', async () => {
    writeFileSync(join(root, 'notes.reage'), SECRET);
    const message = await refused('project.open', { path: join(root, 'notes.reage') }, 'invalid-request');
    expect(message).toMatch(/not valid JSON/);
    expect(message).not.toContain('root:');
  });

  it('renders and exports only from and to folders inside the roots, and only image files', async () => {
    const settings = DEFAULT_SHOT_SETTINGS;
    await refused('preview.render', { file: join(outside, 'real.png'), frame: 1, settings });
    const shot = (input: string, out: string) => ({
      shots: [{ shotId: 's', name: 's', input, frames: [1001], out, settings, bitDepth: 'source' }],
      skipExisting: false,
    });
    await refused('export.start', shot(join(outside, 'shot.####.png'), join(root, 'out', 'o.####.png')));
    await refused('export.start', shot(join(root, 'shot.####.png'), join(outside, 'o.####.png')));
    await refused(
      'export.start',
      shot(join(root, 'shot.####.png'), join(root, 'new', 'deeper', '..', '..', '..', 'elsewhere', 'o.####.png')),
    );
    const message = await refused(
      'export.start',
      shot(join(root, 'shot.####.png'), join(dir, 'data', 'allowed-roots.####.json')),
      'invalid-request',
    );
    expect(message).toMatch(/must end in \.exr, \.dpx, \.png/);
  });

  it('treats media folders outside the roots as missing instead of listing them', async () => {
    const project = emptyProject('P');
    project.timeline.clips.push(clipFromSequence(outside, plates(join(outside, 'plates'), [1, 2])));
    project.timeline.clips[0]!.mediaReference.targetUrlBase = join(outside, 'plates');
    const reply = await call('project.checkMedia', { project, projectPath: null });
    expect(reply.ok && (reply.result as { media: { state: string }[] }).media[0]!.state).toBe('missing');
    await refused('project.relinkClip', { clip: project.timeline.clips[0], folder: join(outside, 'plates') });
  });

  it('grants what the user chose in a native dialog, remembered across launches', async () => {
    picks.push(outside);
    expect((await call('dialog.pick', { purpose: 'importFolder' })).ok).toBe(true);
    expect((await call('fs.listFolder', { path: outside })).ok).toBe(true);
    const remembered = JSON.parse(readFileSync(join(dir, 'data', 'allowed-roots.json'), 'utf8')) as string[];
    expect(remembered.some((r) => r.endsWith('elsewhere'))).toBe(true);
    const later = new AllowedRoots([], { rememberIn: join(dir, 'data', 'allowed-roots.json') });
    expect(await later.allows(join(outside, 'real.png'))).toBe(true);
    expect(await later.allows('/etc')).toBe(false);
  });
});

describe('bounded project files', () => {
  it('refuses a 642-byte project claiming a billion frames, at once', async () => {
    const project = emptyProject('Huge');
    const clip = clipFromSequence(root, plates(join(root, 'plates'), [1, 2]));
    clip.sourceRange = { start: 1, end: 1_000_000_000 };
    clip.mediaReference.availableRange = { start: 1, end: 1_000_000_000 };
    project.timeline.clips.push(clip);
    const file = join(root, 'huge.reage');
    writeFileSync(file, JSON.stringify(project));
    const started = performance.now();
    const message = await refused('project.open', { path: file }, 'invalid-request');
    expect(performance.now() - started).toBeLessThan(2000);
    expect(message).toMatch(/at most 1,000,000 frames/);
    // the same project arriving in a request is refused by the schema
    const reply = await call('project.checkMedia', { project, projectPath: null });
    expect(reply.ok).toBe(false);
  });

  it('refuses a project file larger than the limit before reading it', async () => {
    const file = join(root, 'big.reage');
    writeFileSync(file, Buffer.alloc(PROJECT_LIMITS.fileBytes + 1, 0x20));
    const message = await refused('project.open', { path: file }, 'invalid-request');
    expect(message).toMatch(/too large/);
  });

  it('names only the first few problems of a badly damaged file', async () => {
    const project = emptyProject('Bad');
    const clip = clipFromSequence(root, plates(join(root, 'plates'), [1, 2]));
    project.timeline.clips = Array.from({ length: 50 }, () => ({ ...clip, name: '' }));
    writeFileSync(join(root, 'bad.reage'), JSON.stringify(project));
    const message = await refused('project.open', { path: join(root, 'bad.reage') }, 'invalid-request');
    expect(message).toMatch(/and 45 more problems/);
  });
});
