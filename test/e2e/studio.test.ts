// End to end: the browser host with the real engine, driven in headless Chromium.
// Imports ../shared/footage/akiyo/, sets a target age, renders a preview, moves the
// wipe, toggles pixel-wise / identity and detail, exports three frames and checks them on disk.
// Screenshots of every step go to test-artifacts/e2e/ (gitignored).
//
// The model: the shipped one (models/reage-utkface-64) when it is there, else a small
// random one built for the run (test/helpers/random-model.ts, marked untrained), or
// REAGE_MODEL=<dir>. REAGE_WORKER=<entry> runs the host against another engine worker
// (development only).
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StudioHost } from './studio-host.js';
import {
  ARTIFACTS,
  CHROMIUM,
  ENGINE_TIMEOUT,
  STEPS,
  blur as blurPage,
  buildRenderer,
  chooseModel,
  importFolder as importInto,
  removeModel,
  screenshot,
  waitForEngine,
  waitForPreview as waitForPreviewOn,
  type EngineModel,
} from './studio-page.js';
import { defectsAt, warningsAt } from '../../src/shared/known-defects.js';
import { compareAged, makeAcescgExrPlates, oiioInfo } from '../helpers/exr-plates.js';
import { AGE_RULERS, estimatedAges } from '../helpers/estimated-age.js';
import { PASTED_FACE, hasTwoFaceFootage, writeTwoFacePlate } from '../helpers/two-face-plates.js';

const ROOT = resolve(import.meta.dirname, '../..');
const FOOTAGE = resolve(ROOT, '../shared/footage/akiyo');
const TOS = resolve(ROOT, '../shared/footage/tears_of_steel');

let browser: BrowserContext | undefined;
let page: Page;
let work: string;
const studioHost = new StudioHost();
/** the model the host's engine loads (a random one this run built is removed afterwards) */
let model: EngineModel | undefined;
/** what the status bar should name */
let expectedModel: { name: string; trained: boolean; warnedAt5059: boolean; notesAt018: number };
/** set by the first test: later ones need the engine and fail at once without it */
let engineReady = false;

function requireEngine(): void {
  expect(engineReady, 'the engine did not start: see the first test').toBe(true);
}

const waitForPreview = () => waitForPreviewOn(page);
const importFolder = (folder: string, frames: string) => importInto(page, folder, frames);
const blur = () => blurPage(page);
const shot = (name: string) => screenshot(page, name);

/**
 * Pixels where the viewer's after image differs from its before image, decoded by
 * the browser: proof that the preview came from the engine and changed the face only.
 */
async function previewDifference(): Promise<{ changed: number; total: number }> {
  return page.evaluate(async () => {
    const decode = async (selector: string) => {
      const img = document.querySelector<HTMLImageElement>(selector);
      if (!img) throw new Error(`no ${selector} in the viewer`);
      await img.decode();
      const canvas = document.createElement('canvas');
      canvas.width = img.naturalWidth;
      canvas.height = img.naturalHeight;
      const ctx = canvas.getContext('2d')!;
      ctx.drawImage(img, 0, 0);
      return ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    };
    const [a, b] = [await decode('img.layer.before'), await decode('img.layer.after')];
    let changed = 0;
    for (let i = 0; i < a.length; i += 4)
      if (a[i] !== b[i] || a[i + 1] !== b[i + 1] || a[i + 2] !== b[i + 2]) changed++;
    return { changed, total: a.length / 4 };
  });
}

/** Pixels where an exported frame differs from its plate, and their bounding box. */
async function fileDifference(plate: string, output: string) {
  const read = (f: string) => sharp(f).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const [a, b] = [await read(plate), await read(output)];
  expect([b.info.width, b.info.height, b.info.channels]).toEqual([a.info.width, a.info.height, a.info.channels]);
  const { width, height, channels } = a.info;
  let changed = 0;
  const box = { x0: width, y0: height, x1: -1, y1: -1 };
  for (let p = 0; p < width * height; p++) {
    let same = true;
    for (let c = 0; c < channels; c++) same &&= a.data[p * channels + c] === b.data[p * channels + c];
    if (same) continue;
    changed++;
    const x = p % width;
    const y = Math.floor(p / width);
    box.x0 = Math.min(box.x0, x);
    box.x1 = Math.max(box.x1, x);
    box.y0 = Math.min(box.y0, y);
    box.y1 = Math.max(box.y1, y);
  }
  return { changed, total: width * height, box };
}

/** PNG width and height from the IHDR chunk. */
function pngSize(file: string): { width: number; height: number } {
  const bytes = readFileSync(file);
  expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

/**
 * Export the selected shot alone (the shots named by `others` unchecked) as PNG into
 * `out`, wait for its job to complete with a summary matching `summary`, then show the
 * inspector again (an export brings the render queue to the front).
 */
async function exportShot(others: readonly RegExp[], out: string, summary: RegExp, timeout = ENGINE_TIMEOUT) {
  // the jobs listed so far, in the render queue's tab
  await page.getByRole('tab', { name: /^Render queue/ }).click();
  const jobs = page.getByTestId('job');
  const before = await jobs.count();
  await page.getByRole('button', { name: 'Export', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Export re-aged frames' });
  for (const other of others) await dialog.getByRole('checkbox', { name: other }).uncheck();
  await dialog.getByLabel('Output folder', { exact: true }).fill(out);
  await dialog.getByLabel('Format', { exact: true }).selectOption('png');
  await dialog.getByRole('button', { name: 'Start export' }).click();
  await expect.poll(() => jobs.count()).toBe(before + 1);
  const job = jobs.first(); // newest first
  await expect.poll(() => job.getAttribute('data-status'), { timeout, interval: 500 }).toMatch(/^(completed|failed)$/);
  expect(await job.getAttribute('data-status'), (await job.textContent()) ?? '').toBe('completed');
  await expect(job.getByTestId('job-summary').textContent()).resolves.toMatch(summary);
  await page.getByRole('tab', { name: 'Inspector' }).click();
}

beforeAll(async () => {
  expect(existsSync(FOOTAGE), `footage missing at ${FOOTAGE}`).toBe(true);
  expect(existsSync(CHROMIUM), `Chromium missing at ${CHROMIUM} (apt-get install chromium)`).toBe(true);
  // this file's screenshots (numbered): the other e2e files' (prefixed by their names) stay
  mkdirSync(ARTIFACTS, { recursive: true });
  for (const f of readdirSync(ARTIFACTS)) if (/^\d/.test(f)) rmSync(join(ARTIFACTS, f));
  work = mkdtempSync(join(tmpdir(), 'reage-e2e-'));
  buildRenderer();
  model = await chooseModel();
  expectedModel = {
    name: model.name,
    trained: model.trained,
    warnedAt5059: warningsAt(model.knownDefects, '50-59').length > 0,
    notesAt018: defectsAt(model.knownDefects, '0-18').filter((d) => d.level === 'note').length,
  };
  // the studio may touch only the plates and this run's folder (allowed roots)
  const url = await studioHost.start([FOOTAGE, work], {
    REAGE_DATA_DIR: join(work, 'data'),
    REAGE_MODEL: model.dir,
  });
  // a fresh profile per run (playwright passes it as --user-data-dir)
  ({ browser, page } = await studioHost.openStudio(url, work, CHROMIUM));
});

afterAll(async () => {
  await browser?.close();
  studioHost.stop();
  if (work) rmSync(work, { recursive: true, force: true });
  removeModel(model);
  if (studioHost.log) console.log(studioHost.log.slice(-4000));
});

describe('ReAge Studio in the browser host', () => {
  it('connects to the engine and shows its backend and model', async () => {
    // a failed engine says why in the status bar: show that rather than time out
    await waitForEngine(page);
    engineReady = true;
    await expect(page.getByTestId('backend').textContent()).resolves.toMatch(/tensorflow|wasm|cpu/);
    const model = (await page.getByTestId('model').textContent()) ?? '';
    expect(model).toContain(expectedModel.name);
    expect(model).toMatch(/v\S+/);
    expect(model.includes('untrained')).toBe(!expectedModel.trained);
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
    // the model's known defect at 50-59 (the shipped one has one) is said beside the slider and on the timeline
    const warning = page.locator('[data-testid="known-defect"][data-level="warning"]');
    await expect(warning.count()).resolves.toBe(expectedModel.warnedAt5059 ? 1 : 0);
    await expect(page.getByRole('img', { name: 'Known model defect at 50-59' }).count()).resolves.toBe(
      expectedModel.warnedAt5059 ? 1 : 0,
    );
    await shot('04a-known-defect-50-59');
    // a note (the shipped model has one at 0-18) is said too, without the warning
    await page.getByRole('button', { name: 'Target age 0-18' }).click();
    await expect(slider.getAttribute('aria-valuetext')).resolves.toBe('0-18');
    await expect(warning.count()).resolves.toBe(0);
    await expect(page.locator('[data-testid="known-defect"][data-level="note"]').count()).resolves.toBe(
      expectedModel.notesAt018,
    );
    await shot('04b-known-defect-0-18');
    await page.getByRole('button', { name: 'Target age 60+' }).click();
    await expect(warning.count()).resolves.toBe(0);
    await expect(slider.getAttribute('aria-valuetext')).resolves.toBe('60+');
    await expect(page.getByLabel('Target age of akiyo').inputValue()).resolves.toBe('60+');
    // a small step budget keeps the test quick on CPU
    await page.getByLabel('Steps', { exact: true }).fill(String(STEPS));
    // a random G's age delta is below one 8-bit level (test/engine/engine.test.ts): only
    // its replaced face shows that the engine rendered anything
    if (!expectedModel.trained) await page.getByRole('radio', { name: 'Replace' }).click();
    await page.getByTestId('render-preview').click();
    await page
      .getByTestId('preview-progress')
      .waitFor({ timeout: 10_000 })
      .catch(() => {});
    await shot('04-rendering');
    await waitForPreview();
    await page.getByTestId('render-time').waitFor();
    // the engine found the face and changed it, and only it
    await expect(page.getByTestId('preview-no-face').count()).resolves.toBe(0);
    const diff = await previewDifference();
    expect(diff.changed).toBeGreaterThan(0);
    expect(diff.changed).toBeLessThan(diff.total * 0.25);
    await expect(page.getByText(/^Auto · \d/).count()).resolves.toBe(1); // the estimated source age
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
    // new shots are pixel-wise (the hybrid's default): identity is a render of its own
    await page.getByRole('radio', { name: 'Identity' }).click();
    await expect(page.getByRole('img', { name: 'After (re-aged preview)' }).count()).resolves.toBe(0);
    await page.getByTestId('render-preview').click();
    await waitForPreview();
    await expect(page.locator('.viewer-tag.b').textContent()).resolves.toContain('identity');
    await shot('08-identity');
    // back to pixel-wise: the earlier render comes straight from the cache
    await page.getByRole('radio', { name: 'Pixel-wise' }).click();
    await page.getByRole('img', { name: 'After (re-aged preview)' }).waitFor({ timeout: 2_000 });
    await expect(page.locator('.viewer-tag.b').textContent()).resolves.toContain('pixel-wise');
    // undo restores identity, redo pixel-wise
    await page.locator('body').press('Control+z');
    await expect(page.getByRole('radio', { name: 'Identity' }).getAttribute('aria-checked')).resolves.toBe('true');
    await page.locator('body').press('Control+Shift+z');
    await expect(page.getByRole('radio', { name: 'Pixel-wise' }).getAttribute('aria-checked')).resolves.toBe('true');
  });

  it('toggles detail refinement, a setting of its own in the preview cache', async () => {
    requireEngine();
    await expect(page.locator('.viewer-tag.b').textContent()).resolves.not.toContain('detail');
    await page.getByRole('radio', { name: 'On', exact: true }).click();
    // not the detail-off render: nothing to show until this one is rendered
    await expect(page.getByRole('img', { name: 'After (re-aged preview)' }).count()).resolves.toBe(0);
    await page.getByTestId('render-preview').click();
    await waitForPreview();
    await expect(page.locator('.viewer-tag.b').textContent()).resolves.toContain('+ detail');
    await shot('08b-detail-on');
    await page.getByRole('radio', { name: 'Off', exact: true }).click();
    await page.getByRole('img', { name: 'After (re-aged preview)' }).waitFor({ timeout: 2_000 });
    await expect(page.locator('.viewer-tag.b').textContent()).resolves.not.toContain('detail');
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
      // re-aged inside the face, the plate's own pixels everywhere else
      const diff = await fileDifference(join(FOOTAGE, `akiyo.${frame}.png`), file);
      expect(diff.changed, `frame ${frame}`).toBeGreaterThan(0);
      expect(diff.changed, `frame ${frame}`).toBeLessThan(diff.total * 0.25);
      expect(diff.box.x0).toBeGreaterThan(0);
      expect(diff.box.x1).toBeLessThan(351);
    }
    expect(existsSync(join(out, 'akiyo_reaged.1004.png'))).toBe(false);
  });

  it('names the frame, file and reason of a frame that cannot be read', async () => {
    requireEngine();
    // a two-frame shot whose second frame is not a PNG
    const plates = join(work, 'broken');
    mkdirSync(plates);
    copyFileSync(join(FOOTAGE, 'akiyo.1001.png'), join(plates, 'broken.1001.png'));
    writeFileSync(join(plates, 'broken.1002.png'), 'not a png');
    await importFolder(plates, '1001–1002 · 2 frames');
    await expect(page.getByTestId('clip').count()).resolves.toBe(2);
    await page.getByLabel('Steps', { exact: true }).fill(String(STEPS));
    await blur(); // arrow keys in the steps field would change it, not the frame

    // the preview of the broken frame says which frame and file, and why
    await page.locator('body').press('ArrowRight');
    await expect(page.getByTestId('frame-readout').textContent()).resolves.toContain('1002');
    await page.getByTestId('render-preview').click();
    const error = page.getByTestId('preview-error');
    await error.waitFor({ timeout: ENGINE_TIMEOUT });
    const errorText = (await error.textContent()) ?? '';
    expect(errorText).toContain('frame 1002');
    expect(errorText).toContain('broken.1002.png');
    // the browser cannot show the corrupt plate either: the viewer says so instead of a broken image
    await page.getByText('cannot be displayed: the file is not a readable image').waitFor();
    await shot('12-preview-error');

    // an export of the shot finishes the good frame and lists the bad one with its reason
    const out = join(work, 'renders');
    await page.getByRole('button', { name: 'Export', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Export re-aged frames' });
    await dialog.getByRole('checkbox', { name: /^akiyo/ }).uncheck();
    await dialog.getByRole('button', { name: 'Start export' }).click();
    const job = page.getByTestId('job').first(); // newest first
    await page
      .locator('[data-testid="job"][data-status="completed"], [data-testid="job"][data-status="failed"]')
      .nth(1)
      .waitFor({ timeout: ENGINE_TIMEOUT });
    expect(await job.getAttribute('data-status'), (await job.textContent()) ?? '').toBe('completed');
    await expect(job.getByTestId('job-summary').textContent()).resolves.toMatch(
      /^1 done · 0 skipped · 0 no face · 1 failed/,
    );
    const failures = (await job.getByTestId('failures').textContent()) ?? '';
    expect(failures).toContain('1002');
    expect(failures).toContain('broken.1002.png');
    await expect(page.getByRole('button', { name: 'Retry failed' }).count()).resolves.toBe(1);
    await job.getByTestId('failures').scrollIntoViewIfNeeded();
    await shot('13-export-failed-frame');
    expect(pngSize(join(out, 'broken_reaged.1001.png'))).toEqual({ width: 352, height: 288 });
    expect(existsSync(join(out, 'broken_reaged.1002.png'))).toBe(false);
  });

  it("keeps the open mouth's interior as the plate had it, pixel for pixel (Tears of Steel)", async () => {
    requireEngine();
    // frame 1029 of the Tears of Steel plate: the actor's mouth is open
    const plates = join(work, 'tos');
    mkdirSync(plates);
    const plate = join(plates, 'tos_0500.1029.png');
    copyFileSync(join(TOS, 'tos_0500.1029.png'), plate);
    await importFolder(plates, '1029 · 1 frame');
    await page.getByLabel('Steps', { exact: true }).fill(String(STEPS));
    await blur();
    await page.getByRole('checkbox', { name: 'Face' }).check();
    await page.getByTestId('render-preview').click();
    await waitForPreview();
    // the inner lips (landmarks 60-67) as the engine found them, from the viewer's overlay
    const lips = await page
      .locator('circle.landmark')
      .evaluateAll((els) =>
        els.slice(60, 68).map((e) => ({ x: Number(e.getAttribute('cx')), y: Number(e.getAttribute('cy')) })),
      );
    expect(lips).toHaveLength(8);
    await shot('14a-tos-open-mouth');
    await page.getByRole('checkbox', { name: 'Face' }).uncheck();

    const out = join(work, 'tos-renders');
    await page.getByRole('button', { name: 'Export', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Export re-aged frames' });
    for (const other of [/^akiyo/, /^broken/]) await dialog.getByRole('checkbox', { name: other }).uncheck();
    await dialog.getByLabel('Output folder', { exact: true }).fill(out);
    await dialog.getByLabel('Format', { exact: true }).selectOption('png');
    await dialog.getByRole('button', { name: 'Start export' }).click();
    await page
      .locator('[data-testid="job"][data-status="completed"], [data-testid="job"][data-status="failed"]')
      .nth(2)
      .waitFor({ timeout: ENGINE_TIMEOUT });
    const aged = join(out, 'tos_0500_reaged.1029.png');
    const read = (f: string) => sharp(f).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const [a, b] = [await read(plate), await read(aged)];
    const { width, channels } = a.info;
    const inside = (x: number, y: number) => {
      let r = false;
      for (let i = 0, j = lips.length - 1; i < lips.length; j = i++) {
        const [p, q] = [lips[i]!, lips[j]!];
        if (p.y <= y !== q.y <= y && x < p.x + ((y - p.y) / (q.y - p.y)) * (q.x - p.x)) r = !r;
      }
      return r;
    };
    let mouth = 0;
    let changedInMouth = 0;
    for (let y = 0; y < a.info.height; y++)
      for (let x = 0; x < width; x++) {
        if (!inside(x + 0.5, y + 0.5)) continue;
        mouth++;
        const at = (y * width + x) * channels;
        for (let c = 0; c < channels; c++) if (a.data[at + c] !== b.data[at + c]) changedInMouth++;
      }
    expect(mouth, 'pixels inside the open mouth').toBeGreaterThan(50);
    expect(changedInMouth).toBe(0);
    // and the face around it was aged
    expect((await fileDifference(plate, aged)).changed).toBeGreaterThan(1000);
  });

  it('exports an ACEScg OpenEXR shot as EXR, with its matte and change passes', async () => {
    requireEngine();
    // a studio's plate: linear ACEScg half float with its header, made by OpenImageIO and OpenColorIO
    const plates = join(work, 'exr');
    mkdirSync(plates);
    const [plate] = await makeAcescgExrPlates(
      [1001, 1002].map((frame) => ({ frame, path: join(FOOTAGE, `akiyo.${frame}.png`) })),
      plates,
      'exrplate',
    );
    await importFolder(plates, '1001–1002 · 2 frames');
    await expect(page.getByTestId('clip').count()).resolves.toBe(4);
    // the plates' header sets nothing here (the project has shots), but the shot keeps their timecode
    await page.getByTestId('timecode').filter({ hasText: '01:00:41:17' }).waitFor({ timeout: 10_000 });
    await page.getByLabel('Steps', { exact: true }).fill(String(STEPS));
    await blur();
    await page.getByTestId('render-preview').click();
    await waitForPreview();
    await shot('14-exr-preview');

    const out = join(work, 'exr-renders');
    await page.getByRole('button', { name: 'Export', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Export re-aged frames' });
    for (const other of [/^akiyo/, /^broken/, /^tos/]) await dialog.getByRole('checkbox', { name: other }).uncheck();
    await dialog.getByLabel('Frames', { exact: true }).fill('1001');
    await dialog.getByLabel('Output folder', { exact: true }).fill(out);
    await dialog.getByLabel('Format', { exact: true }).selectOption('source');
    await dialog.getByRole('checkbox', { name: 'Face matte' }).check();
    await dialog.getByRole('checkbox', { name: 'Change (aged − plate)' }).check();
    await expect(dialog.getByTestId('export-example').textContent()).resolves.toBe(
      join(out, 'exrplate_reaged.1001.exr'),
    );
    await shot('15-exr-export-dialog');
    await dialog.getByRole('button', { name: 'Start export' }).click();
    const job = page.getByTestId('job').first();
    await page
      .locator('[data-testid="job"][data-status="completed"], [data-testid="job"][data-status="failed"]')
      .nth(3)
      .waitFor({ timeout: ENGINE_TIMEOUT });
    expect(await job.getAttribute('data-status'), (await job.textContent()) ?? '').toBe('completed');
    await expect(job.getByTestId('job-summary').textContent()).resolves.toMatch(/^1 done/);
    await shot('16-exr-exported');

    const name = 'exrplate_reaged.1001.exr';
    const aged = join(out, name);
    // the header as an independent reader (oiiotool) sees it: the plate's, but for the write time
    const header = async (f: string) =>
      (await oiioInfo(f))
        .split('\n')
        .slice(1)
        .filter((l) => !/DateTime/.test(l))
        .map((l) => l.replace(/^\S+\s+:/, ''))
        .join('\n');
    expect(await header(aged)).toBe(await header(plate!));
    expect(await oiioInfo(aged)).toMatch(/3 channel, half openexr/);
    const r = await compareAged(plate!, aged, join(out, 'matte', name), join(out, 'delta', name));
    expect(r.outside_changed).toBe(0);
    expect(r.inside_changed).toBeGreaterThan(1000);
    expect(r.delta_error).toBeLessThan(1e-6);
    // the trained model's change, in linear light, is a visible part of the plate's range
    if (expectedModel.trained) expect(r.delta_max).toBeGreaterThan(0.02);
  });

  it('ages the face a click on its box chooses, and another one too by shift-click (two faces on a plate)', async () => {
    requireEngine();
    expect(hasTwoFaceFootage(1001), 'Tears of Steel and Akiyo frame 1001').toBe(true);
    const plates = join(work, 'twoface');
    mkdirSync(plates);
    const plate = join(plates, 'twoface.1001.png');
    await writeTwoFacePlate(1001, plate);
    await importFolder(plates, '1001 · 1 frame');
    await page.getByLabel('Steps', { exact: true }).fill(String(STEPS));
    await blur();
    // rendered under the wipe (where the after image shows), chosen under A alone (the wipe's handle over neither box)
    const render = async () => {
      await page.getByRole('radio', { name: 'Wipe', exact: true }).click();
      await page.getByTestId('render-preview').click();
      await waitForPreview();
      await page.getByRole('radio', { name: 'A', exact: true }).click();
    };
    await render();
    const face = (id: number) => page.locator(`[data-testid="face-choice"][data-face-id="${id}"]`);
    await expect(page.getByTestId('face-choice').count()).resolves.toBe(2);
    // by default the largest face, the actor's (track 0), is the one aged
    await expect(face(0).locator('text').textContent()).resolves.toBe('0 · aged');
    await expect(face(1).locator('text').textContent()).resolves.toBe('1');
    await shot('17a-two-faces-default');

    // a click on the smaller face chooses it; its settings are a render of their own
    await face(1).locator('rect').click();
    await render();
    await expect(face(1).locator('text').textContent()).resolves.toBe('1 · aged');
    await expect(face(0).locator('text').textContent()).resolves.toBe('0');
    await shot('17b-second-face-chosen');

    const exportTo = async (out: string) => {
      await exportShot([/^akiyo/, /^broken/, /^tos/, /^exrplate/], out, /^1 done/);
      return join(out, 'twoface_reaged.1001.png');
    };
    /** Changed pixels inside the pasted face and outside it. */
    const changes = async (aged: string) => {
      const read = (f: string) => sharp(f).removeAlpha().raw().toBuffer({ resolveWithObject: true });
      const [a, b] = [await read(plate), await read(aged)];
      const { width, channels } = a.info;
      const { left, top, width: w, height: h } = PASTED_FACE;
      let inside = 0;
      let outside = 0;
      for (let p = 0; p < width * a.info.height; p++) {
        let same = true;
        for (let c = 0; c < channels; c++) same &&= a.data[p * channels + c] === b.data[p * channels + c];
        if (same) continue;
        const [x, y] = [p % width, Math.floor(p / width)];
        if (x >= left && x < left + w && y >= top && y < top + h) inside++;
        else outside++;
      }
      return { inside, outside };
    };
    const chosen = await changes(await exportTo(join(work, 'twoface-renders')));
    expect(chosen.inside, 'the chosen face was aged').toBeGreaterThan(500);
    expect(chosen.outside, "the actor's face was not").toBe(0);

    // shift-click: the actor is aged too, to a target of its own
    await face(0)
      .locator('rect')
      .click({ modifiers: ['Shift'] });
    const row = page.getByTestId('other-face');
    await expect(row.count()).resolves.toBe(1);
    await row.getByRole('combobox').selectOption('0-18');
    await render();
    await expect(face(0).locator('text').textContent()).resolves.toBe('0 · aged · 0-18');
    await expect(face(1).locator('text').textContent()).resolves.toBe('1 · aged');
    await expect(row.textContent()).resolves.toContain('Face 0');
    await shot('17c-both-faces-aged');
    await page.getByRole('radiogroup', { name: 'Compare' }).getByRole('radio', { name: 'B', exact: true }).click();
    await shot('17d-both-faces-aged-B');
    await page.getByRole('radio', { name: 'Wipe', exact: true }).click();
    const both = await changes(await exportTo(join(work, 'twoface-both')));
    expect(both.inside).toBeGreaterThan(500);
    expect(both.outside, "the actor's face aged too").toBeGreaterThan(500);
  });

  it('ages along two age keys: the exported frames read older from the first key to the second', async () => {
    requireEngine();
    // eight Tears of Steel frames, keyed 0-18 at the first and 60+ at the last
    const plates = join(work, 'keys');
    mkdirSync(plates);
    const frames = [1001, 1002, 1003, 1004, 1005, 1006, 1007, 1008];
    for (const f of frames) copyFileSync(join(TOS, `tos_0500.${f}.png`), join(plates, `keys.${f}.png`));
    await importFolder(plates, '1001–1008 · 8 frames');
    await page.getByLabel('Steps', { exact: true }).fill(String(STEPS));
    await blur();
    await page.getByRole('button', { name: 'Target age 0-18' }).click();
    await page.getByRole('button', { name: 'Add age key at playhead' }).click();
    await blur();
    await page.locator('body').press('End');
    await expect(page.getByTestId('frame-readout').textContent()).resolves.toContain('1008');
    await page.getByRole('button', { name: 'Target age 60+' }).click();
    await page.getByRole('button', { name: 'Add age key at playhead' }).click();
    await expect(page.getByTestId('age-key').count()).resolves.toBe(2);
    await expect(page.getByLabel('Age at key 1001').inputValue()).resolves.toBe('0-18');
    await expect(page.getByLabel('Age at key 1008').inputValue()).resolves.toBe('60+');
    await page.getByTestId('age-curve').waitFor();
    await shot('18-age-keys');

    const out = join(work, 'keys-renders');
    await exportShot([/^akiyo/, /^broken/, /^tos/, /^exrplate/, /^twoface/], out, /^8 done/, ENGINE_TIMEOUT * 2);

    // two independent estimators (not the pipeline's networks) read plate and output on
    // the plate's face box; a single frame's reading is noisy, so the keys' ends are
    // compared over three frames each
    const ages = await estimatedAges(
      frames.map((f) => ({ plate: join(plates, `keys.${f}.png`), output: join(out, `keys_reaged.${f}.png`) })),
    );
    const shifts = ages.map(
      ({ plate, output }) => AGE_RULERS.reduce((s, id) => s + output[id] - plate[id], 0) / AGE_RULERS.length,
    );
    console.log(`age shifts along the keys (mean of ${AGE_RULERS.join(', ')}): ${shifts.map((v) => v.toFixed(1))}`);
    const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
    const [young, old] = [mean(shifts.slice(0, 3)), mean(shifts.slice(-3))];
    // a shot aged to one age all along reads about the same at both ends
    expect(old - young, 'years between the 0-18 end and the 60+ end').toBeGreaterThan(5);
  });

  it('offers the untitled project back after a reload, its previews still on disk', async () => {
    requireEngine();
    const clips = await page.getByTestId('clip').count();
    expect(clips).toBeGreaterThan(1);
    // the autosave runs a few seconds after the last edit
    await page.waitForTimeout(6_000);
    const autosaves = readdirSync(join(work, 'data', 'autosave')).filter((n) => n.endsWith('.reage'));
    expect(autosaves).toHaveLength(1);
    // the project was never saved: the browser asks before the page is left, and the test agrees
    page.once('dialog', (dialog) => void dialog.accept());
    await page.reload();
    await waitForEngine(page);
    await expect(page.getByTestId('clip').count()).resolves.toBe(0);
    const reopen = page.getByRole('button', { name: 'Reopen it' });
    await reopen.waitFor({ timeout: 10_000 });
    await shot('18a-reopen-offer');
    await reopen.click();
    await expect.poll(() => page.getByTestId('clip').count(), { timeout: 10_000 }).toBe(clips);
    // the first shot (akiyo, pixel-wise, 60+) shows the preview rendered before the reload, from disk
    await expect(page.getByLabel('Target age of akiyo').inputValue()).resolves.toBe('60+');
    await page.getByRole('img', { name: 'After (re-aged preview)' }).waitFor({ timeout: 10_000 });
    expect((await previewDifference()).changed).toBeGreaterThan(0);
    await shot('18b-reopened');
  });

  it('QC on the real preview: the difference view, frame pixels as blocks when zoomed, the arrows after a click', async () => {
    requireEngine();
    // the reopened akiyo shot at 1001, its real preview on screen
    await page.getByRole('img', { name: 'After (re-aged preview)' }).waitFor({ timeout: 10_000 });
    await blur();
    await page.keyboard.press('d');
    await page.locator('[data-testid="difference-layer"][data-ready="true"]').waitFor();
    await expect(page.locator('.viewer-tag').allTextContents()).resolves.toEqual(['|B−A| × 4']);
    // |B−A| is black where the engine left the plate and lit on the face it aged
    const lit = await page.getByTestId('difference-layer').evaluate((canvas: HTMLCanvasElement) => {
      const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
      let inside = 0;
      let border = 0;
      for (let y = 0; y < canvas.height; y++)
        for (let x = 0; x < canvas.width; x++) {
          const i = (y * canvas.width + x) * 4;
          const on = data[i]! + data[i + 1]! + data[i + 2]! > 0;
          if (x < 20 || y < 20 || x >= canvas.width - 20 || y >= canvas.height - 20) border += on ? 1 : 0;
          else inside += on ? 1 : 0;
        }
      return { inside, border };
    });
    expect(lit.border).toBe(0);
    expect(lit.inside).toBeGreaterThan(500);
    await shot('19a-difference');

    // zoomed far onto the face: nearest-neighbour blocks, not smoothing
    await page.keyboard.press('w');
    await page.keyboard.press('1');
    const stage = page.getByTestId('viewer-stage').first();
    const box = (await stage.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height * 0.4);
    for (let i = 0; i < 9; i++) await page.mouse.wheel(0, -150);
    await expect(stage.getAttribute('data-pixelated')).resolves.toBe('true');
    await expect(page.locator('img.layer.after').evaluate((img) => getComputedStyle(img).imageRendering)).resolves.toBe(
      'pixelated',
    );
    await shot('19b-zoomed-blocks');

    // a button click leaves the arrow keys to the frames
    await page.getByRole('button', { name: 'Fit', exact: true }).click();
    await page.keyboard.press('ArrowRight');
    await expect(page.getByTestId('frame-readout').textContent()).resolves.toContain('1002');
    await page.getByRole('radio', { name: 'Diff' }).click();
    await page.keyboard.press('ArrowLeft');
    await expect(page.getByTestId('frame-readout').textContent()).resolves.toContain('1001');
    await page.keyboard.press('w');
    await shot('19c-keyboard-after-click');
  });
});
