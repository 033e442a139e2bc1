/**
 * Pool the parts of one evaluation that ran as separate processes, one per core:
 *
 *   npx reage eval --limit 50 --json ... > a.json
 *   npx reage eval --limit 50 --skip 50 --json ... > b.json
 *   npx tsx scripts/pool-eval.ts a.json b.json --out docs/report.md
 *
 * Each part calibrates on the same real faces (the same order from its start), so the
 * threshold and the real faces' age accuracy are the same in every part; the pooled
 * figures are recomputed from all the parts' faces with the same code a single run uses
 * (figuresOf), so they are the figures `--limit 100` would print. Parts that differ in
 * anything but their faces are refused.
 *
 * Rebasing (`rebase`) pools runs made at different times on one model, e.g. three held-out
 * hundreds run with `--calibration-images` 400, 500 and 600. Their calibration faces are
 * the first C of the same seeded order, so the largest set contains the others: its
 * threshold and its real-face age accuracies become the reference, and every part's faces
 * are judged again at that threshold from their stored distances. The figures are those a
 * single run over all the faces with the largest calibration set would print.
 */
import { AGE_CATEGORIES, type AgeCategory } from '../../shared/ages.js';
import { AGE_ESTIMATOR_IDS, type AgeEstimatorId } from './age-accuracy.js';
import { figuresOf, meanStages } from './evaluate.js';
import type { Share } from './metrics.js';
import { REPORT_FORMAT, reportPath, type EvalReport } from './report.js';

export interface PoolOptions {
  /** pool parts calibrated on different numbers of faces against the largest set (above) */
  rebase?: boolean;
}

/** What every part must agree on, as text to compare and to name in an error. */
function sameness(r: EvalReport, rebase: boolean): Record<string, string> {
  const real = (id: AgeEstimatorId) =>
    r.ageAccuracy.find((a) => a.estimator === id)?.perCategory.map((c) => `${c.real.count}/${c.real.n}`);
  const { name, version, width, encoderWidth, training } = r.model;
  const data = `${r.data.dir} ${r.data.split} seed ${r.data.seed}`;
  if (rebase)
    // Runs made apart may load the same networks from different folders (a candidate's
    // folder, then the shipped one): the model must agree in everything but its path.
    return {
      format: String(r.format),
      model: `${name} ${version}, width ${width}/${encoderWidth}, training ${JSON.stringify(training)}`,
      backend: r.backend.name,
      data,
      settings: JSON.stringify(r.settings),
    };
  return {
    format: String(r.format),
    model: `${name} ${version} at ${reportPath(r.model.path)}`,
    backend: r.backend.name,
    data: `${data}, ${r.data.calibrationImages} calibration faces`,
    settings: JSON.stringify(r.settings),
    threshold: String(r.threshold.threshold),
    'real-face age accuracy': JSON.stringify(AGE_ESTIMATOR_IDS.map(real)),
  };
}

function withoutSkip(data: EvalReport['data']): EvalReport['data'] {
  const { skip: _skip, ...rest } = data;
  return rest;
}

export function poolReports(parts: readonly EvalReport[], command: string, options: PoolOptions = {}): EvalReport {
  const rebase = options.rebase ?? false;
  if (parts.length < 2) throw new Error(`pooling needs at least two parts, got ${parts.length}`);
  const first = parts[0]!;
  if (first.format !== REPORT_FORMAT) throw new Error(`part 1 is report format ${first.format}, not ${REPORT_FORMAT}`);
  const reference = sameness(first, rebase);
  for (const [i, part] of parts.entries()) {
    const s = sameness(part, rebase);
    for (const key of Object.keys(reference))
      if (s[key] !== reference[key]) {
        // a part calibrates on at least skip + limit faces, so parts past the default 200 differ here
        const hint =
          part.data.calibrationImages !== first.data.calibrationImages
            ? ` (run every part with the same --calibration-images, at least the last part's skip + limit, or pool with --rebase)`
            : '';
        throw new Error(`part ${i + 1} differs from part 1 in its ${key}: ${s[key]} against ${reference[key]}${hint}`);
      }
  }
  // the part whose calibration set contains every other part's (the first C faces of one order)
  const base = parts.reduce((b, p) => (p.data.calibrationImages > b.data.calibrationImages ? p : b), first);
  const baseIndex = parts.indexOf(base);
  const images = parts.flatMap((p) => p.images);
  const seen = new Set<string>();
  for (const im of images) {
    if (seen.has(im.name)) throw new Error(`${im.name} is in more than one part: the parts overlap`);
    seen.add(im.name);
  }
  const realHits = Object.fromEntries(
    AGE_ESTIMATOR_IDS.map((id) => [
      id,
      base.ageAccuracy.find((a) => a.estimator === id)!.perCategory.map((c) => c.real),
    ]),
  ) as Record<AgeEstimatorId, Share[]>;
  const perCategory = Object.fromEntries(
    AGE_CATEGORIES.map((c) => [c, parts.reduce((n, p) => n + p.data.perCategory[c], 0)]),
  ) as Record<AgeCategory, number>;
  const skip = Math.min(...parts.map((p) => p.data.skip ?? 0));
  const sum = (f: (p: EvalReport) => number) => parts.reduce((s, p) => s + f(p), 0);
  return {
    format: REPORT_FORMAT,
    createdAt: new Date().toISOString(),
    command,
    model: base.model,
    backend: base.backend,
    hardware: base.hardware,
    data: { ...withoutSkip(base.data), images: images.length, perCategory, ...(skip ? { skip } : {}) },
    settings: base.settings,
    threshold: base.threshold,
    ...figuresOf(images, base.threshold.threshold, realHits),
    timings: {
      perImage: meanStages(images),
      // each part paid its own setup; the parts ran side by side, so the sums are machine time, not wall time
      setup: {
        load: sum((p) => p.timings.setup.load),
        calibrate: sum((p) => p.timings.setup.calibrate),
        footage: sum((p) => p.timings.setup.footage),
      },
      totalSeconds: sum((p) => p.timings.totalSeconds),
    },
    images,
    notes: [
      `pooled from ${parts.length} parts run as separate processes: ${parts.map((p) => `\`${p.command}\` (${p.timings.totalSeconds.toFixed(0)} s)`).join('; ')}; setup and total times are their sums`,
      ...(rebase ? [rebaseNote(parts, baseIndex)] : []),
      ...parts.flatMap((p, i) => p.notes.map((n) => `part ${i + 1}: ${n}`)),
    ],
  };
}

function rebaseNote(parts: readonly EvalReport[], baseIndex: number): string {
  const base = parts[baseIndex]!;
  const own = parts
    .map(
      (p, i) =>
        `part ${i + 1}: ${p.data.calibrationImages} faces, ${p.threshold.threshold.toFixed(4)} (${reportPath(p.model.path)})`,
    )
    .join('; ');
  return (
    `rebased: the threshold (${base.threshold.threshold.toFixed(4)}) and the real-face age accuracies are part ${baseIndex + 1}'s, ` +
    `from its ${base.data.calibrationImages} calibration faces, and every part's faces are judged at that threshold; ` +
    `the parts' own calibration and threshold, and the model folder each loaded: ${own}`
  );
}
