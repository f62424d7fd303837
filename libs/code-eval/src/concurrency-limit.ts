/** Thrown to a caller whose signal was aborted while it waited for a slot. */
export class WaitAbortedError extends Error {
  constructor() {
    super('Cancelled while waiting for a free sandbox.');
    this.name = 'WaitAbortedError';
  }
}

/**
 * At most `limit` tasks at once; the others wait in arrival order. A waiting caller whose
 * signal aborts leaves the queue without taking a slot.
 */
export class ConcurrencyLimit {
  private active = 0;
  private readonly waiting: { start: () => void; signal?: AbortSignal; onAbort?: () => void }[] =
    [];

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError('limit must be at least 1');
  }

  /** Tasks running now. */
  get running(): number {
    return this.active;
  }

  /** Tasks waiting for a slot. */
  get queued(): number {
    return this.waiting.length;
  }

  async run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    await this.acquire(signal);
    try {
      return await task();
    } finally {
      this.release();
    }
  }

  private acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(new WaitAbortedError());
    if (this.active < this.limit) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const entry: (typeof this.waiting)[number] = { start: resolve, signal };
      if (signal) {
        entry.onAbort = () => {
          const i = this.waiting.indexOf(entry);
          if (i !== -1) this.waiting.splice(i, 1);
          reject(new WaitAbortedError());
        };
        signal.addEventListener('abort', entry.onAbort, { once: true });
      }
      this.waiting.push(entry);
    });
  }

  private release(): void {
    const next = this.waiting.shift();
    if (!next) {
      this.active--;
      return;
    }
    if (next.onAbort) next.signal?.removeEventListener('abort', next.onAbort);
    // The slot passes straight to the next task.
    next.start();
  }
}
