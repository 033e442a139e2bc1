/**
 * Ages of exported frames as two independent estimators of human-models (GEAR and
 * faceres-deep, never used by the pipeline) read them, on the face box the plate's own
 * landmarks give, as `reage eval-plates` measures: the same crop for plate and output,
 * so only the picture differs. Needs scripts/fetch-human-models.sh.
 */
import sharp from 'sharp';
import { initBackend } from '../../src/main/engine/backend.js';
import { FaceAnalyzer } from '../../src/main/engine/faces.js';
import type { DetectedFace, RawImage } from '../../src/main/engine/types.js';
import {
  defaultHumanModelsDir,
  loadAgeEstimator,
  type HumanAgeEstimatorId,
} from '../../src/main/eval/age-estimators.js';
import { faceCrop } from '../../src/main/eval/aging.js';

export const AGE_RULERS: readonly HumanAgeEstimatorId[] = ['gear', 'faceres-deep'];

async function readRgb(path: string): Promise<RawImage> {
  const { data, info } = await sharp(path).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, channels: 3, bitDepth: 8, data: new Uint8Array(data) };
}

export type RulerAges = Record<HumanAgeEstimatorId, number>;

/** Per pair of (plate, output) files: each ruler's age of the plate's largest face and of the output there, in years. */
export async function estimatedAges(
  pairs: readonly { plate: string; output: string }[],
): Promise<{ plate: RulerAges; output: RulerAges }[]> {
  await initBackend('auto');
  const analyzer = await FaceAnalyzer.load();
  const rulers = await Promise.all(AGE_RULERS.map((id) => loadAgeEstimator(id, defaultHumanModelsDir())));
  try {
    const read = async (image: RawImage, landmarks: DetectedFace['landmarks']): Promise<RulerAges> => {
      const crop = faceCrop(image, landmarks);
      try {
        const row = {} as RulerAges;
        for (const ruler of rulers) row[ruler.id] = (await ruler.estimate(crop))[0]!;
        return row;
      } finally {
        crop.dispose();
      }
    };
    const ages: { plate: RulerAges; output: RulerAges }[] = [];
    for (const { plate, output } of pairs) {
      const image = await readRgb(plate);
      const [face] = await analyzer.detect(image);
      if (!face) throw new Error(`no face found on ${plate}`);
      ages.push({
        plate: await read(image, face.landmarks),
        output: await read(await readRgb(output), face.landmarks),
      });
    }
    return ages;
  } finally {
    for (const ruler of rulers) ruler.dispose();
  }
}
