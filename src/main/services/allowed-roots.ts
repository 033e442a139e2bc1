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
import { mkdir, readFile, realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../node/atomic.js';
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

export interface AllowedRootsOptions {
  /**
   * Where roots the user granted are remembered across launches (Electron: the
   * folders chosen in dialogs, so reopening a project finds its plates). Only the
   * main process writes it; no request can name it (see SECURITY.md).
   */
  rememberIn?: string;
}

/** The file in the data folder that remembers granted roots (a name no request can write: see SECURITY.md). */
export const ALLOWED_ROOTS_FILE = 'allowed-roots.json';

const rememberedSchema = z.array(z.string().max(4096)).max(10_000);

export class AllowedRoots {
  private readonly roots = new Set<string>();
  private readonly rememberIn: string | undefined;
  private loaded: Promise<void> | undefined;

  constructor(initial: readonly string[] = [], options: AllowedRootsOptions = {}) {
    for (const root of initial) this.roots.add(resolve(root));
    this.rememberIn = options.rememberIn;
  }

  /** Add a root now, without touching the disk (its real path is found at each check). */
  include(folder: string): void {
    if (!isAbsolute(folder)) throw new StudioError('invalid-request', `${folder} is not an absolute path`);
    this.roots.add(resolve(folder));
  }

  /**
   * Let the studio work under `folder` (stored as its real path, so later checks
   * compare like with like); `remember` keeps it for later launches.
   */
  async add(folder: string, options: { remember?: boolean } = {}): Promise<string> {
    if (!isAbsolute(folder)) throw new StudioError('invalid-request', `${folder} is not an absolute path`);
    await this.load();
    const real = await realPathOrAncestor(folder);
    const known = this.roots.has(real);
    this.roots.add(real);
    if (options.remember && this.rememberIn && !known) await this.save();
    return real;
  }

  /** The roots as given and as resolved, for the file browser and the error message. */
  async list(): Promise<string[]> {
    await this.load();
    const resolved = await Promise.all([...this.roots].map((r) => realPathOrAncestor(r)));
    return [...new Set(resolved)].sort();
  }

  /** The roots as resolved, in the order they were given (the host's --root folders first), for the file browser. */
  async inOrder(): Promise<string[]> {
    await this.load();
    const resolved = await Promise.all([...this.roots].map((r) => realPathOrAncestor(r)));
    return [...new Set(resolved)];
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

  private load(): Promise<void> {
    this.loaded ??= (async () => {
      if (!this.rememberIn) return;
      try {
        const parsed = rememberedSchema.safeParse(JSON.parse(await readFile(this.rememberIn, 'utf8')));
        if (parsed.success) for (const root of parsed.data) if (isAbsolute(root)) this.roots.add(root);
      } catch {
        // none remembered yet, or unreadable: the studio starts with the roots it was given
      }
    })();
    return this.loaded;
  }

  private async save(): Promise<void> {
    if (!this.rememberIn) return;
    try {
      await mkdir(dirname(this.rememberIn), { recursive: true });
      await writeFileAtomic(this.rememberIn, JSON.stringify([...this.roots].sort(), null, 2) + '\n');
    } catch {
      // a read-only data folder costs remembering the folder, not using it now
    }
  }

  /** Whether `path` lies inside a root (for callers that skip rather than fail). */
  async allows(path: string): Promise<boolean> {
    try {
      await this.check(path);
      return true;
    } catch {
      return false;
    }
  }
}
