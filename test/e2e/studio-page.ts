/**
 * Steps the end-to-end tests with the real engine share: building the renderer, the
 * model the host's engine loads, and what an artist does on the studio's page (wait
 * for the engine, import a folder, wait for a preview, take a screenshot).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { initBackend } from '../../src/main/engine/backend.js';
import type { KnownDefect } from '../../src/shared/known-defects.js';
import { buildRandomModel } from '../helpers/random-model.js';

const ROOT = resolve(import.meta.dirname, '../..');
/** where the e2e tests' screenshots go (gitignored); each test file names its own */
export const ARTIFACTS = join(ROOT, 'test-artifacts/e2e');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** the real engine loads a model and optimises a latent per preview: minutes on a small CPU */
export const ENGINE_TIMEOUT = 300_000;
/** optimisation steps per preview: the real engine takes ~0.3 s a step on two CPU cores */
export const STEPS = 8;
const SHIPPED_MODEL = join(ROOT, 'models/reage-utkface-64');

/** Build the renderer the host serves (dist/). */
export function buildRenderer(): void {
  const build = spawnSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--logLevel', 'warn'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  expect(build.status, build.stderr).toBe(0);
}

export interface EngineModel {
  dir: string;
  name: string;
  trained: boolean;
  knownDefects?: KnownDefect[];
  /** a random model built for this run (removed by removeModel) */
  built: boolean;
}

/** The model the host's engine loads: REAGE_MODEL, the shipped one, or a random one built now. */
export async function chooseModel(): Promise<EngineModel> {
  let dir = process.env.REAGE_MODEL ?? (existsSync(join(SHIPPED_MODEL, 'manifest.json')) ? SHIPPED_MODEL : undefined);
  let built = false;
  if (!dir) {
    await initBackend('cpu'); // only to initialise the random weights in this process
    dir = await buildRandomModel(8);
    built = true;
  }
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as {
    name: string;
    trained: boolean;
    knownDefects?: KnownDefect[];
  };
  return { dir, built, name: manifest.name, trained: manifest.trained, knownDefects: manifest.knownDefects };
}

/** Remove a model chooseModel built for the run. */
export function removeModel(model: EngineModel | undefined): void {
  if (model?.built) rmSync(join(model.dir, '..'), { recursive: true, force: true });
}

/** Wait until the status bar says the engine is ready; a failed engine fails with its reason. */
export async function waitForEngine(page: Page): Promise<void> {
  const status = page.getByTestId('engine-status');
  await page
    .locator('[data-testid="engine-status"][data-state="ready"], [data-testid="engine-status"][data-state="failed"]')
    .waitFor({ timeout: ENGINE_TIMEOUT });
  expect(await status.getAttribute('data-state'), (await status.textContent()) ?? '').toBe('ready');
}

/** Wait for the after image of a preview, failing early with the viewer's message if the render fails. */
export async function waitForPreview(page: Page, timeout = ENGINE_TIMEOUT): Promise<void> {
  const after = page.getByRole('img', { name: 'After (re-aged preview)' });
  const failed = page.locator('.viewer-status.error');
  await after.or(failed).first().waitFor({ timeout });
  if (await failed.count()) throw new Error((await failed.textContent()) ?? 'preview failed');
}

/** Import the one sequence of `folder` through the import dialog, once its scan shows `frames`. */
export async function importFolder(page: Page, folder: string, frames: string): Promise<void> {
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Import frames' });
  await dialog.getByLabel('Folder path').fill(folder);
  await dialog.getByRole('button', { name: 'Scan' }).click();
  await dialog.getByText(frames).waitFor();
  await dialog.getByRole('button', { name: 'Import 1 shot' }).click();
}

/** Take the focus off a field, so arrow keys move the playhead rather than change the field. */
export async function blur(page: Page): Promise<void> {
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
}

/** A screenshot of the page to ARTIFACTS/<name>.png, transitions finished. */
export async function screenshot(page: Page, name: string): Promise<void> {
  // a thumb caught mid-slide would show a value it does not have
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), animations: 'disabled' });
}
