/**
 * The evaluation report: its JSON shape (`EvalReport`, what `reage eval --json`
 * prints) and its markdown rendering (`formatEvalTable`, what it prints otherwise and
 * what goes into docs/ and the model card), plus the run's hardware and command.
 */
import { cpus, release, totalmem, type as osType, arch } from 'node:os';
import { basename, isAbsolute, relative } from 'node:path';
import { AGE_CATEGORIES, type AgeCategory } from '../../shared/ages.js';
import type { AgeAccuracyResult, AgeEstimatorId } from './age-accuracy.js';
import type { ThresholdReport } from './calibrate.js';
import type { Share } from './metrics.js';

/**
 * A model folder as a committed report may show it: relative to the working folder
 * when inside it, else its name alone (a report must not carry machine paths).
 */
export function reportPath(path: string, base: string = process.cwd()): string {
  const rel = relative(base, path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : basename(path);
}

export const REPORT_FORMAT = 1;

/** Antipov et al. 2017: Table 1 (OpenFace acceptance of reconstructions) and the age-estimation drop. */
export const PAPER = {
  initial: 0.532,
  pixel: 0.598,
  identity: 0.829,
  ageAccuracyDrop: 0.17,
} as const;

/** What this project aims for, to beat the paper. */
export const TARGETS = {
  identityReconstruction: 0.9,
  ageAccuracyDrop: 0.1,
} as const;

/** Mean seconds per evaluated image for each stage. */
export interface StageSeconds {
  /** z0 = E(x) */
  encode: number;
  /** pixel-wise latent optimisation from z0 */
  optimisePixel: number;
  /** identity-preserving latent optimisation from z0 */
  optimiseIdentity: number;
  /** detail refinement: both reconstructions' offsets and, with the age term, one per other target (0 with detail off) */
  detail: number;
  /** one batch of G: the three reconstructions and the six aged faces */
  generate: number;
  /** the independent recogniser / age estimator on those nine faces */
  measure: number;
  total: number;
}

export interface ImageResult {
  name: string;
  /** age in years, from the file name */
  age: number;
  category: AgeCategory;
  /** independent-recogniser distance from the real face */
  distance: { initial: number; pixel: number; identity: number; aged: number[] };
  /**
   * The optimiser's own recogniser (face-api, 128-d) on the same reconstructions: what
   * the identity-preserving optimisation minimises. Beside `distance` it shows whether
   * identity gained for that recogniser holds for an independent one.
   */
  optimiserDistance: { initial: number; pixel: number; identity: number };
  /** each age estimator's estimate, years: of the real face, and of the six aged faces in category order */
  estimatedAge: Record<AgeEstimatorId, { real: number; aged: number[] }>;
  /** optimiser updates actually run (early stopping may end before --steps) */
  steps: { pixel: number; identity: number };
  seconds: StageSeconds;
}

export interface ReconstructionResult {
  accepted: Share;
  meanDistance: number | null;
  /** mean face-api distance (the optimiser's recogniser; its own same-person threshold is 0.6) */
  meanOptimiserDistance: number | null;
  /** mean optimiser updates run; absent for z0 */
  meanSteps?: number | null;
}

export interface CategoryResult {
  category: AgeCategory;
  /** every evaluated face aged to this category: accepted as the same person as the real face */
  identity: Share;
  /** the same, only faces whose own category is another one (a real age change) */
  identityChanged: Share;
  meanDistance: number | null;
}

export interface Target {
  target: number;
  paper: number;
  measured: number | null;
  /** null when nothing was measured */
  met: boolean | null;
}

export interface EvalReport {
  format: typeof REPORT_FORMAT;
  createdAt: string;
  /** the command that reproduces this run */
  command: string;
  model: {
    name: string;
    version: string;
    trained: boolean;
    path: string;
    width: number;
    encoderWidth: number;
    training: { epochs: number; steps: number; encoderSteps: number };
  };
  backend: { name: string; simd?: boolean; threads?: number };
  hardware: Hardware;
  data: {
    dir: string;
    split: string;
    /** faces reconstructed and aged */
    images: number;
    perCategory: Record<AgeCategory, number>;
    /** real faces measured for the threshold and the real age accuracy (a superset of the evaluated ones) */
    calibrationImages: number;
    seed: number;
    /** faces of the order left out before these (a part of a larger run); absent for 0 */
    skip?: number;
    crop: string;
  };
  settings: {
    steps: number;
    /** detail refinement on or off, in words */
    detail: string;
    /** age strength of the aged faces (1: the model's own age change) */
    strength: number;
    /** weight of the identity-preserving optimisation's anchor to z0 = E(x), 0 in the paper (absent in reports from before it existed) */
    zAnchor?: number;
    earlyStop: string;
    agedFrom: string;
    optimiserRecogniser: string;
    measuredWith: string;
    measureInput: string;
    ageBinning: string;
  };
  threshold: ThresholdReport;
  reconstruction: { initial: ReconstructionResult; pixel: ReconstructionResult; identity: ReconstructionResult };
  aging: CategoryResult[];
  /** one per age estimator; the first (faceres, independent) is the one the target is judged on */
  ageAccuracy: AgeAccuracyResult[];
  targets: { identityReconstruction: Target; ageAccuracyDrop: Target };
  timings: {
    perImage: StageSeconds;
    /** loading the networks, measuring the calibration faces, reading the footage */
    setup: { load: number; calibrate: number; footage: number };
    totalSeconds: number;
  };
  images: ImageResult[];
  notes: string[];
}

export interface Hardware {
  cpu: string;
  cores: number;
  memoryGiB: number;
  os: string;
  arch: string;
  node: string;
}

export function hardwareInfo(): Hardware {
  const list = cpus();
  return {
    cpu: list[0]?.model.trim() || 'unknown',
    cores: list.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    os: `${osType()} ${release()}`,
    arch: arch(),
    node: process.version,
  };
}

/** POSIX-shell quoting, only where needed. */
export function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

// ------------------------------------------------------------ markdown

const pct = (v: number | null | undefined, digits = 1): string =>
  v === null || v === undefined ? '–' : `${(v * 100).toFixed(digits)}%`;

const num = (v: number | null | undefined, digits = 3): string =>
  v === null || v === undefined ? '–' : v.toFixed(digits);

function shareCell(s: Share): string {
  return s.n ? `${pct(s.share)} (${s.count}/${s.n})` : '–';
}

function intervalText([lo, hi]: [number, number]): string {
  return `${(lo * 100).toFixed(0)}–${(hi * 100).toFixed(0)}%`;
}

function ciCell(s: Share): string {
  return s.ci95 ? intervalText(s.ci95) : '–';
}

/** The relative drop, with its bootstrap interval where the report has one. */
function dropCell(e: AgeAccuracyResult): string {
  return e.relativeDropCi95 ? `${pct(e.relativeDrop)} (${intervalText(e.relativeDropCi95)})` : pct(e.relativeDrop);
}

function metCell(t: Target): string {
  return t.met === null ? 'not measured' : t.met ? 'met' : 'not met';
}

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** The report as markdown: a header naming everything needed to reproduce it, then the tables. */
export function formatEvalTable(r: EvalReport): string {
  const out: string[] = [];
  const m = r.model;
  out.push(
    `## reage eval: ${m.name} ${m.version}${m.trained ? '' : ' (UNTRAINED: random weights, figures are meaningless)'}`,
  );
  out.push('');
  out.push(`- Command: \`${r.command}\``);
  out.push(
    `- Model: \`${reportPath(m.path)}\`, width ${m.width}/${m.encoderWidth}, trained ${m.trained ? `yes (${m.training.epochs} epochs, ${m.training.steps} GAN steps, ${m.training.encoderSteps} encoder steps)` : 'no'}`,
  );
  const b = r.backend;
  const wasm =
    b.name === 'wasm' ? ` (SIMD ${b.simd ? 'on' : 'off'}, ${b.threads ?? 1} thread${b.threads === 1 ? '' : 's'})` : '';
  out.push(`- Backend: ${b.name}${wasm}`);
  const h = r.hardware;
  out.push(`- Hardware: ${h.cores} × ${h.cpu}, ${h.memoryGiB} GiB RAM, ${h.os} ${h.arch}, Node ${h.node}`);
  const cats = AGE_CATEGORIES.map((c) => `${c}: ${r.data.perCategory[c]}`).join(', ');
  out.push(
    `- Data: UTKFace \`${r.data.split}\` split, ${r.data.images} images (${cats}), selection seed ${r.data.seed}; ${r.data.crop}`,
  );
  out.push(
    `- Optimiser: at most ${r.settings.steps} steps (${r.settings.earlyStop}); identity loss on ${r.settings.optimiserRecogniser}; ${r.settings.zAnchor ? `identity-preserving loss anchored to z0 = E(x), weight ${r.settings.zAnchor} × mean((z − z0)²) (the engine's; not in the paper)` : "no anchor to z0 (the paper's loss)"}; aged faces are G(z, y) from ${r.settings.agedFrom}`,
  );
  out.push(`- Detail refinement: ${r.settings.detail}`);
  out.push(
    `- Age strength: ${r.settings.strength}${r.settings.strength === 1 ? " (the model's own age change)" : ' (aged faces only; 1 is the model’s own age change)'}`,
  );
  out.push(
    `- Identity measured with ${r.settings.measuredWith}, independent of the optimiser's recogniser; input: ${r.settings.measureInput}`,
  );
  const t = r.threshold;
  out.push(
    `- Threshold: same person when distance < **${t.threshold.toFixed(4)}**, calibrated at a false-accept rate of ${pct(t.targetFar)} ` +
      `(achieved ${pct(t.achievedFar, 2)}) on ${t.pairs} different-person pairs from ${t.calibrationImages} real test faces ` +
      `(mean distance ${num(t.meanDifferentDistance)}). Assumption: ${t.assumption}.`,
  );
  out.push('');
  out.push(
    table(
      ['threshold check', 'pairs', 'accepted', '95% CI', 'mean distance'],
      t.checks.map((c) => [
        c.label,
        c.kind === 'same' ? 'same person (true-accept rate)' : 'different people (false-accept rate)',
        shareCell(c.accepted),
        ciCell(c.accepted),
        num(c.meanDistance),
      ]),
    ),
  );
  out.push('');
  out.push("### Identity of reconstructions (the paper's Table 1)");
  out.push('');
  const rec = r.reconstruction;
  const row = (label: string, x: ReconstructionResult, paper: number): string[] => [
    label,
    shareCell(x.accepted),
    ciCell(x.accepted),
    num(x.meanDistance),
    num(x.meanOptimiserDistance),
    x.meanSteps === undefined ? '–' : num(x.meanSteps, 1),
    pct(paper),
  ];
  out.push(
    table(
      [
        'reconstruction',
        'accepted as same person',
        '95% CI',
        'mean distance',
        "mean distance, optimiser's recogniser",
        'mean steps',
        'paper',
      ],
      [
        row('initial, z0 = E(x)', rec.initial, PAPER.initial),
        row('pixel-wise optimisation', rec.pixel, PAPER.pixel),
        row('identity-preserving optimisation', rec.identity, PAPER.identity),
      ],
    ),
  );
  out.push('');
  out.push(
    "- The optimiser's recogniser is face-api's 128-d dlib ResNet (same-person below 0.6); identity gained only in its eyes, not in the independent recogniser's, is fitted to that one network.",
  );
  const ti = r.targets.identityReconstruction;
  out.push('');
  out.push(
    `Target: identity-preserving reconstruction accepted ≥ ${pct(ti.target, 0)} (paper ${pct(ti.paper)}): measured ${pct(ti.measured)}, **${metCell(ti)}**.`,
  );
  out.push('');
  out.push("### Identity under aging (the paper's identity test on the aged faces)");
  out.push('');
  out.push(
    table(
      ['target age', 'accepted as same person (all faces)', '95% CI', 'accepted (target ≠ own age)', 'mean distance'],
      r.aging.map((c) => [
        c.category,
        shareCell(c.identity),
        ciCell(c.identity),
        shareCell(c.identityChanged),
        num(c.meanDistance),
      ]),
    ),
  );
  out.push('');
  out.push('### Age accuracy: generated faces at the requested age vs real test faces');
  out.push('');
  const estimators = r.ageAccuracy;
  out.push(
    table(
      [
        'target age',
        ...estimators.flatMap((e) => [`${e.estimator}: generated`, `${e.estimator}: real`, `${e.estimator}: drop`]),
      ],
      [
        ...AGE_CATEGORIES.map((category, i) => [
          category,
          ...estimators.flatMap((e) => {
            const c = e.perCategory[i]!;
            return [shareCell(c.generated), shareCell(c.real), pct(c.relativeDrop)];
          }),
        ]),
        ['all (mean over categories)', ...estimators.flatMap((e) => [pct(e.generated), pct(e.real), dropCell(e)])],
      ],
    ),
  );
  const ta = r.targets.ageAccuracyDrop;
  const primary = estimators[0];
  const interval = primary?.relativeDropCi95
    ? ` (95% interval ${intervalText(primary.relativeDropCi95)}, bootstrap over the faces)`
    : '';
  out.push('');
  for (const e of estimators) out.push(`- ${e.estimator}: ${e.description}.`);
  out.push(
    `- Age read-out: ${r.settings.ageBinning}. Drop = (real − generated) / real. ` +
      `Target, on ${primary?.estimator ?? 'the first estimator'}: drop ≤ ${pct(ta.target, 0)} (paper ${pct(ta.paper, 0)}): measured ${pct(ta.measured)}${interval}, **${metCell(ta)}**.`,
  );
  out.push('');
  out.push('### Time per image');
  out.push('');
  const s = r.timings.perImage;
  out.push(
    table(
      ['stage', 'seconds per image'],
      [
        ['encode, z0 = E(x)', num(s.encode)],
        ['optimise, pixel-wise', num(s.optimisePixel)],
        ['optimise, identity-preserving', num(s.optimiseIdentity)],
        ['detail refinement (all offsets fitted for the face)', num(s.detail)],
        ['generate (3 reconstructions + 6 ages, one batch)', num(s.generate)],
        ['measure (independent recogniser + age, 9 faces)', num(s.measure)],
        ['total', num(s.total)],
      ],
    ),
  );
  const setup = r.timings.setup;
  out.push('');
  out.push(
    `Setup: loading ${num(setup.load, 1)} s, calibration faces ${num(setup.calibrate, 1)} s, footage ${num(setup.footage, 1)} s; ` +
      `whole run ${num(r.timings.totalSeconds, 1)} s (${r.createdAt}).`,
  );
  if (r.notes.length) {
    out.push('');
    for (const n of r.notes) out.push(`- ${n}`);
  }
  return out.join('\n') + '\n';
}
