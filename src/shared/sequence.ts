/**
 * Frame-sequence names, patterns and frame ranges: pure string logic with no Node
 * imports, because the renderer's drag-and-drop import uses it as well as the CLI
 * and the engine.
 *
 * Conventions (kept identical in formatting, matching and detection so that
 * `matchFrame(p, formatFrame(p, f)) === f` always holds):
 * - `####` / `@@@@` / `%04d` pad to 4 digits; `#`, `@` and `%d` are unpadded.
 * - A frame with more digits than the padding is written in full (10000 in `####`).
 * - Negative frames put the sign before the padded digits: -5 in `####` is `-0005`.
 *   (printf would write `-005`, but then one sequence would mix two digit counts.)
 */

/** A parsed pattern: file name = head + frame number (zero-padded to `padding`) + tail. */
export interface FramePattern {
  head: string;
  tail: string;
  /** minimum number of digits; 1 means unpadded */
  padding: number;
}

/** An inclusive run of missing frames. */
export interface FrameGap {
  from: number;
  to: number;
}

/** Numbered files sharing a head, tail and padding: `akiyo.1001.png` … */
export interface NumberedSequence {
  kind: 'sequence';
  head: string;
  tail: string;
  padding: number;
  /** head + '#' × padding + tail, e.g. `akiyo.####.png` */
  pattern: string;
  /** ascending, unique */
  frames: number[];
  /** the file names, parallel to `frames` */
  files: string[];
  /** missing frames between the first and the last */
  gaps: FrameGap[];
}

/** A file whose name carries no frame number: kept as its own entry. */
export interface SingleFile {
  kind: 'single';
  /** the file name itself */
  pattern: string;
  files: [string];
}

export type Sequence = NumberedSequence | SingleFile;

/** A name or pattern the user typed that cannot be understood; the message says why. */
export class SequenceSyntaxError extends Error {
  override name = 'SequenceSyntaxError';
}

/** parseFrameRange refuses ranges larger than this rather than allocate millions of frames. */
export const MAX_RANGE_FRAMES = 1_000_000;

// ---------------------------------------------------------------------------
// Patterns

/** Split at the last path separator, so directory names never take part in matching. */
function splitDir(path: string): { dir: string; base: string } {
  const cut = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1;
  return { dir: path.slice(0, cut), base: path.slice(cut) };
}

// `%\d*d` is deliberately broad so that `%4d` is reported as an error instead of
// being taken as a literal part of the name.
const TOKEN = /#+|@+|%\d*d/g;

/**
 * Parse a frame-number pattern (`name.####.ext`, `name.%04d.ext`, `name.@@@@.ext`,
 * unpadded `#`, `@`, `%d`). Only the file-name part is searched for the token, so a
 * folder called `take#2/` is not mistaken for one. Returns null when there is no
 * token (a plain file or folder name); throws SequenceSyntaxError when the token is
 * ambiguous or malformed.
 */
export function parsePattern(pattern: string): FramePattern | null {
  const { dir, base } = splitDir(pattern);
  const tokens = [...base.matchAll(TOKEN)];
  if (tokens.length === 0) return null;
  if (tokens.length > 1) {
    throw new SequenceSyntaxError(
      `"${pattern}" has ${tokens.length} frame-number tokens (${tokens.map((t) => t[0]).join(', ')}); use exactly one, e.g. name.####.png`,
    );
  }
  const token = tokens[0]!;
  const text = token[0];
  let padding: number;
  if (text.startsWith('%')) {
    const width = text.slice(1, -1);
    if (width === '') padding = 1;
    else if (/^0[1-9]\d*$/.test(width)) padding = Number(width.slice(1));
    else {
      throw new SequenceSyntaxError(
        `"${pattern}": "${text}" is not a supported frame token; write %0${width.replace(/^0+/, '') || '4'}d for zero padding or %d for none`,
      );
    }
  } else {
    padding = text.length;
  }
  if (padding > 15)
    throw new SequenceSyntaxError(`"${pattern}": padding of ${padding} digits is more than a frame number can have`);
  const at = token.index;
  return { head: dir + base.slice(0, at), tail: base.slice(at + text.length), padding };
}

/** True when the string holds a frame-number token (and so names a sequence, not a file). */
export function isPattern(s: string): boolean {
  try {
    return parsePattern(s) !== null;
  } catch {
    return true; // malformed, but clearly meant as a pattern: let parsePattern report it
  }
}

function requirePattern(pattern: string | FramePattern): FramePattern {
  if (typeof pattern !== 'string') return pattern;
  const parsed = parsePattern(pattern);
  if (!parsed) throw new SequenceSyntaxError(`"${pattern}" has no frame-number token (####, %04d or @@@@)`);
  return parsed;
}

/** The canonical `#` spelling of a pattern, e.g. `akiyo.####.png`. */
export function patternString(p: FramePattern): string {
  return p.head + '#'.repeat(p.padding) + p.tail;
}

function padFrame(frame: number, padding: number): string {
  if (!Number.isSafeInteger(frame)) throw new RangeError(`frame ${frame} is not a whole number`);
  const digits = String(Math.abs(frame)).padStart(padding, '0');
  return frame < 0 ? '-' + digits : digits;
}

/** The file name (or path) of `frame` in `pattern`: formatFrame('a.####.png', 7) → 'a.0007.png'. */
export function formatFrame(pattern: string | FramePattern, frame: number): string {
  const p = requirePattern(pattern);
  return p.head + padFrame(frame, p.padding) + p.tail;
}

/**
 * The frame number `name` has in `pattern`, or null when `name` is not one of its
 * files. Exact: the name must be what formatFrame would write, so `a.1.png` is not
 * frame 1 of `a.####.png`. Pattern and name are compared whole: pass both as base
 * names or both as paths.
 */
export function matchFrame(pattern: string | FramePattern, name: string): number | null {
  const p = requirePattern(pattern);
  if (name.length <= p.head.length + p.tail.length) return null;
  if (!name.startsWith(p.head) || !name.endsWith(p.tail)) return null;
  const middle = name.slice(p.head.length, name.length - p.tail.length);
  if (!/^-?\d{1,15}$/.test(middle)) return null;
  const frame = Number(middle);
  return padFrame(frame, p.padding) === middle ? frame : null;
}

// ---------------------------------------------------------------------------
// Detecting sequences in plain file names

/** A file name split around its frame number. */
export interface NumberedName {
  head: string;
  tail: string;
  frame: number;
  /** the digits as written, without the sign */
  digits: string;
}

// A file extension starts with a letter, so the 4 in `.mp4` or 2 in `.jp2` is never
// taken as a frame number, while `shot.0001` (no extension) still is.
const EXTENSION = /\.[A-Za-z][A-Za-z0-9]{0,7}$/;
const LAST_NUMBER = /^(.*?)(\d{1,15})(\D*)$/s;

/**
 * Find the frame number in a file name: the last run of digits before the
 * extension (`shot_v2.1001.png` → 1001, `akiyo1001.png` → 1001). A minus sign is
 * read as part of the number only after `.` or `_` (`shot.-0005.png` is frame -5,
 * `shot-0005.png` is frame 5 of `shot-`), because dashes are common separators.
 * Returns null when the name has no number.
 */
export function splitFrameNumber(name: string): NumberedName | null {
  const { dir, base } = splitDir(name);
  const ext = EXTENSION.exec(base)?.[0] ?? '';
  const stem = base.slice(0, base.length - ext.length);
  const m = LAST_NUMBER.exec(stem);
  if (!m) return null;
  let head = m[1]!;
  const digits = m[2]!;
  let frame = Number(digits);
  // a digit run longer than 15 would have been split by the regex, leaving digits in the head
  if (/\d$/.test(head)) return null;
  if (frame !== 0 && /(^|[._])-$/.test(head)) {
    head = head.slice(0, -1);
    frame = -frame;
  }
  return { head: dir + head, tail: m[3]! + ext, frame, digits };
}

/** Sorted, unique copy. */
function sortedUnique(frames: Iterable<number>): number[] {
  return [...new Set(frames)].sort((a, b) => a - b);
}

/** Runs of frames missing between the first and last of `frames`. */
export function findGaps(frames: Iterable<number>): FrameGap[] {
  const sorted = sortedUnique(frames);
  const gaps: FrameGap[] = [];
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1]!;
    const cur = sorted[i]!;
    if (cur - prev > 1) gaps.push({ from: prev + 1, to: cur - 1 });
  }
  return gaps;
}

function buildSequence(
  head: string,
  tail: string,
  padding: number,
  members: NumberedName[],
  names: Map<NumberedName, string>,
): NumberedSequence {
  members.sort((a, b) => a.frame - b.frame);
  const frames = members.map((m) => m.frame);
  return {
    kind: 'sequence',
    head,
    tail,
    padding,
    pattern: patternString({ head, tail, padding }),
    frames,
    files: members.map((m) => names.get(m)!),
    gaps: findGaps(frames),
  };
}

/**
 * File names of the plate formats ReAge reads (the engine's sequence-io.ts decodes them:
 * PNG, TIFF, JPEG through sharp; OpenEXR and DPX through OpenImageIO): what an import
 * offers as frame sequences.
 */
export const PLATE_FILE = /\.(png|jpe?g|tiff?|exr|dpx)$/i;

/**
 * Group file names into numbered sequences (`akiyo.1001.png` … → `akiyo.####.png`).
 * Names without a number are kept as single entries. Names that share a head and
 * tail but differ in padding are separate sequences (`a.1.png` vs `a.0001.png`).
 * A zero-padded number fixes its padding; one without leading zeros (1001) fits any
 * padding up to its length, so it joins the widest fixed padding it fits, else a
 * sequence padded to the shortest such number. Result sorted by pattern.
 */
export function detectSequences(fileNames: readonly string[]): Sequence[] {
  const singles: SingleFile[] = [];
  const names = new Map<NumberedName, string>();
  const groups = new Map<string, NumberedName[]>();
  for (const name of new Set(fileNames)) {
    const n = splitFrameNumber(name);
    if (!n) {
      singles.push({ kind: 'single', pattern: name, files: [name] });
      continue;
    }
    names.set(n, name);
    const key = n.head + '\0' + n.tail;
    const group = groups.get(key);
    if (group) group.push(n);
    else groups.set(key, [n]);
  }

  const sequences: NumberedSequence[] = [];
  for (const members of groups.values()) {
    const { head, tail } = members[0]!;
    const fixed = new Map<number, NumberedName[]>();
    const free: NumberedName[] = [];
    for (const m of members) {
      if (m.digits.length > 1 && m.digits.startsWith('0')) {
        const list = fixed.get(m.digits.length);
        if (list) list.push(m);
        else fixed.set(m.digits.length, [m]);
      } else {
        free.push(m);
      }
    }
    const paddings = [...fixed.keys()].sort((a, b) => b - a);
    const leftovers: NumberedName[] = [];
    for (const m of free) {
      const fit = paddings.find((p) => p <= m.digits.length);
      if (fit === undefined) leftovers.push(m);
      else fixed.get(fit)!.push(m);
    }
    for (const [padding, list] of fixed) sequences.push(buildSequence(head, tail, padding, list, names));
    if (leftovers.length > 0) {
      const padding = Math.min(...leftovers.map((m) => m.digits.length));
      sequences.push(buildSequence(head, tail, padding, leftovers, names));
    }
  }

  const all: Sequence[] = [...sequences, ...singles];
  return all.sort((a, b) => (a.pattern < b.pattern ? -1 : a.pattern > b.pattern ? 1 : 0));
}

// ---------------------------------------------------------------------------
// Frame ranges

const RANGE_PART = /^(-?\d{1,15})(?:\s*-\s*(-?\d{1,15}))?$/;

/**
 * Parse a frame range: `1001`, `1001-1010`, `1001,1003-1005` (spaces allowed,
 * negative frames written `-5` or `-10--5`). Returns sorted unique frames; throws
 * SequenceSyntaxError naming the part that is wrong.
 */
export function parseFrameRange(spec: string): number[] {
  if (spec.trim() === '')
    throw new SequenceSyntaxError('the frame range is empty; write e.g. 1001-1010 or 1001,1003-1005');
  const frames = new Set<number>();
  for (const raw of spec.split(',')) {
    const part = raw.trim();
    const m = RANGE_PART.exec(part);
    if (!m) {
      throw new SequenceSyntaxError(
        part === ''
          ? `"${spec}" has an empty item between commas`
          : `"${part}" in "${spec}" is not a frame or a range; write e.g. 1001, 1001-1010 or 1001,1003-1005`,
      );
    }
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (to < from) throw new SequenceSyntaxError(`"${part}" runs backwards; did you mean ${to}-${from}?`);
    if (to - from + 1 + frames.size > MAX_RANGE_FRAMES) {
      throw new SequenceSyntaxError(`"${spec}" asks for more than ${MAX_RANGE_FRAMES.toLocaleString('en')} frames`);
    }
    for (let f = from; f <= to; f++) frames.add(f);
  }
  return sortedUnique(frames);
}

/** Compress frames into runs: [1001,1002,1003,1005] → [{1001,1003},{1005,1005}]. */
export function frameRuns(frames: Iterable<number>): FrameGap[] {
  const runs: FrameGap[] = [];
  for (const f of sortedUnique(frames)) {
    const last = runs[runs.length - 1];
    if (last && f === last.to + 1) last.to = f;
    else runs.push({ from: f, to: f });
  }
  return runs;
}

function runText(r: FrameGap): string {
  return r.from === r.to ? String(r.from) : `${r.from}-${r.to}`;
}

/** The inverse of parseFrameRange: [1001,1002,1003,1005] → "1001-1003,1005". */
export function formatFrameRange(frames: Iterable<number>): string {
  return frameRuns(frames).map(runText).join(',');
}

/**
 * Runs for people to read, shortened after `limit` runs:
 * "1004, 1007-1009 and 3 more ranges".
 */
export function describeRuns(runs: readonly FrameGap[], limit = 8): string {
  const shown = runs.slice(0, limit).map(runText).join(', ');
  const rest = runs.length - limit;
  return rest > 0 ? `${shown} and ${rest} more range${rest === 1 ? '' : 's'}` : shown;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** For the UI: "" when there are no gaps, else "4 frames missing: 1004, 1007-1009". */
export function describeGaps(gaps: readonly FrameGap[], limit?: number): string {
  if (gaps.length === 0) return '';
  const count = gaps.reduce((n, g) => n + g.to - g.from + 1, 0);
  return `${plural(count, 'frame')} missing: ${describeRuns(gaps, limit)}`;
}

/**
 * A sequence's frames for a list row beside its pattern: "1001–1060 · 60 frames", with
 * gaps after ("… · 3 frames missing: 1004, 1007-1008").
 */
export function describeFrames(seq: NumberedSequence, gapLimit = 4): string {
  const first = seq.frames[0]!;
  const last = seq.frames[seq.frames.length - 1]!;
  const span = first === last ? String(first) : `${first}–${last}`;
  const gaps = describeGaps(seq.gaps, gapLimit);
  return `${span} · ${plural(seq.frames.length, 'frame')}${gaps ? ` · ${gaps}` : ''}`;
}

/** One line for lists and errors: "akiyo.####.png 1001-1060 (57 frames; 3 frames missing: 1004, 1007-1008)". */
export function describeSequence(seq: Sequence): string {
  if (seq.kind === 'single') return seq.pattern;
  const first = seq.frames[0]!;
  const last = seq.frames[seq.frames.length - 1]!;
  const span = first === last ? String(first) : `${first}-${last}`;
  const gaps = describeGaps(seq.gaps);
  return `${seq.pattern} ${span} (${plural(seq.frames.length, 'frame')}${gaps ? '; ' + gaps : ''})`;
}
