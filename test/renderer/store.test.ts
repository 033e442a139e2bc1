// @vitest-environment jsdom
// The studio store: import, undo/redo, playhead stepping, preview cache, exports.
import { describe, expect, it, vi } from 'vitest';
import type { PreviewResultMessage } from '../../src/shared/ipc.js';
import { detectSequences, type NumberedSequence } from '../../src/shared/sequence.js';
import { createStudio } from '../../src/renderer/state/store.js';
import { currentPreviewTarget } from '../../src/renderer/state/preview-slice.js';
import { exportShots } from '../../src/renderer/state/jobs-slice.js';
import { BYTES, FakeError, fakeClient, type Handlers } from './fake-client.js';

function seq(names: string[]): NumberedSequence {
  return detectSequences(names)[0] as NumberedSequence;
}

const akiyo = seq(Array.from({ length: 6 }, (_, i) => `akiyo.${1001 + i}.png`).filter((n) => !n.includes('1004')));
const tos = seq(['tos.0001.png', 'tos.0002.png', 'tos.0003.png']);

function preview(params: { file: string; frame: number }): PreviewResultMessage {
  return {
    frame: params.frame,
    file: params.file,
    width: 4,
    height: 3,
    beforePng: BYTES,
    afterPng: BYTES,
    seconds: 0.5,
    sourceAge: '30-39',
  };
}

function studioWith(handlers: Handlers = {}) {
  let clock = 0;
  const client = fakeClient(handlers);
  const studio = createStudio(client, { now: () => (clock += 1000) });
  studio.store.getState().importSequences('/plates/akiyo', [akiyo]);
  studio.store.getState().importSequences('/plates/tos', [tos]);
  return { client, studio, state: () => studio.store.getState() };
}

describe('import', () => {
  it("takes the timeline's frame rate and each shot's start timecode from plates that record them", async () => {
    const exr = seq(['plate.1001.exr', 'plate.1002.exr']);
    const client = fakeClient({
      'plate.info': ({ path }: { path: string }) =>
        path.endsWith('.exr') ? { frameRate: 25, timecode: '10:00:00:00' } : {},
    });
    const studio = createStudio(client, { now: () => 0 });
    const state = () => studio.store.getState();
    state().importSequences('/plates/exr', [exr]);
    await vi.waitFor(() => expect(state().project.timeline.rate).toBe(25));
    expect(client.callsTo('plate.info')).toEqual([{ path: '/plates/exr/plate.1001.exr' }]);
    expect(state().project.timeline.clips[0]!.mediaReference.startTimecode).toBe('10:00:00:00');
    expect(state().notices.at(-1)?.text).toMatch(/Timeline set to 25 fps/);
    // later shots keep the timeline's rate; a PNG plate records nothing
    state().importSequences('/plates/tos', [tos]);
    await vi.waitFor(() => expect(client.callsTo('plate.info')).toHaveLength(2));
    expect(state().project.timeline.rate).toBe(25);
    expect(state().project.timeline.clips[1]!.mediaReference.startTimecode).toBeUndefined();
  });

  it('turns sequences into shots and reports gaps', () => {
    const { state } = studioWith();
    const clips = state().project.timeline.clips;
    expect(clips.map((c) => [c.name, c.sourceRange.start, c.sourceRange.end, c.mediaReference.missingFrames])).toEqual([
      ['akiyo', 1001, 1006, [1004]],
      ['tos', 1, 3, []],
    ]);
    expect(state().notices.map((n) => n.text)).toContain('akiyo.####.png: 1 frame missing: 1004');
    expect(state().project.name).toBe('akiyo');
    expect(state().dirty).toBe(true);
  });
});

describe('undo / redo of shot settings', () => {
  it('undoes and redoes, merging a burst of slider moves into one step', () => {
    const { state } = studioWith();
    const id = state().project.timeline.clips[0]!.id;
    // the import itself is an undo step too
    const imported = state().history.past.length;
    state().updateSettings(id, { mode: 'identity' });
    // the clock advances 1 s per call, beyond the merge window: each is its own step
    state().updateSettings(id, { targetAge: '50-59' }, 'targetAge');
    state().updateSettings(id, { targetAge: '40-49' }, 'targetAge');
    expect(state().history.past).toHaveLength(imported + 3);
    state().undo();
    expect(state().project.timeline.clips[0]!.settings.targetAge).toBe('50-59');
    state().undo();
    state().undo();
    expect(state().project.timeline.clips[0]!.settings).toMatchObject({ mode: 'pixel', targetAge: '60+' });
    state().redo();
    expect(state().project.timeline.clips[0]!.settings.mode).toBe('identity');
    // a new edit clears what could be redone
    state().updateSettings(id, { composite: 'replace' });
    expect(state().history.future).toHaveLength(0);
  });

  it('merges edits with the same key inside the window', () => {
    const client = fakeClient();
    let clock = 0;
    const studio = createStudio(client, { now: () => (clock += 100) });
    const state = () => studio.store.getState();
    state().importSequences('/p', [tos]);
    const id = state().project.timeline.clips[0]!.id;
    const imported = state().history.past.length;
    for (const age of ['50-59', '40-49', '30-39'] as const) state().updateSettings(id, { targetAge: age }, 'targetAge');
    expect(state().history.past).toHaveLength(imported + 1);
    state().undo();
    expect(state().project.timeline.clips[0]!.settings.targetAge).toBe('60+');
  });

  it('applies one shot’s settings to all in a single undo step', () => {
    const { state } = studioWith();
    const [a, b] = state().project.timeline.clips;
    state().updateSettings(a!.id, { targetAge: '0-18', steps: 300 });
    state().applySettingsToAll(a!.id);
    expect(state().project.timeline.clips[1]!.settings).toMatchObject({ targetAge: '0-18', steps: 300 });
    state().undo();
    expect(state().project.timeline.clips.find((c) => c.id === b!.id)!.settings.targetAge).toBe('60+');
  });
});

describe('undo of every edit that marks the project dirty', () => {
  it('undoes an import, an export-settings edit (typing merged) and a relink', () => {
    const client = fakeClient();
    let clock = 0;
    const studio = createStudio(client, { now: () => (clock += 100) });
    const state = () => studio.store.getState();
    state().importSequences('/p', [tos]);
    expect(state().project.timeline.clips).toHaveLength(1);
    for (const folder of ['/r', '/re', '/ren']) state().setExportSettings({ folder }, 'folder');
    expect(state().project.exportSettings.folder).toBe('/ren');
    const clip = state().project.timeline.clips[0]!;
    const moved = { ...clip, mediaReference: { ...clip.mediaReference, targetUrlBase: '/moved' } };
    state().replaceClip(moved);
    expect(state().project.timeline.clips[0]!.mediaReference.targetUrlBase).toBe('/moved');
    state().undo();
    expect(state().project.timeline.clips[0]!.mediaReference.targetUrlBase).toBe('/p');
    state().undo();
    expect(state().project.exportSettings.folder).toBe('');
    state().undo();
    expect(state().project.timeline.clips).toHaveLength(0);
    expect(state().selectedClipId).toBeNull();
    state().redo();
    expect(state().project.timeline.clips).toHaveLength(1);
    expect(state().selectedClipId).toBe(clip.id);
  });

  it('undoes a frame-rate change, which marks the project dirty', () => {
    const studio = createStudio(fakeClient(), { now: () => 0 });
    const state = () => studio.store.getState();
    expect(state().project.timeline.rate).toBe(24);
    state().setFrameRate(25);
    expect(state().project.timeline.rate).toBe(25);
    expect(state().dirty).toBe(true);
    state().setFrameRate(-1);
    expect(state().project.timeline.rate).toBe(25);
    state().undo();
    expect(state().project.timeline.rate).toBe(24);
    state().redo();
    expect(state().project.timeline.rate).toBe(25);
  });
});

describe('playhead', () => {
  it('steps over gaps and across shots, and stops at the ends', () => {
    const { state } = studioWith();
    const [a, b] = state().project.timeline.clips;
    state().setPlayhead(a!.id, 1003);
    state().stepFrames(1);
    expect(state().playhead).toEqual({ clipId: a!.id, frame: 1005 }); // 1004 is missing
    state().stepFrames(2);
    expect(state().playhead).toEqual({ clipId: b!.id, frame: 1 });
    state().stepFrames(100);
    expect(state().playhead).toEqual({ clipId: b!.id, frame: 3 });
    state().stepShots(-1);
    expect(state().playhead).toEqual({ clipId: a!.id, frame: 1001 });
    state().setPlayhead(a!.id, 1004);
    expect(state().playhead!.frame).not.toBe(1004);
    expect(state().selectedClipId).toBe(a!.id);
  });

  it('goes to the first / last frame of the shot under the playhead, or of the timeline', () => {
    const { state } = studioWith();
    const [a, b] = state().project.timeline.clips;
    state().setPlayhead(b!.id, 2);
    state().goToEdge('start', 'shot');
    expect(state().playhead).toEqual({ clipId: b!.id, frame: 1 });
    state().goToEdge('end', 'shot');
    expect(state().playhead).toEqual({ clipId: b!.id, frame: 3 });
    state().setPlayhead(a!.id, 1002);
    state().goToEdge('end', 'shot');
    expect(state().playhead).toEqual({ clipId: a!.id, frame: 1006 });
    state().goToEdge('end');
    expect(state().playhead).toEqual({ clipId: b!.id, frame: 3 });
  });

  it('shuttles with J / K / L: backwards, faster on a repeat, stopped; Space plays forwards at 1x', () => {
    const { state } = studioWith();
    state().goToEdge('start');
    state().shuttle(1);
    expect([state().playing, state().playRate]).toEqual([true, 1]);
    state().shuttle(1);
    state().shuttle(1);
    expect(state().playRate).toBe(4);
    state().shuttle(-1);
    expect([state().playing, state().playRate]).toEqual([true, -1]);
    state().shuttle(0);
    expect(state().playing).toBe(false);
    state().shuttle(-1);
    state().togglePlay(); // pause
    state().togglePlay();
    expect([state().playing, state().playRate]).toEqual([true, 1]);
  });
});

describe('previews', () => {
  it('renders the frame under the playhead and caches it per settings', async () => {
    const { client, state } = studioWith({ 'preview.render': preview });
    const id = state().project.timeline.clips[0]!.id;
    state().setPlayhead(id, 1002);
    await state().renderPreview();
    const first = currentPreviewTarget(state())!;
    expect(first.file).toBe('/plates/akiyo/akiyo.1002.png');
    expect(state().previews[first.key]).toMatchObject({ status: 'ready', width: 4 });
    expect(state().estimatedAges[id]).toBe('30-39');

    state().updateSettings(id, { mode: 'identity' });
    expect(state().previews[currentPreviewTarget(state())!.key]).toBeUndefined();
    await state().renderPreview();
    expect(client.callsTo('preview.render')).toHaveLength(2);

    // back to pixel-wise: already cached, no new render
    state().undo();
    expect(state().previews[currentPreviewTarget(state())!.key]?.status).toBe('ready');
    await state().renderPreview();
    expect(client.callsTo('preview.render')).toHaveLength(2);
    expect(client.callsTo('preview.render')[0]).toMatchObject({ group: 'viewer', frame: 1002 });
  });

  it("keeps a rendering preview's latest picture, drops a superseded one's, and caches only the final", async () => {
    const settle: ((outcome: 'superseded' | 'done') => void)[] = [];
    const { client, state } = studioWith({
      'preview.render': (params) =>
        new Promise((resolve, reject) => {
          settle.push((outcome) =>
            outcome === 'done' ? resolve(preview(params)) : reject(new FakeError('superseded', 'replaced')),
          );
        }),
    });
    state().goToEdge('start');
    const key = currentPreviewTarget(state())!.key;
    const rendering = state().renderPreview();
    const { previewId, file, frame } = client.callsTo('preview.render')[0] as {
      previewId: string;
      file: string;
      frame: number;
    };
    const stage = (name: 'encoder' | 'refining', updates: number) => ({
      stage: name,
      frame,
      file,
      width: 4,
      height: 3,
      afterPng: BYTES,
      beforePng: BYTES,
      updates,
      steps: 8,
      seconds: 0.1,
    });
    state().applyPreviewStage(previewId, stage('encoder', 0));
    expect(state().previews[key]).toMatchObject({ status: 'rendering', stage: { stage: 'encoder', updates: 0 } });
    state().applyPreviewStage(previewId, stage('refining', 2));
    expect(state().previews[key]).toMatchObject({ status: 'rendering', stage: { stage: 'refining', updates: 2 } });
    settle[0]!('superseded');
    await rendering;
    expect(state().previews[key]).toBeUndefined();
    // its late pictures find nothing to replace
    state().applyPreviewStage(previewId, stage('refining', 4));
    expect(state().previews).toEqual({});

    const again = state().renderPreview();
    const second = (client.callsTo('preview.render')[1] as { previewId: string }).previewId;
    expect(second).not.toBe(previewId);
    state().applyPreviewStage(previewId, stage('refining', 6)); // the old request's id
    expect(state().previews[key]).toMatchObject({ status: 'rendering' });
    expect(state().previews[key]).not.toHaveProperty('stage');
    state().applyPreviewStage(second, stage('encoder', 0));
    settle[1]!('done');
    await again;
    expect(state().previews[key]).toMatchObject({ status: 'ready', width: 4 });
    expect(state().previews[key]).not.toHaveProperty('stage');
  });

  it('forgets a superseded preview and keeps the error of a failed one', async () => {
    let fail: 'superseded' | 'failed' = 'superseded';
    const { state } = studioWith({
      'preview.render': () => {
        throw new FakeError(fail, fail === 'failed' ? 'no face found' : 'replaced');
      },
    });
    state().goToEdge('start');
    await state().renderPreview();
    const key = currentPreviewTarget(state())!.key;
    expect(state().previews[key]).toBeUndefined();
    fail = 'failed';
    await state().renderPreview();
    expect(state().previews[key]).toEqual({
      status: 'error',
      message: 'no face found',
      frame: currentPreviewTarget(state())!.frame,
      file: currentPreviewTarget(state())!.file,
    });
  });
});

describe('previews kept across reloads', () => {
  it('shows a frame’s preview from the disk cache without rendering, and asks once per frame and settings', async () => {
    const { client, state } = studioWith({
      'preview.cached': ({ file, frame }: { file: string; frame: number }) => ({
        result: frame === 1001 ? preview({ file, frame }) : null,
      }),
      'preview.render': (p: { file: string; frame: number }) => preview(p),
    });
    state().setPlayhead(state().project.timeline.clips[0]!.id, 1001);
    await state().showCachedPreview();
    const target = currentPreviewTarget(state())!;
    expect(state().previews[target.key]?.status).toBe('ready');
    expect(client.callsTo('preview.render')).toHaveLength(0);
    await state().showCachedPreview();
    expect(client.callsTo('preview.cached')).toHaveLength(1);
    // a frame with nothing cached stays without a preview until one is asked for
    state().stepFrames(1);
    await state().showCachedPreview();
    expect(state().previews[currentPreviewTarget(state())!.key]).toBeUndefined();
  });
});

describe('exports', () => {
  it('builds per-shot requests from the export settings and a frame range', () => {
    const { state } = studioWith();
    state().setExportSettings({ folder: '/renders', format: 'tiff', bitDepth: 16 });
    const [a] = state().project.timeline.clips;
    const shots = exportShots(state().project, [a!.id], '1001-1005');
    state().setExportSettings({ matte: true, delta: true });
    expect(exportShots(state().project, [a!.id], '1001')[0]).toMatchObject({
      matte: '/renders/matte/akiyo_reaged.####.exr',
      delta: '/renders/delta/akiyo_reaged.####.exr',
    });
    expect(shots).toEqual([
      {
        shotId: a!.id,
        name: 'akiyo',
        input: '/plates/akiyo/akiyo.####.png',
        frames: [1001, 1002, 1003, 1005],
        out: '/renders/akiyo_reaged.####.tif',
        settings: a!.settings,
        bitDepth: 16,
      },
    ]);
  });

  it('refuses to start without an output folder, with a notice', async () => {
    const { client, state } = studioWith({ 'export.start': () => ({ jobId: 'job-1' }) });
    const ids = state().project.timeline.clips.map((c) => c.id);
    expect(await state().startExport(ids, { skipExisting: false })).toBeNull();
    expect(state().notices.at(-1)!.text).toMatch(/output folder/);
    state().setExportSettings({ folder: '/renders' });
    expect(await state().startExport(ids, { skipExisting: true })).toBe('job-1');
    expect(client.callsTo('export.start')[0]).toMatchObject({ skipExisting: true });
  });
});

describe('engine status', () => {
  it('tells a failed start in full once, and a later crash as a stop', () => {
    const { state } = studioWith();
    const errors = () =>
      state()
        .notices.filter((n) => n.level === 'error')
        .map((n) => n.text);
    state().setEngine({ state: 'starting', restarts: 0 });
    state().setEngine({ state: 'failed', restarts: 0, message: 'model /m: manifest.json: is missing' });
    state().setEngine({ state: 'failed', restarts: 0, message: 'model /m: manifest.json: is missing' });
    expect(errors()).toEqual(['The engine could not start: model /m: manifest.json: is missing']);
    state().setEngine({ state: 'ready', restarts: 0 });
    state().setEngine({ state: 'failed', restarts: 0, message: 'the engine process was killed (SIGKILL)' });
    expect(errors().at(-1)).toBe('The engine stopped: the engine process was killed (SIGKILL)');
  });
});

describe('projects', () => {
  it('opens a project and reports moved and missing media with a relink action', async () => {
    const { state } = studioWith();
    const project = state().project;
    const [a, b] = project.timeline.clips;
    const client = fakeClient({
      'dialog.pick': () => ({ path: null, native: false }),
      'project.open': ({ path }) => ({
        path,
        project,
        media: [
          {
            clipId: a!.id,
            name: 'akiyo',
            state: 'relinked',
            folder: '/new/akiyo',
            movedFrom: '/plates/akiyo',
            missingFrames: [],
          },
          { clipId: b!.id, name: 'tos', state: 'missing', folder: '/plates/tos', missingFrames: [1, 2, 3] },
        ],
      }),
    });
    const fresh = createStudio(client);
    await fresh.store.getState().openProject('/jobs/show.reage');
    const notices = fresh.store.getState().notices;
    expect(notices.map((n) => n.level)).toEqual(['info', 'error']);
    expect(notices[0]!.text).toContain('frames moved');
    expect(notices[1]!.action?.label).toBe('Relink…');
    expect(fresh.store.getState()).toMatchObject({ projectPath: '/jobs/show.reage', dirty: false });
  });

  it('asks for a path with the in-app prompt when there is no native dialog, then saves', async () => {
    const { client, state } = studioWith({
      'dialog.pick': () => ({ path: null, native: false }),
      'project.save': ({ path, project }) => ({ path, project }),
    });
    const saving = state().saveProject();
    await new Promise((r) => setTimeout(r, 0));
    expect(state().prompt?.purpose).toBe('saveProject');
    state().prompt!.resolve('/jobs/akiyo.reage');
    expect(await saving).toBe(true);
    expect(client.callsTo('project.save')[0]).toMatchObject({ path: '/jobs/akiyo.reage' });
    expect(state()).toMatchObject({ projectPath: '/jobs/akiyo.reage', dirty: false });
  });
});
