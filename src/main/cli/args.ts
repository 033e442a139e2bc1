/**
 * Argument parsing for `reage`: turns argv into a typed command or a UsageError
 * (exit code 2) whose message says what to fix.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import {
  AGE_CATEGORIES,
  BACKEND_CHOICES,
  COMPOSITE_MODES,
  RECONSTRUCTION_MODES,
  SEED_LIMITS,
  STEP_LIMITS,
  STRENGTH_LIMITS,
  TEXTURE_LIMITS,
  WARM_STEP_LIMITS,
  LATENT_SMOOTHING_LIMITS,
  isAgeCategory,
  withinSettingLimits,
  type BackendChoice,
  type SettingLimits,
} from '../../shared/ages.js';
import { parseAgeKeys } from '../../shared/age-keys.js';
import { parseColourSpaceName } from '../../shared/colour-space.js';
import { parseRegions } from '../../shared/regions.js';
import type { AgeSettingsMessage } from '../../shared/ipc.js';
import { MAX_FACE_ID, MAX_OTHER_FACES, type OtherFace } from '../../shared/project.js';

/** node:util parseArgs, its errors (unknown or malformed options) as usage errors (exit 2). */
export function parseOptions<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

export class UsageError extends Error {
  override name = 'UsageError';
}

/** Optimisation steps for a shot's first frame; `npm run bench` uses the same default. */
export const DEFAULT_STEPS = 60;
/** Steps per face for `reage eval`. */
export const DEFAULT_EVAL_STEPS = 40;

export const USAGE = `reage — re-age faces in movie frames (Age-cGAN)

Usage:
  reage age <input> --out <folder|pattern> --age <${AGE_CATEGORIES.join('|')}> | --age-keys FRAME:AGE[@S],…
            [--source-age auto|<category>] [--mode identity|pixel] [--detail on|off]
            [--strength S] [--texture T] [--composite delta|replace] [--steps N] [--warm-steps N] [--latent-smoothing K] [--seed N] [--frames A-B] [--resume]
            [--face ID | --face-at X,Y[@FRAME]] [--also-age FACE=AGE[/SOURCE] …] [--colour-space auto|srgb|rec709|linear-rec709|acescg|aces2065-1]
            [--ocio-config FILE --colour-space NAME [--ocio-display NAME]] [--matte <folder|pattern>]
            [--delta <folder|pattern.exr>] [--regions eyes=0,mouth=0,lenses=1,forehead=1,neck=0,feather=1,grow=0]
            [--workers N]
  reage plan <input> --render-to <folder|pattern> --age <category> [the settings of reage age] [--frames A-B]
            [--pre-roll N] --out FILE.reage-plan.json
  reage age --plan FILE [--frames A-B] [--resume] [--workers N] [--json]
            [--backend auto|tensorflow|wasm|cpu] [--model DIR] [--json]
  reage info [--backend …] [--model DIR] [--json]
  reage eval-aging [--split test|train] [--limit 200] [--skip 0] [--ages 20-35] [--targets 0-18,60+] [--mode …] [--detail …] [--strength S] [--texture T] [--records FILE] [--sheet FILE.png]
  reage eval-aging --pool part1.json part2.json …
  reage eval-plates [--footage DIR] [--frames 1001-1016] [--targets 0-18,60+] [--mode …] [--strength S] [--texture T] [--sheets DIR]
  reage farm openjd|opencue|slurm --plan FILE --chunk N --out FILE [--reage "CMD"]
            [opencue: --show S --user U --facility F --service S] [slurm: --logs DIR]
  reage eval [--split test] [--limit N] [--skip K] [--steps N] [--detail off|on] [--strength S] [--texture T] [--z-anchor W] [--detail-weight W] [--age-weight W] [--calibration-images N] [--save-faces DIR] [--backend …] [--model DIR] [--json]

<input> is a folder holding one frame sequence, a pattern (name.####.ext, name.%04d.ext,
name.@@@@.ext) or a list of files. Outputs keep frame numbers, padding, format and bit depth.
Every face is followed through the shot with an id: 0 is the largest where the faces first
appear, 1 the next, and so on. --face ID ages that one (default 0); --face-at X,Y[@FRAME] the
one whose box holds that pixel on FRAME (default: the shot's first frame).
--also-age FACE=AGE[/SOURCE] ages another face of the shot too, to its own AGE (FACE an id or
X,Y[@FRAME]; SOURCE its current age, estimated on it when absent); repeat it for more faces.
Frames without the chosen face are passed through unchanged and reported.
--colour-space says what the plates are encoded in (default auto: sRGB for PNG, TIFF, JPEG and
DPX; for EXR and float TIFF the space their chromaticities name, else linear Rec.709). The face
is aged in display sRGB and the change put back in the plate's own space; with --ocio-config the
name is one of that OpenColorIO config's spaces. --matte writes each frame's face matte (one
channel) and --delta the change itself (aged − plate, float) beside the aged frames, numbered alike.
--regions weakens parts of the face (0: the plate's own pixels, 1: all of the change; eyes and the
mouth's interior are 0 by default, the neck below the jaw 0), feather scales the mask's soft edge
and grow moves its outline out (or in, negative) by that fraction of the eye-to-chin distance.
--age-keys 1001:30-39,1040:60+[,1050:60+@1.2] ages over time: each frame's age eases from one
key to the next (before the first key, the first; after the last, the last); @S is that key's
strength (default --strength). With keys --age is optional: it names the age in outputs.
Exit status: 0 every frame succeeded, 1 some frames failed or the engine could not start,
2 usage error (or an input/output that cannot be used), 130 interrupted (Ctrl-C).`;

/** Compositing passes written beside the aged frames (issue #18): folders or patterns, as --out. */
export interface PassOutputs {
  matte?: string;
  delta?: string;
}

interface Common {
  backend: BackendChoice;
  model?: string;
  json: boolean;
}

/** `reage age`: the files, and the shot settings under the names the engine and the project file use. */
export interface AgeCommand extends Common, AgeSettingsMessage, PassOutputs {
  command: 'age';
  inputs: string[];
  out: string;
  frames?: string;
  resume: boolean;
  /** engine processes that share the shot, each on its own part; absent: one per core, memory permitting */
  workers?: number;
}

/** `reage plan`: survey a shot and write what every chunk of it must share (src/shared/plan.ts). */
export interface PlanCommand extends Common, AgeSettingsMessage, PassOutputs {
  command: 'plan';
  inputs: string[];
  /** where the frames will be rendered */
  renderTo: string;
  /** the plan file */
  out: string;
  frames?: string;
  preRoll: number;
}

/** `reage age --plan FILE`: render the plan's shot, or the chunk `frames` of it. */
export interface AgePlanCommand extends Common {
  command: 'age-plan';
  plan: string;
  frames?: string;
  resume: boolean;
  workers?: number;
}
export interface InfoCommand extends Common {
  command: 'info';
}
export interface EvalCommand extends Common {
  command: 'eval';
  split: 'test';
  limit?: number;
  skip?: number;
  steps: number;
  /** refine reconstructions with detail.ts's feature offset; off measures the paper's method */
  detail: boolean;
  /** age strength of the aged faces (1: the model's own) */
  strength: number;
  /** amount of the prototype age layer on the aged faces (0: Age-cGAN alone, 1: the default) */
  texture: number;
  /** stage 3's anchor weight to z0 = E(x); absent: the engine's default */
  zAnchor?: number;
  /** detail refinement's penalty on its offset; absent: the engine's default */
  detailWeight?: number;
  ageWeight?: number;
  /** real faces the threshold and the real-face age accuracy are measured on; absent: the evaluation's default */
  calibrationImages?: number;
  out?: string;
  /** a folder for one PNG strip per evaluated face */
  saveFaces?: string;
}
export type Command = AgeCommand | AgePlanCommand | PlanCommand | InfoCommand | EvalCommand | { command: 'help' };

function oneOf<T extends string>(name: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`--${name} must be one of ${allowed.join(', ')} (got "${value}")`);
}

const SWITCH = ['on', 'off'] as const;

/** `--name on|off`; absent gives the fallback. */
export function onOff(name: string, value: string | undefined, fallback: boolean): boolean {
  return oneOf(name, value, SWITCH, fallback ? 'on' : 'off') === 'on';
}

/** `--NAME W`: a finite number ≥ 0. */
function nonNegative(name: string, value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0)
    throw new UsageError(`--${name} must be a number ≥ 0 (got "${value}")`);
  return n;
}

/** `--NAME X`: a number within limits; absent gives the limits' default. */
export function withinLimits(
  name: string,
  value: string | undefined,
  limits: SettingLimits,
  fallback = limits.default,
): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === '' || !withinSettingLimits(n, limits)) {
    const kind = limits.integer ? 'a whole number' : 'a number';
    throw new UsageError(`--${name} must be ${kind} from ${limits.min} to ${limits.max} (got "${value}")`);
  }
  return n;
}

/** `--strength S`: a number in STRENGTH_LIMITS; absent gives the default (1). */
function strength(value: string | undefined): number {
  return withinLimits('strength', value, STRENGTH_LIMITS);
}

/** `--texture T`: a number in TEXTURE_LIMITS; absent gives the default (1, the hybrid). */
function texture(value: string | undefined): number {
  return withinLimits('texture', value, TEXTURE_LIMITS);
}

function positiveInt(name: string, value: string | undefined, fallback?: number): number | undefined {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name} must be a whole number ≥ 0 (got "${value}")`);
  return n;
}

export function parseCommand(argv: string[]): Command {
  const [first, ...rest] = argv;
  if (!first || first === 'help' || first === '--help' || first === '-h') return { command: 'help' };
  if (first !== 'age' && first !== 'plan' && first !== 'info' && first !== 'eval')
    throw new UsageError(`unknown command "${first}"`);
  const command = first;
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      allowPositionals: true,
      options: {
        out: { type: 'string', short: 'o' },
        age: { type: 'string' },
        'source-age': { type: 'string' },
        mode: { type: 'string' },
        detail: { type: 'string' },
        strength: { type: 'string' },
        texture: { type: 'string' },
        composite: { type: 'string' },
        steps: { type: 'string' },
        'warm-steps': { type: 'string' },
        'latent-smoothing': { type: 'string' },
        seed: { type: 'string' },
        frames: { type: 'string' },
        resume: { type: 'boolean' },
        backend: { type: 'string' },
        model: { type: 'string' },
        json: { type: 'boolean' },
        split: { type: 'string' },
        limit: { type: 'string' },
        skip: { type: 'string' },
        'z-anchor': { type: 'string' },
        'detail-weight': { type: 'string' },
        'age-weight': { type: 'string' },
        'calibration-images': { type: 'string' },
        'save-faces': { type: 'string' },
        plan: { type: 'string' },
        workers: { type: 'string' },
        'render-to': { type: 'string' },
        'pre-roll': { type: 'string' },
        face: { type: 'string' },
        'face-at': { type: 'string' },
        'also-age': { type: 'string', multiple: true },
        'age-keys': { type: 'string' },
        'colour-space': { type: 'string' },
        'color-space': { type: 'string' },
        'ocio-config': { type: 'string' },
        'ocio-display': { type: 'string' },
        matte: { type: 'string' },
        delta: { type: 'string' },
        regions: { type: 'string' },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const v = parsed.values;
  const envBackend = process.env.REAGE_BACKEND;
  const common: Common = {
    backend: oneOf('backend', v.backend ?? envBackend, BACKEND_CHOICES, 'auto'),
    model: v.model,
    json: v.json ?? false,
  };
  if (command === 'info') return { command, ...common };
  if (command === 'eval') {
    if (v.split !== undefined && v.split !== 'test') throw new UsageError('--split must be "test"');
    return {
      command,
      ...common,
      split: 'test',
      limit: positiveInt('limit', v.limit),
      ...(v.skip !== undefined ? { skip: positiveInt('skip', v.skip)! } : {}),
      steps: withinLimits('steps', v.steps, STEP_LIMITS, DEFAULT_EVAL_STEPS),
      detail: onOff('detail', v.detail, false),
      strength: strength(v.strength),
      texture: texture(v.texture),
      ...(v['z-anchor'] !== undefined ? { zAnchor: nonNegative('z-anchor', v['z-anchor']) } : {}),
      ...(v['detail-weight'] !== undefined ? { detailWeight: nonNegative('detail-weight', v['detail-weight']) } : {}),
      ...(v['age-weight'] !== undefined ? { ageWeight: nonNegative('age-weight', v['age-weight']) } : {}),
      ...(v['calibration-images'] !== undefined
        ? { calibrationImages: positiveInt('calibration-images', v['calibration-images'])! }
        : {}),
      out: v.out,
      ...(v['save-faces'] !== undefined ? { saveFaces: v['save-faces'] } : {}),
    };
  }
  // absent: one per core, memory permitting (decided where the machine is known: age.ts)
  const workers = v.workers !== undefined ? withinLimits('workers', v.workers, WORKER_LIMITS) : undefined;
  if (command === 'age' && v.plan !== undefined) {
    // a plan holds the plates, the output and every setting: only how to run is left to say
    const given = SETTING_FLAGS.filter((f) => v[f] !== undefined);
    if (parsed.positionals.length || given.length)
      throw new UsageError(
        `with --plan the plates, the output and the settings come from the plan; drop ${[...parsed.positionals, ...given.map((f) => `--${f}`)].join(', ')}`,
      );
    return {
      command: 'age-plan',
      ...common,
      plan: v.plan,
      ...(v.frames !== undefined ? { frames: v.frames } : {}),
      resume: v.resume ?? false,
      ...(workers !== undefined ? { workers } : {}),
    };
  }
  const verb = command === 'plan' ? 'reage plan' : 'reage age';
  if (parsed.positionals.length === 0) throw new UsageError(`${verb} needs an <input>: a folder, a pattern or files`);
  if (command === 'plan') {
    if (!v['render-to']) throw new UsageError('reage plan needs --render-to <folder or pattern>: where the frames go');
    if (!v.out) throw new UsageError('reage plan needs --out FILE: the plan file to write');
    return {
      command,
      ...common,
      inputs: parsed.positionals,
      renderTo: v['render-to'],
      out: v.out,
      ...(v.frames !== undefined ? { frames: v.frames } : {}),
      preRoll: withinLimits('pre-roll', v['pre-roll'], PRE_ROLL_LIMITS),
      ...settingsFrom(v),
      ...passesFrom(v),
    };
  }
  if (!v.out) throw new UsageError('reage age needs --out <folder or pattern>');
  return {
    command,
    ...common,
    inputs: parsed.positionals,
    out: v.out,
    ...settingsFrom(v),
    ...passesFrom(v),
    ...(v.frames !== undefined ? { frames: v.frames } : {}),
    resume: v.resume ?? false,
    ...(workers !== undefined ? { workers } : {}),
  };
}

/** The flags that set a shot's settings (refused next to --plan, which fixes them). */
const SETTING_FLAGS = [
  'age',
  'source-age',
  'mode',
  'detail',
  'strength',
  'texture',
  'composite',
  'steps',
  'warm-steps',
  'latent-smoothing',
  'seed',
  'face',
  'face-at',
  'also-age',
  'age-keys',
  'colour-space',
  'color-space',
  'ocio-config',
  'ocio-display',
  'matte',
  'delta',
  'regions',
  'out',
] as const;

/** Local engine processes: one per core is the point; more than a machine has cores only competes. */
const WORKER_LIMITS = { min: 1, max: 64, default: 1, integer: true } as const;
/** Frames a plan's chunks pre-roll (src/shared/plan.ts bounds it the same way). */
const PRE_ROLL_LIMITS = { min: 0, max: 100, default: 3, integer: true } as const;

/** `--face ID`: a track id, 0 to MAX_FACE_ID. */
export function faceId(value: string, flag = '--face'): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < 0 || n > MAX_FACE_ID)
    throw new UsageError(
      `${flag} must be a face id, a whole number from 0 to ${MAX_FACE_ID} (0 is the largest face; got "${value}")`,
    );
  return n;
}

/** `--face-at X,Y[@FRAME]`: a frame pixel, on FRAME or (absent) the shot's first frame. */
export function facePoint(value: string, flag = '--face-at'): { x: number; y: number; frame?: number } {
  const m = /^\s*(-?[\d.]+)\s*,\s*(-?[\d.]+)\s*(?:@\s*(-?\d+)\s*)?$/.exec(value);
  const x = Number(m?.[1]);
  const y = Number(m?.[2]);
  if (!m || !Number.isFinite(x) || !Number.isFinite(y))
    throw new UsageError(`${flag} must be X,Y or X,Y@FRAME, a pixel of the frame (got "${value}")`);
  return { x, y, ...(m[3] !== undefined ? { frame: Number(m[3]) } : {}) };
}

/** Every `--also-age`, at most MAX_OTHER_FACES. */
function otherFacesFrom(values: readonly string[]): OtherFace[] {
  if (values.length > MAX_OTHER_FACES)
    throw new UsageError(`--also-age: at most ${MAX_OTHER_FACES} other faces (got ${values.length})`);
  return values.map(otherFace);
}

/** `--face` or `--face-at` (not both) as the settings' face; absent when neither. */
function faceFrom(v: { face?: string | undefined; 'face-at'?: string | undefined }): Pick<AgeSettingsMessage, 'face'> {
  if (v.face !== undefined && v['face-at'] !== undefined)
    throw new UsageError('give --face ID or --face-at X,Y[@FRAME], not both');
  if (v.face !== undefined) return { face: faceId(v.face) };
  if (v['face-at'] !== undefined) return { face: facePoint(v['face-at']) };
  return {};
}

/**
 * `--also-age FACE=AGE[/SOURCE]`: another face of the shot (an id, or X,Y[@FRAME]) aged to
 * its own AGE, from SOURCE when given (issue #22).
 */
export function otherFace(value: string): OtherFace {
  const m = /^\s*([^=]+?)\s*=\s*([^/\s]+)\s*(?:\/\s*(\S+)\s*)?$/.exec(value);
  if (!m) throw new UsageError(`--also-age must be FACE=AGE or FACE=AGE/SOURCE, e.g. 1=60+ (got "${value}")`);
  const [, face, age, source] = m as unknown as [string, string, string, string | undefined];
  const selection = face.includes(',') ? facePoint(face, '--also-age') : faceId(face, '--also-age');
  if (!isAgeCategory(age))
    throw new UsageError(`--also-age ${value}: the age must be one of ${AGE_CATEGORIES.join(', ')}`);
  if (source !== undefined && !isAgeCategory(source))
    throw new UsageError(`--also-age ${value}: the source age must be one of ${AGE_CATEGORIES.join(', ')}`);
  return { face: selection, targetAge: age, ...(source !== undefined ? { sourceAge: source } : {}) };
}

/** The shot settings from the age and plan commands' flags, with the hybrid's defaults. */
function settingsFrom(
  v: Partial<Record<Exclude<(typeof SETTING_FLAGS)[number], 'also-age'>, string>> & { 'also-age'?: string[] },
): AgeSettingsMessage {
  const ageKeys = v['age-keys'] !== undefined ? ageKeysFrom(v['age-keys']) : undefined;
  if (!v.age && !ageKeys)
    throw new UsageError(`--age (${AGE_CATEGORIES.join(', ')}) or --age-keys FRAME:AGE,… is needed`);
  if (v.age !== undefined && !isAgeCategory(v.age))
    throw new UsageError(`--age must be one of ${AGE_CATEGORIES.join(', ')} (got "${v.age}")`);
  const source = v['source-age'] ?? 'auto';
  if (source !== 'auto' && !isAgeCategory(source))
    throw new UsageError(`--source-age must be auto or one of ${AGE_CATEGORIES.join(', ')} (got "${source}")`);
  return {
    // with keys and no --age, the first key's age names the shot's age (outputs' {age})
    targetAge: v.age ?? ageKeys![0]!.age,
    sourceAge: source,
    // the hybrid's defaults, chosen by eval-aging's rule (docs/EVAL.md, "Ageing that reads")
    mode: oneOf('mode', v.mode, RECONSTRUCTION_MODES, 'pixel'),
    detail: onOff('detail', v.detail, false),
    strength: strength(v.strength),
    texture: texture(v.texture),
    composite: oneOf('composite', v.composite, COMPOSITE_MODES, 'delta'),
    steps: withinLimits('steps', v.steps, STEP_LIMITS, DEFAULT_STEPS),
    ...(v['warm-steps'] !== undefined
      ? { warmSteps: withinLimits('warm-steps', v['warm-steps'], WARM_STEP_LIMITS) }
      : {}),
    ...(v['latent-smoothing'] !== undefined
      ? { latentSmoothing: withinLimits('latent-smoothing', v['latent-smoothing'], LATENT_SMOOTHING_LIMITS) }
      : {}),
    seed: withinLimits('seed', v.seed, SEED_LIMITS),
    ...faceFrom(v),
    ...(v['also-age']?.length ? { otherFaces: otherFacesFrom(v['also-age']) } : {}),
    ...(ageKeys ? { ageKeys } : {}),
    ...colourSpaceFrom(v),
    ...(v.regions !== undefined ? { regions: regionsFrom(v.regions) } : {}),
  };
}

/** `--regions mouth=0.5,neck=1,feather=1.5`: the named parts, or a usage error naming the bad one. */
function regionsFrom(value: string): NonNullable<AgeSettingsMessage['regions']> {
  try {
    return parseRegions(value);
  } catch (err) {
    throw new UsageError(`--regions: ${(err as Error).message}`);
  }
}

/** `--matte` and `--delta`, when given. */
function passesFrom(v: { matte?: string | undefined; delta?: string | undefined }): PassOutputs {
  return { ...(v.matte !== undefined ? { matte: v.matte } : {}), ...(v.delta !== undefined ? { delta: v.delta } : {}) };
}

/**
 * `--colour-space NAME` (or `--color-space`), with `--ocio-config FILE` [`--ocio-display NAME`]
 * naming a space of that config; absent: the settings say nothing (auto).
 */
export function colourSpaceFrom(
  v: Partial<Record<'colour-space' | 'color-space' | 'ocio-config' | 'ocio-display', string>>,
): Pick<AgeSettingsMessage, 'colourSpace'> {
  if (v['colour-space'] !== undefined && v['color-space'] !== undefined)
    throw new UsageError('give --colour-space or --color-space, not both');
  const name = v['colour-space'] ?? v['color-space'];
  const config = v['ocio-config'];
  if (config !== undefined) {
    if (name === undefined || name.trim() === '')
      throw new UsageError("--ocio-config needs --colour-space NAME: the plates' colour space in that config");
    const display = v['ocio-display'];
    return { colourSpace: { ocio: { config, space: name, ...(display !== undefined ? { display } : {}) } } };
  }
  if (v['ocio-display'] !== undefined) throw new UsageError('--ocio-display only means something with --ocio-config');
  if (name === undefined) return {};
  try {
    return { colourSpace: parseColourSpaceName(name) };
  } catch (err) {
    throw new UsageError(`--colour-space: ${(err as Error).message}`);
  }
}

/** `--age-keys 1001:30-39,1040:60+@1.2`: the keys, or a usage error naming the bad one. */
export function ageKeysFrom(value: string): NonNullable<AgeSettingsMessage['ageKeys']> {
  try {
    return parseAgeKeys(value);
  } catch (err) {
    throw new UsageError(`--age-keys: ${(err as Error).message}`);
  }
}
