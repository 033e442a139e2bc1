/** The engine's status and the export queue as the backend reports them; starting, cancelling and resuming exports. */
import type { EngineStatus, ExportShot, JobSnapshot } from '../../shared/ipc.js';
import {
  NamingPatternError,
  baseName,
  clipFrames,
  clipInputPattern,
  outputPattern,
  passPattern,
  type Project,
} from '../../shared/project.js';
import { parseFrameRange } from '../../shared/sequence.js';
import { plural } from '../lib/format.js';
import type { SliceCreator } from './types.js';

export interface JobsSlice {
  engine: EngineStatus;
  jobs: JobSnapshot[];
  setEngine(status: EngineStatus): void;
  applyJob(job: JobSnapshot): void;
  /** merge the backend's job list (fetched at start-up) */
  setJobs(jobs: JobSnapshot[]): void;
  /** queue an export of these shots with the project's export settings; returns the job id, or null with a notice */
  startExport(clipIds: readonly string[], options: ExportOptions): Promise<string | null>;
  cancelJob(jobId: string): Promise<void>;
  resumeJob(jobId: string): Promise<void>;
}

export interface ExportOptions {
  /** only these frames of each shot, e.g. "1001-1003"; all frames when empty */
  frames?: string;
  /** skip frames whose output already exists */
  skipExisting: boolean;
}

/**
 * The export request for the chosen shots. Throws NamingPatternError when names
 * cannot be made and SequenceSyntaxError for a malformed frame range.
 */
export function exportShots(project: Project, clipIds: readonly string[], frames?: string): ExportShot[] {
  const settings = project.exportSettings;
  if (!settings.folder) throw new NamingPatternError('choose an output folder first');
  const only = frames?.trim() ? new Set(parseFrameRange(frames)) : null;
  return project.timeline.clips
    .filter((c) => clipIds.includes(c.id))
    .map((clip) => ({
      shotId: clip.id,
      name: clip.name,
      input: clipInputPattern(clip),
      frames: clipFrames(clip).filter((f) => !only || only.has(f)),
      out: outputPattern(clip, settings),
      settings: clip.settings,
      bitDepth: settings.bitDepth,
      ...passPatterns(outputPattern(clip, settings), settings),
    }))
    .filter((shot) => shot.frames.length > 0);
}

/** The compositing passes the export settings ask for, beside the frames (passPattern). */
function passPatterns(out: string, settings: Project['exportSettings']): Pick<ExportShot, 'matte' | 'delta'> {
  return {
    ...(settings.matte ? { matte: passPattern(out, 'matte') } : {}),
    ...(settings.delta ? { delta: passPattern(out, 'delta') } : {}),
  };
}

function isActive(status: JobSnapshot['status']): boolean {
  return status === 'queued' || status === 'running' || status === 'paused';
}

/** What to tell the artist when an export ends: silent success is fine, failures name the first frame and why. */
export function finishNotice(job: JobSnapshot): { level: 'info' | 'warning' | 'error'; text: string } | null {
  const failures = job.shots.flatMap((s) => s.failures.map((f) => ({ shot: s.name, ...f })));
  const shotError = job.shots.find((s) => s.error);
  if (job.status === 'failed' && shotError)
    return { level: 'error', text: `Export failed: ${shotError.name}: ${shotError.error}` };
  if (job.status === 'cancelled') return { level: 'info', text: 'Export cancelled; Resume continues where it stopped' };
  if (failures.length > 0) {
    // the reasons are in the render queue's failed-frame list; the notice names where to look
    const named = failures
      .slice(0, 3)
      .map((f) => `${f.shot} ${f.frame}${f.file ? ` (${baseName(f.file)})` : ''}`)
      .join(', ');
    const more = failures.length > 3 ? ` and ${failures.length - 3} more` : '';
    return {
      level: 'warning',
      text: `Export finished with ${plural(failures.length, 'failed frame')}: ${named}${more}. Reasons are listed in the render queue.`,
    };
  }
  const done = job.shots.reduce((n, s) => n + s.done, 0);
  return { level: 'info', text: `Export finished: ${plural(done, 'frame')} written` };
}

export const createJobsSlice: SliceCreator<JobsSlice> = (set, get, { client }) => ({
  engine: { state: 'starting', restarts: 0 },
  jobs: [],

  setEngine(engine) {
    const before = get().engine;
    set({ engine });
    // the status bar has room for a few words: a failure is told in full, once
    if (engine.state === 'failed' && engine.message && (before.state !== 'failed' || before.message !== engine.message))
      get().notify(
        'error',
        before.state === 'ready'
          ? `The engine stopped: ${engine.message}`
          : `The engine could not start: ${engine.message}`,
      );
  },

  applyJob(job) {
    const before = get().jobs.find((j) => j.id === job.id);
    set((s) => {
      const at = s.jobs.findIndex((j) => j.id === job.id);
      const jobs = at < 0 ? [...s.jobs, job] : s.jobs.map((j, i) => (i === at ? job : j));
      return { jobs };
    });
    // a new job, started here or by another window: the artist's next look is at its progress
    if (!before && isActive(job.status)) get().showSidebarTab('queue');
    if (before && isActive(before.status) && !isActive(job.status)) {
      const notice = finishNotice(job);
      if (notice) get().notify(notice.level, notice.text);
    }
  },

  setJobs(listed) {
    // the list may arrive after events about the same jobs: those events are newer, keep them
    set((s) => {
      const known = new Set(s.jobs.map((j) => j.id));
      return { jobs: [...listed.filter((j) => !known.has(j.id)), ...s.jobs] };
    });
  },

  async startExport(clipIds, { frames, skipExisting }) {
    let shots: ExportShot[];
    try {
      shots = exportShots(get().project, clipIds, frames);
    } catch (err) {
      get().notify('error', `Cannot export: ${(err as Error).message}`);
      return null;
    }
    if (shots.length === 0) {
      get().notify('warning', 'None of the chosen shots has frames in that range.');
      return null;
    }
    try {
      const { jobId } = await client.call('export.start', { shots, skipExisting });
      return jobId;
    } catch (err) {
      get().notify('error', `Cannot export: ${(err as Error).message}`);
      return null;
    }
  },

  async cancelJob(jobId) {
    await client.call('export.cancel', { jobId }).catch((err: Error) => get().notify('error', err.message));
  },

  async resumeJob(jobId) {
    await client.call('export.resume', { jobId }).catch((err: Error) => get().notify('error', err.message));
  },
});
