/**
 * `npm run bench`'s plate formats: seconds to write and to read one 1920×1080 frame as
 * PNG (8- and 16-bit), 16-bit TIFF and OpenEXR (half, zip), through sequence-io as a
 * shot does (EXR: OpenImageIO's service; its start is timed apart, once per process).
 * The frame is the footage's first plate upscaled to 1920×1080 (Lanczos), so the
 * compressors see a real picture, not noise or flat colour.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { oiioAvailability } from '../node/oiio-service.js';
import { readFrame, writeFrame, type FrameFormat, type FrameSamples } from '../engine/sequence-io.js';
import type { RawImage } from '../engine/types.js';
import type { FormatBench, FormatRun } from './bench-report.js';

export const FORMAT_BENCH_SIZE = { width: 1920, height: 1080 } as const;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function seconds(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return (performance.now() - started) / 1000;
}

async function upscaled(plate: string, bitDepth: 8 | 16): Promise<RawImage> {
  const { width, height } = FORMAT_BENCH_SIZE;
  const { data } = await sharp(plate)
    .removeAlpha()
    .resize(width, height, { kernel: 'lanczos3', fit: 'fill' })
    .toColourspace(bitDepth === 16 ? 'rgb16' : 'srgb')
    .raw({ depth: bitDepth === 16 ? 'ushort' : 'uchar' })
    .toBuffer({ resolveWithObject: true });
  const samples =
    bitDepth === 16
      ? new Uint16Array(data.buffer, data.byteOffset, data.byteLength / 2).slice()
      : new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
  return { width, height, channels: 3, bitDepth, data: samples };
}

/**
 * Each format `repeats` times (the median is reported): write the frame, then read it
 * back. OpenEXR twice: written new from the 16-bit frame (integer -> half, zip), and
 * rewritten from the float plate read back with that file as its template, which is
 * what an aged EXR frame costs in a shot.
 */
export async function benchFormats(plate: string, repeats = 5): Promise<FormatBench> {
  const dir = await mkdtemp(join(tmpdir(), 'reage-bench-formats-'));
  const runs: FormatRun[] = [];
  let serviceStartSeconds: number | null;
  let unavailable: string | undefined;
  try {
    const eight = await upscaled(plate, 8);
    const sixteen = await upscaled(plate, 16);
    const measure = async (
      label: string,
      format: FrameFormat,
      file: string,
      samples: FrameSamples,
      like?: Parameters<typeof writeFrame>[3],
    ): Promise<FrameSamples> => {
      const writes: number[] = [];
      const reads: number[] = [];
      let read: FrameSamples = samples;
      for (let i = 0; i < repeats; i++) {
        writes.push(await seconds(() => writeFrame(file, samples, format, like)));
        reads.push(
          await seconds(async () => {
            read = (await readFrame(file)).stored;
          }),
        );
      }
      runs.push({ label, bytes: (await stat(file)).size, writeSeconds: median(writes), readSeconds: median(reads) });
      return read;
    };
    await measure('PNG 8-bit RGB', 'png', join(dir, 'f8.png'), eight);
    await measure('PNG 16-bit RGB', 'png', join(dir, 'f16.png'), sixteen);
    await measure('TIFF 16-bit RGB (LZW)', 'tiff', join(dir, 'f16.tif'), sixteen);
    const started = performance.now();
    const service = await oiioAvailability();
    serviceStartSeconds = service.ok ? (performance.now() - started) / 1000 : null;
    if (service.ok) {
      const exr = join(dir, 'f.exr');
      await measure('OpenEXR half RGB (zip), new file', 'exr', exr, sixteen);
      const decoded = await readFrame(exr);
      await measure(
        'OpenEXR half RGB (zip), from its plate as template',
        'exr',
        join(dir, 'g.exr'),
        decoded.stored,
        decoded.meta,
      );
    } else unavailable = service.reason;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return {
    source: `${plate}, upscaled to ${FORMAT_BENCH_SIZE.width}x${FORMAT_BENCH_SIZE.height} (Lanczos)`,
    width: FORMAT_BENCH_SIZE.width,
    height: FORMAT_BENCH_SIZE.height,
    repeats,
    serviceStartSeconds,
    runs,
    ...(unavailable ? { unavailable } : {}),
  };
}
