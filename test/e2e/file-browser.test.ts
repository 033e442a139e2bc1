// End to end, files like a desktop app in the browser host (issue #22 item 5): with no
// native dialog, every path is chosen in the in-app file browser over files.list. The
// host runs with the footage folder and a renders folder as its roots and the fake
// engine worker (fake-engine-worker.ts), so this runs in seconds. Akiyo is imported
// through the browser (into its folder by keyboard, the sequence picked with a click),
// an export folder chosen, the project saved and reopened through it, and a drop
// explained. Screenshots go to test-artifacts/e2e/file-browser-*.png (gitignored).
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StudioHost } from './studio-host.js';

const ROOT = resolve(import.meta.dirname, '../..');
// the host lists real paths: where shared/ is a link (a checkout beside a linked copy), so must the test
const FOOTAGE = ((p: string) => (existsSync(p) ? realpathSync(p) : p))(resolve(ROOT, '../shared/footage'));
const AKIYO = join(FOOTAGE, 'akiyo');
const ARTIFACTS = join(ROOT, 'test-artifacts/e2e');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const WORKER = join(ROOT, 'test/e2e/fake-engine-worker.ts');

let browser: BrowserContext | undefined;
let page: Page;
let work: string;
let renders: string;
const studioHost = new StudioHost();

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `file-browser-${name}.png`), animations: 'disabled' });
}

/** The file browser open with this title, once its folder is listed. */
async function fileBrowser(title: string): Promise<{ dialog: Locator; list: Locator }> {
  const dialog = page.getByRole('dialog', { name: title });
  const list = dialog.getByRole('listbox', { name: 'Folder contents' });
  await list.and(page.locator('[aria-busy="false"]')).waitFor();
  return { dialog, list };
}

const crumbs = (dialog: Locator) => dialog.getByRole('navigation', { name: 'Current folder' }).textContent();
const rowNames = (list: Locator) =>
  list.getByRole('option').evaluateAll((rows) => rows.map((r) => r.getAttribute('aria-label')));

beforeAll(async () => {
  expect(existsSync(AKIYO), `footage missing at ${AKIYO}`).toBe(true);
  expect(existsSync(CHROMIUM), `Chromium missing at ${CHROMIUM} (apt-get install chromium)`).toBe(true);
  mkdirSync(ARTIFACTS, { recursive: true });
  for (const f of readdirSync(ARTIFACTS)) if (f.startsWith('file-browser-')) rmSync(join(ARTIFACTS, f));
  work = realpathSync(mkdtempSync(join(tmpdir(), 'reage-files-e2e-')));
  renders = join(work, 'renders');
  mkdirSync(join(renders, 'v001'), { recursive: true });
  mkdirSync(join(renders, 'v002'));
  writeFileSync(join(renders, '.hidden-notes'), 'hidden');
  writeFileSync(join(renders, 'review-notes.txt'), 'the neck needs another pass\n');
  mkdirSync(join(work, 'elsewhere'));
  symlinkSync(join(work, 'elsewhere'), join(renders, 'link-out')); // points outside the roots
  const build = spawnSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--logLevel', 'warn'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  expect(build.status, build.stderr).toBe(0);
  const url = await studioHost.start([FOOTAGE, renders], {
    REAGE_DATA_DIR: join(work, 'data'),
    REAGE_WORKER: WORKER,
  });
  ({ browser, page } = await studioHost.openStudio(url, work, CHROMIUM));
});

afterAll(async () => {
  await browser?.close();
  studioHost.stop();
  if (work) rmSync(work, { recursive: true, force: true });
  if (studioHost.log) console.log(studioHost.log.slice(-4000));
});

describe('files in the browser host', () => {
  it('imports akiyo through the file browser: into its folder by keyboard, the sequence picked', async () => {
    await page.locator('[data-testid="engine-status"][data-state="ready"]').waitFor({ timeout: 60_000 });
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    const importDialog = page.getByRole('dialog', { name: 'Import frames' });
    await importDialog.getByRole('button', { name: 'Browse…' }).click();
    const { dialog, list } = await fileBrowser('Folder holding the frames');
    // the first root, the roots as shortcuts (the data folder last), folders first
    await expect(crumbs(dialog)).resolves.toBe('footage');
    const places = dialog.getByRole('navigation', { name: 'Places' }).getByRole('button');
    await expect(places.evaluateAll((b) => b.map((x) => x.getAttribute('title')))).resolves.toEqual([
      FOOTAGE,
      renders,
      join(work, 'data'),
    ]);
    expect(await rowNames(list)).toEqual(['akiyo', 'tears_of_steel', expect.stringMatching(/^README\.md, \d/)]);
    await expect(dialog.getByRole('button', { name: '↑ Up' }).isDisabled()).resolves.toBe(true);
    await shot('01-roots');
    // keyboard: the list has focus; type-ahead to akiyo, Enter opens it
    await expect(list.evaluate((el) => el === document.activeElement)).resolves.toBe(true);
    await page.keyboard.press('a');
    await page.keyboard.press('Enter');
    await expect.poll(() => crumbs(dialog)).toBe('footage›akiyo');
    const sequence = list.getByRole('option', { name: 'akiyo.####.png, 1001–1060 · 60 frames' });
    expect(await rowNames(list)).toEqual(['akiyo.####.png, 1001–1060 · 60 frames']);
    await sequence.click();
    await expect.poll(() => dialog.getByLabel('Path').inputValue()).toBe(join(AKIYO, 'akiyo.####.png'));
    await shot('02-akiyo-sequence-selected');
    await dialog.getByRole('button', { name: 'Choose “akiyo.####.png”' }).click();
    await dialog.waitFor({ state: 'detached' });
    await importDialog.getByText('1001–1060 · 60 frames').waitFor();
    await expect.poll(() => importDialog.getByLabel('Folder path').inputValue()).toBe(AKIYO);
    await expect(importDialog.getByRole('checkbox').isChecked()).resolves.toBe(true);
    await shot('03-import-dialog');
    await importDialog.getByRole('button', { name: 'Import 1 shot' }).click();
    await page.getByRole('img', { name: 'Before (plate)' }).waitFor();
    await expect(page.getByTestId('frame-readout').textContent()).resolves.toContain('1001');
  });

  it('chooses the export folder in another root; a link out of the roots is not listed', async () => {
    await page.getByRole('button', { name: 'Export', exact: true }).click();
    const exportDialog = page.getByRole('dialog', { name: 'Export re-aged frames' });
    await exportDialog.getByRole('button', { name: 'Browse…' }).click();
    const { dialog, list } = await fileBrowser('Output folder');
    await dialog.getByRole('navigation', { name: 'Places' }).getByRole('button', { name: 'renders' }).click();
    await expect.poll(() => crumbs(dialog)).toBe('renders');
    expect(await rowNames(list)).toEqual(['v001', 'v002', expect.stringMatching(/^review-notes\.txt, 28 B/)]);
    await expect(list.getByRole('option', { name: /^review-notes/ }).getAttribute('aria-disabled')).resolves.toBe(
      'true',
    );
    await list.getByRole('option', { name: 'v002' }).dblclick();
    await expect.poll(() => crumbs(dialog)).toBe('renders›v002');
    await dialog.getByRole('button', { name: '↑ Up' }).click();
    await expect.poll(() => crumbs(dialog)).toBe('renders');
    await list.getByRole('option', { name: 'v001' }).dblclick();
    await expect.poll(() => crumbs(dialog)).toBe('renders›v001');
    await dialog.getByText('This folder is empty.').waitFor();
    await shot('04-export-folder');
    await dialog.getByRole('button', { name: 'Choose this folder' }).click();
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => exportDialog.getByLabel('Output folder').inputValue()).toBe(join(renders, 'v001'));
    await exportDialog.getByRole('button', { name: 'Cancel' }).click();
  });

  it('saves the project with a file name in the current folder, then reopens it from the list', async () => {
    await page.keyboard.press('Control+s');
    const { dialog } = await fileBrowser('Save project as');
    // it starts in the export folder, with the project's name
    await expect.poll(() => crumbs(dialog)).toBe('renders›v001');
    const name = dialog.getByLabel('File name');
    await expect(name.evaluate((el) => el === document.activeElement)).resolves.toBe(true);
    await expect(name.inputValue()).resolves.toBe('akiyo.reage');
    await name.fill('akiyo_v1');
    await expect
      .poll(() => dialog.getByTestId('save-target').textContent())
      .toBe(`Saves as ${join(renders, 'v001', 'akiyo_v1.reage')}`);
    await shot('05-save');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByText(`Saved ${join(renders, 'v001', 'akiyo_v1.reage')}`).waitFor();
    expect(existsSync(join(renders, 'v001', 'akiyo_v1.reage'))).toBe(true);

    await page.keyboard.press('Control+o');
    const open = await fileBrowser('Open project file');
    await expect.poll(() => crumbs(open.dialog)).toBe('renders›v001');
    const row = open.list.getByRole('option', { name: /^akiyo_v1\.reage/ });
    await row.click();
    await expect.poll(() => open.dialog.getByLabel('Path').inputValue()).toBe(join(renders, 'v001', 'akiyo_v1.reage'));
    await open.dialog.getByRole('navigation', { name: 'Places' }).getByRole('button', { name: 'akiyo' }).waitFor();
    await shot('06-open');
    await row.dblclick();
    await open.dialog.waitFor({ state: 'detached' });
    await expect.poll(() => page.locator('.topbar').textContent()).toContain('akiyo');
    expect(await page.locator('.notice.error').count()).toBe(0);
  });

  it('says why a browser drop cannot be opened, and finds the folder in the file browser', async () => {
    await page.evaluate(() => {
      const data = new DataTransfer();
      data.items.add(new File(['x'], 'akiyo.1001.png', { type: 'image/png' }));
      window.dispatchEvent(new DragEvent('dragenter', { dataTransfer: data, bubbles: true }));
      window.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
    });
    const { dialog, list } = await fileBrowser('Find the folder holding the frames');
    await expect(dialog.getByTestId('browser-note').textContent()).resolves.toContain(
      'a web page is never told where dropped files and folders are on disk',
    );
    // it starts where the last shot came from
    await expect.poll(() => crumbs(dialog)).toBe('footage›akiyo');
    await shot('07-drop');
    await list.getByRole('option', { name: /^akiyo\.####\.png/ }).dblclick();
    await dialog.waitFor({ state: 'detached' });
    const importDialog = page.getByRole('dialog', { name: 'Import frames' });
    await importDialog.getByText('1001–1060 · 60 frames').waitFor();
    await expect(importDialog.getByRole('checkbox').isChecked()).resolves.toBe(true);
    await importDialog.getByRole('button', { name: 'Cancel' }).click();
  });
});
