/**
 * The six Age-cGAN age categories (Antipov et al. 2017). Their order is the
 * one-hot order the networks were trained with: never reorder.
 */
export const AGE_CATEGORIES = ['0-18', '19-29', '30-39', '40-49', '50-59', '60+'] as const;
export type AgeCategory = (typeof AGE_CATEGORIES)[number];

export function isAgeCategory(v: unknown): v is AgeCategory {
  return typeof v === 'string' && (AGE_CATEGORIES as readonly string[]).includes(v);
}

export function ageCategoryIndex(c: AgeCategory): number {
  return AGE_CATEGORIES.indexOf(c);
}

/** Category of an age in whole years (matches training/reage_train/nets.py age_category). */
export function ageToCategory(years: number): AgeCategory {
  if (years <= 18) return '0-18';
  if (years <= 29) return '19-29';
  if (years <= 39) return '30-39';
  if (years <= 49) return '40-49';
  if (years <= 59) return '50-59';
  return '60+';
}

export const RECONSTRUCTION_MODES = ['identity', 'pixel'] as const;
export type ReconstructionMode = (typeof RECONSTRUCTION_MODES)[number];

/**
 * A numeric shot setting's range: the one place the project schema, the IPC schema,
 * the CLI, the engine's own check and the inspector's controls take it from.
 * `slider` is the part of the range the inspector's slider offers (the number field
 * beside it, where there is one, accepts the whole range).
 */
export interface SettingLimits {
  readonly min: number;
  readonly max: number;
  readonly default: number;
  /** whole numbers only */
  readonly integer?: boolean;
  readonly slider?: { readonly min: number; readonly max: number; readonly step: number };
}

/** Age strength: 1 is the model's own age change, 0 none, above 1 beyond it (engine: detail.ts). */
export const STRENGTH_LIMITS = {
  min: 0,
  max: 3,
  default: 1,
  // past 2 the likeness and the image suffer; the CLI still takes the whole range
  slider: { min: 0, max: 2, step: 0.25 },
} as const satisfies SettingLimits;

/**
 * Texture amount of the prototype age layer (engine: prototype-layer.ts): 1 moves the
 * face's fine detail and colour the whole way from the source age's prototype to the
 * target's, 0 leaves them (the paper's pure Age-cGAN change), above 1 beyond.
 */
export const TEXTURE_LIMITS = {
  min: 0,
  max: 2,
  default: 1,
  slider: { min: 0, max: 2, step: 0.05 },
} as const satisfies SettingLimits;

/** Latent-optimisation steps: the engine's budget for a shot's first frame. */
export const STEP_LIMITS = {
  min: 1,
  max: 2000,
  default: 150,
  integer: true,
  slider: { min: 10, max: 1000, step: 10 },
} as const satisfies SettingLimits;

/** Steps for warm-started frames (absent: a quarter of the first frame's, engine: shot.ts). */
export const WARM_STEP_LIMITS = {
  min: 1,
  max: STEP_LIMITS.max,
  default: 15,
  integer: true,
} as const satisfies SettingLimits;

/**
 * How much of the previous frame's latent a shot's frame is aged from (engine: shot.ts):
 * 0 each frame's own optimised latent, higher a steadier change over time that follows
 * the face more slowly. The default was chosen on the footage (docs/EVAL.md, "Latent
 * smoothing").
 */
export const LATENT_SMOOTHING_LIMITS = { min: 0, max: 0.9, default: 0.5 } as const satisfies SettingLimits;

/** The optimiser's random seed (its jitter): a 31-bit whole number. */
export const SEED_LIMITS = { min: 0, max: 2 ** 31 - 1, default: 0, integer: true } as const satisfies SettingLimits;

/** Whether `value` lies in `limits` (and is whole where they say so). */
export function withinSettingLimits(value: number, limits: SettingLimits): boolean {
  return value >= limits.min && value <= limits.max && (!limits.integer || Number.isInteger(value));
}

export const COMPOSITE_MODES = ['delta', 'replace'] as const;
export type CompositeMode = (typeof COMPOSITE_MODES)[number];

export const BACKEND_CHOICES = ['auto', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];
/** What actually runs: tensorflow-gpu and tensorflow are the native tfjs-node bindings. */
export type ActiveBackend = 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';
