/**
 * The plate as the network sees it: display-referred sRGB.
 *
 * A plate is in whatever colour space the studio works in (src/main/engine/colour-spaces.ts
 * names the built-in ones and reaches OCIO configs); a DisplayTransform takes its pixels to
 * the engine's display sRGB and back.
 */

export interface DisplayTransform {
  /** true when the plate's encoding is the engine's own (sRGB display): integer plates then pass as they are */
  readonly identity: boolean;
  /** plate-space RGB (interleaved float) -> display-referred sRGB RGB, unclamped */
  toDisplay(rgb: Float32Array): Promise<Float32Array>;
  /** the inverse */
  fromDisplay(rgb: Float32Array): Promise<Float32Array>;
}

/** The plate is already display sRGB: both directions return a copy of their input. */
export const IDENTITY_TRANSFORM: DisplayTransform = Object.freeze({
  identity: true,
  toDisplay: (rgb: Float32Array) => Promise.resolve(rgb.slice()),
  fromDisplay: (rgb: Float32Array) => Promise.resolve(rgb.slice()),
});
