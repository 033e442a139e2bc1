/** The export queue: per-job and per-shot progress, ETA, cancel / resume, and failed frames with reasons. */
import { useState, type ReactElement } from 'react';
import type { JobShotSnapshot, JobSnapshot } from '../../shared/ipc.js';
import { baseName, dirName } from '../../shared/project.js';
import { formatDuration, formatPercent, plural } from '../lib/format.js';
import { useStudio } from '../state/store.js';

const STATUS_LABEL: Record<JobSnapshot['status'], string> = {
  queued: 'Queued',
  running: 'Rendering',
  paused: 'Paused',
  cancelled: 'Cancelled',
  completed: 'Done',
  failed: 'Failed',
};

function finished(shot: JobShotSnapshot): number {
  return shot.done + shot.skipped + shot.noFace + shot.failed;
}

/** "…/renders/akiyo_reaged.####.png": the output's folder and name, the full path in the tooltip. */
function shortPath(path: string): string {
  const folder = baseName(dirName(path));
  return folder ? `…/${folder}/${baseName(path)}` : path;
}

/** "ETA 1:15"; before the first frame has a timing, say it is being estimated rather than show a dash. */
function eta(seconds: number | null): string {
  return seconds === null ? 'estimating ETA…' : `ETA ${formatDuration(seconds)}`;
}

function Progress({ value, total, state }: { value: number; total: number; state: string }): ReactElement {
  return (
    <div
      className={`progress ${state}`}
      role="progressbar"
      aria-valuemin={0}
      aria-valuemax={total}
      aria-valuenow={value}
    >
      <div className="progress-fill" style={{ width: formatPercent(value, total) }} />
    </div>
  );
}

/** `showEta`: the job has several shots, so each one's ETA says more than the job's. */
function ShotRow(props: { shot: JobShotSnapshot; active: boolean; showEta: boolean }): ReactElement {
  const { shot, active, showEta } = props;
  // failures are listed straight away once the shot is over: they are what the artist must act on
  const [open, setOpen] = useState<boolean | null>(null);
  const expanded = open ?? !active;
  const n = finished(shot);
  return (
    <div className="job-shot" data-testid="job-shot">
      <div className="job-shot-line">
        <span className="job-shot-name">{shot.name}</span>
        <span className="mono dim">
          {n}/{shot.total}
          {shot.currentFrame !== null && active ? ` · f${shot.currentFrame}` : ''}
        </span>
        {showEta && shot.status === 'running' && shot.etaSeconds !== null && (
          <span className="mono dim">ETA {formatDuration(shot.etaSeconds)}</span>
        )}
      </div>
      <Progress value={n} total={shot.total} state={shot.failed ? 'warn' : shot.status} />
      <div className="job-shot-counts">
        <span>{shot.done} done</span>
        {shot.sourceAge && (
          <span title="The source age the engine used for this shot">source age {shot.sourceAge}</span>
        )}
        {shot.skipped > 0 && <span>{shot.skipped} skipped</span>}
        {shot.noFace > 0 && <span className="warn">{shot.noFace} no face</span>}
        {shot.failed > 0 && (
          <button type="button" className="link error" aria-expanded={expanded} onClick={() => setOpen(!expanded)}>
            {plural(shot.failed, 'failed frame')} {expanded ? '▾' : '▸'}
          </button>
        )}
      </div>
      <div className="job-shot-out mono dim" title={shot.out}>
        → {shortPath(shot.out)}
      </div>
      {shot.error && (
        <div className="job-error" role="alert">
          {shot.error}
        </div>
      )}
      {expanded && shot.failures.length > 0 && (
        <ul className="failures" aria-label={`Failed frames of ${shot.name}`} data-testid="failures">
          {shot.failures.map((f) => (
            <li key={f.frame}>
              <span className="failure-frame mono">{f.frame}</span>
              {f.file && (
                <span className="failure-file mono" title={f.file}>
                  {baseName(f.file)}
                </span>
              )}
              <span className="failure-reason">{f.error}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function JobCard({ job }: { job: JobSnapshot }): ReactElement {
  const cancelJob = useStudio((s) => s.cancelJob);
  const resumeJob = useStudio((s) => s.resumeJob);
  const total = job.shots.reduce((n, s) => n + s.total, 0);
  const done = job.shots.reduce((n, s) => n + finished(s), 0);
  const failed = job.shots.reduce((n, s) => n + s.failed, 0);
  const active = job.status === 'running' || job.status === 'queued' || job.status === 'paused';
  const resumable = job.status === 'cancelled' || job.status === 'failed' || (job.status === 'completed' && failed > 0);
  return (
    <article className={`job ${job.status}`} data-testid="job" data-status={job.status} aria-label={`Export ${job.id}`}>
      <header className="job-header">
        <span className={`chip ${job.status}`}>{STATUS_LABEL[job.status]}</span>
        <span className="job-title">Export · {plural(job.shots.length, 'shot')}</span>
        <span className="toolbar-spacer" />
        {active && (
          <button type="button" className="small" onClick={() => void cancelJob(job.id)}>
            Cancel
          </button>
        )}
        {resumable && (
          <button type="button" className="small" onClick={() => void resumeJob(job.id)}>
            {job.status === 'completed' ? 'Retry failed' : 'Resume'}
          </button>
        )}
      </header>
      <div className="job-totals mono dim">
        <span>
          {done}/{total} frames · {formatPercent(done, total)}
        </span>
        {active && <span>{job.status === 'queued' ? 'waiting' : eta(job.etaSeconds)}</span>}
      </div>
      <Progress value={done} total={total} state={failed ? 'warn' : job.status} />
      {job.message && <div className="job-message">{job.message}</div>}
      {job.restarts > 0 && (
        <div className="job-message">engine restarted {plural(job.restarts, 'time')}; no finished frame was lost</div>
      )}
      {job.shots.map((shot) => (
        <ShotRow key={shot.shotId} shot={shot} active={active} showEta={job.shots.length > 1} />
      ))}
      {!active && (
        <div className="job-summary" data-testid="job-summary">
          {job.shots.reduce((n, s) => n + s.done, 0)} done · {job.shots.reduce((n, s) => n + s.skipped, 0)} skipped ·{' '}
          {job.shots.reduce((n, s) => n + s.noFace, 0)} no face · {failed} failed
          {job.startedAt && job.finishedAt ? ` · ${formatDuration((job.finishedAt - job.startedAt) / 1000)}` : ''}
        </div>
      )}
    </article>
  );
}

export function RenderQueue(): ReactElement {
  const jobs = useStudio((s) => s.jobs);
  const openExport = useStudio((s) => s.openExport);
  return (
    <section className={`panel render-queue${jobs.length ? ' has-jobs' : ''}`} aria-label="Render queue">
      <div className="panel-title">
        {/* the sidebar's tab names the panel: this row holds its action */}
        <span className="toolbar-spacer" />
        <button type="button" className="small" onClick={openExport}>
          Export…
        </button>
      </div>
      <div className="panel-body">
        {jobs.length === 0 && <div className="panel-empty">No exports yet</div>}
        {[...jobs].reverse().map((job) => (
          <JobCard key={job.id} job={job} />
        ))}
      </div>
    </section>
  );
}
