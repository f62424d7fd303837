import type { FieldError } from '@ps/common';
import { getMetric, MetricError, validateMetricOptions } from '@ps/metrics';
import { z } from 'zod';
import { type MetricSpec, metricSpecSchema } from './evaluation-settings';

/**
 * Metrics that compare the answer with the case's expected value. On a case without one they do
 * not score (`not_scored`), rather than scoring 0. `regex_match` is one only without a `pattern`.
 */
const REFERENCE_METRICS = new Set([
  'exact_match',
  'fuzzy_match',
  'levenshtein',
  'token_overlap',
  'json_match',
  'contains',
  'length_match',
  'bleu',
  'rouge_l',
  'semantic_similarity',
]);

/** One metric of a plan: validated options, weight, kind and what it needs. */
export interface PlannedMetric {
  /** `name`, or `name:field` when it reads one output field. */
  key: string;
  name: string;
  weight: number;
  /** Options after the metric's own schema (defaults filled). */
  options: Record<string, unknown>;
  field?: string;
  kind: 'per_case' | 'dataset';
  /** Compares with the expected value: does not score a case that has none. */
  reference: boolean;
  requires: ('embeddings' | 'judge')[];
}

/** Everything about scoring, parsed once: the engine and its callers receive only this. */
export interface ScoringPlan {
  metrics: PlannedMetric[];
  /**
   * Per-case metrics, in order (dataset metrics are summarised over the whole run), without
   * `program`, which has its own path (see `program`).
   */
  perCase: PlannedMetric[];
  /**
   * The program evaluator's metric (key `program`): it scores the cases marked
   * `runner: python|javascript`, and only those. It is in every plan, listed or not: the one
   * listed in `metrics` (to set its weight; 0 keeps it out of the case score), else weight 1.
   */
  program: PlannedMetric;
  dataset: PlannedMetric[];
  passThreshold: number;
  /** Seed of bootstrap intervals. */
  seed: number;
  /** Ports the plan needs (an embeddings model, a judge model). */
  requires: ('embeddings' | 'judge')[];
}

export const scoringInputSchema = z.strictObject({
  metrics: z.array(metricSpecSchema).min(1).max(20),
  pass_threshold: z.number().min(0).max(1).default(0.5),
  seed: z.number().int().min(-2147483648).max(2147483647).default(1),
});
export type ScoringInput = z.input<typeof scoringInputSchema>;

export type ScoringPlanResult =
  { ok: true; plan: ScoringPlan } | { ok: false; errors: FieldError[] };

/** The program metric of a plan that does not list it. */
const DEFAULT_PROGRAM_METRIC: PlannedMetric = {
  key: 'program',
  name: 'program',
  weight: 1,
  options: {},
  kind: 'per_case',
  reference: false,
  requires: [],
};

/** A metric's name in results: `name`, or `name:field` when it reads one field. */
export function metricKey(spec: Pick<MetricSpec, 'name' | 'field'>): string {
  return spec.field ? `${spec.name}:${spec.field}` : spec.name;
}

/**
 * Parses metrics, weights, options and the pass threshold once into a typed plan. Errors name the
 * field (`metrics.0.options.pattern`), one message per field: unknown metric names, invalid
 * options and duplicates.
 */
export function parseScoringPlan(input: unknown): ScoringPlanResult {
  const parsed = scoringInputSchema.safeParse(input);
  if (!parsed.success) {
    const errors: FieldError[] = [];
    const seen = new Set<string>();
    for (const issue of parsed.error.issues) {
      const fields =
        issue.code === 'unrecognized_keys'
          ? issue.keys.map((key) => [...issue.path, key].map(String).join('.'))
          : [issue.path.map(String).join('.') || 'metrics'];
      for (const field of fields) {
        if (seen.has(field)) continue;
        seen.add(field);
        errors.push({
          field,
          message: issue.code === 'unrecognized_keys' ? 'is not a known field' : issue.message,
        });
      }
    }
    return { ok: false, errors };
  }
  const errors: FieldError[] = [];
  const metrics: PlannedMetric[] = [];
  const keys = new Set<string>();
  parsed.data.metrics.forEach((spec, i) => {
    let options: Record<string, unknown>;
    try {
      options = validateMetricOptions(spec.name, spec.options);
    } catch (err) {
      if (!(err instanceof MetricError)) throw err;
      for (const e of err.errors)
        errors.push({ field: `metrics.${i}.${e.field}`, message: e.message });
      return;
    }
    const key = metricKey(spec);
    if (spec.name === 'program' && spec.field) {
      errors.push({
        field: `metrics.${i}.field`,
        message: 'program scores the whole answer; it reads no field.',
      });
      return;
    }
    if (keys.has(key)) {
      errors.push({ field: `metrics.${i}.name`, message: `${key} is listed twice.` });
      return;
    }
    keys.add(key);
    const info = getMetric(spec.name);
    metrics.push({
      key,
      name: spec.name,
      weight: spec.weight,
      options,
      ...(spec.field ? { field: spec.field } : {}),
      kind: info.kind,
      reference:
        REFERENCE_METRICS.has(spec.name) ||
        (spec.name === 'regex_match' && typeof options.pattern !== 'string'),
      requires: [...(info.requires ?? [])],
    });
  });
  if (errors.length) return { ok: false, errors };
  const perCase = metrics.filter((m) => m.kind === 'per_case' && m.name !== 'program');
  return {
    ok: true,
    plan: {
      metrics,
      perCase,
      program: metrics.find((m) => m.name === 'program') ?? { ...DEFAULT_PROGRAM_METRIC },
      dataset: metrics.filter((m) => m.kind === 'dataset'),
      passThreshold: parsed.data.pass_threshold,
      seed: parsed.data.seed,
      requires: [...new Set(metrics.flatMap((m) => m.requires))],
    },
  };
}

/** The plan of input already validated (stored settings): throws when it is not valid. */
export function scoringPlanOf(input: unknown): ScoringPlan {
  const result = parseScoringPlan(input);
  if (!result.ok) {
    const first = result.errors[0];
    throw new Error(`Scoring settings are not valid: ${first.field}: ${first.message}`);
  }
  return result.plan;
}
