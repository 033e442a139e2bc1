/**
 * TEST DOUBLE: a StudioClient answering from handlers the test provides, recording
 * every call, and able to push events. It goes through createStudioClient, so
 * replies are validated exactly as in the app.
 */
import type { StudioEvent, StudioMethod, StudioParams, StudioResult } from '../../src/shared/ipc.js';
import {
  createStudioClient,
  type StudioClient,
  type StudioTransport,
} from '../../src/renderer/client/studio-client.js';

export type Handlers = {
  [M in StudioMethod]?: (params: StudioParams<M>) => StudioResult<M> | Promise<StudioResult<M>>;
};

export interface FakeClient extends StudioClient {
  calls: { method: StudioMethod; params: unknown }[];
  emit(event: StudioEvent | unknown): void;
  callsTo(method: StudioMethod): unknown[];
}

export class FakeError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function fakeClient(handlers: Handlers = {}, kind: StudioTransport['kind'] = 'test'): FakeClient {
  const calls: { method: StudioMethod; params: unknown }[] = [];
  const listeners = new Set<(raw: unknown) => void>();
  const transport: StudioTransport = {
    kind,
    async request(method, params) {
      calls.push({ method, params });
      const handler = handlers[method] as ((p: unknown) => unknown) | undefined;
      if (!handler) return { ok: false, error: { code: 'failed', message: `no handler for ${method}` } };
      try {
        return { ok: true, result: await handler(params) };
      } catch (err) {
        const code = err instanceof FakeError ? err.code : 'failed';
        return { ok: false, error: { code, message: (err as Error).message } };
      }
    },
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  const client = createStudioClient(transport);
  return {
    ...client,
    calls,
    emit: (event) => listeners.forEach((l) => l(event)),
    callsTo: (method) => calls.filter((c) => c.method === method).map((c) => c.params),
  };
}

/** A PNG-ish byte string: the renderer never decodes it in jsdom. */
export const BYTES = new Uint8Array([137, 80, 78, 71]);
