/**
 * Plate frames and thumbnails as image URLs, loaded once through the backend and
 * kept in a least-recently-used cache, so scrubbing and playback reuse them.
 */
import { bytesToUrl, revokeUrl } from './object-url.js';

export interface LoadedImage {
  url: string;
  mime: string;
  /** browsers cannot show TIFF: such plates are shown once the engine has rendered them */
  displayable: boolean;
}

export type ImageReader = (path: string) => Promise<{ bytes: Uint8Array; mime: string }>;

const DISPLAYABLE = new Set(['image/png', 'image/jpeg']);

export class ImageCache {
  private readonly entries = new Map<string, LoadedImage>();
  private readonly loading = new Map<string, Promise<LoadedImage>>();
  private readonly failures = new Map<string, string>();
  private readonly listeners = new Set<() => void>();
  private version = 0;

  constructor(
    private readonly read: ImageReader,
    private readonly capacity = 200,
  ) {}

  peek(path: string): LoadedImage | undefined {
    return this.entries.get(path);
  }

  error(path: string): string | undefined {
    return this.failures.get(path);
  }

  /** Changes whenever an image arrives or fails: lets React re-read. */
  getVersion = (): number => this.version;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  load(path: string): Promise<LoadedImage> {
    const cached = this.entries.get(path);
    if (cached) {
      // refresh its place in the LRU order
      this.entries.delete(path);
      this.entries.set(path, cached);
      return Promise.resolve(cached);
    }
    const inFlight = this.loading.get(path);
    if (inFlight) return inFlight;
    const promise = this.read(path)
      .then(({ bytes, mime }) => {
        const image = { url: bytesToUrl(bytes, mime), mime, displayable: DISPLAYABLE.has(mime) };
        this.entries.set(path, image);
        this.failures.delete(path);
        this.evict();
        return image;
      })
      .catch((err: unknown) => {
        this.failures.set(path, err instanceof Error ? err.message : String(err));
        throw err;
      })
      .finally(() => {
        this.loading.delete(path);
        this.changed();
      });
    this.loading.set(path, promise);
    return promise;
  }

  /** Start loading without waiting (playback look-ahead); failures are remembered, not thrown. */
  prefetch(path: string): void {
    if (!this.entries.has(path) && !this.loading.has(path) && !this.failures.has(path)) this.load(path).catch(() => {});
  }

  private evict(): void {
    while (this.entries.size > this.capacity) {
      const [oldest, image] = this.entries.entries().next().value as [string, LoadedImage];
      this.entries.delete(oldest);
      revokeUrl(image.url);
    }
  }

  private changed(): void {
    this.version++;
    for (const listener of this.listeners) listener();
  }
}
