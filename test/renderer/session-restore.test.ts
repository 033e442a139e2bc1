// @vitest-environment jsdom
// A reload of the browser host's page keeps the open project, and unsaved work is asked about.
import { describe, expect, it } from 'vitest';
import { createStudio } from '../../src/renderer/state/store.js';
import { keepProjectAcrossReloads } from '../../src/renderer/state/session-restore.js';
import { clipFromSequence, emptyProject, type Project } from '../../src/shared/project.js';
import { detectSequences, type NumberedSequence } from '../../src/shared/sequence.js';
import { fakeClient } from './fake-client.js';

function memoryStorage() {
  const items = new Map<string, string>();
  return {
    getItem: (k: string) => items.get(k) ?? null,
    setItem: (k: string, v: string) => void items.set(k, v),
    removeItem: (k: string) => void items.delete(k),
    items,
  };
}

const opening = () =>
  fakeClient({ 'project.open': ({ path }) => ({ path, project: { ...emptyProject(), name: 'show' }, media: [] }) });

describe('a reload of the page', () => {
  it('opens again the project the tab had open, and forgets it when none is', async () => {
    const storage = memoryStorage();
    const first = createStudio(opening());
    const stop = keepProjectAcrossReloads(first, storage, window);
    await first.store.getState().openProject('/jobs/show.reage');
    expect(storage.items.get('reage.openProject')).toBe('/jobs/show.reage');
    stop();

    // the page is loaded again in the same tab
    const client = opening();
    const again = createStudio(client);
    const stopAgain = keepProjectAcrossReloads(again, storage, window);
    await new Promise((r) => setTimeout(r, 0));
    expect(client.callsTo('project.open')).toEqual([{ path: '/jobs/show.reage' }]);
    expect(again.store.getState()).toMatchObject({ projectPath: '/jobs/show.reage', dirty: false });

    again.store.getState().newProject(true);
    expect(storage.items.has('reage.openProject')).toBe(false);
    stopAgain();
  });

  it('offers the newest untitled autosave when no project was open, and reopens it untitled and unsaved', async () => {
    const sequence = detectSequences(['plate.1001.png', 'plate.1002.png'])[0] as NumberedSequence;
    const base = emptyProject('Untitled cut');
    const autosaved: Project = {
      ...base,
      timeline: { ...base.timeline, clips: [clipFromSequence('/plates', sequence)] },
    };
    const client = fakeClient({
      'project.untitledAutosaves': () => ({
        autosaves: [
          { path: '/data/autosave/Untitled_cut.reage', name: 'Untitled cut', modifiedMs: Date.UTC(2026, 11, 4, 10) },
          { path: '/data/autosave/Older.reage', name: 'Older', modifiedMs: Date.UTC(2026, 11, 1) },
        ],
      }),
      'project.reopenAutosave': () => ({ project: autosaved, media: [] }),
    });
    const studio = createStudio(client);
    const stop = keepProjectAcrossReloads(studio, memoryStorage(), window);
    await new Promise((r) => setTimeout(r, 0));
    expect(client.callsTo('project.open')).toEqual([]);
    const offer = studio.store.getState().notices.find((n) => n.action?.label === 'Reopen it');
    expect(offer?.text).toContain('“Untitled cut”');
    offer!.action!.run();
    await new Promise((r) => setTimeout(r, 0));
    expect(client.callsTo('project.reopenAutosave')).toEqual([{ path: '/data/autosave/Untitled_cut.reage' }]);
    expect(studio.store.getState()).toMatchObject({ projectPath: null, dirty: true });
    expect(studio.store.getState().project.timeline.clips).toHaveLength(1);
    stop();
  });

  it('offers no autosave once the artist has started work, nor when there is none', async () => {
    const late = fakeClient({
      'project.untitledAutosaves': async () => {
        await new Promise((r) => setTimeout(r, 5));
        return { autosaves: [{ path: '/data/autosave/x.reage', name: 'x', modifiedMs: 1 }] };
      },
    });
    const busy = createStudio(late);
    const stop = keepProjectAcrossReloads(busy, memoryStorage(), window);
    busy.store.setState({ dirty: true });
    await new Promise((r) => setTimeout(r, 20));
    expect(busy.store.getState().notices).toEqual([]);
    stop();

    const none = createStudio(fakeClient({ 'project.untitledAutosaves': () => ({ autosaves: [] }) }));
    const stopNone = keepProjectAcrossReloads(none, memoryStorage(), window);
    await new Promise((r) => setTimeout(r, 0));
    expect(none.store.getState().notices).toEqual([]);
    stopNone();
  });

  it('asks before leaving the page only with unsaved changes', () => {
    const studio = createStudio(fakeClient());
    const stop = keepProjectAcrossReloads(studio, memoryStorage(), window);
    const leave = () => {
      const e = new Event('beforeunload', { cancelable: true });
      window.dispatchEvent(e);
      return e.defaultPrevented;
    };
    expect(leave()).toBe(false);
    studio.store.setState({ dirty: true });
    expect(leave()).toBe(true);
    stop();
    expect(leave()).toBe(false);
  });
});
