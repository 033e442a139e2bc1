/**
 * The worker's line to its parent. As an Electron utility process it talks over
 * `process.parentPort` (a MessagePort); as a forked Node child over the IPC
 * channel (`process.send` / 'message'). Which one exists tells us where we run.
 */
import type { WorkerMessage } from '../../shared/ipc.js';

export interface ParentChannel {
  kind: 'electron-utility' | 'node-fork';
  send(message: WorkerMessage): void;
  onMessage(listener: (raw: unknown) => void): void;
  /** the parent went away: the worker should exit rather than linger as an orphan */
  onDisconnect(listener: () => void): void;
}

/** The slice of Electron's ParentPort the worker uses; typed here so the worker needs no Electron import. */
interface ParentPortLike {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
}

export function connectToParent(): ParentChannel {
  const parentPort = (process as unknown as { parentPort?: ParentPortLike }).parentPort;
  if (parentPort) {
    return {
      kind: 'electron-utility',
      send: (message) => parentPort.postMessage(message),
      onMessage: (listener) => parentPort.on('message', (event) => listener(event.data)),
      // Electron ends a utility process together with its parent
      onDisconnect: () => {},
    };
  }
  const send = process.send?.bind(process);
  if (send) {
    return {
      kind: 'node-fork',
      send: (message) => {
        if (process.connected) send(message);
      },
      onMessage: (listener) => process.on('message', listener),
      onDisconnect: (listener) => process.on('disconnect', listener),
    };
  }
  throw new Error('the engine worker must be started by ReAge Studio (utility process or forked child), not directly');
}
