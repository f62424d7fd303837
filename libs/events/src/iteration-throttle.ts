/**
 * Iteration-style events (optimizer iterations, evaluation progress) can come thousands of times
 * a run. A throttle lets through every `every`-th one, plus the first and the last, so clients see
 * steady progress without a flood. `every` defaults to about 50 updates per run, as the original
 * `ws_throttle_every` did (≈ total / 50).
 */
export class IterationThrottle {
  readonly every: number;

  constructor(
    private readonly total: number,
    every?: number,
  ) {
    this.every = Math.max(1, Math.floor(every ?? Math.ceil(total / 50)));
  }

  /** Whether the update for `iteration` (1-based) goes out. */
  shouldEmit(iteration: number): boolean {
    return iteration === 1 || iteration >= this.total || iteration % this.every === 0;
  }
}
