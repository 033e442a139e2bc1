/**
 * Electron main process, kept thin: one locked-down window, the menu, native file
 * dialogs, and the studio backend (src/main/services) with the engine in a
 * utility process. Renderer requests arrive on one IPC channel and are validated
 * by the backend; replies and events go back as plain data.
 *
 * Built layout (npm run build): dist/main/electron/main.js, preload.cjs beside it,
 * the engine worker in dist/main/worker, the renderer in dist/ui.
 */
import { app, BrowserWindow, dialog, ipcMain, Menu, session, type IpcMainInvokeEvent } from 'electron';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { IPC_CHANNELS, type MenuCommand, type PickPurpose, type StudioEvent } from '../../shared/ipc.js';
import { PROJECT_EXTENSION } from '../../shared/project.js';
import { consoleLogger } from '../services/log.js';
import { StudioBackend } from '../services/studio-backend.js';
import { buildMenu } from './menu.js';
import { utilityWorker } from './utility-worker.js';

const here = dirname(fileURLToPath(import.meta.url));
const UI_INDEX = join(here, '../../ui/index.html');
const PRELOAD = join(here, 'preload.cjs');
const WORKER = join(here, '../worker/engine-worker.js');
const log = consoleLogger('main');

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
    },
  });
  window.once('ready-to-show', () => window.show());
  void window.loadFile(UI_INDEX);
  return window;
}

/** Only our own page may call the backend (not an iframe or a page navigated to by accident). */
function fromOurPage(event: IpcMainInvokeEvent): boolean {
  return event.senderFrame?.url.split('?')[0] === pathToFileURL(UI_INDEX).href;
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

  let window: BrowserWindow | undefined;
  const backend = new StudioBackend({
    launchWorker: () => utilityWorker(WORKER, workerArgs()),
    dataDir: app.getPath('userData'),
    pick: (purpose, defaultPath) => (window ? pickPath(window, purpose, defaultPath) : Promise.resolve(null)),
    log,
  });
  backend.start();

  ipcMain.handle(IPC_CHANNELS.invoke, (event, request: unknown) => {
    if (!fromOurPage(event)) {
      log.warn(`rejected IPC from ${event.senderFrame?.url ?? 'an unknown frame'}`);
      return { ok: false, error: { code: 'invalid-request', message: 'not allowed' } };
    }
    return backend.handle(request);
  });

  const sendEvent = (event: StudioEvent) => {
    if (window && !window.isDestroyed()) window.webContents.send(IPC_CHANNELS.event, event);
  };
  backend.onEvent(sendEvent);
  const runCommand = (command: MenuCommand) => sendEvent({ type: 'menu', command });
  Menu.setApplicationMenu(buildMenu(runCommand, process.platform === 'darwin'));

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
