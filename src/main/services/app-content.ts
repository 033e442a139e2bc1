/**
 * How the studio's built UI (vite's output, dist/ui) is served: which file a URL
 * names, with what type, and under which Content-Security-Policy. Plain Node, no
 * Electron, so that the Electron app's `app://` protocol and the browser host's
 * static files share one implementation and tests can run it in Node.
 *
 * A URL names a file only if every decoded path segment is an ordinary name (no
 * `.`/`..`, no slash or backslash smuggled in as %2f/%5c, no drive colon, no NUL)
 * and the file's real path, symlinks resolved, lies inside the UI folder's real
 * path: a link inside dist/ui that points elsewhere is refused like `..` is.
 */
import { realpath, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';

/** The privileged scheme the Electron window loads the UI from (instead of file://). */
export const APP_SCHEME = 'app';
/** The one host under that scheme; any other is not ours. */
export const APP_HOST = 'studio';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
/** The page the window loads, and the only page whose IPC the main process answers. */
export const APP_PAGE_PATH = '/index.html';
export const APP_INDEX_URL = `${APP_ORIGIN}${APP_PAGE_PATH}`;

export const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.map': 'application/json',
};

/** The type to send for `file`; unknown extensions are opaque bytes (with nosniff, never run as script). */
export function contentType(file: string): string {
  return CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
}

export interface CspOptions {
  /**
   * Where the page may open connections besides its own origin. Empty for
   * Electron (the renderer talks to main over IPC, never a socket); the browser
   * host's exact WebSocket origins for the browser.
   */
  connectSrc: readonly string[];
}

/** Rejects anything that could end a directive or smuggle in another source list. */
function source(value: string): string {
  if (!/^[a-z][a-z0-9+.-]*:\/\/[a-z0-9.[\]:-]+$/i.test(value)) {
    throw new Error(`not a scheme://host[:port] CSP source: ${JSON.stringify(value)}`);
  }
  return value;
}

/**
 * The UI's Content-Security-Policy, sent as a response header (a meta tag cannot
 * set frame-ancestors, and a header applies before the page's first byte is
 * parsed). Only our own scripts and styles: the built CSS is a file and React sets
 * `style` through the CSSOM, which style-src does not govern, so no
 * 'unsafe-inline'. Images also from blob:/data: because frames arrive as bytes.
 * default-src 'none' so that anything not listed (workers, frames, media,
 * manifests) is refused rather than inherited from 'self'.
 */
export function contentSecurityPolicy({ connectSrc }: CspOptions): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' blob: data:",
    "font-src 'self'",
    ["connect-src 'self'", ...connectSrc.map(source)].join(' '),
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'none'",
  ].join('; ');
}

export type UiFile =
  | { ok: true; path: string; size: number; contentType: string }
  | { ok: false; status: 400 | 403 | 404; reason: string };

const refused = (status: 400 | 403 | 404, reason: string): UiFile => ({ ok: false, status, reason });

function inside(path: string, root: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

/** A decoded segment that names a file or folder and nothing more. */
function plainSegment(segment: string): boolean {
  return segment !== '.' && segment !== '..' && !/[/\\:\0]/.test(segment);
}

/**
 * The file under `root` that a URL path (still percent-encoded, as in
 * `URL.pathname`) names; `/` is index.html. 403 for a path that tries to leave
 * the folder, 404 for one that does not exist or is not a file, 400 for bad
 * percent-encoding.
 */
export async function resolveUiPath(root: string, pathname: string): Promise<UiFile> {
  const segments: string[] = [];
  for (const raw of pathname.split('/')) {
    if (raw === '') continue; // leading slash, doubled slashes
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return refused(400, 'bad percent-encoding');
    }
    if (!plainSegment(segment)) return refused(403, 'forbidden');
    segments.push(segment);
  }
  if (segments.length === 0) segments.push('index.html');

  const base = resolve(root);
  const file = join(base, ...segments);
  if (!inside(file, base)) return refused(403, 'forbidden');
  let realBase: string;
  let realFile: string;
  try {
    realBase = await realpath(base);
    realFile = await realpath(file);
  } catch {
    return refused(404, 'not found');
  }
  if (!inside(realFile, realBase)) return refused(403, 'forbidden');
  try {
    const info = await stat(realFile);
    if (!info.isFile()) return refused(404, 'not found');
    return { ok: true, path: realFile, size: info.size, contentType: contentType(realFile) };
  } catch {
    return refused(404, 'not found');
  }
}

/** The file under `root` an `app://studio/…` URL names; any other scheme, host, port or credentials is 404. */
export async function resolveAppUrl(root: string, url: string): Promise<UiFile> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return refused(400, 'bad URL');
  }
  if (
    parsed.protocol !== `${APP_SCHEME}:` ||
    parsed.host.toLowerCase() !== APP_HOST ||
    parsed.username !== '' ||
    parsed.password !== ''
  ) {
    return refused(404, 'not found');
  }
  return resolveUiPath(root, parsed.pathname);
}

/**
 * Headers for every response of the app:// protocol. The CSP goes on all of them,
 * not only the page: it costs nothing on a script and also binds anything that
 * could be opened as a document of its own (an SVG, an error page).
 */
export function appResponseHeaders(type: string, csp: string): Record<string, string> {
  return {
    'Content-Type': type,
    'Content-Security-Policy': csp,
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'no-cache',
  };
}

/**
 * Whether `url` is the studio's own page (app://studio/index.html, any query or
 * fragment). Compared by parts: Node's URL gives custom schemes an opaque
 * origin ('null'), so `.origin` cannot be used.
 */
export function isAppPage(url: string): boolean {
  try {
    const parsed = new URL(url);
    return (
      parsed.protocol === `${APP_SCHEME}:` &&
      parsed.host === APP_HOST &&
      parsed.username === '' &&
      parsed.password === '' &&
      parsed.pathname === APP_PAGE_PATH
    );
  } catch {
    return false;
  }
}
