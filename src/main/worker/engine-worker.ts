/**
 * The engine process entry: an Electron utility process in the studio, a forked
 * Node child in the browser host and tests (run through tsx in development).
 * Options arrive as arguments: --backend=<auto|tensorflow|wasm|cpu> --model=<dir>.
 */
import { BACKEND_CHOICES, type BackendChoice } from '../../shared/ages.js';
import type { ReAgeEngine } from '../engine/api.js';
import { connectToParent } from './channel.js';
import { serveEngine } from './serve.js';

export interface WorkerArgs {
  backend?: BackendChoice;
  modelDir?: string;
}

export function parseWorkerArgs(argv: readonly string[]): WorkerArgs {
  const args: WorkerArgs = {};
  for (const arg of argv) {
    const [key, value] = arg.split(/=(.*)/s, 2) as [string, string | undefined];
    if (key === '--backend' && value && (BACKEND_CHOICES as readonly string[]).includes(value)) {
      args.backend = value as BackendChoice;
    } else if (key === '--model' && value) {
      args.modelDir = value;
    }
  }
  return args;
}

/** The engine (tfjs, sharp, face-api) is imported once the channel is up, so start-up errors reach the parent. */
async function loadEngine(args: WorkerArgs): Promise<ReAgeEngine> {
  const { createEngine } = await import('../engine/engine.js');
  return createEngine({
    ...(args.backend ? { backend: args.backend } : {}),
    ...(args.modelDir ? { modelDir: args.modelDir } : {}),
  });
}

const channel = connectToParent();
channel.onDisconnect(() => process.exit(0));
/** Exit after a moment, so the last message (an error report) is flushed to the parent first. */
function exitSoon(code: number): void {
  setTimeout(() => process.exit(code), 250).unref();
}

process.on('unhandledRejection', (reason) => {
  // a broken engine state is worse than a restart: exit and let the job queue resume
  console.error('[engine-worker] unhandled rejection:', reason);
  exitSoon(1);
});
const engine = await serveEngine(channel, () => loadEngine(parseWorkerArgs(process.argv.slice(2))));
if (!engine) {
  process.exitCode = 1;
  exitSoon(1);
}
