/**
 * What the in-app file browser shows of a folder (the browser host has no native
 * dialog): folders, files, and numbered image sequences collapsed to one entry each
 * with their frames, hidden files left out, folders first, then by name with
 * numbers in order. The caller has already checked that the folder lies inside the
 * allowed roots (by its real path); a symlink in it is listed only when its target
 * does too, so nothing outside the roots is shown or reachable from here.
 */
import type { Stats } from 'node:fs';
import { opendir, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { FILES_LIST_LIMIT, type BrowserEntry, type BrowserEntryKind } from '../../shared/ipc.js';
import { PLATE_FILE, describeFrames, detectSequences } from '../../shared/sequence.js';
import { StudioError } from './errors.js';


export interface BrowseOptions {
  /** whether a path lies inside the allowed roots (a symlink's target is asked about) */
  allows(path: string): Promise<boolean>;
  /** entries returned; FILES_LIST_LIMIT by default */
  limit?: number;
  /** names read from the folder before the rest is ignored (a folder of a million frames) */
  scanLimit?: number;
}

interface Found {
  name: string;
  kind: 'folder' | 'file';
  /** a symlink's target, already stat'ed */
  stats?: Stats;
}

const byName = new Intl.Collator('en', { numeric: true }).compare;

function listError(dir: string, err: unknown): StudioError {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new StudioError('not-found', `${dir} does not exist`);
  if (code === 'ENOTDIR') return new StudioError('invalid-request', `${dir} is not a folder`);
  if (code === 'EACCES' || code === 'EPERM') return new StudioError('io', `no permission to read ${dir}`);
  return new StudioError('io', `cannot read ${dir}: ${(err as Error).message}`);
}

async function statOrNull(path: string): Promise<Stats | null> {
  try {
    return await stat(path);
  } catch {
    return null;
  }
}

/** A symlink's target, when it exists, lies inside the roots and is a file or folder. */
async function linkTarget(path: string, allows: BrowseOptions['allows']): Promise<Stats | null> {
  let target: string;
  try {
    target = await realpath(path);
  } catch {
    return null; // dangling
  }
  if (!(await allows(target))) return null;
  const stats = await statOrNull(target);
  return stats && (stats.isDirectory() || stats.isFile()) ? stats : null;
}

/** The folder's entries for the file browser; `dir` must be a real path inside the roots. */
export async function browseFolder(
  dir: string,
  options: BrowseOptions,
): Promise<{ entries: BrowserEntry[]; truncated: boolean }> {
  const limit = options.limit ?? FILES_LIST_LIMIT;
  const scanLimit = options.scanLimit ?? 200_000;
  const found: Found[] = [];
  const links: string[] = [];
  let truncated = false;
  try {
    const handle = await opendir(dir, { bufferSize: 256 });
    let read = 0;
    for await (const d of handle) {
      if (d.name.startsWith('.')) continue; // hidden, and the engine's temporary files
      if (++read > scanLimit) {
        truncated = true;
        break; // leaving the loop closes the folder
      }
      if (d.isDirectory()) found.push({ name: d.name, kind: 'folder' });
      else if (d.isFile()) found.push({ name: d.name, kind: 'file' });
      else if (d.isSymbolicLink()) links.push(d.name);
      // sockets, pipes, devices: nothing to open
    }
  } catch (err) {
    throw listError(dir, err);
  }
  const targets = await Promise.all(links.map((name) => linkTarget(join(dir, name), options.allows)));
  links.forEach((name, i) => {
    const stats = targets[i];
    if (stats) found.push({ name, kind: stats.isDirectory() ? 'folder' : 'file', stats });
  });

  const stats = new Map(found.filter((f) => f.stats).map((f) => [f.name, f.stats!]));
  const rows: (BrowserEntry & { first?: string })[] = [];
  const frameFiles: string[] = [];
  for (const f of found) {
    // the plate formats are grouped into sequences; other numbered files (logs, projects) stay single files
    if (f.kind === 'file' && PLATE_FILE.test(f.name)) frameFiles.push(f.name);
    else rows.push({ name: f.name, path: join(dir, f.name), kind: f.kind });
  }
  for (const seq of detectSequences(frameFiles)) {
    if (seq.kind === 'sequence' && seq.files.length > 1) {
      rows.push({
        name: seq.pattern,
        path: join(dir, seq.pattern),
        kind: 'sequence',
        frames: describeFrames(seq),
        first: seq.files[0]!,
      });
    } else {
      for (const name of seq.files) rows.push({ name, path: join(dir, name), kind: 'file' });
    }
  }
  const order: Record<BrowserEntryKind, number> = { folder: 0, sequence: 1, file: 1 };
  rows.sort((a, b) => order[a.kind] - order[b.kind] || byName(a.name, b.name));
  if (rows.length > limit) truncated = true;
  const kept = rows.slice(0, limit);

  const entries = await Promise.all(
    kept.map(async ({ first, ...entry }): Promise<BrowserEntry> => {
      const name = first ?? entry.name;
      const info = stats.get(name) ?? (await statOrNull(join(dir, name)));
      if (!info) return entry;
      return {
        ...entry,
        ...(entry.kind === 'file' ? { size: info.size } : {}),
        modifiedAt: Math.round(info.mtimeMs),
      };
    }),
  );
  return { entries, truncated };
}
