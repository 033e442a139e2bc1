/**
 * Preload (CommonJS: sandboxed preloads cannot be ES modules or require project
 * files). Exposes exactly the typed bridge of src/shared/ipc.ts as window.reage
 * and nothing of Electron or Node. Payloads are validated where they arrive: in
 * main for requests, in the renderer for replies and events.
 */
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import type { IpcChannel, ReageBridge } from '../../shared/ipc.js';

// The channel names come from IPC_CHANNELS; `satisfies` fails the build if they drift apart.
const INVOKE = 'reage:invoke' satisfies IpcChannel;
const EVENT = 'reage:event' satisfies IpcChannel;
const GRANT_DROPPED = 'reage:grant-dropped' satisfies IpcChannel;

const bridge: ReageBridge = {
  invoke: (request) => ipcRenderer.invoke(INVOKE, request),
  onEvent: (listener) => {
    const handler = (_event: Electron.IpcRendererEvent, payload: unknown) => listener(payload);
    ipcRenderer.on(EVENT, handler);
    return () => {
      ipcRenderer.removeListener(EVENT, handler);
    };
  },
  pathForFile: (file) => {
    const path = webUtils.getPathForFile(file);
    // A real file the user dropped (or picked) lets the studio use its folder: the
    // backend refuses paths outside its roots. Only a File backed by a file on disk
    // has a path; one the page made itself gives '' and grants nothing. Main
    // finishes the grant before it answers any later request.
    if (path) void ipcRenderer.invoke(GRANT_DROPPED, path).catch(() => undefined);
    return path;
  },
  platform: process.platform,
};

contextBridge.exposeInMainWorld('reage', bridge);
