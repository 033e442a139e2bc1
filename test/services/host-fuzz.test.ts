// The browser host against hostile and broken clients: oversized and invalid
// frames, raw protocol garbage, malformed envelopes and seeded random messages.
// After each, the host must still answer a fresh connection: no single message
// may stop it (issue #20, finding 1). Bounded in count and time; loopback only.
import { randomBytes } from 'node:crypto';
import { connect as tcpConnect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { decodeWire, encodeWire, type StudioReply } from '../../src/shared/ipc.js';
import { startHost, type RunningHost } from '../../src/main/host/host.js';
import type { Logger } from '../../src/main/services/log.js';
import { seededRandom } from '../../src/shared/random.js';

const TOKEN = 'fuzz-token-0123456789';
const MAX_BYTES = 64 * 1024;
let host: RunningHost;
const warnings: string[] = [];
const log: Logger = { info() {}, warn: (m) => warnings.push(m), error: (m) => warnings.push(m) };

beforeAll(async () => {
  host = await startHost({
    staticDir: '/nonexistent',
    token: TOKEN,
    log,
    maxMessageBytes: MAX_BYTES,
    backend: {
      handle: async (raw): Promise<StudioReply> => {
        const { method } = raw as { method: string };
        if (method === 'engine.status') return { ok: true, result: { state: 'ready', restarts: 0 } };
        return { ok: false, error: { code: 'invalid-request', message: `unknown method ${String(method)}` } };
      },
      onEvent: () => () => {},
    },
  });
});

afterAll(async () => {
  await host.close();
});

function open(): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}/ws?token=${TOKEN}`);
    ws.on('open', () => resolve(ws));
    ws.on('error', reject);
  });
}

function nextMessage(ws: WebSocket): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const onClose = (code: number) => reject(new Error(`closed (${code}) before answering`));
    ws.once('close', onClose);
    ws.once('message', (data) => {
      ws.off('close', onClose);
      resolve(decodeWire(data.toString()) as Record<string, unknown>);
    });
  });
}

function closed(ws: WebSocket): Promise<number> {
  return new Promise((resolve) => {
    ws.on('error', () => {}); // the client side sees the close as an error too
    ws.once('close', (code) => resolve(code));
  });
}

/** The host still serves: a fresh connection gets its engine.status answered. */
async function expectAlive(): Promise<void> {
  const ws = await open();
  const reply = nextMessage(ws);
  ws.send(encodeWire({ kind: 'request', id: 1, method: 'engine.status', params: {} }));
  expect(await reply).toMatchObject({ kind: 'response', id: 1, reply: { ok: true } });
  ws.close();
}

/** A client-to-server WebSocket frame, masked as RFC 6455 requires unless told otherwise. */
function frame(opcode: number, payload: Buffer, options: { mask?: boolean; rsv?: number; fin?: boolean } = {}): Buffer {
  const { mask = true, rsv = 0, fin = true } = options;
  const head = [((fin ? 0x80 : 0) | (rsv << 4) | opcode) & 0xff];
  const len = payload.length;
  const lenBytes: number[] = [];
  if (len < 126) head.push((mask ? 0x80 : 0) | len);
  else {
    head.push((mask ? 0x80 : 0) | 126);
    lenBytes.push((len >> 8) & 0xff, len & 0xff);
  }
  const key = mask ? randomBytes(4) : Buffer.alloc(0);
  const body = Buffer.from(payload);
  if (mask) for (let i = 0; i < body.length; i++) body[i]! ^= key[i % 4]!;
  return Buffer.concat([Buffer.from(head), Buffer.from(lenBytes), key, body]);
}

/** A raw TCP connection past the WebSocket handshake, for frames no WebSocket library would send. */
function rawSocket(): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect(host.port, '127.0.0.1', () => {
      socket.write(
        `GET /ws?token=${TOKEN} HTTP/1.1\r\nHost: 127.0.0.1:${host.port}\r\nUpgrade: websocket\r\n` +
          `Connection: Upgrade\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\n` +
          'Sec-WebSocket-Version: 13\r\n\r\n',
      );
    });
    socket.on('error', () => {}); // the host may reset us; that is its right
    socket.once('data', (data) =>
      data.toString().startsWith('HTTP/1.1 101') ? resolve(socket) : reject(new Error(data.toString())),
    );
  });
}

/** Send raw bytes after the handshake and wait until the host closes the connection (or a short while). */
async function sendRaw(bytes: Buffer): Promise<void> {
  const socket = await rawSocket();
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      socket.destroy();
      resolve();
    }, 500);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.write(bytes);
  });
}

describe('browser host under hostile input', { timeout: 20_000 }, () => {
  it('closes a connection whose message is over the size cap (1009), and stays up', async () => {
    const ws = await open();
    const code = closed(ws);
    ws.send('x'.repeat(MAX_BYTES + 1));
    expect(await code).toBe(1009);
    await expectAlive();
  });

  it('closes a connection that sends invalid UTF-8 as text (1007), and stays up', async () => {
    const ws = await open();
    const code = closed(ws);
    ws.send(Buffer.from([0x7b, 0xff, 0xfe, 0xc3, 0x28, 0x7d, 0x00, 0x80, 0xbf, 0xf8]), { binary: false });
    expect(await code).toBe(1007);
    await expectAlive();
  });

  it('survives raw protocol garbage: unmasked, reserved bits, bad opcodes, lies about length, random bytes', async () => {
    const text = Buffer.from('{"kind":"request"}');
    const cases = [
      frame(0x1, text, { mask: false }),
      frame(0x1, text, { rsv: 0b111 }),
      frame(0x3, text),
      frame(0xb, text),
      frame(0x9, Buffer.alloc(200)), // a control frame over 125 bytes
      frame(0x0, text), // a continuation with nothing to continue
      Buffer.from([0x81, 0xff, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), // claims 2^63 bytes
      randomBytes(4096),
    ];
    for (const bytes of cases) await sendRaw(bytes);
    // a handshake abandoned half-way, and a reset mid-upgrade
    const half = tcpConnect(host.port, '127.0.0.1', () => half.end(`GET /ws?token=${TOKEN} HTTP/1.1\r\nHost: 127`));
    half.on('error', () => {});
    const reset = tcpConnect(host.port, '127.0.0.1', () => {
      reset.write(`GET /ws?token=${TOKEN} HTTP/1.1\r\n`);
      reset.resetAndDestroy();
    });
    reset.on('error', () => {});
    await new Promise((r) => setTimeout(r, 200));
    await expectAlive();
  });

  it('answers malformed envelopes with an error instead of silence', async () => {
    const ws = await open();
    const withId = nextMessage(ws);
    ws.send(JSON.stringify({ kind: 'request', id: 5, method: 42 }));
    expect(await withId).toMatchObject({
      kind: 'response',
      id: 5,
      reply: { ok: false, error: { code: 'invalid-request' } },
    });
    const noId = nextMessage(ws);
    ws.send('{"not": "an envelope"');
    expect(await noId).toMatchObject({ kind: 'rejected', error: { code: 'invalid-request' } });
    const binary = nextMessage(ws);
    ws.send(Buffer.from([1, 2, 3]));
    expect(await binary).toMatchObject({ kind: 'rejected' });
    ws.close();
  });

  it('stays up through seeded random messages, answering every one', async () => {
    const random = seededRandom(20);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
    const values = [null, true, 0, -1, 1e308, 'x', '', [], {}, { $bytes: '!!!' }, { $bytes: 'AAEC' }, 'a'.repeat(1000)];
    const deep = (n: number): unknown => (n === 0 ? 1 : [deep(n - 1)]);
    const generators: (() => string)[] = [
      () => randomBytes(Math.floor(random() * 64)).toString('latin1'),
      () =>
        JSON.stringify({
          kind: 'request',
          id: Math.floor(random() * 1e6),
          method: pick(['engine.status', 'fs.listFolder', 'nope', '__proto__', 'constructor']),
          params: pick(values),
        }),
      () =>
        JSON.stringify({
          kind: pick(['request', 'response', 'event', 'rejected', 7]),
          id: pick(values),
          method: pick(values),
          params: pick(values),
        }),
      () => JSON.stringify(pick(values)),
      () => '['.repeat(5000) + ']'.repeat(5000),
      () => JSON.stringify({ kind: 'request', id: 3, method: 'engine.status', params: deep(2000) }),
      () => '{"kind":"request","id":1,"__proto__":{"polluted":true},"method":"engine.status","params":{}}',
    ];
    const ws = await open();
    const started = Date.now();
    for (let i = 0; i < 300 && Date.now() - started < 10_000; i++) {
      const answer = nextMessage(ws);
      ws.send(pick(generators)());
      const message = await answer;
      expect(['response', 'rejected']).toContain(message.kind);
    }
    ws.close();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    await expectAlive();
  });
});
