/**
 * Dialogs, notices and path prompts. Asking for a path uses the native dialog
 * where there is one (Electron) and an in-app prompt otherwise (browser host).
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
    }
  | { kind: 'export'; clipIds: string[] }
  | { kind: 'recent' };

export interface PathPrompt {
  purpose: PickPurpose;
  title: string;
  value: string;
  resolve(path: string | null): void;
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
  askPath(purpose: PickPurpose, title: string, defaultPath?: string): Promise<string | null>;
  notify(level: Notice['level'], text: string, action?: NoticeAction): void;
  dismissNotice(id: number): void;
}

const NOTICE_LIMIT = 5;

export const createUiSlice: SliceCreator<UiSlice> = (set, get, { client }) => {
  let nextNotice = 1;
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

    async askPath(purpose, title, defaultPath) {
      try {
        const picked = await client.call('dialog.pick', { purpose, ...(defaultPath ? { defaultPath } : {}) });
        if (picked.native) return picked.path;
      } catch {
        // no native dialog: fall back to the prompt
      }
      return new Promise((resolve) => {
        set({
          prompt: {
            purpose,
            title,
            value: defaultPath ?? '',
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
