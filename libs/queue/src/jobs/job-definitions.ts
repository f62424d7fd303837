import { z } from 'zod';
import { REPORT_FORMATS } from '@ps/reports';
import { GENERATION_LIMITS, GENERATION_STRATEGIES, GENERATORS } from '@ps/test-case-io';
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

/**
 * `optimization/optimization.run`: runs an optimizer on a prompt. Safe to run again after a crash:
 * the strategy replays deterministically from its seed, every finished model call comes back from
 * the LLM cache (no upstream call is repeated), and recorded candidates are updated in place.
 */
export const optimizationJob = {
  queue: 'optimization',
  name: 'optimization.run',
  payload: z.strictObject({ optimization_id: z.number().int().positive() }),
  attempts: 5,
  timeoutMs: 24 * 60 * 60 * 1000,
} satisfies JobDefinition;

export type OptimizationJobPayload = z.infer<typeof optimizationJob.payload>;

/** `report/report.render`: renders a long evaluation or comparison report into the jobs mirror. */
export const reportJob = {
  queue: 'report',
  name: 'report.render',
  payload: z.strictObject({
    evaluation_id: z.number().int().positive(),
    compare_to: z.number().int().positive().optional(),
    format: z.enum(REPORT_FORMATS),
  }),
  timeoutMs: 60 * 60 * 1000,
} satisfies JobDefinition;

export type ReportJobPayload = z.infer<typeof reportJob.payload>;

const id = z.number().int().positive();

/**
 * `generation/test-cases.generate`: generates test cases into a project, by a model or by the
 * typed generator, and stores them all at once. The request is the intent the API checked (the
 * model config resolved and validated, the seed and the call budget fixed). Safe to run again: a
 * rerun finds the cases it stored (tagged `generation:<job id>`) and stores nothing more; one
 * whose cases were not stored yet asks the same questions and gets its answers from the cache.
 */
export const generationJob = {
  queue: 'generation',
  name: 'test-cases.generate',
  payload: z.strictObject({
    project_id: id,
    signature_id: id.nullable(),
    prompt_id: id.nullable(),
    strategy: z.enum(GENERATION_STRATEGIES),
    num_cases: z.number().int().min(GENERATION_LIMITS.minCases).max(GENERATION_LIMITS.maxCases),
    generator: z.enum(GENERATORS),
    /** Validated by the API; validated again before the first call. Null for `deterministic`. */
    model_config: z.record(z.string(), z.unknown()).nullable(),
    description: z.string().max(GENERATION_LIMITS.descriptionMaxLength).nullable(),
    is_golden: z.boolean(),
    with_expected: z.boolean(),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1),
    max_model_calls: z.number().int().min(0).max(1000),
    /** MAX_TEST_CASES_PER_PROJECT when queued (the worker does not read the API's settings). */
    case_limit: id,
  }),
  timeoutMs: 60 * 60 * 1000,
} satisfies JobDefinition;

export type GenerationJobPayload = z.infer<typeof generationJob.payload>;

export const JOB_DEFINITIONS = [
  pingJob,
  evaluationJob,
  optimizationJob,
  reportJob,
  generationJob,
] as const satisfies readonly JobDefinition[];

export function findJobDefinition(queue: string, name: string): JobDefinition | undefined {
  return (JOB_DEFINITIONS as readonly JobDefinition[]).find(
    (d) => d.queue === queue && d.name === name,
  );
}
