// End to end: the browser host with the real engine, driven in headless Chromium.
// Imports ../shared/footage/akiyo/, sets a target age, renders a preview, moves the
// wipe, toggles pixel-wise / identity, exports three frames and checks them on disk.
// Screenshots of every step go to test-artifacts/e2e/.
//
// REAGE_WORKER=<entry> runs the host against another engine worker (development only).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const FOOTAGE = resolve(ROOT, '../shared/footage/akiyo');
const ARTIFACTS = join(ROOT, 'test-artifacts/e2e');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** the real engine loads a model and optimises a latent per preview: minutes on a small CPU */
const ENGINE_TIMEOUT = 300_000;

let host: ChildProcess | undefined;
let browser: BrowserContext | undefined;
let page: Page;
let work: string;
let hostLog = '';
/** set by the first test: later ones need the engine and fail at once without it */
let engineReady = false;

function requireEngine(): void {
  expect(engineReady, 'the engine did not start: see the first test').toBe(true);
}

/** Wait for the after image of a preview, failing early with the viewer's message if the render fails. */
async function waitForPreview(): Promise<void> {
  const after = page.getByRole('img', { name: 'After (re-aged preview)' });
  const failed = page.locator('.viewer-status.error');
  await after.or(failed).first().waitFor({ timeout: ENGINE_TIMEOUT });
  if (await failed.count()) throw new Error((await failed.textContent()) ?? 'preview failed');
}

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
}

function startHost(dataDir: string): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main/host/server.ts'], {
      cwd: ROOT,
      env: { ...process.env, REAGE_DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    host = child;
    const timer = setTimeout(() => reject(new Error(`the host did not start:\n${hostLog}`)), 60_000);
    const read = (chunk: Buffer) => {
      hostLog += chunk.toString();
      const url = /running at (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.exec(hostLog)?.[1];
      if (url) {
        clearTimeout(timer);
        resolvePromise(url);
      }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.on('exit', (code) => reject(new Error(`the host exited (${code}):\n${hostLog}`)));
  });
}

/** PNG width and height from the IHDR chunk. */
function pngSize(file: string): { width: number; height: number } {
  const bytes = readFileSync(file);
  expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

beforeAll(async () => {
  expect(existsSync(FOOTAGE), `footage missing at ${FOOTAGE}`).toBe(true);
  expect(existsSync(CHROMIUM), `Chromium missing at ${CHROMIUM} (apt-get install chromium)`).toBe(true);
  rmSync(ARTIFACTS, { recursive: true, force: true });
  mkdirSync(ARTIFACTS, { recursive: true });
  work = mkdtempSync(join(tmpdir(), 'reage-e2e-'));
  const build = spawnSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--logLevel', 'warn'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  expect(build.status, build.stderr).toBe(0);
  const url = await startHost(join(work, 'data'));
  // a fresh profile per run (playwright passes it as --user-data-dir)
  browser = await chromium.launchPersistentContext(join(work, 'chromium'), {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1600, height: 960 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  page = browser.pages()[0] ?? (await browser.newPage());
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') hostLog += `[page ${m.type()}] ${m.text()}\n`;
  });
  await page.goto(url);
});

afterAll(async () => {
  await browser?.close();
  host?.kill('SIGTERM');
  if (work) rmSync(work, { recursive: true, force: true });
  if (hostLog) console.log(hostLog.slice(-4000));
});

describe('ReAge Studio in the browser host', () => {
  it('connects to the engine and shows its backend and model', async () => {
    const status = page.getByTestId('engine-status');
    await page
      .locator('[data-testid="engine-status"][data-state="ready"], [data-testid="engine-status"][data-state="failed"]')
      .waitFor({ timeout: ENGINE_TIMEOUT });
    // a failed engine says why in the status bar: show that rather than time out
    expect(await status.getAttribute('data-state'), (await status.textContent()) ?? '').toBe('ready');
    engineReady = true;
    await expect(page.getByTestId('backend').textContent()).resolves.toMatch(/tensorflow|wasm|cpu/);
    await expect(page.getByTestId('model').textContent()).resolves.toMatch(/v\S+/);
    // the token left the address bar once read
    expect(page.url()).not.toContain('token=');
    await shot('01-empty');
  });

  it('imports the akiyo sequence by folder path', async () => {
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Import frames' });
    await dialog.getByLabel('Folder path').fill(FOOTAGE);
    await dialog.getByRole('button', { name: 'Scan' }).click();
    await expect(dialog.getByText('akiyo.####.png').textContent()).resolves.toBe('akiyo.####.png');
    await dialog.getByText('1001–1060 · 60 frames').waitFor();
    await shot('02-import-dialog');
    await dialog.getByRole('button', { name: 'Import 1 shot' }).click();
    await page.getByTestId('clip').first().waitFor();
    await page.locator('.thumb img').first().waitFor();
    await page.getByRole('img', { name: 'Before (plate)' }).waitFor();
    await expect(page.getByTestId('frame-readout').textContent()).resolves.toContain('1001');
    // keyboard stepping moves the playhead
    await page.locator('body').press('ArrowRight');
    await page.locator('body').press('ArrowRight');
    await expect(page.getByTestId('frame-readout').textContent()).resolves.toContain('1003');
    await page.locator('body').press('Home');
    await shot('03-imported');
  });

  it('sets a target age and renders a preview', async () => {
    requireEngine();
    const slider = page.getByRole('slider', { name: 'Target age' });
    await slider.focus();
    await slider.press('ArrowLeft'); // 60+ -> 50-59
    await expect(slider.getAttribute('aria-valuetext')).resolves.toBe('50-59');
    await page.getByRole('button', { name: 'Target age 60+' }).click();
    await expect(slider.getAttribute('aria-valuetext')).resolves.toBe('60+');
    await expect(page.getByLabel('Target age of akiyo').inputValue()).resolves.toBe('60+');
    // a small step budget keeps the test quick on CPU
    await page.getByLabel('Steps', { exact: true }).fill('40');
    await page.getByTestId('render-preview').click();
    await page
      .getByTestId('preview-progress')
      .waitFor({ timeout: 10_000 })
      .catch(() => {});
    await shot('04-rendering');
    await waitForPreview();
    await page.getByText(/rendered in/).waitFor();
    await shot('05-preview-wipe');
  });

  it('moves the wipe divider', async () => {
    requireEngine();
    const viewer = page.getByTestId('viewer');
    const handle = page.getByTestId('wipe-handle');
    const before = Number(await viewer.getAttribute('data-wipe'));
    const box = (await handle.boundingBox())!;
    const area = (await viewer.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(area.x + area.width * 0.3, box.y + box.height / 2, { steps: 8 });
    await page.mouse.up();
    const after = Number(await viewer.getAttribute('data-wipe'));
    expect(after).toBeLessThan(before - 0.1);
    await shot('06-wipe-moved');
    await page.getByLabel('Face').check();
    await page.getByLabel('Mask').check();
    await shot('07-face-and-mask');
    await page.getByLabel('Face').uncheck();
    await page.getByLabel('Mask').uncheck();
  });

  it('toggles pixel-wise / identity, with previews cached per settings', async () => {
    requireEngine();
    await page.getByRole('radio', { name: 'Pixel-wise' }).click();
    await expect(page.getByRole('img', { name: 'After (re-aged preview)' }).count()).resolves.toBe(0);
    await page.getByTestId('render-preview').click();
    await waitForPreview();
    await expect(page.locator('.viewer-tag.b').textContent()).resolves.toContain('pixel-wise');
    await shot('08-pixel-wise');
    // back to identity: the earlier render comes straight from the cache
    await page.getByRole('radio', { name: 'Identity' }).click();
    await page.getByRole('img', { name: 'After (re-aged preview)' }).waitFor({ timeout: 2_000 });
    await expect(page.locator('.viewer-tag.b').textContent()).resolves.toContain('identity');
    // undo restores pixel-wise, redo identity
    await page.locator('body').press('Control+z');
    await expect(page.getByRole('radio', { name: 'Pixel-wise' }).getAttribute('aria-checked')).resolves.toBe('true');
    await page.locator('body').press('Control+Shift+z');
    await expect(page.getByRole('radio', { name: 'Identity' }).getAttribute('aria-checked')).resolves.toBe('true');
  });

  it('exports three frames and writes them to disk', async () => {
    requireEngine();
    const out = join(work, 'renders');
    mkdirSync(out);
    await page.getByRole('button', { name: 'Export', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Export re-aged frames' });
    await dialog.getByLabel('Frames', { exact: true }).fill('1001-1003');
    await dialog.getByLabel('Output folder', { exact: true }).fill(out);
    await dialog.getByLabel('Format', { exact: true }).selectOption('png');
    await expect(dialog.getByTestId('export-example').textContent()).resolves.toBe(join(out, 'akiyo_reaged.1001.png'));
    await shot('09-export-dialog');
    await dialog.getByRole('button', { name: 'Start export' }).click();
    const job = page.getByTestId('job').first();
    await job.waitFor();
    await shot('10-exporting');
    await page
      .locator('[data-testid="job"][data-status="completed"], [data-testid="job"][data-status="failed"]')
      .waitFor({ timeout: ENGINE_TIMEOUT * 2 });
    expect(await job.getAttribute('data-status'), (await job.textContent()) ?? '').toBe('completed');
    await expect(page.getByTestId('job-summary').textContent()).resolves.toMatch(
      /^3 done · 0 skipped · 0 no face · 0 failed/,
    );
    await shot('11-export-done');
    for (const frame of [1001, 1002, 1003]) {
      const file = join(out, `akiyo_reaged.${frame}.png`);
      expect(existsSync(file), file).toBe(true);
      expect(pngSize(file)).toEqual({ width: 352, height: 288 });
    }
    expect(existsSync(join(out, 'akiyo_reaged.1004.png'))).toBe(false);
  });
});
