/**
 * Reading a small file that input names (a project, a shot plan) without letting a
 * huge one fill memory: the size is checked on the open handle, and the read stops at
 * the limit, so a file that grows after the check is still cut off.
 */
import { open, type FileHandle } from 'node:fs/promises';

/** The file is larger than the caller's limit. */
export class FileTooLargeError extends Error {
  override name = 'FileTooLargeError';
  constructor(
    readonly path: string,
    readonly limit: number,
  ) {
    super(`${path} is larger than ${limit} bytes`);
  }
}

/** The path is a folder, a device or a pipe: nothing a limit can be checked on. */
export class NotAFileError extends Error {
  override name = 'NotAFileError';
  constructor(readonly path: string) {
    super(`${path} is not a file`);
  }
}

/**
 * The file's text (UTF-8); FileTooLargeError past `maxBytes`, NotAFileError for
 * anything but a regular file; other I/O errors come through as they are.
 */
export async function readTextWithin(path: string, maxBytes: number): Promise<string> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(path, 'r');
    const info = await handle.stat();
    if (!info.isFile()) throw new NotAFileError(path);
    if (info.size > maxBytes) throw new FileTooLargeError(path, maxBytes);
    const buffer = Buffer.alloc(Math.min(info.size, maxBytes) + 1);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    if (bytesRead > maxBytes) throw new FileTooLargeError(path, maxBytes);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle?.close();
  }
}

/** A stream's text to its end (standard input, say), refusing more than `maxBytes`. */
export async function readStreamWithin(stream: NodeJS.ReadableStream, maxBytes: number, name: string): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buffer.length;
    if (size > maxBytes) throw new FileTooLargeError(name, maxBytes);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
