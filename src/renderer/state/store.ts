/**
 * The studio's zustand store: one store made of slices, created with its
 * dependencies (the backend client, the image cache) so tests can pass fakes.
 * Backend events flow in through connectEvents.
 */
import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import { createStore } from 'zustand/vanilla';
import type { StudioClient } from '../client/studio-client.js';
import { ImageCache } from '../lib/image-cache.js';
import { createCommandSlice } from './command-slice.js';
import { createJobsSlice } from './jobs-slice.js';
import { createPlaybackSlice } from './playback-slice.js';
import { createPreviewSlice } from './preview-slice.js';
import { createProjectSlice } from './project-slice.js';
import type { StoreDeps, StudioState, StudioStore } from './types.js';
import { createUiSlice } from './ui-slice.js';

export type { StudioState, StudioStore } from './types.js';

export interface Studio {
  store: StudioStore;
  client: StudioClient;
  images: ImageCache;
}

export function createStudio(client: StudioClient, options: { now?: () => number } = {}): Studio {
  const images = new ImageCache(async (path) => client.call('fs.readImage', { path }));
  const deps: StoreDeps = { client, images, now: options.now ?? Date.now };
  const store = createStore<StudioState>()((set, get) => ({
    ...createProjectSlice(set, get, deps),
    ...createPlaybackSlice(set, get, deps),
    ...createPreviewSlice(set, get, deps),
    ...createJobsSlice(set, get, deps),
    ...createUiSlice(set, get, deps),
    ...createCommandSlice(set, get, deps),
  }));
  return { store, client, images };
}

/** Feed backend events into the store and fetch what was current before we subscribed. */
export function connectEvents(studio: Studio): () => void {
  const { store, client } = studio;
  const unsubscribe = client.onEvent((event) => {
    const state = store.getState();
    if (event.type === 'engine') state.setEngine(event.status);
    else if (event.type === 'job') state.applyJob(event.job);
    else if (event.type === 'preview') state.applyPreviewStage(event.previewId, event.stage);
    else state.run(event.command);
  });
  client.call('engine.status', {}).then(
    (status) => store.getState().setEngine(status),
    () => {},
  );
  client.call('jobs.list', {}).then(
    ({ jobs }) => store.getState().setJobs(jobs),
    () => {},
  );
  return unsubscribe;
}

export const StudioContext = createContext<Studio | null>(null);

export function useStudioContext(): Studio {
  const studio = useContext(StudioContext);
  if (!studio) throw new Error('StudioContext is missing: render inside <StudioContext.Provider>');
  return studio;
}

/** Select from the studio store (re-renders only when the selected value changes). */
export function useStudio<T>(selector: (state: StudioState) => T): T {
  return useStore(useStudioContext().store, selector);
}
