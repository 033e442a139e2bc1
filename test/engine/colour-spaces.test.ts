/**
 * The built-in colour spaces against OpenColorIO itself: the reference values are computed
 * here, by /usr/bin/python3 with PyOpenColorIO (scripts/setup.sh installs it), through
 * OCIO's own transforms (its BuiltinTransforms for the ACES matrices, ExponentWithLinear
 * for the curves), on a grid of RGB values with 0, 1, values above 1, negatives, skin tones
 * and 18% grey, in both directions.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  BT709_CURVE,
  COLOUR_SPACES,
  IDENTITY_TRANSFORM,
  PRIMARIES_AP0,
  PRIMARIES_AP1,
  PRIMARIES_REC709,
  SRGB_CURVE,
  WHITE_D65,
  bradfordAdaptation,
  colourSpaceFromChromaticities,
  convertFromDisplay,
  convertToDisplay,
  decode,
  displayTransform,
  encode,
  matrixToLinearRec709,
  multiply,
  parseColourSpace,
  powOf,
  powTable,
  rgbToXyzMatrix,
  type ColourSpaceId,
  type Matrix3,
} from '../../src/main/engine/colour-spaces.js';
import { stopOiioService } from '../../src/main/node/oiio-service.js';

const PYTHON = '/usr/bin/python3';

/**
 * OCIO's transforms for each built-in space, plate -> display sRGB; "from" runs the same
 * processor inverted. The ".xyz" cases reach display sRGB a second way, through CIE XYZ
 * (D65) and OCIO's own sRGB display builtin.
 */
const OCIO_SCRIPT = String.raw`
import json, sys
import numpy as np
import PyOpenColorIO as OCIO

F = OCIO.TransformDirection.TRANSFORM_DIR_FORWARD
I = OCIO.TransformDirection.TRANSFORM_DIR_INVERSE

def ewl(gamma, offset, direction):
    # forward: encoded -> linear; NEGATIVE_LINEAR is also OCIO's default
    return OCIO.ExponentWithLinearTransform([gamma] * 3 + [1], [offset] * 3 + [0], OCIO.NegativeStyle.NEGATIVE_LINEAR, direction)

def group(*ts):
    g = OCIO.GroupTransform()
    for t in ts:
        g.appendTransform(t)
    return g

B = OCIO.BuiltinTransform
srgb_encode = lambda: ewl(2.4, 0.055, I)
to_display = {
    'rec709': lambda: group(ewl(1 / 0.45, 0.099, F), srgb_encode()),
    'linear-rec709': srgb_encode,
    'acescg': lambda: group(B('UTILITY - ACES-AP1_to_LINEAR-REC709_BFD'), srgb_encode()),
    'aces2065-1': lambda: group(B('ACEScg_to_ACES2065-1', I), B('UTILITY - ACES-AP1_to_LINEAR-REC709_BFD'), srgb_encode()),
    'acescg.xyz': lambda: group(B('UTILITY - ACES-AP1_to_CIE-XYZ-D65_BFD'), B('DISPLAY - CIE-XYZ-D65_to_sRGB')),
    'aces2065-1.xyz': lambda: group(B('UTILITY - ACES-AP0_to_CIE-XYZ-D65_BFD'), B('DISPLAY - CIE-XYZ-D65_to_sRGB')),
}

def matrix(style):
    # the 3x3 of a builtin that OCIO builds as one matrix
    ops = list(cfg.getProcessor(B(style)).createGroupTransform())
    assert len(ops) == 1, style
    m = ops[0].getMatrix()
    return [m[r * 4 + c] for r in range(3) for c in range(3)]

cfg = OCIO.Config.CreateRaw()
job = json.load(sys.stdin)
grid = np.array(job['grid'], dtype=np.float32)
results = {}
for case in job['cases']:
    name, direction = case.rsplit(':', 1)
    proc = cfg.getProcessor(to_display[name](), F if direction == 'to' else I).getDefaultCPUProcessor()
    out = grid.copy()
    proc.applyRGB(out)
    results[case] = out.tolist()
json.dump({
    'version': OCIO.__version__,
    'results': results,
    'matrices': {s: matrix(s) for s in job['matrices']},
}, sys.stdout)
`;

interface OcioReference {
  version: string;
  results: Record<string, number[]>;
  matrices: Record<string, number[]>;
}

function ocioReference(grid: Float32Array, cases: string[], matrices: string[]): OcioReference {
  const out = execFileSync(PYTHON, ['-c', OCIO_SCRIPT], {
    input: JSON.stringify({ grid: Array.from(grid), cases, matrices }),
    maxBuffer: 256 * 1024 * 1024,
    encoding: 'utf8',
  });
  return JSON.parse(out) as OcioReference;
}

/** Every triple of VALUES, then skin tones and greys. */
const VALUES = [
  -0.5, -0.05, -0.001, 0, 0.0005, 0.002, 0.0031, 0.01, 0.02, 0.04, 0.08, 0.18, 0.35, 0.5, 0.75, 1, 1.2, 2, 5, 16,
];
const EXTRA = [
  // skin tones as display sRGB, light to dark
  [0.94, 0.78, 0.66],
  [0.87, 0.63, 0.5],
  [0.55, 0.37, 0.27],
  [0.36, 0.22, 0.15],
  // and as scene-linear values
  [0.45, 0.3, 0.22],
  [0.2, 0.12, 0.08],
  [0.06, 0.035, 0.025],
  // 18% grey, and its display sRGB value
  [0.18, 0.18, 0.18],
  [0.4613561, 0.4613561, 0.4613561],
];
function makeGrid(): Float32Array {
  const rows: number[] = [];
  for (const r of VALUES) for (const g of VALUES) for (const b of VALUES) rows.push(r, g, b);
  for (const e of EXTRA) rows.push(...e);
  return Float32Array.from(rows);
}
const GRID = makeGrid();

/** Error in display (or plate) units, relative above 1 so that 16.0 in and 685 out are judged alike. */
function maxError(got: ArrayLike<number>, want: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < want.length; i++)
    worst = Math.max(worst, Math.abs(got[i]! - want[i]!) / Math.max(1, Math.abs(want[i]!)));
  return worst;
}

const CONVERTED: Exclude<ColourSpaceId, 'srgb'>[] = ['rec709', 'linear-rec709', 'acescg', 'aces2065-1'];
const BUILTIN_MATRICES = [
  'UTILITY - ACES-AP1_to_LINEAR-REC709_BFD',
  'UTILITY - ACES-AP0_to_CIE-XYZ-D65_BFD',
  'UTILITY - ACES-AP1_to_CIE-XYZ-D65_BFD',
  'ACEScg_to_ACES2065-1',
];

describe('built-in colour spaces against OpenColorIO', () => {
  const cases = [...CONVERTED.flatMap((id) => [`${id}:to`, `${id}:from`]), 'acescg.xyz:to', 'aces2065-1.xyz:to'];
  const ref = ocioReference(GRID, cases, BUILTIN_MATRICES);

  it('runs on OpenColorIO 2', () => {
    expect(ref.version).toMatch(/^2\./);
  });

  it.each(CONVERTED)('%s -> display sRGB matches OCIO within 1e-5', (id) => {
    const got = convertToDisplay(id, GRID);
    expect(maxError(got, ref.results[`${id}:to`]!)).toBeLessThanOrEqual(1e-5);
  });

  it.each(CONVERTED)('display sRGB -> %s matches OCIO within 1e-5', (id) => {
    const got = convertFromDisplay(id, GRID);
    expect(maxError(got, ref.results[`${id}:from`]!)).toBeLessThanOrEqual(1e-5);
  });

  it.each(['acescg', 'aces2065-1'] as const)(
    '%s also matches OCIO through CIE XYZ and its sRGB display builtin',
    (id) => {
      expect(maxError(convertToDisplay(id, GRID), ref.results[`${id}.xyz:to`]!)).toBeLessThanOrEqual(1e-5);
    },
  );

  it('derives the matrices OCIO builds from the same chromaticities', () => {
    const close = (got: Matrix3, style: string) => {
      const want = ref.matrices[style]!;
      for (let i = 0; i < 9; i++) expect(got[i]).toBeCloseTo(want[i]!, 12);
    };
    close(matrixToLinearRec709('acescg'), 'UTILITY - ACES-AP1_to_LINEAR-REC709_BFD');
    const toD65 = bradfordAdaptation(PRIMARIES_AP0.white, WHITE_D65);
    close(multiply(toD65, rgbToXyzMatrix(PRIMARIES_AP0)), 'UTILITY - ACES-AP0_to_CIE-XYZ-D65_BFD');
    close(multiply(toD65, rgbToXyzMatrix(PRIMARIES_AP1)), 'UTILITY - ACES-AP1_to_CIE-XYZ-D65_BFD');
    // AP1 -> AP0: the same white, no adaptation
    close(multiply(invert3(rgbToXyzMatrix(PRIMARIES_AP0)), rgbToXyzMatrix(PRIMARIES_AP1)), 'ACEScg_to_ACES2065-1');
  });
});

/** Inverse by the adjugate, independent of the module's own. */
function invert3(m: Matrix3): Matrix3 {
  const [a, b, c, d, e, f, g, h, i] = m;
  const det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g);
  return [
    (e * i - f * h) / det,
    (c * h - b * i) / det,
    (b * f - c * e) / det,
    (f * g - d * i) / det,
    (a * i - c * g) / det,
    (c * d - a * f) / det,
    (d * h - e * g) / det,
    (b * g - a * h) / det,
    (a * e - b * d) / det,
  ];
}

/**
 * Largest difference, each value judged against the largest magnitude in its pixel (at least 1):
 * through a 3x3 matrix a float32 pixel holds ~7 significant digits of its largest component, not
 * of each (a -0.001 beside a 16 is known to 16 * 2^-24 = 1e-6).
 */
function maxPixelError(got: ArrayLike<number>, want: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < want.length; i += 3) {
    const scale = Math.max(1, Math.abs(want[i]!), Math.abs(want[i + 1]!), Math.abs(want[i + 2]!));
    for (let k = i; k < i + 3; k++) worst = Math.max(worst, Math.abs(got[k]! - want[k]!) / scale);
  }
  return worst;
}

/** The grid's pixels with every value in 0..1. */
const IN_RANGE = Float32Array.from(
  Array.from({ length: GRID.length / 3 }, (_, p) => [GRID[3 * p]!, GRID[3 * p + 1]!, GRID[3 * p + 2]!])
    .filter((px) => px.every((v) => v >= 0 && v <= 1))
    .flat(),
);

describe('round trips', () => {
  it.each(CONVERTED)(
    'fromDisplay(toDisplay(x)) = x for %s within 1e-6, negatives and values above 1 included',
    async (id) => {
      const t = await displayTransform({ space: id });
      expect(t.identity).toBe(false);
      const back = await t.fromDisplay(await t.toDisplay(GRID));
      expect(maxPixelError(back, GRID)).toBeLessThanOrEqual(1e-6);
      expect(maxError(convertFromDisplay(id, convertToDisplay(id, IN_RANGE)), IN_RANGE)).toBeLessThanOrEqual(1e-6);
    },
  );

  // The other way the plate between is float32 in the plate's space: its rounding (2^-24 of
  // the pixel's largest value, through the matrix) is scaled by the sRGB toe's slope of 12.9
  // near black, so AP0 comes back within 1.2e-6 rather than 1e-6.
  it.each(CONVERTED)('toDisplay(fromDisplay(y)) = y for %s within 2e-6 on display values in 0..1', async (id) => {
    const t = await displayTransform({ space: id });
    expect(maxError(await t.toDisplay(await t.fromDisplay(IN_RANGE)), IN_RANGE)).toBeLessThanOrEqual(2e-6);
  });

  it('srgb is the identity, and the transforms return new arrays', async () => {
    const t = await displayTransform({ space: 'srgb' });
    expect(t).toBe(IDENTITY_TRANSFORM);
    expect(t.identity).toBe(true);
    const shown = await t.toDisplay(GRID);
    const same = (a: Float32Array) =>
      Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(GRID.buffer));
    expect(shown).not.toBe(GRID);
    expect(same(shown)).toBe(true);
    expect(same(await t.fromDisplay(GRID))).toBe(true);
    const aces = await displayTransform({ space: 'acescg' });
    expect(await aces.toDisplay(GRID)).not.toBe(GRID);
  });

  it('maps white to white and 18% grey to its display value in every linear space', () => {
    for (const id of ['linear-rec709', 'acescg', 'aces2065-1'] as const) {
      const got = convertToDisplay(id, Float32Array.of(1, 1, 1, 0.18, 0.18, 0.18));
      for (const v of got.subarray(0, 3)) expect(v).toBeCloseTo(1, 6);
      for (const v of got.subarray(3)) expect(v).toBeCloseTo(0.46135612, 6);
    }
  });

  it('rejects data that is not interleaved RGB', () => {
    expect(() => convertToDisplay('acescg', new Float32Array(4))).toThrow(/multiple of 3/);
  });
});

describe('curves', () => {
  it('are OCIO’s exactly continuous forms of the published constants', () => {
    expect(SRGB_CURVE.slope).toBeCloseTo(1 / 12.92321, 8);
    expect(SRGB_CURVE.encodedBreak).toBeCloseTo(0.055 / 1.4, 12);
    expect(BT709_CURVE.encodedBreak).toBeCloseTo(0.081, 12);
    expect(1 / BT709_CURVE.slope).toBeCloseTo(4.5138, 4);
    // within 1e-5 of IEC 61966-2-1's own constants over 0..1
    for (let i = 0; i <= 1000; i++) {
      const v = i / 1000;
      const iec = v <= 0.0031308 ? v * 12.92 : 1.055 * Math.pow(v, 1 / 2.4) - 0.055;
      expect(Math.abs(encode(SRGB_CURVE, v) - iec)).toBeLessThan(1e-5);
    }
  });

  it('continue linearly below zero and as the power law above one', () => {
    expect(encode(SRGB_CURVE, -0.01)).toBeCloseTo(-0.01 / SRGB_CURVE.slope, 12);
    expect(decode(SRGB_CURVE, -0.5)).toBeCloseTo(-0.5 * SRGB_CURVE.slope, 12);
    expect(decode(SRGB_CURVE, 2)).toBeCloseTo(Math.pow(2.055 / 1.055, 2.4), 6);
  });

  it('the pow tables agree with Math.pow to float32 precision', () => {
    for (const p of [2.4, 1 / 2.4, 1 / 0.45, 0.45]) {
      const t = powTable(p);
      let worst = 0;
      for (let i = 0; i < 200_000; i++) {
        const x = Math.fround(Math.exp((i / 200_000) * 40 - 20)); // 2e-9 .. 5e8
        worst = Math.max(worst, Math.abs(powOf(t, x) / Math.pow(x, p) - 1));
      }
      expect(worst).toBeLessThan(3e-8);
      expect(powOf(t, 0)).toBe(0);
      expect(powOf(t, Infinity)).toBe(Infinity);
      expect(powOf(t, NaN)).toBeNaN();
      expect(powOf(t, 1e-40)).toBeCloseTo(Math.pow(1e-40, p), 20);
    }
  });
});

describe('a 1080p frame', () => {
  it('converts well under a second each way', () => {
    const n = 1920 * 1080 * 3;
    const frame = new Float32Array(n);
    for (let i = 0; i < n; i++) frame[i] = ((i * 7919) % 1201) / 1000 - 0.1;
    const out = new Float32Array(n);
    for (const id of CONVERTED) {
      const t0 = performance.now();
      convertToDisplay(id, frame, out);
      convertFromDisplay(id, out, out);
      expect(performance.now() - t0).toBeLessThan(2000); // both directions; ~0.1-0.2 s each on a 2-core runner
    }
  });
});

describe('naming spaces', () => {
  it('lists each space once, with a menu label and a description', () => {
    expect(COLOUR_SPACES.map((s) => s.id)).toEqual(['srgb', 'rec709', 'linear-rec709', 'acescg', 'aces2065-1']);
    expect(COLOUR_SPACES.find((s) => s.id === 'acescg')?.label).toBe('ACEScg (linear AP1)');
    for (const s of COLOUR_SPACES) expect(s.description.length).toBeGreaterThan(20);
  });

  it('parses ids and aliases in any case', () => {
    expect(parseColourSpace('ACEScg')).toBe('acescg');
    expect(parseColourSpace(' sRGB ')).toBe('srgb');
    expect(parseColourSpace('Linear-sRGB')).toBe('linear-rec709');
    expect(parseColourSpace('linear-rec709')).toBe('linear-rec709');
    expect(parseColourSpace('ACES2065-1')).toBe('aces2065-1');
    expect(parseColourSpace('REC709')).toBe('rec709');
    expect(parseColourSpace('AP1')).toBe('acescg');
    expect(() => parseColourSpace('auto')).toThrow(/unknown colour space "auto"/);
  });

  it('names the valid spaces when it cannot parse one', () => {
    expect(() => parseColourSpace('p3')).toThrow(
      'unknown colour space "p3": use one of srgb, rec709, linear-rec709, acescg, aces2065-1 (linear-srgb is linear-rec709 too)',
    );
  });

  it('reads an EXR’s chromaticities', () => {
    const flat = (p: typeof PRIMARIES_AP1) => [...p.red, ...p.green, ...p.blue, ...p.white];
    expect(colourSpaceFromChromaticities(flat(PRIMARIES_AP1))).toBe('acescg');
    expect(colourSpaceFromChromaticities(flat(PRIMARIES_AP0))).toBe('aces2065-1');
    expect(colourSpaceFromChromaticities(flat(PRIMARIES_REC709))).toBe('linear-rec709');
    // as a float32 attribute stores them
    expect(colourSpaceFromChromaticities(Float32Array.from(flat(PRIMARIES_AP1)))).toBe('acescg');
    expect(colourSpaceFromChromaticities([0.7347, 0.2653, 0, 1, 0.0001, -0.077, 0.32168, 0.33767])).toBe('aces2065-1');
    // P3-D65, Rec.709 primaries with a D60 white, nothing, the wrong length
    expect(colourSpaceFromChromaticities([0.68, 0.32, 0.265, 0.69, 0.15, 0.06, 0.3127, 0.329])).toBeUndefined();
    expect(colourSpaceFromChromaticities([0.64, 0.33, 0.3, 0.6, 0.15, 0.06, 0.32168, 0.33767])).toBeUndefined();
    expect(colourSpaceFromChromaticities(undefined)).toBeUndefined();
    expect(colourSpaceFromChromaticities([0.64, 0.33])).toBeUndefined();
  });
});

// ---- OCIO configs --------------------------------------------------------------------------

/** A small OCIO v2 config: ACEScg and sRGB - Texture from the same builtins, ACES2065-1 the reference. */
const CONFIG = `ocio_profile_version: 2

roles:
  default: ACES2065-1
  scene_linear: ACEScg

file_rules:
  - !<Rule> {name: Default, colorspace: default}

displays:
  sRGB:
    - !<View> {name: Raw, colorspace: sRGB - Texture}

colorspaces:
  - !<ColorSpace>
    name: ACES2065-1
    isdata: false

  - !<ColorSpace>
    name: ACEScg
    isdata: false
    to_scene_reference: !<BuiltinTransform> {style: ACEScg_to_ACES2065-1}

  - !<ColorSpace>
    name: sRGB - Texture
    isdata: false
    from_scene_reference: !<GroupTransform>
      children:
        - !<BuiltinTransform> {style: ACEScg_to_ACES2065-1, direction: inverse}
        - !<BuiltinTransform> {style: UTILITY - ACES-AP1_to_LINEAR-REC709_BFD}
        - !<ExponentWithLinearTransform> {gamma: 2.4, offset: 0.055, direction: inverse}
`;

describe('OCIO config colour spaces', () => {
  const dir = mkdtempSync(join(tmpdir(), 'reage-ocio-'));
  const config = join(dir, 'config.ocio');
  writeFileSync(config, CONFIG);
  afterAll(() => {
    stopOiioService();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the test config is a valid OCIO config', () => {
    const out = execFileSync(
      PYTHON,
      [
        '-c',
        'import sys, PyOpenColorIO as O; c = O.Config.CreateFromFile(sys.argv[1]); c.validate(); print([s.getName() for s in c.getColorSpaces()])',
        config,
      ],
      { encoding: 'utf8' },
    );
    expect(out).toContain('sRGB - Texture');
  });

  it('a config’s ACEScg matches the built-in acescg', async () => {
    const t = await displayTransform({ ocio: { config, space: 'ACEScg' } });
    expect(t.identity).toBe(false);
    const ours = convertToDisplay('acescg', GRID);
    expect(maxError(await t.toDisplay(GRID), ours)).toBeLessThanOrEqual(1e-4);
    expect(maxError(await t.fromDisplay(ours), convertFromDisplay('acescg', ours))).toBeLessThanOrEqual(1e-4);
  });

  it('names the config’s spaces when the plate’s or the display’s is missing', async () => {
    await expect(displayTransform({ ocio: { config, space: 'ARRI LogC' } })).rejects.toThrow(
      /no colour space "ARRI LogC".*"ACEScg".*"sRGB - Texture"/,
    );
    await expect(displayTransform({ ocio: { config, space: 'ACEScg', display: 'Rec.1886' } })).rejects.toThrow(
      /no colour space "Rec.1886"/,
    );
    const noSrgb = join(dir, 'no-srgb.ocio');
    writeFileSync(noSrgb, CONFIG.replaceAll('sRGB - Texture', 'Display'));
    await expect(displayTransform({ ocio: { config: noSrgb, space: 'ACEScg' } })).rejects.toThrow(
      /no sRGB display colour space.*"ACES2065-1", "ACEScg", "Display"/,
    );
    const same = await displayTransform({ ocio: { config, space: 'srgb - texture' } });
    expect(same.identity).toBe(true);
  });
});
