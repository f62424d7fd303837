import type { JobEnvelope } from '../jobs/job-envelope';
import type { QueueName } from '../queue-names';

export interface EnqueueOptions {
  /** 1..10, 10 highest. */
  priority: number;
  attempts: number;
  backoffMs: number;
}

/** A job being processed, as handlers see it. */
export interface ActiveJob {
  id: number;
  queue: QueueName;
  name: string;
  data: JobEnvelope;
  /** 1 on the first attempt. */
  attempt: number;
  maxAttempts: number;
  progress(percent: number): Promise<void>;
}

export type JobHandler = (job: ActiveJob) => Promise<unknown>;

export interface QueueCounts {
  waiting: number;
  active: number;
  delayed: number;
}

/** Lifecycle callbacks, for the jobs mirror and events. */
export interface QueueListener {
  onActive?(job: ActiveJob): void | Promise<void>;
  onProgress?(job: ActiveJob, percent: number): void | Promise<void>;
  onCompleted?(job: ActiveJob, result: unknown): void | Promise<void>;
  /** `final` is false when another attempt will follow after backoff. */
  onFailed?(job: ActiveJob, error: Error, final: boolean): void | Promise<void>;
  /**
   * The job was still running when this process shut down and went back to the queue for another
   * worker; no completion or failure of this attempt will follow.
   */
  onReleased?(job: ActiveJob): void | Promise<void>;
}

/**
 * One contract, two implementations: Bull on Redis (distributed) and an in-process queue
 * (all-in-one). Both pass the same conformance suite.
 */
export interface QueueAdapter {
  readonly kind: 'bull' | 'in-process';
  enqueue(
    queue: QueueName,
    name: string,
    data: JobEnvelope,
    options: EnqueueOptions,
  ): Promise<void>;
  /** Starts consuming `queue` with at most `concurrency` jobs at once. */
  process(queue: QueueName, concurrency: number, handler: JobHandler): void;
  listen(listener: QueueListener): void;
  /** Removes a waiting or delayed job; false when it is running, finished or unknown. */
  removeWaiting(queue: QueueName, jobId: number): Promise<boolean>;
  counts(queue: QueueName): Promise<QueueCounts>;
  /** Readiness of the underlying store. */
  ping(): Promise<void>;
  /**
   * Stops taking jobs and waits (up to `timeoutMs`) for running ones to finish. Where the queue
   * outlives the process (Bull), jobs still running then are handed back for another worker.
   */
  close(timeoutMs?: number): Promise<void>;
}

export function backoffDelay(baseMs: number, attempt: number): number {
  return baseMs * 2 ** (attempt - 1);
}
