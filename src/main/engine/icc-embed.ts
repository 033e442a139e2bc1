/**
 * An input frame's ICC profile carried to its output (issue #18): the profile's bytes
 * put into a file sharp has encoded from raw pixels, which carry none. Attached, never
 * applied: the samples are the plate's own encoding, and the profile still describes them.
 * (sharp's withIccProfile would convert the pixels to the profile, which is not this.)
 *
 * PNG: an iCCP chunk (zlib-compressed profile) right after IHDR, as the PNG
 * specification places it (before PLTE and IDAT). JPEG: APP2 `ICC_PROFILE` segments
 * (ICC.1:2010 Annex B.4) right after SOI, split into parts of at most 65519 bytes.
 */
import { crc32, deflateSync } from 'node:zlib';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function pngChunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** The PNG with `icc` as its iCCP chunk; any iCCP, sRGB or gAMA/cHRM chunk it had (which the profile overrides) dropped. */
export function embedIccInPng(png: Buffer, icc: Uint8Array, name = 'ICC profile'): Buffer {
  if (!png.subarray(0, 8).equals(PNG_SIGNATURE)) throw new Error('not a PNG');
  const chunks: Buffer[] = [];
  let at = 8;
  let placed = false;
  while (at + 12 <= png.length) {
    const length = png.readUInt32BE(at);
    const type = png.toString('latin1', at + 4, at + 8);
    const chunk = png.subarray(at, at + 12 + length);
    at += 12 + length;
    if (type === 'iCCP' || type === 'sRGB' || type === 'gAMA' || type === 'cHRM') continue;
    chunks.push(chunk);
    if (type === 'IHDR' && !placed) {
      const keyword = Buffer.from(name.slice(0, 79), 'latin1');
      chunks.push(pngChunk('iCCP', Buffer.concat([keyword, Buffer.from([0, 0]), deflateSync(icc)])));
      placed = true;
    }
  }
  if (!placed) throw new Error('the PNG has no IHDR chunk');
  return Buffer.concat([PNG_SIGNATURE, ...chunks]);
}

const JPEG_ICC_PART = 65519;

/** The JPEG with `icc` in APP2 ICC_PROFILE segments after SOI; any it had dropped. */
export function embedIccInJpeg(jpeg: Buffer, icc: Uint8Array): Buffer {
  if (jpeg[0] !== 0xff || jpeg[1] !== 0xd8) throw new Error('not a JPEG');
  const parts = Math.ceil(icc.length / JPEG_ICC_PART);
  if (parts > 255) throw new Error(`an ICC profile of ${icc.length} bytes is too large for JPEG`);
  const segments: Buffer[] = [];
  for (let i = 0; i < parts; i++) {
    const data = icc.subarray(i * JPEG_ICC_PART, (i + 1) * JPEG_ICC_PART);
    const head = Buffer.alloc(4 + 14);
    head.writeUInt16BE(0xffe2, 0);
    head.writeUInt16BE(2 + 14 + data.length, 2);
    head.write('ICC_PROFILE\0', 4, 'latin1');
    head[16] = i + 1;
    head[17] = parts;
    segments.push(head, Buffer.from(data));
  }
  // keep every segment but an old ICC_PROFILE APP2, up to the start of scan
  const kept: Buffer[] = [];
  let at = 2;
  while (at + 4 <= jpeg.length && jpeg[at] === 0xff) {
    const marker = jpeg[at + 1]!;
    if (marker === 0xda) break;
    const length = jpeg.readUInt16BE(at + 2);
    const segment = jpeg.subarray(at, at + 2 + length);
    const isIcc = marker === 0xe2 && segment.toString('latin1', 4, 16) === 'ICC_PROFILE\0';
    if (!isIcc) kept.push(segment);
    at += 2 + length;
  }
  return Buffer.concat([jpeg.subarray(0, 2), ...segments, ...kept, jpeg.subarray(at)]);
}
