/**
 * `reage farm openjd|opencue|slurm --plan FILE --chunk N --out FILE [--reage "CMD"]`:
 * writes a render farm's job for a shot plan (`reage plan`), one task per chunk of up to
 * N frames, each running `reage age --plan FILE --frames A-B`. The generators are pure
 * (src/main/cli/farm/); this file reads the plan, picks the generator and writes the file
 * atomically, so a farm never picks up half a job.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dump } from 'js-yaml';
import { parseShotPlan, type ShotPlan } from '../../shared/plan.js';
import { writeFileAtomic } from '../node/atomic.js';
import { parseOptions, UsageError } from './args.js';
import { EXIT_OK } from './frame-output.js';
import { openCueSpec } from './farm/opencue.js';
import { openJdTemplate } from './farm/openjd.js';
import { slurmScript } from './farm/slurm.js';
import { checkWords, farmTasks, jobSummary, splitCommandLine, type FarmJobInput } from './farm/tasks.js';
import type { TextSink } from './progress.js';

export const FARM_ENGINES = ['openjd', 'opencue', 'slurm'] as const;
export type FarmEngine = (typeof FARM_ENGINES)[number];

/** What a farm task runs when --reage is not given: this Node, this checkout's bin/reage.js. */
export function defaultReageCommand(): string[] {
  // the launcher registers tsx itself, so plain `node bin/reage.js` runs the source
  const bin = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'bin', 'reage.js');
  return [process.execPath, bin];
}

/** A plan file that cannot be used; exit 2, as for any input the user must fix. */
class PlanFileError extends Error {
  override name = 'InputError';
}

/** Read and check a plan file, naming the file and what to do in every error. */
export async function readPlanFile(path: string): Promise<ShotPlan> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'it does not exist' : (err as Error).message;
    throw new PlanFileError(
      `cannot read the shot plan ${path}: ${why}; write one with reage plan <input> --age … --out ${path}`,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new PlanFileError(
      `${path} is not a shot plan (not JSON: ${(err as Error).message}); write one with reage plan`,
    );
  }
  try {
    return parseShotPlan(raw);
  } catch (err) {
    throw new PlanFileError(`${path}: ${(err as Error).message}; write it again with reage plan`);
  }
}

const ENGINE_OPTIONS: Record<FarmEngine, readonly string[]> = {
  openjd: [],
  opencue: ['show', 'user', 'facility', 'service'],
  slurm: ['logs'],
};

/** The job file's text for one engine. */
export function farmDocument(
  engine: FarmEngine,
  input: FarmJobInput,
  out: string,
  values: Record<string, string | undefined>,
): string {
  switch (engine) {
    case 'openjd': {
      const template = openJdTemplate(input);
      const ext = extname(out).toLowerCase();
      // OpenJD reads YAML 1.2 or JSON (2023-09 §1); the file's extension says which the farm expects
      if (ext === '.json') return `${JSON.stringify(template, null, 2)}\n`;
      if (ext === '.yaml' || ext === '.yml') return dump(template, { lineWidth: -1, noRefs: true });
      throw new UsageError(`reage farm openjd writes a .yaml, .yml or .json template (got --out ${out})`);
    }
    case 'opencue':
      return openCueSpec(input, {
        show: values.show ?? process.env.SHOW ?? 'testing',
        user: values.user ?? userInfo().username,
        ...(values.facility !== undefined ? { facility: values.facility } : {}),
        service: values.service ?? 'shell',
      });
    case 'slurm':
      return slurmScript(input, { logDir: resolve(values.logs ?? join(dirname(out), 'logs')) });
  }
}

/** `reage farm …`: returns the exit status; errors go to reage's reportError. */
export async function runFarm(argv: string[], stdout: TextSink): Promise<number> {
  const [engine, ...rest] = argv;
  if (!engine || !(FARM_ENGINES as readonly string[]).includes(engine))
    throw new UsageError(
      `reage farm needs an engine: ${FARM_ENGINES.join(', ')} (got ${engine ? `"${engine}"` : 'none'})`,
    );
  const { values, positionals } = parseOptions({
    args: rest,
    allowPositionals: true,
    options: {
      plan: { type: 'string' },
      chunk: { type: 'string' },
      out: { type: 'string', short: 'o' },
      reage: { type: 'string' },
      show: { type: 'string' },
      user: { type: 'string' },
      facility: { type: 'string' },
      service: { type: 'string' },
      logs: { type: 'string' },
    },
  });
  const kind = engine as FarmEngine;
  if (positionals.length)
    throw new UsageError(`reage farm ${kind} takes no ${positionals[0]}: name the plan with --plan FILE`);
  for (const name of ['show', 'user', 'facility', 'service', 'logs']) {
    if (values[name as keyof typeof values] !== undefined && !ENGINE_OPTIONS[kind].includes(name))
      throw new UsageError(
        `--${name} is for reage farm ${FARM_ENGINES.filter((e) => ENGINE_OPTIONS[e].includes(name)).join(', ')}, not ${kind}`,
      );
  }
  if (!values.plan) throw new UsageError(`reage farm ${kind} needs --plan FILE (written by reage plan)`);
  if (!values.out) throw new UsageError(`reage farm ${kind} needs --out FILE, the job file to write`);
  if (values.chunk === undefined)
    throw new UsageError(`reage farm ${kind} needs --chunk N, the most frames one task renders`);
  const chunk = Number(values.chunk);
  if (!Number.isInteger(chunk) || chunk < 1)
    throw new UsageError(`--chunk must be a whole number ≥ 1 (got "${values.chunk}")`);

  const planFile = resolve(values.plan);
  const out = resolve(values.out);
  const plan = await readPlanFile(planFile);
  const reage = values.reage !== undefined ? splitCommandLine(values.reage) : checkWords(defaultReageCommand());
  const input: FarmJobInput = { plan, planFile, chunk, reage };
  const text = farmDocument(kind, input, out, values);

  try {
    await mkdir(dirname(out), { recursive: true });
    if (kind === 'slurm') await mkdir(resolve(values.logs ?? join(dirname(out), 'logs')), { recursive: true });
    await writeFileAtomic(out, text, kind === 'slurm' ? 0o777 : 0o666);
  } catch (err) {
    throw new Error(`cannot write ${out}: ${(err as Error).message}; choose another --out`, { cause: err });
  }
  stdout.write(`reage: wrote ${out}: ${jobSummary(input, farmTasks(plan, chunk))}\n`);
  stdout.write(`${SUBMIT_HINT[kind](out)}\n`);
  return EXIT_OK;
}

const SUBMIT_HINT: Record<FarmEngine, (out: string) => string> = {
  openjd: (out) => `check it with: openjd check ${out}  (Deadline Cloud: put it in a job bundle as template.yaml)`,
  opencue: (out) =>
    `launch it with: python3 -c "import opencue,sys; opencue.api.launchSpec(open(sys.argv[1]).read())" ${out}`,
  slurm: (out) => `submit it with: sbatch ${out}`,
};
