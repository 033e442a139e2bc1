/**
 * A shot's plate colour space, as the project file, the engine protocol, the plan and
 * the CLI name it (issue #18). The maths lives in the engine (src/main/engine/colour-spaces.ts);
 * this is the vocabulary both sides share, with no Node or DOM imports.
 *
 * The network sees display-referred sRGB. A plate in another space is converted to it
 * for detection and ageing, and the change is put back in the plate's own space.
 */
import { z } from 'zod';

/** The built-in plate spaces, by id. */
export const COLOUR_SPACE_IDS = ['srgb', 'rec709', 'linear-rec709', 'acescg', 'aces2065-1'] as const;
export type ColourSpaceId = (typeof COLOUR_SPACE_IDS)[number];

/** Menu labels for the built-in spaces. */
export const COLOUR_SPACE_LABELS: Record<ColourSpaceId, string> = {
  srgb: 'sRGB (display)',
  rec709: 'Rec.709 (camera encoding)',
  'linear-rec709': 'Linear sRGB / Rec.709',
  acescg: 'ACEScg (linear AP1)',
  'aces2065-1': 'ACES2065-1 (linear AP0)',
};

/** Other names people type for the built-in spaces (lower case). */
const ALIASES: Record<string, ColourSpaceId> = {
  'linear-srgb': 'linear-rec709',
  linear: 'linear-rec709',
  'lin-srgb': 'linear-rec709',
  'lin-rec709': 'linear-rec709',
  'rec.709': 'rec709',
  bt709: 'rec709',
  aces2065: 'aces2065-1',
  ap0: 'aces2065-1',
  ap1: 'acescg',
};

/** An OpenColorIO config's colour space: the plate's, converted to and from the config's sRGB display space. */
export const ocioColourSpaceSchema = z.object({
  /** the config file (config.ocio) */
  config: z.string().min(1).max(4096),
  /** the plate's colour space, as the config names it */
  space: z.string().min(1).max(256),
  /** the config's display-referred sRGB space; absent, the engine looks for the usual names */
  display: z.string().min(1).max(256).optional(),
});
export type OcioColourSpace = z.infer<typeof ocioColourSpaceSchema>;

/**
 * 'auto' (the default when absent): sRGB for integer plates (PNG, TIFF, JPEG, DPX);
 * for float plates (EXR, float TIFF) the space their chromaticities name, else linear Rec.709.
 */
export const colourSpaceSettingSchema = z.union([
  z.enum(['auto', ...COLOUR_SPACE_IDS]),
  z.object({ ocio: ocioColourSpaceSchema }),
]);
export type ColourSpaceSetting = z.infer<typeof colourSpaceSettingSchema>;

export function isColourSpaceId(text: string): text is ColourSpaceId {
  return (COLOUR_SPACE_IDS as readonly string[]).includes(text);
}

/** A built-in id or 'auto' from what a person typed (case-insensitive, aliases); throws listing the valid ones. */
export function parseColourSpaceName(text: string): ColourSpaceId | 'auto' {
  const key = text.trim().toLowerCase();
  if (key === 'auto') return 'auto';
  if (isColourSpaceId(key)) return key;
  const alias = ALIASES[key];
  if (alias) return alias;
  throw new Error(
    `unknown colour space "${text}": use auto or one of ${COLOUR_SPACE_IDS.join(', ')} (or an OpenColorIO config's space with an OCIO config)`,
  );
}

/** The setting in words, for logs and the inspector. */
export function describeColourSpace(setting: ColourSpaceSetting | undefined): string {
  if (setting === undefined || setting === 'auto') return 'auto';
  if (typeof setting === 'string') return COLOUR_SPACE_LABELS[setting];
  return `${setting.ocio.space} (OCIO ${setting.ocio.config})`;
}
