// @vitest-environment jsdom
// The in-app file browser (issue #22 item 5): where there is no native dialog (the
// browser host) every path is chosen in it, over files.list, against the real store.
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { BrowserEntry, StudioParams } from '../../src/shared/ipc.js';
import { dirName, joinPath } from '../../src/shared/project.js';
import { detectSequences, type NumberedSequence } from '../../src/shared/sequence.js';
import { App } from '../../src/renderer/components/App.js';
import { droppedItems } from '../../src/renderer/components/DropZone.js';
import { StudioContext, connectEvents, createStudio, type Studio } from '../../src/renderer/state/store.js';
import { BYTES, FakeError, fakeClient, type Handlers } from './fake-client.js';

afterEach(cleanup);

const PLATES = '/shows/abc/plates';
const RENDERS = '/shows/abc/renders';
const ROOTS = [PLATES, RENDERS, '/data'];
const AKIYO = [1001, 1002, 1003].map((f) => `akiyo.${f}.png`);

const folder = (dir: string, name: string): BrowserEntry => ({ name, path: joinPath(dir, name), kind: 'folder' });
const file = (dir: string, name: string, size = 100): BrowserEntry => ({
  name,
  path: joinPath(dir, name),
  kind: 'file',
  size,
  modifiedAt: Date.UTC(2025, 0, 2, 12),
});

const TREE: Record<string, BrowserEntry[]> = {
  [PLATES]: [
    folder(PLATES, 'akiyo'),
    folder(PLATES, 'b_roll'),
    file(PLATES, 'notes.txt', 12),
    file(PLATES, 'shot_010.reage', 2048),
  ],
  [`${PLATES}/akiyo`]: [
    {
      name: 'akiyo.####.png',
      path: `${PLATES}/akiyo/akiyo.####.png`,
      kind: 'sequence',
      frames: '1001–1003 · 3 frames',
    },
    file(`${PLATES}/akiyo`, 'akiyo.txt'),
  ],
  [`${PLATES}/b_roll`]: [],
  [RENDERS]: [folder(RENDERS, 'v001')],
  [`${RENDERS}/v001`]: [],
  '/data': [],
};
const FILES = new Set(
  Object.values(TREE).flatMap((entries) => entries.filter((e) => e.kind !== 'folder').map((e) => e.path)),
);

function filesList({ dir }: StudioParams<'files.list'>) {
  const d = dir ?? ROOTS[0]!;
  const entries = TREE[d];
  if (!entries) {
    if (FILES.has(d)) throw new FakeError('invalid-request', `${d} is not a folder`);
    if (!ROOTS.some((r) => d === r || d.startsWith(r + '/')))
      throw new FakeError('forbidden', `${d} is outside the folders this studio may use (${ROOTS.join(', ')})`);
    throw new FakeError('not-found', `${d} does not exist`);
  }
  return { dir: d, parent: ROOTS.includes(d) ? null : dirName(d), roots: ROOTS, entries };
}

const handlers: Handlers = {
  'engine.status': () => ({ state: 'ready', restarts: 0 }),
  'jobs.list': () => ({ jobs: [] }),
  'dialog.pick': () => ({ path: null, native: false }),
  'files.list': filesList,
  'fs.listFolder': ({ path }) => ({
    path,
    entries: path.endsWith('akiyo') ? AKIYO.map((name) => ({ name, kind: 'file' as const })) : [],
  }),
  'fs.readImage': ({ path }) => ({ path, mime: 'image/png', bytes: BYTES }),
  'project.recent': () => ({
    projects: [{ path: '/shows/abc/plates/shot_010.reage', name: 'shot_010', openedAt: '2025-01-02', exists: true }],
  }),
  'project.save': ({ path, project }) => ({ path, project }),
  'project.open': ({ path }) => ({ path, project: createStudio(fakeClient()).store.getState().project, media: [] }),
};

function renderApp(extra: Handlers = {}, kind: 'test' | 'electron' = 'test') {
  const client = fakeClient({ ...handlers, ...extra }, kind);
  const studio = createStudio(client);
  connectEvents(studio);
  render(
    <StudioContext.Provider value={studio}>
      <App />
    </StudioContext.Provider>,
  );
  return { client, studio, state: () => studio.store.getState() };
}

function importAkiyo(studio: Studio) {
  const seq = detectSequences(AKIYO)[0] as NumberedSequence;
  act(() => studio.store.getState().importSequences(`${PLATES}/akiyo`, [seq]));
}

async function openBrowser(title: string) {
  const browser = await screen.findByRole('dialog', { name: title });
  const list = within(browser).getByRole('listbox', { name: 'Folder contents' });
  await waitFor(() => expect(list.getAttribute('aria-busy')).toBe('false'));
  return {
    browser,
    list,
    rows: () =>
      within(list)
        .queryAllByRole('option')
        .map((o) => o.getAttribute('aria-label')),
  };
}

const place = (browser: HTMLElement, name: string) =>
  within(within(browser).getByRole('navigation', { name: 'Places' })).getByRole('button', { name });
const crumb = (browser: HTMLElement, name: string) =>
  within(within(browser).getByRole('navigation', { name: 'Current folder' })).getByRole('button', { name });
const crumbs = (browser: HTMLElement) =>
  within(browser).getByRole('navigation', { name: 'Current folder' }).textContent?.replace(/›/g, '/');

describe('the file browser (no native dialog)', () => {
  it('imports through it: roots as shortcuts, into a folder, a sequence picked, then imported', async () => {
    const { client } = renderApp();
    fireEvent.click(screen.getByRole('button', { name: 'Import' }));
    const importDialog = screen.getByRole('dialog', { name: 'Import frames' });
    fireEvent.click(within(importDialog).getByRole('button', { name: 'Browse…' }));
    const { browser, list, rows } = await openBrowser('Folder holding the frames');
    // it starts at the first root, lists the roots, folders first with files after
    expect(crumbs(browser)).toBe('plates');
    const places = within(browser).getByRole('navigation', { name: 'Places' });
    expect(
      within(places)
        .getAllByRole('button')
        .map((b) => b.getAttribute('title')),
    ).toEqual(ROOTS);
    expect(rows()).toEqual(['akiyo', 'b_roll', 'notes.txt, 12 B', 'shot_010.reage, 2.0 KB']);
    expect(within(browser).getByRole('button', { name: '↑ Up' })).toHaveProperty('disabled', true);
    // a click selects a folder (the path field follows), a double-click opens it
    fireEvent.click(within(list).getByRole('option', { name: 'akiyo' }));
    expect(within(browser).getByLabelText('Path')).toHaveProperty('value', `${PLATES}/akiyo`);
    fireEvent.doubleClick(within(list).getByRole('option', { name: 'akiyo' }));
    await waitFor(() => expect(crumbs(browser)).toBe('plates/akiyo'));
    expect(rows()).toEqual(['akiyo.####.png, 1001–1003 · 3 frames', 'akiyo.txt, 100 B']);
    expect(
      within(list)
        .getByRole('option', { name: /^akiyo\.txt/ })
        .getAttribute('aria-disabled'),
    ).toBe('true');
    // a click on the sequence picks it: the path field shows it, the button names it
    fireEvent.click(within(list).getByRole('option', { name: /^akiyo\.####\.png/ }));
    expect(within(browser).getByLabelText('Path')).toHaveProperty('value', `${PLATES}/akiyo/akiyo.####.png`);
    fireEvent.click(within(browser).getByRole('button', { name: 'Choose “akiyo.####.png”' }));
    await waitFor(() => expect(screen.queryByRole('dialog', { name: 'Folder holding the frames' })).toBeNull());
    // the import dialog scanned its folder, with that sequence chosen
    await within(importDialog).findByText('akiyo.####.png');
    expect(within(importDialog).getByLabelText('Folder path')).toHaveProperty('value', `${PLATES}/akiyo`);
    expect(client.callsTo('fs.listFolder')).toEqual([{ path: `${PLATES}/akiyo` }]);
    fireEvent.click(within(importDialog).getByRole('button', { name: 'Import 1 shot' }));
    expect(screen.getAllByTestId('clip')).toHaveLength(1);
  });

  it('is driven by the keyboard, and its keys never step the studio’s frames', async () => {
    const { studio, state } = renderApp();
    importAkiyo(studio);
    const before = state().playhead;
    act(() => void state().startImport(''));
    fireEvent.click(
      within(screen.getByRole('dialog', { name: 'Import frames' })).getByRole('button', { name: 'Browse…' }),
    );
    const { browser, list, rows } = await openBrowser('Folder holding the frames');
    expect(document.activeElement).toBe(list); // focus starts in the list
    const leaked: string[] = [];
    const listen = (e: KeyboardEvent) => leaked.push(e.key);
    window.addEventListener('keydown', listen);
    fireEvent.keyDown(list, { key: 'ArrowDown' });
    fireEvent.keyDown(list, { key: 'ArrowDown' });
    expect(list.getAttribute('aria-activedescendant')).toBe(within(list).getByRole('option', { name: 'b_roll' }).id);
    fireEvent.keyDown(list, { key: 'ArrowUp' });
    fireEvent.keyDown(list, { key: 'Enter' });
    await waitFor(() => expect(crumbs(browser)).toBe('plates/akiyo'));
    fireEvent.keyDown(list, { key: 'ArrowRight' }); // on nothing: stays
    fireEvent.keyDown(list, { key: 'Backspace' }); // up again, the folder we came from selected
    await waitFor(() => expect(crumbs(browser)).toBe('plates'));
    expect(list.getAttribute('aria-activedescendant')).toBe(within(list).getByRole('option', { name: 'akiyo' }).id);
    fireEvent.keyDown(list, { key: 's' }); // type-ahead
    expect(list.getAttribute('aria-activedescendant')).toBe(within(list).getByRole('option', { name: /^shot_010/ }).id);
    fireEvent.keyDown(list, { key: 'End' });
    fireEvent.keyDown(list, { key: 'Home' });
    fireEvent.keyDown(list, { key: 'Enter' });
    await waitFor(() => expect(rows()[0]).toMatch(/^akiyo\.####\.png/));
    fireEvent.keyDown(list, { key: 'ArrowDown' });
    fireEvent.keyDown(list, { key: 'Enter' }); // the sequence: picked
    await waitFor(() => expect(screen.queryByRole('dialog', { name: 'Folder holding the frames' })).toBeNull());
    window.removeEventListener('keydown', listen);
    expect(leaked).toEqual([]); // the list kept every key: none reached the window's shortcuts
    expect(state().playhead).toEqual(before);
    expect(state().dialog).toMatchObject({ kind: 'import', path: `${PLATES}/akiyo`, preferred: ['akiyo.####.png'] });
  });

  it('chooses a folder for the export: another root, Up, the breadcrumb, “Choose this folder”', async () => {
    const { studio, state } = renderApp();
    importAkiyo(studio);
    act(() => state().openExport());
    const exportDialog = screen.getByRole('dialog', { name: 'Export re-aged frames' });
    fireEvent.click(within(exportDialog).getByRole('button', { name: 'Browse…' }));
    const { browser, list, rows } = await openBrowser('Output folder');
    // files are shown for what they are, but only folders answer
    expect(
      within(list)
        .getByRole('option', { name: /^shot_010/ })
        .getAttribute('aria-disabled'),
    ).toBe('true');
    fireEvent.click(place(browser, 'renders'));
    await waitFor(() => expect(crumbs(browser)).toBe('renders'));
    expect(rows()).toEqual(['v001']);
    fireEvent.doubleClick(within(list).getByRole('option', { name: 'v001' }));
    await waitFor(() => expect(crumbs(browser)).toBe('renders/v001'));
    expect(within(list).getByText('This folder is empty.')).toBeTruthy();
    fireEvent.click(within(browser).getByRole('button', { name: '↑ Up' }));
    await waitFor(() => expect(crumbs(browser)).toBe('renders'));
    fireEvent.doubleClick(within(list).getByRole('option', { name: 'v001' }));
    await waitFor(() => expect(crumbs(browser)).toBe('renders/v001'));
    fireEvent.click(crumb(browser, 'renders'));
    await waitFor(() => expect(crumbs(browser)).toBe('renders'));
    fireEvent.doubleClick(within(list).getByRole('option', { name: 'v001' }));
    await waitFor(() => expect(crumbs(browser)).toBe('renders/v001'));
    fireEvent.click(within(browser).getByRole('button', { name: 'Choose this folder' }));
    await waitFor(() => expect(screen.queryByRole('dialog', { name: 'Output folder' })).toBeNull());
    expect(state().project.exportSettings.folder).toBe(`${RENDERS}/v001`);
    expect(within(exportDialog).getByLabelText('Output folder')).toHaveProperty('value', `${RENDERS}/v001`);
  });

  it('starts an output folder not made yet at the nearest folder above it, and keeps the path', async () => {
    const { studio, state } = renderApp();
    importAkiyo(studio);
    act(() => state().setExportSettings({ folder: `${RENDERS}/v002/exr` }));
    act(() => state().openExport());
    fireEvent.click(
      within(screen.getByRole('dialog', { name: 'Export re-aged frames' })).getByRole('button', { name: 'Browse…' }),
    );
    const { browser } = await openBrowser('Output folder');
    await waitFor(() => expect(crumbs(browser)).toBe('renders'));
    expect(within(browser).getByRole('alert').textContent).toContain('does not exist');
    expect(within(browser).getByLabelText('Path')).toHaveProperty('value', `${RENDERS}/v002/exr`);
    fireEvent.click(within(browser).getByRole('button', { name: 'Choose “exr”' }));
    await waitFor(() => expect(state().project.exportSettings.folder).toBe(`${RENDERS}/v002/exr`));
  });

  it('saves with a file name in the current folder, the extension added', async () => {
    const { client, state } = renderApp();
    fireEvent.keyDown(window, { key: 's', ctrlKey: true });
    const { browser, list } = await openBrowser('Save project as');
    const name = within(browser).getByLabelText('File name');
    expect(document.activeElement).toBe(name);
    expect(name).toHaveProperty('value', 'Untitled.reage');
    expect(within(browser).queryByLabelText('Path')).toBeNull();
    fireEvent.change(name, { target: { value: 'akiyo_v2' } });
    expect(screen.getByTestId('save-target').textContent).toBe(`Saves as ${PLATES}/akiyo_v2.reage`);
    // an existing project's name, taken by a click, is said to be replaced
    fireEvent.click(within(list).getByRole('option', { name: /^shot_010/ }));
    expect(name).toHaveProperty('value', 'shot_010.reage');
    expect(screen.getByTestId('save-target').textContent).toBe(`Replaces ${PLATES}/shot_010.reage`);
    fireEvent.change(name, { target: { value: 'akiyo_v2' } });
    fireEvent.click(within(browser).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(client.callsTo('project.save')).toHaveLength(1));
    expect(client.callsTo('project.save')[0]).toMatchObject({ path: `${PLATES}/akiyo_v2.reage` });
    await waitFor(() => expect(state().projectPath).toBe(`${PLATES}/akiyo_v2.reage`));
  });

  it('opens a project by double-click, from the recent list, or typed; a folder typed is shown instead', async () => {
    const { client } = renderApp();
    fireEvent.keyDown(window, { key: 'o', ctrlKey: true });
    const first = await openBrowser('Open project file');
    const list = first.list;
    expect(
      within(list)
        .getByRole('option', { name: /^notes\.txt/ })
        .getAttribute('aria-disabled'),
    ).toBe('true');
    fireEvent.doubleClick(within(list).getByRole('option', { name: /^notes\.txt/ })); // not a project: nothing
    expect(screen.getByRole('dialog', { name: 'Open project file' })).toBeTruthy();
    fireEvent.doubleClick(within(list).getByRole('option', { name: /^shot_010/ }));
    await waitFor(() => expect(client.callsTo('project.open')).toEqual([{ path: `${PLATES}/shot_010.reage` }]));

    fireEvent.keyDown(window, { key: 'o', ctrlKey: true });
    let { browser } = await openBrowser('Open project file');
    const recent = await within(browser).findByRole('button', { name: 'shot_010' });
    fireEvent.click(recent);
    await waitFor(() => expect(client.callsTo('project.open')).toHaveLength(2));

    fireEvent.keyDown(window, { key: 'o', ctrlKey: true });
    ({ browser } = await openBrowser('Open project file'));
    const path = within(browser).getByLabelText('Path');
    fireEvent.change(path, { target: { value: `${RENDERS}/v001` } });
    fireEvent.submit(path);
    await waitFor(() => expect(crumbs(browser)).toBe('renders/v001'));
    fireEvent.change(path, { target: { value: '/etc' } });
    fireEvent.submit(path);
    expect((await within(browser).findByRole('alert')).textContent).toContain(
      '/etc is outside the folders this studio may use',
    );
    expect(client.callsTo('project.open')).toHaveLength(2);
    fireEvent.change(path, { target: { value: `${PLATES}/shot_010.reage` } });
    fireEvent.submit(path);
    await waitFor(() => expect(client.callsTo('project.open')).toHaveLength(3));
    expect(screen.queryByRole('dialog', { name: 'Open project file' })).toBeNull();
  });

  it('opens after a browser drop of a folder, saying why, and scans what is found', async () => {
    const { state } = renderApp();
    let dropped: Promise<void> | undefined;
    act(() => void (dropped = state().handleDrop({ paths: [], names: AKIYO, folders: ['akiyo'] })));
    const { browser, list } = await openBrowser('Find the folder “akiyo”');
    expect(within(browser).getByTestId('browser-note').textContent).toMatch(
      /^You dropped the folder “akiyo”, but a web page is never told where dropped files and folders are on disk/,
    );
    expect(screen.getByTestId('drop-note').textContent).toContain('You dropped “akiyo”');
    fireEvent.click(within(list).getByRole('option', { name: 'akiyo' }));
    fireEvent.click(within(browser).getByRole('button', { name: 'Choose “akiyo”' }));
    const importDialog = screen.getByRole('dialog', { name: 'Import frames' });
    await within(importDialog).findByText('akiyo.####.png');
    expect(within(importDialog).getByRole('checkbox')).toHaveProperty('checked', true);
    await dropped;
  });
});

describe('Browse… in Electron', () => {
  it('opens the native dialog, not the file browser', async () => {
    const { client } = renderApp({ 'dialog.pick': () => ({ path: `${PLATES}/akiyo`, native: true }) }, 'electron');
    fireEvent.click(screen.getByRole('button', { name: 'Import' }));
    const importDialog = screen.getByRole('dialog', { name: 'Import frames' });
    fireEvent.click(within(importDialog).getByRole('button', { name: 'Browse…' }));
    await within(importDialog).findByText('akiyo.####.png');
    expect(client.callsTo('dialog.pick')).toEqual([{ purpose: 'importFolder' }]);
    expect(client.callsTo('files.list')).toEqual([]);
    expect(screen.getAllByRole('dialog')).toHaveLength(1);
  });
});

describe('droppedItems', () => {
  const folderEntry = (name: string, files: string[]) => ({
    isDirectory: true,
    isFile: false,
    name,
    createReader: () => {
      let done = false;
      return {
        readEntries: (ok: (batch: { isFile: boolean; name: string }[]) => void) => {
          const batch = done ? [] : files.map((f) => ({ isFile: true, name: f }));
          done = true;
          ok(batch);
        },
      };
    },
  });
  const transfer = (entry: unknown) =>
    ({
      items: [{ kind: 'file', getAsFile: () => new File([], 'akiyo'), webkitGetAsEntry: () => entry }],
      getData: () => '',
    }) as unknown as DataTransfer;

  it('names a folder a browser dropped without its path', async () => {
    expect(await droppedItems(transfer(folderEntry('akiyo', AKIYO)), () => null)).toEqual({
      paths: [],
      names: AKIYO,
      folders: ['akiyo'],
    });
  });

  it('takes the real path where the platform gives it (Electron)', async () => {
    expect(await droppedItems(transfer(folderEntry('akiyo', AKIYO)), () => `${PLATES}/akiyo`)).toEqual({
      paths: [`${PLATES}/akiyo`],
      names: [],
    });
  });
});
