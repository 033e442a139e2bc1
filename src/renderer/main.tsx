/** Renderer entry: connect to the backend (Electron bridge or browser-host WebSocket), build the store, render. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { connectToBackend } from './client/connect.js';
import { App } from './components/App.js';
import { startAutosave } from './state/autosave.js';
import { keepProjectAcrossReloads } from './state/session-restore.js';
import { StudioContext, connectEvents, createStudio } from './state/store.js';
import './styles/theme.css';
import './styles/layout.css';
import './styles/viewer.css';
import './styles/timeline.css';
import './styles/panels.css';
import './styles/dialogs.css';

const root = createRoot(document.getElementById('root')!);
try {
  const studio = createStudio(connectToBackend());
  connectEvents(studio);
  startAutosave(studio);
  // the browser host's page can be reloaded; Electron's window cannot (session-restore.ts)
  if (!window.reage) keepProjectAcrossReloads(studio, window.sessionStorage, window);
  // Electron: a crash leaves an untitled project's autosave, offered at the next start
  else void studio.store.getState().offerUntitledAutosave();
  root.render(
    <StrictMode>
      <StudioContext.Provider value={studio}>
        <App />
      </StudioContext.Provider>
    </StrictMode>,
  );
} catch (err) {
  root.render(<div className="fatal">{err instanceof Error ? err.message : String(err)}</div>);
}
