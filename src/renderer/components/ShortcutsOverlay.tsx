/**
 * The `?` overlay: every keyboard shortcut, listed from the one table the key
 * handler reads (lib/shortcuts.ts), so the list cannot fall behind the keys.
 * Not a modal: the shortcuts keep working while it is open; `?`, Esc, its close
 * button or a click beside it closes it.
 */
import type { ReactElement } from 'react';
import { keyLabel, shortcutGroups } from '../lib/shortcuts.js';
import { useStudio } from '../state/store.js';
import { Icon } from './icons.js';

const isMac = typeof navigator !== 'undefined' && /Mac/.test(navigator.platform);

export function ShortcutsOverlay(): ReactElement | null {
  const open = useStudio((s) => s.shortcutsOpen);
  const showShortcuts = useStudio((s) => s.showShortcuts);
  if (!open) return null;
  return (
    <div className="shortcuts-backdrop" onPointerDown={(e) => e.target === e.currentTarget && showShortcuts(false)}>
      <div className="modal shortcuts-panel" role="dialog" aria-label="Keyboard shortcuts" data-testid="shortcuts">
        <header className="modal-header">
          <span>Keyboard shortcuts</span>
          <button type="button" className="ghost icon-button" aria-label="Close" onClick={() => showShortcuts(false)}>
            <Icon name="close" size={14} />
          </button>
        </header>
        <div className="shortcuts-groups">
          {shortcutGroups().map(({ group, shortcuts }) => (
            <section key={group} className="shortcuts-group" aria-label={group}>
              <h3>{group}</h3>
              <dl>
                {shortcuts.map((s) => (
                  <div key={`${s.group}-${keyLabel(s)}`} className="shortcut" data-testid="shortcut">
                    <dt>
                      <kbd>{keyLabel(s, isMac)}</kbd>
                    </dt>
                    <dd>{s.label}</dd>
                  </div>
                ))}
              </dl>
            </section>
          ))}
        </div>
        <footer className="shortcuts-footer dim">
          Keys work wherever focus is, except the arrows, Home and End in a slider and typing in a field.
        </footer>
      </div>
    </div>
  );
}
