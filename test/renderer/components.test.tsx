// @vitest-environment jsdom
// Components against the real store and a fake backend client.
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { EngineStatus, JobSnapshot } from '../../src/shared/ipc.js';
import type { KnownDefect } from '../../src/shared/known-defects.js';
import { DEFAULT_SHOT_SETTINGS } from '../../src/shared/project.js';
import { detectSequences, type NumberedSequence } from '../../src/shared/sequence.js';
import { App } from '../../src/renderer/components/App.js';
import { AgeSlider } from '../../src/renderer/components/AgeSlider.js';
import { createStudioClient } from '../../src/renderer/client/studio-client.js';
import { SHORTCUTS } from '../../src/renderer/lib/shortcuts.js';
import { StudioContext, connectEvents, createStudio, type Studio } from '../../src/renderer/state/store.js';
import { BYTES, FakeError, fakeClient, type Handlers } from './fake-client.js';

afterEach(cleanup);

const FRAMES = ['akiyo.1001.png', 'akiyo.1002.png', 'akiyo.1003.png', 'akiyo.1005.png', 'notes.txt'];

const handlers: Handlers = {
  'engine.status': () => ({
    state: 'ready',
    restarts: 0,
    info: {
      backend: 'wasm',
      model: {
        name: 'reage-utk64',
        version: '1.2.0',
        imageSize: 64,
        categories: [],
        path: '/m',
        trained: true,
        knownDefects: [],
      },
      versions: { app: '0.1.0', tfjs: '4.22.0', node: 'v20' },
    },
  }),
  'jobs.list': () => ({ jobs: [] }),
  'fs.listFolder': ({ path }) => ({
    path,
    entries: [...FRAMES.map((name) => ({ name, kind: 'file' as const })), { name: 'old', kind: 'folder' as const }],
  }),
  'fs.readImage': ({ path }) => ({ path, mime: 'image/png', bytes: BYTES }),
  'dialog.pick': () => ({ path: null, native: false }),
  'preview.render': ({ file, frame }) => ({
    frame,
    file,
    width: 352,
    height: 288,
    beforePng: BYTES,
    afterPng: BYTES,
    seconds: 2,
    sourceAge: '30-39',
    face: { box: { x: 10, y: 10, width: 50, height: 60 }, score: 0.9, landmarks: [] },
    maskOutline: [
      { x: 10, y: 10 },
      { x: 60, y: 10 },
      { x: 35, y: 70 },
    ],
  }),
  'export.cancel': () => ({}),
  'export.resume': () => ({}),
};

function renderApp(extra: Handlers = {}) {
  const client = fakeClient({ ...handlers, ...extra });
  const studio = createStudio(client);
  connectEvents(studio);
  render(
    <StudioContext.Provider value={studio}>
      <App />
    </StudioContext.Provider>,
  );
  return { client, studio, state: () => studio.store.getState() };
}

function renderAppWithPreview() {
  const app = renderApp();
  importAkiyo(app.studio);
  fireEvent.click(screen.getByTestId('render-preview'));
  return app;
}

function importAkiyo(studio: Studio) {
  const seq = detectSequences(FRAMES.slice(0, 4))[0] as NumberedSequence;
  act(() => studio.store.getState().importSequences('/plates/akiyo', [seq]));
}

describe('AgeSlider', () => {
  it('moves by arrow keys and label clicks across the six stops', () => {
    const changes: string[] = [];
    render(<AgeSlider value="30-39" onChange={(a) => changes.push(a)} />);
    const slider = screen.getByRole('slider', { name: 'Target age' });
    expect(slider.getAttribute('aria-valuetext')).toBe('30-39');
    fireEvent.keyDown(slider, { key: 'ArrowRight' });
    fireEvent.keyDown(slider, { key: 'ArrowLeft' });
    fireEvent.keyDown(slider, { key: 'End' });
    fireEvent.click(screen.getByRole('button', { name: 'Target age 0-18' }));
    expect(changes).toEqual(['40-49', '19-29', '60+', '0-18']);
  });
});

describe('the studio window', () => {
  it('shows the engine backend and model in the status bar', async () => {
    renderApp();
    await screen.findByText('wasm');
    expect(screen.getByTestId('model').textContent).toBe('reage-utk64 v1.2.0 · trained');
    expect(screen.getByTestId('engine-status').getAttribute('data-state')).toBe('ready');
  });

  it('names the backend’s details, why faster ones are unused, and an untrained model', async () => {
    renderApp({
      'engine.status': () => ({
        state: 'ready',
        restarts: 0,
        info: {
          backend: 'wasm',
          backendDetails: {
            name: 'wasm',
            simd: true,
            threads: 1,
            tried: [{ name: 'tensorflow-gpu', error: "Cannot find package '@tensorflow/tfjs-node-gpu'" }],
          },
          model: {
            name: 'random-test',
            version: '0.0.0',
            imageSize: 64,
            categories: [],
            path: '/tmp/m',
            trained: false,
            knownDefects: [],
          },
          versions: { app: '0.1.0', tfjs: '4.22.0', node: 'v20' },
        },
      }),
    });
    const backend = await screen.findByText('wasm · SIMD · 1 thread');
    expect(backend.getAttribute('title')).toContain("tensorflow-gpu: Cannot find package '@tensorflow/tfjs-node-gpu'");
    expect(backend.getAttribute('title')).toContain('CUDA');
    const model = screen.getByTestId('model');
    expect(model.textContent).toBe('random-test v0.0.0 · untrained');
    expect(model.getAttribute('title')).toContain('/tmp/m');
  });

  it('names the frame and file of a preview that failed', async () => {
    const { studio } = renderApp({
      'preview.render': () => {
        throw new FakeError('failed', 'the engine ran out of memory');
      },
    });
    importAkiyo(studio);
    fireEvent.click(screen.getByTestId('render-preview'));
    const error = await screen.findByTestId('preview-error');
    expect(error.textContent).toContain('Preview of frame 1001 failed');
    expect(error.textContent).toContain('akiyo.1001.png');
    expect(error.textContent).toContain('the engine ran out of memory');
  });

  it('imports a folder: sequences recognised, gaps reported, shots on the timeline', async () => {
    const { state } = renderApp();
    fireEvent.click(screen.getByRole('button', { name: 'Import' }));
    const dialog = screen.getByRole('dialog', { name: 'Import frames' });
    fireEvent.change(within(dialog).getByLabelText('Folder path'), { target: { value: '/plates/akiyo' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Scan' }));
    await within(dialog).findByText('akiyo.####.png');
    expect(within(dialog).getByText('1 frame missing: 1004')).toBeTruthy();
    expect(within(dialog).getByRole('button', { name: 'old/' })).toBeTruthy();
    fireEvent.click(within(dialog).getByRole('button', { name: 'Import 1 shot' }));
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(screen.getAllByTestId('clip')).toHaveLength(1);
    expect(screen.getByLabelText('Target age of akiyo')).toBeTruthy();
    expect(state().playhead).toMatchObject({ frame: 1001 });
    expect(screen.getByTestId('frame-readout').textContent).toContain('1001');
  });

  it('steps frames with the keyboard and undoes settings with Ctrl+Z', () => {
    const { studio, state } = renderApp();
    importAkiyo(studio);
    fireEvent.keyDown(window, { key: 'ArrowRight' });
    fireEvent.keyDown(window, { key: 'ArrowRight' });
    fireEvent.keyDown(window, { key: 'ArrowRight' });
    expect(state().playhead!.frame).toBe(1005);
    fireEvent.click(screen.getByRole('radio', { name: 'Identity' }));
    expect(state().project.timeline.clips[0]!.settings.mode).toBe('identity');
    fireEvent.keyDown(window, { key: 'z', ctrlKey: true });
    expect(screen.getByRole('radio', { name: 'Pixel-wise' }).getAttribute('aria-checked')).toBe('true');
    fireEvent.keyDown(window, { key: 'Z', ctrlKey: true, shiftKey: true });
    expect(state().project.timeline.clips[0]!.settings.mode).toBe('identity');
  });

  it('sets the texture of the prototype age layer with a slider under the age strength', async () => {
    const { studio, state } = renderApp();
    importAkiyo(studio);
    const strength = screen.getByRole('slider', { name: 'Age strength' });
    const texture = screen.getByRole('slider', { name: 'Texture' });
    expect(strength.compareDocumentPosition(texture) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    expect(texture.getAttribute('min')).toBe('0');
    expect(texture.getAttribute('max')).toBe('2');
    expect(texture.getAttribute('step')).toBe('0.05');
    expect((texture as HTMLInputElement).value).toBe('1');
    expect(screen.getByText(/Prototype age layer: wrinkles, skin texture and colour/)).toBeTruthy();

    fireEvent.change(texture, { target: { value: '0.5' } });
    expect(state().project.timeline.clips[0]!.settings.texture).toBe(0.5);
    expect(screen.getByText('0.50')).toBeTruthy();
    fireEvent.click(screen.getByTestId('render-preview'));
    await screen.findByAltText('After (re-aged preview)');
    expect(document.querySelector('.viewer-tag.b')!.textContent).toContain(' · texture 0.5');

    fireEvent.change(texture, { target: { value: '0' } });
    expect(state().project.timeline.clips[0]!.settings.texture).toBe(0);
    expect(screen.getByText(/Off: the Age-cGAN change alone/)).toBeTruthy();
    fireEvent.keyDown(window, { key: 'z', ctrlKey: true });
    expect(state().project.timeline.clips[0]!.settings.texture).toBe(1);
  });

  it('renders a preview and compares before / after with the wipe and A/B', async () => {
    const { studio, state } = renderApp();
    importAkiyo(studio);
    expect(screen.queryByAltText('After (re-aged preview)')).toBeNull();
    fireEvent.click(screen.getByTestId('render-preview'));
    await screen.findByAltText('After (re-aged preview)');
    expect(screen.getByRole('radio', { name: 'Auto · 30-39' })).toBeTruthy();
    expect(screen.getByAltText('Before (plate)')).toBeTruthy();

    const wipe = screen.getByRole('slider', { name: 'Wipe' });
    fireEvent.keyDown(wipe, { key: 'ArrowLeft' });
    expect(state().viewer.wipe).toBeCloseTo(0.48);

    fireEvent.click(screen.getByRole('radio', { name: 'B' }));
    expect(screen.queryByAltText('Before (plate)')).toBeNull();
    fireEvent.click(screen.getByRole('radio', { name: 'A' }));
    expect(screen.queryByAltText('After (re-aged preview)')).toBeNull();

    fireEvent.click(screen.getByRole('radio', { name: 'Wipe' }));
    fireEvent.click(screen.getByLabelText('Mask'));
    expect(document.querySelector('.mask-outline')).not.toBeNull();
  });

  it('draws every face of the frame with its id, and a click on one chooses it for the shot (undoable)', async () => {
    const { studio, state } = renderApp({
      'preview.render': ({ file, frame }) =>
        ({
          ...(handlers['preview.render']!({ file, frame, settings: DEFAULT_SHOT_SETTINGS }) as object),
          faces: [
            { id: 0, box: { x: 10, y: 10, width: 50, height: 60 } },
            { id: 1, box: { x: 200, y: 100, width: 40, height: 40 }, bridged: true },
          ],
          chosenFace: 0,
        }) as never,
    });
    importAkiyo(studio);
    fireEvent.click(screen.getByTestId('render-preview'));
    await screen.findByAltText('After (re-aged preview)');
    const boxes = screen.getAllByTestId('face-choice');
    expect(boxes.map((b) => b.querySelector('text')!.textContent)).toEqual(['0 · aged', '1']);
    expect(boxes[1]!.getAttribute('class')).toContain('bridged');
    const frame = state().playhead!.frame;
    fireEvent.pointerDown(boxes[1]!.querySelector('rect')!, { button: 0 });
    expect(state().project.timeline.clips[0]!.settings.face).toEqual({ x: 220, y: 120, frame });
    fireEvent.keyDown(window, { key: 'z', ctrlKey: true });
    expect(state().project.timeline.clips[0]!.settings.face).toBeUndefined();
  });

  it('a shift-click on another face ages it too, to a target of its own set in the inspector; a plain click makes it the shot face', async () => {
    const { studio, state } = renderApp({
      'preview.render': ({ file, frame, settings }) =>
        ({
          ...(handlers['preview.render']!({ file, frame, settings: DEFAULT_SHOT_SETTINGS }) as object),
          faces: [
            { id: 0, box: { x: 10, y: 10, width: 50, height: 60 } },
            { id: 1, box: { x: 200, y: 100, width: 40, height: 40 } },
          ],
          chosenFace: 0,
          // as the engine answers: one track id per settings' other face
          ...(settings.otherFaces?.length ? { otherFaces: settings.otherFaces.map(() => 1) } : {}),
        }) as never,
    });
    importAkiyo(studio);
    const settings = () => state().project.timeline.clips[0]!.settings;
    fireEvent.click(screen.getByTestId('render-preview'));
    await screen.findByAltText('After (re-aged preview)');
    const frame = state().playhead!.frame;
    // shift on the shot's own face changes nothing
    fireEvent.pointerDown(screen.getAllByTestId('face-choice')[0]!.querySelector('rect')!, { button: 0, shiftKey: true });
    expect(settings().otherFaces).toBeUndefined();
    fireEvent.pointerDown(screen.getAllByTestId('face-choice')[1]!.querySelector('rect')!, { button: 0, shiftKey: true });
    expect(settings().face).toBeUndefined();
    expect(settings().otherFaces).toEqual([{ face: { x: 220, y: 120, frame }, targetAge: settings().targetAge }]);
    // the inspector lists it; its own target is one edit
    const row = await screen.findByTestId('other-face');
    expect(row.textContent).toContain(`at 220, 120 (frame ${frame})`);
    fireEvent.change(screen.getByLabelText(/^Target age of Face/), { target: { value: '0-18' } });
    expect(settings().otherFaces![0]!.targetAge).toBe('0-18');
    // rendered, the box says what it is aged to and the inspector names its track
    fireEvent.click(screen.getByTestId('render-preview'));
    await waitFor(() =>
      expect(screen.getAllByTestId('face-choice').map((b) => b.querySelector('text')!.textContent)).toEqual([
        '0 · aged',
        '1 · aged · 0-18',
      ]),
    );
    expect(screen.getByTestId('other-face').textContent).toContain('Face 1');
    // a plain click makes it the shot's face and takes it off the other faces (never aged twice)
    fireEvent.pointerDown(screen.getAllByTestId('face-choice')[1]!.querySelector('rect')!, { button: 0 });
    expect(settings().face).toEqual({ x: 220, y: 120, frame });
    expect(settings().otherFaces).toBeUndefined();
    fireEvent.keyDown(window, { key: 'z', ctrlKey: true });
    expect(settings().otherFaces![0]!.targetAge).toBe('0-18');
    fireEvent.click(screen.getByRole('button', { name: 'Stop ageing Face 1' }));
    expect(settings().otherFaces).toBeUndefined();
  });

  it('shows each picture of a progressive preview as it arrives, labelled, until the final replaces it', async () => {
    const png = (...bytes: number[]) => new Uint8Array([137, 80, 78, 71, ...bytes]);
    let finish: () => void = () => {};
    const { client, studio } = renderApp({
      'preview.render': ({ file, frame }) =>
        new Promise((resolve) => {
          finish = () =>
            resolve({
              ...(handlers['preview.render']!({ file, frame, settings: DEFAULT_SHOT_SETTINGS }) as object),
              afterPng: png(9),
              warmStartFrame: 1002,
            } as never);
        }),
    });
    importAkiyo(studio);
    fireEvent.click(screen.getByTestId('render-preview'));
    const { previewId, file } = client.callsTo('preview.render')[0] as { previewId: string; file: string };
    expect(previewId).toBeTruthy();
    const stage = (name: 'encoder' | 'refining', afterPng: Uint8Array, updates: number, id = previewId) =>
      act(() =>
        client.emit({
          type: 'preview',
          previewId: id,
          stage: { stage: name, frame: 1001, file, width: 352, height: 288, afterPng, updates, steps: 150, seconds: 1 },
        }),
      );
    const after = () => screen.getAllByRole('img').filter((i) => i.getAttribute('alt')!.startsWith('After'));

    const shown = () => after().map((i) => i.getAttribute('src'));
    const entry = () => Object.values(studio.store.getState().previews)[0];

    stage('encoder', png(1), 0);
    expect(await screen.findByAltText('After (re-aged preview so far: encoder)')).toBeTruthy();
    const encoder = shown();
    expect(encoder).toHaveLength(1);
    expect(screen.getByTestId('preview-stage').textContent).toBe(' · encoder');
    expect(screen.getByTestId('preview-progress').textContent).toMatch(/Refining preview/);

    stage('refining', png(2), 38);
    expect(after().map((i) => i.getAttribute('alt'))).toEqual(['After (re-aged preview so far: refining 38/150)']);
    const refining = shown();
    expect(refining).toHaveLength(1);
    expect(refining[0]).not.toBe(encoder[0]);
    // another request's picture (another window's, or a superseded one) changes nothing
    stage('refining', png(3), 75, 'someone-else');
    expect(shown()).toEqual(refining);

    await act(async () => finish());
    expect(after().map((i) => i.getAttribute('alt'))).toEqual(['After (re-aged preview)']);
    const final = shown();
    expect(final[0]).not.toBe(refining[0]);
    expect(entry()).toMatchObject({ status: 'ready', warmStartFrame: 1002 });
    expect(entry()).not.toHaveProperty('stage');
    expect(screen.getByTestId('preview-stage').textContent).toBe(' · final · warm from 1002');
    // a picture arriving after the result is too late to replace it
    stage('refining', png(4), 113);
    expect(shown()).toEqual(final);
  });

  it("warns of the model's known defects at the target age: inspector, timeline and export", async () => {
    const status = handlers['engine.status']!({}) as EngineStatus;
    const info = status.info!;
    const knownDefects: KnownDefect[] = [
      { ageCategories: ['50-59'], level: 'warning', summary: 'A mark under the nose.', advice: 'Paint it out.' },
      { ageCategories: ['50-59', '60+'], level: 'note', summary: 'Blotches on some faces.', advice: 'Check.' },
    ];
    const { studio } = renderApp({
      'engine.status': () => ({ ...status, info: { ...info, model: { ...info.model, knownDefects } } }),
    });
    await screen.findByText('wasm');
    importAkiyo(studio);
    fireEvent.click(screen.getByRole('button', { name: 'Target age 19-29' }));
    expect(screen.queryAllByTestId('known-defect')).toHaveLength(0);
    fireEvent.click(screen.getByRole('button', { name: 'Target age 60+' }));
    expect(screen.getAllByTestId('known-defect').map((e) => e.getAttribute('data-level'))).toEqual(['note']);
    expect(screen.queryByRole('img', { name: 'Known model defect at 60+' })).toBeNull(); // marks are for warnings

    fireEvent.click(screen.getByRole('button', { name: 'Target age 50-59' }));
    const shown = screen.getAllByTestId('known-defect');
    expect(shown.map((e) => e.getAttribute('data-level'))).toEqual(['warning', 'note']);
    expect(shown[0]!.textContent).toBe('Known defect at 50-59. A mark under the nose. Paint it out.');
    // the timeline's age block carries the mark, its tooltip the whole warning
    const mark = screen.getByRole('img', { name: 'Known model defect at 50-59' });
    expect(mark.getAttribute('title')).toBe('A mark under the nose. Paint it out.');

    act(() => studio.store.getState().openExport());
    const dialog = screen.getByRole('dialog', { name: 'Export re-aged frames' });
    expect(within(dialog).getByTestId('export-defects').textContent).toMatch(
      /^1 shot renders at a target age where the model has a known defect: akiyo \(50-59\)\./,
    );
    fireEvent.click(within(within(dialog).getByRole('list', { name: 'Shots to export' })).getByRole('checkbox'));
    expect(within(dialog).queryByTestId('export-defects')).toBeNull();
  });

  it('shows export progress per shot, failed frames with reasons, and cancels', async () => {
    const { client } = renderApp();
    await screen.findByText('wasm'); // start-up requests answered
    const job: JobSnapshot = {
      id: 'job-1',
      kind: 'export',
      status: 'running',
      createdAt: 0,
      startedAt: 0,
      finishedAt: null,
      etaSeconds: 75,
      restarts: 1,
      shots: [
        {
          shotId: 's1',
          name: 'akiyo',
          out: '/r/akiyo.####.png',
          status: 'running',
          total: 10,
          done: 5,
          skipped: 0,
          noFace: 1,
          failed: 2,
          currentFrame: 1009,
          completed: '1001-1008',
          etaSeconds: 20,
          failures: [
            { frame: 1003, file: '/p/akiyo.1003.png', error: 'cannot read frame 1003: the file is empty' },
            { frame: 1006, file: '/p/akiyo.1006.png', error: 'no face found' },
          ],
        },
      ],
    };
    act(() => client.emit({ type: 'job', job }));
    const card = await screen.findByTestId('job');
    expect(card.textContent).toContain('8/10');
    expect(card.textContent).toContain('ETA 1:15');
    expect(card.textContent).toContain('engine restarted 1 time');
    fireEvent.click(within(card).getByRole('button', { name: /2 failed frames/ }));
    expect(within(card).getByText(/the file is empty/)).toBeTruthy();
    fireEvent.click(within(card).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(client.callsTo('export.cancel')).toEqual([{ jobId: 'job-1' }]));

    act(() => client.emit({ type: 'job', job: { ...job, status: 'cancelled', finishedAt: 1000 } }));
    fireEvent.click(within(screen.getByTestId('job')).getByRole('button', { name: 'Resume' }));
    await waitFor(() => expect(client.callsTo('export.resume')).toHaveLength(1));
  });

  it('keeps the inspector whole while jobs are listed: inspector and queue are tabs', async () => {
    const { client, studio } = renderApp();
    await screen.findByText('wasm');
    importAkiyo(studio);
    expect(screen.getByLabelText('Seed')).toBeTruthy();
    const job: JobSnapshot = {
      id: 'job-9',
      kind: 'export',
      status: 'running',
      createdAt: 0,
      startedAt: 0,
      finishedAt: null,
      etaSeconds: null,
      restarts: 0,
      shots: [],
    };
    // a new job shows the queue, with its count on the tab
    act(() => client.emit({ type: 'job', job }));
    expect(await screen.findByTestId('job')).toBeTruthy();
    expect(screen.queryByLabelText('Seed')).toBeNull();
    const queueTab = screen.getByRole('tab', { name: /Render queue/ });
    expect(queueTab.textContent).toContain('1 active');
    // every inspector field is back, with the job still listed
    fireEvent.click(screen.getByRole('tab', { name: 'Inspector' }));
    for (const label of ['Seed', 'Steps', 'Plate colour space', 'Mouth interior', 'Grow / shrink'])
      expect(screen.getByLabelText(label), label).toBeTruthy();
    expect(studio.store.getState().jobs).toHaveLength(1);
  });

  it('lists the failed frames of a finished export without a click, and says so in a notice', async () => {
    const { client, state } = renderApp();
    await screen.findByText('wasm');
    const shot = {
      shotId: 's1',
      name: 'akiyo',
      out: '/renders/akiyo_reaged.####.png',
      status: 'running' as const,
      total: 3,
      done: 1,
      skipped: 0,
      noFace: 0,
      failed: 0,
      currentFrame: 1002,
      completed: '1001',
      etaSeconds: null,
      failures: [],
    };
    const job: JobSnapshot = {
      id: 'job-1',
      kind: 'export',
      status: 'running',
      createdAt: 0,
      startedAt: 0,
      finishedAt: null,
      etaSeconds: null,
      restarts: 0,
      shots: [shot],
    };
    act(() => client.emit({ type: 'job', job }));
    const card = await screen.findByTestId('job');
    expect(card.textContent).toContain('estimating ETA');
    expect(card.textContent).toContain('…/renders/akiyo_reaged.####.png');
    const failure = { frame: 1003, file: '/p/akiyo.1003.png', error: 'Cannot read frame 1003: the file is empty' };
    act(() =>
      client.emit({
        type: 'job',
        job: {
          ...job,
          status: 'completed',
          finishedAt: 9000,
          shots: [{ ...shot, status: 'done', done: 2, failed: 1, currentFrame: null, failures: [failure] }],
        },
      }),
    );
    const list = within(screen.getByTestId('job')).getByTestId('failures');
    expect(list.textContent).toContain('1003');
    expect(list.textContent).toContain('akiyo.1003.png');
    expect(list.textContent).toContain('the file is empty');
    expect(state().notices.at(-1)).toMatchObject({ level: 'warning' });
    expect(state().notices.at(-1)!.text).toContain('akiyo 1003 (akiyo.1003.png)');
  });

  it('ignores events that do not fit the protocol', async () => {
    const { client } = renderApp();
    await screen.findByText('wasm');
    act(() => client.emit({ type: 'engine', status: { state: 'exploded' } }));
    act(() => client.emit({ type: 'job', job: { id: 'x' } }));
    expect(screen.getByTestId('engine-status').getAttribute('data-state')).toBe('ready');
    expect(screen.queryByTestId('job')).toBeNull();
  });

  it('offers an in-app path prompt when there is no native dialog (browser host)', async () => {
    const { state } = renderApp({ 'project.recent': () => ({ projects: [] }) });
    fireEvent.keyDown(window, { key: 'o', ctrlKey: true });
    await screen.findByRole('dialog', { name: 'Open project file' });
    fireEvent.keyDown(window, { key: 'Escape' });
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(state().prompt).toBeNull();
  });
});

describe('the viewer for QC', () => {
  const tags = () => [...document.querySelectorAll('.viewer-tag')].map((t) => t.textContent);

  it('labels exactly what is shown: A, B, wipe, difference with its gain, side by side', async () => {
    renderAppWithPreview();
    await screen.findByAltText('After (re-aged preview)');
    const b = 'B · 60+ · pixel-wise · delta · final';
    expect(tags()).toEqual(['A · plate', b]); // the wipe
    fireEvent.click(screen.getByRole('radio', { name: 'B' }));
    expect(tags()).toEqual([b]);
    expect(screen.queryByAltText('Before (plate)')).toBeNull();
    fireEvent.click(screen.getByRole('radio', { name: 'A' }));
    expect(tags()).toEqual(['A · plate']);
    fireEvent.click(screen.getByRole('radio', { name: 'Diff' }));
    expect(tags()[0]).toMatch(/^\|B−A\| × 4/);
    expect(screen.getByRole('img', { name: 'Difference |B−A| × 4' })).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'More gain' }));
    expect(tags()[0]).toMatch(/^\|B−A\| × 8/);
    fireEvent.click(screen.getByRole('radio', { name: 'Side' }));
    expect(tags()).toEqual(['A · plate', b]);
    expect(screen.getAllByTestId('viewer-pane')).toHaveLength(2);
    // without a B to compare with, only A is shown and said
    fireEvent.click(screen.getByRole('radio', { name: 'Identity' }));
    expect(tags()).toEqual(['A · plate']);
  });

  it('switches the wipe between vertical and horizontal from the toolbar and with Shift+W', async () => {
    const { state } = renderAppWithPreview();
    await screen.findByAltText('After (re-aged preview)');
    expect(screen.getByTestId('wipe-handle').getAttribute('data-axis')).toBe('vertical');
    fireEvent.click(screen.getByRole('radio', { name: '─' }));
    expect(state().viewer.wipeAxis).toBe('horizontal');
    expect(screen.getByAltText('After (re-aged preview)').style.clipPath).toBe('inset(50% 0 0 0)');
    fireEvent.keyDown(screen.getByTestId('wipe-handle'), { key: 'ArrowDown' });
    expect(state().viewer.wipe).toBeCloseTo(0.52);
    fireEvent.keyDown(window, { key: 'W', shiftKey: true });
    expect(screen.getByTestId('wipe-handle').getAttribute('data-axis')).toBe('vertical');
  });

  it('keeps the arrows stepping frames after a toolbar button is clicked; a slider keeps its own', () => {
    const { studio, state } = renderApp();
    importAkiyo(studio);
    const diff = screen.getByRole('radio', { name: 'Diff' });
    diff.focus();
    fireEvent.click(diff);
    fireEvent.keyDown(diff, { key: 'ArrowRight' });
    expect(state().playhead!.frame).toBe(1002);
    const next = screen.getByRole('button', { name: 'Next frame' });
    next.focus();
    fireEvent.keyDown(next, { key: 'ArrowRight' });
    expect(state().playhead!.frame).toBe(1003);
    fireEvent.keyDown(screen.getByRole('slider', { name: 'Target age' }), { key: 'ArrowRight' });
    expect(state().playhead!.frame).toBe(1003);
    fireEvent.keyDown(window, { key: 'End' });
    expect(state().playhead!.frame).toBe(1005);
    fireEvent.keyDown(window, { key: 'Home' });
    expect(state().playhead!.frame).toBe(1001);
    fireEvent.keyDown(window, { key: 'l' });
    fireEvent.keyDown(window, { key: 'l' });
    expect([state().playing, state().playRate]).toEqual([true, 2]);
    fireEvent.keyDown(window, { key: 'k' });
    expect(state().playing).toBe(false);
  });

  it('changes exposure and channels for display only, and says so', () => {
    const { studio, state } = renderApp();
    importAkiyo(studio);
    fireEvent.keyDown(window, { key: 'e' });
    fireEvent.keyDown(window, { key: 'e' });
    fireEvent.keyDown(window, { key: 'c' });
    expect(state().viewer).toMatchObject({ exposure: 1, channel: 'r' });
    expect(screen.getByTestId('viewer-look').textContent).toBe('Display only: +1.0 stops · red channel');
    expect(screen.getByTestId('exposure').textContent).toBe('+1.0 EV');
    fireEvent.click(screen.getByTestId('exposure'));
    fireEvent.click(screen.getByRole('radio', { name: 'RGB channels' }));
    expect(screen.queryByTestId('viewer-look')).toBeNull();
  });

  it('lists every shortcut of the table in the ? overlay', () => {
    const { studio } = renderApp();
    fireEvent.keyDown(window, { key: '?', shiftKey: true });
    const overlay = screen.getByRole('dialog', { name: 'Keyboard shortcuts' });
    const rows = within(overlay).getAllByTestId('shortcut');
    expect(rows).toHaveLength(SHORTCUTS.length);
    expect(rows.map((r) => r.textContent)).toContain('JPlay backwards (again: faster)');
    expect(rows.map((r) => r.textContent)).toContain('Shift+WWipe vertical / horizontal');
    fireEvent.keyDown(window, { key: 'Escape' });
    expect(screen.queryByRole('dialog', { name: 'Keyboard shortcuts' })).toBeNull();
    importAkiyo(studio);
    fireEvent.click(screen.getByRole('button', { name: 'Keyboard shortcuts' }));
    expect(screen.getByRole('dialog', { name: 'Keyboard shortcuts' })).toBeTruthy();
  });
});

describe('studio client', () => {
  it('rejects replies that do not fit the method’s schema', async () => {
    const client = createStudioClient({
      kind: 'test',
      request: async () => ({ ok: true, result: { path: '/x', entries: 'lots' } }),
      onEvent: () => () => {},
    });
    await expect(client.call('fs.listFolder', { path: '/x' })).rejects.toMatchObject({ code: 'invalid-request' });
  });
});
