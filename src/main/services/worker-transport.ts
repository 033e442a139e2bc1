/**
 * How the engine client reaches the engine worker, whatever carries the messages:
 * a forked Node child (browser host, tests) here, an Electron utility process in
 * src/main/electron. The client only sees send / onMessage / onExit / kill.
 */
import { fork } from 'node:child_process';
import type { WorkerRequest } from '../../shared/ipc.js';

export interface WorkerExit {
  code: number | null;
  signal: string | null;
}

export interface WorkerTransport {
  /** the worker's process id, when known (tests kill it to simulate a crash) */
  readonly pid: number | undefined;
  send(message: WorkerRequest): void;
  /** messages are unvalidated: the client checks them against the protocol */
  onMessage(listener: (raw: unknown) => void): void;
  onExit(listener: (exit: WorkerExit) => void): void;
  kill(): void;
}

/** Starts a fresh worker process each time it is called. */
export type WorkerLauncher = () => WorkerTransport;

export interface ForkWorkerOptions {
  /** the worker entry: a .ts file runs through tsx (dev and tests), a .js file directly */
  script: string;
  args?: readonly string[];
  env?: NodeJS.ProcessEnv;
}

/** tsx registers its loader with --import so a TypeScript entry runs without a build. */
export function execArgvFor(script: string): string[] {
  return /\.[cm]?ts$/.test(script) ? ['--import', 'tsx'] : [];
}

/**
 * A worker in a forked Node child. 'advanced' serialization (structured clone)
 * keeps the preview PNGs as Uint8Arrays instead of JSON number maps.
 */
export function forkWorker(options: ForkWorkerOptions): WorkerTransport {
  const child = fork(options.script, [...(options.args ?? [])], {
    execArgv: execArgvFor(options.script),
    env: options.env ?? process.env,
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let exited = false;
  child.on('exit', () => {
    exited = true;
  });
  return {
    get pid() {
      return child.pid;
    },
    send(message) {
      if (exited || !child.connected) throw new Error('the engine process is not running');
      child.send(message);
    },
    onMessage(listener) {
      child.on('message', listener);
    },
    onExit(listener) {
      child.on('exit', (code, signal) => listener({ code, signal }));
      // fork failures (missing node, bad script path) arrive as 'error' without 'exit'
      child.on('error', () => {
        if (!exited) listener({ code: null, signal: null });
      });
    },
    kill() {
      if (!exited) child.kill();
    },
  };
}
