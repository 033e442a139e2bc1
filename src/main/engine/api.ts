/**
 * The engine's public face: what the CLI, the engine worker process (Electron
 * utility process or browser-host child) and the tests call. Implemented by
 * `createEngine` in engine.ts.
 */
import type { ActiveBackend, AgeCategory } from '../../shared/ages.js';
import type { KnownDefect } from '../../shared/known-defects.js';
import type { BackendInfo } from './backend.js';
import type { FaceMask } from './composite.js';
import type { AgeSettings, DetectedFace, FrameReport, Point, RawImage } from './types.js';

export interface EngineInfo {
  backend: ActiveBackend;
  /** SIMD/threads of wasm, and the faster backends tried first with why each was unusable */
  backendDetails?: BackendInfo;
  model: {
    name: string;
    version: string;
    imageSize: number;
    categories: readonly string[];
    path: string;
    trained: boolean;
    /** flaws its evaluation found at particular target ages (the manifest's knownDefects) */
    knownDefects: KnownDefect[];
  };
  versions: { app: string; tfjs: string; node: string };
}

export interface ShotJob {
  /** a folder, a pattern (name.####.ext, name.%04d.ext, name.@@@@.ext) or a list of files */
  input: string | string[];
  /** frame range, e.g. "1001-1010" or "1001,1003-1005"; all frames when absent */
  frames?: string;
  /**
   * all frames of the shot these frames belong to (a range, as `frames`), when the job
   * renders part of it (the rest of a resumed export, a farm chunk): a frame whose
   * predecessor in the shot is not rendered just before it is pre-rolled from the
   * shot's frames before it, as an uninterrupted render would have reached it
   */
  shotFrames?: string;
  /** output folder (input names kept) or pattern */
  out: string;
  settings: AgeSettings;
  /** skip frames whose output already exists and is complete */
  resume?: boolean;
  /** output bit depth; the plate's own when absent (JPEG is always 8-bit) */
  bitDepth?: 8 | 16;
}

export interface ShotProgress {
  done: number;
  total: number;
  frame: number;
  etaSeconds: number | null;
  backend: ActiveBackend;
}

export interface ShotSummary {
  total: number;
  done: number;
  skipped: number;
  noFace: number;
  failed: number;
  failures: FrameReport[];
  seconds: number;
  backend: ActiveBackend;
  sourceAge?: AgeCategory;
}

export interface PreviewResult {
  frame: number;
  file: string;
  width: number;
  height: number;
  /** 8-bit RGB PNG bytes of the plate and of the aged frame, for display */
  beforePng: Uint8Array;
  afterPng: Uint8Array;
  face?: DetectedFace;
  /** mask outline in frame pixels, for the viewer's overlay */
  maskOutline?: { x: number; y: number }[];
  sourceAge?: AgeCategory;
  losses?: number[];
  seconds: number;
}

export interface RunHooks {
  signal?: AbortSignal;
  onFrame?: (report: FrameReport) => void;
  onProgress?: (progress: ShotProgress) => void;
  /**
   * In-process only (never crosses the IPC): each aged frame's face as composited, with
   * the mask it was composited under, for evaluation (scripts/eval-plates.ts).
   */
  onAged?: (aged: { frame: number; input: RawImage; output: RawImage; mask: FaceMask; landmarks: Point[] }) => void;
}

export interface ReAgeEngine {
  info(): EngineInfo;
  preview(file: string, frame: number, settings: AgeSettings, signal?: AbortSignal): Promise<PreviewResult>;
  ageShot(job: ShotJob, hooks?: RunHooks): Promise<ShotSummary>;
  dispose(): void;
}
