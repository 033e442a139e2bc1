/**
 * What every `reage` command shares: loading the engine, turning Ctrl-C into an
 * AbortSignal, and mapping an error to its message and exit status.
 */
import type { AgeCommand } from './args.js';
import type { CliDeps, CliEngine } from './deps.js';
import { EXIT_FAILED, EXIT_USAGE } from './frame-output.js';
import { describeError, describeInternalError } from './process-guards.js';
import type { TextSink } from './progress.js';

/** The engine could not start (backend, face networks); the message says which part. */
export class EngineLoadError extends Error {
  override name = 'EngineLoadError';
}

/** Create the engine a command asked for; a load failure names what failed. */
export async function openEngine(deps: CliDeps, cmd: Pick<AgeCommand, 'backend' | 'model'>): Promise<CliEngine> {
  try {
    return await deps.createEngine({ backend: cmd.backend, ...(cmd.model ? { modelDir: cmd.model } : {}) });
  } catch (err) {
    // a ModelError already names the file and the problem: keep it as it is
    if (err instanceof Error && err.name === 'ModelError') throw err;
    // a backend that fails to load says why on its first line; the rest is a require stack or native dump
    throw new EngineLoadError(`cannot start the engine: ${describeInternalError(err)}`, { cause: err });
  }
}

export interface Interruptible {
  signal: AbortSignal;
  release(): void;
}

/**
 * An AbortSignal fired by the user's interrupt. Stopping is graceful: the engine
 * checks the signal between frames and optimisation steps, and frames are written
 * atomically, so no output is ever left half-written.
 */
export function interruptible(deps: CliDeps, announce: (message: string) => void): Interruptible {
  const controller = new AbortController();
  const release =
    deps.onInterrupt?.(() => {
      if (controller.signal.aborted) return;
      announce('reage: interrupted: stopping at the next safe point (Ctrl-C again to quit at once)');
      controller.abort();
    }) ?? (() => undefined);
  return { signal: controller.signal, release };
}

/** Who is speaking in error messages, and where a usage error points the user. */
export interface Speaker {
  program: string;
  usage: string;
}

const REAGE: Speaker = { program: 'reage', usage: 'Run `reage help` for usage.' };

/**
 * Print the message of a command that could not run (every line of it, capped:
 * describeError), and return its exit status:
 * 2 for what the user must change in the command line or the named files, 1 otherwise.
 * Classified by `name` so that this module need not load the engine's modules.
 */
export function reportError(err: unknown, stderr: TextSink, speaker: Speaker = REAGE): number {
  const name = err instanceof Error ? err.name : '';
  const line = `${speaker.program}: ${describeError(err)}\n`;
  switch (name) {
    case 'UsageError':
      stderr.write(`${line}${speaker.usage}\n`);
      return EXIT_USAGE;
    case 'InputError':
      stderr.write(line);
      return EXIT_USAGE;
    case 'ModelError':
      stderr.write(`${line}Name a model folder with --model DIR or REAGE_MODEL.\n`);
      return EXIT_FAILED;
    default:
      stderr.write(line);
      return EXIT_FAILED;
  }
}

/**
 * The engine names a face it cannot find as `face 3: …` or `face at X,Y@F: …`; on the
 * command line they are the flags that asked for it.
 */
export function inFlagWords(err: unknown): unknown {
  if (err instanceof Error && err.name === 'InputError' && /^face /.test(err.message))
    err.message = err.message.replace(/^face at /, '--face-at ').replace(/^face /, '--face ');
  return err;
}
