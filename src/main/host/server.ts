/**
 * `npm run host`: the studio in a local browser. Starts the engine worker as a
 * forked Node child, serves the built renderer and prints the URL (with this
 * launch's token) to open.
 *
 *   npm run host -- [--port N] [--root DIR]... [--backend auto|tensorflow|wasm|cpu] [--model DIR]
 *
 * The studio reads and writes only inside the --root folders (plates, renders,
 * projects; each given as often as needed), the working folder when none is given,
 * and its data folder: whoever holds the URL's token can ask for any path, so the
 * launch decides which ones exist for it (docs/SECURITY.md).
 *
 * Environment: REAGE_MODEL (the model folder when --model is not given; default
 * models/reage-utkface-64), REAGE_BACKEND (the backend when --backend is not
 * given), REAGE_DATA_DIR (recent projects, autosaves; default
 * ~/.config/reage-studio), REAGE_ROOTS (more root folders, separated as in PATH), REAGE_WORKER (another engine worker entry, for
 * development), REAGE_UI_DIR (another renderer build), REAGE_EXPORT_WORKERS (engine
 * workers one shot's export runs on; default one per core as free memory allows).
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AllowedRoots } from '../services/allowed-roots.js';
import { consoleLogger } from '../services/log.js';
import { StudioBackend } from '../services/studio-backend.js';
import { forkWorker } from '../services/worker-transport.js';
import { startHost } from './host.js';

interface HostArgs {
  port: number;
  roots: string[];
  workerArgs: string[];
}

function parseArgs(argv: readonly string[]): HostArgs {
  const args: HostArgs = { port: 0, roots: [], workerArgs: [] };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i]!.split(/=(.*)/s, 2) as [string, string | undefined];
    const value = () => inline ?? argv[++i] ?? '';
    if (flag === '--port') args.port = Number(value());
    else if (flag === '--root') args.roots.push(resolve(value()));
    else if (flag === '--backend') args.workerArgs.push(`--backend=${value()}`);
    else if (flag === '--model') args.workerArgs.push(`--model=${resolve(value())}`);
    else throw new Error(`unknown option ${flag}; use --port, --root, --backend or --model`);
  }
  if (!Number.isInteger(args.port) || args.port < 0 || args.port > 65535) throw new Error('--port needs a port number');
  const env = process.env;
  for (const root of (env.REAGE_ROOTS ?? '').split(delimiter)) if (root) args.roots.push(resolve(root));
  if (!args.roots.length) args.roots.push(process.cwd());
  if (env.REAGE_MODEL && !args.workerArgs.some((a) => a.startsWith('--model=')))
    args.workerArgs.push(`--model=${resolve(env.REAGE_MODEL)}`);
  if (env.REAGE_BACKEND && !args.workerArgs.some((a) => a.startsWith('--backend=')))
    args.workerArgs.push(`--backend=${env.REAGE_BACKEND}`);
  return args;
}

/** Running from source (tsx) the siblings are .ts files; built, they are .js. */
const here = fileURLToPath(import.meta.url);
const ext = here.endsWith('.ts') ? '.ts' : '.js';

function defaultUiDir(): string {
  // src/main/host -> <repo>/dist/ui when run from source; dist/main/host -> dist/ui when built
  const candidates = [resolve(here, '../../../../dist/ui'), resolve(here, '../../../ui')];
  return candidates.find((dir) => existsSync(join(dir, 'index.html'))) ?? candidates[0]!;
}

function defaultDataDir(): string {
  const config = process.env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(config, 'reage-studio');
}

const args = parseArgs(process.argv.slice(2));
const log = consoleLogger('host');
const workerScript = process.env.REAGE_WORKER ?? resolve(here, `../../worker/engine-worker${ext}`);
const backend = new StudioBackend({
  launchWorker: () => forkWorker({ script: workerScript, args: args.workerArgs }),
  dataDir: process.env.REAGE_DATA_DIR ?? defaultDataDir(),
  roots: new AllowedRoots(args.roots),
  log,
});
backend.start();
const host = await startHost({
  backend,
  staticDir: process.env.REAGE_UI_DIR ?? defaultUiDir(),
  port: args.port,
  log,
});
// the e2e test reads this line; keep its shape
console.log(`ReAge Studio is running at ${host.url}`);
console.log(`It may read and write inside: ${(await backend.roots.list()).join(', ')}`);

let closing = false;
async function shutdown(): Promise<void> {
  if (closing) return;
  closing = true;
  backend.dispose();
  await host.close();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown());
process.on('SIGTERM', () => void shutdown());
