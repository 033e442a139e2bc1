/** The engine's status and the export queue as the backend reports them; starting, cancelling and resuming exports. */
import type { EngineStatus, ExportShot, JobSnapshot } from '../../shared/ipc.js';
import { NamingPatternError, clipFrames, clipInputPattern, outputPattern, type Project } from '../../shared/project.js';
import { parseFrameRange } from '../../shared/sequence.js';
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
    }))
    .filter((shot) => shot.frames.length > 0);
}

export const createJobsSlice: SliceCreator<JobsSlice> = (set, get, { client }) => ({
  engine: { state: 'starting', restarts: 0 },
  jobs: [],

  setEngine(engine) {
    set({ engine });
  },

  applyJob(job) {
    set((s) => {
      const at = s.jobs.findIndex((j) => j.id === job.id);
      const jobs = at < 0 ? [...s.jobs, job] : s.jobs.map((j, i) => (i === at ? job : j));
      return { jobs };
    });
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
