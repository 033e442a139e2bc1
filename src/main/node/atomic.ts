/**
 * Atomic file writes: the data goes to a hidden temp file beside the target, is
 * fsynced, then renamed over the target. A crash, a full disk or a killed render
 * therefore leaves either the old file or the complete new one, never a half-written
 * frame that --resume would mistake for finished work. The temp lives in the same
 * folder because rename is only atomic within one file system.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Writes the content through an open handle; for content produced in pieces. */
export type AtomicWriter = (file: FileHandle) => Promise<void>;

/**
 * `<dir>/.<name>.<random>.tmp`: hidden (leading dot) so folder scans and sequence
 * detection skip it, unique so concurrent writers never share one.
 */
export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
}

async function removeQuietly(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch {
    // already gone, or never created: nothing to clean up
  }
}

/** Best-effort fsync of the folder so the rename itself survives a power cut (POSIX only). */
async function syncDir(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // Windows cannot open folders; the file's own fsync already happened
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/**
 * Replace `path` with `data` atomically. `data` may be bytes, text (UTF-8) or a
 * writer callback. On any failure the temp file is removed, an existing file at
 * `path` is left untouched, and the original error is rethrown.
 */
export async function writeFileAtomic(
  path: string,
  data: Uint8Array | string | AtomicWriter,
  mode = 0o666,
): Promise<void> {
  const temp = tempPathFor(path);
  let handle: FileHandle | undefined;
  try {
    // 'wx' refuses to reuse an existing file, so a name clash can never clobber someone else's temp
    handle = await open(temp, 'wx', mode);
    if (typeof data === 'function') await data(handle);
    else await handle.writeFile(data);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(temp, path);
  } catch (err) {
    await handle?.close().catch(() => undefined);
    await removeQuietly(temp);
    throw err;
  }
  await syncDir(dirname(path));
}

/**
 * Create and remove the temp file an atomic write of `path` would use, so an
 * unwritable folder (permissions, a read-only disk, a name too long for the temp)
 * shows up before hours of work rather than at the first write. Rethrows the fs error.
 */
export async function probeAtomicWrite(path: string): Promise<void> {
  const temp = tempPathFor(path);
  const handle = await open(temp, 'wx');
  try {
    await handle.close();
  } finally {
    // hidden like every temp, so one left behind is never taken for a frame
    await removeQuietly(temp);
  }
}
