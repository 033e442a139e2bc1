// The browser host's static files send the same CSP as the app:// protocol, with
// the host's own WebSocket origins, read when each response goes out (the port is
// known only after listen), and apply the same path rules.
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staticFiles, type StaticFilesOptions } from '../../src/main/host/static-files.js';
import { contentSecurityPolicy } from '../../src/main/services/app-content.js';

let dir: string;
let ui: string;
const servers: Server[] = [];

beforeAll(() => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'reage-static-')));
  ui = join(dir, 'ui');
  mkdirSync(join(ui, 'assets'), { recursive: true });
  writeFileSync(join(ui, 'index.html'), '<!doctype html><title>studio</title>');
  writeFileSync(join(ui, 'assets', 'index.js'), 'export {};');
  writeFileSync(join(dir, 'secret.txt'), 'secret');
  symlinkSync(join(dir, 'secret.txt'), join(ui, 'leak.txt'));
});

afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  rmSync(dir, { recursive: true, force: true });
});

/** A server for `ui`; `options` may read the returned port, as the host's does. */
async function serve(options: (port: () => number) => StaticFilesOptions): Promise<number> {
  let port = 0;
  const handler = staticFiles(
    ui,
    options(() => port),
  );
  const server = createServer((req, res) => void handler(req, res));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  return port;
}

function get(port: number, path: string): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('static files CSP', () => {
  it("sends the CSP with the host's port on the page and every other response", async () => {
    const port = await serve((port) => ({
      csp: () => contentSecurityPolicy({ connectSrc: [`ws://127.0.0.1:${port()}`, `ws://localhost:${port()}`] }),
    }));
    const expected = contentSecurityPolicy({ connectSrc: [`ws://127.0.0.1:${port}`, `ws://localhost:${port}`] });
    expect(port).toBeGreaterThan(0);

    const page = await get(port, '/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toBe(expected);
    expect(String(page.headers['content-security-policy'])).toContain(`connect-src 'self' ws://127.0.0.1:${port} `);
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['x-frame-options']).toBe('DENY');

    const script = await get(port, '/assets/index.js');
    expect(script.status).toBe(200);
    expect(script.headers['content-security-policy']).toBe(expected);
    expect((await get(port, '/missing')).headers['content-security-policy']).toBe(expected);
  });

  it('sends no CSP header when given none (the meta tag still applies)', async () => {
    const port = await serve(() => ({}));
    const page = await get(port, '/index.html');
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toBeUndefined();
  });

  it('refuses a symlink out of the build folder and encoded traversal', async () => {
    const port = await serve(() => ({ csp: () => contentSecurityPolicy({ connectSrc: [] }) }));
    const leak = await get(port, '/leak.txt');
    expect(leak.status).toBe(403);
    expect(leak.body).not.toContain('secret');
    expect((await get(port, '/..%2fsecret.txt')).status).toBe(403);
    expect((await get(port, '/%2e%2e/secret.txt')).status).toBe(404);
  });
});
