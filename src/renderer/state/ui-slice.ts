/**
 * Dialogs, notices and path prompts. Asking for a path uses the native dialog
 * where there is one (Electron) and the in-app file browser otherwise (browser
 * host: PathPrompt.tsx, over the backend's files.list).
 */
import type { FolderEntry, PickPurpose } from '../../shared/ipc.js';
import type { Sequence } from '../../shared/sequence.js';
import type { SliceCreator } from './types.js';

export interface ImportScan {
  folder: string;
  sequences: Sequence[];
  folders: FolderEntry[];
}

export type Dialog =
  | {
      kind: 'import';
      path: string;
      scan?: ImportScan;
      scanning?: boolean;
      error?: string;
      /** names of files dropped in a browser, which does not reveal their folder */
      droppedNames?: string[];
      /** names of folders dropped in a browser (their paths are not revealed either) */
      droppedFolders?: string[];
      /** sequence patterns to check first once scanned (the one picked in the file browser) */
      preferred?: string[];
    }
  | { kind: 'export'; clipIds: string[] }
  | { kind: 'recent' };

export interface PathPrompt {
  /** a new one for every prompt (the component's key) */
  id: number;
  purpose: PickPurpose;
  title: string;
  /** where it starts: a folder, a file (its folder, the file selected) or, to save, a file name */
  value: string;
  /** said above the file browser (why it opened: a drop whose folder the browser hides) */
  note?: string;
  resolve(path: string | null): void;
}

export interface AskPathOptions {
  /** shown in the in-app file browser; a native dialog does not show it */
  note?: string;
}

export interface NoticeAction {
  label: string;
  run(): void;
}

export interface Notice {
  id: number;
  level: 'info' | 'warning' | 'error';
  text: string;
  action?: NoticeAction;
}

export type SidebarTab = 'inspector' | 'queue';

export interface UiSlice {
  dialog: Dialog | null;
  prompt: PathPrompt | null;
  notices: Notice[];
  /** the `?` overlay listing the keyboard shortcuts */
  shortcutsOpen: boolean;
  /** which panel the sidebar shows: the shot's settings or the render queue */
  sidebarTab: SidebarTab;
  showSidebarTab(tab: SidebarTab): void;
  showShortcuts(open: boolean): void;
  openDialog(dialog: Dialog): void;
  updateDialog(patch: Partial<Dialog>): void;
  closeDialog(): void;
  /**
   * A path from the user: the native dialog (Electron) or the in-app file browser. For
   * importFolder it may be a sequence's pattern (/plates/a/a.####.png) picked in the
   * browser: its folder, with that sequence chosen.
   */
  askPath(purpose: PickPurpose, title: string, defaultPath?: string, options?: AskPathOptions): Promise<string | null>;
  notify(level: Notice['level'], text: string, action?: NoticeAction): void;
  dismissNotice(id: number): void;
}

const NOTICE_LIMIT = 5;

export const createUiSlice: SliceCreator<UiSlice> = (set, get, { client }) => {
  let nextNotice = 1;
  let nextPrompt = 1;
  return {
    dialog: null,
    prompt: null,
    notices: [],
    shortcutsOpen: false,
    sidebarTab: 'inspector',

    showShortcuts(open) {
      set({ shortcutsOpen: open });
    },

    showSidebarTab(tab) {
      set({ sidebarTab: tab });
    },

    openDialog(dialog) {
      set({ dialog });
    },

    updateDialog(patch) {
      const { dialog } = get();
      if (dialog) set({ dialog: { ...dialog, ...patch } as Dialog });
    },

    closeDialog() {
      set({ dialog: null });
    },

    async askPath(purpose, title, defaultPath, options = {}) {
      try {
        const picked = await client.call('dialog.pick', { purpose, ...(defaultPath ? { defaultPath } : {}) });
        if (picked.native) return picked.path;
      } catch {
        // no native dialog: fall back to the prompt
      }
      return new Promise((resolve) => {
        set({
          prompt: {
            id: nextPrompt++,
            purpose,
            title,
            value: defaultPath ?? '',
            ...(options.note ? { note: options.note } : {}),
            resolve: (path) => {
              set({ prompt: null });
              resolve(path && path.trim() ? path.trim() : null);
            },
          },
        });
      });
    },

    notify(level, text, action) {
      const notice: Notice = { id: nextNotice++, level, text, ...(action ? { action } : {}) };
      set((s) => ({ notices: [...s.notices, notice].slice(-NOTICE_LIMIT) }));
    },

    dismissNotice(id) {
      set((s) => ({ notices: s.notices.filter((n) => n.id !== id) }));
    },
  };
};
