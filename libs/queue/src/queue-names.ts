/**
 * Queue and job names: the contract between the API (producer) and the worker (consumer).
 * Renaming one strands jobs already in Redis, so never rename without a drain plan.
 */
export const QUEUES = [
  'evaluation',
  'optimization',
  'generation',
  'report',
  'maintenance',
] as const;
export type QueueName = (typeof QUEUES)[number];

export const JOB_NAMES = {
  evaluation: ['run-evaluation'],
  optimization: ['run-optimization'],
  generation: ['generate-test-cases'],
  report: ['render-report'],
  maintenance: ['ping', 'purge-expired'],
} as const satisfies Record<QueueName, readonly string[]>;

export type JobName<Q extends QueueName = QueueName> = (typeof JOB_NAMES)[Q][number];

/** Priority 1..10, 10 highest. */
export const DEFAULT_PRIORITY = 5;
export const MIN_PRIORITY = 1;
export const MAX_PRIORITY = 10;
