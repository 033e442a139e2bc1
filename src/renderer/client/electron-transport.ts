/** Electron: the preload's window.reage bridge (contextBridge over IPC). */
import type { ReageBridge } from '../../shared/ipc.js';
import type { StudioTransport } from './studio-client.js';

declare global {
  interface Window {
    reage?: ReageBridge;
  }
}

export function electronTransport(bridge: ReageBridge): StudioTransport {
  return {
    kind: 'electron',
    request: (method, params) => bridge.invoke({ method, params }),
    onEvent: (listener) => bridge.onEvent(listener),
    pathForFile: (file) => bridge.pathForFile(file) || null,
  };
}
