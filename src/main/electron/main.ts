/**
 * Electron main process, kept thin: one locked-down window, the menu, native file
 * dialogs, and the studio backend (src/main/services) with the engine in a
 * utility process. Renderer requests arrive on one IPC channel and are validated
 * by the backend; replies and events go back as plain data.
 *
 * Built layout (npm run build): dist/main/electron/main.js, preload.cjs beside it,
 * the engine worker in dist/main/worker, the renderer in dist/ui.
 *
 * The renderer is served from app://studio/ (a privileged custom scheme, see
 * serveUi) rather than file://, so that it has a real origin of its own, cannot
 * read other local files, and gets its CSP as a response header.
 */
import { app, BrowserWindow, dialog, ipcMain, Menu, protocol, session, type IpcMainInvokeEvent } from 'electron';
import { readFile, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { IPC_CHANNELS, type MenuCommand, type PickPurpose, type StudioEvent } from '../../shared/ipc.js';
import { PROJECT_EXTENSION } from '../../shared/project.js';
import {
  APP_INDEX_URL,
  APP_SCHEME,
  appResponseHeaders,
  contentSecurityPolicy,
  isAppPage,
  resolveAppUrl,
} from '../services/app-content.js';
import { consoleLogger } from '../services/log.js';
import { ALLOWED_ROOTS_FILE, AllowedRoots } from '../services/allowed-roots.js';
import { StudioBackend } from '../services/studio-backend.js';
import { buildMenu } from './menu.js';
import { utilityWorker } from './utility-worker.js';

const here = dirname(fileURLToPath(import.meta.url));
const UI_ROOT = join(here, '../../ui');
const PRELOAD = join(here, 'preload.cjs');
const WORKER = join(here, '../worker/engine-worker.js');
const log = consoleLogger('main');
/** The renderer talks to main over IPC only, so it may connect nowhere but its own origin. */
const CSP = contentSecurityPolicy({ connectSrc: [] });

// Must happen before 'ready'. standard: a real origin (app://studio) with relative
// URLs and same-origin module scripts; secure: a secure context like https;
// supportFetchAPI: fetch() of the UI's own files. Not corsEnabled (other origins
// must not read it), not bypassCSP, no service workers.
protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);

/** Engine options from the command line: `reage-studio --backend=wasm --model=/path`. */
function workerArgs(): string[] {
  return process.argv.filter((a) => a.startsWith('--backend=') || a.startsWith('--model='));
}

async function pickPath(window: BrowserWindow, purpose: PickPurpose, defaultPath?: string): Promise<string | null> {
  const projectFilter = [{ name: 'ReAge Studio project', extensions: [PROJECT_EXTENSION.slice(1)] }];
  if (purpose === 'saveProject') {
    const result = await dialog.showSaveDialog(window, {
      filters: projectFilter,
      ...(defaultPath ? { defaultPath } : {}),
    });
    return result.canceled ? null : (result.filePath ?? null);
  }
  const result = await dialog.showOpenDialog(window, {
    properties: purpose === 'openProject' ? ['openFile'] : ['openDirectory', 'createDirectory'],
    ...(purpose === 'openProject' ? { filters: projectFilter } : {}),
    ...(defaultPath ? { defaultPath } : {}),
  });
  return result.canceled ? null : (result.filePaths[0] ?? null);
}

function createWindow(): BrowserWindow {
  const window = new BrowserWindow({
    width: 1600,
    height: 960,
    minWidth: 1100,
    minHeight: 700,
    backgroundColor: '#121316',
    title: 'ReAge Studio',
    show: false,
    webPreferences: {
      preload: PRELOAD,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
      // an artist's copy has no DevTools: they would let anyone at the keyboard script the backend
      devTools: !app.isPackaged,
    },
  });
  window.once('ready-to-show', () => window.show());
  void window.loadURL(APP_INDEX_URL);
  return window;
}

/**
 * app://studio/…: the files of dist/ui and nothing else (app-content.ts refuses
 * traversal and symlinks out), GET/HEAD only, each response with the CSP and nosniff.
 */
function serveUi(): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const plain = (status: number, text: string) =>
      new Response(text, { status, headers: appResponseHeaders('text/plain; charset=utf-8', CSP) });
    if (request.method !== 'GET' && request.method !== 'HEAD') return plain(405, 'method not allowed');
    const found = await resolveAppUrl(UI_ROOT, request.url);
    if (!found.ok) {
      if (found.status === 403) log.warn(`refused ${request.url}: outside the UI folder`);
      return plain(found.status, found.reason);
    }
    const body = request.method === 'HEAD' ? null : new Uint8Array(await readFile(found.path));
    return new Response(body, { status: 200, headers: appResponseHeaders(found.contentType, CSP) });
  });
}

/** Only our own page, in the top frame, may call the backend (not an iframe or a page navigated to by accident). */
function fromOurPage(event: IpcMainInvokeEvent): boolean {
  const frame = event.senderFrame;
  return frame !== null && frame.parent === null && isAppPage(frame.url);
}

function lockDown(): void {
  // no page may ask for camera, notifications, etc.
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  app.on('web-contents-created', (_event, contents) => {
    // dropped files and links must never replace the studio's page or open windows
    contents.on('will-navigate', (e) => e.preventDefault());
    contents.on('will-redirect', (e) => e.preventDefault());
    contents.on('will-attach-webview', (e) => e.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });
}

async function main(): Promise<void> {
  app.enableSandbox();
  lockDown();
  await app.whenReady();
  serveUi();

  let window: BrowserWindow | undefined;
  const backend = new StudioBackend({
    launchWorker: () => utilityWorker(WORKER, workerArgs()),
    dataDir: app.getPath('userData'),
    // folders the user chose or dropped are remembered, so a reopened project finds its plates
    roots: new AllowedRoots([], { rememberIn: join(app.getPath('userData'), ALLOWED_ROOTS_FILE) }),
    pick: (purpose, defaultPath) => (window ? pickPath(window, purpose, defaultPath) : Promise.resolve(null)),
    log,
  });
  backend.start();

  // Grants from dropped files still being added: a request that follows a drop
  // (import the dropped frames) must not be checked before the drop's folder is a root.
  // IPC messages arrive in order, so a grant is pending before the request after it runs.
  const pendingGrants = new Set<Promise<unknown>>();

  ipcMain.handle(IPC_CHANNELS.invoke, async (event, request: unknown) => {
    if (!fromOurPage(event)) {
      log.warn(`rejected IPC from ${event.senderFrame?.url ?? 'an unknown frame'}`);
      return { ok: false, error: { code: 'invalid-request', message: 'not allowed' } };
    }
    if (pendingGrants.size > 0) await Promise.allSettled([...pendingGrants]);
    return backend.handle(request);
  });

  // A file dropped on the window lets the studio work in its folder (a dropped
  // folder, in itself). Only preload sends this, and only with a path that
  // webUtils.getPathForFile gave for a File the user dropped or picked: page
  // script cannot reach this channel (the bridge does not expose it), and a File it
  // makes itself has no path.
  ipcMain.handle(IPC_CHANNELS.grantDropped, (event, path: unknown) => {
    if (!fromOurPage(event)) {
      log.warn(`rejected a dropped-file grant from ${event.senderFrame?.url ?? 'an unknown frame'}`);
      return false;
    }
    if (typeof path !== 'string' || !isAbsolute(path)) return false;
    const grant = stat(path)
      .then((info) => backend.roots.add(info.isDirectory() ? path : dirname(path), { remember: true }))
      .then(
        () => true,
        (err: unknown) => {
          log.warn(`cannot grant the folder of a dropped file ${path}: ${(err as Error).message}`);
          return false;
        },
      );
    pendingGrants.add(grant);
    void grant.finally(() => pendingGrants.delete(grant));
    return grant;
  });

  const sendEvent = (event: StudioEvent) => {
    if (window && !window.isDestroyed()) window.webContents.send(IPC_CHANNELS.event, event);
  };
  backend.onEvent(sendEvent);
  const runCommand = (command: MenuCommand) => sendEvent({ type: 'menu', command });
  Menu.setApplicationMenu(buildMenu(runCommand, { isMac: process.platform === 'darwin', devTools: !app.isPackaged }));

  window = createWindow();
  window.on('closed', () => {
    window = undefined;
  });

  app.on('window-all-closed', () => app.quit());
  app.on('before-quit', () => backend.dispose());
}

main().catch((err: unknown) => {
  log.error(`cannot start: ${(err as Error).stack ?? String(err)}`);
  app.exit(1);
});
