/**
 * The browser host: the studio's renderer served to a local browser, talking to
 * the same StudioBackend as the Electron app over a WebSocket instead of IPC.
 *
 * Listens on 127.0.0.1 only. Each launch makes a random token that the printed
 * URL carries; WebSocket connections without it are refused, and so are requests
 * whose Host or Origin is not this server (DNS rebinding, other sites' pages).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { z } from 'zod';
import {
  HOST_SOCKET_PATH,
  HOST_TOKEN_PARAM,
  decodeWire,
  encodeWire,
  wsClientMessageSchema,
  type StudioEvent,
  type WsClientMessage,
  type WsServerMessage,
} from '../../shared/ipc.js';
import { contentSecurityPolicy } from '../services/app-content.js';
import { silentLogger, type Logger } from '../services/log.js';
import type { StudioBackend } from '../services/studio-backend.js';
import { staticFiles } from './static-files.js';

export interface HostOptions {
  backend: Pick<StudioBackend, 'handle' | 'onEvent'>;
  /** the built renderer (vite output) */
  staticDir: string;
  /** 0 picks a free port */
  port?: number;
  /** fixed token for tests; random otherwise */
  token?: string;
  log?: Logger;
  /** the largest WebSocket message accepted; MAX_MESSAGE_BYTES unless a test needs a small one */
  maxMessageBytes?: number;
}

export interface RunningHost {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

/** Previews and frames are a few MB as base64; larger messages close the connection (code 1009). */
export const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

function sameToken(given: string | null, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

type Envelope = { ok: true; value: WsClientMessage } | { ok: false; error: string; id?: number };

/** A request envelope from a WebSocket text message; the id, when one can be read, lets an invalid one be answered. */
function readEnvelope(text: string): Envelope {
  let raw: unknown;
  try {
    raw = decodeWire(text);
  } catch {
    return { ok: false, error: 'the message is not JSON' };
  }
  const parsed = wsClientMessageSchema.safeParse(raw);
  if (parsed.success) return { ok: true, value: parsed.data };
  const id = (raw as { id?: unknown } | null)?.id;
  return {
    ok: false,
    error: `not a request envelope: ${z.prettifyError(parsed.error)}`,
    ...(Number.isSafeInteger(id) && (id as number) >= 0 ? { id: id as number } : {}),
  };
}

function refuse(socket: Duplex, status: string): void {
  socket.write(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  socket.destroy();
}

export async function startHost(options: HostOptions): Promise<RunningHost> {
  const log = options.log ?? silentLogger;
  const token = options.token ?? randomBytes(24).toString('base64url');
  let port = 0;
  // the page may open sockets to this server only (the port is known once it listens)
  const serveFile = staticFiles(options.staticDir, {
    csp: () => contentSecurityPolicy({ connectSrc: [`ws://127.0.0.1:${port}`, `ws://localhost:${port}`] }),
  });
  const allowedHosts = () => [`127.0.0.1:${port}`, `localhost:${port}`];
  const hostAllowed = (req: IncomingMessage) => allowedHosts().includes(req.headers.host ?? '');

  const server = createServer((req, res) => {
    if (!hostAllowed(req)) {
      res.writeHead(421).end();
      return;
    }
    void serveFile(req, res);
  });

  const sockets = new WebSocketServer({
    noServer: true,
    maxPayload: options.maxMessageBytes ?? MAX_MESSAGE_BYTES,
  });
  // a client that resets mid-handshake must not raise an unhandled 'error'
  server.on('clientError', (_err, socket) => socket.destroy());
  sockets.on('error', (err) => log.warn(`WebSocket server error: ${err.message}`));
  server.on('upgrade', (req, socket, head) => {
    socket.on('error', (err) => log.warn(`a WebSocket handshake failed: ${err.message}`));
    const url = new URL(req.url ?? '/', 'http://host');
    const origin = req.headers.origin;
    if (url.pathname !== HOST_SOCKET_PATH) return refuse(socket, '404 Not Found');
    if (!hostAllowed(req)) return refuse(socket, '421 Misdirected Request');
    if (origin !== undefined && !allowedHosts().some((h) => origin === `http://${h}`)) {
      log.warn(`refused a WebSocket from origin ${origin}`);
      return refuse(socket, '403 Forbidden');
    }
    if (!sameToken(url.searchParams.get(HOST_TOKEN_PARAM), token)) {
      log.warn('refused a WebSocket without the launch token');
      return refuse(socket, '401 Unauthorized');
    }
    sockets.handleUpgrade(req, socket, head, (ws) => sockets.emit('connection', ws, req));
  });

  const send = (ws: WebSocket, message: WsServerMessage) => {
    if (ws.readyState === ws.OPEN) ws.send(encodeWire(message));
  };
  const reject = (ws: WebSocket, message: string, id?: number) => {
    log.warn(`rejected a WebSocket message: ${message}`);
    const error = { code: 'invalid-request' as const, message };
    send(ws, id === undefined ? { kind: 'rejected', error } : { kind: 'response', id, reply: { ok: false, error } });
  };

  sockets.on('connection', (ws: WebSocket) => {
    // Protocol errors (a frame over the size cap, invalid UTF-8, bad opcodes) arrive
    // here; ws then closes this connection with the matching close code. Without a
    // listener the error would be thrown and end the host and its engine.
    ws.on('error', (err) => log.warn(`closed a WebSocket connection: ${err.message}`));
    ws.on('message', (data, isBinary) => {
      if (isBinary) return reject(ws, 'binary messages are not part of the protocol; send JSON text');
      const answer = readEnvelope(data.toString());
      if (!answer.ok) return reject(ws, answer.error, answer.id);
      const { id, method, params } = answer.value;
      void options.backend
        .handle({ method, params })
        .catch((err: unknown) => ({
          ok: false as const,
          error: { code: 'failed' as const, message: `the host could not answer: ${(err as Error).message}` },
        }))
        .then((reply) => send(ws, { kind: 'response', id, reply }));
    });
  });

  const unsubscribe = options.backend.onEvent((event: StudioEvent) => {
    for (const ws of sockets.clients) send(ws, { kind: 'event', event });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}/?${HOST_TOKEN_PARAM}=${token}`;

  return {
    url,
    port,
    token,
    close: async () => {
      unsubscribe();
      for (const ws of sockets.clients) ws.terminate();
      sockets.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
