/**
 * The AgingModel loadAgingModel returns (aging-model.ts): its methods compose the
 * engine's internals in the order the engine has always run them, so a reconstruction
 * or an aged face is the same whoever asks for it.
 */
import * as tf from '@tensorflow/tfjs';
import {
  ageInFrame,
  frameFace,
  generatorCrop,
  warpFace,
  type AgedFrame,
  type FrameFace,
  type FrameModel,
} from './age-face.js';
import type {
  AgeOptions,
  AgingModel,
  DetailRequest,
  FaceInput,
  FaceOptions,
  GenerateOptions,
  ModelFace,
  Reconstruction,
  ReconstructOptions,
} from './aging-model.js';
import { classifierAgeTerm, fitAgingDetail, steerAging, type AgingGenerator } from './detail.js';
import type { FaceAnalyzer } from './faces.js';
import { encodeLatent, type AgeModel } from './model.js';
import { defaultAnchorWeight, optimiseLatent, regenerate, type GenerateFn } from './optimise.js';
import { StageTimer } from './stage-timer.js';
import type { Point, RawImage } from './types.js';

/** The error for a texture asked of a model without age prototypes. */
export function noPrototypes(model: Pick<AgingModel, 'manifest'>): Error {
  const { name, version } = model.manifest;
  return new Error(
    `model ${name} ${version} has no age prototypes: texture must be 0 (or build them: scripts/build-prototypes.ts)`,
  );
}

class AlignedFace implements ModelFace {
  private encoded: Float32Array | undefined;

  constructor(
    readonly owner: AgeModel,
    readonly crop: tf.Tensor4D,
    readonly timer: StageTimer,
    /** where the face came from, when it came from a frame */
    readonly frame?: FrameFace,
  ) {}

  /** E(x) of this face, computed once: the start and the anchor of every reconstruction of it. */
  encoding(): Float32Array {
    this.encoded ??= this.timer.time('encode', () => encodeLatent(this.owner, this.crop));
    return this.encoded;
  }

  dispose(): void {
    this.crop.dispose();
  }
}

export class AgingModelImpl implements AgingModel {
  readonly manifest: AgeModel['manifest'];
  readonly dir: string;
  readonly hasAgeClassifier: boolean;
  private readonly frameModel: FrameModel;
  private readonly nAges: number;
  /** G(z, y) in inference mode: what stage 3 optimises through and ages with */
  private readonly base: GenerateFn;

  constructor(
    private readonly model: AgeModel,
    readonly analyzer: FaceAnalyzer,
  ) {
    this.manifest = model.manifest;
    this.dir = model.dir;
    this.hasAgeClassifier = !!model.ageClassifier;
    this.nAges = model.manifest.ageCategories.length;
    this.base = (z, y) => model.generate(z, y);
    this.frameModel = {
      size: model.manifest.imageSize,
      template: model.manifest.alignmentTemplate.landmarks.map(([x, y]) => ({ x, y })),
      ...(model.prototypes ? { prototypes: model.prototypes } : {}),
    };
  }

  face(input: FaceInput, options: FaceOptions = {}): ModelFace {
    const timer = options.timer ?? new StageTimer();
    const { size } = this.frameModel;
    if ('crop' in input) {
      if (input.crop.length !== size * size * 3)
        throw new RangeError(`a crop of this model has ${size}x${size}x3 values, got ${input.crop.length}`);
      return new AlignedFace(this.model, tf.tensor4d(input.crop, [1, size, size, 3]), timer);
    }
    return timer.time('align', () => {
      const frame = frameFace(input.image, input.landmarks, this.frameModel.template);
      return new AlignedFace(this.model, generatorCrop(frame, size), timer, frame);
    });
  }

  align(image: RawImage, landmarks: readonly Point[]): tf.Tensor3D {
    return warpFace(frameFace(image, landmarks, this.frameModel.template), this.frameModel.size);
  }

  async reconstruct(face: ModelFace, opts: ReconstructOptions): Promise<Reconstruction> {
    const own = this.own(face);
    let latent: { z: Float32Array; losses: number[]; steps: number };
    if (opts.mode === 'none') latent = { z: opts.z0 ?? own.encoding(), losses: [], steps: 0 };
    else {
      // E(x) of this face: the start, unless warm-starting from the previous frame's z*,
      // and the point stage 3's anchor holds z near when there is one (optimise.ts).
      const anchorWeight = opts.zAnchorWeight ?? defaultAnchorWeight(opts.mode);
      const encoded = opts.z0 && anchorWeight === 0 ? undefined : own.encoding();
      latent = await own.timer.timeAsync(opts.stage ?? 'optimise', () =>
        optimiseLatent({
          generate: this.base,
          target: own.crop,
          ageIndex: opts.sourceIndex,
          z0: opts.z0 ?? encoded!,
          ...(encoded ? { zAnchor: encoded } : {}),
          zAnchorWeight: anchorWeight,
          mode: opts.mode,
          embed: (x) => this.analyzer.faceEmbedding(x),
          steps: opts.steps,
          seed: opts.seed,
          ...(opts.earlyStop === false ? { earlyStop: false as const } : {}),
          ...(opts.signal ? { signal: opts.signal } : {}),
          ...(opts.checkpoints
            ? { checkpoints: opts.checkpoints.after, onCheckpoint: opts.checkpoints.onCheckpoint }
            : {}),
        }),
      );
    }
    const kept = opts.mode === 'none' ? opts.offset : undefined;
    const detail =
      kept ?? (opts.detail && (await this.fitDetail(own, latent.z, opts.sourceIndex, opts.detail, opts.signal)));
    return {
      face,
      sourceIndex: opts.sourceIndex,
      z: latent.z,
      ...(detail ? { detail } : {}),
      ...(opts.detail?.layer !== undefined ? { detailLayer: opts.detail.layer } : {}),
      losses: latent.losses,
      steps: latent.steps,
    };
  }

  age(rec: Reconstruction, target: number, opts: AgeOptions): AgedFrame {
    const own = this.own(rec.face);
    if (!own.frame) throw new Error('age composites into a frame, and this face was given as a crop: use generate');
    if (opts.texture > 0 && !this.frameModel.prototypes) throw noPrototypes(this);
    // in delta compositing a strength of 0 asks nothing of G: its change is zero
    const useGan = opts.composite === 'replace' || opts.strength > 0;
    const aging = useGan ? this.steer(rec, opts.strength) : undefined;
    try {
      return ageInFrame(this.frameModel, own.frame, aging && { generate: aging.generate, z: rec.z }, {
        sourceIndex: rec.sourceIndex,
        targetIndex: target,
        composite: opts.composite,
        texture: opts.texture,
        ...(opts.prototypeGains ? { prototypeGains: opts.prototypeGains } : {}),
        ...(opts.regions ? { regions: opts.regions } : {}),
        timer: own.timer,
        ...(opts.layerOutputs ? { layerOutputs: true } : {}),
      });
    } finally {
      aging?.dispose();
    }
  }

  generate(rec: Reconstruction, target: number, opts: GenerateOptions): tf.Tensor4D {
    this.own(rec.face);
    const aging = this.steer(rec, opts.strength);
    try {
      return regenerate(aging.generate, rec.z, target, this.nAges);
    } finally {
      aging.dispose();
    }
  }

  dispose(): void {
    this.model.dispose();
    this.analyzer.dispose();
  }

  private own(face: ModelFace): AlignedFace {
    if (!(face instanceof AlignedFace) || face.owner !== this.model)
      throw new Error('the face is not one of this model');
    return face;
  }

  /** The offset d for z (detail.ts), with the age term for `request.ageTargets` when the model has its classifier. */
  private fitDetail(
    face: AlignedFace,
    z: Float32Array,
    sourceIndex: number,
    request: DetailRequest,
    signal: AbortSignal | undefined,
  ): Promise<Float32Array> {
    const term = request.ageTargets && classifierAgeTerm(this.model.ageClassifier, request.ageWeight);
    const targets = request.ageTargets ?? [];
    return fitAgingDetail(this.model.generator, {
      target: face.crop,
      z,
      sourceIndex,
      nAges: this.nAges,
      ...(request.d0 ? { d0: request.d0 } : {}),
      ...(request.weight !== undefined ? { detailWeight: request.weight } : {}),
      ...(term
        ? { ageTerm: { ...term, targets, ...(request.jitter !== undefined ? { jitter: request.jitter } : {}) } }
        : {}),
      ...(request.layer !== undefined ? { layer: request.layer } : {}),
      timer: face.timer,
      ...(signal ? { signal } : {}),
    });
  }

  /** G as it ages this reconstruction: with its offset, at `strength`. */
  private steer(rec: Reconstruction, strength: number): AgingGenerator {
    return steerAging(this.model.generator, this.base, {
      ...(rec.detail ? { detail: rec.detail } : {}),
      strength,
      sourceIndex: rec.sourceIndex,
      nAges: this.nAges,
      ...(rec.detailLayer !== undefined ? { layer: rec.detailLayer } : {}),
    });
  }
}
