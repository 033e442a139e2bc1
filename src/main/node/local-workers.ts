/**
 * How many engine processes one render runs at once on this machine: the CLI's
 * `--workers` default (src/main/cli/age.ts) and the studio's parallel export
 * (src/main/services/parallel-export.ts) both ask here, so they agree. The tfjs wasm
 * backend runs one thread per process, so one process per core; each process loads
 * its own model and networks, so no more than free memory holds.
 */
import { availableParallelism, freemem } from 'node:os';

/**
 * What one engine process is assumed to need (model, networks, a few frames at plate
 * size): an estimate to divide free memory by, generous so a full machine does not
 * swap, not a measurement.
 */
export const WORKER_MEMORY_BYTES = 1.5 * 1024 ** 3;

/**
 * Frames a default split gives each worker at least: every worker but the first pays a
 * process start and a pre-roll, which a short render does not earn back, and a short
 * render stays bit-for-bit what one process makes.
 */
export const MIN_FRAMES_PER_WORKER = 12;

export interface MachineCapacity {
  cores: number;
  freeBytes: number;
}

/** This machine's cores and free memory, now. */
export function machineCapacity(): MachineCapacity {
  return { cores: availableParallelism(), freeBytes: freemem() };
}

/** Workers for a local render: one per core, no more than free memory holds, at least one. */
export function localWorkers(machine: MachineCapacity = machineCapacity()): number {
  return Math.max(1, Math.min(machine.cores, Math.floor(machine.freeBytes / WORKER_MEMORY_BYTES)));
}

/** The default for a render of `frames` frames given `available` workers: only as many as get MIN_FRAMES_PER_WORKER each. */
export function workersForFrames(available: number, frames: number): number {
  if (available <= 1) return 1;
  return Math.max(1, Math.min(available, Math.floor(frames / MIN_FRAMES_PER_WORKER)));
}
