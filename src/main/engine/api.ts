/**
 * The engine's public face: what the CLI, the engine worker process (Electron
 * utility process or browser-host child) and the tests call. Implemented by
 * `createEngine` in engine.ts.
 */
import type {
  EngineInfoMessage as EngineInfo,
  PreviewResultMessage as PreviewResult,
  PreviewStageMessage as PreviewStage,
  ShotJobMessage as ShotJob,
  ShotProgressMessage as ShotProgress,
  ShotSummaryMessage as ShotSummary,
  ShotSurveyMessage as ShotSurvey,
} from '../../shared/ipc.js';
import type { FaceMask } from './composite.js';
import type { AgeSettings, FrameReport, Point, RawImage } from './types.js';

/**
 * The data the engine takes and gives, declared once as the engine protocol's
 * schemas (src/shared/ipc.ts): a worker in another process and a caller in this one
 * see the same shapes, and the worker validates them at the boundary.
 */
export type {
  EngineInfoMessage as EngineInfo,
  ShotJobMessage as ShotJob,
  ShotProgressMessage as ShotProgress,
  ShotSummaryMessage as ShotSummary,
  ShotSurveyMessage as ShotSurvey,
  PreviewResultMessage as PreviewResult,
  PreviewStageMessage as PreviewStage,
} from '../../shared/ipc.js';

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
  /**
   * One frame aged, as the export would age it. With `onStage`, a progressive preview:
   * the pictures on the way to the result come first, each as soon as it is ready (the
   * encoder's, or a solved neighbour's when warm-started, then after some of the
   * optimiser's updates), none after the result or once aborted. A frame of a shot
   * solved before with the same reconstruction settings is warm-started from the
   * nearest solved frame's latent (PreviewResult.warmStartFrame).
   */
  preview(
    file: string,
    frame: number,
    settings: AgeSettings,
    signal?: AbortSignal,
    onStage?: (stage: PreviewStage) => void,
  ): Promise<PreviewResult>;
  ageShot(job: ShotJob, hooks?: RunHooks): Promise<ShotSummary>;
  /**
   * Follow the face through the job's frames (only `facesAt`, when given) and estimate
   * the source age over all of them, ageing nothing: a shot plan's facts.
   */
  surveyShot(job: ShotJob, hooks?: RunHooks, facesAt?: readonly number[]): Promise<ShotSurvey>;
  dispose(): void;
}
