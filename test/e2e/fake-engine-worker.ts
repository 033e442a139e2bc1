/**
 * TEST DOUBLE: an engine worker for the viewer's end-to-end test (test/e2e/viewer.test.ts),
 * run by the browser host through REAGE_WORKER. It speaks the real worker protocol
 * (serveEngine) and answers a preview at once: B is the plate with a known change, +40
 * on every channel inside FACE_BOX, so the test knows exactly what |B−A| must be;
 * the matte is white there and black elsewhere.
 * It renders no shots.
 */
import sharp from 'sharp';
import type { EngineInfo, PreviewResult, ReAgeEngine } from '../../src/main/engine/api.js';
import { connectToParent } from '../../src/main/worker/channel.js';
import { serveEngine } from '../../src/main/worker/serve.js';
import { FACE_BOX, FACE_CHANGE } from './fake-face.js';

const info: EngineInfo = {
  backend: 'cpu',
  model: {
    name: 'fake-viewer-engine',
    version: '0.0.0',
    imageSize: 64,
    categories: [],
    path: '/fake',
    trained: true,
    knownDefects: [],
  },
  versions: { app: '0.0.0', tfjs: '0.0.0', node: process.version },
};

async function preview(file: string, frame: number): Promise<PreviewResult> {
  const started = Date.now();
  const { data, info: raw } = await sharp(file).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const after = Buffer.from(data);
  for (let y = FACE_BOX.y; y < FACE_BOX.y + FACE_BOX.height; y++)
    for (let x = FACE_BOX.x; x < FACE_BOX.x + FACE_BOX.width; x++)
      for (let c = 0; c < 3; c++) {
        const i = (y * raw.width + x) * 3 + c;
        after[i] = Math.min(255, after[i]! + FACE_CHANGE);
      }
  const png = (pixels: Buffer, channels: 1 | 3 = 3) =>
    sharp(pixels, { raw: { width: raw.width, height: raw.height, channels } })
      .png()
      .toBuffer();
  // the matte: all of the change inside FACE_BOX, none outside
  const matte = Buffer.alloc(raw.width * raw.height);
  for (let y = FACE_BOX.y; y < FACE_BOX.y + FACE_BOX.height; y++)
    matte.fill(255, y * raw.width + FACE_BOX.x, y * raw.width + FACE_BOX.x + FACE_BOX.width);
  return {
    frame,
    file,
    width: raw.width,
    height: raw.height,
    beforePng: new Uint8Array(await png(data)),
    afterPng: new Uint8Array(await png(after)),
    mattePng: new Uint8Array(await png(matte, 1)),
    face: { box: FACE_BOX, score: 0.99, landmarks: [] },
    sourceAge: '30-39',
    seconds: (Date.now() - started) / 1000,
  };
}

const engine: ReAgeEngine = {
  info: () => info,
  preview: (file, frame) => preview(file, frame),
  ageShot: () => Promise.reject(new Error('the fake viewer engine renders no shots')),
  surveyShot: () => Promise.reject(new Error('the fake viewer engine surveys no shots')),
  dispose: () => {},
};

const channel = connectToParent();
channel.onDisconnect(() => process.exit(0));
await serveEngine(channel, () => engine);
