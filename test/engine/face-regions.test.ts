import { describe, expect, it } from 'vitest';
import { buildFaceMask, DEFAULT_FEATHER_FRACTION, type FaceMask } from '../../src/main/engine/composite.js';
import { regionMask, regionOutlines, shapeMask } from '../../src/main/engine/face-regions.js';
import type { Point } from '../../src/main/engine/types.js';
import { formatRegions, parseRegions, resolveRegions } from '../../src/shared/regions.js';
import { inside, syntheticFace, withOpenMouth } from '../helpers/synthetic-face.js';

const W = 300;
const H = 360;
const S = 60;
const FACE = withOpenMouth(syntheticFace(150, 150, S), 40, 16);
const SIZE = 1.45 * S;
const FEATHER = DEFAULT_FEATHER_FRACTION * SIZE;

const at = (m: FaceMask, x: number, y: number) => m.mask[y * W + x]!;

/** Every pixel whose centre lies inside one of the outlines. */
function pixelsInside(outlines: Point[][]): [number, number][] {
  const out: [number, number][] = [];
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) if (outlines.some((o) => inside(o, x + 0.5, y + 0.5))) out.push([x, y]);
  return out;
}

describe('regionMask', () => {
  const face = buildFaceMask(FACE, W, H, { feather: FEATHER });
  const cheek: [number, number] = [150 - 0.6 * S, 150 + 0.5 * S];

  it('keeps the eyes and the open mouth out by default: the mouth exactly 0 on every pixel of its outline', () => {
    const m = regionMask(FACE, W, H, undefined);
    const mouth = pixelsInside(regionOutlines(FACE, 'mouth'));
    const eyes = pixelsInside(regionOutlines(FACE, 'eyes'));
    expect(mouth.length).toBeGreaterThan(300);
    expect(eyes.length).toBeGreaterThan(100);
    for (const [x, y] of mouth) expect(at(m, x, y)).toBe(0);
    // the eyes fade out across their (grown) outlines: all but nothing at their centres
    const centre = (ids: number[]) =>
      [
        Math.floor(ids.reduce((a, i) => a + FACE[i]!.x, 0) / ids.length),
        Math.floor(ids.reduce((a, i) => a + FACE[i]!.y, 0) / ids.length),
      ] as const;
    expect(at(m, ...centre([36, 37, 38, 39, 40, 41]))).toBeLessThan(0.05);
    expect(at(m, ...centre([42, 43, 44, 45, 46, 47]))).toBeLessThan(0.05);
    // the cheek keeps the face mask's weight, and nothing gains
    expect(at(m, ...cheek)).toBe(at(face, ...cheek));
    for (let i = 0; i < m.mask.length; i++) expect(m.mask[i]!).toBeLessThanOrEqual(face.mask[i]!);
  });

  it('with every region on, is the face mask itself', () => {
    const m = regionMask(FACE, W, H, { eyes: 1, mouth: 1 });
    expect(m.mask).toEqual(face.mask);
  });

  it('weakens a region by its amount', () => {
    const m = regionMask(FACE, W, H, { mouth: 0.5, eyes: 1 });
    for (const [x, y] of pixelsInside(regionOutlines(FACE, 'mouth')))
      expect(at(m, x, y)).toBeCloseTo(0.5 * at(face, x, y), 6);
  });

  it('leaves a closed mouth alone: its inner outline has no area', () => {
    const closed = FACE.map((p, i) => (i >= 60 ? { x: p.x, y: FACE[8]!.y - 0.65 * S } : p));
    const m = regionMask(closed, W, H, { eyes: 1 });
    expect(m.mask).toEqual(buildFaceMask(closed, W, H, { feather: FEATHER }).mask);
  });

  it('takes glasses lenses and the forehead out when asked, and leaves the cheek', () => {
    const lenses = regionMask(FACE, W, H, { lenses: 0 });
    const underEye: [number, number] = [150 - 0.4 * S, Math.round(150 - 0.25 * S + 0.1 * S)];
    expect(at(face, ...underEye)).toBe(1);
    expect(at(lenses, ...underEye)).toBeLessThan(0.05);
    expect(at(lenses, ...cheek)).toBe(at(face, ...cheek));
    const forehead = regionMask(FACE, W, H, { forehead: 0 });
    const above: [number, number] = [150, Math.round(150 - 0.45 * S - 0.15 * SIZE)];
    expect(at(face, ...above)).toBeGreaterThan(0.5);
    expect(at(forehead, ...above)).toBeLessThan(0.05);
    expect(at(forehead, ...cheek)).toBe(at(face, ...cheek));
  });

  it('adds the neck below the jaw at its amount, growing the box', () => {
    const neck = regionMask(FACE, W, H, { neck: 0.8 });
    const below: [number, number] = [150, Math.round(150 + 1.2 * S + 0.3 * SIZE)];
    expect(at(face, ...below)).toBe(0);
    expect(at(neck, ...below)).toBeCloseTo(0.8, 6);
    expect(neck.bbox.y + neck.bbox.height).toBeGreaterThan(face.bbox.y + face.bbox.height);
  });

  it('feathers and grows the outline', () => {
    const area = (m: FaceMask) => m.mask.reduce((s, v) => s + v, 0);
    const soft = (m: FaceMask) => m.mask.filter((v) => v > 0 && v < 1).length;
    const hard = regionMask(FACE, W, H, { feather: 0, eyes: 1, mouth: 1 });
    expect(soft(hard)).toBe(0);
    expect(soft(regionMask(FACE, W, H, { feather: 2, eyes: 1, mouth: 1 }))).toBeGreaterThan(1.5 * soft(face));
    expect(area(regionMask(FACE, W, H, { grow: 0.1, eyes: 1, mouth: 1 }))).toBeGreaterThan(area(face) + 1000);
    expect(area(regionMask(FACE, W, H, { grow: -0.1, eyes: 1, mouth: 1 }))).toBeLessThan(area(face) - 1000);
  });
});

describe('shapeMask', () => {
  it('lets the eyes move with the face but holds the open mouth still', () => {
    const face = buildFaceMask(FACE, W, H, { feather: FEATHER });
    const warp = shapeMask(FACE, W, H, undefined);
    for (const [x, y] of pixelsInside(regionOutlines(FACE, 'eyes')))
      expect(warp.mask[y * W + x]).toBe(face.mask[y * W + x]);
    for (const [x, y] of pixelsInside(regionOutlines(FACE, 'mouth'))) expect(warp.mask[y * W + x]).toBe(0);
    // it holds whatever the change's mask holds but the eyes: never less
    const change = regionMask(FACE, W, H, undefined);
    for (let i = 0; i < change.mask.length; i++) expect(warp.mask[i]!).toBeGreaterThanOrEqual(change.mask[i]!);
  });
});

describe('regions in words', () => {
  it('parses and formats --regions, naming the bad part', () => {
    expect(parseRegions('eyes=1, mouth=0.5,neck=1,feather=1.5,grow=-0.05')).toEqual({
      eyes: 1,
      mouth: 0.5,
      neck: 1,
      feather: 1.5,
      grow: -0.05,
    });
    expect(() => parseRegions('nose=0')).toThrow(/no region "nose"/);
    expect(() => parseRegions('mouth')).toThrow(/NAME=VALUE/);
    expect(() => parseRegions('mouth=2')).toThrow(/mouth must be from 0 to 1/);
    expect(() => parseRegions('grow=1')).toThrow(/grow must be from -0.25 to 0.25/);
    expect(formatRegions(undefined)).toBe('');
    expect(formatRegions({ mouth: 1, forehead: 1 })).toBe('mouth=1');
    expect(resolveRegions({ neck: 0.5 })).toMatchObject({ eyes: 0, mouth: 0, neck: 0.5, feather: 1, grow: 0 });
  });
});
