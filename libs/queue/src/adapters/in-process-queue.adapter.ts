import type { JobEnvelope } from '../jobs/job-envelope';
import { isPermanent } from '../jobs/job-errors';
import type { QueueName } from '../queue-names';
import {
  type ActiveJob,
  backoffDelay,
  type EnqueueOptions,
  type JobHandler,
  type QueueAdapter,
  type QueueCounts,
  type QueueListener,
} from './queue-adapter';

interface Entry {
  queue: QueueName;
  name: string;
  data: JobEnvelope;
  options: EnqueueOptions;
  attempt: number;
  seq: number;
}

interface Lane {
  waiting: Entry[];
  delayed: Map<number, NodeJS.Timeout>;
  active: Set<number>;
  concurrency: number;
  handler: JobHandler | null;
}

/**
 * The queue of the all-in-one mode: one process, in memory, same contract as Bull (priority,
 * attempts with exponential backoff, progress, timeouts, removal of waiting jobs, concurrency).
 * Jobs do not survive a restart; the jobs mirror shows them as interrupted.
 */
export class InProcessQueueAdapter implements QueueAdapter {
  readonly kind = 'in-process' as const;
  private readonly lanes = new Map<QueueName, Lane>();
  private readonly listeners: QueueListener[] = [];
  private readonly running = new Set<Promise<void>>();
  private seq = 0;
  private closed = false;

  private lane(queue: QueueName): Lane {
    let lane = this.lanes.get(queue);
    if (!lane) {
      lane = { waiting: [], delayed: new Map(), active: new Set(), concurrency: 0, handler: null };
      this.lanes.set(queue, lane);
    }
    return lane;
  }

  enqueue(
    queue: QueueName,
    name: string,
    data: JobEnvelope,
    options: EnqueueOptions,
  ): Promise<void> {
    if (this.closed) return Promise.reject(new Error('The queue is closed.'));
    this.push({ queue, name, data, options, attempt: 1, seq: this.seq++ });
    return Promise.resolve();
  }

  /** Highest priority first; first in, first out within a priority. */
  private push(entry: Entry): void {
    const lane = this.lane(entry.queue);
    const index = lane.waiting.findIndex(
      (e) =>
        e.options.priority < entry.options.priority ||
        (e.options.priority === entry.options.priority && e.seq > entry.seq),
    );
    if (index === -1) lane.waiting.push(entry);
    else lane.waiting.splice(index, 0, entry);
    setImmediate(() => this.pump(entry.queue));
  }

  process(queue: QueueName, concurrency: number, handler: JobHandler): void {
    const lane = this.lane(queue);
    lane.handler = handler;
    lane.concurrency = Math.max(1, concurrency);
    setImmediate(() => this.pump(queue));
  }

  listen(listener: QueueListener): void {
    this.listeners.push(listener);
  }

  private async emit<K extends keyof QueueListener>(
    event: K,
    ...args: Parameters<NonNullable<QueueListener[K]>>
  ): Promise<void> {
    for (const listener of this.listeners) {
      const fn = listener[event] as ((...a: unknown[]) => void | Promise<void>) | undefined;
      await fn?.apply(listener, args);
    }
  }

  private pump(queue: QueueName): void {
    const lane = this.lane(queue);
    while (
      !this.closed &&
      lane.handler &&
      lane.active.size < lane.concurrency &&
      lane.waiting.length
    ) {
      const entry = lane.waiting.shift()!;
      lane.active.add(entry.data.job_id);
      const run = this.run(lane, entry).finally(() => {
        lane.active.delete(entry.data.job_id);
        this.running.delete(run);
        this.pump(queue);
      });
      this.running.add(run);
    }
  }

  private async run(lane: Lane, entry: Entry): Promise<void> {
    const job: ActiveJob = {
      id: entry.data.job_id,
      queue: entry.queue,
      name: entry.name,
      data: entry.data,
      attempt: entry.attempt,
      maxAttempts: entry.options.attempts,
      progress: (percent) => this.emit('onProgress', job, percent),
    };
    await this.emit('onActive', job);
    let timer: NodeJS.Timeout | undefined;
    try {
      const result = await Promise.race([
        lane.handler!(job),
        new Promise((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`Timed out after ${entry.data.timeout_ms} ms.`)),
            entry.data.timeout_ms,
          );
        }),
      ]);
      await this.emit('onCompleted', job, result);
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      const final = entry.attempt >= entry.options.attempts || this.closed || isPermanent(error);
      await this.emit('onFailed', job, error, final);
      if (!final) {
        const delay = backoffDelay(entry.options.backoffMs, entry.attempt);
        const retry = setTimeout(() => {
          lane.delayed.delete(entry.data.job_id);
          this.push({ ...entry, attempt: entry.attempt + 1 });
        }, delay);
        lane.delayed.set(entry.data.job_id, retry);
      }
    } finally {
      clearTimeout(timer);
    }
  }

  removeWaiting(queue: QueueName, jobId: number): Promise<boolean> {
    const lane = this.lane(queue);
    const index = lane.waiting.findIndex((e) => e.data.job_id === jobId);
    if (index !== -1) {
      lane.waiting.splice(index, 1);
      return Promise.resolve(true);
    }
    const timer = lane.delayed.get(jobId);
    if (timer) {
      clearTimeout(timer);
      lane.delayed.delete(jobId);
      return Promise.resolve(true);
    }
    return Promise.resolve(false);
  }

  counts(queue: QueueName): Promise<QueueCounts> {
    const lane = this.lane(queue);
    return Promise.resolve({
      waiting: lane.waiting.length,
      active: lane.active.size,
      delayed: lane.delayed.size,
    });
  }

  ping(): Promise<void> {
    return Promise.resolve();
  }

  async close(timeoutMs = 30_000): Promise<void> {
    this.closed = true;
    for (const lane of this.lanes.values()) {
      for (const timer of lane.delayed.values()) clearTimeout(timer);
      lane.delayed.clear();
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.running]),
      new Promise((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      }),
    ]);
    clearTimeout(timer);
  }
}
