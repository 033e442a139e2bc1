/**
 * Studio-style plates for the format tests, made from the footage's sRGB PNG frames
 * by OpenImageIO and OpenColorIO themselves (not by the code under test): linear
 * ACEScg half-float OpenEXR, ZIP-compressed, with the header attributes a plate from
 * a facility carries (timecode, frame rate, chromaticities, owner).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The Python with OpenImageIO and OpenColorIO (Debian's), as the engine finds it. */
export const TEST_PYTHON =
  process.env.REAGE_PYTHON ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');

/** ACES AP1 primaries and the ACES white, as an EXR `chromaticities` attribute holds them. */
export const AP1_CHROMATICITIES = [0.713, 0.293, 0.165, 0.83, 0.128, 0.044, 0.32168, 0.33767];

const SCRIPT = String.raw`
import json, sys
import numpy as np, OpenImageIO as oiio, PyOpenColorIO as OCIO
jobs = json.loads(sys.argv[1])
g = OCIO.GroupTransform()
# sRGB decode (OCIO's forward ExponentWithLinear is encoded -> linear), then Rec.709 -> AP1
g.appendTransform(OCIO.ExponentWithLinearTransform(gamma=[2.4, 2.4, 2.4, 1.0], offset=[0.055, 0.055, 0.055, 0.0]))
g.appendTransform(OCIO.BuiltinTransform('UTILITY - ACES-AP1_to_LINEAR-REC709_BFD', OCIO.TRANSFORM_DIR_INVERSE))
proc = OCIO.Config.CreateRaw().getProcessor(g).getDefaultCPUProcessor()
def bcd(n): return ((n // 10) << 4) | (n % 10)
for job in jobs:
    px = oiio.ImageBuf(job['src']).get_pixels(oiio.FLOAT)
    rgb = np.ascontiguousarray(px[:, :, :3], dtype=np.float32)
    proc.applyRGB(rgb)
    spec = oiio.ImageSpec(rgb.shape[1], rgb.shape[0], 3, oiio.HALF)
    spec.attribute('compression', 'zip')
    spec.attribute('Owner', 'ReAge Studio tests')
    spec.attribute('FramesPerSecond', oiio.TypeDesc('rational'), (24, 1))
    f = job['frame'] + 24 * 3600
    tc = (bcd(f // 86400) << 24) | (bcd(f // 1440 % 60) << 16) | (bcd(f // 24 % 60) << 8) | bcd(f % 24)
    spec.attribute('smpte:TimeCode', oiio.TypeDesc('timecode'), (tc, 0))
    spec.attribute('chromaticities', oiio.TypeDesc('float[8]'), tuple(job['chromaticities']))
    out = oiio.ImageOutput.create(job['dst'])
    if not out or not out.open(job['dst'], spec) or not out.write_image(rgb) or not out.close():
        sys.exit('cannot write %s: %s' % (job['dst'], oiio.geterror()))
`;

/**
 * Write each `name.NNNN.png` frame as `dir/name.NNNN.exr` (or `dir/NAME.NNNN.exr`) in ACEScg half float; the
 * timecode counts from 01:00:00:00 at frame 0 at 24 fps. Returns the EXR paths.
 */
export async function makeAcescgExrPlates(
  frames: readonly { frame: number; path: string }[],
  dir: string,
  /** the plates' name before the frame number; the PNG's own by default */
  name?: string,
): Promise<string[]> {
  const jobs = frames.map((f) => ({
    src: f.path,
    frame: f.frame,
    dst: join(dir, name ? `${name}.${f.frame}.exr` : basename(f.path).replace(/\.png$/i, '.exr')),
    chromaticities: AP1_CHROMATICITIES,
  }));
  await run(TEST_PYTHON, ['-c', SCRIPT, JSON.stringify(jobs)]);
  return jobs.map((j) => j.dst);
}

/** Per frame, by OpenImageIO: samples changed where the matte is 0 and where it is not, and the delta's error. */
const COMPARE_SCRIPT = String.raw`
import json, sys
import numpy as np, OpenImageIO as oiio
plate, aged, matte, delta = sys.argv[1:5]
p = oiio.ImageBuf(plate).get_pixels(oiio.FLOAT)
a = oiio.ImageBuf(aged).get_pixels(oiio.FLOAT)
m = oiio.ImageBuf(matte).get_pixels(oiio.FLOAT)[:, :, 0]
d = oiio.ImageBuf(delta).get_pixels(oiio.FLOAT)
changed = np.any(a != p, axis=2)
print(json.dumps({
  'outside_changed': int(np.sum(changed & (m == 0))),
  'inside_changed': int(np.sum(changed & (m > 0))),
  'matte_max': float(m.max()),
  'delta_error': float(np.abs((a - p) - d).max()),
  'delta_max': float(np.abs(d).max()),
}))
`;

/** What changed between a plate and its aged frame, by OpenImageIO, against the matte and delta passes. */
export interface AgedComparison {
  /** pixels with any sample changed where the matte is 0 (must be none) */
  outside_changed: number;
  /** pixels changed where the matte is above 0 */
  inside_changed: number;
  matte_max: number;
  /** the largest |(aged − plate) − delta| */
  delta_error: number;
  delta_max: number;
}

export async function compareAged(plate: string, aged: string, matte: string, delta: string): Promise<AgedComparison> {
  const { stdout } = await run(TEST_PYTHON, ['-c', COMPARE_SCRIPT, plate, aged, matte, delta]);
  return JSON.parse(stdout) as AgedComparison;
}

/** `oiiotool --info -v` of a file, as text: the independent reader the tests check outputs with. */
export async function oiioInfo(path: string): Promise<string> {
  const { stdout } = await run('oiiotool', ['--info', '-v', path]);
  return stdout;
}

/** True when OpenImageIO's and OpenColorIO's Python modules and oiiotool are here. */
export async function haveOpenImageIO(): Promise<boolean> {
  try {
    await run(TEST_PYTHON, ['-c', 'import OpenImageIO, PyOpenColorIO']);
    await run('oiiotool', ['--version']);
    return true;
  } catch {
    return false;
  }
}
