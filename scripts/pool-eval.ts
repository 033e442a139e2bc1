/**
 * Pool the JSON reports of one evaluation's parts (src/main/eval/pool.ts) into one
 * report, printed as markdown (or JSON with --json) and written with --out:
 *
 *   npx tsx scripts/pool-eval.ts part1.json part2.json [--out docs/report.md] [--json] [--rebase]
 *
 * --rebase pools runs of one model calibrated on different numbers of faces (held-out
 * hundreds run apart) against the largest calibration set (pool.ts).
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { writeFileAtomic } from '../src/main/node/atomic.js';
import { poolReports } from '../src/main/eval/pool.js';
import { formatEvalTable, type EvalReport } from '../src/main/eval/report.js';

async function readReport(path: string): Promise<EvalReport> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new Error(`${path}: not a readable JSON report (${(err as Error).message})`, { cause: err });
  }
  const r = json as Partial<EvalReport>;
  if (typeof r !== 'object' || r === null || !Array.isArray(r.images) || !r.threshold || !r.ageAccuracy)
    throw new Error(`${path}: not a \`reage eval --json\` report`);
  return r as EvalReport;
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      out: { type: 'string' },
      json: { type: 'boolean', default: false },
      rebase: { type: 'boolean', default: false },
    },
  });
  if (positionals.length < 2)
    throw new Error('usage: pool-eval PART.json PART.json [...] [--out FILE.md] [--json] [--rebase]');
  const parts = await Promise.all(positionals.map(readReport));
  const command = [
    'npx tsx scripts/pool-eval.ts',
    ...positionals,
    ...(values.rebase ? ['--rebase'] : []),
    ...(values.out ? ['--out', values.out] : []),
  ].join(' ');
  const pooled = poolReports(parts, command, { rebase: values.rebase });
  if (values.out) await writeFileAtomic(values.out, formatEvalTable(pooled));
  console.log(values.json ? JSON.stringify(pooled) : formatEvalTable(pooled));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    console.error(`pool-eval: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
