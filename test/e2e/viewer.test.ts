// End to end, the viewer for QC: the browser host in headless Chromium, with a fake
// engine worker (fake-engine-worker.ts) that answers previews at once with a known
// change (+40 inside FACE_BOX), so this runs in seconds and every value can be checked.
// Covers nearest-neighbour pixels above 100%, the wipe handle kept on screen when
// zoomed onto a corner, vertical / horizontal wipes, the difference and side-by-side
// views and their labels, the pixel readout, exposure and channel views, the keyboard
// after button clicks, J/K/L, Home/End and the `?` overlay.
// Screenshots go to test-artifacts/e2e/viewer-*.png (gitignored).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StudioHost } from './studio-host.js';
import { SHORTCUTS } from '../../src/renderer/lib/shortcuts.js';
import { FACE_BOX, FACE_CHANGE } from './fake-face.js';

const ROOT = resolve(import.meta.dirname, '../..');
const FOOTAGE = resolve(ROOT, '../shared/footage/akiyo');
const ARTIFACTS = join(ROOT, 'test-artifacts/e2e');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const WORKER = join(ROOT, 'test/e2e/fake-engine-worker.ts');

let browser: BrowserContext | undefined;
let page: Page;
let work: string;
const studioHost = new StudioHost();

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `viewer-${name}.png`), animations: 'disabled' });
}

const frameReadout = async () => (await page.locator('.readout-frame').textContent()) ?? '';
const tags = () => page.locator('.viewer-tag').allTextContents();

/** Wheel over a pane point `times` times (negative deltaY zooms in). */
async function wheelAt(x: number, y: number, deltaY: number, times: number): Promise<void> {
  await page.mouse.move(x, y);
  for (let i = 0; i < times; i++) await page.mouse.wheel(0, deltaY);
}

/** The screen box of the frame in the (first) pane: the stage's bounding box. */
async function stageBox() {
  return (await page.getByTestId('viewer-stage').first().boundingBox())!;
}

beforeAll(async () => {
  expect(existsSync(FOOTAGE), `footage missing at ${FOOTAGE}`).toBe(true);
  expect(existsSync(CHROMIUM), `Chromium missing at ${CHROMIUM} (apt-get install chromium)`).toBe(true);
  mkdirSync(ARTIFACTS, { recursive: true });
  for (const f of readdirSync(ARTIFACTS)) if (f.startsWith('viewer-')) rmSync(join(ARTIFACTS, f));
  work = mkdtempSync(join(tmpdir(), 'reage-viewer-e2e-'));
  const build = spawnSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--logLevel', 'warn'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  expect(build.status, build.stderr).toBe(0);
  const url = await studioHost.start([FOOTAGE], { REAGE_DATA_DIR: join(work, 'data'), REAGE_WORKER: WORKER });
  ({ browser, page } = await studioHost.openStudio(url, work, CHROMIUM));
});

afterAll(async () => {
  await browser?.close();
  studioHost.stop();
  if (work) rmSync(work, { recursive: true, force: true });
  if (studioHost.log) console.log(studioHost.log.slice(-4000));
});

describe('the viewer for QC', () => {
  it('imports akiyo and renders a preview with the fake engine', async () => {
    await page.locator('[data-testid="engine-status"][data-state="ready"]').waitFor({ timeout: 60_000 });
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Import frames' });
    await dialog.getByLabel('Folder path').fill(FOOTAGE);
    await dialog.getByRole('button', { name: 'Scan' }).click();
    await dialog.getByText('1001–1060 · 60 frames').waitFor();
    await dialog.getByRole('button', { name: 'Import 1 shot' }).click();
    await page.getByRole('img', { name: 'Before (plate)' }).waitFor();
    await page.getByTestId('render-preview').click();
    await page.getByRole('img', { name: 'After (re-aged preview)' }).waitFor({ timeout: 30_000 });
    expect(await tags()).toEqual(['A · plate', expect.stringMatching(/^B · 60\+ · pixel-wise · /)]);
    await shot('01-wipe');
  });

  it('draws frame pixels as blocks above 100%, smoothly below', async () => {
    const stage = page.getByTestId('viewer-stage');
    await page.keyboard.press('1');
    await expect(stage.getAttribute('data-pixelated')).resolves.toBe('false'); // 100%: nothing to interpolate
    let box = await stageBox();
    await wheelAt(box.x + box.width / 2, box.y + box.height / 2, 150, 3); // below 100%: smooth
    await expect(page.getByTestId('zoom').textContent()).resolves.toMatch(/^[1-9]\d%$/);
    await expect(stage.getAttribute('data-pixelated')).resolves.toBe('false');
    await expect(
      page.locator('img.layer.before').evaluate((img) => getComputedStyle(img).imageRendering),
    ).resolves.toBe('auto');
    await page.keyboard.press('1');
    box = await stageBox();
    // zoom in about the face, to about 800%
    const face = {
      x: box.x + (FACE_BOX.x + 30) * (box.width / 352),
      y: box.y + (FACE_BOX.y + 30) * (box.height / 288),
    };
    await wheelAt(face.x, face.y, -150, 9);
    const zoom = Number((await page.getByTestId('zoom').textContent())!.replace('%', '')) / 100;
    expect(zoom).toBeGreaterThan(6);
    await expect(stage.getAttribute('data-pixelated')).resolves.toBe('true');
    await expect(
      page.locator('img.layer.before').evaluate((img) => getComputedStyle(img).imageRendering),
    ).resolves.toBe('pixelated');
    // on screen: nearest neighbour repeats each frame pixel over ~zoom screen pixels, so few
    // neighbouring screen pixels differ; smoothing would make nearly all of them differ
    const png = await page.screenshot({
      clip: { x: face.x - 100, y: face.y - 100, width: 200, height: 200 },
      animations: 'disabled',
    });
    const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    let changes = 0;
    let pairs = 0;
    for (let y = 0; y < info.height; y++)
      for (let x = 1; x < info.width; x++) {
        const i = (y * info.width + x) * 3;
        pairs++;
        if (data[i] !== data[i - 3] || data[i + 1] !== data[i - 2] || data[i + 2] !== data[i - 1]) changes++;
      }
    expect(changes / pairs).toBeLessThan(2 / zoom);
    await page.mouse.move(face.x, face.y);
    await shot('02-zoomed-pixelated');
  });

  it('keeps the wipe handle on screen and grabbable when zoomed onto a corner', async () => {
    await page.keyboard.press('f');
    const area = (await page.getByTestId('viewer').boundingBox())!;
    let box = await stageBox();
    // zoom far in on the frame's top-left corner: the divider (at the middle) leaves the view
    await wheelAt(box.x + 8, box.y + 8, -200, 12);
    box = await stageBox();
    expect(box.width).toBeGreaterThan(area.width * 3);
    const handle = page.getByTestId('wipe-handle');
    await expect(handle.getAttribute('data-clamped')).resolves.toBe('true');
    const h = (await handle.boundingBox())!;
    expect(h.x).toBeGreaterThanOrEqual(area.x);
    expect(h.x + h.width).toBeLessThanOrEqual(area.x + area.width);
    expect(h.y).toBeGreaterThanOrEqual(area.y - 1);
    expect(h.y + h.height).toBeLessThanOrEqual(area.y + area.height + 1);
    await shot('03-wipe-clamped-at-corner');
    // grab it where it is drawn and bring the divider into the view
    const grip = (await page.locator('.wipe-grip').boundingBox())!;
    await page.mouse.move(grip.x + grip.width / 2, grip.y + grip.height / 2);
    await page.mouse.down();
    await page.mouse.move(area.x + area.width * 0.5, grip.y + grip.height / 2, { steps: 6 });
    await page.mouse.up();
    await expect(handle.getAttribute('data-clamped')).resolves.toBe('false');
    const moved = (await handle.boundingBox())!;
    expect(Math.abs(moved.x + moved.width / 2 - (area.x + area.width * 0.5))).toBeLessThan(3);
    expect(Number(await page.getByTestId('viewer').getAttribute('data-wipe'))).toBeLessThan(0.2);
    await shot('04-wipe-grabbed-into-view');
  });

  it('wipes horizontally too: A above, B below', async () => {
    await page.keyboard.press('f');
    await page.keyboard.press('Shift+W');
    const handle = page.getByTestId('wipe-handle');
    await expect(handle.getAttribute('data-axis')).resolves.toBe('horizontal');
    const area = (await page.getByTestId('viewer').boundingBox())!;
    const h = (await handle.boundingBox())!;
    await page.mouse.move(h.x + h.width / 2, h.y + h.height / 2);
    await page.mouse.down();
    await page.mouse.move(h.x + h.width / 2, area.y + area.height * 0.4, { steps: 6 });
    await page.mouse.up();
    expect(await tags()).toEqual(['A · plate', expect.stringMatching(/^B · /)]);
    await shot('05-wipe-horizontal');
    await page.getByRole('radio', { name: '│' }).click();
    await expect(handle.getAttribute('data-axis')).resolves.toBe('vertical');
  });

  it('shows the amplified difference |B−A|, labelled with its gain', async () => {
    await page.keyboard.press('d');
    const layer = page.getByTestId('difference-layer');
    await page.locator('[data-testid="difference-layer"][data-ready="true"]').waitFor();
    expect(await tags()).toEqual(['|B−A| × 4']);
    const sample = (gain: number) =>
      layer.evaluate(
        (canvas: HTMLCanvasElement, { box }) => {
          const ctx = canvas.getContext('2d')!;
          const inside = ctx.getImageData(box.x + 5, box.y + 5, 1, 1).data;
          const outside = ctx.getImageData(10, 10, 1, 1).data;
          return { inside: [...inside], outside: [...outside], width: canvas.width };
        },
        { box: FACE_BOX, gain },
      );
    let s = await sample(4);
    expect(s.width).toBe(352);
    expect(s.outside).toEqual([0, 0, 0, 255]);
    // +40 inside the box (where the plate is not already near white) times 4, clamped
    expect(s.inside.slice(0, 3).every((v) => v >= Math.min(255, FACE_CHANGE * 4) - 8)).toBe(true);
    await shot('06-difference-x4');
    await page.keyboard.press('Shift+G');
    await page.keyboard.press('Shift+G');
    expect(await tags()).toEqual(['|B−A| × 1']);
    s = await sample(1);
    expect(s.inside.slice(0, 3).every((v) => v <= FACE_CHANGE)).toBe(true);
    await page.keyboard.press('g');
    await page.keyboard.press('g');
    await expect(page.getByTestId('difference-gain').textContent()).resolves.toBe('×4');
  });

  it('shows A and B side by side under one zoom, each labelled', async () => {
    await page.keyboard.press('s');
    await expect(page.getByTestId('viewer-pane').count()).resolves.toBe(2);
    expect(await tags()).toEqual(['A · plate', expect.stringMatching(/^B · 60\+ · pixel-wise/)]);
    const [a, b] = await page.getByTestId('viewer-stage').evaluateAll((els) =>
      els.map((e) => {
        const r = e.getBoundingClientRect();
        return { x: r.x, y: r.y, width: r.width };
      }),
    );
    expect(b!.width).toBeCloseTo(a!.width, 0);
    expect(b!.y).toBeCloseTo(a!.y, 0);
    expect(b!.x).toBeGreaterThan(a!.x + a!.width);
    await shot('07-side-by-side');
    // B alone is labelled B, not "A · plate"
    await page.keyboard.press('b');
    const only = await tags();
    expect(only).toHaveLength(1);
    expect(only[0]).toMatch(/^B · 60\+ · /);
    await shot('08-b-only');
  });

  it('shows the matte as its own view and tinted over the picture', async () => {
    await page.keyboard.press('m');
    expect(await tags()).toEqual(["Matte · where B's change applies"]);
    const matte = page.getByRole('img', { name: 'Matte of the change' });
    await matte.waitFor();
    const sample = await matte.evaluate((img: HTMLImageElement, box) => {
      const c = document.createElement('canvas');
      c.width = img.naturalWidth;
      c.height = img.naturalHeight;
      const ctx = c.getContext('2d')!;
      ctx.drawImage(img, 0, 0);
      return {
        inside: ctx.getImageData(box.x + 5, box.y + 5, 1, 1).data[0],
        outside: ctx.getImageData(5, 5, 1, 1).data[0],
      };
    }, FACE_BOX);
    expect(sample).toEqual({ inside: 255, outside: 0 });
    await shot('08a-matte-view');
    await page.keyboard.press('b');
    await expect(page.getByTestId('matte-overlay').count()).resolves.toBe(0);
    await page.getByRole('checkbox', { name: 'Mask' }).check();
    await page.getByTestId('matte-overlay').waitFor();
    await shot('08b-matte-overlay');
    await page.getByRole('checkbox', { name: 'Mask' }).uncheck();
  });

  it('reads out the frame pixel under the cursor and A and B there', async () => {
    await page.keyboard.press('w');
    await page.keyboard.press('1');
    const box = await stageBox();
    const at = { x: FACE_BOX.x + 10, y: FACE_BOX.y + 10 };
    await page.mouse.move(box.x + at.x + 0.5, box.y + at.y + 0.5);
    const readout = page.getByTestId('pixel-readout');
    await expect(readout.locator('span').first().textContent()).resolves.toBe(`x ${at.x} y ${at.y}`);
    const plate = await sharp(join(FOOTAGE, 'akiyo.1001.png'))
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    const i = (at.y * plate.info.width + at.x) * 3;
    const a = [...plate.data.subarray(i, i + 3)];
    const values = async (id: string) => {
      await page.waitForFunction(
        (sel) => !document.querySelector(sel)?.textContent?.includes('–'),
        `[data-testid="${id}"]`,
      );
      return ((await page.getByTestId(id).textContent()) ?? '')
        .replace(/^[AB]\s*/, '')
        .trim()
        .split(/\s+/)
        .map(Number);
    };
    expect(await values('readout-a')).toEqual(a);
    expect(await values('readout-b')).toEqual(a.map((v) => Math.min(255, v + FACE_CHANGE)));
    await shot('09-pixel-readout');
  });

  it('changes exposure and channels on the display only, and says so', async () => {
    await page.keyboard.press('f');
    await page.keyboard.press('e');
    await page.keyboard.press('e');
    await page.keyboard.press('c'); // red
    await expect(page.getByTestId('viewer-look').textContent()).resolves.toBe('Display only: +1.0 stops · red channel');
    await expect(page.locator('img.layer.before').evaluate((img) => getComputedStyle(img).filter)).resolves.toContain(
      'viewer-look',
    );
    await shot('10-exposure-red');
    await page.keyboard.press('c'); // green
    await page.keyboard.press('c'); // blue
    await page.keyboard.press('c'); // luma
    await page.keyboard.press('Shift+E');
    await page.keyboard.press('Shift+E');
    await page.keyboard.press('Shift+E');
    await expect(page.getByTestId('viewer-look').textContent()).resolves.toBe(
      'Display only: −0.5 stops · luma channel',
    );
    await shot('11-exposure-luma');
    await page.keyboard.press('0');
    await page.keyboard.press('Shift+C');
    await expect(page.getByTestId('viewer-look').count()).resolves.toBe(0);
  });

  it('keeps the arrow keys stepping frames after a button is clicked', async () => {
    await expect(frameReadout()).resolves.toContain('1001');
    await page.getByRole('radio', { name: 'Diff' }).click();
    await page.keyboard.press('ArrowRight');
    await expect(frameReadout()).resolves.toContain('1002');
    await page.getByRole('button', { name: 'Fit', exact: true }).click();
    await page.keyboard.press('ArrowRight');
    await expect(frameReadout()).resolves.toContain('1003');
    await page.getByRole('button', { name: 'Next frame' }).click(); // 1004
    await page.keyboard.press('ArrowRight');
    await expect(frameReadout()).resolves.toContain('1005');
    await page.getByLabel('Face').check();
    await page.keyboard.press('ArrowLeft');
    await expect(frameReadout()).resolves.toContain('1004');
    await page.getByLabel('Face').uncheck();
    // a text field keeps its arrows
    await page.getByLabel('Steps', { exact: true }).focus();
    await page.keyboard.press('ArrowRight');
    await expect(frameReadout()).resolves.toContain('1004');
    // a click on the picture gives the keyboard back to the shortcuts
    const area = (await page.getByTestId('viewer').boundingBox())!;
    await page.mouse.click(area.x + 20, area.y + area.height - 20);
    await page.keyboard.press('ArrowRight');
    await expect(frameReadout()).resolves.toContain('1005');
    await page.keyboard.press('a');
  });

  it('plays with J / K / L and goes to the shot’s first and last frames with Home / End', async () => {
    await page.keyboard.press('End');
    await expect(frameReadout()).resolves.toContain('1060');
    await page.keyboard.press('Home');
    await expect(frameReadout()).resolves.toContain('1001');
    await page.keyboard.press('l');
    await page.waitForFunction(() => document.querySelector('.readout-frame')!.textContent !== '1001');
    await page.keyboard.press('k');
    const stopped = await frameReadout();
    await page.waitForTimeout(300);
    await expect(frameReadout()).resolves.toBe(stopped);
    await page.keyboard.press('End');
    await page.keyboard.press('j');
    await page.waitForFunction(() => document.querySelector('.readout-frame')!.textContent !== '1060');
    await page.keyboard.press('k');
    const back = Number(await frameReadout());
    expect(back).toBeLessThan(1060);
    await page.keyboard.press('Home');
  });

  it('lists every shortcut in the ? overlay', async () => {
    await page.keyboard.press('?');
    const overlay = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await overlay.waitFor();
    await expect(overlay.getByTestId('shortcut').count()).resolves.toBe(SHORTCUTS.length);
    await shot('12-shortcuts');
    // the shortcuts still work beneath it, and Esc closes it
    await page.keyboard.press('ArrowRight');
    await expect(frameReadout()).resolves.toContain('1002');
    await page.keyboard.press('Escape');
    await expect(overlay.count()).resolves.toBe(0);
  });
});
