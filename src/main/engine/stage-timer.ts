/**
 * Seconds spent per pipeline stage for one frame (read, detect, align, encode,
 * optimise, generate, composite, write): reported with every frame and summed by
 * the benchmark, so a slow stage is named rather than guessed.
 */
export class StageTimer {
  readonly seconds: Record<string, number> = {};

  private add(stage: string, started: number): void {
    this.seconds[stage] = (this.seconds[stage] ?? 0) + (performance.now() - started) / 1000;
  }

  /** Seconds spent on the frame's behalf elsewhere (its faces, detected in the shot's face pass). */
  record(stage: string, seconds: number): void {
    this.seconds[stage] = (this.seconds[stage] ?? 0) + seconds;
  }

  time<T>(stage: string, fn: () => T): T {
    const started = performance.now();
    try {
      return fn();
    } finally {
      this.add(stage, started);
    }
  }

  async timeAsync<T>(stage: string, fn: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await fn();
    } finally {
      this.add(stage, started);
    }
  }
}
