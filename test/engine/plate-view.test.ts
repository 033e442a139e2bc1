/**
 * The engine's view of a plate and the change put back (plate-view.ts), and float
 * plates' rounding to their channel types (float-plate.ts): pure code, no files.
 */
import { describe, expect, it } from 'vitest';
import {
  colourChannels,
  floatPlateToRaw,
  quantiserFor,
  roundToHalf,
  type FloatPlate,
} from '../../src/main/engine/float-plate.js';
import {
  IDENTITY_TRANSFORM,
  plateView,
  viewChangeToSamples,
  type DisplayTransform,
} from '../../src/main/engine/plate-view.js';
import type { RawImage } from '../../src/main/engine/types.js';

/** A 4x3 float plate R, G, B, A, Z with HDR and negative values. */
function plate(channelTypes = ['half', 'half', 'half', 'half', 'float']): FloatPlate {
  const width = 4;
  const height = 3;
  const data = new Float32Array(width * height * 5);
  for (let p = 0; p < width * height; p++) {
    data.set(
      [roundToHalf(p / 4 - 0.5), roundToHalf(p / 11), roundToHalf(2 - p / 3), roundToHalf(p / 12), 100 + p],
      p * 5,
    );
  }
  return {
    width,
    height,
    channelNames: ['R', 'G', 'B', 'A', 'Z'],
    channelTypes,
    data,
    rgb: [0, 1, 2],
    alpha: 3,
    dataWindow: { x: 0, y: 0, width, height },
    displayWindow: { x: 0, y: 0, width, height },
    attributes: {},
    attributeTypes: {},
    format: 'exr',
    compression: 'zip',
  };
}

/** A display transform that is not the identity: square roots to display, squares back (negatives mirrored). */
const GAMMA2: DisplayTransform = {
  identity: false,
  toDisplay: async (rgb) => rgb.map((v) => Math.sign(v) * Math.sqrt(Math.abs(v))),
  fromDisplay: async (rgb) => rgb.map((v) => Math.sign(v) * v * v),
};

describe('roundToHalf', () => {
  it('rounds as IEEE half does (values from numpy.float16)', () => {
    const cases: [number, number][] = [
      [0.1, 0.0999755859375],
      [1 / 3, 0.333251953125],
      [1.0001, 1],
      [2049, 2048],
      [2051, 2052],
      [65519, 65504],
      [65520, Infinity],
      [1e-8, 0],
      [3e-5, 2.9981136322021484e-5],
      [6.1e-5, 6.097555160522461e-5],
      [-0.7, -0.7001953125],
      [1234.5678, 1235],
      [0.5 + 2 ** -12, 0.5],
      [0.5 + 3 * 2 ** -12, 0.5009765625],
    ];
    for (const [v, want] of cases) expect(roundToHalf(v), String(v)).toBe(want);
    expect(roundToHalf(Number.NaN)).toBeNaN();
    expect(roundToHalf(-Infinity)).toBe(-Infinity);
  });
});

describe('quantiserFor', () => {
  it('rounds unsigned integers to their steps, 10-bit as OpenImageIO holds it in 16 bits', () => {
    expect(quantiserFor('float')).toBeUndefined();
    const u8 = quantiserFor('uint8')!;
    expect(u8(0.5)).toBe(Math.fround(128 * Math.fround(1 / 255)));
    expect([u8(-1), u8(2), u8(Number.NaN)]).toEqual([0, 1, 0]);
    const u10 = quantiserFor('uint16', 10)!;
    // 10-bit 126 is 126 << 6 | 126 >> 4 = 8071 of 65535
    expect(u10(126 / 1023)).toBe(Math.fround(8071 * Math.fround(1 / 65535)));
    expect(u10(1)).toBe(1);
  });
});

describe('colourChannels', () => {
  it('finds R, G, B and A by name, a layer, or a gray channel; says what is missing otherwise', () => {
    expect(colourChannels(['A', 'B', 'G', 'R'])).toEqual({ rgb: [3, 2, 1], alpha: 0 });
    expect(colourChannels(['r', 'g', 'b', 'Z'])).toEqual({ rgb: [0, 1, 2], alpha: null });
    expect(colourChannels(['beauty.R', 'beauty.G', 'beauty.B', 'beauty.A', 'Z'])).toEqual({ rgb: [0, 1, 2], alpha: 3 });
    expect(colourChannels(['Y', 'A'])).toEqual({ rgb: [0, 0, 0], alpha: 1 });
    expect(colourChannels(['gray'])).toEqual({ rgb: [0, 0, 0], alpha: null });
    expect(colourChannels(['Z', 'N.x'])).toMatch(/no R, G and B \(or Y\) channels \(its channels: Z, N\.x\)/);
  });
});

describe('plateView', () => {
  it('is an integer plate itself with the identity transform', async () => {
    const raw: RawImage = { width: 2, height: 1, channels: 2, bitDepth: 8, data: new Uint8Array([1, 2, 3, 4]) };
    expect(await plateView(raw, IDENTITY_TRANSFORM)).toBe(raw);
  });

  it('is 16-bit RGB of the display values, clamped, for a float plate', async () => {
    const p = plate();
    const view = await plateView(p, IDENTITY_TRANSFORM);
    expect(view).toMatchObject({ width: 4, height: 3, channels: 3, bitDepth: 16 });
    expect(Array.from(view.data.slice(0, 3))).toEqual([0, 0, 65535]); // R -0.5, G 0, B 2
    expect(view.data[3 * 3]).toBe(Math.round(0.25 * 65535));
    const gamma = await plateView(p, GAMMA2);
    expect(gamma.data[3 * 3]).toBe(Math.round(0.5 * 65535));
  });
});

describe('viewChangeToSamples', () => {
  it('gives the stored samples exactly when nothing changed', async () => {
    const p = plate();
    const view = await plateView(p, GAMMA2);
    expect(await viewChangeToSamples(p, view, view, GAMMA2)).toBe(p);
    const copy = { ...view, data: view.data.slice() };
    const same = (await viewChangeToSamples(p, view, copy, GAMMA2)) as FloatPlate;
    expect(same.data).toEqual(p.data);
  });

  it('changes only changed pixels, only their colour, by the change mapped back', async () => {
    const p = plate();
    const view = await plateView(p, GAMMA2);
    const aged = { ...view, data: view.data.slice() };
    const at = 5; // pixel (1, 1)
    aged.data[at * 3] = view.data[at * 3]! + 1000;
    aged.data[at * 3 + 2] = view.data[at * 3 + 2]! - 500;
    const out = (await viewChangeToSamples(p, view, aged, GAMMA2)) as FloatPlate;
    for (let i = 0; i < p.data.length; i++) {
      const pixel = Math.floor(i / 5);
      const channel = i % 5;
      if (pixel !== at || channel > 2) expect(out.data[i], `sample ${i}`).toBe(p.data[i]);
    }
    const sq = (v: number) => (v / 65535) ** 2;
    const want = (c: number) =>
      roundToHalf(p.data[at * 5 + c]! + sq(aged.data[at * 3 + c]!) - sq(view.data[at * 3 + c]!));
    expect(out.data[at * 5]).toBe(want(0));
    expect(out.data[at * 5 + 1]).toBe(p.data[at * 5 + 1]); // G unchanged in the view
    expect(out.data[at * 5 + 2]).toBe(want(2));
    // R was raised in the view, so it rose in the plate
    expect(out.data[at * 5]).toBeGreaterThan(p.data[at * 5]!);
  });

  it('is the aged view for an integer plate with the identity transform', async () => {
    const raw: RawImage = { width: 2, height: 1, channels: 3, bitDepth: 8, data: new Uint8Array([1, 2, 3, 4, 5, 6]) };
    const aged = { ...raw, data: new Uint8Array([9, 9, 9, 4, 5, 6]) };
    expect(await viewChangeToSamples(raw, raw, aged, IDENTITY_TRANSFORM)).toBe(aged);
  });

  it('puts a change back into a gray integer plate through a transform, as luma, alpha untouched', async () => {
    const raw: RawImage = {
      width: 2,
      height: 1,
      channels: 2,
      bitDepth: 16,
      data: new Uint16Array([10000, 111, 40000, 222]),
    };
    const view = await plateView(raw, GAMMA2);
    expect(view.channels).toBe(3);
    const aged = { ...view, data: view.data.slice() };
    aged.data.fill(65535, 3, 6);
    const out = (await viewChangeToSamples(raw, view, aged, GAMMA2)) as RawImage;
    expect(out.data[0]).toBe(10000);
    expect(out.data[1]).toBe(111);
    expect(out.data[3]).toBe(222);
    // 40000 + (white − the 16-bit view's own value, both mapped back): white, but for the view's rounding
    expect(out.data[2]).toBeGreaterThanOrEqual(65533);
  });

  it('refuses an aged frame of another layout than the view', async () => {
    const p = plate();
    const view = await plateView(p, IDENTITY_TRANSFORM);
    await expect(viewChangeToSamples(p, view, { ...view, width: 3 }, IDENTITY_TRANSFORM)).rejects.toThrow(
      /the aged frame is 3x3, 3 channels, 16-bit but the view it came from is 4x3/,
    );
  });
});

describe('floatPlateToRaw', () => {
  it('keeps colour and alpha, clamped and rounded, and drops other channels', () => {
    const p = plate();
    const raw = floatPlateToRaw(p, 16);
    expect(raw).toMatchObject({ width: 4, height: 3, channels: 4, bitDepth: 16 });
    expect(Array.from(raw.data.slice(0, 4))).toEqual([0, 0, 65535, 0]);
    expect(floatPlateToRaw(p, 8).data[4 * 4]).toBe(Math.round(0.5 * 255)); // R of pixel 4: 4/4 - 0.5
  });
});
