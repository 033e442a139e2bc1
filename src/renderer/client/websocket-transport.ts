/**
 * Browser host: requests and events over one WebSocket to 127.0.0.1, with the
 * launch token from the page's URL. The token is then moved from the address bar
 * into sessionStorage (a reload still works; a shared screenshot does not show it).
 * Reconnects with back-off if the host restarts or the socket drops.
 */
import {
  HOST_SOCKET_PATH,
  HOST_TOKEN_PARAM,
  decodeWire,
  encodeWire,
  wsServerMessageSchema,
  type WsClientMessage,
} from '../../shared/ipc.js';
import type { StudioTransport } from './studio-client.js';

const TOKEN_KEY = 'reage.hostToken';

export function takeHostToken(location: Location, storage: Storage, history: History): string | null {
  const url = new URL(location.href);
  const fromUrl = url.searchParams.get(HOST_TOKEN_PARAM);
  if (fromUrl) {
    storage.setItem(TOKEN_KEY, fromUrl);
    url.searchParams.delete(HOST_TOKEN_PARAM);
    history.replaceState(null, '', url.pathname + url.search + url.hash);
    return fromUrl;
  }
  return storage.getItem(TOKEN_KEY);
}

interface Pending {
  resolve(reply: unknown): void;
  reject(error: Error): void;
}

export function websocketTransport(host: string, token: string): StudioTransport {
  const listeners = new Set<(raw: unknown) => void>();
  const pending = new Map<number, Pending>();
  const queue: string[] = [];
  let socket: WebSocket | undefined;
  let nextId = 1;
  let retryMs = 250;

  const connect = () => {
    const ws = new WebSocket(`ws://${host}${HOST_SOCKET_PATH}?${HOST_TOKEN_PARAM}=${encodeURIComponent(token)}`);
    socket = ws;
    ws.onopen = () => {
      retryMs = 250;
      for (const text of queue.splice(0)) ws.send(text);
    };
    ws.onmessage = (e: MessageEvent) => {
      if (typeof e.data !== 'string') return;
      let parsed;
      try {
        parsed = wsServerMessageSchema.safeParse(decodeWire(e.data));
      } catch {
        console.warn('[reage] rejected a WebSocket message that is not JSON');
        return;
      }
      if (!parsed.success) {
        console.warn('[reage] rejected a WebSocket message', parsed.error);
        return;
      }
      const message = parsed.data;
      if (message.kind === 'event') {
        for (const listener of listeners) listener(message.event);
        return;
      }
      if (message.kind === 'rejected') {
        // the host could not tell which request it was: a bug in this client, never the artist's doing
        console.warn(`[reage] the studio host rejected a message: ${message.error.message}`);
        return;
      }
      const waiting = pending.get(message.id);
      pending.delete(message.id);
      waiting?.resolve(message.reply);
    };
    ws.onclose = () => {
      if (socket !== ws) return;
      socket = undefined;
      // requests in flight are lost with the connection; their callers see an error
      for (const waiting of pending.values()) waiting.reject(new Error('lost the connection to the studio host'));
      pending.clear();
      for (const listener of listeners)
        listener({
          type: 'engine',
          status: { state: 'stopped', restarts: 0, message: 'disconnected from the studio host; reconnecting…' },
        });
      setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, 5000);
    };
  };
  connect();

  return {
    kind: 'browser',
    request(method, params) {
      const id = nextId++;
      const message: WsClientMessage = { kind: 'request', id, method, params };
      const text = encodeWire(message);
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        if (socket?.readyState === WebSocket.OPEN) socket.send(text);
        else queue.push(text);
      });
    },
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    // browsers never reveal where a dropped file lives
    pathForFile: () => null,
  };
}
