import type { z } from 'zod';
import type { JobDefinition } from './job-definitions';

export interface JobContext<P = Record<string, unknown>> {
  jobId: number;
  workspaceId: number;
  projectId: number | null;
  requestId: string | null;
  /** Validated against the job definition's schema. */
  payload: P;
  attempt: number;
  maxAttempts: number;
  /** The process running the job (its lease owner). */
  processName: string;
  /** Aborted when the job is cancelled. */
  signal: AbortSignal;
  /** Percent, 0..100. */
  progress(percent: number): Promise<void>;
  /** Call between steps: throws JobCancelledError once the job has been cancelled. */
  throwIfCancelled(): void;
  /**
   * Lines about this job, each carrying its job_id (and request_id when a request enqueued it).
   * Pass it on to what the job calls (the LLM client's retry warnings go through it), so an
   * operator who greps one job id sees all of its lines.
   */
  log: JobLog;
}

/** A logger bound to one job's fields. */
export interface JobLog {
  warn(message: string): void;
}

/** Runs one kind of job. Handlers must be idempotent: a job may run again after a crash. */
export interface JobProcessor<D extends JobDefinition = JobDefinition> {
  readonly definition: D;
  handle(ctx: JobContext<z.infer<D['payload']>>): Promise<Record<string, unknown> | void>;
}

export const JOB_PROCESSORS = Symbol('JOB_PROCESSORS');
