/**
 * The application menu. Its items send menu commands to the renderer, which owns
 * the actions. Accelerators are shown but not registered: the renderer handles the
 * same keys itself (it also runs in a browser, without this menu), and can leave
 * Ctrl+Z to a text field being edited.
 */
import { Menu, type MenuItemConstructorOptions } from 'electron';
import type { MenuCommand } from '../../shared/ipc.js';

export interface MenuOptions {
  isMac: boolean;
  /** Toggle Developer Tools, in development only: a packaged build has no DevTools (main.ts) */
  devTools: boolean;
}

export function buildMenu(run: (command: MenuCommand) => void, { isMac, devTools }: MenuOptions): Menu {
  const item = (label: string, command: MenuCommand, accelerator?: string): MenuItemConstructorOptions => ({
    label,
    ...(accelerator ? { accelerator, registerAccelerator: false } : {}),
    click: () => run(command),
  });
  const template: MenuItemConstructorOptions[] = [
    ...(isMac ? [{ role: 'appMenu' as const }] : []),
    {
      label: 'File',
      submenu: [
        item('New Project', 'newProject', 'CmdOrCtrl+N'),
        item('Open Project…', 'openProject', 'CmdOrCtrl+O'),
        item('Save Project', 'saveProject', 'CmdOrCtrl+S'),
        item('Save Project As…', 'saveProjectAs', 'CmdOrCtrl+Shift+S'),
        { type: 'separator' },
        item('Import Frames…', 'importFrames', 'CmdOrCtrl+I'),
        item('Export…', 'export', 'CmdOrCtrl+E'),
        { type: 'separator' },
        isMac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    {
      label: 'Edit',
      submenu: [
        item('Undo', 'undo', 'CmdOrCtrl+Z'),
        item('Redo', 'redo', isMac ? 'Cmd+Shift+Z' : 'Ctrl+Y'),
        { type: 'separator' },
        { role: 'cut' },
        { role: 'copy' },
        { role: 'paste' },
      ],
    },
    {
      label: 'Playback',
      submenu: [item('Play / Pause', 'playPause', 'Space'), item('Render Preview', 'renderPreview', 'R')],
    },
    {
      label: 'View',
      submenu: [{ role: 'togglefullscreen' }, ...(devTools ? [{ role: 'toggleDevTools' as const }] : [])],
    },
  ];
  return Menu.buildFromTemplate(template);
}
