/**
 * Previews of the frame under the playhead, rendered by the engine and cached per
 * frame and settings (see lib/preview-key.ts). A newer request replaces an older
 * one still waiting (the backend supersedes it), so scrubbing never queues up work.
 * The engine's pictures on the way to a preview (the encoder's, then refining ones)
 * arrive as events and replace each other on the rendering entry; only the final
 * picture, the reply, is cached.
 */
import type { AgeCategory } from '../../shared/ages.js';
import type { PreviewResultMessage, PreviewStageMessage, PreviewStageName } from '../../shared/ipc.js';
import { clipFramePath, type Clip } from '../../shared/project.js';
import { RequestError } from '../client/studio-client.js';
import { bytesToUrl, revokeUrl } from '../lib/object-url.js';
import { previewKey } from '../lib/preview-key.js';
import type { SliceCreator, StudioState } from './types.js';

/** A picture of a preview still rendering: the latest stage the engine sent. */
export interface PreviewStagePicture {
  stage: PreviewStageName;
  /** the plate as the engine sent it with the first stage */
  beforeUrl?: string;
  afterUrl: string;
  width: number;
  height: number;
  face?: PreviewResultMessage['face'];
  faces?: PreviewResultMessage['faces'];
  chosenFace?: number;
  maskOutline?: PreviewResultMessage['maskOutline'];
  /** the matte the change was composited under (gray PNG) */
  matteUrl?: string;
  /** the optimiser's updates behind it, of `steps` */
  updates: number;
  steps: number;
  warmStartFrame?: number;
  seconds: number;
}

export type PreviewEntry =
  | {
      status: 'rendering';
      startedAt: number;
      frame: number;
      /** the request's id, which its stage events carry */
      previewId: string;
      stage?: PreviewStagePicture;
    }
  | {
      status: 'ready';
      beforeUrl: string;
      afterUrl: string;
      width: number;
      height: number;
      face?: PreviewResultMessage['face'];
      /** every face of the frame with its track id, and the one aged */
      faces?: PreviewResultMessage['faces'];
      chosenFace?: number;
      /** the track id of each of the settings' other faces, null where it is not on this frame */
      otherFaces?: PreviewResultMessage['otherFaces'];
      maskOutline?: PreviewResultMessage['maskOutline'];
      /** the matte the change was composited under (gray PNG) */
      matteUrl?: string;
      /** the optimiser's loss after each step, for the loss plot */
      losses?: number[];
      sourceAge?: AgeCategory;
      /** the solved frame of the shot the engine started from, when it was warm-started */
      warmStartFrame?: number;
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
  /** show the preview of the frame under the playhead if one was rendered before (kept on disk across reloads) */
  showCachedPreview(): Promise<void>;
  /** a picture on the way to the preview requested with `previewId`; dropped unless that one is still rendering */
  applyPreviewStage(previewId: string, stage: PreviewStageMessage): void;
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

function releaseStage(stage: PreviewStagePicture | undefined, keepBefore = false): void {
  if (!stage) return;
  revokeUrl(stage.afterUrl);
  if (stage.matteUrl) revokeUrl(stage.matteUrl);
  if (stage.beforeUrl && !keepBefore) revokeUrl(stage.beforeUrl);
}

/** The viewer's entry for a finished preview: its pictures as object URLs, the rest as it came. */
function readyEntry(result: PreviewResultMessage): PreviewEntry {
  return {
    status: 'ready',
    beforeUrl: bytesToUrl(result.beforePng, 'image/png'),
    afterUrl: bytesToUrl(result.afterPng, 'image/png'),
    width: result.width,
    height: result.height,
    seconds: result.seconds,
    ...(result.face ? { face: result.face } : {}),
    ...(result.faces ? { faces: result.faces } : {}),
    ...(result.chosenFace !== undefined ? { chosenFace: result.chosenFace } : {}),
    ...(result.otherFaces ? { otherFaces: result.otherFaces } : {}),
    ...(result.maskOutline ? { maskOutline: result.maskOutline } : {}),
    ...(result.mattePng ? { matteUrl: bytesToUrl(result.mattePng, 'image/png') } : {}),
    ...(result.losses?.length ? { losses: result.losses } : {}),
    ...(result.sourceAge ? { sourceAge: result.sourceAge } : {}),
    ...(result.warmStartFrame !== undefined ? { warmStartFrame: result.warmStartFrame } : {}),
  };
}

function releaseEntry(entry: PreviewEntry | undefined): void {
  if (entry?.status === 'ready') {
    revokeUrl(entry.beforeUrl);
    revokeUrl(entry.afterUrl);
    if (entry.matteUrl) revokeUrl(entry.matteUrl);
  } else if (entry?.status === 'rendering') releaseStage(entry.stage);
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

  /** ids of this renderer's preview requests (events reach every window: they carry the id) */
  const session = Math.random().toString(36).slice(2, 10);
  let requests = 0;

  const put = (key: string, entry: PreviewEntry | undefined) =>
    set((s) => {
      const previews = { ...s.previews };
      if (previews[key] !== entry) releaseEntry(previews[key]);
      delete previews[key]; // re-inserting moves it to the young end
      if (entry) previews[key] = entry;
      return { previews: trim(previews) };
    });

  /** A finished preview as the viewer's entry for `key`, and the source age it estimated. */
  const showResult = (key: string, clip: Clip, result: PreviewResultMessage) => {
    put(key, readyEntry(result));
    if (result.sourceAge && clip.settings.sourceAge === 'auto') {
      set((s) => ({ estimatedAges: { ...s.estimatedAges, [clip.id]: result.sourceAge! } }));
    }
  };

  /** keys already asked of the disk cache, so moving over frames asks each once */
  const askedCache = new Set<string>();

  return {
    previews: {},
    estimatedAges: {},
    autoPreview: false,

    async showCachedPreview() {
      const target = currentPreviewTarget(get());
      if (!target || get().previews[target.key] || askedCache.has(target.key)) return;
      askedCache.add(target.key);
      const { clip, frame, file, key } = target;
      const cached = await client
        .call('preview.cached', { file, frame, settings: clip.settings })
        .catch(() => ({ result: null }));
      // a render asked for meanwhile wins
      if (cached.result && !get().previews[key]) showResult(key, clip, cached.result);
    },

    async renderPreview() {
      const target = currentPreviewTarget(get());
      if (!target) return;
      const existing = get().previews[target.key];
      if (existing?.status === 'ready' || existing?.status === 'rendering') return;
      const { clip, frame, file, key } = target;
      const previewId = `${session}-${++requests}`;
      put(key, { status: 'rendering', startedAt: now(), frame, previewId });
      try {
        const result = await client.call('preview.render', {
          file,
          frame,
          settings: clip.settings,
          group: VIEWER_GROUP,
          previewId,
        });
        showResult(key, clip, result);
      } catch (err) {
        if (err instanceof RequestError && (err.code === 'superseded' || err.code === 'cancelled')) {
          put(key, undefined);
          return;
        }
        put(key, { status: 'error', message: err instanceof Error ? err.message : String(err), frame, file });
      }
    },

    applyPreviewStage(previewId, stage) {
      set((s) => {
        const key = Object.keys(s.previews).find((k) => {
          const e = s.previews[k]!;
          return e.status === 'rendering' && e.previewId === previewId;
        });
        const entry = key === undefined ? undefined : s.previews[key];
        if (key === undefined || entry?.status !== 'rendering') return {};
        const beforeUrl = stage.beforePng ? bytesToUrl(stage.beforePng, 'image/png') : entry.stage?.beforeUrl;
        releaseStage(entry.stage, beforeUrl === entry.stage?.beforeUrl);
        const picture: PreviewStagePicture = {
          stage: stage.stage,
          ...(beforeUrl ? { beforeUrl } : {}),
          afterUrl: bytesToUrl(stage.afterPng, 'image/png'),
          width: stage.width,
          height: stage.height,
          ...(stage.face ? { face: stage.face } : {}),
          ...(stage.faces ? { faces: stage.faces } : {}),
          ...(stage.chosenFace !== undefined ? { chosenFace: stage.chosenFace } : {}),
          ...(stage.maskOutline ? { maskOutline: stage.maskOutline } : {}),
          ...(stage.mattePng ? { matteUrl: bytesToUrl(stage.mattePng, 'image/png') } : {}),
          updates: stage.updates,
          steps: stage.steps,
          ...(stage.warmStartFrame !== undefined ? { warmStartFrame: stage.warmStartFrame } : {}),
          seconds: stage.seconds,
        };
        // in place: the entry keeps its age in the cache order
        return { previews: { ...s.previews, [key]: { ...entry, stage: picture } } };
      });
    },

    setAutoPreview(on) {
      set({ autoPreview: on });
      if (on) void get().renderPreview();
    },
  };
};
