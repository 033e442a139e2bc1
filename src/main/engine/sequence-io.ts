/**
 * Frames on disk: turning the user's input (folder, pattern or list of files) and
 * output (folder or pattern) into paths, and reading and writing frames so that what
 * comes out has the plate's size, channels, bit depth and format: PNG, 8/16-bit TIFF
 * and JPEG with sharp; OpenEXR, DPX and float TIFF with OpenImageIO, through its
 * Python service (src/main/node/oiio-service.ts), every channel and attribute kept.
 * Name and range parsing lives in src/shared/sequence.ts (also used by the renderer).
 *
 * A decoded frame has two sides: `stored`, the samples as the file holds them (a
 * RawImage, or a FloatPlate for float files), and `image`, the engine's view of them
 * (plate-view.ts): the RawImage itself for an integer plate in the engine's encoding,
 * else 16-bit RGB through a DisplayTransform. applyViewChange turns the engine's
 * changed view back into stored samples, which writeFrame writes.
 */
import { randomBytes } from 'node:crypto';
import { lstat, mkdir, open, readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import sharp, { type Metadata } from 'sharp';
import {
  SequenceSyntaxError,
  describeRuns,
  describeSequence,
  detectSequences,
  formatFrame,
  frameRuns,
  isPattern,
  matchFrame,
  parseFrameRange,
  parsePattern,
  splitFrameNumber,
  type Sequence,
} from '../../shared/sequence.js';
import { probeAtomicWrite, writeFileAtomic } from '../node/atomic.js';
import {
  OiioError,
  oiioAvailability,
  oiioRead,
  oiioWrite,
  type OiioSpec,
  type OiioWriteFormat,
  type OiioWriteSpec,
} from '../node/oiio-service.js';
import {
  assertFloatPlate,
  colourChannels,
  floatPlateToRaw,
  isFloatPlate,
  rawChannelNames,
  rawToFloats,
  type FloatPlate,
  type FloatPlateFormat,
  type FrameSamples,
} from './float-plate.js';
import { IDENTITY_TRANSFORM, plateView, viewChangeToSamples, type DisplayTransform } from './plate-view.js';
import { embedIccInJpeg, embedIccInPng } from './icc-embed.js';
import type { RawImage } from './types.js';

// what callers outside the engine need of the plate types (eslint opens sequence-io, not these)
export { IDENTITY_TRANSFORM, isFloatPlate };
export type { DisplayTransform, FloatPlate, FrameSamples };

/** One frame of a shot: its number and the file holding it. */
export interface FrameRef {
  frame: number;
  path: string;
}

export type FrameFormat = 'png' | 'tiff' | 'jpeg' | 'exr' | 'dpx';

/** What readFrame learnt about the file, beyond the pixels. */
export interface FrameMeta {
  format: FrameFormat;
  width: number;
  height: number;
  /** the layout of the engine's view (`image`): for integer plates the file's own, for float plates 16-bit RGB */
  channels: RawImage['channels'];
  bitDepth: RawImage['bitDepth'];
  /** pixels per inch, when the file records it; writeFrame carries it over */
  density?: number;
  /** the file embeds an ICC profile. Pixels are read as stored (not colour-converted), and outputs do not embed it. */
  hasIccProfile: boolean;
  /** the ICC profile's bytes, when a PNG, TIFF or JPEG embeds one: written into its outputs as it was (never applied) */
  icc?: Uint8Array;
  /** the file it was read from: writeFrame's template for an EXR, DPX or float TIFF output of its own format */
  path?: string;
  /** the stored samples are a FloatPlate (OpenEXR, DPX, float TIFF) */
  float?: true;
}

export interface DecodedFrame {
  /** the engine's view of the plate: all the engine ever sees */
  image: RawImage;
  /** the samples as the file holds them: `image` itself for integer plates in the engine's encoding, or a FloatPlate */
  stored: FrameSamples;
  format: FrameFormat;
  meta: FrameMeta;
}

/** The input or output the user named cannot be used; the message says what to change. */
export class InputError extends Error {
  override name = 'InputError';
}

/** A frame that cannot be read. The message names the file (and frame) and the cause in plain words. */
export class FrameReadError extends Error {
  override name = 'FrameReadError';
  constructor(
    readonly file: string,
    readonly frame: number | undefined,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`Cannot read ${frame === undefined ? file : `frame ${frame} (${file})`}: ${reason}`, options);
  }
}

// ---------------------------------------------------------------------------
// Formats

const EXTENSION_FORMATS: Record<string, FrameFormat> = {
  '.png': 'png',
  '.tif': 'tiff',
  '.tiff': 'tiff',
  '.jpg': 'jpeg',
  '.jpeg': 'jpeg',
  '.exr': 'exr',
  '.dpx': 'dpx',
};

/** The formats in words, for messages. */
export const FRAME_FORMATS_TEXT = 'PNG, TIFF, JPEG, OpenEXR or DPX';
const FRAME_FORMATS_AND = 'PNG, TIFF, JPEG, OpenEXR and DPX';
const WRITABLE_EXTENSIONS_TEXT = '.png, .tif, .tiff, .jpg, .jpeg, .exr or .dpx';

/** Formats read and written through OpenImageIO (float TIFF too, found from its header). */
function viaOiio(format: FrameFormat | undefined): format is 'exr' | 'dpx' {
  return format === 'exr' || format === 'dpx';
}

/** The frame format a file name's extension implies (case-insensitive), or undefined. */
export function frameFormatFromPath(path: string): FrameFormat | undefined {
  const dot = path.lastIndexOf('.');
  if (dot < 0 || /[\\/]/.test(path.slice(dot))) return undefined;
  return EXTENSION_FORMATS[path.slice(dot).toLowerCase()];
}

/** Hidden files are never frames: they include our own atomic-write temps and macOS `._` files. */
function isFrameFileName(name: string): boolean {
  return !name.startsWith('.') && frameFormatFromPath(name) !== undefined;
}

// ---------------------------------------------------------------------------
// Resolving input

interface Resolved {
  /** how the input is named in messages */
  label: string;
  refs: FrameRef[];
}

function errnoCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

async function statOrNull(path: string) {
  try {
    return await stat(path);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENOTDIR') return null;
    throw err;
  }
}

/** Non-hidden entries of a folder that are files (or links, which readFrame will follow). */
async function listFiles(dir: string, what: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries.filter((e) => (e.isFile() || e.isSymbolicLink()) && !e.name.startsWith('.')).map((e) => e.name);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') throw new InputError(`${what}: the folder ${dir} does not exist`);
    if (errnoCode(err) === 'ENOTDIR') throw new InputError(`${what}: ${dir} is a file, not a folder`);
    throw err;
  }
}

function sequenceRefs(dir: string, seq: Sequence): FrameRef[] {
  // A lone unnumbered image is frame 1, as in a list of unnumbered files.
  if (seq.kind === 'single') return [{ frame: 1, path: join(dir, seq.files[0]) }];
  return seq.frames.map((frame, i) => ({ frame, path: join(dir, seq.files[i]!) }));
}

async function fromFolder(dir: string): Promise<Resolved> {
  const names = (await listFiles(dir, 'input')).filter(isFrameFileName);
  const sequences = detectSequences(names);
  if (sequences.length === 0) throw new InputError(`the folder ${dir} holds no ${FRAME_FORMATS_TEXT} frames`);
  if (sequences.length > 1) {
    throw new InputError(
      `the folder ${dir} holds ${sequences.length} sequences or files; pass one as a pattern, e.g. ${join(dir, sequences[0]!.pattern)}:\n` +
        sequences.map((s) => `  ${describeSequence(s)}`).join('\n'),
    );
  }
  const seq = sequences[0]!;
  return { label: join(dir, seq.pattern), refs: sequenceRefs(dir, seq) };
}

async function fromPattern(pattern: string): Promise<Resolved> {
  const dir = dirname(pattern);
  const base = basename(pattern);
  const parsed = parsePattern(base)!;
  const names = await listFiles(dir, `input ${pattern}`);
  const refs: FrameRef[] = [];
  for (const name of names) {
    const frame = matchFrame(parsed, name);
    if (frame !== null) refs.push({ frame, path: join(dir, name) });
  }
  if (refs.length === 0) {
    // The usual cause is a padding or spelling mismatch, so show what is there.
    const present = detectSequences(names.filter(isFrameFileName));
    const hint = present.length
      ? `; the folder holds:\n${present
          .slice(0, 10)
          .map((s) => `  ${describeSequence(s)}`)
          .join('\n')}`
      : ` (the folder holds no ${FRAME_FORMATS_TEXT} frames)`;
    throw new InputError(`no files match ${pattern}${hint}`);
  }
  refs.sort((a, b) => a.frame - b.frame);
  return { label: pattern, refs };
}

/**
 * Files named one by one keep the frame numbers in their names when every name has
 * a distinct one; otherwise (stills, or names that clash) they are numbered 1, 2, …
 * in the order given.
 */
async function fromFiles(files: readonly string[]): Promise<Resolved> {
  const stats = await Promise.all(files.map((f) => statOrNull(f)));
  const missing = files.filter((_, i) => !stats[i]);
  if (missing.length)
    throw new InputError(`input file${missing.length > 1 ? 's' : ''} not found: ${missing.join(', ')}`);
  const folders = files.filter((_, i) => stats[i]!.isDirectory());
  if (folders.length)
    throw new InputError(`a list of inputs must name files, but these are folders: ${folders.join(', ')}`);

  const numbers = files.map((f) => splitFrameNumber(basename(f))?.frame);
  const distinct = new Set(numbers);
  const useNames = !numbers.includes(undefined) && distinct.size === files.length;
  const refs = files.map((path, i) => ({ frame: useNames ? numbers[i]! : i + 1, path }));
  refs.sort((a, b) => a.frame - b.frame);
  return { label: files.length === 1 ? files[0]! : `the ${files.length} files given`, refs };
}

async function resolveSource(input: string | readonly string[]): Promise<Resolved> {
  if (typeof input !== 'string') {
    if (input.length === 0)
      throw new InputError('no input given: name a folder, a pattern such as shot.####.png, or files');
    if (input.length > 1) return fromFiles(input);
    input = input[0]!;
  }
  // A real folder or file wins over pattern syntax: `take#2/` is a folder, not a pattern.
  const st = await statOrNull(input);
  if (st?.isDirectory()) return fromFolder(input);
  if (st) return fromFiles([input]);
  if (isPattern(input)) return fromPattern(input);
  throw new InputError(`${input} does not exist (expected a folder, a pattern such as shot.####.png, or a file)`);
}

function selectRange({ label, refs }: Resolved, range: string): FrameRef[] {
  const wanted = parseFrameRange(range);
  const byFrame = new Map(refs.map((r) => [r.frame, r]));
  const missing = wanted.filter((f) => !byFrame.has(f));
  if (missing.length) {
    throw new InputError(
      `${label} has no frame${missing.length > 1 ? 's' : ''} ${describeRuns(frameRuns(missing))} ` +
        `(asked for ${range}; it has ${describeRuns(frameRuns(byFrame.keys()))})`,
    );
  }
  return wanted.map((f) => byFrame.get(f)!);
}

/**
 * The frames of a shot, ascending. `input` is a folder holding exactly one sequence,
 * a pattern (`name.####.ext`, `name.%04d.ext`, `name.@@@@.ext`) or a list of files.
 * `range` (`1001-1010`, `1001,1003-1005`) picks frames; asking for a frame that is
 * not there is an error listing the missing ones. Throws InputError (with a message
 * for the user) when the input cannot be used.
 */
export async function resolveInput(input: string | readonly string[], range?: string): Promise<FrameRef[]> {
  let refs: FrameRef[];
  try {
    const source = await resolveSource(input);
    refs = range === undefined ? source.refs : selectRange(source, range);
  } catch (err) {
    if (err instanceof SequenceSyntaxError) throw new InputError(err.message, { cause: err });
    throw err;
  }
  // EXR and DPX plates need OpenImageIO: say so once, before any work, rather than at every frame
  const needing = refs.find((r) => viaOiio(frameFormatFromPath(r.path)));
  if (needing) await requireOiio(`the input ${needing.path}`);
  return refs;
}

/** Throws InputError (what is missing and how to install it) when OpenImageIO's service cannot run. */
async function requireOiio(what: string): Promise<void> {
  const available = await oiioAvailability();
  if (!available.ok) throw new InputError(`${what}: ${available.reason}`);
}

// ---------------------------------------------------------------------------
// Resolving output

/**
 * Where the output of `ref` goes. `out` may be a pattern (formatted with the frame
 * number), a file name with an image extension (for a single frame), or a folder
 * (a trailing separator or no image extension), in which case the input's file name
 * is kept: from `inputPattern` formatted for the frame when given, else ref's own
 * name; both give the same name for a detected sequence. Refuses to return the input
 * file itself, so a plate is never overwritten.
 */
export function resolveOutput(out: string, ref: FrameRef, inputPattern?: string): string {
  let target: string;
  try {
    if (isPattern(out)) target = formatFrame(out, ref.frame);
    else if (!/[\\/]$/.test(out) && (frameFormatFromPath(out) || MEDIA_EXTENSIONS.has(extensionOf(out) ?? '')))
      target = out;
    else target = join(out, inputPattern ? basename(formatFrame(inputPattern, ref.frame)) : basename(ref.path));
  } catch (err) {
    if (err instanceof SequenceSyntaxError) throw new InputError(err.message, { cause: err });
    throw err;
  }
  const unwritable = unwritableExtension(target);
  if (unwritable) {
    throw new InputError(
      `ReAge cannot write ${unwritable} frames (${target}): the output's extension chooses its format, and ReAge writes ` +
        `PNG, TIFF, JPEG, OpenEXR and DPX; name the output with ${WRITABLE_EXTENSIONS_TEXT} (e.g. aged.####.exr), or end it with / for a folder`,
    );
  }
  if (resolve(target) === resolve(ref.path)) {
    throw new InputError(
      `the output for frame ${ref.frame} would overwrite its input ${ref.path}; choose another output folder or pattern`,
    );
  }
  return target;
}

/** A file name's extension, lower case, or undefined (none, a hidden name's dot, or a frame number such as `.1001`). */
function extensionOf(path: string): string | undefined {
  const name = basename(path);
  const dot = name.lastIndexOf('.');
  if (dot <= 0) return undefined;
  const ext = name.slice(dot).toLowerCase();
  return /^\.-?\d+$/.test(ext) ? undefined : ext;
}

/**
 * Image and movie extensions ReAge does not write: an output named with one is refused
 * rather than taken for a folder (`--out shot.mov`). Other unknown extensions on a plain
 * name are folders (`renders/v2.final`), as before.
 */
const MEDIA_EXTENSIONS = new Set(
  [
    'bmp',
    'gif',
    'webp',
    'tga',
    'psd',
    'hdr',
    'pic',
    'jp2',
    'j2k',
    'jpx',
    'jxl',
    'heic',
    'heif',
    'avif',
    'ico',
    'ppm',
    'pgm',
    'pbm',
    'pnm',
    'cin',
    'sgi',
    'rgb',
    'iff',
    'tx',
    'dng',
    'cr2',
    'nef',
    'arw',
    'mov',
    'mp4',
    'm4v',
    'avi',
    'mkv',
    'mxf',
    'webm',
    'r3d',
    'ari',
    'braw',
  ].map((e) => `.${e}`),
);

/** The extension of an output file ReAge cannot write, or undefined when it can (or there is none). */
function unwritableExtension(target: string): string | undefined {
  const ext = extensionOf(target);
  return ext === undefined || EXTENSION_FORMATS[ext] ? undefined : ext;
}

/**
 * resolveOutput for a whole shot, checking the shot as a whole too: no two frames
 * may write the same file (e.g. one file name given for several frames).
 */
export function resolveOutputs(out: string, refs: readonly FrameRef[], inputPattern?: string): string[] {
  const paths = refs.map((r) => resolveOutput(out, r, inputPattern));
  const seen = new Map<string, number>();
  paths.forEach((p, i) => {
    const key = resolve(p);
    const other = seen.get(key);
    if (other !== undefined) {
      throw new InputError(
        `frames ${refs[other]!.frame} and ${refs[i]!.frame} would both be written to ${p}; use a folder or a pattern such as aged.####.png`,
      );
    }
    seen.set(key, i);
  });
  return paths;
}

/** What the nearest existing part of a path (itself or a parent) is. */
interface Existing {
  path: string;
  kind: 'folder' | 'file' | 'broken link';
}

/** Walks up from `dir` to the first part that exists, to say what stands in the way. */
async function nearestExisting(dir: string): Promise<Existing> {
  let path = resolve(dir);
  for (;;) {
    const st = await lstat(path).catch(() => null);
    if (st?.isSymbolicLink()) {
      const target = await stat(path).catch(() => null);
      if (!target) return { path, kind: 'broken link' };
      return { path, kind: target.isDirectory() ? 'folder' : 'file' };
    }
    if (st) return { path, kind: st.isDirectory() ? 'folder' : 'file' };
    const parent = dirname(path);
    if (parent === path) return { path, kind: 'folder' };
    path = parent;
  }
}

/** The causes any write can meet, in words; undefined for the rest. */
function diskProblem(err: unknown): string | undefined {
  switch (errnoCode(err)) {
    case 'EROFS':
      return 'it is on a read-only file system; choose an output folder on a writable disk';
    case 'ENOSPC':
    case 'EDQUOT':
      return 'the disk is full (or over quota); free some space or choose another output folder';
    case 'ENAMETOOLONG':
      return 'the output file names are too long for the file system; choose a shorter output name or folder';
    default:
      return undefined;
  }
}

async function createProblem(dir: string, err: unknown): Promise<string> {
  const what = `cannot create the output folder ${dir}`;
  const code = errnoCode(err);
  const existing = await nearestExisting(dir);
  if (existing.kind === 'file')
    return `${what}: ${existing.path} is a file, not a folder; choose another output folder`;
  if (existing.kind === 'broken link') {
    return `${what}: ${existing.path} is a link to a folder that does not exist (a disk or share not mounted?); mount it or choose another output folder`;
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return `${what}: ${existing.path} does not let you create folders in it (permission denied); make it writable or choose another output folder`;
  }
  const disk = diskProblem(err);
  return disk ? `${what}: ${disk}` : `${what} (${(err as Error).message})`;
}

function writeProblem(dir: string, err: unknown): string {
  const what = `cannot write to the output folder ${dir}`;
  const code = errnoCode(err);
  if (code === 'EACCES' || code === 'EPERM') {
    return `${what}: permission denied; make it writable or choose another output folder`;
  }
  const disk = diskProblem(err);
  return disk ? `${what}: ${disk}` : `${what} (${(err as Error).message})`;
}

/**
 * Make sure every folder the outputs go to exists and takes new files, so that an
 * unwritable output is found before any frame is aged rather than at the first
 * write: each folder is created, then the hidden temp an atomic write of its first
 * output would use is created and removed. Throws InputError naming the folder, what
 * is wrong and what to do.
 */
export async function prepareOutputFolders(outputs: readonly string[]): Promise<void> {
  const needing = outputs.find((o) => viaOiio(frameFormatFromPath(o)));
  if (needing) await requireOiio(`cannot write ${needing}`);
  const firstOutput = new Map<string, string>();
  for (const path of outputs) if (!firstOutput.has(dirname(path))) firstOutput.set(dirname(path), path);
  for (const [dir, path] of firstOutput) {
    try {
      await mkdir(dir, { recursive: true });
    } catch (err) {
      throw new InputError(await createProblem(dir, err), { cause: err });
    }
    try {
      await probeAtomicWrite(path);
    } catch (err) {
      throw new InputError(writeProblem(dir, err), { cause: err });
    }
  }
}

// ---------------------------------------------------------------------------
// Reading and writing frames

/** The libvips colourspace that keeps a frame's own layout: anything else would convert it. */
function layoutSpace(channels: number, bitDepth: 8 | 16): 'b-w' | 'grey16' | 'srgb' | 'rgb16' {
  if (channels < 3) return bitDepth === 16 ? 'grey16' : 'b-w';
  return bitDepth === 16 ? 'rgb16' : 'srgb';
}

const DEPTH_WORDS: Record<string, string> = {
  char: '8-bit signed',
  short: '16-bit signed',
  uint: '32-bit integer',
  int: '32-bit signed',
  float: '32-bit float',
  double: '64-bit float',
  complex: 'complex',
  dpcomplex: 'complex',
};

/** fs errors in words a person can act on. */
function fileProblem(err: unknown): string {
  switch (errnoCode(err)) {
    case 'ENOENT':
      return 'the file does not exist (was it moved, renamed or deleted?)';
    case 'EACCES':
    case 'EPERM':
      return "permission denied; check the file's permissions";
    case 'EISDIR':
      return 'it is a folder, not an image file';
    default:
      return `the file could not be read (${(err as Error).message})`;
  }
}

/** sharp's decoder messages in words a person can act on. */
function decodeProblem(err: unknown): string {
  const msg = (err as Error).message ?? String(err);
  if (/unsupported image format/i.test(msg)) {
    return `its contents are not a ${FRAME_FORMATS_TEXT} image; the file is corrupt or misnamed. Re-render or re-copy it`;
  }
  return `the image data is corrupt or truncated (decoder: "${msg}"); re-render or re-copy the frame`;
}

function asTyped(buf: Buffer, bitDepth: 8 | 16): Uint8Array | Uint16Array {
  if (bitDepth === 8) return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  // Uint16Array views need 2-byte alignment; sharp's buffers have it, but do not rely on it.
  if (buf.byteOffset % 2 === 0) return new Uint16Array(buf.buffer, buf.byteOffset, buf.byteLength / 2);
  return new Uint16Array(new Uint8Array(buf).buffer);
}

/**
 * The largest frame readFrame decodes, per side and in pixels, checked from the
 * header before any pixel is decoded: a corrupt or hostile header can claim a size
 * whose decode (and the engine's float copies) would exhaust memory. Both leave room
 * for the largest plates in common use (12K scans). For float plates the data window
 * is what is checked.
 */
export const MAX_FRAME_SIDE = 16384;
export const MAX_FRAME_PIXELS = 100_000_000;
/** Samples (pixels × channels) a float plate may hold: RGBA at the pixel limit, or more channels on smaller frames. */
export const MAX_FRAME_SAMPLES = MAX_FRAME_PIXELS * 4;

/** Refuse, from the header, a frame too large to decode; returns the reason when it is. */
function oversizeReason({ width, height }: { width: number; height: number }): string | undefined {
  const size = `${width}x${height} pixels`;
  const advice = 'a header this large usually means a corrupt file; otherwise scale the plate down first';
  if (width > MAX_FRAME_SIDE || height > MAX_FRAME_SIDE) {
    return `it is ${size}, over the limit of ${MAX_FRAME_SIDE} pixels a side; ${advice}`;
  }
  if (width * height > MAX_FRAME_PIXELS) {
    const mp = (n: number) => `${Math.round(n / 1e5) / 10} megapixels`;
    return `it is ${size} (${mp(width * height)}), over the limit of ${mp(MAX_FRAME_PIXELS)}; ${advice}`;
  }
  return undefined;
}

/** Check the header says this is a frame we can hold in a RawImage; returns the reason when not. */
function unsupportedReason(meta: Metadata): string | undefined {
  const format = String(meta.format);
  if (format !== 'png' && format !== 'tiff' && format !== 'jpeg') {
    return `it is a ${format.toUpperCase()} image; ReAge reads ${FRAME_FORMATS_AND} plates, so convert it first`;
  }
  if (meta.depth !== 'uchar' && meta.depth !== 'ushort') {
    return `its samples are ${DEPTH_WORDS[meta.depth] ?? meta.depth}; ReAge reads 8- and 16-bit plates (and 32-bit float TIFF), so convert it to 16-bit`;
  }
  if (meta.space === 'cmyk') return 'it is a CMYK image; convert it to RGB first';
  if (meta.channels < 1 || meta.channels > 4)
    return `it has ${meta.channels} channels; ReAge reads gray, gray+alpha, RGB and RGBA`;
  return undefined;
}

async function decode(buf: Buffer, meta: Metadata, bitDepth: 8 | 16): Promise<RawImage> {
  const channels = meta.channels as RawImage['channels'];
  const depth = bitDepth === 16 ? 'ushort' : 'uchar';
  const load = () => sharp(buf, { failOn: 'error', ignoreIcc: true });
  const { width, height } = meta;
  if (channels === 2 && bitDepth === 8) {
    // sharp's raw output drops the alpha of 8-bit gray+alpha, so decode as RGBA
    // (gray replicated exactly) and keep bands 0 and 3.
    const rgba = await load().toColourspace('srgb').raw({ depth }).toBuffer();
    const out = new Uint8Array(width * height * 2);
    for (let p = 0; p < width * height; p++) {
      out[2 * p] = rgba[4 * p]!;
      out[2 * p + 1] = rgba[4 * p + 3]!;
    }
    return { width, height, channels, bitDepth, data: out };
  }
  const { data, info } = await load()
    .toColourspace(layoutSpace(channels, bitDepth))
    .raw({ depth })
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== channels || info.width !== width || info.height !== height) {
    throw new Error(
      `decoded ${info.width}x${info.height}x${info.channels}, header said ${width}x${height}x${channels}`,
    );
  }
  return { width, height, channels, bitDepth, data: asTyped(data, bitDepth) };
}

const FORMAT_NAMES: Record<FrameFormat, string> = {
  png: 'PNG',
  tiff: 'TIFF',
  jpeg: 'JPEG',
  exr: 'OpenEXR',
  dpx: 'DPX',
};

/** What a file's first bytes say it is (undefined: none of ours). */
function sniff(head: Uint8Array): FrameFormat | undefined {
  const starts = (...bytes: number[]) => bytes.every((b, i) => head[i] === b);
  if (starts(0x76, 0x2f, 0x31, 0x01)) return 'exr';
  if (starts(0x53, 0x44, 0x50, 0x58) || starts(0x58, 0x50, 0x44, 0x53)) return 'dpx'; // SDPX, XPDS
  if (starts(0x89, 0x50, 0x4e, 0x47)) return 'png';
  if (starts(0xff, 0xd8, 0xff)) return 'jpeg';
  if (
    starts(0x49, 0x49, 0x2a, 0x00) ||
    starts(0x4d, 0x4d, 0x00, 0x2a) ||
    starts(0x49, 0x49, 0x2b, 0x00) ||
    starts(0x4d, 0x4d, 0x00, 0x2b)
  )
    return 'tiff';
  return undefined;
}

/** The file's first bytes, enough to tell the formats apart. */
async function readHead(path: string): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buf = Buffer.alloc(16);
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** A file named .exr or .dpx whose bytes are not that format. */
function misnamedReason(named: 'exr' | 'dpx', found: FrameFormat | undefined): string {
  const what = found ? `they are a ${FORMAT_NAMES[found]} image` : 'they are not an image ReAge knows';
  return `it is named .${named} but its contents are not an ${FORMAT_NAMES[named]} image (${what}; the magic number at its start is wrong); the file is corrupt or misnamed. Re-render or re-copy it`;
}

/** OpenImageIO's failures in words. */
function oiioProblem(err: unknown): string {
  if (err instanceof OiioError) {
    if (err.kind === 'oversize' && err.size) return oversizeReason(err.size) ?? err.message;
    if (err.kind === 'truncated' || err.kind === 'magic') return `${err.message}; re-render or re-copy the frame`;
    return err.message;
  }
  return `the image could not be read (${(err as Error).message})`;
}

const OIIO_FORMATS: Record<string, FloatPlateFormat> = { openexr: 'exr', dpx: 'dpx', tiff: 'tiff' };
const OIIO_WRITERS: Record<FloatPlateFormat, OiioWriteFormat> = { exr: 'openexr', dpx: 'dpx', tiff: 'tiff' };

/** A FloatPlate of what the service read, or the reason it cannot be one. */
function plateFromSpec(spec: OiioSpec, data: Float32Array): FloatPlate | string {
  const format = OIIO_FORMATS[spec.format];
  if (!format)
    return `OpenImageIO read it as a ${spec.format} image; ReAge reads ${FRAME_FORMATS_AND} plates, so convert it first`;
  const channels = colourChannels(spec.channelNames, spec.alphaChannel);
  if (typeof channels === 'string') return channels;
  const bits = spec.attributes['oiio:BitsPerSample'];
  return {
    width: spec.width,
    height: spec.height,
    channelNames: spec.channelNames,
    channelTypes: spec.channelTypes,
    data,
    rgb: channels.rgb,
    alpha: channels.alpha,
    dataWindow: { x: spec.x, y: spec.y, width: spec.width, height: spec.height },
    displayWindow: { x: spec.fullX, y: spec.fullY, width: spec.fullWidth, height: spec.fullHeight },
    attributes: spec.attributes,
    attributeTypes: spec.attributeTypes,
    format,
    compression: spec.compression,
    ...(spec.tileWidth > 0 ? { tile: { width: spec.tileWidth, height: spec.tileHeight } } : {}),
    ...(typeof bits === 'number' && bits > 0 ? { bitsPerSample: bits } : {}),
  };
}

/** A frame's meta for a float plate: channels and depth are those of its integer outputs (RGB(A) or gray(A), 16-bit). */
function floatMeta(path: string, plate: FloatPlate): FrameMeta {
  const gray = plate.rgb[0] === plate.rgb[1] && plate.rgb[1] === plate.rgb[2];
  return {
    format: plate.format,
    width: plate.width,
    height: plate.height,
    channels: ((gray ? 1 : 3) + (plate.alpha === null ? 0 : 1)) as RawImage['channels'],
    bitDepth: 16,
    hasIccProfile: 'ICCProfile' in plate.attributes,
    path,
    float: true,
  };
}

async function readFloatFrame(
  path: string,
  frame: number | undefined,
  transform: DisplayTransform,
): Promise<DecodedFrame> {
  let read: Awaited<ReturnType<typeof oiioRead>>;
  try {
    read = await oiioRead(path, {
      maxSide: MAX_FRAME_SIDE,
      maxPixels: MAX_FRAME_PIXELS,
      maxSamples: MAX_FRAME_SAMPLES,
    });
  } catch (err) {
    throw new FrameReadError(path, frame, oiioProblem(err), { cause: err });
  }
  const plate = plateFromSpec(read.spec, read.data);
  if (typeof plate === 'string') throw new FrameReadError(path, frame, plate);
  const image = await plateView(plate, transform);
  return { image, stored: plate, format: plate.format, meta: floatMeta(path, plate) };
}

export interface ReadFrameOptions {
  /** the plate's colour encoding to the engine's (display sRGB); the identity by default */
  transform?: DisplayTransform;
}

/**
 * Decode a frame exactly as the file holds it (`stored`) and build the engine's view of
 * it (`image`). PNG, TIFF and JPEG: gray, gray+alpha, RGB or RGBA, 8 or 16 bits, pixel
 * values untouched (no ICC conversion, no EXIF rotation); with the identity transform
 * the view is that image itself. OpenEXR, DPX and float TIFF (through OpenImageIO):
 * every channel as float, with types, windows, compression and attributes
 * (FloatPlate); single-part, flat files only (deep and multi-part ones are refused
 * saying how to convert them); the view is 16-bit RGB of the data window. Up to
 * MAX_FRAME_SIDE pixels a side and MAX_FRAME_PIXELS in all, checked from the header.
 * Throws FrameReadError naming the file, and the frame when given a FrameRef.
 */
export async function readFrame(source: string | FrameRef, options: ReadFrameOptions = {}): Promise<DecodedFrame> {
  const { path, frame } = typeof source === 'string' ? { path: source, frame: undefined } : source;
  const transform = options.transform ?? IDENTITY_TRANSFORM;
  let head: Buffer;
  try {
    head = await readHead(path);
  } catch (err) {
    throw new FrameReadError(path, frame, fileProblem(err), { cause: err });
  }
  if (head.length === 0) {
    throw new FrameReadError(
      path,
      frame,
      'the file is empty (0 bytes), probably from an interrupted render or copy; re-render or re-copy it',
    );
  }
  const found = sniff(head);
  if (viaOiio(found)) return readFloatFrame(path, frame, transform);
  const named = frameFormatFromPath(path);
  if (viaOiio(named)) throw new FrameReadError(path, frame, misnamedReason(named, found));
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch (err) {
    throw new FrameReadError(path, frame, fileProblem(err), { cause: err });
  }
  let meta: Metadata;
  try {
    // sharp's own pixel limit would refuse a huge header as if it were corrupt: ours says why
    meta = await sharp(buf, { failOn: 'error', limitInputPixels: false }).metadata();
  } catch (err) {
    throw new FrameReadError(path, frame, decodeProblem(err), { cause: err });
  }
  if (meta.format === 'tiff' && (meta.depth === 'float' || meta.depth === 'double')) {
    const oversize = oversizeReason(meta);
    if (oversize) throw new FrameReadError(path, frame, oversize);
    return readFloatFrame(path, frame, transform);
  }
  const unsupported = unsupportedReason(meta) ?? oversizeReason(meta);
  if (unsupported) throw new FrameReadError(path, frame, unsupported);
  const bitDepth = meta.depth === 'ushort' ? 16 : 8;
  let stored: RawImage;
  try {
    stored = await decode(buf, meta, bitDepth);
  } catch (err) {
    throw new FrameReadError(path, frame, decodeProblem(err), { cause: err });
  }
  const format = meta.format as FrameFormat;
  const frameMeta: FrameMeta = {
    format,
    width: stored.width,
    height: stored.height,
    channels: stored.channels,
    bitDepth: stored.bitDepth,
    hasIccProfile: meta.hasProfile,
    ...(meta.density ? { density: meta.density } : {}),
    ...(meta.icc ? { icc: new Uint8Array(meta.icc) } : {}),
    path,
  };
  return { image: await plateView(stored, transform), stored, format, meta: frameMeta };
}

/**
 * The engine's changed view (`agedView`, the layout of `decoded.image`) as samples of
 * the plate's own kind, for writeFrame: pixels whose view samples are unchanged keep
 * the stored samples bit for bit; changed pixels get stored + fromDisplay(aged) −
 * fromDisplay(view) on the colour channels (alpha and every other channel untouched),
 * rounded to the plate's types. For an integer plate with the identity transform it is
 * `agedView` itself; with `agedView` equal to the view, the stored samples exactly.
 * `transform` must be the one the frame was read with.
 */
export function applyViewChange(
  decoded: DecodedFrame,
  agedView: RawImage,
  transform: DisplayTransform = IDENTITY_TRANSFORM,
): Promise<FrameSamples> {
  return viewChangeToSamples(decoded.stored, decoded.image, agedView, transform);
}

/** Throws a TypeError when `image` is not a consistent RawImage; catches engine bugs before they reach disk. */
export function assertRawImage(image: RawImage): void {
  const { width, height, channels, bitDepth, data } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new TypeError(`image size ${width}x${height} is not a positive whole size`);
  }
  if (![1, 2, 3, 4].includes(channels)) throw new TypeError(`image has ${channels} channels; expected 1 to 4`);
  const typed = bitDepth === 16 ? data instanceof Uint16Array : bitDepth === 8 && data instanceof Uint8Array;
  if (!typed)
    throw new TypeError(`${bitDepth}-bit image data must be a ${bitDepth === 16 ? 'Uint16Array' : 'Uint8Array'}`);
  if (data.length !== width * height * channels) {
    throw new TypeError(
      `image data has ${data.length} samples; ${width}x${height}x${channels} needs ${width * height * channels}`,
    );
  }
}

/** JPEG holds 8-bit gray or RGB only: drop alpha and reduce 16-bit samples (rounded). */
function toJpegLayout(image: RawImage): RawImage {
  const hasAlpha = image.channels === 2 || image.channels === 4;
  if (!hasAlpha && image.bitDepth === 8) return image;
  const colour = image.channels >= 3 ? 3 : 1;
  const n = image.width * image.height;
  const out = new Uint8Array(n * colour);
  const shift = image.bitDepth === 16;
  for (let p = 0; p < n; p++) {
    for (let c = 0; c < colour; c++) {
      const v = image.data[p * image.channels + c]!;
      out[p * colour + c] = shift ? Math.round(v / 257) : v;
    }
  }
  return { width: image.width, height: image.height, channels: colour as 1 | 3, bitDepth: 8, data: out };
}

async function encode(image: RawImage, format: 'png' | 'tiff' | 'jpeg', like?: FrameMeta): Promise<Buffer> {
  const img = format === 'jpeg' ? toJpegLayout(image) : image;
  // A Uint16Array makes sharp read the raw samples as 16-bit; the colourspace stops
  // it converting gray to RGB or 16-bit to 8-bit on the way out.
  let pipeline = sharp(img.data, {
    raw: { width: img.width, height: img.height, channels: img.channels },
  }).toColourspace(layoutSpace(img.channels, img.bitDepth));
  if (like?.density) pipeline = pipeline.withDensity(like.density);
  const icc = like?.icc;
  switch (format) {
    case 'png': {
      const png = await pipeline.png({ compressionLevel: 6, palette: false }).toBuffer();
      return icc ? embedIccInPng(png, icc) : png;
    }
    case 'tiff':
      // sharp's default TIFF compression is lossy JPEG; plates need lossless.
      return pipeline.tiff({ compression: 'lzw', predictor: 'horizontal' }).toBuffer();
    case 'jpeg': {
      const jpeg = await pipeline.jpeg({ quality: 95, chromaSubsampling: '4:4:4' }).toBuffer();
      return icc ? embedIccInJpeg(jpeg, icc) : jpeg;
    }
  }
}

/**
 * An integer TIFF that carries its plate's ICC profile: through OpenImageIO, whose TIFF
 * writer takes the profile as an attribute (sharp would convert the pixels to it).
 * Lossless (LZW), the plate's resolution kept.
 */
async function writeIccTiff(path: string, image: RawImage, like: FrameMeta & { icc: Uint8Array }): Promise<void> {
  const channelNames = rawChannelNames(image.channels);
  const spec: OiioWriteSpec = {
    width: image.width,
    height: image.height,
    channelNames,
    channelTypes: channelNames.map(() => (image.bitDepth === 16 ? 'uint16' : 'uint8')),
    alphaChannel: image.channels === 2 || image.channels === 4 ? image.channels - 1 : -1,
    compression: 'lzw',
    attributes: {
      ICCProfile: [...like.icc],
      ...(like.density ? { XResolution: like.density, YResolution: like.density, ResolutionUnit: 'in' } : {}),
    },
    attributeTypes: {
      ICCProfile: `uint8[${like.icc.length}]`,
      ...(like.density ? { XResolution: 'float', YResolution: 'float', ResolutionUnit: 'string' } : {}),
    },
  };
  await requireOiio(`writing ${path} with its plate's ICC profile`);
  await writeViaTemp(path, (temp) => oiioWrite(temp, 'tiff', spec, rawToFloats(image)));
}

/** Best-effort fsync of a folder so a rename survives a power cut (POSIX only), as node/atomic.ts does. */
async function syncFolder(dir: string): Promise<void> {
  const handle = await open(dir, 'r').catch(() => undefined);
  try {
    await handle?.sync();
  } catch {
    // Windows cannot sync folders; the file's own fsync already happened
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/**
 * Atomic writes for files OpenImageIO writes itself: it writes (and fsyncs) a hidden
 * temp beside `path` that keeps the extension (`.name.exr.<random>.tmp.exr`: the writer
 * goes by extension, and a leading dot keeps it out of folder scans, as node/atomic.ts's
 * temps), renamed over `path` once complete; on failure the temp is removed and `path`
 * left as it was.
 */
async function writeViaTemp(path: string, write: (temp: string) => Promise<void>): Promise<void> {
  const ext = extensionOf(path) ?? '';
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp${ext}`);
  try {
    await write(temp);
    await rename(temp, path);
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw err;
  }
  await syncFolder(dirname(path));
}

/** A plate's data and display windows as the service's write spec names them. */
function windowSpec(
  plate: FloatPlate,
): Pick<OiioWriteSpec, 'x' | 'y' | 'fullX' | 'fullY' | 'fullWidth' | 'fullHeight'> {
  return {
    x: plate.dataWindow.x,
    y: plate.dataWindow.y,
    fullX: plate.displayWindow.x,
    fullY: plate.displayWindow.y,
    fullWidth: plate.displayWindow.width,
    fullHeight: plate.displayWindow.height,
  };
}

/** A float plate's spec for the service, as the plate holds it. */
function plateWriteSpec(plate: FloatPlate): OiioWriteSpec {
  return {
    width: plate.width,
    height: plate.height,
    ...windowSpec(plate),
    channelNames: plate.channelNames,
    channelTypes: plate.channelTypes,
    alphaChannel: plate.alpha ?? -1,
    ...(plate.tile ? { tileWidth: plate.tile.width, tileHeight: plate.tile.height } : {}),
    ...(plate.compression ? { compression: plate.compression } : {}),
    attributes: plate.attributes,
    attributeTypes: plate.attributeTypes,
  };
}

/** Some channels of a plate, interleaved. */
function pickChannels(plate: FloatPlate, picks: readonly number[]): Float32Array {
  const n = plate.width * plate.height;
  const stride = plate.channelNames.length;
  const out = new Float32Array(n * picks.length);
  for (let p = 0; p < n; p++)
    for (let c = 0; c < picks.length; c++) out[p * picks.length + c] = plate.data[p * stride + picks[c]!]!;
  return out;
}

/** A float plate in another float format: what survives the change of format. */
function convertedPlate(plate: FloatPlate, format: 'exr' | 'dpx'): { spec: OiioWriteSpec; data: Float32Array } {
  const windows = windowSpec(plate);
  if (format === 'exr') {
    // every channel; float stays float, half half, integer samples become half
    const channelTypes = plate.channelTypes.map((t) => (t === 'float' || t === 'double' ? 'float' : 'half'));
    const spec = {
      width: plate.width,
      height: plate.height,
      ...windows,
      channelNames: plate.channelNames,
      channelTypes,
      alphaChannel: plate.alpha ?? -1,
      compression: 'zip',
    };
    return { spec, data: plate.data };
  }
  // DPX: the colour (or gray) and alpha, 16-bit; DPX has no gray+alpha, so that becomes RGBA
  const gray = plate.rgb[0] === plate.rgb[1] && plate.rgb[1] === plate.rgb[2] && plate.alpha === null;
  const picks = [...(gray ? [plate.rgb[0]] : plate.rgb), ...(plate.alpha === null ? [] : [plate.alpha])];
  const channelNames = [...(gray ? ['Y'] : ['R', 'G', 'B']), ...(plate.alpha === null ? [] : ['A'])];
  const spec = {
    width: plate.width,
    height: plate.height,
    ...windows,
    channelNames,
    channelTypes: channelNames.map(() => 'uint16'),
    alphaChannel: plate.alpha === null ? -1 : channelNames.length - 1,
  };
  return { spec, data: pickChannels(plate, picks) };
}

function checkSize(path: string, got: { width: number; height: number }, like: FrameMeta): void {
  if (got.width !== like.width || got.height !== like.height)
    throw new Error(
      `refusing to write ${path}: the image is ${got.width}x${got.height} but its plate is ${like.width}x${like.height}`,
    );
}

async function writeFloatPlate(path: string, plate: FloatPlate, format: FrameFormat, like?: FrameMeta): Promise<void> {
  assertFloatPlate(plate);
  if (like) checkSize(path, plate, like);
  if (format === plate.format) {
    // its own format: the plate's file (when `like` names it) is the template, so every attribute survives
    const template = like?.float && like.format === format && like.path ? like.path : undefined;
    const spec = plateWriteSpec(plate);
    await writeViaTemp(path, (temp) => oiioWrite(temp, OIIO_WRITERS[plate.format], spec, plate.data, template));
    return;
  }
  if (viaOiio(format)) {
    const { spec, data } = convertedPlate(plate, format);
    await writeViaTemp(path, (temp) => oiioWrite(temp, OIIO_WRITERS[format], spec, data));
    return;
  }
  await writeFileAtomic(path, await encode(floatPlateToRaw(plate, format === 'jpeg' ? 8 : 16), format));
}

function grayAlphaToRgba(image: RawImage): RawImage {
  const n = image.width * image.height;
  const data = image.bitDepth === 16 ? new Uint16Array(n * 4) : new Uint8Array(n * 4);
  for (let p = 0; p < n; p++) {
    const v = image.data[2 * p]!;
    data.set([v, v, v, image.data[2 * p + 1]!], 4 * p);
  }
  return { ...image, channels: 4, data };
}

/** An integer image as EXR (RGB(A) or Y(A) half, zip) or DPX (its own depth): its values as stored, v / max. */
async function writeRawViaOiio(path: string, image: RawImage, format: 'exr' | 'dpx'): Promise<void> {
  // DPX has no gray+alpha (OpenImageIO's writer aborts on it): the gray goes into R, G and B
  if (format === 'dpx' && image.channels === 2) image = grayAlphaToRgba(image);
  const channelNames = rawChannelNames(image.channels);
  const type = format === 'exr' ? 'half' : image.bitDepth === 16 ? 'uint16' : 'uint8';
  const spec: OiioWriteSpec = {
    width: image.width,
    height: image.height,
    channelNames,
    channelTypes: channelNames.map(() => type),
    alphaChannel: image.channels === 2 || image.channels === 4 ? image.channels - 1 : -1,
    ...(format === 'exr' ? { compression: 'zip' } : {}),
  };
  const data = rawToFloats(image);
  await writeViaTemp(path, (temp) => oiioWrite(temp, OIIO_WRITERS[format], spec, data));
}

/**
 * Write a frame atomically (nothing half-written is ever left at `path`), in `format`:
 *
 * - a RawImage keeps its size, channels and bit depth in PNG and TIFF (lossless, TIFF
 *   with LZW); JPEG is 8-bit gray or RGB at quality 95 with 4:4:4 chroma, so alpha is
 *   dropped and 16-bit samples rounded to 8. As EXR it is R, G, B (A), or Y (A), half,
 *   zip; as DPX its own depth (gray+alpha as RGBA). Its values are written as stored
 *   (v / max): there is no colour conversion, so an sRGB plate makes an sRGB-encoded EXR.
 * - a FloatPlate in its own format (EXR, DPX, float TIFF) is written with every channel,
 *   type, window, tiling, compression and attribute; when `like` is the plate's meta its
 *   file is the template, so attributes are copied exactly as they were. In the other
 *   float format: EXR takes every channel (float stays float, integer samples become
 *   half) and the windows, DPX the colour and alpha at 16 bits; attributes do not cross
 *   formats. As PNG or TIFF its colour and alpha are clamped to 0..1 and rounded to 16
 *   bits (JPEG: 8, no alpha).
 *
 * `like` is the plate's meta: the image must have the plate's size (and, for integer
 * plates, its layout: a mismatch is an engine bug), and its density is kept.
 */
export async function writeFrame(
  path: string,
  samples: FrameSamples,
  format: FrameFormat,
  like?: FrameMeta,
): Promise<void> {
  if (isFloatPlate(samples)) return writeFloatPlate(path, samples, format, like);
  assertRawImage(samples);
  if (like?.float) checkSize(path, samples, like);
  else if (like) {
    const got = `${samples.width}x${samples.height}, ${samples.channels} channels, ${samples.bitDepth}-bit`;
    const want = `${like.width}x${like.height}, ${like.channels} channels, ${like.bitDepth}-bit`;
    if (got !== want) throw new Error(`refusing to write ${path}: the image is ${got} but its plate is ${want}`);
  }
  if (viaOiio(format)) return writeRawViaOiio(path, samples, format);
  if (format === 'tiff' && like?.icc) return writeIccTiff(path, samples, { ...like, icc: like.icc });
  await writeFileAtomic(path, await encode(samples, format, like));
}

/**
 * A shot's output frame: `samples` (from applyViewChange) in the format `path` names
 * (the plate's when it names none), at `bitDepth` when asked for an integer output.
 * Float plates written as PNG, TIFF or JPEG are clamped and rounded to 16 bits (or
 * `bitDepth`; JPEG 8); EXR, DPX and float TIFF outputs ignore `bitDepth`.
 */
export async function writeOutputFrame(
  path: string,
  samples: FrameSamples,
  decoded: DecodedFrame,
  bitDepth?: 8 | 16,
): Promise<void> {
  const format = frameFormatFromPath(path) ?? decoded.format;
  if (!isFloatPlate(samples)) {
    const converted = withBitDepth(samples, bitDepth ?? samples.bitDepth);
    return writeFrame(path, converted, format, { ...decoded.meta, bitDepth: converted.bitDepth });
  }
  const integerOutput = format === 'png' || format === 'jpeg' || (format === 'tiff' && samples.format !== 'tiff');
  if (integerOutput && bitDepth !== undefined) {
    const depth = format === 'jpeg' ? 8 : bitDepth;
    return writeFrame(path, floatPlateToRaw(samples, depth), format, { ...decoded.meta, bitDepth: depth });
  }
  return writeFrame(path, samples, format, decoded.meta);
}

/** A compositing pass: float channels of a plate's data window, interleaved. */
export interface PassImage {
  width: number;
  height: number;
  channelNames: string[];
  data: Float32Array;
}

/**
 * Write a compositing pass (a matte, a delta) atomically: `.exr` as float, zip, with the
 * plate's data and display windows when `like` is an EXR plate of the pass's size; `.png`
 * and `.tif`/`.tiff` as 16-bit (1 to 4 channels: gray, gray+alpha, RGB, RGBA), values
 * clamped to 0..1. Other extensions are an InputError.
 */
export async function writePass(path: string, pass: PassImage, like?: DecodedFrame): Promise<void> {
  const { width, height, channelNames, data } = pass;
  const n = channelNames.length;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || n < 1)
    throw new TypeError(`a pass of ${width}x${height} with ${n} channels`);
  if (data.length !== width * height * n)
    throw new TypeError(`pass data has ${data.length} samples; ${width}x${height}x${n} needs ${width * height * n}`);
  const format = frameFormatFromPath(path);
  if (format === 'exr') {
    const plate = like && isFloatPlate(like.stored) && like.stored.format === 'exr' ? like.stored : undefined;
    const fits = plate && plate.width === width && plate.height === height;
    const spec: OiioWriteSpec = {
      width,
      height,
      ...(fits ? windowSpec(plate) : {}),
      channelNames,
      channelTypes: channelNames.map(() => 'float'),
      compression: 'zip',
    };
    await writeViaTemp(path, (temp) => oiioWrite(temp, 'openexr', spec, data));
    return;
  }
  if (format !== 'png' && format !== 'tiff')
    throw new InputError(`a pass is written as OpenEXR (.exr), PNG (.png) or TIFF (.tif, .tiff), not ${path}`);
  if (n > 4)
    throw new InputError(`a pass of ${n} channels (${channelNames.join(', ')}) needs OpenEXR; ${path} holds up to 4`);
  const out = new Uint16Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    out[i] = v > 0 ? (v < 1 ? Math.round(v * 65535) : 65535) : 0;
  }
  await writeFileAtomic(
    path,
    await encode({ width, height, channels: n as RawImage['channels'], bitDepth: 16, data: out }, format),
  );
}

/**
 * For --resume: true when `path` is a non-empty file that decodes completely. A
 * frame cut off mid-write (which atomic writes should already prevent) is not trusted.
 */
export async function isCompleteOutput(path: string): Promise<boolean> {
  const st = await statOrNull(path).catch(() => null);
  if (!st?.isFile() || st.size === 0) return false;
  try {
    await readFrame(path);
    return true;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------
// Float RGB for the compositor

/**
 * The image at another bit depth, for an export that asks for one: 8 -> 16 maps
 * 255 to 65535 exactly (x * 257), 16 -> 8 rounds. The same image when nothing changes.
 */
export function withBitDepth(image: RawImage, bitDepth: RawImage['bitDepth']): RawImage {
  if (image.bitDepth === bitDepth) return image;
  const data = bitDepth === 16 ? new Uint16Array(image.data.length) : new Uint8Array(image.data.length);
  const f = bitDepth === 16 ? (v: number) => v * 257 : (v: number) => Math.round(v / 257);
  for (let i = 0; i < data.length; i++) data[i] = f(image.data[i]!);
  return { ...image, bitDepth, data };
}

/** A frame as float RGB in 0..1, whatever its layout; alpha rides along untouched. */
export interface RgbFloatImage {
  width: number;
  height: number;
  /** interleaved RGB, 0..1; gray sources are replicated into all three */
  rgb: Float32Array;
  /** the source's alpha samples exactly as stored, or null when it had none */
  alpha: Uint8Array | Uint16Array | null;
  /** the source's layout, which fromRgbFloat restores */
  channels: RawImage['channels'];
  bitDepth: RawImage['bitDepth'];
}

/** Convert any RawImage to float RGB so the compositor has one code path. */
export function toRgbFloat(image: RawImage): RgbFloatImage {
  assertRawImage(image);
  const { width, height, channels, bitDepth, data } = image;
  const n = width * height;
  const max = bitDepth === 16 ? 65535 : 255;
  const rgb = new Float32Array(n * 3);
  const hasAlpha = channels === 2 || channels === 4;
  const alpha = hasAlpha ? (bitDepth === 16 ? new Uint16Array(n) : new Uint8Array(n)) : null;
  for (let p = 0, s = 0; p < n; p++, s += channels) {
    if (channels >= 3) {
      rgb[3 * p] = data[s]! / max;
      rgb[3 * p + 1] = data[s + 1]! / max;
      rgb[3 * p + 2] = data[s + 2]! / max;
    } else {
      const v = data[s]! / max;
      rgb[3 * p] = v;
      rgb[3 * p + 1] = v;
      rgb[3 * p + 2] = v;
    }
    if (alpha) alpha[p] = data[s + channels - 1]!;
  }
  return { width, height, rgb, alpha, channels, bitDepth };
}

/**
 * Back to the source's layout: values clamped to 0..1 and rounded, gray taken as
 * Rec.709 luma (exact for pixels that were gray to begin with), alpha restored
 * as it was (opaque if there was none to carry). Pixels untouched since toRgbFloat
 * come back bit-identical.
 */
export function fromRgbFloat(img: RgbFloatImage): RawImage {
  const { width, height, channels, bitDepth, rgb, alpha } = img;
  const n = width * height;
  if (rgb.length !== n * 3) throw new TypeError(`rgb has ${rgb.length} values; ${width}x${height} needs ${n * 3}`);
  const max = bitDepth === 16 ? 65535 : 255;
  // NaN fails both comparisons and becomes 0 rather than poisoning the frame.
  const quantise = (x: number) => (x > 0 ? (x < 1 ? Math.round(x * max) : max) : 0);
  const data = bitDepth === 16 ? new Uint16Array(n * channels) : new Uint8Array(n * channels);
  for (let p = 0, s = 0; p < n; p++, s += channels) {
    const r = rgb[3 * p]!;
    const g = rgb[3 * p + 1]!;
    const b = rgb[3 * p + 2]!;
    if (channels >= 3) {
      data[s] = quantise(r);
      data[s + 1] = quantise(g);
      data[s + 2] = quantise(b);
    } else {
      data[s] = quantise(0.2126 * r + 0.7152 * g + 0.0722 * b);
    }
    if (channels === 2 || channels === 4) data[s + channels - 1] = alpha ? alpha[p]! : max;
  }
  return { width, height, channels, bitDepth, data };
}
