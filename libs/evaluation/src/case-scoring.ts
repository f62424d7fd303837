import { type FieldError, type SignatureFieldSpec, parseStructuredOutput } from '@ps/common';
import { getMetric, MetricError, scoreCase, weightedScore, type CaseContext } from '@ps/metrics';
import type { MetricSpec } from './evaluation-settings';

/** What the metrics compare for one case: the model's answer and the expected output. */
export interface ScoringSubject {
  output: unknown;
  expected: unknown;
  parsed: Record<string, unknown> | null;
  parseErrors: string[];
}

/**
 * Decides what is compared. With an output signature the answer is parsed into fields (fenced
 * JSON, first JSON object, then `field: value` lines) and compared with `expected_outputs`: the
 * single field's value when the signature has one output field, the whole object otherwise.
 * Without a signature the raw answer is compared with `expected_outputs.response`, or with the
 * only expected field when there is exactly one.
 */
export function subjectOf(
  text: string,
  outputFields: SignatureFieldSpec[],
  expected: Record<string, unknown>,
): ScoringSubject {
  if (outputFields.length > 0) {
    const parsed = parseStructuredOutput(text, outputFields);
    if (!parsed.ok || !parsed.value) {
      return { output: text, expected, parsed: parsed.value, parseErrors: parsed.errors };
    }
    if (outputFields.length === 1) {
      const name = outputFields[0].name;
      return {
        output: parsed.value[name],
        expected: expected[name],
        parsed: parsed.value,
        parseErrors: [],
      };
    }
    return { output: parsed.value, expected, parsed: parsed.value, parseErrors: [] };
  }
  const keys = Object.keys(expected);
  const target =
    'response' in expected ? expected.response : keys.length === 1 ? expected[keys[0]] : expected;
  return { output: text, expected: target, parsed: null, parseErrors: [] };
}

function pick(value: unknown, field: string | undefined): unknown {
  if (!field) return value;
  if (value && typeof value === 'object' && !Array.isArray(value))
    return (value as Record<string, unknown>)[field];
  return undefined;
}

export interface CaseScores {
  scores: Record<string, number>;
  score: number;
  details: Record<string, unknown>;
}

/** Scores one case with every per-case metric of the run and combines them by weight. */
export async function scoreSubject(
  subject: ScoringSubject,
  metrics: MetricSpec[],
  ctx: CaseContext,
): Promise<CaseScores> {
  const scores: Record<string, number> = {};
  const weights: Record<string, number> = {};
  const details: Record<string, unknown> = {};
  for (const spec of metrics) {
    if (getMetric(spec.name).kind !== 'per_case') continue;
    // With `field`, read it from the parsed answer (or the whole one) and the expected object.
    const output = spec.field ? pick(subject.parsed ?? subject.output, spec.field) : subject.output;
    const expected = spec.field ? pick(subject.expected, spec.field) : subject.expected;
    const key = metricKey(spec);
    const result = await scoreCase(spec.name, output, expected, spec.options, ctx);
    scores[key] = result.score;
    weights[key] = spec.weight;
    if (result.details) details[key] = result.details;
  }
  return { scores, score: weightedScore(scores, weights), details };
}

/** A metric's name in results: `name`, or `name:field` when it reads one field. */
export function metricKey(spec: MetricSpec): string {
  return spec.field ? `${spec.name}:${spec.field}` : spec.name;
}

/** Checks a run's metric list before it is stored: known names, valid options, no duplicates. */
export function metricErrors(
  metrics: MetricSpec[],
  validate: (name: string, options: unknown) => void,
): FieldError[] {
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  metrics.forEach((spec, i) => {
    try {
      validate(spec.name, spec.options);
    } catch (err) {
      if (!(err instanceof MetricError)) throw err;
      for (const e of err.errors)
        errors.push({ field: `metrics.${i}.${e.field}`, message: e.message });
    }
    const key = metricKey(spec);
    if (seen.has(key))
      errors.push({ field: `metrics.${i}.name`, message: `${key} is listed twice.` });
    seen.add(key);
  });
  return errors;
}
