import { z } from 'zod';

/** One metric of a run: which, how much it weighs, its options, and the output field it reads. */
export const metricSpecSchema = z.strictObject({
  name: z.string().min(1),
  weight: z.number().min(0).max(1000).default(1),
  options: z.record(z.string(), z.unknown()).default({}),
  /** Compare this output field with the same expected field instead of the whole output. */
  field: z.string().min(1).max(200).optional(),
});
export type MetricSpec = z.infer<typeof metricSpecSchema>;

/** What `evaluations.metrics_config` holds: everything about scoring a run. */
export const evaluationSettingsSchema = z.strictObject({
  metrics: z.array(metricSpecSchema).min(1).max(20),
  pass_threshold: z.number().min(0).max(1).default(0.5),
  concurrency: z.number().int().min(1).max(1000).default(4),
  repeats: z.number().int().min(1).max(100).default(1),
  /** Model that grades `llm_judge` metrics; the evaluated model by default. */
  judge_model_config: z.record(z.string(), z.unknown()).optional(),
  /** Embedding model of `semantic_similarity`; required when that metric is used. */
  embedding_model_config: z.record(z.string(), z.unknown()).optional(),
  /** Seed of the bootstrap intervals, so summaries are reproducible. */
  seed: z.number().int().default(1),
});
export type EvaluationSettings = z.infer<typeof evaluationSettingsSchema>;
