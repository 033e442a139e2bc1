/**
 * What a plate's header says about time (issue #18): its frame rate and timecode, from
 * the attributes OpenEXR and DPX files carry (OpenImageIO's `FramesPerSecond` and
 * `smpte:TimeCode`). PNG, TIFF and JPEG carry neither, so they say nothing.
 */
import { extname } from 'node:path';
import { oiioAvailability, oiioHeader } from './oiio-service.js';

export interface PlateInfo {
  /** frames per second, when the file records it */
  frameRate?: number;
  /** the frame's SMPTE timecode, HH:MM:SS:FF, when the file records it */
  timecode?: string;
}

const HEADER_FORMATS = new Set(['.exr', '.dpx']);

/** `FramesPerSecond` as OpenImageIO reports a rational: [numerator, denominator], or a number. */
export function frameRateOf(value: unknown): number | undefined {
  const rate = Array.isArray(value)
    ? Number(value[0]) / Number(value[1])
    : typeof value === 'number'
      ? value
      : Number.NaN;
  return Number.isFinite(rate) && rate > 0 && rate <= 1000 ? Math.round(rate * 1000) / 1000 : undefined;
}

/** A timecode attribute as text: OpenImageIO gives `HH:MM:SS:FF` for the timecode type; packed BCD words are decoded. */
export function timecodeOf(value: unknown): string | undefined {
  if (typeof value === 'string' && /^\d\d:\d\d:\d\d[:;]\d\d$/.test(value)) return value;
  const word = Array.isArray(value) ? Number(value[0]) : typeof value === 'number' ? value : Number.NaN;
  if (!Number.isInteger(word)) return undefined;
  const bcd = (byte: number) => ((byte >> 4) & 0x7) * 10 + (byte & 0xf);
  const two = (n: number) => String(n).padStart(2, '0');
  const [h, m, s, f] = [
    bcd((word >>> 24) & 0x3f),
    bcd((word >>> 16) & 0x7f),
    bcd((word >>> 8) & 0x7f),
    bcd(word & 0x3f),
  ];
  return `${two(h)}:${two(m)}:${two(s)}:${two(f)}`;
}

/** The plate's frame rate and timecode, or nothing when its format carries none or it cannot be read. */
export async function readPlateInfo(path: string): Promise<PlateInfo> {
  if (!HEADER_FORMATS.has(extname(path).toLowerCase())) return {};
  if (!(await oiioAvailability()).ok) return {};
  try {
    const { attributes } = await oiioHeader(path);
    const frameRate = frameRateOf(attributes.FramesPerSecond);
    const timecode = timecodeOf(attributes['smpte:TimeCode']);
    return { ...(frameRate ? { frameRate } : {}), ...(timecode ? { timecode } : {}) };
  } catch {
    return {};
  }
}
