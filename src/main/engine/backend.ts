/**
 * Picks and initialises the tfjs backend every network in the engine runs on.
 *
 * Preference for 'auto': native TensorFlow with CUDA (@tensorflow/tfjs-node-gpu),
 * native TensorFlow on the CPU (@tensorflow/tfjs-node), WebAssembly (XNNPACK, SIMD),
 * then the plain-JS cpu backend. The native packages are optional dependencies: their
 * install downloads libtensorflow, which fails on offline machines, and npm then drops
 * them. So every candidate is imported dynamically, switched to and verified with a
 * tiny op; each failure is kept (name + reason) so `reage info` can say why a faster
 * backend is not in use.
 *
 * There is one tf instance in the project (`@tensorflow/tfjs`); the native packages
 * and the wasm backend register themselves into that same engine.
 */
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as tfwasm from '@tensorflow/tfjs-backend-wasm';
import { BACKEND_CHOICES, type ActiveBackend, type BackendChoice } from '../../shared/ages.js';

/** How the active backend runs (SIMD and threads of wasm, what was tried first): declared once in src/shared/ipc.ts. */
import type { BackendDetailsMessage as BackendInfo } from '../../shared/ipc.js';
export type { BackendInfo };

/** Candidates in preference order for each choice. */
const ORDER: Record<BackendChoice, readonly ActiveBackend[]> = {
  auto: ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'],
  tensorflow: ['tensorflow-gpu', 'tensorflow'],
  wasm: ['wasm'],
  cpu: ['cpu'],
};

let current: { choice: BackendChoice; info: Promise<BackendInfo> } | undefined;
let resolved: BackendInfo | undefined;

function message(e: unknown): string {
  if (e instanceof Error) return e.message.split('\n')[0] ?? e.message;
  if (e && typeof e === 'object' && 'message' in e) return String((e as { message: unknown }).message);
  return String(e);
}

/** A backend can register and even "initialise" yet fail on the first kernel: run one. */
async function verify(): Promise<void> {
  const y = tf.tidy(() => tf.add(tf.tensor1d([1, 2, 3]), tf.scalar(1)));
  try {
    const v = await y.data();
    if (v[0] !== 2 || v[1] !== 3 || v[2] !== 4) throw new Error(`self-test gave [${Array.from(v).join(', ')}]`);
  } finally {
    y.dispose();
  }
}

async function switchTo(name: string): Promise<void> {
  // setBackend resolves false (after logging) rather than throwing when init fails.
  if (!(await tf.setBackend(name))) throw new Error(`tf.setBackend('${name}') failed to initialise`);
  await tf.ready();
  await verify();
}

/**
 * The native bindings. Both packages register a backend called 'tensorflow', so only
 * one may be imported per process: the gpu package is tried first. If it loads but
 * sees no GPU it is still a working CPU TensorFlow, and serves the 'tensorflow' step.
 */
let nativeLoaded: '@tensorflow/tfjs-node-gpu' | '@tensorflow/tfjs-node' | undefined;

async function initNative(name: 'tensorflow-gpu' | 'tensorflow'): Promise<void> {
  const spec = name === 'tensorflow-gpu' ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node';
  if (!nativeLoaded) {
    try {
      // A variable specifier keeps TypeScript from resolving packages that may not be installed.
      const moduleName: string = spec;
      await import(moduleName);
    } catch (e) {
      throw new Error(`${spec} is not usable: ${message(e)}`, { cause: e });
    }
    nativeLoaded = spec;
  } else if (name === 'tensorflow-gpu' && nativeLoaded !== spec) {
    throw new Error(`${nativeLoaded} is already loaded; ${spec} cannot be loaded beside it`);
  }
  await switchTo('tensorflow');
  if (name === 'tensorflow-gpu') {
    // libtensorflow-gpu silently runs on the CPU when no CUDA device is visible.
    const backend = tf.backend() as unknown as { isUsingGpuDevice?: boolean };
    if (backend.isUsingGpuDevice === false) throw new Error(`${spec} loaded but sees no CUDA GPU`);
  }
}

/** Folder of the wasm binaries, wherever the package is installed (hoisted or nested). */
export function wasmBinaryDir(): string {
  const require = createRequire(import.meta.url);
  return dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + sep;
}

let wasmPathsSet = false;

async function initWasm(): Promise<Pick<BackendInfo, 'threads' | 'simd'>> {
  // Emscripten reads these paths with fs in Node. Set once: the backend refuses a second call.
  if (!wasmPathsSet) {
    const dir = wasmBinaryDir();
    tfwasm.setWasmPaths({
      'tfjs-backend-wasm.wasm': join(dir, 'tfjs-backend-wasm.wasm'),
      'tfjs-backend-wasm-simd.wasm': join(dir, 'tfjs-backend-wasm-simd.wasm'),
      'tfjs-backend-wasm-threaded-simd.wasm': join(dir, 'tfjs-backend-wasm-threaded-simd.wasm'),
    });
    wasmPathsSet = true;
  }
  // SIMD is detected by tfjs and used when present. Threads: tfjs reports no
  // multithreading under Node (tfjs issue #3830) and it cannot be forced: the threaded
  // build starts its workers from blob: URLs, which Node's Worker rejects. So wasm is
  // single-threaded here and the flag is left to tfjs, which enables it where it works.
  await switchTo('wasm');
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  return { simd: simd === true, threads: tfwasm.getThreadsCount() };
}

async function tryBackend(name: ActiveBackend): Promise<Pick<BackendInfo, 'threads' | 'simd'>> {
  switch (name) {
    case 'tensorflow-gpu':
    case 'tensorflow':
      await initNative(name);
      return {};
    case 'wasm':
      return initWasm();
    case 'cpu':
      await switchTo('cpu');
      return {};
  }
}

function parseChoice(choice: BackendChoice | undefined): BackendChoice {
  const c = choice ?? process.env.REAGE_BACKEND ?? 'auto';
  if (!(BACKEND_CHOICES as readonly string[]).includes(c)) {
    throw new Error(`unknown backend '${c}' (REAGE_BACKEND / --backend): use one of ${BACKEND_CHOICES.join(', ')}`);
  }
  return c as BackendChoice;
}

async function select(choice: BackendChoice): Promise<BackendInfo> {
  const tried: BackendInfo['tried'] = [];
  for (const name of ORDER[choice]) {
    try {
      const extra = await tryBackend(name);
      return { name, ...extra, tried };
    } catch (e) {
      tried.push({ name, error: message(e) });
    }
  }
  const why = tried.map((t) => `${t.name}: ${t.error}`).join('; ');
  throw new Error(`backend '${choice}' is not available (${why})`);
}

/** Whether an already-active backend satisfies a later request. */
function satisfies(active: ActiveBackend, choice: BackendChoice): boolean {
  return choice === 'auto' || ORDER[choice].includes(active);
}

/**
 * Initialise the backend once per process. `choice` defaults to REAGE_BACKEND, then
 * 'auto'. Later calls return the same info; a later call forcing a backend other than
 * the active one throws rather than silently switching every loaded network.
 * A forced backend ('tensorflow', 'wasm', 'cpu') that cannot start throws, naming it
 * and the reason.
 */
export async function initBackend(choice?: BackendChoice): Promise<BackendInfo> {
  const c = parseChoice(choice);
  if (!current) {
    const info = select(c).then((i) => (resolved = i));
    // A failed selection is not cached, so a caller may retry with another choice.
    info.catch(() => (current = undefined));
    current = { choice: c, info };
    return info;
  }
  const info = await current.info;
  if (!satisfies(info.name, c)) {
    throw new Error(
      `backend already initialised as '${info.name}' (requested '${c}'); choose the backend before loading any model`,
    );
  }
  return info;
}

/** The backend `initBackend` chose. Throws if it has not completed yet. */
export function activeBackend(): ActiveBackend {
  if (!resolved) throw new Error('initBackend() has not completed');
  return resolved.name;
}
