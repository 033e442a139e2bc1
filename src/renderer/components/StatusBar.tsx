/** Bottom line: engine state, backend and model, project file, export activity. */
import type { ReactElement } from 'react';
import { backendLabel, backendTitle, modelLabel, modelTitle } from '../lib/engine-info.js';
import { formatDuration } from '../lib/format.js';
import { useStudio, useStudioContext } from '../state/store.js';

function EngineStatusText(): ReactElement {
  const engine = useStudio((s) => s.engine);
  const info = engine.info;
  const label =
    engine.state === 'ready'
      ? 'Engine ready'
      : engine.state === 'failed'
        ? `Engine failed${engine.message ? `: ${engine.message}` : ''}`
        : engine.state === 'stopped'
          ? (engine.message ?? 'Engine stopped')
          : engine.state === 'restarting'
            ? 'Engine restarting…'
            : 'Engine starting…';
  return (
    <div className="status-item engine" data-testid="engine-status" data-state={engine.state}>
      <span className={`dot ${engine.state}`} />
      <span className="engine-label" title={engine.message}>
        {label}
      </span>
      {info && (
        <>
          <span className="status-sep" />
          <span className="status-backend" data-testid="backend" title={backendTitle(info)}>
            {backendLabel(info)}
          </span>
          <span className="status-sep" />
          <span className="status-model" data-testid="model" title={modelTitle(info)}>
            {modelLabel(info)}
            {info.model.trained ? (
              <span className="trained"> · trained</span>
            ) : (
              <span className="warn"> · untrained</span>
            )}
          </span>
        </>
      )}
    </div>
  );
}

function JobsStatus(): ReactElement | null {
  const jobs = useStudio((s) => s.jobs);
  const active = jobs.filter((j) => j.status === 'running' || j.status === 'paused' || j.status === 'queued');
  if (active.length === 0) return null;
  const total = active.reduce((n, j) => n + j.shots.reduce((m, s) => m + s.total, 0), 0);
  const done = active.reduce(
    (n, j) => n + j.shots.reduce((m, s) => m + s.done + s.skipped + s.noFace + s.failed, 0),
    0,
  );
  const eta = active[0]?.etaSeconds ?? null;
  return (
    <div className="status-item">
      Exporting {done}/{total} frames · {eta === null ? 'estimating ETA…' : `ETA ${formatDuration(eta)}`}
    </div>
  );
}

export function StatusBar(): ReactElement {
  const path = useStudio((s) => s.projectPath);
  const dirty = useStudio((s) => s.dirty);
  const { client } = useStudioContext();
  return (
    <footer className="status-bar">
      <EngineStatusText />
      <span className="toolbar-spacer" />
      <JobsStatus />
      <div className="status-item project" title={path ?? undefined}>
        {/* left to right inside the right-to-left box (which cuts long paths at the left): the slashes stay in place */}
        <bdi dir="ltr">{path ?? 'Unsaved project'}</bdi>
        {dirty && (
          <span className="dirty" title="Unsaved changes">
            {' '}
            ●
          </span>
        )}
      </div>
      <div className="status-item dim">{client.kind === 'electron' ? 'Desktop' : 'Browser host'}</div>
    </footer>
  );
}
