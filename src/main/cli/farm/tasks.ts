/**
 * What every farm job generator shares: the tasks a shot plan splits into, and the
 * reage command line each task runs. Pure functions (no Node imports), so the
 * generators are tested as data in, document out.
 *
 * A task is one chunk: at most `chunk` consecutive frames of the plan, rendered by one
 * `reage age --plan FILE --workers 1 --frames A-B`, which pre-rolls the plan's pre-roll frames
 * before A from the shot so the chunk starts warm. A chunk never spans a gap in the
 * plan's frames: `--frames A-B` must name only frames the shot has (asking for a
 * missing one is an error), and every engine here can express a contiguous A-B.
 */
import type { ShotPlan } from '../../../shared/plan.js';
import { chunkFrames } from '../../../shared/plan.js';
import { frameRuns, parseFrameRange } from '../../../shared/sequence.js';

/** One task of a farm job: frames first..last of the plan, all present. */
export interface FarmTask {
  first: number;
  last: number;
}

/** What a generator is given: the plan, where it is, the chunk size and the command to run. */
export interface FarmJobInput {
  plan: ShotPlan;
  /** the plan file's absolute path, as every task will read it */
  planFile: string;
  /** frames per task, at most */
  chunk: number;
  /** the reage command line as words: the program, then its leading arguments (`node /…/bin/reage.js`) */
  reage: readonly string[];
}

/** A job that cannot be written as asked; the message says what to change. */
export class FarmError extends Error {
  override name = 'UsageError';
}

/** The plan's frames split into contiguous runs, then each run into chunks of up to `chunk` frames. */
export function farmTasks(plan: ShotPlan, chunk: number): FarmTask[] {
  if (!Number.isInteger(chunk) || chunk < 1) throw new FarmError(`--chunk must be a whole number ≥ 1 (got ${chunk})`);
  const tasks: FarmTask[] = [];
  for (const run of frameRuns(parseFrameRange(plan.frames))) {
    const frames = Array.from({ length: run.to - run.from + 1 }, (_, i) => run.from + i);
    for (const c of chunkFrames(frames, chunk)) tasks.push({ first: c[0]!, last: c[c.length - 1]! });
  }
  return tasks;
}

/** The plan's frames as contiguous runs (`{from, to}`), ascending. */
export function planRuns(plan: ShotPlan): { from: number; to: number }[] {
  return frameRuns(parseFrameRange(plan.frames));
}

/**
 * The arguments every task gives reage before its frames: the plan, and one engine
 * process. Left to itself `reage age` splits its frames across one worker per core; on
 * a farm the scheduler has already booked the task's CPUs and the chunk is the unit, so
 * a task must not split it again (with boundaries of its own) or take cores it was not given.
 */
export function taskArgs(planFile: string): string[] {
  return ['age', '--plan', planFile, '--workers', '1'];
}

/** `A-B`, or `A` for a one-frame chunk, as `--frames` takes it. */
export function taskFrames(task: FarmTask): string {
  return task.first === task.last ? String(task.first) : `${task.first}-${task.last}`;
}

// ---------------------------------------------------------------------------
// Command lines

// C0 and C1 controls: no scheduler passes them through a command line intact, and
// OpenJD forbids them in commands and arguments (2023-09 §5.1, §5.2)
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * Split `--reage "<command>"` into words as a POSIX shell would for a simple command:
 * blanks separate words, '…' is literal, "…" keeps blanks (with \" \\ \$ \` escapes),
 * a backslash outside quotes escapes the next character. No expansions: a farm runs
 * the words as they are.
 */
export function splitCommandLine(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let i = 0;
  const fail = (why: string) => new FarmError(`--reage "${line}": ${why}`);
  while (i < line.length) {
    const ch = line[i]!;
    if (ch === ' ' || ch === '\t') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      i++;
      continue;
    }
    inWord = true;
    if (ch === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw fail('a single quote is not closed');
      word += line.slice(i + 1, end);
      i = end + 1;
    } else if (ch === '"') {
      i++;
      for (;;) {
        if (i >= line.length) throw fail('a double quote is not closed');
        const c = line[i]!;
        if (c === '"') break;
        if (c === '\\' && i + 1 < line.length && '"\\$`'.includes(line[i + 1]!)) {
          word += line[i + 1];
          i += 2;
        } else {
          word += c;
          i++;
        }
      }
      i++;
    } else if (ch === '\\') {
      if (i + 1 >= line.length) throw fail('it ends with a lone backslash');
      word += line[i + 1];
      i += 2;
    } else {
      word += ch;
      i++;
    }
  }
  if (inWord) words.push(word);
  if (words.length === 0)
    throw fail('it is empty; name the program that runs reage, e.g. "reage" or "node /path/to/bin/reage.js"');
  return checkWords(words);
}

/** Refuse words a farm cannot carry (control characters such as newlines). */
export function checkWords(words: readonly string[]): string[] {
  for (const w of words) {
    if (CONTROL.test(w))
      throw new FarmError(
        `${JSON.stringify(w)} holds a control character (a newline?), which no farm command line carries`,
      );
  }
  return [...words];
}

const SH_SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** Quote one word for a POSIX shell (and csh, whose single quotes are as literal). */
export function shQuote(word: string): string {
  if (SH_SAFE.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Words as one shell command line. */
export function shJoin(words: readonly string[]): string {
  return words.map(shQuote).join(' ');
}

/** A name a scheduler accepts everywhere: ASCII letters, digits, `.`, `_` and `-`. */
export function safeName(name: string, fallback = 'shot'): string {
  const cleaned = name
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^[_.-]+|[_.-]+$/g, '');
  return cleaned || fallback;
}

/** One line describing the job, for headers and descriptions. */
export function jobSummary(input: FarmJobInput, tasks: readonly FarmTask[]): string {
  const runs = planRuns(input.plan).map((r) => (r.from === r.to ? `${r.from}` : `${r.from}-${r.to}`));
  const frames = tasks.reduce((n, t) => n + t.last - t.first + 1, 0);
  return (
    `${input.plan.name}: ${frames} frame${frames === 1 ? '' : 's'} (${runs.join(',')}) in ${tasks.length} ` +
    `chunk${tasks.length === 1 ? '' : 's'} of up to ${input.chunk}, ${input.plan.preRoll} pre-roll frame${input.plan.preRoll === 1 ? '' : 's'} each`
  );
}
