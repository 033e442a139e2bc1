/**
 * What the `reage` commands need from the outside world. `main` receives these
 * instead of importing them, so the tests drive every command with a fake engine,
 * string buffers for the streams and a hand-fired interrupt.
 */
import type { BackendChoice } from '../../shared/ages.js';
import type { EngineInfo, ReAgeEngine } from '../engine/api.js';
import type { BackendInfo } from '../engine/backend.js';
import type { TextSink } from './progress.js';

/** engine.ts's info() adds how the backend was chosen; a fake engine may leave it out. */
export interface CliEngineInfo extends EngineInfo {
  backendDetails?: BackendInfo;
}

export interface CliEngine extends ReAgeEngine {
  info(): CliEngineInfo;
}

export interface EngineOptions {
  backend?: BackendChoice;
  modelDir?: string;
}

export type CreateEngine = (options: EngineOptions) => Promise<CliEngine>;

export interface EvalProgress {
  done: number;
  total: number;
  stage: string;
  etaSeconds: number | null;
}

export interface EvalOptions {
  backend: BackendChoice;
  modelDir?: string;
  dataDir?: string;
  split?: 'test';
  limit?: number;
  steps: number;
  out?: string;
  signal?: AbortSignal;
  onProgress?: (p: EvalProgress) => void;
}

/** The CLI only prints an evaluation report (as a table or as JSON), so its shape stays eval's business. */
export type EvalReport = object;

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
}
