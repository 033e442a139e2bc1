/**
 * The engine worker as an Electron utility process: a Node process Electron
 * manages (sandboxed from the renderer, ended with the app), reached through its
 * MessagePort. Implements the same WorkerTransport as the forked child the browser
 * host uses, so the engine client and job queue do not know the difference.
 */
import { utilityProcess } from 'electron';
import type { WorkerTransport } from '../services/worker-transport.js';

export function utilityWorker(script: string, args: readonly string[]): WorkerTransport {
  const child = utilityProcess.fork(script, [...args], { serviceName: 'ReAge engine', stdio: 'inherit' });
  let exited = false;
  child.on('exit', () => {
    exited = true;
  });
  return {
    get pid() {
      return child.pid;
    },
    send(message) {
      if (exited) throw new Error('the engine process is not running');
      child.postMessage(message);
    },
    onMessage(listener) {
      child.on('message', listener);
    },
    onExit(listener) {
      child.on('exit', (code) => listener({ code, signal: null }));
    },
    kill() {
      if (!exited) child.kill();
    },
  };
}
