import { type JobContext, JobCancelledError, PermanentJobError } from '@ps/queue';

/**
 * How a run's attempt that threw ends the run: `cancelled` (the job was cancelled), `failed` (a
 * permanent error, or the last attempt), or null when the queue will try again and the run stays
 * open.
 */
export function runEnding(ctx: JobContext<unknown>, err: unknown): 'cancelled' | 'failed' | null {
  if (err instanceof JobCancelledError || ctx.signal.aborted) return 'cancelled';
  if (err instanceof PermanentJobError || ctx.attempt >= ctx.maxAttempts) return 'failed';
  return null;
}
