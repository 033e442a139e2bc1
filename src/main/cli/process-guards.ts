/**
 * Process-level plumbing for the `reage` entry points: error messages capped for a
 * terminal, a guard against crash dumps, and Ctrl-C.
 */
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { TextSink } from './progress.js';

/** Longest line kept: errors from the wasm backend can be megabytes on one line. */
const MAX_LINE = 400;
/** Most lines kept: enough for the lists input errors carry (sequences in a folder, …). */
const MAX_LINES = 24;

function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  if (err && typeof err === 'object' && 'message' in err) return String((err as { message: unknown }).message);
  return String(err);
}

function capLine(line: string): string {
  return line.length > MAX_LINE ? `${line.slice(0, MAX_LINE)}…` : line;
}

/**
 * A message as lines fit for a terminal or a log: every line kept (input errors
 * put lists under their first line), each capped, and at most MAX_LINES of them
 * with a count of the rest, so one runaway message cannot flood the output.
 */
export function messageLines(text: string): string[] {
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trimEnd())
    .filter((l) => l.trim() !== '');
  if (!lines.length) return ['unknown error'];
  lines[0] = lines[0]!.trim();
  const kept = lines.slice(0, MAX_LINES).map(capLine);
  const rest = lines.length - kept.length;
  if (rest > 0) kept.push(`  … and ${rest} more line${rest === 1 ? '' : 's'}`);
  return kept;
}

/** What went wrong, in full but capped (see messageLines); several lines when the message has them. */
export function describeError(err: unknown): string {
  return messageLines(messageOf(err)).join('\n');
}

/**
 * One line, for an internal error: there the lines after the first are the throwing
 * source or a stack, not words for the user (the wasm backend's minified glue is
 * megabytes of them).
 */
export function describeInternalError(err: unknown): string {
  return messageLines(messageOf(err))[0]!;
}

/** A listener that reports a stray error in one line and exits 1. */
export function crashListener(kind: string, stderr: TextSink, exit: (code: number) => never): (err: unknown) => void {
  return (err) => {
    stderr.write(`reage: internal error (${kind}): ${describeInternalError(err)}\n`);
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
