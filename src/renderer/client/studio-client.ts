/**
 * The renderer's one way to reach the backend, whatever carries the messages
 * (Electron IPC through the preload bridge, or the browser host's WebSocket).
 * Replies and events are validated here, where they arrive; anything that does not
 * fit the protocol is logged and dropped (events) or turned into an error (replies).
 */
import {
  errorInfoSchema,
  parseStudioEvent,
  parseStudioResult,
  studioReplySchema,
  type ErrorCode,
  type StudioEvent,
  type StudioMethod,
  type StudioParams,
  type StudioResult,
} from '../../shared/ipc.js';

/** Carries requests and events; knows nothing of the methods. */
export interface StudioTransport {
  kind: 'electron' | 'browser' | 'test';
  /** resolves with the raw reply ({ ok, result } or { ok: false, error }) */
  request(method: StudioMethod, params: unknown): Promise<unknown>;
  onEvent(listener: (raw: unknown) => void): () => void;
  /** the absolute path of a dropped File, where the platform reveals it */
  pathForFile?(file: File): string | null;
}

/** A failed request, with the backend's reason code (e.g. 'superseded' for a replaced preview). */
export class RequestError extends Error {
  override name = 'RequestError';
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface StudioClient {
  kind: StudioTransport['kind'];
  call<M extends StudioMethod>(method: M, params: StudioParams<M>): Promise<StudioResult<M>>;
  onEvent(listener: (event: StudioEvent) => void): () => void;
  pathForFile(file: File): string | null;
}

export function createStudioClient(transport: StudioTransport): StudioClient {
  return {
    kind: transport.kind,
    async call(method, params) {
      const raw = await transport.request(method, params);
      const reply = studioReplySchema.safeParse(raw);
      if (!reply.success) {
        console.warn(`[reage] rejected a malformed reply to ${method}`, reply.error);
        throw new RequestError('invalid-request', `the backend sent a malformed reply to ${method}`);
      }
      if (!reply.data.ok) {
        const error = errorInfoSchema.parse(reply.data.error);
        throw new RequestError(error.code, error.message);
      }
      const result = parseStudioResult(method, reply.data.result);
      if (!result.ok) {
        console.warn(`[reage] rejected the reply to ${method}: ${result.error}`);
        throw new RequestError('invalid-request', `the backend's reply to ${method} did not fit the protocol`);
      }
      return result.value;
    },
    onEvent(listener) {
      return transport.onEvent((raw) => {
        const event = parseStudioEvent(raw);
        if (event.ok) listener(event.value);
        else console.warn(`[reage] rejected an event: ${event.error}`);
      });
    },
    pathForFile(file) {
      return transport.pathForFile?.(file) ?? null;
    },
  };
}
