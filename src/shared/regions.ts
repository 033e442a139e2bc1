/**
 * Where the age change applies (issue #22): parts of the face the artist can switch
 * off or weaken, and the mask's feather and grow. Shared by the project file, the
 * engine protocol, the plan and the CLI; the geometry is the engine's (face-regions.ts).
 */
import { z } from 'zod';

export const REGION_NAMES = ['eyes', 'mouth', 'lenses', 'forehead', 'neck'] as const;
export type RegionName = (typeof REGION_NAMES)[number];

export const REGION_LABELS: Record<RegionName, string> = {
  eyes: 'Eyes (irises, whites)',
  mouth: 'Mouth interior',
  lenses: 'Glasses lenses',
  forehead: 'Forehead',
  neck: 'Neck',
};

/**
 * How much of the change each region gets, 0 (the plate's own pixels) to 1 (all of
 * it). Eyes and the mouth's interior are off, so teeth, tongue and irises keep the
 * plate; the neck, below the jaw line, is outside the face mask unless given a weight.
 */
export const DEFAULT_REGION_AMOUNTS: Record<RegionName, number> = {
  eyes: 0,
  mouth: 0,
  lenses: 1,
  forehead: 1,
  neck: 0,
};

/** The mask's soft edge as a multiple of the default feather (10% of the eye-to-chin distance). */
export const FEATHER_LIMITS = { min: 0, max: 4, default: 1 } as const;
/** Moves the mask's outline outwards (negative: inwards), as a fraction of the eye-to-chin distance. */
export const GROW_LIMITS = { min: -0.25, max: 0.25, default: 0 } as const;

const amount = z.number().min(0).max(1);

export const regionsSchema = z.object({
  eyes: amount.optional(),
  mouth: amount.optional(),
  lenses: amount.optional(),
  forehead: amount.optional(),
  neck: amount.optional(),
  feather: z.number().min(FEATHER_LIMITS.min).max(FEATHER_LIMITS.max).optional(),
  grow: z.number().min(GROW_LIMITS.min).max(GROW_LIMITS.max).optional(),
});
export type Regions = z.infer<typeof regionsSchema>;
export type ResolvedRegions = Required<Regions>;

/** Every region's amount and the mask's feather and grow, defaults filled in. */
export function resolveRegions(regions: Regions | undefined): ResolvedRegions {
  return {
    ...DEFAULT_REGION_AMOUNTS,
    feather: FEATHER_LIMITS.default,
    grow: GROW_LIMITS.default,
    ...Object.fromEntries(Object.entries(regions ?? {}).filter(([, v]) => v !== undefined)),
  };
}

/**
 * `eyes=0,mouth=0.5,neck=1,feather=1.5,grow=-0.05` (the CLI's --regions): the named
 * parts only; throws naming the bad part.
 */
export function parseRegions(text: string): Regions {
  const out: Record<string, number> = {};
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const m = /^([a-z]+)\s*=\s*(-?[\d.]+)$/i.exec(part);
    if (!m) throw new Error(`"${part}" is not NAME=VALUE (names: ${[...REGION_NAMES, 'feather', 'grow'].join(', ')})`);
    const name = m[1]!.toLowerCase();
    if (!(REGION_NAMES as readonly string[]).includes(name) && name !== 'feather' && name !== 'grow')
      throw new Error(`no region "${m[1]}" (names: ${[...REGION_NAMES, 'feather', 'grow'].join(', ')})`);
    out[name] = Number(m[2]);
  }
  const parsed = regionsSchema.safeParse(out);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = String(issue.path[0]);
    const limits = name === 'feather' ? FEATHER_LIMITS : name === 'grow' ? GROW_LIMITS : { min: 0, max: 1 };
    throw new Error(`${name} must be from ${limits.min} to ${limits.max} (got ${out[name]})`);
  }
  return parsed.data;
}

/** The regions as --regions writes them, only what differs from the defaults; '' when nothing does. */
export function formatRegions(regions: Regions | undefined): string {
  const r = resolveRegions(regions);
  const defaults = resolveRegions(undefined);
  return (Object.keys(r) as (keyof ResolvedRegions)[])
    .filter((k) => r[k] !== defaults[k])
    .map((k) => `${k}=${r[k]}`)
    .join(',');
}
