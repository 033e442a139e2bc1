/**
 * Compile-time proof that the engine protocol's schemas (src/shared/ipc.ts) and
 * the engine's own types (src/main/engine/api.ts, types.ts) describe the same
 * data. src/shared cannot import engine code, so the check lives here: if either
 * side changes, `tsc` fails on the line below that no longer holds.
 *
 * Direction matters: what the worker receives (settings, jobs) must be accepted by
 * the engine; what the engine returns (info, previews, reports) must pass the schema.
 */
import type {
  AgeSettingsMessage,
  EngineInfoMessage,
  FrameReportMessage,
  PreviewResultMessage,
  ShotJobMessage,
  ShotProgressMessage,
  ShotSummaryMessage,
} from '../../shared/ipc.js';
import type { EngineInfo, PreviewResult, ShotJob, ShotProgress, ShotSummary } from '../engine/api.js';
import type { AgeSettings, FrameReport } from '../engine/types.js';

type Assignable<From, To> = [From] extends [To] ? true : false;
type Holds<T extends true> = T;

export type ProtocolMatchesEngine = [
  Holds<Assignable<AgeSettingsMessage, AgeSettings>>,
  Holds<Assignable<AgeSettings, AgeSettingsMessage>>,
  Holds<Assignable<ShotJobMessage, ShotJob>>,
  Holds<Assignable<ShotJob, ShotJobMessage>>,
  Holds<Assignable<EngineInfo, EngineInfoMessage>>,
  Holds<Assignable<PreviewResult, PreviewResultMessage>>,
  Holds<Assignable<FrameReport, FrameReportMessage>>,
  Holds<Assignable<ShotProgress, ShotProgressMessage>>,
  Holds<Assignable<ShotSummary, ShotSummaryMessage>>,
];
