// @vitest-environment jsdom
// A reload of the browser host's page keeps the open project, and unsaved work is asked about.
import { describe, expect, it } from 'vitest';
import { createStudio } from '../../src/renderer/state/store.js';
import { keepProjectAcrossReloads } from '../../src/renderer/state/session-restore.js';
import { emptyProject } from '../../src/shared/project.js';
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
