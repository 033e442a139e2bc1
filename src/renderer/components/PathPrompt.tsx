/**
 * Where there is no native file dialog (the browser host), paths are chosen in this
 * file browser over the backend's files.list, which shows only what lies inside the
 * folders the host may use (its roots, listed on the left as shortcuts): a breadcrumb
 * with Up, the folder's entries (folders first, frame sequences as one row with their
 * frames, project files), keyboard navigable. A click selects a row, a double-click or
 * Enter opens a folder or picks a file or sequence. The path field stays, prefilled
 * with the selection, for typing; to save, a file name in the current folder instead.
 * Opening a project also lists the recent ones.
 */
import { useCallback, useEffect, useId, useMemo, useRef, useState, type KeyboardEvent, type ReactElement } from 'react';
import type { BrowserEntry, FilesListResult, PickPurpose, RecentProject } from '../../shared/ipc.js';
import { PROJECT_EXTENSION, baseName, dirName, isAbsolutePath, joinPath } from '../../shared/project.js';
import { RequestError } from '../client/studio-client.js';
import { plural } from '../lib/format.js';
import { useStudioContext } from '../state/store.js';
import type { PathPrompt as PathPromptState } from '../state/ui-slice.js';
import { Icon, type IconName } from './icons.js';
import { Modal } from './Modal.js';

const FOLDER_PURPOSES: ReadonlySet<PickPurpose> = new Set(['importFolder', 'exportFolder']);

/** Whether a row other than a folder is an answer for this purpose (folders are opened, or chosen). */
export function isPickable(purpose: PickPurpose, entry: BrowserEntry): boolean {
  if (entry.kind === 'folder') return false;
  if (purpose === 'openProject' || purpose === 'saveProject')
    return entry.kind === 'file' && entry.name.endsWith(PROJECT_EXTENSION);
  return purpose === 'importFolder' && entry.kind === 'sequence';
}

function inside(path: string, root: string): boolean {
  const base = root.replace(/[\\/]+$/, '');
  return path === root || path === base || path.startsWith(base + '/') || path.startsWith(base + '\\');
}

/** The root holding `dir` (the innermost, when roots nest). */
function rootOf(dir: string, roots: readonly string[]): string | undefined {
  return roots.filter((r) => inside(dir, r)).sort((a, b) => b.length - a.length)[0];
}

const rootLabel = (root: string) => baseName(root.replace(/[\\/]+$/, '')) || root;

/** The breadcrumb: the root, then each folder below it down to `dir`. */
function crumbsOf(dir: string, roots: readonly string[]): { label: string; path: string }[] {
  const root = rootOf(dir, roots);
  if (!root) return [{ label: dir, path: dir }];
  const crumbs = [{ label: rootLabel(root), path: root }];
  let path = root;
  for (const part of dir.slice(root.length).split(/[\\/]/).filter(Boolean)) {
    path = joinPath(path, part);
    crumbs.push({ label: part, path });
  }
  return crumbs;
}

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

function formatDate(ms: number): string {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}`;
}

function entryIcon(entry: BrowserEntry): IconName {
  if (entry.kind === 'folder') return 'folder';
  if (entry.kind === 'sequence') return 'sequence';
  return entry.name.endsWith(PROJECT_EXTENSION) ? 'project' : 'file';
}

function entryDetail(entry: BrowserEntry): string {
  if (entry.kind === 'sequence') return entry.frames ?? '';
  if (entry.kind === 'file' && entry.size !== undefined) return formatSize(entry.size);
  return '';
}

/** Where the browser starts from the prompt's value: a folder, a file's folder (the file selected), or a name to save. */
function startOf(prompt: PathPromptState): { dir?: string; select?: string; fileName?: string } {
  const value = prompt.value.trim();
  if (prompt.purpose === 'saveProject') {
    if (!isAbsolutePath(value)) return { fileName: value };
    return { dir: dirName(value), fileName: baseName(value) };
  }
  if (!isAbsolutePath(value)) return {};
  if (prompt.purpose === 'openProject' && value.endsWith(PROJECT_EXTENSION))
    return { dir: dirName(value), select: value };
  return { dir: value };
}

function RecentList({ onPick }: { onPick(path: string): void }): ReactElement | null {
  const { client } = useStudioContext();
  const [recent, setRecent] = useState<RecentProject[]>([]);
  useEffect(() => {
    client.call('project.recent', {}).then(
      (r) => setRecent(r.projects),
      () => setRecent([]),
    );
  }, [client]);
  if (recent.length === 0) return null;
  return (
    <div className="recent">
      <div className="fb-heading">Recent projects</div>
      <ul>
        {recent.map((p) => (
          <li key={p.path}>
            <button
              type="button"
              className="fb-place"
              disabled={!p.exists}
              onClick={() => onPick(p.path)}
              title={p.exists ? p.path : `${p.path} (missing)`}
            >
              <Icon name="project" size={14} />
              <span>{p.name}</span>
              {!p.exists && <span className="warn"> (missing)</span>}
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}

interface ShowOptions {
  /** the row to select once listed (by path) */
  select?: string;
  /** keep the error shown (why the browser did not start where it was asked to) */
  keepError?: boolean;
  /** leave the path field as it is */
  keepValue?: boolean;
}

export function PathPrompt({ prompt }: { prompt: PathPromptState }): ReactElement {
  const { client } = useStudioContext();
  const { purpose } = prompt;
  const saving = purpose === 'saveProject';
  const forFolder = FOLDER_PURPOSES.has(purpose);
  const start = useMemo(() => startOf(prompt), [prompt]);
  const [listing, setListing] = useState<FilesListResult | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [active, setActive] = useState(-1);
  const [value, setValue] = useState(prompt.value);
  const [fileName, setFileName] = useState(start.fileName ?? '');
  const latest = useRef(0);
  const typed = useRef({ text: '', at: 0 });
  const ids = useId();
  const rowId = (i: number) => `${ids}-row-${i}`;
  const entries = useMemo(() => listing?.entries ?? [], [listing]);

  const apply = useCallback(
    (result: FilesListResult, options: ShowOptions) => {
      setListing(result);
      if (!options.keepError) setError(null);
      const index = options.select ? result.entries.findIndex((e) => e.path === options.select) : -1;
      setActive(index);
      if (!saving && !options.keepValue) setValue(index >= 0 ? result.entries[index]!.path : result.dir);
    },
    [saving],
  );

  /** List a folder (the first root when absent); false, with the reason shown, when it cannot be. */
  const show = useCallback(
    async (dir: string | undefined, options: ShowOptions = {}): Promise<boolean> => {
      const request = ++latest.current;
      setLoading(true);
      try {
        const result = await client.call('files.list', dir === undefined ? {} : { dir });
        if (request === latest.current) apply(result, options);
        return true;
      } catch (err) {
        if (request === latest.current) setError(err instanceof Error ? err.message : String(err));
        return false;
      } finally {
        if (request === latest.current) setLoading(false);
      }
    },
    [client, apply],
  );

  useEffect(() => {
    void (async () => {
      const keepValue = !saving && prompt.value.trim() !== '';
      if (start.dir === undefined) return void show(undefined, { keepValue });
      if (await show(start.dir, { keepValue, ...(start.select ? { select: start.select } : {}) })) return;
      // not there (an output folder not made yet, a moved plate): the nearest folder above it that is
      for (let dir = dirName(start.dir); dir && dir !== dirName(dir); dir = dirName(dir))
        if (await show(dir, { keepValue, keepError: true })) return;
      await show(undefined, { keepValue, keepError: true });
    })();
  }, []); // once per prompt (App mounts a new PathPrompt for each)

  useEffect(() => {
    if (active >= 0) document.getElementById(`${ids}-row-${active}`)?.scrollIntoView?.({ block: 'nearest' });
  }, [active, listing, ids]);

  const cancel = () => prompt.resolve(null);
  const goUp = () => {
    if (listing?.parent) void show(listing.parent, { select: listing.dir });
  };

  /** A click or an arrow key: the row becomes the selection (and the path field, where it is an answer). */
  const select = (index: number) => {
    const entry = entries[index];
    if (!entry) return;
    setActive(index);
    if (saving) {
      if (isPickable(purpose, entry)) setFileName(entry.name);
      return;
    }
    if (entry.kind === 'folder' || isPickable(purpose, entry)) setValue(entry.path);
  };

  /** A double-click or Enter: a folder opens, a file or sequence that answers the prompt is picked. */
  const activate = (index: number) => {
    const entry = entries[index];
    if (!entry) return;
    if (entry.kind === 'folder') return void show(entry.path);
    if (!isPickable(purpose, entry)) return;
    if (saving) setFileName(entry.name);
    else prompt.resolve(entry.path);
  };

  const typeAhead = (key: string) => {
    const now = Date.now();
    const t = typed.current;
    t.text = now - t.at < 800 ? t.text + key.toLowerCase() : key.toLowerCase();
    t.at = now;
    const from = t.text.length === 1 ? active + 1 : Math.max(active, 0);
    for (let k = 0; k < entries.length; k++) {
      const i = (from + k) % entries.length;
      if (entries[i]!.name.toLowerCase().startsWith(t.text)) return select(i);
    }
  };

  // The list keeps every key it handles: the studio's frame-stepping arrows and the
  // like never see them (they also stand aside while a prompt is open).
  const onListKey = (e: KeyboardEvent<HTMLDivElement>) => {
    const last = entries.length - 1;
    let handled = true;
    if (e.key === 'ArrowDown') select(Math.min(last, active + 1));
    else if (e.key === 'ArrowUp' && e.altKey) goUp();
    else if (e.key === 'ArrowUp') select(Math.max(0, active - 1));
    else if (e.key === 'Home') select(0);
    else if (e.key === 'End') select(last);
    else if (e.key === 'PageDown') select(Math.min(last, active + 10));
    else if (e.key === 'PageUp') select(Math.max(0, active - 10));
    else if (e.key === 'Enter') activate(active);
    else if (e.key === 'Backspace' || e.key === 'ArrowLeft') goUp();
    else if (e.key === 'ArrowRight') {
      if (entries[active]?.kind === 'folder') activate(active);
    } else if (e.key === ' ') select(Math.max(0, active));
    else if (e.key.length === 1 && !e.ctrlKey && !e.metaKey && !e.altKey) typeAhead(e.key);
    else handled = false;
    if (handled) {
      e.preventDefault();
      e.stopPropagation();
    }
  };

  const saveTarget = (): string | null => {
    const name = fileName.trim();
    if (!name || (!listing && !isAbsolutePath(name))) return null;
    const path = isAbsolutePath(name) ? name : joinPath(listing!.dir, name);
    return path.toLowerCase().endsWith(PROJECT_EXTENSION) ? path : path + PROJECT_EXTENSION;
  };

  /** The path field (or, to save, the file name) submitted. */
  const submit = async () => {
    if (saving) {
      const target = saveTarget();
      if (target) prompt.resolve(target);
      return;
    }
    let typedPath = value.trim();
    if (!typedPath) return;
    if (!isAbsolutePath(typedPath) && listing) typedPath = joinPath(listing.dir, typedPath);
    if (forFolder) return prompt.resolve(typedPath);
    // to open: a folder is shown, a file answered
    if (typedPath === listing?.dir || entries.some((e) => e.kind === 'folder' && e.path === typedPath))
      return void show(typedPath);
    try {
      const result = await client.call('files.list', { dir: typedPath });
      apply(result, {});
    } catch (err) {
      if (err instanceof RequestError && err.code === 'invalid-request' && isAbsolutePath(typedPath))
        prompt.resolve(typedPath); // not a folder: the file itself
      else setError(err instanceof Error ? err.message : String(err));
    }
  };

  const dir = listing?.dir;
  const crumbs = dir ? crumbsOf(dir, listing.roots) : [];
  const currentRoot = dir ? rootOf(dir, listing.roots) : undefined;
  const chosen = value.trim();
  const choosesOther = forFolder && chosen !== '' && dir !== undefined && chosen !== dir;
  const target = saving ? saveTarget() : null;
  const replaces = target !== null && entries.some((e) => e.kind === 'file' && e.path === target);
  const status = loading
    ? 'Loading…'
    : listing
      ? `${plural(entries.length, 'item')}${listing.truncated ? ` (the first ${entries.length} shown)` : ''}`
      : '';

  return (
    <Modal
      title={prompt.title}
      onClose={cancel}
      className="file-browser-panel"
      footer={
        <>
          <span className="dim fb-status" data-testid="browser-status">
            {status}
          </span>
          <span className="toolbar-spacer" />
          <button type="button" onClick={cancel}>
            Cancel
          </button>
          {forFolder && (
            <button
              type="button"
              className={choosesOther ? '' : 'primary'}
              disabled={!dir}
              title={dir}
              onClick={() => dir && prompt.resolve(dir)}
            >
              Choose this folder
            </button>
          )}
          {choosesOther && (
            <button type="button" className="primary" title={chosen} onClick={() => void submit()}>
              Choose “{baseName(chosen.replace(/[\\/]+$/, '')) || chosen}”
            </button>
          )}
          {!forFolder && (
            <button
              type="button"
              className="primary"
              disabled={saving ? target === null : !chosen}
              onClick={() => void submit()}
            >
              {saving ? 'Save' : 'Open'}
            </button>
          )}
        </>
      }
    >
      {prompt.note && (
        <div className="callout" data-testid="browser-note">
          {prompt.note}
        </div>
      )}
      <div className="file-browser">
        <nav className="fb-places" aria-label="Places">
          <div className="fb-heading">Folders</div>
          <ul>
            {(listing?.roots ?? []).map((root) => (
              <li key={root}>
                <button
                  type="button"
                  className={`fb-place${root === currentRoot ? ' current' : ''}`}
                  aria-current={root === currentRoot ? 'location' : undefined}
                  title={root}
                  onClick={() => void show(root)}
                >
                  <Icon name="folder" size={14} />
                  <span>{rootLabel(root)}</span>
                </button>
              </li>
            ))}
          </ul>
          {purpose === 'openProject' && <RecentList onPick={(path) => prompt.resolve(path)} />}
        </nav>
        <div className="fb-main">
          <div className="fb-bar">
            <button
              type="button"
              className="fb-up"
              disabled={!listing?.parent}
              title="Up to the enclosing folder (Backspace)"
              onClick={goUp}
            >
              ↑ Up
            </button>
            <nav className="fb-crumbs" aria-label="Current folder" title={dir}>
              {crumbs.map((c, i) =>
                i === crumbs.length - 1 ? (
                  <span key={c.path} className="fb-crumb current" aria-current="location">
                    {c.label}
                  </span>
                ) : (
                  <span key={c.path} className="fb-crumb-step">
                    <button type="button" className="fb-crumb" title={c.path} onClick={() => void show(c.path)}>
                      {c.label}
                    </button>
                    <span className="fb-sep" aria-hidden="true">
                      ›
                    </span>
                  </span>
                ),
              )}
            </nav>
          </div>
          {error && (
            <div className="callout error" role="alert">
              {error}
            </div>
          )}
          <div
            role="listbox"
            aria-label="Folder contents"
            tabIndex={0}
            className="fb-list"
            data-autofocus={saving ? undefined : true}
            aria-activedescendant={active >= 0 && entries[active] ? rowId(active) : undefined}
            aria-busy={loading}
            onKeyDown={onListKey}
          >
            {entries.map((entry, i) => {
              const usable = entry.kind === 'folder' || isPickable(purpose, entry);
              const detail = entryDetail(entry);
              return (
                <div
                  key={entry.path}
                  id={rowId(i)}
                  role="option"
                  aria-selected={i === active}
                  aria-disabled={!usable || undefined}
                  aria-label={detail ? `${entry.name}, ${detail}` : entry.name}
                  data-kind={entry.kind}
                  className={`fb-row ${entry.kind}${i === active ? ' active' : ''}${usable ? '' : ' unusable'}`}
                  title={entry.path}
                  onClick={() => select(i)}
                  onDoubleClick={() => activate(i)}
                >
                  <Icon name={entryIcon(entry)} size={15} />
                  <span className="fb-name mono">{entry.name}</span>
                  <span className="fb-detail mono">{detail}</span>
                  <span className="fb-date">{entry.modifiedAt ? formatDate(entry.modifiedAt) : ''}</span>
                </div>
              );
            })}
            {listing && !loading && entries.length === 0 && <div className="fb-empty">This folder is empty.</div>}
          </div>
          <form
            className="fb-field"
            onSubmit={(e) => {
              e.preventDefault();
              void submit();
            }}
          >
            {saving ? (
              <>
                <label className="form-label" htmlFor={`${ids}-name`}>
                  File name
                </label>
                <input
                  id={`${ids}-name`}
                  type="text"
                  className="path-input mono"
                  data-autofocus
                  value={fileName}
                  spellCheck={false}
                  placeholder={`shot_010${PROJECT_EXTENSION}`}
                  onChange={(e) => setFileName(e.target.value)}
                />
              </>
            ) : (
              <>
                <label className="form-label" htmlFor={`${ids}-path`}>
                  Path
                </label>
                <input
                  id={`${ids}-path`}
                  type="text"
                  className="path-input mono"
                  value={value}
                  spellCheck={false}
                  placeholder="/absolute/path, or a name in this folder"
                  onChange={(e) => setValue(e.target.value)}
                />
              </>
            )}
          </form>
          {saving && target && (
            <div className={`field-hint mono${replaces ? ' warn' : ''}`} data-testid="save-target">
              {replaces ? `Replaces ${target}` : `Saves as ${target}`}
            </div>
          )}
        </div>
      </div>
    </Modal>
  );
}
