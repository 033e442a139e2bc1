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
 */
import { AGE_CATEGORIES, type AgeCategory } from '../../shared/ages.js';
import { AGE_ESTIMATOR_IDS, type AgeEstimatorId } from './age-accuracy.js';
import { figuresOf, meanStages } from './evaluate.js';
import type { Share } from './metrics.js';
import { REPORT_FORMAT, type EvalReport } from './report.js';

/** What every part must agree on, as text to compare and to name in an error. */
function sameness(r: EvalReport): Record<string, string> {
  const real = (id: AgeEstimatorId) =>
    r.ageAccuracy.find((a) => a.estimator === id)?.perCategory.map((c) => `${c.real.count}/${c.real.n}`);
  return {
    format: String(r.format),
    model: `${r.model.name} ${r.model.version} at ${r.model.path}`,
    backend: r.backend.name,
    data: `${r.data.dir} ${r.data.split} seed ${r.data.seed}, ${r.data.calibrationImages} calibration faces`,
    settings: JSON.stringify(r.settings),
    threshold: String(r.threshold.threshold),
    'real-face age accuracy': JSON.stringify(AGE_ESTIMATOR_IDS.map(real)),
  };
}

function withoutSkip(data: EvalReport['data']): EvalReport['data'] {
  const { skip: _skip, ...rest } = data;
  return rest;
}

export function poolReports(parts: readonly EvalReport[], command: string): EvalReport {
  if (parts.length < 2) throw new Error(`pooling needs at least two parts, got ${parts.length}`);
  const first = parts[0]!;
  if (first.format !== REPORT_FORMAT) throw new Error(`part 1 is report format ${first.format}, not ${REPORT_FORMAT}`);
  const reference = sameness(first);
  for (const [i, part] of parts.entries()) {
    const s = sameness(part);
    for (const key of Object.keys(reference))
      if (s[key] !== reference[key]) {
        // a part calibrates on at least skip + limit faces, so parts past the default 200 differ here
        const hint =
          part.data.calibrationImages !== first.data.calibrationImages
            ? ` (run every part with the same --calibration-images, at least the last part's skip + limit)`
            : '';
        throw new Error(`part ${i + 1} differs from part 1 in its ${key}: ${s[key]} against ${reference[key]}${hint}`);
      }
  }
  const images = parts.flatMap((p) => p.images);
  const seen = new Set<string>();
  for (const im of images) {
    if (seen.has(im.name)) throw new Error(`${im.name} is in more than one part: the parts overlap`);
    seen.add(im.name);
  }
  const realHits = Object.fromEntries(
    AGE_ESTIMATOR_IDS.map((id) => [
      id,
      first.ageAccuracy.find((a) => a.estimator === id)!.perCategory.map((c) => c.real),
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
    model: first.model,
    backend: first.backend,
    hardware: first.hardware,
    data: { ...withoutSkip(first.data), images: images.length, perCategory, ...(skip ? { skip } : {}) },
    settings: first.settings,
    threshold: first.threshold,
    ...figuresOf(images, first.threshold.threshold, realHits),
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
      ...parts.flatMap((p, i) => p.notes.map((n) => `part ${i + 1}: ${n}`)),
    ],
  };
}
