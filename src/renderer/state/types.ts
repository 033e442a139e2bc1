/** The studio store's shape, split into slices that live in their own modules. */
import type { StoreApi } from 'zustand/vanilla';
import type { StudioClient } from '../client/studio-client.js';
import type { ImageCache } from '../lib/image-cache.js';
import type { CommandSlice } from './command-slice.js';
import type { JobsSlice } from './jobs-slice.js';
import type { PlaybackSlice } from './playback-slice.js';
import type { PreviewSlice } from './preview-slice.js';
import type { ProjectSlice } from './project-slice.js';
import type { UiSlice } from './ui-slice.js';

export type StudioState = ProjectSlice & PlaybackSlice & PreviewSlice & JobsSlice & UiSlice & CommandSlice;

export type StudioStore = StoreApi<StudioState>;

export interface StoreDeps {
  client: StudioClient;
  images: ImageCache;
  now: () => number;
}

export type SliceCreator<S> = (set: StudioStore['setState'], get: StudioStore['getState'], deps: StoreDeps) => S;
