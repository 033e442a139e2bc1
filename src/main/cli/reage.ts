/**
 * The `reage` command line (`npm run reage`, bin/reage.js): parses argv, runs one
 * command and returns its exit status. Everything outside (the engine, the
 * evaluation, the streams, Ctrl-C) comes in through `deps`; the real ones are wired
 * only when this file is run directly, so tests drive `main` with fakes.
 */
import { runAge } from './age.js';
import { USAGE, parseCommand } from './args.js';
import { localWorkers } from '../node/local-workers.js';
import type { CliDeps, EvalModule } from './deps.js';
import { runEvalCommand } from './eval.js';
import { EXIT_OK } from './frame-output.js';
import { runInfo } from './info.js';
import { installCrashGuards, isEntryPoint, onSigint } from './process-guards.js';
import { runPlan } from './plan.js';
import { reportError } from './session.js';
import { spawnReage } from './worker-pool.js';

export async function main(argv: string[], deps: CliDeps): Promise<number> {
  try {
    // `reage age --help` as well as `reage help`: a user asks where they are
    if (argv.slice(1).some((a) => a === '--help' || a === '-h')) {
      deps.stdout.write(`${USAGE}\n`);
      return EXIT_OK;
    }
    // the ageing evaluations, for developers and TDs judging a model: they load the
    // engine, the rulers and the data themselves (src/main/eval/aging.ts)
    if (argv[0] === 'eval-aging')
      return await (await import('./eval-aging.js')).runEvalAging(argv.slice(1), deps.stdout);
    if (argv[0] === 'eval-plates')
      return await (await import('./eval-plates.js')).runEvalPlates(argv.slice(1), deps.stdout);
    // render farm jobs from a shot plan (src/main/cli/farm.ts): no engine, so loaded apart
    if (argv[0] === 'farm') return await (await import('./farm.js')).runFarm(argv.slice(1), deps.stdout);
    const cmd = parseCommand(argv);
    switch (cmd.command) {
      case 'help':
        deps.stdout.write(`${USAGE}\n`);
        return EXIT_OK;
      case 'age':
      case 'age-plan':
        return await runAge(cmd, deps);
      case 'plan':
        return await runPlan(cmd, deps);
      case 'info':
        return await runInfo(cmd, deps);
      case 'eval':
        return await runEvalCommand(cmd, deps);
    }
  } catch (err) {
    return reportError(err, deps.stderr);
  }
}

/** The real world: the engine and the evaluation are imported only when a command needs them. */
export function realDeps(): CliDeps {
  return {
    createEngine: async (options) => (await import('../engine/engine.js')).createEngine(options),
    // typed against EvalModule, so a change to evaluate.ts's contract fails the typecheck here
    loadEval: async (): Promise<EvalModule> => import('../eval/evaluate.js'),
    stdout: process.stdout,
    stderr: process.stderr,
    isTTY: process.stderr.isTTY === true,
    onInterrupt: (handler) => onSigint(handler),
    defaultWorkers: () => localWorkers(),
    spawnWorker: spawnReage,
  };
}

/** Run `reage` in this process with the real deps, and exit with its status. */
export async function run(argv: string[]): Promise<never> {
  installCrashGuards(process.stderr);
  const code = await main(argv, realDeps());
  // exit explicitly: a backend may keep handles open after the engine is disposed
  process.exit(code);
}

if (isEntryPoint(import.meta.url)) await run(process.argv.slice(2));
