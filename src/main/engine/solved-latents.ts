/**
 * The latents previews have solved, per shot and reconstruction settings and frame,
 * so that a preview of another frame of the same shot starts from the nearest solved
 * one (as the shot loop starts each frame from the previous frame's), and one of the
 * same frame at another target age or strength reuses its own. Bounded: the least
 * recently used are forgotten first.
 */

/** A frame's solution: z*, and the detail offset when detail refinement ran. */
export interface SolvedLatent {
  z: Float32Array;
  detail?: Float32Array;
}

/** Latents kept by default: with a detail offset (64 KB at 8x8x256 floats) a few tens of MB at most. */
export const SOLVED_LATENTS_CAPACITY = 256;

export class SolvedLatents {
  /** `${shot}\n${frame}` → latent, least recently used first */
  private readonly entries = new Map<string, { shot: string; frame: number; latent: SolvedLatent }>();
  /** the frames kept per shot, for the nearest-frame search */
  private readonly frames = new Map<string, Set<number>>();

  constructor(readonly capacity = SOLVED_LATENTS_CAPACITY) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be ≥ 1, got ${capacity}`);
  }

  get size(): number {
    return this.entries.size;
  }

  set(shot: string, frame: number, latent: SolvedLatent): void {
    const key = entryKey(shot, frame);
    this.entries.delete(key);
    this.entries.set(key, { shot, frame, latent });
    let frames = this.frames.get(shot);
    if (!frames) this.frames.set(shot, (frames = new Set()));
    frames.add(frame);
    while (this.entries.size > this.capacity) {
      const [oldestKey, oldest] = this.entries.entries().next().value!;
      this.entries.delete(oldestKey);
      const left = this.frames.get(oldest.shot)!;
      left.delete(oldest.frame);
      if (!left.size) this.frames.delete(oldest.shot);
    }
  }

  /**
   * The solved frame of `shot` nearest `frame`, at most `reach` frames away: the frame
   * itself, else the nearer of the two sides, the earlier one on a tie (the shot loop
   * runs forwards). Using it makes it the most recently used.
   */
  nearest(shot: string, frame: number, reach: number): { frame: number; latent: SolvedLatent } | undefined {
    const frames = this.frames.get(shot);
    if (!frames) return undefined;
    let best: number | undefined;
    for (const f of frames) {
      const d = Math.abs(f - frame);
      if (d > reach) continue;
      if (best === undefined || d < Math.abs(best - frame) || (d === Math.abs(best - frame) && f < best)) best = f;
    }
    if (best === undefined) return undefined;
    const key = entryKey(shot, best);
    const entry = this.entries.get(key)!;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return { frame: best, latent: entry.latent };
  }

  clear(): void {
    this.entries.clear();
    this.frames.clear();
  }
}

function entryKey(shot: string, frame: number): string {
  return `${shot}\n${frame}`;
}
