/** Small React hooks shared by the components. */
import { useEffect, useState, useSyncExternalStore } from 'react';
import type { LoadedImage } from '../lib/image-cache.js';
import { useStudioContext } from '../state/store.js';

/** A plate frame or thumbnail as an image URL, loaded on first use and cached. */
export function useFrameImage(path: string | null): { image?: LoadedImage; error?: string } {
  const { images } = useStudioContext();
  useSyncExternalStore(images.subscribe, images.getVersion);
  const image = path ? images.peek(path) : undefined;
  const error = path ? images.error(path) : undefined;
  useEffect(() => {
    if (path) images.prefetch(path);
  }, [images, path]);
  return { ...(image ? { image } : {}), ...(error ? { error } : {}) };
}

/**
 * An element and its content size, kept current with a ResizeObserver (absent in
 * jsdom: then 0 × 0). A callback ref, so an element that mounts later is measured too.
 */
export function useElementSize<T extends HTMLElement>(): {
  ref: (element: T | null) => void;
  element: T | null;
  size: { width: number; height: number };
} {
  const [element, setElement] = useState<T | null>(null);
  const [size, setSize] = useState({ width: 0, height: 0 });
  useEffect(() => {
    if (!element || typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(([entry]) => {
      if (!entry) return;
      const { width, height } = entry.contentRect;
      setSize((s) => (s.width === width && s.height === height ? s : { width, height }));
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, [element]);
  return { ref: setElement, element, size };
}

/** Seconds since `since`, ticking while `active` (for "rendering… 4 s"). */
export function useElapsed(since: number | null, active: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(timer);
  }, [active]);
  return since === null ? 0 : Math.max(0, (now - since) / 1000);
}

/** A decoded picture's RGBA pixels (what the pixel readout and the difference view read). */
export interface Pixels {
  url: string;
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

/** Decoded pictures by URL, the few most recent: A and B of the frame on screen and its neighbours. */
const decoded = new Map<string, Promise<Pixels | null>>();
const DECODED_LIMIT = 6;

/** Decode an image URL into pixels with a canvas, in the renderer; null where that is impossible (jsdom). */
function decodePixels(url: string): Promise<Pixels | null> {
  const cached = decoded.get(url);
  if (cached) return cached;
  const promise = (async () => {
    const img = new Image();
    img.src = url;
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = img.naturalWidth;
    canvas.height = img.naturalHeight;
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    if (!ctx) return null;
    ctx.drawImage(img, 0, 0);
    const { data, width, height } = ctx.getImageData(0, 0, canvas.width, canvas.height);
    return { url, width, height, data };
  })().catch(() => null);
  decoded.set(url, promise);
  while (decoded.size > DECODED_LIMIT) decoded.delete(decoded.keys().next().value!);
  return promise;
}

/**
 * The pixels of the picture at `url`, decoded only while `enabled` (the cursor is
 * over the viewer, or the difference view is on): playback never pays for it.
 */
export function usePixels(url: string | undefined, enabled: boolean): Pixels | null {
  const [pixels, setPixels] = useState<Pixels | null>(null);
  useEffect(() => {
    if (!url || !enabled) return;
    let live = true;
    void decodePixels(url).then((p) => {
      if (live) setPixels(p);
    });
    return () => {
      live = false;
    };
  }, [url, enabled]);
  return pixels && pixels.url === url ? pixels : null;
}
