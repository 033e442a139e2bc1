/**
 * Serves the built renderer (vite's output) to the browser. Only GET and HEAD,
 * only files inside the build folder (resolved and symlink-checked by
 * services/app-content.ts, the same rules as the Electron app's app:// protocol),
 * and headers that keep the page from being framed, from loading anything but its
 * own code, or from leaking its token-carrying URL as a referrer.
 */
import { createReadStream } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { resolve } from 'node:path';
import { resolveUiPath } from '../services/app-content.js';

export const SECURITY_HEADERS: Record<string, string> = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
};

export interface StaticFilesOptions {
  /**
   * The Content-Security-Policy to send (see contentSecurityPolicy in
   * services/app-content.ts). A callback because the policy names the host's own
   * WebSocket port, known only once the server listens.
   */
  csp?: () => string;
}

/** A request handler for the files under `root`; index.html for `/`. */
export function staticFiles(
  root: string,
  options: StaticFilesOptions = {},
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const base = resolve(root);
  // on every response, not only the page: it also binds an error page or an SVG opened on its own
  const headers = (): Record<string, string> => ({
    ...SECURITY_HEADERS,
    ...(options.csp ? { 'Content-Security-Policy': options.csp() } : {}),
  });
  const send = (res: ServerResponse, status: number, text: string): void => {
    res.writeHead(status, { ...headers(), 'Content-Type': 'text/plain; charset=utf-8' });
    res.end(text);
  };

  return async (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'method not allowed');
    let pathname: string;
    try {
      pathname = new URL(req.url ?? '/', 'http://host').pathname;
    } catch {
      return send(res, 400, 'bad request');
    }
    const found = await resolveUiPath(base, pathname);
    if (!found.ok) {
      const notBuilt = found.status === 404 && pathname === '/';
      return send(
        res,
        found.status,
        notBuilt ? `the studio is not built: run "npm run build" (looked in ${base})` : found.reason,
      );
    }
    res.writeHead(200, {
      ...headers(),
      'Content-Type': found.contentType,
      'Content-Length': found.size,
      'Cache-Control': 'no-cache',
    });
    if (req.method === 'HEAD') return void res.end();
    const stream = createReadStream(found.path);
    // a file removed between the check and the read ends the response rather than the host
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  };
}
