// DevTools only in development: the menu offers Toggle Developer Tools only when
// main says so (!app.isPackaged). Electron cannot run here, so Menu is a stand-in
// that returns the template it is given.
import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => ({ Menu: { buildFromTemplate: (template: unknown) => template } }));

const { buildMenu } = await import('../../src/main/electron/menu.js');

function roles(template: MenuItemConstructorOptions[]): string[] {
  return template.flatMap((item) => [
    ...(item.role ? [item.role] : []),
    ...(Array.isArray(item.submenu) ? roles(item.submenu) : []),
  ]);
}

const build = (devTools: boolean) =>
  roles(buildMenu(() => {}, { isMac: false, devTools }) as unknown as MenuItemConstructorOptions[]);

describe('application menu', () => {
  it('has no DevTools item in a packaged build', () => {
    expect(build(false)).not.toContain('toggleDevTools');
    expect(build(false)).toContain('togglefullscreen');
  });

  it('has the DevTools item in development', () => {
    expect(build(true)).toContain('toggleDevTools');
  });
});
