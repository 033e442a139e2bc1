/**
 * Face analysis with @vladmandic/face-api's shipped networks, loaded from disk into
 * the project's one tf instance: SSD MobileNet v1 detector, 68-point landmarks,
 * age/gender, and the 128-d dlib-ResNet recogniser (differentiable, for the
 * identity-preserving optimiser).
 *
 * Which face-api build: `dist/face-api.node-wasm.js` is CommonJS and `require`s
 * '@tensorflow/tfjs' and '@tensorflow/tfjs-backend-wasm' (no bundled tf), which
 * resolve to the very CJS modules our ESM `import * as tf` gets, so its tensors are
 * our tensors (checked at load). `dist/face-api.esm-nobundle.js` does not load in Node
 * ESM: it imports '@tensorflow/tfjs/dist/index.js', whose extensionless internal
 * imports Node rejects (and that would be a second, ESM copy of tf anyway). The default
 * `face-api.node.js` needs tfjs-node, which is optional.
 *
 * Weights are read with fs from the package's `model/` folder: manifest + .bin, decoded
 * by tf.io.decodeWeights and handed to each net's loadFromWeightMap. No fetch, no network.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from './backend.js';
import type { DetectedFace, Point, RawImage } from './types.js';

// ------------------------------------------------------------ face-api, typed at the boundary
// face-api's own .d.ts bundles a private copy of tf's types, incompatible with ours, so
// the few members used here are declared against the project's tf.

interface FaceApiNet {
  loadFromWeightMap(weights: tf.NamedTensorMap): void;
  dispose(throwOnRedispose?: boolean): void;
}
interface SsdMobilenetv1 extends FaceApiNet {
  locateFaces(
    input: tf.Tensor3D,
    options: { minConfidence?: number; maxResults?: number },
  ): Promise<{ score: number; box: Box }[]>;
}
interface FaceLandmark68Net extends FaceApiNet {
  detectLandmarks(input: tf.Tensor3D): Promise<{ positions: Point[] }>;
}
interface AgeGenderNet extends FaceApiNet {
  predictAgeAndGender(input: tf.Tensor3D): Promise<{ age: number; gender: string; genderProbability: number }>;
}
interface FaceRecognitionNet extends FaceApiNet {
  forwardInput(input: NetInput): tf.Tensor2D;
}
type NetInput = { readonly batchSize: number };
interface FaceApi {
  tf: { Tensor: unknown };
  SsdMobilenetv1: new () => SsdMobilenetv1;
  FaceLandmark68Net: new () => FaceLandmark68Net;
  AgeGenderNet: new () => AgeGenderNet;
  FaceRecognitionNet: new () => FaceRecognitionNet;
  NetInput: new (inputs: tf.Tensor3D[]) => NetInput;
}
type Box = DetectedFace['box'];

const require = createRequire(import.meta.url);
let faceApiModule: FaceApi | undefined;

function faceApi(): FaceApi {
  if (!faceApiModule) {
    const fa = require('@vladmandic/face-api/dist/face-api.node-wasm.js') as FaceApi;
    // A second tfjs copy (e.g. a nested node_modules) would run face-api on its own
    // engine: tensors would not mix and gradients would not flow. Refuse early.
    if (fa.tf.Tensor !== tf.Tensor) {
      throw new Error(
        '@vladmandic/face-api resolved a different @tensorflow/tfjs than the engine; dedupe node_modules (npm dedupe)',
      );
    }
    faceApiModule = fa;
  }
  return faceApiModule;
}

/** The weights shipped in @vladmandic/face-api's `model/` folder. */
export function faceApiModelDir(): string {
  return join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'model');
}

interface WeightsGroup {
  paths: string[];
  weights: tf.io.WeightsManifestEntry[];
}

/** Read `<name>-weights_manifest.json` and its shards from disk into named tensors. */
export function readWeightMap(dir: string, name: string): tf.NamedTensorMap {
  const manifest = JSON.parse(readFileSync(join(dir, `${name}-weights_manifest.json`), 'utf8')) as WeightsGroup[];
  const specs: tf.io.WeightsManifestEntry[] = [];
  const shards: ArrayBuffer[] = [];
  for (const group of manifest) {
    specs.push(...group.weights);
    for (const p of group.paths) {
      const b = readFileSync(join(dir, p));
      // a Buffer may be a view into a shared pool: copy out exactly its bytes
      shards.push(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer);
    }
  }
  return tf.io.decodeWeights(tf.io.concatenateArrayBuffers(shards), specs);
}

function loadNet<T extends FaceApiNet>(net: T, dir: string, name: string): T {
  net.loadFromWeightMap(readWeightMap(dir, name));
  return net;
}

// ------------------------------------------------------------ images

/** A frame as a RawImage, or an RGB [H,W,3] tensor with values 0..255. */
export type FaceImage = RawImage | tf.Tensor3D;

/**
 * 8-bit interleaved RGB from any RawImage: gray is replicated, alpha dropped (the
 * networks were trained on opaque photos), 16-bit rounded to 8-bit.
 */
export function toRgb8(image: RawImage): Uint8Array {
  const { width, height, channels, data } = image;
  const n = width * height;
  if (data.length !== n * channels) {
    throw new Error(
      `RawImage data has ${data.length} values, expected ${width}x${height}x${channels} = ${n * channels}`,
    );
  }
  const scale = image.bitDepth === 16 ? 255 / 65535 : 1;
  const out = new Uint8Array(n * 3);
  const gray = channels < 3;
  for (let i = 0; i < n; i++) {
    const s = i * channels;
    for (let c = 0; c < 3; c++) out[i * 3 + c] = Math.round(data[gray ? s : s + c]! * scale);
  }
  return out;
}

/** The detector's input: [H,W,3] int32 RGB 0..255. */
export function rgbTensor(image: RawImage): tf.Tensor3D {
  return tf.tensor3d(toRgb8(image), [image.height, image.width, 3], 'int32');
}

/** Run `fn` on the image as a tensor, disposing it afterwards if it was made here. */
async function withTensor<T>(image: FaceImage, fn: (t: tf.Tensor3D) => Promise<T>): Promise<T> {
  if (image instanceof tf.Tensor) return fn(image);
  const t = rgbTensor(image);
  try {
    return await fn(t);
  } finally {
    t.dispose();
  }
}

/** Integer pixel box clipped to the image; undefined when nothing is left. */
function clipBox(b: Box, width: number, height: number): Box | undefined {
  const x = Math.max(0, Math.floor(b.x));
  const y = Math.max(0, Math.floor(b.y));
  const w = Math.min(width, Math.ceil(b.x + b.width)) - x;
  const h = Math.min(height, Math.ceil(b.y + b.height)) - y;
  return w > 0 && h > 0 ? { x, y, width: w, height: h } : undefined;
}

async function onCrop<T>(
  image: tf.Tensor3D,
  box: Box,
  fn: (crop: tf.Tensor3D) => Promise<T>,
): Promise<{ box: Box; value: T } | undefined> {
  const [h, w] = image.shape;
  const b = clipBox(box, w, h);
  if (!b) return undefined;
  const crop = tf.slice(image, [b.y, b.x, 0], [b.height, b.width, 3]);
  try {
    return { box: b, value: await fn(crop) };
  } finally {
    crop.dispose();
  }
}

// ------------------------------------------------------------ recogniser

/** Side of the square the recogniser works at; other sizes are padded and resized. */
export const EMBEDDING_INPUT_SIZE = 150;

/**
 * face-api's FaceRecognitionNet (dlib's ResNet-34-like face descriptor), run so that
 * tf.grad can differentiate through it: computeFaceDescriptor reads the result back
 * with data(), so instead the net's own forward is called on a tensor.
 */
export class FaceRecogniser {
  private constructor(private readonly net: FaceRecognitionNet) {}

  static async load(modelDir = faceApiModelDir()): Promise<FaceRecogniser> {
    await initBackend();
    return new FaceRecogniser(loadNet(new (faceApi().FaceRecognitionNet)(), modelDir, 'face_recognition_model'));
  }

  /**
   * 128-d descriptors, differentiable w.r.t. `x`.
   *
   * x: [N,150,150,3] RGB, float, 0..255 (NOT 0..1): the net subtracts its RGB mean
   * (122.8, 117.0, 104.3) and divides by 255 itself. A non-square or other-sized
   * input is zero-padded to a square and bilinearly resized to 150 by face-api, which
   * stays differentiable but is slower; pass 150x150. Faces should be framed as
   * face-api frames them: the landmarks' bounding box grown by 20%.
   * Output: [N,128], not normalised; distances under ~0.6 mean the same person.
   */
  faceEmbedding(x: tf.Tensor4D): tf.Tensor2D {
    if (x.rank !== 4 || x.shape[3] !== 3)
      throw new Error(`faceEmbedding expects [N,H,W,3], got [${x.shape.join(',')}]`);
    const fa = faceApi();
    return tf.tidy(() => {
      const xf = tf.cast(x, 'float32');
      // tfjs passes a one-output op's gradient as a bare tensor, which Unpack's gradient
      // (stack) rejects: unstack of a batch of one is not differentiable, so squeeze it.
      const faces = xf.shape[0] === 1 ? [tf.squeeze(xf, [0]) as tf.Tensor3D] : (tf.unstack(xf) as tf.Tensor3D[]);
      return this.net.forwardInput(new fa.NetInput(faces));
    });
  }

  dispose(): void {
    this.net.dispose(false);
  }
}

// ------------------------------------------------------------ analyser

export interface FaceAnalyzerOptions {
  /** folder with face-api's weight manifests; defaults to the installed package's */
  modelDir?: string;
  /** detector score threshold (default 0.5, face-api's) */
  minConfidence?: number;
  /** most faces returned per frame (default 10) */
  maxFaces?: number;
}

/** face-api frames a face for age and identity as the landmarks' box grown by 20%. */
export function faceFrame(landmarks: readonly Point[], padding = 0.2): Box {
  const xs = landmarks.map((p) => p.x);
  const ys = landmarks.map((p) => p.y);
  const x0 = Math.min(...xs);
  const y0 = Math.min(...ys);
  const w = Math.max(...xs) - x0;
  const h = Math.max(...ys) - y0;
  return { x: x0 - (w * padding) / 2, y: y0 - (h * padding) / 2, width: w * (1 + padding), height: h * (1 + padding) };
}

export class FaceAnalyzer {
  private constructor(
    private readonly detector: SsdMobilenetv1,
    private readonly landmarker: FaceLandmark68Net,
    private readonly ageGender: AgeGenderNet,
    readonly recogniser: FaceRecogniser,
    private readonly opts: Required<Pick<FaceAnalyzerOptions, 'minConfidence' | 'maxFaces'>>,
  ) {}

  static async load(opts: FaceAnalyzerOptions = {}): Promise<FaceAnalyzer> {
    await initBackend();
    const dir = opts.modelDir ?? faceApiModelDir();
    const fa = faceApi();
    return new FaceAnalyzer(
      loadNet(new fa.SsdMobilenetv1(), dir, 'ssd_mobilenetv1_model'),
      loadNet(new fa.FaceLandmark68Net(), dir, 'face_landmark_68_model'),
      loadNet(new fa.AgeGenderNet(), dir, 'age_gender_model'),
      await FaceRecogniser.load(dir),
      { minConfidence: opts.minConfidence ?? 0.5, maxFaces: opts.maxFaces ?? 10 },
    );
  }

  /**
   * Faces in a frame, largest first, with 68 iBUG landmarks in frame pixel coordinates
   * (continuous: a pixel's centre is at +0.5). The landmark net sees the detector's box,
   * as in face-api's own detectAllFaces().withFaceLandmarks().
   */
  async detect(image: FaceImage): Promise<DetectedFace[]> {
    return withTensor(image, async (img) => {
      const found = await this.detector.locateFaces(img, {
        minConfidence: this.opts.minConfidence,
        maxResults: this.opts.maxFaces,
      });
      const faces: DetectedFace[] = [];
      for (const det of found) {
        const r = await onCrop(img, det.box, (crop) => this.landmarker.detectLandmarks(crop));
        if (!r) continue;
        faces.push({
          box: { x: det.box.x, y: det.box.y, width: det.box.width, height: det.box.height },
          score: det.score,
          landmarks: r.value.positions.map((p) => ({ x: p.x + r.box.x, y: p.y + r.box.y })),
        });
      }
      return faces.sort((a, b) => b.box.width * b.box.height - a.box.width * a.box.height);
    });
  }

  /**
   * The 68 landmarks of a face whose place is already known (an aligned training chip),
   * without the detector: the landmark net sees `box` as it would a detection.
   */
  async landmarksInBox(image: FaceImage, box: Box): Promise<Point[] | undefined> {
    const r = await withTensor(image, (img) => onCrop(img, box, (crop) => this.landmarker.detectLandmarks(crop)));
    return r?.value.positions.map((p) => ({ x: p.x + r.box.x, y: p.y + r.box.y }));
  }

  /** Apparent age in years from face-api's age/gender net, on the face-api face frame. */
  async estimateAge(image: FaceImage, face: DetectedFace): Promise<number> {
    const r = await withTensor(image, (img) =>
      onCrop(img, faceFrame(face.landmarks), (crop) => this.ageGender.predictAgeAndGender(crop)),
    );
    if (!r) throw new Error('estimateAge: the face lies outside the image');
    return r.value.age;
  }

  /** See FaceRecogniser.faceEmbedding. */
  faceEmbedding(x: tf.Tensor4D): tf.Tensor2D {
    return this.recogniser.faceEmbedding(x);
  }

  dispose(): void {
    for (const net of [this.detector, this.landmarker, this.ageGender]) net.dispose(false);
    this.recogniser.dispose();
  }
}
