/** The studio window: top bar, viewer, inspector and render queue, timeline, status bar, dialogs. */
import type { ReactElement } from 'react';
import type { SidebarTab } from '../state/ui-slice.js';
import { useStudio } from '../state/store.js';
import { useAutoPreview, useCachedPreview, usePlayback, useShortcuts } from './behaviour.js';
import { DropZone } from './DropZone.js';
import { ExportDialog } from './ExportDialog.js';
import { ImportDialog } from './ImportDialog.js';
import { Inspector } from './Inspector.js';
import { Notices } from './Notices.js';
import { PathPrompt } from './PathPrompt.js';
import { RenderQueue } from './RenderQueue.js';
import { ShortcutsOverlay } from './ShortcutsOverlay.js';
import { StatusBar } from './StatusBar.js';
import { Timeline } from './Timeline.js';
import { TopBar } from './TopBar.js';
import { Viewer } from './Viewer.js';

function Dialogs(): ReactElement {
  const dialog = useStudio((s) => s.dialog);
  const prompt = useStudio((s) => s.prompt);
  return (
    <>
      {dialog?.kind === 'import' && <ImportDialog dialog={dialog} />}
      {dialog?.kind === 'export' && <ExportDialog dialog={dialog} />}
      {prompt && <PathPrompt key={prompt.id} prompt={prompt} />}
    </>
  );
}

/**
 * The shot's settings and the render queue as tabs of one panel, so each gets the
 * sidebar's full height: the inspector keeps all its fields visible while jobs are listed.
 */
function Sidebar(): ReactElement {
  const tab = useStudio((s) => s.sidebarTab);
  const show = useStudio((s) => s.showSidebarTab);
  const active = useStudio((s) => s.jobs.filter((j) => j.status === 'running' || j.status === 'queued').length);
  const jobs = useStudio((s) => s.jobs.length);
  const tabButton = (value: SidebarTab, label: string, badge?: string) => (
    <button
      type="button"
      role="tab"
      aria-selected={tab === value}
      className={`sidebar-tab${tab === value ? ' active' : ''}`}
      onClick={(e) => {
        show(value);
        // a click must not keep the keyboard from the frame-stepping shortcuts
        e.currentTarget.blur();
      }}
    >
      {label}
      {badge && <span className="tab-badge">{badge}</span>}
    </button>
  );
  return (
    <aside className="sidebar">
      <div className="sidebar-tabs" role="tablist" aria-label="Sidebar">
        {tabButton('inspector', 'Inspector')}
        {tabButton('queue', 'Render queue', active ? `${active} active` : jobs ? String(jobs) : undefined)}
      </div>
      {tab === 'inspector' ? <Inspector /> : <RenderQueue />}
    </aside>
  );
}

export function App(): ReactElement {
  useShortcuts();
  usePlayback();
  useAutoPreview();
  useCachedPreview();
  return (
    <div className="app">
      <TopBar />
      <main className="workspace">
        <Viewer />
        <Sidebar />
      </main>
      <Timeline />
      <StatusBar />
      <Notices />
      <DropZone />
      <Dialogs />
      <ShortcutsOverlay />
    </div>
  );
}
