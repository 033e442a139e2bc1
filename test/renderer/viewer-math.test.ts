// The viewer's arithmetic: geometry, the wipe handle kept on screen, the difference picture, the look.
import { describe, expect, it } from 'vitest';
import { ageKeyAt } from '../../src/renderer/lib/timeline.js';
import {
  differencePixels,
  fitZoom,
  frameGeometry,
  framePixelAt,
  lookMatrix,
  panKeeping,
  rgbAt,
  wipeAt,
  wipeHandle,
} from '../../src/renderer/lib/viewer-math.js';

const frame = { width: 352, height: 288 };
const pane = { width: 800, height: 600 };

describe('geometry', () => {
  it('fits, centres and finds the frame pixel under a point', () => {
    const zoom = fitZoom(frame, pane);
    expect(zoom).toBeCloseTo((600 / 288) * 0.94);
    const g = frameGeometry(frame, pane, 2, { x: 0, y: 0 });
    expect(g).toEqual({ zoom: 2, left: 400 - 352, top: 300 - 288 });
    expect(framePixelAt(g, frame, g.left, g.top)).toEqual({ x: 0, y: 0 });
    expect(framePixelAt(g, frame, g.left + 2 * 100 + 1.9, g.top + 2 * 50)).toEqual({ x: 100, y: 50 });
    expect(framePixelAt(g, frame, g.left - 1, g.top)).toBeNull();
    expect(framePixelAt(g, frame, g.left + 2 * 352, g.top)).toBeNull();
  });

  it('zooms about a point: the frame point under it stays there', () => {
    const g = frameGeometry(frame, pane, 1, { x: 0, y: 0 });
    const screen = { x: 300, y: 200 };
    const at = { u: (screen.x - g.left) / g.zoom, v: (screen.y - g.top) / g.zoom };
    const pan = panKeeping(frame, pane, 8, at, screen);
    const z = frameGeometry(frame, pane, 8, pan);
    expect(z.left + at.u * 8).toBeCloseTo(screen.x);
    expect(z.top + at.v * 8).toBeCloseTo(screen.y);
  });
});

describe('the wipe handle', () => {
  it('is drawn where the divider is while that is in view', () => {
    const g = frameGeometry(frame, pane, 2, { x: 0, y: 0 });
    const h = wipeHandle(0.5, 'vertical', g, frame, pane);
    expect(h).toMatchObject({ axis: 'vertical', at: 400, from: 12, to: 588, clamped: false });
    expect(h.grip).toBe(300);
    const v = wipeHandle(0.25, 'horizontal', g, frame, pane);
    expect(v).toMatchObject({ at: 12 + 0.25 * 576, from: 48, to: 752, clamped: false });
  });

  it('stays on screen, inside the margin, when zoomed onto a corner far from it', () => {
    // 16x on the frame's top-left corner: the middle of the frame is thousands of pixels to the right
    const g = { zoom: 16, left: -100, top: -50 };
    const h = wipeHandle(0.5, 'vertical', g, frame, pane);
    expect(h.clamped).toBe(true);
    expect(h.at).toBe(pane.width - 12);
    expect(h.from).toBe(0);
    expect(h.to).toBe(pane.height);
    expect(h.grip).toBe(300);
    // zoomed on the bottom-right corner: the divider is off to the left
    const br = { zoom: 16, left: 800 - 352 * 16 + 100, top: 600 - 288 * 16 + 50 };
    const left = wipeHandle(0.5, 'vertical', br, frame, pane);
    expect(left.at).toBe(12);
    expect(left.clamped).toBe(true);
    // horizontal: the divider below the view
    const down = wipeHandle(0.9, 'horizontal', g, frame, pane);
    expect(down.at).toBe(pane.height - 12);
    expect(down.clamped).toBe(true);
  });

  it('keeps inside the part of the frame in view, and inside the pane when the frame is off screen', () => {
    // the frame's right edge at x=200, its top 100 px above the pane: the line covers the part in view
    const g = { zoom: 1, left: 200 - 352, top: -100 };
    expect(wipeHandle(0.99, 'vertical', g, frame, pane)).toMatchObject({ from: 0, to: 188, clamped: false });
    expect(wipeHandle(0.01, 'vertical', g, frame, pane)).toMatchObject({ at: 12, clamped: true });
    const away = { zoom: 1, left: 2000, top: 2000 };
    const h = wipeHandle(0.5, 'vertical', away, frame, pane);
    expect(h.at).toBe(pane.width - 12);
    expect(h.grip).toBe(pane.height - 12);
  });

  it('turns a pointer into a wipe position along its axis', () => {
    const g = frameGeometry(frame, pane, 2, { x: 0, y: 0 });
    expect(wipeAt('vertical', g, frame, 400, 0)).toBeCloseTo(0.5);
    expect(wipeAt('horizontal', g, frame, 0, 12 + 144)).toBeCloseTo(0.25);
    expect(wipeAt('vertical', g, frame, -50, 0)).toBe(0);
    expect(wipeAt('vertical', g, frame, 5000, 0)).toBe(1);
  });
});

describe('the difference picture', () => {
  it('is |B−A| per channel times the gain, clamped, opaque', () => {
    const a = new Uint8ClampedArray([10, 200, 50, 255, 0, 0, 0, 255]);
    const b = new Uint8ClampedArray([12, 190, 50, 128, 255, 1, 0, 255]);
    expect([...differencePixels(a, b, 4)]).toEqual([8, 40, 0, 255, 255, 4, 0, 255]);
    expect([...differencePixels(a, b, 1)]).toEqual([2, 10, 0, 255, 255, 1, 0, 255]);
    expect(() => differencePixels(a, b.subarray(0, 4), 1)).toThrow(/size/);
    expect(rgbAt(b, 2, 1, 0)).toEqual([255, 1, 0]);
  });
});

describe('the display look', () => {
  it('scales light by 2^stops and shows one channel or luma as grey', () => {
    expect(lookMatrix('rgb', 0)).toEqual([1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0]);
    expect(lookMatrix('rgb', 1).slice(0, 5)).toEqual([2, 0, 0, 0, 0]);
    expect(lookMatrix('g', -1).slice(0, 15)).toEqual([0, 0.5, 0, 0, 0, 0, 0.5, 0, 0, 0, 0, 0.5, 0, 0, 0]);
    const luma = lookMatrix('luma', 0);
    expect(luma[0]! + luma[1]! + luma[2]!).toBeCloseTo(1);
    expect(luma.slice(15)).toEqual([0, 0, 0, 1, 0]);
  });
});

describe('ageKeyAt', () => {
  it('inverts the age curve: frame from across, category from up, both held to the shot', () => {
    // frames 1001-1004 (length 4), six categories
    expect(ageKeyAt(0.125, 0.9, 1001, 4, 6)).toEqual({ frame: 1001, ageIndex: 0 });
    expect(ageKeyAt(0.625, 0.1, 1001, 4, 6)).toEqual({ frame: 1003, ageIndex: 5 });
    expect(ageKeyAt(-1, 2, 1001, 4, 6)).toEqual({ frame: 1001, ageIndex: 0 });
    expect(ageKeyAt(5, -1, 1001, 4, 6)).toEqual({ frame: 1004, ageIndex: 5 });
    expect(ageKeyAt(0.5, 0.5, 1001, 4, 6).ageIndex).toBe(3);
  });
});
