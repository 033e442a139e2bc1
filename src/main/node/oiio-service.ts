/**
 * The client of ReAge's OpenImageIO service (oiio-service.py beside this file): OpenEXR,
 * DPX and float TIFF plates are read and written, and colours converted with
 * OpenColorIO, by a Python process driven over its stdin and stdout. Importing
 * OpenImageIO costs about half a second per Python start, so there is one process per
 * Node process: started at the first request, sent one request at a time, started
 * again at the next request if it died, and killed when Node exits (it also ends by
 * itself when its stdin closes). While idle it does not keep Node alive.
 *
 * The interpreter is REAGE_PYTHON, else /usr/bin/python3 where it exists (Debian's
 * python3-openimageio installs the module for it), else `python3` on the PATH.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The first words of every error that comes from OpenImageIO (or its Python) being unavailable. */
export const OIIO_NEEDED =
  "EXR, DPX and float TIFF plates need OpenImageIO's Python module (Debian: python3-openimageio; elsewhere: pip install OpenImageIO)";

/**
 * Why a request failed. `unavailable`: no service (no Python, no OpenImageIO); `missing`:
 * the file cannot be opened; `magic`: not the format its reader expected; `truncated`:
 * cut short or corrupt; `refused`: a file ReAge does not read (deep, multi-part, ...),
 * the message says why and what to do; `oversize`: a data window over the limits given
 * (width and height set); `stopped`: the service died during the request; `failed`:
 * anything else.
 */
export type OiioErrorKind =
  'unavailable' | 'missing' | 'magic' | 'truncated' | 'refused' | 'oversize' | 'stopped' | 'failed';

export class OiioError extends Error {
  override name = 'OiioError';
  constructor(
    readonly kind: OiioErrorKind,
    message: string,
    readonly size?: { width: number; height: number },
  ) {
    super(message);
  }
}

/** What the service reports of a file it read. Windows are in pixels; the data window is x, y, width, height. */
export interface OiioSpec {
  /** OpenImageIO's format name: openexr, dpx, tiff, ... */
  format: string;
  width: number;
  height: number;
  x: number;
  y: number;
  fullX: number;
  fullY: number;
  fullWidth: number;
  fullHeight: number;
  channelNames: string[];
  /** OpenImageIO's type names per channel: half, float, uint8, uint16, uint32, ... */
  channelTypes: string[];
  /** the channel OpenImageIO takes for alpha, -1 when none */
  alphaChannel: number;
  /** 0 for scanline files */
  tileWidth: number;
  tileHeight: number;
  /** '' when the format has none */
  compression: string;
  subimages: number;
  deep: boolean;
  /** every attribute the file carries, name -> its value as JSON */
  attributes: Record<string, unknown>;
  /** name -> OpenImageIO type (string, int, float[8], rational2i, timecode, ...), to write the attribute back as it was */
  attributeTypes: Record<string, string>;
}

/** What a write needs: channels, types and windows; attributes with their OpenImageIO types. */
export interface OiioWriteSpec {
  width: number;
  height: number;
  x?: number;
  y?: number;
  fullX?: number;
  fullY?: number;
  fullWidth?: number;
  fullHeight?: number;
  channelNames: string[];
  channelTypes: string[];
  alphaChannel?: number;
  tileWidth?: number;
  tileHeight?: number;
  compression?: string;
  attributes?: Record<string, unknown>;
  attributeTypes?: Record<string, string>;
}

export type OiioWriteFormat = 'openexr' | 'dpx' | 'tiff';

export interface OiioReadLimits {
  maxSide: number;
  maxPixels: number;
  /** pixels × channels */
  maxSamples: number;
}

/** The interpreter the service runs on. */
export function pythonInterpreter(): string {
  const named = process.env.REAGE_PYTHON;
  if (named) return named;
  return existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
}

/**
 * The service's script: beside this module, from the sources (tsx) and from the build
 * (the build copies it into dist/). In a packaged app this module is inside app.asar,
 * which Python cannot read; electron-builder unpacks the script to app.asar.unpacked.
 */
export function oiioServiceScript(): string {
  return outsideAsar(fileURLToPath(new URL('./oiio-service.py', import.meta.url)));
}

/** A path inside a packaged app's app.asar, as electron-builder's asarUnpack puts it beside (app.asar.unpacked). */
export function outsideAsar(path: string): string {
  return path.replace(/([\\/])app\.asar([\\/])/, '$1app.asar.unpacked$2');
}

// ---------------------------------------------------------------------------
// Framing: a 4-byte little-endian length, that much JSON, then `payload_bytes` raw bytes.

interface Message {
  header: Record<string, unknown>;
  payload: Uint8Array;
}

function frame(header: Record<string, unknown>, payload?: Uint8Array): Buffer[] {
  const body = Buffer.from(
    JSON.stringify(payload?.byteLength ? { ...header, payload_bytes: payload.byteLength } : header),
  );
  const length = Buffer.alloc(4);
  length.writeUInt32LE(body.length);
  return payload?.byteLength
    ? [length, body, Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength)]
    : [length, body];
}

/** Collects stdout chunks into messages; a payload lands in its own (4-byte aligned) buffer, copied once. */
class FrameReader {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private header: Record<string, unknown> | undefined;
  private payload: Uint8Array | undefined;
  private filled = 0;

  constructor(private readonly onMessage: (m: Message) => void) {}

  push(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length) {
      if (this.payload) {
        const n = Math.min(this.payload.length - this.filled, chunk.length - offset);
        this.payload.set(chunk.subarray(offset, offset + n), this.filled);
        this.filled += n;
        offset += n;
        if (this.filled === this.payload.length) this.emit(this.payload);
        continue;
      }
      this.pending.push(chunk.subarray(offset));
      this.pendingBytes += chunk.length - offset;
      offset = chunk.length;
      for (;;) {
        if (this.pendingBytes < 4) break;
        const joined = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending);
        const length = joined.readUInt32LE(0);
        if (joined.length < 4 + length) {
          this.pending = [joined];
          break;
        }
        this.header = JSON.parse(joined.subarray(4, 4 + length).toString('utf8')) as Record<string, unknown>;
        const rest = joined.subarray(4 + length);
        this.pending = [];
        this.pendingBytes = 0;
        const size = Number(this.header.payload_bytes ?? 0);
        if (size > 0) {
          this.payload = new Uint8Array(new ArrayBuffer(size));
          this.filled = 0;
          // what followed the header belongs to the payload (and perhaps the next message)
          if (rest.length) this.push(rest);
          break;
        }
        this.emit(new Uint8Array(0));
        if (!rest.length) break;
        this.pending = [rest];
        this.pendingBytes = rest.length;
      }
    }
  }

  private emit(payload: Uint8Array): void {
    const header = this.header!;
    this.header = undefined;
    this.payload = undefined;
    this.filled = 0;
    this.onMessage({ header, payload });
  }
}

// ---------------------------------------------------------------------------
// The process

interface Unrefable {
  ref?(): void;
  unref?(): void;
}

const HELLO_TIMEOUT_MS = 60_000;
/** Longer than any read or write of a frame within the size limits takes (a 100-megapixel EXR: seconds). */
const REQUEST_TIMEOUT_MS = 300_000;

class OiioService {
  private child: ChildProcess | undefined;
  private ready: Promise<string> | undefined;
  private waiting: ((m: Message) => void) | undefined;
  private failWaiting: ((e: Error) => void) | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private nextId = 1;
  private busy = 0;
  private stderrTail = '';
  /** interpreter -> why it cannot run the service: not tried again in this process */
  private unavailable = new Map<string, string>();
  private exitHooked = false;

  /** Resolves to OpenImageIO's version once the service has said hello. */
  start(): Promise<string> {
    const python = pythonInterpreter();
    const known = this.unavailable.get(python);
    if (known) return Promise.reject(new OiioError('unavailable', known));
    if (this.ready) return this.ready;
    const script = oiioServiceScript();
    if (!existsSync(script)) {
      return Promise.reject(
        new OiioError(
          'unavailable',
          `${OIIO_NEEDED}; ReAge's service script ${script} is missing (was the build's copy step run?)`,
        ),
      );
    }
    this.hookExit();
    this.stderrTail = '';
    const child = spawn(python, [script], { stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
    this.child = child;
    const ready = new Promise<string>((resolve, reject) => {
      let settled = false;
      const unavailable = (reason: string) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        const message = `${OIIO_NEEDED}; ${reason}`;
        this.unavailable.set(python, message);
        if (this.child === child) {
          this.child = undefined;
          this.ready = undefined;
        }
        reject(new OiioError('unavailable', message));
      };
      const timer = setTimeout(() => {
        unavailable(`${python} did not start the service within ${HELLO_TIMEOUT_MS / 1000} s`);
        child.kill('SIGKILL');
      }, HELLO_TIMEOUT_MS);
      timer.unref?.();
      this.waiting = (m) => {
        if (settled) return;
        if (m.header.hello && m.header.ok) {
          settled = true;
          clearTimeout(timer);
          resolve(String(m.header.oiio ?? 'unknown'));
        } else {
          unavailable(`${python} could not import it (${String(m.header.error ?? 'no reason given')})`);
        }
      };
      child.once('error', (err: NodeJS.ErrnoException) => {
        unavailable(
          err.code === 'ENOENT'
            ? `the Python interpreter ${python} was not found (set REAGE_PYTHON to one that has OpenImageIO)`
            : `${python} could not be started (${err.message})`,
        );
      });
      // 'close', not 'exit': it comes after stdout has been read to its end (the hello included)
      child.once('close', (code, signal) => {
        if (this.child !== child && !settled) {
          // stopped before it said hello: not a verdict on the interpreter
          settled = true;
          clearTimeout(timer);
          reject(new OiioError('stopped', 'the OpenImageIO service was stopped while it started'));
          return;
        }
        const tail = this.stderrTail.trim();
        unavailable(
          `${python} exited before the service started (${signal ?? `exit code ${code}`})${tail ? `: ${tail}` : ''}`,
        );
      });
    });
    // a rejected start must not be an unhandled rejection when nobody awaits it yet
    ready.catch(() => undefined);
    this.ready = ready;
    const reader = new FrameReader((m) => {
      const waiting = this.waiting;
      this.waiting = undefined;
      this.failWaiting = undefined;
      if (waiting) waiting(m);
    });
    child.stdout!.on('data', (chunk: Buffer) => {
      try {
        reader.push(chunk);
      } catch (err) {
        this.fail(
          new OiioError('failed', `the OpenImageIO service sent a malformed reply (${(err as Error).message})`),
        );
        child.kill('SIGKILL');
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-2000);
    });
    child.stdin!.on('error', () => undefined); // a dead service shows as its exit
    child.on('close', (code, signal) => {
      // a process already replaced (stop() answered its request) has nothing left to fail
      if (this.child !== child) return;
      this.child = undefined;
      this.ready = undefined;
      const tail = this.stderrTail.trim().split('\n').slice(-3).join(' ');
      this.fail(
        new OiioError(
          'stopped',
          `the OpenImageIO service stopped during the request (${signal ?? `exit code ${code}`})${tail ? `: ${tail}` : ''}; the next request starts it again`,
        ),
      );
    });
    // held while it starts (a caller is waiting for it), let go once it is idle
    this.setIdle(false);
    ready.then(
      () => this.setIdle(this.busy === 0),
      () => undefined,
    );
    return ready;
  }

  private fail(err: Error): void {
    const fail = this.failWaiting;
    this.waiting = undefined;
    this.failWaiting = undefined;
    fail?.(err);
  }

  /** An idle service must not keep Node running; a busy one must. */
  private setIdle(idle: boolean): void {
    const child = this.child;
    if (!child) return;
    for (const handle of [child, child.stdin, child.stdout, child.stderr] as Unrefable[]) {
      if (idle) handle?.unref?.();
      else handle?.ref?.();
    }
  }

  private hookExit(): void {
    if (this.exitHooked) return;
    this.exitHooked = true;
    process.once('exit', () => this.stop());
  }

  /** One request, after every earlier one has been answered. */
  request(header: Record<string, unknown>, payload?: Uint8Array): Promise<Message> {
    const run = async (): Promise<Message> => {
      await this.start();
      const child = this.child;
      if (!child?.stdin) throw new OiioError('stopped', 'the OpenImageIO service is not running');
      const id = this.nextId++;
      this.busy++;
      this.setIdle(false);
      try {
        let timer: NodeJS.Timeout | undefined;
        const reply = await new Promise<Message>((resolve, reject) => {
          this.waiting = resolve;
          this.failWaiting = reject;
          // a file that hangs the decoder must not hang every later request: the service is replaced
          timer = setTimeout(() => {
            this.fail(
              new OiioError(
                'stopped',
                `the OpenImageIO service did not answer within ${REQUEST_TIMEOUT_MS / 1000} s (${String(header.cmd)}${header.path ? ` ${String(header.path)}` : ''}); it was stopped, and the next request starts it again`,
              ),
            );
            this.stop();
          }, REQUEST_TIMEOUT_MS);
          for (const part of frame({ ...header, id }, payload)) child.stdin!.write(part);
        }).finally(() => clearTimeout(timer));
        if (reply.header.id !== id) {
          child.kill('SIGKILL');
          throw new OiioError(
            'failed',
            `the OpenImageIO service answered request ${String(reply.header.id)} instead of ${id}`,
          );
        }
        if (!reply.header.ok) {
          const { kind, error, width, height } = reply.header;
          const size = typeof width === 'number' && typeof height === 'number' ? { width, height } : undefined;
          throw new OiioError((kind as OiioErrorKind) ?? 'failed', String(error ?? 'unknown error'), size);
        }
        return reply;
      } finally {
        this.busy--;
        this.setIdle(this.busy === 0);
      }
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  stop(): void {
    const child = this.child;
    this.child = undefined;
    this.ready = undefined;
    if (child) this.fail(new OiioError('stopped', 'the OpenImageIO service was stopped during the request'));
    if (child && child.exitCode === null && child.signalCode === null) {
      child.stdin?.end();
      child.kill();
    }
  }

  pid(): number | undefined {
    return this.child?.pid;
  }

  forget(): void {
    this.unavailable.clear();
  }
}

const service = new OiioService();

function floats(payload: Uint8Array): Float32Array {
  if (payload.byteLength % 4)
    throw new OiioError('failed', `a pixel payload of ${payload.byteLength} bytes is not float32`);
  if (payload.byteOffset % 4 === 0) return new Float32Array(payload.buffer, payload.byteOffset, payload.byteLength / 4);
  return new Float32Array(payload.slice().buffer);
}

function bytesOf(data: Float32Array): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

function specFromWire(w: Record<string, unknown>): OiioSpec {
  const n = (k: string) => Number(w[k] ?? 0);
  return {
    format: String(w.format ?? ''),
    width: n('width'),
    height: n('height'),
    x: n('x'),
    y: n('y'),
    fullX: n('full_x'),
    fullY: n('full_y'),
    fullWidth: n('full_width'),
    fullHeight: n('full_height'),
    channelNames: (w.channel_names as string[]) ?? [],
    channelTypes: (w.channel_types as string[]) ?? [],
    alphaChannel: Number(w.alpha_channel ?? -1),
    tileWidth: n('tile_width'),
    tileHeight: n('tile_height'),
    compression: String(w.compression ?? ''),
    subimages: Number(w.subimages ?? 1),
    deep: Boolean(w.deep),
    attributes: (w.attributes as Record<string, unknown>) ?? {},
    attributeTypes: (w.attribute_types as Record<string, string>) ?? {},
  };
}

function specToWire(s: OiioWriteSpec): Record<string, unknown> {
  return {
    width: s.width,
    height: s.height,
    x: s.x ?? 0,
    y: s.y ?? 0,
    full_x: s.fullX ?? s.x ?? 0,
    full_y: s.fullY ?? s.y ?? 0,
    full_width: s.fullWidth ?? s.width,
    full_height: s.fullHeight ?? s.height,
    channel_names: s.channelNames,
    channel_types: s.channelTypes,
    alpha_channel: s.alphaChannel ?? -1,
    tile_width: s.tileWidth ?? 0,
    tile_height: s.tileHeight ?? 0,
    ...(s.compression ? { compression: s.compression } : {}),
    attributes: s.attributes ?? {},
    attribute_types: s.attributeTypes ?? {},
  };
}

/**
 * Whether the service runs here: OpenImageIO's version, or why not (the message starts
 * with OIIO_NEEDED and says what failed). Starts the service when it is not running.
 */
export async function oiioAvailability(): Promise<{ ok: true; version: string } | { ok: false; reason: string }> {
  try {
    return { ok: true, version: await service.start() };
  } catch (err) {
    return { ok: false, reason: (err as Error).message };
  }
}

/**
 * Read a single-part, flat image: its spec and every channel as interleaved float32
 * (OpenImageIO's conversion: integer types to 0..1, half and float as they are; tiled
 * files untiled). Refuses, with an OiioError saying why, deep and multi-part files and
 * a data window over `limits` (checked from the header, before any pixel is read).
 */
export async function oiioRead(path: string, limits: OiioReadLimits): Promise<{ spec: OiioSpec; data: Float32Array }> {
  const reply = await service.request({
    cmd: 'read',
    path,
    max_side: limits.maxSide,
    max_pixels: limits.maxPixels,
    max_samples: limits.maxSamples,
  });
  const spec = specFromWire(reply.header.spec as Record<string, unknown>);
  const data = floats(reply.payload);
  if (data.length !== spec.width * spec.height * spec.channelNames.length) {
    throw new OiioError(
      'failed',
      `the service sent ${data.length} samples for a ${spec.width}x${spec.height}x${spec.channelNames.length} image`,
    );
  }
  return { spec, data };
}

/** A file's spec, no pixels read: its windows, channels and attributes (an import's frame rate and timecode). */
export async function oiioHeader(path: string): Promise<OiioSpec> {
  const reply = await service.request({ cmd: 'header', path });
  return specFromWire(reply.header.spec as Record<string, unknown>);
}

/**
 * Write `data` (interleaved float32, `spec`'s data window) to `path` in `format`, then
 * fsync it. With `template` (a file of the same format) its spec is taken whole, every
 * attribute, window, per-channel type, tiling and compression (EXR's DWAA and DWAB,
 * whose rewrite would change untouched pixels, and any compression OpenEXR cannot write,
 * become zip), and only the pixels come from `data`, which
 * must match its size and channel count. Without one, `spec` says everything; an EXR
 * without a compression gets zip. Writes `path` itself: atomicity is the caller's.
 */
export async function oiioWrite(
  path: string,
  format: OiioWriteFormat,
  spec: OiioWriteSpec,
  data: Float32Array,
  template?: string,
): Promise<void> {
  const want = spec.width * spec.height * spec.channelNames.length;
  if (data.length !== want) {
    throw new OiioError(
      'failed',
      `${data.length} samples given for a ${spec.width}x${spec.height}x${spec.channelNames.length} image`,
    );
  }
  await service.request(
    { cmd: 'write', path, format, spec: specToWire(spec), ...(template ? { template } : {}) },
    bytesOf(data),
  );
}

/**
 * Convert interleaved RGB float32 from colour space `from` to `to` of the OpenColorIO
 * config file `config` (PyOpenColorIO, imported by the service at the first
 * conversion; the processor is cached per config, from and to, and the config reloaded
 * when its file changes). Rejects with the config's or OpenColorIO's reason.
 */
export async function ocioConvert(config: string, from: string, to: string, rgb: Float32Array): Promise<Float32Array> {
  if (rgb.length % 3) throw new OiioError('failed', `${rgb.length} values are not whole RGB pixels`);
  if (rgb.length === 0) return new Float32Array(0);
  const reply = await service.request({ cmd: 'ocio_convert', config, from, to }, bytesOf(rgb));
  return floats(reply.payload);
}

/** The colour spaces the OpenColorIO config file names, in its order (for validation messages). */
export async function ocioColourSpaces(config: string): Promise<string[]> {
  const reply = await service.request({ cmd: 'ocio_spaces', config });
  return (reply.header.names as string[]) ?? [];
}

/** The service's process id while it runs (for tests: killing it must not break the next request). */
export function oiioServiceProcess(): number | undefined {
  return service.pid();
}

/**
 * Stop the service (the next request starts it again) and forget interpreters found
 * unusable, e.g. after REAGE_PYTHON changed. For tests and shutdown.
 */
export function stopOiioService(): void {
  service.stop();
  service.forget();
}
