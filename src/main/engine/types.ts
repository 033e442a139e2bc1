/**
 * Contracts between the engine's modules. The engine is Node-only and has no
 * Electron imports: the CLI, the utility process, the browser host and the
 * tests all drive the same code.
 */
import type { AgeCategory, CompositeMode, ReconstructionMode } from '../../shared/ages.js';

/** A decoded frame, channels interleaved, exactly as the file holds it. */
export interface RawImage {
  width: number;
  height: number;
  /** 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA */
  channels: 1 | 2 | 3 | 4;
  bitDepth: 8 | 16;
  data: Uint8Array | Uint16Array;
}

export interface Point {
  x: number;
  y: number;
}

/** 2x3 similarity/affine matrix mapping (x, y) -> (a*x + b*y + c, d*x + e*y + f). */
export type Affine = [number, number, number, number, number, number];

export interface DetectedFace {
  box: { x: number; y: number; width: number; height: number };
  score: number;
  /** the 68 iBUG landmarks in frame pixel coordinates */
  landmarks: Point[];
}

/** Per-frame settings an artist sets on a shot. */
export interface AgeSettings {
  targetAge: AgeCategory;
  /** 'auto' estimates it once per shot from the first frames with a face */
  sourceAge: AgeCategory | 'auto';
  mode: ReconstructionMode;
  /** after z*, fit a feature offset inside G that keeps what z cannot express (detail.ts) */
  detail: boolean;
  /** age strength: 1 the model's own age change, 0 none, above 1 beyond it (detail.ts) */
  strength: number;
  /**
   * amount of the prototype age layer (prototype-layer.ts): fine detail, skin texture and
   * colour moved from the source age's prototype face to the target's; 0 off (the
   * paper's Age-cGAN change alone), 1 the prototypes' own change, above 1 beyond it
   */
  texture: number;
  composite: CompositeMode;
  /** optimisation step budget for the first frame of a shot */
  steps: number;
  /** step budget for warm-started frames after the first */
  warmSteps?: number;
  seed: number;
}

export interface OptimiseResult {
  z: Float32Array;
  /** loss after each step (index 0 = before the first step) */
  losses: number[];
  steps: number;
  stoppedEarly: boolean;
}

export type FrameStatus = 'done' | 'skipped' | 'no-face' | 'failed';

export interface FrameReport {
  frame: number;
  file: string;
  output?: string;
  status: FrameStatus;
  faceFound: boolean;
  sourceAge?: AgeCategory;
  losses?: { initial: number; final: number; steps: number };
  seconds: number;
  error?: string;
  /** seconds per stage: read, detect, align, encode, optimise, generate, composite, write */
  stages?: Record<string, number>;
}
