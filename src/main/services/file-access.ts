/**
 * The file-system actions the renderer needs but cannot do itself (a browser page
 * cannot read local paths): list a folder, read an image for display. Both take
 * absolute paths only, so nothing depends on the server's working folder, and
 * reading is limited to image files.
 */
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { extname, isAbsolute, resolve } from 'node:path';
import type { FolderEntry } from '../../shared/ipc.js';
import { StudioError } from './errors.js';

const IMAGE_TYPES: Record<string, string> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.tif': 'image/tiff',
  '.tiff': 'image/tiff',
  '.exr': 'image/x-exr',
  '.dpx': 'image/x-dpx',
};

/** Images the viewer can show directly; others (TIFF, OpenEXR, DPX) are shown once the engine has rendered them. */
export const BROWSER_IMAGE_TYPES = new Set(['image/png', 'image/jpeg']);

export interface FileAccessOptions {
  /** refuse images larger than this (a 4K 16-bit TIFF is ~100 MB) */
  maxImageBytes?: number;
}

/** The magic numbers each type's files start with (TIFF: either byte order). */
const SIGNATURES: Record<string, readonly (readonly number[])[]> = {
  'image/png': [[0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]],
  'image/jpeg': [[0xff, 0xd8, 0xff]],
  'image/tiff': [
    [0x49, 0x49, 0x2a, 0x00],
    [0x4d, 0x4d, 0x00, 0x2a],
    [0x49, 0x49, 0x2b, 0x00],
    [0x4d, 0x4d, 0x00, 0x2b],
  ],
  'image/x-exr': [[0x76, 0x2f, 0x31, 0x01]],
  // 'SDPX' big-endian, 'XPDS' little-endian
  'image/x-dpx': [
    [0x53, 0x44, 0x50, 0x58],
    [0x58, 0x50, 0x44, 0x53],
  ],
};

function hasSignature(bytes: Uint8Array, mime: string): boolean {
  return (SIGNATURES[mime] ?? []).some((sig) => sig.every((b, i) => bytes[i] === b));
}

function mimeName(mime: string): string {
  return mime.slice('image/'.length).replace(/^x-/, '').toUpperCase();
}

function requireAbsolute(path: string): string {
  if (!isAbsolute(path)) throw new StudioError('invalid-request', `${path} is not an absolute path`);
  return resolve(path);
}

function ioError(path: string, err: unknown): StudioError {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new StudioError('not-found', `${path} does not exist`);
  if (code === 'ENOTDIR') return new StudioError('invalid-request', `${path} is not a folder`);
  if (code === 'EACCES' || code === 'EPERM') return new StudioError('io', `no permission to read ${path}`);
  return new StudioError('io', `cannot read ${path}: ${(err as Error).message}`);
}

const byName = new Intl.Collator('en', { numeric: true }).compare;

export class FileAccess {
  private readonly maxImageBytes: number;

  constructor(options: FileAccessOptions = {}) {
    this.maxImageBytes = options.maxImageBytes ?? 256 * 1024 * 1024;
  }

  /** Visible entries of a folder (dot files hidden: they include the engine's temp files), sorted naturally. */
  async listFolder(path: string): Promise<{ path: string; entries: FolderEntry[] }> {
    const folder = requireAbsolute(path);
    try {
      const dirents = await readdir(folder, { withFileTypes: true });
      const entries = dirents
        .filter((d) => !d.name.startsWith('.') && (d.isFile() || d.isDirectory() || d.isSymbolicLink()))
        .map((d): FolderEntry => ({ name: d.name, kind: d.isDirectory() ? 'folder' : 'file' }))
        .sort((a, b) => byName(a.name, b.name));
      return { path: folder, entries };
    } catch (err) {
      throw ioError(folder, err);
    }
  }

  /**
   * An image's bytes. The name (and, through a symlink, its target's name) must say
   * image, and so must the first bytes: a file that merely carries an image's name
   * is refused without any of its content in the error.
   */
  async readImage(path: string): Promise<{ path: string; mime: string; bytes: Uint8Array }> {
    const file = requireAbsolute(path);
    const mime = IMAGE_TYPES[extname(file).toLowerCase()];
    if (!mime) throw new StudioError('invalid-request', `${file} is not a PNG, JPEG, TIFF, OpenEXR or DPX image`);
    try {
      const target = await realpath(file);
      if (IMAGE_TYPES[extname(target).toLowerCase()] !== mime)
        throw new StudioError('invalid-request', `${file} links to a file that is not a ${mimeName(mime)} image`);
      const info = await stat(target);
      if (!info.isFile()) throw new StudioError('invalid-request', `${file} is not a file`);
      if (info.size > this.maxImageBytes) throw new StudioError('io', `${file} is too large to display`);
      const buffer = await readFile(target);
      if (!hasSignature(buffer, mime))
        throw new StudioError(
          'invalid-request',
          `${file} cannot be displayed: the file is not a readable image (it does not start as a ${mimeName(mime)} file does)`,
        );
      return { path: file, mime, bytes: new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength) };
    } catch (err) {
      if (err instanceof StudioError) throw err;
      throw ioError(file, err);
    }
  }
}
