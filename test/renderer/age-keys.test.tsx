// @vitest-environment jsdom
// Age over time in the studio (issue #22, item 2): keys added at the playhead and
// removed in the inspector, undoable, drawn as a curve with markers on the shot's age track.
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_SHOT_SETTINGS } from '../../src/shared/project.js';
import { detectSequences, type NumberedSequence } from '../../src/shared/sequence.js';
import { App } from '../../src/renderer/components/App.js';
import { previewKey } from '../../src/renderer/lib/preview-key.js';
import { StudioContext, connectEvents, createStudio } from '../../src/renderer/state/store.js';
import { BYTES, fakeClient, type Handlers } from './fake-client.js';

afterEach(cleanup);

const handlers: Handlers = {
  'engine.status': () => ({ state: 'starting', restarts: 0 }),
  'jobs.list': () => ({ jobs: [] }),
  'fs.readImage': ({ path }) => ({ path, mime: 'image/png', bytes: BYTES }),
};

function renderApp() {
  const studio = createStudio(fakeClient(handlers));
  connectEvents(studio);
  render(
    <StudioContext.Provider value={studio}>
      <App />
    </StudioContext.Provider>,
  );
  const seq = detectSequences(['akiyo.1001.png', 'akiyo.1002.png', 'akiyo.1003.png', 'akiyo.1004.png'])[0];
  act(() => studio.store.getState().importSequences('/plates/akiyo', [seq as NumberedSequence]));
  return { studio, state: () => studio.store.getState() };
}

describe('age keys in the studio', () => {
  it('take a strength of their own in the inspector, and are dragged on the curve to another frame and age', () => {
    const { state } = renderApp();
    const keys = () => state().project.timeline.clips[0]!.settings.ageKeys;
    fireEvent.click(screen.getByRole('button', { name: 'Target age 30-39' }));
    fireEvent.click(screen.getByRole('button', { name: 'Add age key at playhead' }));
    fireEvent.change(screen.getByLabelText('Strength at key 1001'), { target: { value: '1.4' } });
    expect(keys()).toEqual([{ frame: 1001, age: '30-39', strength: 1.4 }]);
    fireEvent.change(screen.getByLabelText('Strength at key 1001'), { target: { value: '' } });
    expect(keys()).toEqual([{ frame: 1001, age: '30-39' }]);

    // the curve's box: 400 px wide for the shot's 4 frames, 100 px tall
    const curve = screen.getByTestId('age-curve');
    curve.getBoundingClientRect = () => ({
      left: 0,
      top: 0,
      width: 400,
      height: 100,
      right: 400,
      bottom: 100,
      x: 0,
      y: 0,
      toJSON: () => ({}),
    });
    const mark = screen.getByTestId('age-key-mark');
    mark.setPointerCapture = () => {};
    fireEvent.pointerDown(mark, { pointerId: 7, clientX: 50, clientY: 58 });
    // to frame 1003 (x = 2.5 / 4) and 60+ (y = 0.1, the top of the curve)
    fireEvent.pointerMove(mark, { pointerId: 7, clientX: 250, clientY: 40 });
    fireEvent.pointerMove(screen.getByTestId('age-key-mark'), { pointerId: 7, clientX: 250, clientY: 10 });
    fireEvent.pointerUp(screen.getByTestId('age-key-mark'), { pointerId: 7 });
    expect(keys()).toEqual([{ frame: 1003, age: '60+' }]);
    // the whole drag is one undo step
    state().undo();
    expect(keys()).toEqual([{ frame: 1001, age: '30-39' }]);
  });

  it('are added at the playhead with the target age, changed and removed, each undoable', () => {
    const { state } = renderApp();
    const keys = () => state().project.timeline.clips[0]!.settings.ageKeys;
    expect(state().playhead).toMatchObject({ frame: 1001 });
    fireEvent.click(screen.getByRole('button', { name: 'Target age 30-39' }));
    fireEvent.click(screen.getByRole('button', { name: 'Add age key at playhead' }));
    expect(keys()).toEqual([{ frame: 1001, age: '30-39' }]);

    fireEvent.keyDown(window, { key: 'End' });
    const end = state().playhead!.frame;
    expect(end).toBe(1004);
    fireEvent.click(screen.getByRole('button', { name: 'Target age 60+' }));
    fireEvent.click(screen.getByRole('button', { name: 'Add age key at playhead' }));
    expect(keys()).toEqual([
      { frame: 1001, age: '30-39' },
      { frame: 1004, age: '60+' },
    ]);
    expect(screen.getAllByTestId('age-key')).toHaveLength(2);
    // the age track draws the curve and a marker per key instead of one age
    expect(screen.getByTestId('age-curve')).toBeTruthy();
    expect(screen.getAllByTestId('age-key-mark').map((m) => m.getAttribute('title'))).toEqual([
      'age key 1001:30-39: drag to move it or change its age',
      'age key 1004:60+: drag to move it or change its age',
    ]);

    fireEvent.change(screen.getByLabelText('Age at key 1001'), { target: { value: '0-18' } });
    expect(keys()![0]).toEqual({ frame: 1001, age: '0-18' });
    fireEvent.click(screen.getByRole('button', { name: 'Remove age key 1004' }));
    expect(keys()).toEqual([{ frame: 1001, age: '0-18' }]);

    act(() => state().undo());
    expect(keys()).toHaveLength(2);
    act(() => state().undo());
    expect(keys()![0]).toEqual({ frame: 1001, age: '30-39' });

    fireEvent.click(screen.getByRole('button', { name: 'Remove age key 1001' }));
    fireEvent.click(screen.getByRole('button', { name: 'Remove age key 1004' }));
    expect(keys()).toBeUndefined();
    expect(screen.queryByTestId('age-curve')).toBeNull();
    expect(screen.getByLabelText('Target age of akiyo')).toBeTruthy();
  });

  it('are part of a preview’s cache key, by the age they give the frame', () => {
    const base = { ...DEFAULT_SHOT_SETTINGS };
    const keyed = {
      ...base,
      ageKeys: [
        { frame: 1001, age: '30-39' as const },
        { frame: 1011, age: '60+' as const },
      ],
    };
    const key = (s: typeof base, f: number) => previewKey(`/p/a.${f}.png`, f, s);
    expect(key(keyed, 1005)).not.toBe(key(base, 1005));
    // a key moved beyond the frame's neighbours changes what frame 1005 is aged to
    expect(key({ ...keyed, ageKeys: [keyed.ageKeys[0]!, { frame: 1021, age: '60+' }] }, 1005)).not.toBe(
      key(keyed, 1005),
    );
    // before the first key the frame holds it, wherever the later keys are
    expect(key({ ...keyed, ageKeys: [keyed.ageKeys[0]!, { frame: 1021, age: '60+' }] }, 990)).toBe(key(keyed, 990));
  });
});
