/**
 * Previews of the frame under the playhead, rendered by the engine and cached per
 * frame and settings (see lib/preview-key.ts). A newer request replaces an older
 * one still waiting (the backend supersedes it), so scrubbing never queues up work.
 */
import type { AgeCategory } from '../../shared/ages.js';
import type { PreviewResultMessage } from '../../shared/ipc.js';
import { clipFramePath, type Clip } from '../../shared/project.js';
import { RequestError } from '../client/studio-client.js';
import { bytesToUrl, revokeUrl } from '../lib/object-url.js';
import { previewKey } from '../lib/preview-key.js';
import type { SliceCreator, StudioState } from './types.js';

export type PreviewEntry =
  | { status: 'rendering'; startedAt: number; frame: number }
  | {
      status: 'ready';
      beforeUrl: string;
      afterUrl: string;
      width: number;
      height: number;
      face?: PreviewResultMessage['face'];
      maskOutline?: PreviewResultMessage['maskOutline'];
      sourceAge?: AgeCategory;
      seconds: number;
    }
  /** `frame` and `file` say which plate frame failed, as the artist needs to find it */
  | { status: 'error'; message: string; frame: number; file: string };

export interface PreviewSlice {
  previews: Record<string, PreviewEntry>;
  /** estimated source age per shot, from the latest preview with source age 'auto' */
  estimatedAges: Record<string, AgeCategory>;
  autoPreview: boolean;
  renderPreview(): Promise<void>;
  setAutoPreview(on: boolean): void;
}

/** Rendered previews kept (each holds two PNG blobs of a frame). */
export const PREVIEW_CACHE_SIZE = 48;
const VIEWER_GROUP = 'viewer';

/** The clip under the playhead and the cache key of its current frame and settings. */
export function currentPreviewTarget(
  state: StudioState,
): { clip: Clip; frame: number; file: string; key: string } | null {
  const { playhead } = state;
  if (!playhead) return null;
  const clip = state.project.timeline.clips.find((c) => c.id === playhead.clipId);
  if (!clip) return null;
  const file = clipFramePath(clip, playhead.frame);
  return { clip, frame: playhead.frame, file, key: previewKey(file, playhead.frame, clip.settings) };
}

function releaseEntry(entry: PreviewEntry | undefined): void {
  if (entry?.status === 'ready') {
    revokeUrl(entry.beforeUrl);
    revokeUrl(entry.afterUrl);
  }
}

export const createPreviewSlice: SliceCreator<PreviewSlice> = (set, get, { client, now }) => {
  /** Drop the oldest ready previews beyond the cache size (insertion order is age). */
  const trim = (previews: Record<string, PreviewEntry>) => {
    const ready = Object.keys(previews).filter((k) => previews[k]!.status === 'ready');
    for (const key of ready.slice(0, Math.max(0, ready.length - PREVIEW_CACHE_SIZE))) {
      releaseEntry(previews[key]);
      delete previews[key];
    }
    return previews;
  };

  const put = (key: string, entry: PreviewEntry | undefined) =>
    set((s) => {
      const previews = { ...s.previews };
      if (entry?.status !== 'ready') releaseEntry(previews[key]);
      delete previews[key]; // re-inserting moves it to the young end
      if (entry) previews[key] = entry;
      return { previews: trim(previews) };
    });

  return {
    previews: {},
    estimatedAges: {},
    autoPreview: false,

    async renderPreview() {
      const target = currentPreviewTarget(get());
      if (!target) return;
      const existing = get().previews[target.key];
      if (existing?.status === 'ready' || existing?.status === 'rendering') return;
      const { clip, frame, file, key } = target;
      put(key, { status: 'rendering', startedAt: now(), frame });
      try {
        const result = await client.call('preview.render', {
          file,
          frame,
          settings: clip.settings,
          group: VIEWER_GROUP,
        });
        put(key, {
          status: 'ready',
          beforeUrl: bytesToUrl(result.beforePng, 'image/png'),
          afterUrl: bytesToUrl(result.afterPng, 'image/png'),
          width: result.width,
          height: result.height,
          seconds: result.seconds,
          ...(result.face ? { face: result.face } : {}),
          ...(result.maskOutline ? { maskOutline: result.maskOutline } : {}),
          ...(result.sourceAge ? { sourceAge: result.sourceAge } : {}),
        });
        if (result.sourceAge && clip.settings.sourceAge === 'auto') {
          set((s) => ({ estimatedAges: { ...s.estimatedAges, [clip.id]: result.sourceAge! } }));
        }
      } catch (err) {
        if (err instanceof RequestError && (err.code === 'superseded' || err.code === 'cancelled')) {
          put(key, undefined);
          return;
        }
        put(key, { status: 'error', message: err instanceof Error ? err.message : String(err), frame, file });
      }
    },

    setAutoPreview(on) {
      set({ autoPreview: on });
      if (on) void get().renderPreview();
    },
  };
};
