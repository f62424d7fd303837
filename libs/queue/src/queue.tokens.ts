export const QUEUE_ADAPTER = Symbol('QUEUE_ADAPTER');
export const QUEUE_OPTIONS = Symbol('QUEUE_OPTIONS');

export interface QueueModuleOptions {
  redisUrl?: string;
  prefix: string;
  leaseSeconds: number;
  /** Run processors in this process (worker; or the API in all-in-one mode). */
  consume: boolean;
  concurrency: Partial<Record<string, number>>;
  /** Identifies this process in job leases. */
  processName: string;
  /** Job progress events at most this often per job (ms); 100% always goes out. */
  progressEventIntervalMs: number;
  /** At shutdown, how long running jobs may take before they are handed back to the queue. */
  drainMs: number;
}
