/**
 * Serves the engine protocol (src/shared/ipc.ts) over a parent channel: creates
 * the engine, says 'ready' (or 'startFailed'), then answers validated requests.
 * Requests run concurrently as they arrive (the job queue sends one engine job at
 * a time, but 'info' and 'cancel' must get through while a shot renders); each
 * one has an AbortController that a 'cancel' message trips.
 */
import { parseWorkerRequest, type WorkerMessage, type WorkerRequest } from '../../shared/ipc.js';
import type { PreviewStage, ReAgeEngine } from '../engine/api.js';
import { toErrorInfo } from '../services/errors.js';
import type { ParentChannel } from './channel.js';

export type EngineFactory = () => ReAgeEngine | Promise<ReAgeEngine>;

export interface ServeOptions {
  log?: (line: string) => void;
}

export async function serveEngine(
  channel: ParentChannel,
  createEngine: EngineFactory,
  options: ServeOptions = {},
): Promise<ReAgeEngine | undefined> {
  const log = options.log ?? ((line: string) => console.error(`[engine-worker] ${line}`));
  const running = new Map<string, AbortController>();
  const send = (message: WorkerMessage) => channel.send(message);

  // Messages may arrive while the engine loads; hold them until it is ready.
  let engine: ReAgeEngine | undefined;
  const early: unknown[] = [];
  const handle = (raw: unknown) => {
    const parsed = parseWorkerRequest(raw);
    if (!parsed.ok) {
      log(`rejected a request: ${parsed.error}`);
      return;
    }
    if (engine) void answer(engine, parsed.value);
    else early.push(raw);
  };
  channel.onMessage(handle);

  async function answer(engine: ReAgeEngine, request: WorkerRequest): Promise<void> {
    if (request.type === 'cancel') {
      running.get(request.id)?.abort();
      return;
    }
    if (request.type === 'info') {
      send({ type: 'infoResult', id: request.id, info: engine.info() });
      return;
    }
    const controller = new AbortController();
    running.set(request.id, controller);
    const { signal } = controller;
    try {
      if (request.type === 'preview') {
        const onStage = request.stages
          ? (stage: PreviewStage) => {
              if (!signal.aborted) send({ type: 'previewStage', id: request.id, stage });
            }
          : undefined;
        const result = await engine.preview(request.file, request.frame, request.settings, signal, onStage);
        signal.throwIfAborted();
        send({ type: 'previewResult', id: request.id, result });
      } else if (request.type === 'ageShot') {
        const summary = await engine.ageShot(request.job, {
          signal,
          onFrame: (report) => send({ type: 'frame', id: request.id, report }),
          onProgress: (progress) => send({ type: 'progress', id: request.id, progress }),
        });
        send({ type: 'ageShotResult', id: request.id, summary });
      } else {
        const survey = await engine.surveyShot(request.job, {
          signal,
          onProgress: (progress) => send({ type: 'progress', id: request.id, progress }),
        });
        signal.throwIfAborted();
        send({ type: 'surveyShotResult', id: request.id, survey });
      }
    } catch (err) {
      send({ type: 'error', id: request.id, error: signal.aborted ? toErrorInfo(signal.reason) : toErrorInfo(err) });
    } finally {
      running.delete(request.id);
    }
  }

  try {
    engine = await createEngine();
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    log(`cannot start the engine: ${message}`);
    send({ type: 'startFailed', error: { code: 'engine-unavailable', message } });
    return undefined;
  }
  send({ type: 'ready', info: engine.info() });
  for (const raw of early.splice(0)) handle(raw);
  return engine;
}
