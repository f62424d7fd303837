import { z } from 'zod';
import { DEFAULT_PRIORITY, type QueueName } from '../queue-names';

/** Options every job gets unless its definition says otherwise. */
export const DEFAULT_JOB_OPTIONS = {
  attempts: 3,
  /** Exponential backoff: 1 s, 2 s, 4 s, ... between attempts. */
  backoffMs: 1000,
  priority: DEFAULT_PRIORITY,
  /** A job running longer than this fails its attempt. */
  timeoutMs: 60 * 60 * 1000,
};

export interface JobDefinition<S extends z.ZodType = z.ZodType> {
  queue: QueueName;
  name: string;
  payload: S;
  attempts?: number;
  backoffMs?: number;
  timeoutMs?: number;
}

/** `maintenance/ping`: proves API -> queue -> worker -> database -> events for operators. */
export const pingJob = {
  queue: 'maintenance',
  name: 'ping',
  payload: z.strictObject({
    message: z.string().max(200).default('ping'),
    /** How long the job takes, in steps of equal length with a progress update after each. */
    duration_ms: z.number().int().min(0).max(600_000).default(0),
    steps: z.number().int().min(1).max(1000).default(4),
    /** Fail this many attempts first, to see retries work end to end. */
    fail_attempts: z.number().int().min(0).max(10).default(0),
  }),
  timeoutMs: 15 * 60 * 1000,
} satisfies JobDefinition;

export type PingPayload = z.infer<typeof pingJob.payload>;

/**
 * `evaluation/evaluation.run`: scores a prompt version on the evaluation's test cases. Safe to run
 * again after a crash: finished (case, repeat) results are kept and skipped.
 */
export const evaluationJob = {
  queue: 'evaluation',
  name: 'evaluation.run',
  payload: z.strictObject({ evaluation_id: z.number().int().positive() }),
  attempts: 5,
  timeoutMs: 24 * 60 * 60 * 1000,
} satisfies JobDefinition;

export type EvaluationJobPayload = z.infer<typeof evaluationJob.payload>;

/** `report/report.render`: renders a long evaluation or comparison report into the jobs mirror. */
export const reportJob = {
  queue: 'report',
  name: 'report.render',
  payload: z.strictObject({
    evaluation_id: z.number().int().positive(),
    compare_to: z.number().int().positive().optional(),
    format: z.enum(['json', 'csv', 'md', 'html', 'pdf']),
  }),
  timeoutMs: 60 * 60 * 1000,
} satisfies JobDefinition;

export type ReportJobPayload = z.infer<typeof reportJob.payload>;

export const JOB_DEFINITIONS = [
  pingJob,
  evaluationJob,
  reportJob,
] as const satisfies readonly JobDefinition[];

export function findJobDefinition(queue: string, name: string): JobDefinition | undefined {
  return (JOB_DEFINITIONS as readonly JobDefinition[]).find(
    (d) => d.queue === queue && d.name === name,
  );
}
