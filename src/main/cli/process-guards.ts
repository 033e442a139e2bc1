/**
 * Process-level plumbing for the `reage` entry points: one-line error messages,
 * a guard against crash dumps, and Ctrl-C.
 */
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { TextSink } from './progress.js';

const MAX_MESSAGE = 400;

/**
 * One line saying what went wrong. Errors from the wasm backend can carry huge
 * messages (or be thrown from a single-line minified file), so only the first line
 * is kept and it is capped.
 */
export function describeError(err: unknown): string {
  let text: string;
  if (err instanceof Error) text = err.message || err.name;
  else if (err && typeof err === 'object' && 'message' in err) text = String((err as { message: unknown }).message);
  else text = String(err);
  const line = text.split('\n')[0]?.trim() || 'unknown error';
  return line.length > MAX_MESSAGE ? `${line.slice(0, MAX_MESSAGE)}…` : line;
}

/** A listener that reports a stray error in one line and exits 1. */
export function crashListener(kind: string, stderr: TextSink, exit: (code: number) => never): (err: unknown) => void {
  return (err) => {
    stderr.write(`reage: internal error (${kind}): ${describeError(err)}\n`);
    exit(1);
  };
}

/**
 * Report a stray rejection or exception in one line and exit 1. Without this the
 * wasm backend's Emscripten glue, which registers its own listeners that rethrow,
 * makes Node print the throwing source line: megabytes of minified JavaScript.
 * Prepended so these run before any listener a backend adds later.
 */
export function installCrashGuards(stderr: TextSink, exit: (code: number) => never = process.exit): void {
  process.prependListener('unhandledRejection', crashListener('unhandled rejection', stderr, exit));
  process.prependListener('uncaughtException', crashListener('uncaught exception', stderr, exit));
}

/**
 * A parent that forwards signals (npm run, a launcher) delivers one Ctrl-C twice,
 * and both copies reach the listener back to back once the event loop is free:
 * presses closer together than this count as one.
 */
const REPEAT_PRESS_MS = 1000;

/**
 * Ctrl-C policy: the first press calls `handler` (a graceful stop); a later press
 * exits 130 at once, for a user who will not wait for the current frame.
 */
export function sigintListener(
  handler: () => void,
  exit: (code: number) => never = process.exit,
  now: () => number = Date.now,
): () => void {
  let first: number | undefined;
  return () => {
    if (first === undefined) {
      first = now();
      handler();
    } else if (now() - first > REPEAT_PRESS_MS) exit(130);
  };
}

/** Subscribe to Ctrl-C (SIGINT) with `sigintListener`'s policy; returns the unsubscribe. */
export function onSigint(handler: () => void): () => void {
  const listener = sigintListener(handler);
  process.on('SIGINT', listener);
  return () => process.off('SIGINT', listener);
}

/** Whether the module at `moduleUrl` is the script Node was asked to run (not an import). */
export function isEntryPoint(moduleUrl: string): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return pathToFileURL(realpathSync(script)).href === moduleUrl;
  } catch {
    return false;
  }
}
