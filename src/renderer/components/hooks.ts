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
