/**
 * Queue and job names: the contract between producers (API) and consumers (worker).
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

/** Priority 1..10, 10 highest. */
export const DEFAULT_PRIORITY = 5;
export const MIN_PRIORITY = 1;
export const MAX_PRIORITY = 10;
