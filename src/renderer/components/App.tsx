/** The studio window: top bar, viewer, inspector and render queue, timeline, status bar, dialogs. */
import type { ReactElement } from 'react';
import { useStudio } from '../state/store.js';
import { useAutoPreview, usePlayback, useShortcuts } from './behaviour.js';
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
      {prompt && <PathPrompt key={prompt.title} prompt={prompt} />}
    </>
  );
}

export function App(): ReactElement {
  useShortcuts();
  usePlayback();
  useAutoPreview();
  return (
    <div className="app">
      <TopBar />
      <main className="workspace">
        <Viewer />
        <aside className="sidebar">
          <Inspector />
          <RenderQueue />
        </aside>
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
