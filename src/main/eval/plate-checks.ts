/**
 * What a shot's aged frames must keep, measured on the files as written: the plate
 * untouched outside the face's mask, and no flicker the plate does not already have.
 */
import type { PixelBox } from '../engine/aging-model.js';
import type { RawImage } from '../engine/types.js';

function sameLayout(a: RawImage, b: RawImage): void {
  if (a.width !== b.width || a.height !== b.height || a.channels !== b.channels || a.bitDepth !== b.bitDepth)
    throw new Error(
      `frames differ in layout: ${a.width}x${a.height}x${a.channels}@${a.bitDepth} vs ${b.width}x${b.height}x${b.channels}@${b.bitDepth}`,
    );
}

/** Pixels with any sample changed where the mask's weight is 0 (must be none). */
export function changedOutsideMask(input: RawImage, output: RawImage, mask: Float32Array): number {
  sameLayout(input, output);
  const c = input.channels;
  let n = 0;
  for (let p = 0; p < input.width * input.height; p++) {
    if (mask[p]! > 0) continue;
    for (let k = 0; k < c; k++)
      if (input.data[p * c + k] !== output.data[p * c + k]) {
        n++;
        break;
      }
  }
  return n;
}

/** Largest and mean absolute sample difference of two frames inside `box`, colour channels only, in 0..1 units. */
export function boxDifference(a: RawImage, b: RawImage, box: PixelBox): { max: number; mean: number } {
  sameLayout(a, b);
  const c = a.channels;
  const full = a.bitDepth === 16 ? 65535 : 255;
  let sum = 0;
  let largest = 0;
  let n = 0;
  for (let y = box.y; y < box.y + box.height; y++)
    for (let x = box.x; x < box.x + box.width; x++)
      for (let k = 0; k < Math.min(c, 3); k++) {
        const i = (y * a.width + x) * c + k;
        const d = Math.abs(a.data[i]! - b.data[i]!);
        sum += d;
        largest = Math.max(largest, d);
        n++;
      }
  return { max: largest / full, mean: n ? sum / n / full : 0 };
}

/** Mean absolute sample difference of two frames inside `box`, in 0..1 units. */
export function meanAbsDifference(a: RawImage, b: RawImage, box: PixelBox): number {
  return boxDifference(a, b, box).mean;
}

/**
 * Flicker: the output's mean frame-to-frame change inside `box` over the input's. 1
 * means the aged face moves exactly as much as the plate does; above 1, the ageing adds
 * change of its own between frames.
 */
export function flickerRatio(inputs: readonly RawImage[], outputs: readonly RawImage[], box: PixelBox): number {
  if (inputs.length !== outputs.length || inputs.length < 2) throw new Error('flicker needs two or more frame pairs');
  let din = 0;
  let dout = 0;
  for (let i = 1; i < inputs.length; i++) {
    din += meanAbsDifference(inputs[i - 1]!, inputs[i]!, box);
    dout += meanAbsDifference(outputs[i - 1]!, outputs[i]!, box);
  }
  return din > 0 ? dout / din : dout > 0 ? Number.POSITIVE_INFINITY : 1;
}
