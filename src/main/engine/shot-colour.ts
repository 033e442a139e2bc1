/**
 * A shot's plate colour space as a display transform (issue #18): the setting's, or for
 * `auto` what the plates say. Resolved once per shot from its first frame, so every
 * frame (and every chunk of a plan, which carries the same setting) converts alike.
 */
import type { ColourSpaceId, ColourSpaceSetting } from '../../shared/colour-space.js';
import { builtinTransform, colourSpaceFromChromaticities, displayTransform } from './colour-spaces.js';
import { isFloatPlate } from './float-plate.js';
import { plateView, type DisplayTransform } from './plate-view.js';
import { InputError, readFrame, type DecodedFrame, type FrameRef } from './sequence-io.js';

/**
 * What `auto` takes a plate to be: integer files (PNG, TIFF, JPEG, DPX) display sRGB;
 * float ones (EXR, float TIFF) scene-linear, in the primaries their `chromaticities`
 * attribute names (AP1, AP0, Rec.709), else Rec.709, the OpenEXR default.
 */
export function autoColourSpace(decoded: DecodedFrame): ColourSpaceId {
  const { stored } = decoded;
  if (!isFloatPlate(stored) || stored.format === 'dpx') return 'srgb';
  const xy = stored.attributes.chromaticities;
  return colourSpaceFromChromaticities(Array.isArray(xy) ? (xy as number[]) : undefined) ?? 'linear-rec709';
}

/** The transform for `setting` on the shot whose first frame is `first` (read only for auto). */
export async function shotTransform(
  setting: ColourSpaceSetting | undefined,
  first: FrameRef,
): Promise<{ transform: DisplayTransform; space: ColourSpaceId | string }> {
  if (setting !== undefined && setting !== 'auto') {
    if (typeof setting === 'string') return { transform: builtinTransform(setting), space: setting };
    try {
      return { transform: await displayTransform(setting), space: setting.ocio.space };
    } catch (err) {
      // a config that is missing or lacks the space: the shot cannot start, say why
      throw new InputError(`colour space: ${(err as Error).message}`, { cause: err });
    }
  }
  // auto on an unreadable first frame: the frame fails when the shot reaches it, say sRGB meanwhile
  const decoded = await readFrame(first).catch(() => undefined);
  const space = decoded ? autoColourSpace(decoded) : 'srgb';
  return { transform: builtinTransform(space), space };
}

/**
 * Read a frame as the engine sees it under `setting`, with the transform that took it
 * there: `auto` decides from this frame itself, so it is read once.
 */
export async function readWithColour(
  ref: FrameRef,
  setting: ColourSpaceSetting | undefined,
): Promise<{ decoded: DecodedFrame; transform: DisplayTransform }> {
  if (setting !== undefined && setting !== 'auto') {
    const { transform } = await shotTransform(setting, ref);
    return { decoded: await readFrame(ref, { transform }), transform };
  }
  const decoded = await readFrame(ref);
  const transform = builtinTransform(autoColourSpace(decoded));
  if (transform.identity && !isFloatPlate(decoded.stored)) return { decoded, transform };
  return { decoded: { ...decoded, image: await plateView(decoded.stored, transform) }, transform };
}
