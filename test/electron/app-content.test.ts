// The app:// protocol's rules (src/main/services/app-content.ts, used by the
// Electron main process and by the browser host's static files): which URLs name a
// file of the built UI, the CSP sent with it, and which page main answers IPC from.
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  APP_INDEX_URL,
  appResponseHeaders,
  contentSecurityPolicy,
  isAppPage,
  resolveAppUrl,
  resolveUiPath,
} from '../../src/main/services/app-content.js';

let dir: string;
let ui: string;
let secret: string;

beforeAll(() => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'reage-app-')));
  ui = join(dir, 'ui');
  mkdirSync(join(ui, 'assets'), { recursive: true });
  writeFileSync(join(ui, 'index.html'), '<!doctype html><title>studio</title>');
  writeFileSync(join(ui, 'assets', 'index.js'), 'export {};');
  writeFileSync(join(ui, 'assets', 'index.css'), 'body{}');
  mkdirSync(join(dir, 'outside'));
  secret = join(dir, 'outside', 'secret.txt');
  writeFileSync(secret, 'secret');
  // links inside the UI folder: out of it (refused), and within it (fine)
  symlinkSync(secret, join(ui, 'leak.txt'));
  symlinkSync(join(dir, 'outside'), join(ui, 'linked'));
  symlinkSync(join(ui, 'assets', 'index.js'), join(ui, 'alias.js'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function status(url: string): Promise<number> {
  const found = await resolveAppUrl(ui, url);
  return found.ok ? 200 : found.status;
}

describe('app:// URL → file', () => {
  it('serves the page and its assets with their types', async () => {
    const page = await resolveAppUrl(ui, APP_INDEX_URL);
    expect(page).toMatchObject({ ok: true, path: join(ui, 'index.html'), contentType: 'text/html; charset=utf-8' });
    expect(await resolveAppUrl(ui, 'app://studio/')).toMatchObject({ ok: true, path: join(ui, 'index.html') });
    expect(await resolveAppUrl(ui, 'app://studio/assets/index.js?v=1#x')).toMatchObject({
      ok: true,
      path: join(ui, 'assets', 'index.js'),
      contentType: 'text/javascript; charset=utf-8',
    });
    expect(await resolveAppUrl(ui, 'app://studio/assets/index.css')).toMatchObject({
      contentType: 'text/css; charset=utf-8',
    });
    // a link that stays inside the folder is fine
    expect(await resolveAppUrl(ui, 'app://studio/alias.js')).toMatchObject({
      ok: true,
      path: join(ui, 'assets', 'index.js'),
    });
  });

  it('never leaves the UI folder by dot segments', async () => {
    // URL parsing folds plain and %2e-encoded dot segments into the folder: not found there
    expect(await status('app://studio/../outside/secret.txt')).toBe(404);
    expect(await status('app://studio/../../../../etc/passwd')).toBe(404);
    expect(await status('app://studio/%2e%2e/outside/secret.txt')).toBe(404);
    expect(await status('app://studio/%2E%2e/%2e%2e/etc/passwd')).toBe(404);
    // segments that decode to a traversal are refused outright
    expect(await status('app://studio/..%2foutside%2fsecret.txt')).toBe(403);
    expect(await status('app://studio/%2e%2e%2Foutside/secret.txt')).toBe(403);
    // and so are raw ones, where a caller hands over a path URL parsing has not normalised
    expect((await resolveUiPath(ui, '/../outside/secret.txt')).ok).toBe(false);
    expect(await resolveUiPath(ui, '/assets/../../outside/secret.txt')).toMatchObject({ ok: false, status: 403 });
    expect(await resolveUiPath(ui, '/./index.html')).toMatchObject({ ok: false, status: 403 });
  });

  it('treats absolute paths, backslashes, drive colons and NUL as not ours', async () => {
    // an absolute path in the URL is a path inside the folder, not the file system's root
    expect(await status(`app://studio/${secret}`)).toBe(404);
    expect(await status(`app://studio//${secret}`)).toBe(404);
    expect(await status(`app://studio/${encodeURIComponent(secret)}`)).toBe(403);
    expect(await status('app://studio/..\\outside\\secret.txt')).toBe(403);
    expect(await status('app://studio/..%5coutside%5csecret.txt')).toBe(403);
    expect(await status('app://studio/C:/Windows/win.ini')).toBe(403);
    expect(await status('app://studio/index.html%00.js')).toBe(403);
  });

  it('refuses symlinks that point out of the folder', async () => {
    expect(await status('app://studio/leak.txt')).toBe(403);
    expect(await status('app://studio/linked/secret.txt')).toBe(403);
  });

  it('answers only app://studio', async () => {
    expect(await status('app://evil/index.html')).toBe(404);
    expect(await status('app://studio.evil/index.html')).toBe(404);
    expect(await status('app://studio:8080/index.html')).toBe(404);
    expect(await status('app://user:pw@studio/index.html')).toBe(404);
    expect(await status('file:///etc/passwd')).toBe(404);
    expect(await status('https://studio/index.html')).toBe(404);
    expect(await status('not a url')).toBe(400);
  });

  it('404s folders and missing files, 400s bad encoding', async () => {
    expect(await status('app://studio/assets')).toBe(404);
    expect(await status('app://studio/assets/missing.js')).toBe(404);
    expect(await status('app://studio/%E0%A4%A')).toBe(400);
  });
});

/** A policy as directive → sources. */
function directives(policy: string): Map<string, string[]> {
  return new Map(
    policy.split(';').map((d) => {
      const [name, ...sources] = d.trim().split(/\s+/);
      return [name!, sources];
    }),
  );
}

describe('Content-Security-Policy', () => {
  it('is strict for the Electron window: own code only, no connections but its own origin', () => {
    const policy = contentSecurityPolicy({ connectSrc: [] });
    expect(policy).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; font-src 'self'; " +
        "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'",
    );
    expect(policy).not.toMatch(/unsafe-|\*/);
    const d = directives(policy);
    expect(d.get('script-src')).toEqual(["'self'"]);
    expect(d.get('frame-ancestors')).toEqual(["'none'"]);
  });

  it("adds exactly the browser host's WebSocket origins", () => {
    const d = directives(contentSecurityPolicy({ connectSrc: ['ws://127.0.0.1:4321', 'ws://localhost:4321'] }));
    expect(d.get('connect-src')).toEqual(["'self'", 'ws://127.0.0.1:4321', 'ws://localhost:4321']);
    expect(d.get('script-src')).toEqual(["'self'"]);
  });

  it('refuses a source that would smuggle in a directive or a wildcard', () => {
    expect(() => contentSecurityPolicy({ connectSrc: ["ws://x; script-src 'unsafe-inline'"] })).toThrow();
    expect(() => contentSecurityPolicy({ connectSrc: ['ws://127.0.0.1:*'] })).toThrow();
    expect(() => contentSecurityPolicy({ connectSrc: ['*'] })).toThrow();
  });

  it('goes on every app:// response, with nosniff', () => {
    const csp = contentSecurityPolicy({ connectSrc: [] });
    for (const type of ['text/html; charset=utf-8', 'text/javascript; charset=utf-8', 'image/svg+xml']) {
      expect(appResponseHeaders(type, csp)).toMatchObject({
        'Content-Type': type,
        'Content-Security-Policy': csp,
        'X-Content-Type-Options': 'nosniff',
      });
    }
  });
});

describe('our page (the only IPC sender main answers)', () => {
  it('is app://studio/index.html, with any query or fragment', () => {
    expect(isAppPage(APP_INDEX_URL)).toBe(true);
    expect(isAppPage('app://studio/index.html?x=1#y')).toBe(true);
  });

  it('is not another page, host, scheme or a file:// copy', () => {
    for (const url of [
      'app://studio/',
      'app://studio/other.html',
      'app://studio/assets/index.html',
      'app://evil/index.html',
      'app://studio:1/index.html',
      'app://u@studio/index.html',
      'https://studio/index.html',
      'file:///app/dist/ui/index.html',
      'about:blank',
      '',
    ]) {
      expect({ url, ours: isAppPage(url) }).toEqual({ url, ours: false });
    }
  });
});
