/**
 * Errors that cross process boundaries. Only plain data survives IPC, so every
 * failure is carried as an ErrorInfo (message + code) and rebuilt as a
 * StudioError on the other side, where the code decides what the UI does
 * (a superseded preview is silent, a crashed engine is retried).
 */
import type { ErrorCode, ErrorInfo } from '../../shared/ipc.js';

export class StudioError extends Error {
  override name = 'StudioError';
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function isAbortError(err: unknown): boolean {
  return (
    err instanceof Error && (err.name === 'AbortError' || (err instanceof StudioError && err.code === 'cancelled'))
  );
}

/** Any thrown value as ErrorInfo; aborts become 'cancelled' so callers can tell them from failures. */
export function toErrorInfo(err: unknown, fallback: ErrorCode = 'failed'): ErrorInfo {
  if (err instanceof StudioError) return { code: err.code, message: err.message };
  if (isAbortError(err)) return { code: 'cancelled', message: 'cancelled' };
  if (err instanceof Error) return { code: fallback, message: err.message };
  return { code: fallback, message: String(err) };
}

export function fromErrorInfo(info: ErrorInfo): StudioError {
  return new StudioError(info.code, info.message);
}
