/**
 * What the `reage` commands need from the outside world. `main` receives these
 * instead of importing them, so the tests drive every command with a fake engine,
 * string buffers for the streams and a hand-fired interrupt.
 */
import type { BackendChoice } from '../../shared/ages.js';
import type { EngineInfo, ReAgeEngine } from '../engine/api.js';
import type { EvalOptions, EvalProgress } from '../eval/evaluate.js';
import type { TextSink } from './progress.js';
import type { WorkerSpawner } from './worker-pool.js';

export type { EvalOptions, EvalProgress };

/** The CLI only prints an evaluation report (as a table or as JSON), so its shape stays eval's business. */
export type EvalReport = object;

export type CliEngineInfo = EngineInfo;
export type CliEngine = ReAgeEngine;

export interface EngineOptions {
  backend?: BackendChoice;
  modelDir?: string;
}

export type CreateEngine = (options: EngineOptions) => Promise<CliEngine>;

/**
 * The part of src/main/eval/evaluate.ts the CLI uses. Method syntax on purpose:
 * the real module's narrower report type must still satisfy this interface.
 */
export interface EvalModule {
  runEval(opts: EvalOptions): Promise<EvalReport>;
  formatEvalTable(report: EvalReport): string;
}

export interface CliDeps {
  createEngine: CreateEngine;
  /** loads the evaluation module; `reage eval` reports it unavailable without one */
  loadEval?: () => Promise<EvalModule>;
  stdout: TextSink;
  stderr: TextSink;
  /** whether stderr is an interactive terminal: the progress bar is drawn only then */
  isTTY: boolean;
  /** subscribe to the user's interrupt (Ctrl-C); returns the unsubscribe */
  onInterrupt?: (handler: () => void) => () => void;
  /** engine processes `reage age` uses when --workers is not given (the real CLI: one per core, memory permitting); 1 when absent */
  defaultWorkers?: () => number;
  /** starts a worker process (`reage` with arguments); the real CLI runs itself again */
  spawnWorker?: WorkerSpawner;
}
