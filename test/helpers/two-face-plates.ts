/**
 * A Tears of Steel frame with Akiyo's face (scaled 1.3x, smaller than the actor's) pasted
 * over the background on the left, so a shot has two detectable faces of different
 * sizes: the plate's own second head faces away and is never detected. Needs
 * ../shared/footage (never copied into the project).
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import type { RawImage } from '../../src/main/engine/types.js';

const FOOTAGE = join(import.meta.dirname, '../../../shared/footage');
export const TOS_FRAME = (f: number) => join(FOOTAGE, `tears_of_steel/tos_0500.${f}.png`);
export const AKIYO_FRAME = (f: number) => join(FOOTAGE, `akiyo/akiyo.${f}.png`);

/** Where the pasted face lies on the plate, in pixels. */
export const PASTED_FACE = { left: 40, top: 60, width: 195, height: 234 } as const;

export function hasTwoFaceFootage(frame = 1001): boolean {
  return existsSync(TOS_FRAME(frame)) && existsSync(AKIYO_FRAME(frame));
}

/** The frame with both faces, as 8-bit RGB. */
export async function twoFacePlate(frame: number): Promise<RawImage> {
  const face = await sharp(AKIYO_FRAME(frame))
    .extract({ left: 95, top: 30, width: 150, height: 180 })
    .resize(PASTED_FACE.width, PASTED_FACE.height)
    .toBuffer();
  const { data, info } = await sharp(TOS_FRAME(frame))
    .composite([{ input: face, left: PASTED_FACE.left, top: PASTED_FACE.top }])
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, channels: 3, bitDepth: 8, data: new Uint8Array(data) };
}

/** The frame with both faces written as a PNG plate at `path`. */
export async function writeTwoFacePlate(frame: number, path: string): Promise<void> {
  const { width, height, data } = await twoFacePlate(frame);
  writeFileSync(path, await sharp(data, { raw: { width, height, channels: 3 } }).png().toBuffer());
}
