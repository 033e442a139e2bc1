/** The title bar: project name and the file / edit actions (the browser has no native menu). */
import type { ReactElement } from 'react';
import type { MenuCommand } from '../../shared/ipc.js';
import { useStudio } from '../state/store.js';
import { Icon, type IconName } from './icons.js';

const MOD = typeof navigator !== 'undefined' && /Mac/.test(navigator.platform) ? '⌘' : 'Ctrl+';

function Action(props: {
  command: MenuCommand;
  icon: IconName;
  label: string;
  shortcut: string;
  disabled?: boolean;
}): ReactElement {
  const run = useStudio((s) => s.run);
  return (
    <button
      type="button"
      className="ghost topbar-action"
      title={`${props.label} (${props.shortcut})`}
      disabled={props.disabled}
      onClick={() => run(props.command)}
    >
      <Icon name={props.icon} size={15} />
      <span>{props.label}</span>
    </button>
  );
}

export function TopBar(): ReactElement {
  const name = useStudio((s) => s.project.name);
  const dirty = useStudio((s) => s.dirty);
  const canUndo = useStudio((s) => s.history.past.length > 0);
  const canRedo = useStudio((s) => s.history.future.length > 0);
  const hasClips = useStudio((s) => s.project.timeline.clips.length > 0);
  return (
    <header className="topbar">
      <div className="brand">
        <span className="brand-mark" aria-hidden="true" />
        ReAge<span className="brand-light">Studio</span>
      </div>
      <nav className="topbar-actions" aria-label="Project">
        <Action command="newProject" icon="file" label="New" shortcut={`${MOD}N`} />
        <Action command="openProject" icon="folder" label="Open" shortcut={`${MOD}O`} />
        <Action command="saveProject" icon="save" label="Save" shortcut={`${MOD}S`} />
        <span className="toolbar-sep" />
        <Action command="importFrames" icon="importFrames" label="Import" shortcut={`${MOD}I`} />
        <Action command="export" icon="exportFrames" label="Export" shortcut={`${MOD}E`} disabled={!hasClips} />
        <span className="toolbar-sep" />
        <Action command="undo" icon="undo" label="Undo" shortcut={`${MOD}Z`} disabled={!canUndo} />
        <Action command="redo" icon="redo" label="Redo" shortcut={`${MOD}Shift+Z`} disabled={!canRedo} />
      </nav>
      <div className="project-title" data-testid="project-title">
        {name}
        {dirty && (
          <span className="dirty" title="Unsaved changes">
            {' '}
            ●
          </span>
        )}
      </div>
    </header>
  );
}
