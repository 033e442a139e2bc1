/**
 * Previews kept on disk per frame and settings (issue #22: a reload or a crash must not
 * throw away minutes of renders). A preview is found again only for the same file (path,
 * size and modification time), frame, settings and model (its manifest's hash), so a
 * changed plate, setting or model never shows an old picture. Entries are written
 * atomically; the oldest go when the folder passes its size limit; an entry that cannot
 * be read or does not validate is treated as absent and removed.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { previewResultSchema, type AgeSettingsMessage, type PreviewResultMessage } from '../../shared/ipc.js';
import { writeFileAtomic } from '../node/atomic.js';

/** What a cached preview is the preview of. */
export interface PreviewCacheKey {
  file: string;
  frame: number;
  settings: AgeSettingsMessage;
  /** the model's manifest hash: another model's picture is not this one's */
  model: string;
}

/** The default size limit: a few hundred previews of HD plates. */
export const PREVIEW_CACHE_BYTES = 512 * 1024 * 1024;

/** The preview's bytes fields, stored as base64 in the entry's JSON. */
const BYTE_FIELDS = ['beforePng', 'afterPng', 'mattePng'] as const;

/** JSON with keys sorted, so equal settings give equal hashes whatever their order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}

export class PreviewDiskCache {
  constructor(
    private readonly dir: string,
    private readonly maxBytes = PREVIEW_CACHE_BYTES,
  ) {}

  /** The entry's file for `key`, or undefined when the plate cannot be looked at. */
  private async entryPath(key: PreviewCacheKey): Promise<string | undefined> {
    const plate = await stat(key.file).catch(() => undefined);
    if (!plate?.isFile()) return undefined;
    const id = canonical({ ...key, size: plate.size, mtimeMs: plate.mtimeMs });
    return join(this.dir, `${createHash('sha256').update(id).digest('hex')}.json`);
  }

  async get(key: PreviewCacheKey): Promise<PreviewResultMessage | undefined> {
    const path = await this.entryPath(key);
    if (!path) return undefined;
    let raw: Record<string, unknown>;
    try {
      raw = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
    } catch {
      return undefined;
    }
    for (const field of BYTE_FIELDS)
      if (typeof raw[field] === 'string') raw[field] = new Uint8Array(Buffer.from(raw[field], 'base64'));
    const parsed = previewResultSchema.safeParse(raw);
    if (!parsed.success) {
      await rm(path, { force: true });
      return undefined;
    }
    return parsed.data;
  }

  async put(key: PreviewCacheKey, result: PreviewResultMessage): Promise<void> {
    const path = await this.entryPath(key);
    if (!path) return;
    const stored: Record<string, unknown> = { ...result };
    for (const field of BYTE_FIELDS) {
      const bytes = result[field];
      if (bytes) stored[field] = Buffer.from(bytes).toString('base64');
    }
    await mkdir(this.dir, { recursive: true });
    await writeFileAtomic(path, JSON.stringify(stored));
    await this.trim();
  }

  /** Remove the oldest entries while the folder holds more than its limit. */
  private async trim(): Promise<void> {
    const names = (await readdir(this.dir).catch(() => [] as string[])).filter((n) => n.endsWith('.json'));
    const entries = await Promise.all(
      names.map(async (name) => {
        const st = await stat(join(this.dir, name)).catch(() => undefined);
        return { name, size: st?.size ?? 0, mtimeMs: st?.mtimeMs ?? 0 };
      }),
    );
    let total = entries.reduce((n, e) => n + e.size, 0);
    for (const e of entries.sort((a, b) => a.mtimeMs - b.mtimeMs)) {
      if (total <= this.maxBytes) break;
      await rm(join(this.dir, e.name), { force: true });
      total -= e.size;
    }
  }
}
