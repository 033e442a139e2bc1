/**
 * Contracts between the engine's modules. The engine is Node-only and has no
 * Electron imports: the CLI, the utility process, the browser host and the
 * tests all drive the same code.
 */

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

/**
 * The shot settings, a detected face, a frame's report and its status: declared once
 * as the engine protocol's schemas (src/shared/ipc.ts, from the project file's shot
 * settings), named here for the engine's modules.
 */
export type {
  AgeSettingsMessage as AgeSettings,
  DetectedFaceMessage as DetectedFace,
  FrameReportMessage as FrameReport,
  FrameStatus,
} from '../../shared/ipc.js';

export interface OptimiseResult {
  z: Float32Array;
  /** loss after each step (index 0 = before the first step) */
  losses: number[];
  steps: number;
  stoppedEarly: boolean;
}
