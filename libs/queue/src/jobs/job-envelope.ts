import { z } from 'zod';

/**
 * What travels through the queue: the jobs-mirror id, the tenant, the request that caused it and
 * the job's own payload (ids and intent only, never rows). Validated on enqueue and again by the
 * worker before any handler runs.
 */
export const jobEnvelopeSchema = z.strictObject({
  job_id: z.number().int().positive(),
  workspace_id: z.number().int().positive(),
  project_id: z.number().int().positive().nullable(),
  request_id: z.string().max(128).nullable(),
  /** The attempt's time limit; carried in the job so every adapter enforces the same one. */
  timeout_ms: z.number().int().positive(),
  payload: z.record(z.string(), z.unknown()),
  /**
   * W3C trace context of the request that enqueued the job, so the job's spans join its trace.
   * Present only when tracing is on (workers of a release without this field refuse it).
   */
  trace: z
    .strictObject({
      traceparent: z.string().max(128),
      tracestate: z.string().max(512).optional(),
    })
    .optional(),
});

export type JobEnvelope = z.infer<typeof jobEnvelopeSchema>;
