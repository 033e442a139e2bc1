/**
 * The engine: picks the tf backend, loads the Age-cGAN model and face-api's
 * networks once (aging-model.ts), and serves previews and shots. The CLI, the engine
 * worker process (Electron utility process or browser-host child) and the tests all
 * start here.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { ageCategoryIndex, type AgeCategory, type BackendChoice } from '../../shared/ages.js';
import { patternString, splitFrameNumber } from '../../shared/sequence.js';
import type { EngineInfo, PreviewResult, ReAgeEngine, RunHooks, ShotJob, ShotSummary, ShotSurvey } from './api.js';
import { ageFace, loadAgingModel, type AgingModel } from './aging-model.js';
import { initBackend, type BackendInfo } from './backend.js';
import { detectFaces } from './face-track.js';
import { toRgb8 } from './faces.js';
import { checkSettings, runShot, surveyShot } from './shot.js';
import { estimateSourceAge } from './source-age.js';
import { InputError, readFrame, resolveInput, type FrameRef } from './sequence-io.js';
import { StageTimer } from './stage-timer.js';
import type { AgeSettings, RawImage } from './types.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export { defaultModelDir } from './aging-model.js';

function appVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

export interface EngineOptions {
  backend?: BackendChoice;
  modelDir?: string;
}

async function png(image: RawImage): Promise<Uint8Array> {
  const { width, height } = image;
  return new Uint8Array(
    await sharp(toRgb8(image), { raw: { width, height, channels: 3 } })
      .png()
      .toBuffer(),
  );
}

class Engine implements ReAgeEngine {
  /** one job at a time: the networks and the tf backend are shared state */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly sequenceAges = new Map<string, AgeCategory>();

  /** the loaded model's manifest hash, which a shot plan pins */
  private readonly manifestSha256: string;

  constructor(
    private readonly model: AgingModel,
    private readonly backend: BackendInfo,
  ) {
    this.manifestSha256 = createHash('sha256')
      .update(readFileSync(join(model.dir, 'manifest.json')))
      .digest('hex');
  }

  info(): EngineInfo {
    const { manifest, dir } = this.model;
    return {
      backend: this.backend.name,
      backendDetails: this.backend,
      model: {
        name: manifest.name,
        version: manifest.version,
        imageSize: manifest.imageSize,
        categories: manifest.ageCategories,
        path: dir,
        trained: manifest.trained,
        manifestSha256: this.manifestSha256,
        knownDefects: manifest.knownDefects ?? [],
      },
      versions: { app: appVersion(), tfjs: tf.version.tfjs, node: process.version },
    };
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  preview(file: string, frame: number, settings: AgeSettings, signal?: AbortSignal): Promise<PreviewResult> {
    return this.serial(async () => {
      checkSettings(settings);
      const started = performance.now();
      const ref = { frame, path: file };
      const { image } = await readFrame(ref);
      const [face] = await detectFaces(this.model.analyzer, image);
      const before = await png(image);
      const base = { frame, file, width: image.width, height: image.height, beforePng: before };
      if (!face) return { ...base, afterPng: before, seconds: (performance.now() - started) / 1000 };
      const sourceAge = settings.sourceAge === 'auto' ? await this.shotSourceAge(ref, signal) : settings.sourceAge;
      if (!sourceAge) throw new InputError(`no age estimate for frame ${frame} (${file})`);
      const aged = await ageFace(this.model, {
        image,
        landmarks: face.landmarks,
        sourceIndex: ageCategoryIndex(sourceAge),
        targetIndex: ageCategoryIndex(settings.targetAge),
        mode: settings.mode,
        detail: settings.detail,
        strength: settings.strength,
        texture: settings.texture,
        composite: settings.composite,
        steps: settings.steps,
        seed: settings.seed,
        ...(signal ? { signal } : {}),
        timer: new StageTimer(),
      });
      return {
        ...base,
        afterPng: await png(aged.output),
        face,
        maskOutline: aged.mask.polygon,
        sourceAge,
        losses: aged.losses,
        seconds: (performance.now() - started) / 1000,
      };
    });
  }

  /**
   * 'auto' source age for a preview, estimated as an export of the whole sequence the
   * frame belongs to estimates it (frames spread over the shot), so the preview and the
   * export age from the same category. Remembered per sequence.
   */
  private async shotSourceAge(ref: FrameRef, signal?: AbortSignal): Promise<AgeCategory | undefined> {
    const numbered = splitFrameNumber(ref.path);
    const pattern = numbered && patternString({ ...numbered, padding: numbered.digits.length });
    const known = pattern ? this.sequenceAges.get(pattern) : undefined;
    if (known) return known;
    const refs = pattern ? await resolveInput(pattern).catch(() => [ref]) : [ref];
    const age = await estimateSourceAge(this.model.analyzer, refs, signal);
    if (pattern && age) this.sequenceAges.set(pattern, age);
    return age;
  }

  ageShot(job: ShotJob, hooks?: RunHooks): Promise<ShotSummary> {
    return this.serial(() => runShot({ model: this.model, backend: this.backend.name }, job, hooks));
  }

  surveyShot(job: ShotJob, hooks?: RunHooks, facesAt?: readonly number[]): Promise<ShotSurvey> {
    return this.serial(() => surveyShot({ model: this.model, backend: this.backend.name }, job, hooks, facesAt));
  }

  dispose(): void {
    this.model.dispose();
  }
}

/**
 * Load everything the engine needs. Throws ModelError (naming the file and the
 * problem) for a missing, corrupt or mismatched model, and a plain Error naming the
 * backend when a forced backend cannot start.
 */
export async function createEngine(options: EngineOptions = {}): Promise<ReAgeEngine> {
  const backend = await initBackend(options.backend);
  const model = await loadAgingModel(options.modelDir !== undefined ? { modelDir: options.modelDir } : {});
  return new Engine(model, backend);
}
