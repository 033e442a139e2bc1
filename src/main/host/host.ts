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
import {
  HOST_SOCKET_PATH,
  HOST_TOKEN_PARAM,
  decodeWire,
  encodeWire,
  wsClientMessageSchema,
  type StudioEvent,
  type WsServerMessage,
} from '../../shared/ipc.js';
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
}

export interface RunningHost {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

/** Previews and frames are a few MB as base64; larger messages are refused. */
const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

function sameToken(given: string | null, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function refuse(socket: Duplex, status: string): void {
  socket.write(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  socket.destroy();
}

export async function startHost(options: HostOptions): Promise<RunningHost> {
  const log = options.log ?? silentLogger;
  const token = options.token ?? randomBytes(24).toString('base64url');
  const serveFile = staticFiles(options.staticDir);
  let port = 0;
  const allowedHosts = () => [`127.0.0.1:${port}`, `localhost:${port}`];
  const hostAllowed = (req: IncomingMessage) => allowedHosts().includes(req.headers.host ?? '');

  const server = createServer((req, res) => {
    if (!hostAllowed(req)) {
      res.writeHead(421).end();
      return;
    }
    void serveFile(req, res);
  });

  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  server.on('upgrade', (req, socket, head) => {
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

  sockets.on('connection', (ws: WebSocket) => {
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        log.warn('rejected a binary WebSocket message');
        return;
      }
      let envelope;
      try {
        envelope = wsClientMessageSchema.safeParse(decodeWire(data.toString()));
      } catch {
        log.warn('rejected a WebSocket message that is not JSON');
        return;
      }
      if (!envelope.success) {
        log.warn(`rejected a WebSocket message: ${envelope.error.message}`);
        return;
      }
      const { id, method, params } = envelope.data;
      void options.backend.handle({ method, params }).then((reply) => send(ws, { kind: 'response', id, reply }));
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
