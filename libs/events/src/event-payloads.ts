import { z } from 'zod';

/*
 * The payload (`data`) of every event, once: the TypeScript types publishers and the realtime
 * gateway are checked against are inferred from these schemas, and the OpenAPI document carries
 * them as JSON Schema (components.schemas.<Name>Event), so a generated SDK can type
 * subscriptions. Adding an event means adding it here.
 */

const id = z.number().int().min(1);
const score = z.number().nullable();

const job = z
  .strictObject({
    job_id: id,
    queue: z.string().describe('Queue: evaluation, optimization, generation, report, maintenance.'),
    type: z.string().describe('Job type within its queue (run-evaluation, ping, …).'),
    entity_type: z.string().nullable().describe('What the job works on (evaluation, …).'),
    entity_id: id.nullable(),
    status: z.enum(['queued', 'processing', 'completed', 'failed', 'cancelled']),
    progress: z.number().min(0).max(100).describe('Percent, 0..100.'),
    attempts: z.number().int().min(0).describe('Attempts started so far.'),
    error: z.string().nullable().optional(),
    result: z
      .record(z.string(), z.unknown())
      .nullable()
      .optional()
      .describe(
        'Free-form: what the job returned, decided by its type (a report job names its ' +
          'report_id, an evaluation job its evaluation_id and status).',
      ),
  })
  .describe('A job changed state.');

const runStatus = z.enum(['completed', 'failed', 'cancelled']);

export const EVENT_PAYLOAD_SCHEMAS = {
  job_created: job,
  job_started: job,
  job_progress: job,
  job_completed: job,
  job_failed: job,
  job_cancelled: job,
  evaluation_started: z
    .strictObject({
      evaluation_id: id,
      total: z.number().int().min(0).describe('(case, repeat) runs to do.'),
    })
    .describe('An evaluation run started (again, after a retry).'),
  evaluation_progress: z
    .strictObject({
      evaluation_id: id,
      completed: z.number().int().min(0),
      total: z.number().int().min(0),
      progress: z.number().min(0).max(100).describe('Percent, 0..100.'),
    })
    .describe('More (case, repeat) runs of an evaluation are done.'),
  evaluation_completed: z
    .strictObject({
      evaluation_id: id,
      status: runStatus,
      pass_rate: score.optional().describe('When completed.'),
      mean_score: score.optional().describe('When completed.'),
      error: z.string().nullable().optional().describe('Why it failed.'),
    })
    .describe('An evaluation run ended.'),
  optimization_started: z
    .strictObject({
      optimization_id: id,
      strategy: z.string().describe('The optimization strategy.'),
    })
    .describe('An optimization run started.'),
  optimization_iteration: z
    .strictObject({
      optimization_id: id,
      iteration: z.number().int().min(0),
      max_iterations: z.number().int().min(0).nullable(),
      current_metric: score.describe("This iteration's score."),
      best_metric: score.describe('The best score so far.'),
      budget_used: z
        .strictObject({
          llm_calls: z.number().int().min(0),
          tokens: z.number().int().min(0),
          usd: z.number().min(0),
        })
        .describe('What the run has spent so far.'),
    })
    .describe('An optimization finished an iteration (throttled on long runs).'),
  optimization_candidate: z
    .strictObject({
      optimization_id: id,
      candidate_id: z.number().int().min(0).describe('Sequential within the run; 0 is the seed.'),
      parent_ids: z.array(z.number().int().min(0)),
      operator: z.string().describe('How it was made (seed, mutate, merge, …).'),
      scores: z.strictObject({
        train: score.optional(),
        validation: score.optional(),
        minibatch: score.optional(),
        rescored: score.optional().describe('Final re-scoring on validation (finalists).'),
      }),
      status: z.enum(['scored', 'accepted', 'rejected', 'pruned', 'finalist', 'winner']),
    })
    .describe('An optimization scored or re-ranked a candidate prompt.'),
  optimization_completed: z
    .strictObject({
      optimization_id: id,
      status: runStatus,
      improved: z.boolean().describe('The winner beats the initial prompt.'),
      best_metric: score,
      error: z.string().nullable(),
    })
    .describe('An optimization run ended.'),
  test_cases_generated: z
    .strictObject({
      count: z.number().int().min(0).describe('Cases stored.'),
      test_case_ids: z.array(id).optional(),
      job_id: id.optional().describe('The generation job (GET /jobs/{id} has its full result).'),
      requested: z.number().int().min(1).optional().describe('Cases asked for.'),
      strategy: z.enum(['diverse', 'edge_cases', 'from_description', 'from_examples']).optional(),
      generator: z
        .enum(['llm', 'deterministic'])
        .optional()
        .describe('A model wrote the cases, or the seeded typed generator.'),
    })
    .describe('Test cases were generated into the project.'),
} as const;

export type EventPayloads = {
  [K in keyof typeof EVENT_PAYLOAD_SCHEMAS]: z.infer<(typeof EVENT_PAYLOAD_SCHEMAS)[K]>;
};

export type JobEventData = EventPayloads['job_created'];
export type EvaluationProgressData = EventPayloads['evaluation_progress'];
export type OptimizationIterationData = EventPayloads['optimization_iteration'];
