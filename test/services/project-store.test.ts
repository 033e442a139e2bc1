// Project files: atomic save, open with migration, recent list, autosave, and
// finding shots' frames again after they moved.
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_SHOT_SETTINGS,
  PROJECT_FORMAT,
  ProjectFileError,
  clipFromSequence,
  emptyProject,
  migrateProject,
  upgradeProject,
  outputPattern,
  passPattern,
  shotSettingsSchema,
  type Project,
} from '../../src/shared/project.js';
import { TEXTURE_LIMITS } from '../../src/shared/ages.js';
import { detectSequences, type NumberedSequence } from '../../src/shared/sequence.js';
import { ProjectStore } from '../../src/main/services/project-store.js';

let dir: string;
let store: ProjectStore;

function plates(folder: string, frames: number[]): NumberedSequence {
  mkdirSync(folder, { recursive: true });
  const names = frames.map((f) => `shot.${f}.png`);
  for (const name of names) writeFileSync(join(folder, name), 'x');
  return detectSequences(names)[0] as NumberedSequence;
}

function projectWith(folder: string, frames: number[]): Project {
  const project = emptyProject('Test');
  return { ...project, timeline: { ...project.timeline, clips: [clipFromSequence(folder, plates(folder, frames))] } };
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'reage-store-'));
  store = new ProjectStore({ dataDir: join(dir, 'data') });
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('ProjectStore', () => {
  it('saves atomically (no temp files left) and opens what it saved', async () => {
    const project = projectWith(join(dir, 'plates'), [1001, 1002, 1003]);
    const { path } = await store.save(join(dir, 'job'), project);
    expect(path).toBe(join(dir, 'job.reage'));
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    const opened = await store.open(path);
    expect(opened.project.timeline.clips[0]!.name).toBe('shot');
    expect(opened.project.timeline.clips[0]!.mediaReference.relativeUrlBase).toBe('plates');
    expect(opened.media).toEqual([
      {
        clipId: project.timeline.clips[0]!.id,
        name: 'shot',
        state: 'ok',
        folder: join(dir, 'plates'),
        missingFrames: [],
      },
    ]);
  });

  it('keeps the old file when a save fails', async () => {
    const path = join(dir, 'job.reage');
    await store.save(path, projectWith(join(dir, 'plates'), [1]));
    const before = readFileSync(path, 'utf8');
    await expect(store.save(join(dir, 'missing-folder', 'job.reage'), emptyProject())).rejects.toMatchObject({
      code: 'io',
    });
    expect(readFileSync(path, 'utf8')).toBe(before);
  });

  it('relinks shots whose frames moved together with the project, and reports it', async () => {
    const project = projectWith(join(dir, 'show', 'plates'), [1, 2, 3]);
    await store.save(join(dir, 'show', 'job.reage'), project);
    renameSync(join(dir, 'show'), join(dir, 'moved'));
    const opened = await store.open(join(dir, 'moved', 'job.reage'));
    const [check] = opened.media;
    expect(check).toMatchObject({
      state: 'relinked',
      folder: join(dir, 'moved', 'plates'),
      movedFrom: join(dir, 'show', 'plates'),
    });
    expect(opened.project.timeline.clips[0]!.mediaReference.targetUrlBase).toBe(join(dir, 'moved', 'plates'));
  });

  it('reports missing and partly missing frames, and relinks to a chosen folder', async () => {
    const project = projectWith(join(dir, 'plates'), [1, 2, 3, 4]);
    rmSync(join(dir, 'plates', 'shot.3.png'));
    const partial = await store.checkMedia(project, null);
    expect(partial.media[0]).toMatchObject({ state: 'partial', missingFrames: [3] });

    rmSync(join(dir, 'plates'), { recursive: true });
    const missing = await store.checkMedia(project, null);
    expect(missing.media[0]).toMatchObject({ state: 'missing', missingFrames: [1, 2, 3, 4] });

    plates(join(dir, 'elsewhere'), [1, 2, 3, 4]);
    const { clip, check } = await store.relinkClip(project.timeline.clips[0]!, join(dir, 'elsewhere'));
    expect(clip.mediaReference.targetUrlBase).toBe(join(dir, 'elsewhere'));
    expect(check).toMatchObject({ state: 'relinked', missingFrames: [] });
    await expect(store.relinkClip(project.timeline.clips[0]!, join(dir, 'data'))).rejects.toMatchObject({
      code: 'not-found',
    });
  });

  it('keeps a recent-projects list, newest first, flagging vanished files', async () => {
    await store.save(join(dir, 'a.reage'), emptyProject('A'));
    await store.save(join(dir, 'b.reage'), emptyProject('B'));
    await store.open(join(dir, 'a.reage'));
    rmSync(join(dir, 'b.reage'));
    const recent = await store.recent();
    expect(recent.map((r) => [r.name, r.exists])).toEqual([
      ['A', true],
      ['B', false],
    ]);
  });

  it('autosaves beside the project, and offers a newer autosave on open', async () => {
    const path = join(dir, 'job.reage');
    await store.save(path, emptyProject('Job'));
    await new Promise((r) => setTimeout(r, 20));
    const { path: autosave } = await store.autosave(path, { ...emptyProject('Job'), name: 'Job edited' });
    expect(autosave).toBe(path + '.autosave');
    expect((await store.open(path)).autosavePath).toBe(autosave);
    const untitled = await store.autosave(null, emptyProject('Untitled'));
    expect(existsSync(untitled.path)).toBe(true);
    expect(untitled.path.startsWith(join(dir, 'data'))).toBe(true);
  });

  it('lists untitled autosaves newest first, reopens one untitled and unremembered, and drops it once saved', async () => {
    expect(await store.untitledAutosaves()).toEqual([]);
    const older = await store.autosave(null, projectWith(join(dir, 'plates'), [1001, 1002]));
    await new Promise((r) => setTimeout(r, 20));
    const newer = await store.autosave(null, emptyProject('Second cut'));
    // a damaged file in the folder is not offered
    writeFileSync(join(dir, 'data', 'autosave', 'broken.reage'), '{ nope');
    const listed = await store.untitledAutosaves();
    expect(listed.map((a) => [a.path, a.name])).toEqual([
      [newer.path, 'Second cut'],
      [older.path, 'Test'],
    ]);
    expect(listed[0]!.modifiedMs).toBeGreaterThanOrEqual(listed[1]!.modifiedMs);

    const reopened = await store.reopenAutosave(older.path);
    expect(reopened.project.name).toBe('Test');
    expect(reopened.project.timeline.clips).toHaveLength(1);
    expect(reopened.media.map((m) => m.state)).toEqual(['ok']);
    expect((await store.recent()).map((r) => r.path)).not.toContain(older.path);
    // only the data folder's autosaves: not a project elsewhere, not the recent list
    const { path: saved } = await store.save(join(dir, 'elsewhere.reage'), emptyProject('Elsewhere'));
    await expect(store.reopenAutosave(saved)).rejects.toThrow(/not an untitled project's autosave/);
    await expect(store.reopenAutosave(join(dir, 'data', 'recent.json'))).rejects.toThrow(/not an untitled/);

    // saved under a name of its own, its untitled copy is no longer offered
    await store.save(join(dir, 'cut.reage'), emptyProject('Second cut'));
    expect(existsSync(newer.path)).toBe(false);
    expect((await store.untitledAutosaves()).map((a) => a.name)).toEqual(['Test']);
  });

  it('refuses files that are not projects, damaged or from a newer studio', async () => {
    const write = (name: string, text: string) => {
      writeFileSync(join(dir, name), text);
      return join(dir, name);
    };
    await expect(store.open(write('a.reage', '{ nope'))).rejects.toThrow(/not valid JSON/);
    await expect(store.open(write('b.reage', '{"format":"otio"}'))).rejects.toThrow(/not a ReAge Studio project/);
    await expect(store.open(write('c.reage', JSON.stringify({ format: PROJECT_FORMAT, version: 99 })))).rejects.toThrow(
      /newer ReAge Studio/,
    );
    await expect(store.open(join(dir, 'none.reage'))).rejects.toMatchObject({ code: 'not-found' });
  });
});

describe('project migrations', () => {
  it('runs the migration chain step by step up to the current version', () => {
    const steps: number[] = [];
    const chain = {
      1: (p: Record<string, unknown>) => (steps.push(1), { ...p, renamed: p.name }),
      2: (p: Record<string, unknown>) => (steps.push(2), { ...p, exportSettings: { folder: '' } }),
    };
    const upgraded = upgradeProject({ format: PROJECT_FORMAT, version: 1, name: 'Old' }, chain, 3);
    expect(steps).toEqual([1, 2]);
    expect(upgraded).toEqual({
      format: PROJECT_FORMAT,
      version: 3,
      name: 'Old',
      renamed: 'Old',
      exportSettings: { folder: '' },
    });
    expect(() => upgradeProject({ format: PROJECT_FORMAT, version: 1 }, {}, 2)).toThrow(ProjectFileError);
    // the current version needs no step and is validated as it is
    expect(migrateProject(JSON.parse(JSON.stringify(emptyProject('Now')))).name).toBe('Now');
  });

  it('reads shots saved before detail and strength existed as detail off, strength 1: the way they were aged', () => {
    const project = projectWith(join(dir, 'plates'), [1, 2]);
    const saved = JSON.parse(JSON.stringify(project)) as Project;
    expect(saved.timeline.clips[0]!.settings.detail).toBe(false); // new shots: off (the hybrid's default)
    saved.timeline.clips[0]!.settings.detail = true;
    const settings = saved.timeline.clips[0]!.settings as Partial<Project['timeline']['clips'][0]['settings']>;
    delete settings.detail;
    delete settings.strength;
    const read = migrateProject(saved).timeline.clips[0]!.settings;
    expect(read.detail).toBe(false);
    expect(read.strength).toBe(1);
  });

  it('reads shots saved before texture existed as texture 0 (Age-cGAN alone, as they were aged), and keeps a given one', () => {
    const project = projectWith(join(dir, 'plates'), [1, 2]);
    const copy = () => JSON.parse(JSON.stringify(project)) as Project;
    const older = copy();
    expect(older.timeline.clips[0]!.settings.texture).toBe(TEXTURE_LIMITS.default); // new shots: 1
    const settings = older.timeline.clips[0]!.settings as Partial<Project['timeline']['clips'][0]['settings']>;
    delete settings.texture;
    expect(migrateProject(older).timeline.clips[0]!.settings.texture).toBe(0);
    const given = copy();
    given.timeline.clips[0]!.settings.texture = 0.35;
    expect(migrateProject(given).timeline.clips[0]!.settings.texture).toBe(0.35);
    const shot = { ...DEFAULT_SHOT_SETTINGS };
    expect(shotSettingsSchema.safeParse({ ...shot, texture: TEXTURE_LIMITS.max + 0.5 }).success).toBe(false);
    expect(shotSettingsSchema.safeParse({ ...shot, texture: -0.1 }).success).toBe(false);
  });

  it('migrates a version-1 file to version 2, filling the settings it predates as those shots were aged', () => {
    const project = projectWith(join(dir, 'plates'), [1, 2]);
    const v1 = JSON.parse(JSON.stringify(project)) as Record<string, unknown> & Project;
    v1.version = 1 as Project['version'];
    const settings = v1.timeline.clips[0]!.settings as Partial<Project['timeline']['clips'][0]['settings']>;
    delete settings.detail;
    delete settings.strength;
    delete settings.texture;
    const read = migrateProject(v1);
    expect(read.version).toBe(2);
    expect(read.timeline.clips[0]!.settings).toMatchObject({ detail: false, strength: 1, texture: 0 });
  });

  it('refuses a file from a newer studio, saying so', () => {
    const newer = { ...JSON.parse(JSON.stringify(emptyProject('Future'))), version: 99 };
    expect(() => migrateProject(newer)).toThrow(
      /saved by a newer ReAge Studio \(file version 99, this one reads up to 2\)/,
    );
  });

  it('keeps keys it does not know, at every level, through open and save', async () => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- raw JSON, poked at by path
    type Json = Record<string, any>;
    const project = projectWith(join(dir, 'plates'), [1, 2]);
    const raw = JSON.parse(JSON.stringify(project)) as Json;
    raw.pipeline = { show: 'abc' };
    raw.timeline.markers = [1001];
    raw.timeline.clips[0].note = 'hero';
    raw.timeline.clips[0].settings.grain = 0.5;
    raw.timeline.clips[0].mediaReference.colorspace = 'ACEScg';
    raw.exportSettings.compression = 'zip';
    writeFileSync(join(dir, 'future.reage'), JSON.stringify(raw));
    const opened = await store.open(join(dir, 'future.reage'));
    const { path } = await store.save(join(dir, 'again.reage'), opened.project);
    const again = JSON.parse(readFileSync(path, 'utf8')) as Json;
    expect(again.pipeline).toEqual({ show: 'abc' });
    expect(again.timeline.markers).toEqual([1001]);
    expect(again.timeline.clips[0].note).toBe('hero');
    expect(again.timeline.clips[0].settings.grain).toBe(0.5);
    expect(again.timeline.clips[0].mediaReference.colorspace).toBe('ACEScg');
    expect(again.exportSettings.compression).toBe('zip');
  });

  it('builds export names from the naming pattern', () => {
    const clip = clipFromSequence(
      '/plates/akiyo',
      detectSequences(['akiyo.1001.png', 'akiyo.1002.png'])[0] as NumberedSequence,
    );
    const settings = {
      folder: '/renders',
      namingPattern: '{shot}_{age}.{frame}',
      format: 'source' as const,
      bitDepth: 'source' as const,
      matte: false,
      delta: false,
    };
    expect(outputPattern(clip, settings)).toBe('/renders/akiyo_60plus.####.png');
    expect(outputPattern(clip, { ...settings, format: 'exr' })).toBe('/renders/akiyo_60plus.####.exr');
    expect(passPattern('/renders/akiyo_60plus.####.png', 'matte')).toBe('/renders/matte/akiyo_60plus.####.exr');
    expect(passPattern('C:\\r\\a.####.tif', 'delta')).toBe('C:\\r\\delta\\a.####.exr');
    expect(outputPattern(clip, { ...settings, namingPattern: 'v2_####', format: 'tiff' })).toBe('/renders/v2_####.tif');
    expect(() => outputPattern(clip, { ...settings, namingPattern: '{shot}' })).toThrow(/frame number/);
    expect(() => outputPattern(clip, { ...settings, namingPattern: 'a/{frame}' })).toThrow(/without folders/);
  });
});
