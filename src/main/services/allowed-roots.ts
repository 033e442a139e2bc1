/**
 * The folders the studio may read and write on the user's behalf. Whoever holds the
 * browser host's token (or runs script in the renderer) can send any request, so
 * every path a request names is checked here before anything touches the disk:
 * resolved with realpath (a symlink inside a root that points outside it is
 * refused), then required to lie inside a root.
 *
 * Roots come only from the user's own acts, never from request contents: the
 * folders given on the host's command line, the studio's data folder, and (in
 * Electron) what the native dialogs returned and what was dropped on the window.
 */
import { realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { StudioError } from './errors.js';

function inside(path: string, root: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

/**
 * The real path of `path`, or, for a path that does not exist yet (an output
 * folder, a new project file), the real path of its nearest existing ancestor with
 * the missing part appended.
 */
export async function realPathOrAncestor(path: string): Promise<string> {
  const missing: string[] = [];
  let current = resolve(path);
  for (;;) {
    try {
      return join(await realpath(current), ...missing.reverse());
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw err;
      const parent = dirname(current);
      if (parent === current) return resolve(path);
      missing.push(basename(current));
      current = parent;
    }
  }
}

export class AllowedRoots {
  private readonly roots = new Set<string>();

  constructor(initial: readonly string[] = []) {
    for (const root of initial) this.roots.add(resolve(root));
  }

  /** Let the studio work under `folder` (its real path, so later checks compare like with like). */
  async add(folder: string): Promise<string> {
    if (!isAbsolute(folder)) throw new StudioError('invalid-request', `${folder} is not an absolute path`);
    const real = await realPathOrAncestor(folder);
    this.roots.add(real);
    return real;
  }

  /** The roots as given and as resolved, for the file browser and the error message. */
  async list(): Promise<string[]> {
    const resolved = await Promise.all([...this.roots].map((r) => realPathOrAncestor(r)));
    return [...new Set(resolved)].sort();
  }

  /**
   * The real path of `path` if it lies inside a root; otherwise a 'forbidden'
   * error that names the path (as asked for, never what it resolves to or holds).
   */
  async check(path: string, what = 'path'): Promise<string> {
    if (!isAbsolute(path)) throw new StudioError('invalid-request', `the ${what} must be an absolute path: ${path}`);
    const real = await realPathOrAncestor(path);
    const roots = await this.list();
    if (roots.some((root) => inside(real, root))) return real;
    throw new StudioError(
      'forbidden',
      `${path} is outside the folders this studio may use (${roots.join(', ') || 'none'}); ` +
        'open it through the studio (or start the host with --root FOLDER)',
    );
  }
}
