// The browser host's gate: loopback only, the launch token, Host/Origin checks,
// and validation of every WebSocket message. The backend here is a stub.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { decodeWire, encodeWire, type StudioEvent, type StudioReply } from '../../src/shared/ipc.js';
import { startHost, type RunningHost } from '../../src/main/host/host.js';
import type { Logger } from '../../src/main/services/log.js';

const TOKEN = 'test-token-0123456789';
let host: RunningHost;
let dir: string;
const handled: unknown[] = [];
const warnings: string[] = [];
let emit: (event: StudioEvent) => void = () => {};

const log: Logger = { info() {}, warn: (m) => warnings.push(m), error: (m) => warnings.push(m) };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'reage-host-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>studio</title>');
  writeFileSync(join(tmpdir(), 'reage-host-secret.txt'), 'secret');
  host = await startHost({
    staticDir: dir,
    token: TOKEN,
    log,
    backend: {
      handle: async (raw): Promise<StudioReply> => {
        handled.push(raw);
        return { ok: true, result: { echoed: raw, bytes: new Uint8Array([1, 2, 3]) } };
      },
      onEvent: (listener) => {
        emit = listener;
        return () => {};
      },
    },
  });
});

afterAll(async () => {
  await host.close();
  rmSync(dir, { recursive: true, force: true });
});

function get(
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: host.port, path, headers }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Resolves with the socket once open, or rejects with the HTTP status that refused it. */
function connect(query: string, headers: Record<string, string> = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}/ws${query}`, { headers });
    ws.on('open', () => resolve(ws));
    ws.on('unexpected-response', (_req, res) => reject(new Error(String(res.statusCode))));
    ws.on('error', reject);
  });
}

function nextMessage(ws: WebSocket): Promise<unknown> {
  return new Promise((resolve) => ws.once('message', (data) => resolve(decodeWire(data.toString()))));
}

describe('browser host', () => {
  it('prints a loopback URL carrying the token', () => {
    expect(host.url).toBe(`http://127.0.0.1:${host.port}/?token=${TOKEN}`);
  });

  it('serves the renderer with protective headers, and nothing outside its folder', async () => {
    const index = await get('/');
    expect(index.status).toBe(200);
    expect(index.body).toContain('studio');
    expect(index.headers['x-frame-options']).toBe('DENY');
    expect(index.headers['referrer-policy']).toBe('no-referrer');
    // the page may open a socket to this host's own port and nowhere else
    const csp = String(index.headers['content-security-policy']);
    expect(csp).toContain(`connect-src 'self' ws://127.0.0.1:${host.port} ws://localhost:${host.port};`);
    expect(csp).toContain("frame-ancestors 'none'");
    // plain and dot-encoded ".." are normalised away by URL parsing; an encoded slash is caught by the root check
    expect((await get('/../reage-host-secret.txt')).status).toBe(404);
    expect((await get('/%2e%2e/reage-host-secret.txt')).status).toBe(404);
    expect((await get('/..%2freage-host-secret.txt')).status).toBe(403);
  });

  it('refuses requests for other host names (DNS rebinding)', async () => {
    expect((await get('/', { Host: 'evil.example:80' })).status).toBe(421);
  });

  it('refuses WebSockets without the right token or from another origin', async () => {
    await expect(connect('')).rejects.toThrow('401');
    await expect(connect('?token=wrong')).rejects.toThrow('401');
    await expect(connect(`?token=${TOKEN}x`)).rejects.toThrow('401');
    await expect(connect(`?token=${TOKEN}`, { Origin: 'http://evil.example' })).rejects.toThrow('403');
    expect(warnings.some((w) => w.includes('token'))).toBe(true);
  });

  it('answers validated requests and pushes events, bytes intact', async () => {
    const ws = await connect(`?token=${TOKEN}`, { Origin: `http://127.0.0.1:${host.port}` });
    const reply = nextMessage(ws);
    ws.send(encodeWire({ kind: 'request', id: 7, method: 'jobs.list', params: {} }));
    const message = (await reply) as {
      kind: string;
      id: number;
      reply: { ok: boolean; result: { bytes: Uint8Array } };
    };
    expect(message).toMatchObject({ kind: 'response', id: 7, reply: { ok: true } });
    expect([...message.reply.result.bytes]).toEqual([1, 2, 3]);
    expect(handled.at(-1)).toEqual({ method: 'jobs.list', params: {} });

    const pushed = nextMessage(ws);
    emit({ type: 'menu', command: 'undo' });
    expect(await pushed).toEqual({ kind: 'event', event: { type: 'menu', command: 'undo' } });
    ws.close();
  });

  it('drops and logs messages that are not protocol requests', async () => {
    const ws = await connect(`?token=${TOKEN}`);
    const before = handled.length;
    warnings.length = 0;
    ws.send('not json');
    ws.send(JSON.stringify({ kind: 'event', event: {} }));
    ws.send(Buffer.from([1, 2, 3]));
    // a valid request after them still works: the connection survives bad input
    const reply = nextMessage(ws);
    ws.send(encodeWire({ kind: 'request', id: 1, method: 'engine.status', params: {} }));
    await reply;
    expect(handled.length).toBe(before + 1);
    expect(warnings).toHaveLength(3);
    ws.close();
  });
});
