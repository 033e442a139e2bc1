/**
 * The viewer's arithmetic, kept pure so it can be tested without a DOM: where
 * the frame sits on screen, which frame pixel is under the cursor, where the
 * wipe handle is drawn, the difference picture and the display look's colour
 * matrix. Screen coordinates are CSS pixels relative to one viewer pane.
 */
import type { ChannelView, WipeAxis } from '../state/playback-slice.js';

export interface Size {
  width: number;
  height: number;
}

export interface Geometry {
  /** screen pixels per frame pixel */
  zoom: number;
  /** the frame's top-left corner in the pane */
  left: number;
  top: number;
}

/** The frame fitted into the pane with a small margin. */
export function fitZoom(frame: Size, pane: Size): number {
  if (frame.width <= 0 || frame.height <= 0 || pane.width <= 0 || pane.height <= 0) return 1;
  return Math.min(pane.width / frame.width, pane.height / frame.height) * 0.94;
}

/** The frame centred in the pane, moved by `pan`. */
export function frameGeometry(frame: Size, pane: Size, zoom: number, pan: { x: number; y: number }): Geometry {
  return {
    zoom,
    left: pane.width / 2 + pan.x - (frame.width * zoom) / 2,
    top: pane.height / 2 + pan.y - (frame.height * zoom) / 2,
  };
}

/** The pan that puts frame point (u, v) at pane point (x, y) under `zoom`: zooming about the cursor. */
export function panKeeping(
  frame: Size,
  pane: Size,
  zoom: number,
  frameAt: { u: number; v: number },
  screenAt: { x: number; y: number },
): { x: number; y: number } {
  const left = screenAt.x - frameAt.u * zoom;
  const top = screenAt.y - frameAt.v * zoom;
  return { x: left - pane.width / 2 + (frame.width * zoom) / 2, y: top - pane.height / 2 + (frame.height * zoom) / 2 };
}

/** The frame pixel (integer column and row) at a pane point, or null off the frame. */
export function framePixelAt(geometry: Geometry, frame: Size, x: number, y: number): { x: number; y: number } | null {
  const u = Math.floor((x - geometry.left) / geometry.zoom);
  const v = Math.floor((y - geometry.top) / geometry.zoom);
  return u >= 0 && v >= 0 && u < frame.width && v < frame.height ? { x: u, y: v } : null;
}

export interface WipeHandle {
  axis: WipeAxis;
  /** the divider's position on screen along its axis' cross direction: x for vertical, y for horizontal */
  at: number;
  /** the line's extent along the divider, on screen: the part of the frame that is in view */
  from: number;
  to: number;
  /** where the grip sits along the line: the middle of the part in view */
  grip: number;
  /** the handle was moved into view: the divider itself is off screen */
  clamped: boolean;
}

/**
 * Where to draw the wipe handle so it is always on screen and can be grabbed, at any
 * zoom: the divider's true place, clamped into the part of the frame that is in view,
 * `margin` pixels inside the pane's edges (room for the grip).
 */
export function wipeHandle(
  wipe: number,
  axis: WipeAxis,
  geometry: Geometry,
  frame: Size,
  pane: Size,
  margin = 12,
): WipeHandle {
  const vertical = axis === 'vertical';
  const start = vertical ? geometry.left : geometry.top;
  const length = (vertical ? frame.width : frame.height) * geometry.zoom;
  const across = vertical ? pane.width : pane.height;
  const crossStart = vertical ? geometry.top : geometry.left;
  const crossLength = (vertical ? frame.height : frame.width) * geometry.zoom;
  const crossPane = vertical ? pane.height : pane.width;
  const clamp = (value: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, value));
  const actual = start + wipe * length;
  // into the visible part of the frame along the wipe's direction, `margin` inside the pane
  // (and into the pane alone when no part of the frame is in view)
  const lo = Math.max(start, margin);
  const hi = Math.min(start + length, across - margin);
  const at = clamp(lo <= hi ? clamp(actual, lo, hi) : actual, margin, Math.max(margin, across - margin));
  const from = clamp(crossStart, 0, crossPane);
  const to = clamp(crossStart + crossLength, from, crossPane);
  const grip = clamp((from + to) / 2, margin, Math.max(margin, crossPane - margin));
  return { axis, at, from, to, grip, clamped: Math.abs(at - actual) > 0.5 };
}

/** The wipe position (0…1 across the frame) for a pointer at pane point (x, y). */
export function wipeAt(axis: WipeAxis, geometry: Geometry, frame: Size, x: number, y: number): number {
  const t =
    axis === 'vertical'
      ? (x - geometry.left) / (frame.width * geometry.zoom)
      : (y - geometry.top) / (frame.height * geometry.zoom);
  return Math.min(1, Math.max(0, t));
}

/**
 * |B−A| per channel, multiplied by `gain` and clamped to 0…255, opaque: the
 * difference view. `a` and `b` are RGBA pixel arrays of the same size.
 */
export function differencePixels(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  gain: number,
  out: Uint8ClampedArray = new Uint8ClampedArray(a.length),
): Uint8ClampedArray {
  if (a.length !== b.length || out.length !== a.length) throw new Error('the two pictures differ in size');
  for (let i = 0; i < a.length; i += 4) {
    out[i] = Math.abs(b[i]! - a[i]!) * gain;
    out[i + 1] = Math.abs(b[i + 1]! - a[i + 1]!) * gain;
    out[i + 2] = Math.abs(b[i + 2]! - a[i + 2]!) * gain;
    out[i + 3] = 255;
  }
  return out;
}

/** The RGB values (0–255) of an RGBA array's pixel (x, y). */
export function rgbAt(data: ArrayLike<number>, width: number, x: number, y: number): [number, number, number] {
  const i = (y * width + x) * 4;
  return [data[i]!, data[i + 1]!, data[i + 2]!];
}

/** Rec. 709 luma weights (on linear light, where the look is applied). */
const LUMA = [0.2126, 0.7152, 0.0722] as const;

/**
 * The display look as an SVG feColorMatrix (20 values, rows R G B A): the channel
 * view (one channel or luma as grey) times the exposure gain 2^stops. The filter
 * runs in linearRGB, so the gain is a true change of exposure in f-stops.
 */
export function lookMatrix(channel: ChannelView, exposure: number): number[] {
  const k = 2 ** exposure;
  const weights: readonly [number, number, number] | null =
    channel === 'r'
      ? [1, 0, 0]
      : channel === 'g'
        ? [0, 1, 0]
        : channel === 'b'
          ? [0, 0, 1]
          : channel === 'luma'
            ? LUMA
            : null;
  const row = (i: number) => {
    const w = weights ?? [i === 0 ? 1 : 0, i === 1 ? 1 : 0, i === 2 ? 1 : 0];
    return [w[0] * k, w[1] * k, w[2] * k, 0, 0];
  };
  return [...row(0), ...row(1), ...row(2), 0, 0, 0, 1, 0];
}

/** The look is the identity (nothing to apply): RGB at 0 stops. */
export const isNeutralLook = (channel: ChannelView, exposure: number): boolean => channel === 'rgb' && exposure === 0;
