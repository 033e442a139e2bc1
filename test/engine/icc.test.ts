/**
 * An input frame's ICC profile carried to its outputs (issue #18): attached to PNG,
 * JPEG and TIFF frames exactly as the plate had it, the pixels untouched. Read back by
 * sharp (libvips) and, for TIFF, written through OpenImageIO.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embedIccInJpeg, embedIccInPng } from '../../src/main/engine/icc-embed.js';
import { readFrame, writeFrame } from '../../src/main/engine/sequence-io.js';
import { stopOiioService } from '../../src/main/node/oiio-service.js';
import { haveOpenImageIO } from '../helpers/exr-plates.js';

const W = 24;
const H = 16;

describe('ICC profiles', () => {
  let tmp: string;
  let plate: string;
  let icc: Buffer;

  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'reage-icc-'));
    const pixels = Buffer.alloc(W * H * 3);
    for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 37) % 256;
    // a Display P3 plate, as a camera or grading suite tags one
    plate = join(tmp, 'p3.0001.png');
    await sharp(pixels, { raw: { width: W, height: H, channels: 3 } })
      .withIccProfile('p3')
      .png()
      .toFile(plate);
    icc = (await sharp(plate).metadata()).icc!;
    expect(icc.length).toBeGreaterThan(100);
  });

  afterAll(async () => {
    await stopOiioService();
    await rm(tmp, { recursive: true, force: true });
  });

  it('reads the profile with the frame', async () => {
    const { meta } = await readFrame(plate);
    expect(meta.hasIccProfile).toBe(true);
    expect(Buffer.from(meta.icc!).equals(icc)).toBe(true);
  });

  for (const format of ['png', 'tiff', 'jpeg'] as const)
    it(`writes it into a ${format.toUpperCase()} output as it was, the pixels as they were`, async (ctx) => {
      if (format === 'tiff' && !(await haveOpenImageIO())) ctx.skip();
      const decoded = await readFrame(plate);
      const out = join(tmp, `out.0001.${format === 'jpeg' ? 'jpg' : format === 'tiff' ? 'tif' : 'png'}`);
      await writeFrame(out, decoded.image, format, decoded.meta);
      const meta = await sharp(out).metadata();
      expect(Buffer.from(meta.icc!).equals(icc), 'same profile bytes').toBe(true);
      const back = await readFrame(out);
      expect(back.image.width).toBe(W);
      if (format !== 'jpeg') expect(Buffer.from(back.image.data).equals(Buffer.from(decoded.image.data))).toBe(true);
    });

  it('replaces a profile the file already had, and refuses what is not its format', () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(() => embedIccInPng(Buffer.from('nope'), icc)).toThrow(/not a PNG/);
    expect(() => embedIccInPng(png, icc)).toThrow(/IHDR/);
    expect(() => embedIccInJpeg(png, icc)).toThrow(/not a JPEG/);
  });
});
