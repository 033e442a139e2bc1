/**
 * A page reload in the browser host must not drop the open project: the path of the
 * project open in this tab is kept in the tab's sessionStorage and opened again when the
 * page loads (a newer autosave is offered as on any open; with none open, the newest
 * untitled autosave is offered instead), and leaving the page with
 * unsaved changes asks first. Electron's window has no reload for the artist, and a
 * beforeunload refusal there would silently keep the window from closing, so the app
 * calls this only in the browser host.
 */
import type { Studio } from './store.js';

const OPEN_PROJECT_KEY = 'reage.openProject';

export function keepProjectAcrossReloads(
  studio: Studio,
  storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>,
  page: Pick<Window, 'addEventListener' | 'removeEventListener'>,
): () => void {
  const remembered = storage.getItem(OPEN_PROJECT_KEY);
  if (remembered) void studio.store.getState().openProject(remembered);
  else void studio.store.getState().offerUntitledAutosave();
  const unsubscribe = studio.store.subscribe((state, previous) => {
    if (state.projectPath === previous.projectPath) return;
    if (state.projectPath) storage.setItem(OPEN_PROJECT_KEY, state.projectPath);
    else storage.removeItem(OPEN_PROJECT_KEY);
  });
  const onBeforeUnload = (e: BeforeUnloadEvent) => {
    if (!studio.store.getState().dirty) return;
    // the browser shows its own "leave the page?" question
    e.preventDefault();
    e.returnValue = '';
  };
  page.addEventListener('beforeunload', onBeforeUnload);
  return () => {
    unsubscribe();
    page.removeEventListener('beforeunload', onBeforeUnload);
  };
}
