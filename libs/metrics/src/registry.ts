import type { z } from 'zod';
import type {
  DatasetAccumulator,
  DatasetMetric,
  MetricDefinition,
  MetricInfo,
  PerCaseMetric,
} from './definition';
import {
  type MetricFieldError,
  MetricOptionError,
  MetricUnavailableError,
  UnknownMetricError,
} from './errors';
import { bleuMetric } from './metrics/bleu';
import {
  accuracyMetric,
  f1ScoreMetric,
  precisionMetric,
  recallMetric,
} from './metrics/classification';
import { jsonMatchMetric, jsonSchemaValidMetric } from './metrics/json-metrics';
import { llmJudgeMetric, semanticSimilarityMetric } from './metrics/model-metrics';
import { programMetric } from './metrics/program-metric';
import { maeMetric, mseMetric, rmseMetric } from './metrics/regression';
import { rougeLMetric } from './metrics/rouge';
import {
  containsMetric,
  exactMatchMetric,
  fuzzyMatchMetric,
  lengthMatchMetric,
  levenshteinMetric,
  regexMatchMetric,
  tokenOverlapMetric,
} from './metrics/text-metrics';
import { isPlainObject } from './text';
import {
  type CaseContext,
  type MetricContext,
  type MetricPair,
  type MetricRequirement,
  type ScoredCase,
  toScoredCase,
} from './types';

/** Every metric, by name, in a stable order. */
export const METRICS: Readonly<Record<string, MetricDefinition>> = Object.freeze(
  Object.fromEntries(
    [
      exactMatchMetric,
      fuzzyMatchMetric,
      levenshteinMetric,
      tokenOverlapMetric,
      jsonMatchMetric,
      jsonSchemaValidMetric,
      regexMatchMetric,
      containsMetric,
      lengthMatchMetric,
      bleuMetric,
      rougeLMetric,
      semanticSimilarityMetric,
      llmJudgeMetric,
      programMetric,
      accuracyMetric,
      precisionMetric,
      recallMetric,
      f1ScoreMetric,
      maeMetric,
      mseMetric,
      rmseMetric,
    ].map((m) => [m.name, m]),
  ),
);

/** Names of all registered metrics. */
export const METRIC_NAMES = [
  'exact_match',
  'fuzzy_match',
  'levenshtein',
  'token_overlap',
  'json_match',
  'json_schema_valid',
  'regex_match',
  'contains',
  'length_match',
  'bleu',
  'rouge_l',
  'semantic_similarity',
  'llm_judge',
  'program',
  'accuracy',
  'precision',
  'recall',
  'f1_score',
  'mae',
  'mse',
  'rmse',
] as const;

export type MetricName = (typeof METRIC_NAMES)[number];

/** The serialisable description of every metric (no schemas or functions). */
export function listMetrics(): MetricInfo[] {
  return Object.values(METRICS).map((m) => ({
    name: m.name,
    kind: m.kind,
    async: m.async,
    ...(m.requires ? { requires: [...m.requires] } : {}),
    options: m.options.map((o) => ({ ...o })),
    description: m.description,
    range: [...m.range],
  }));
}

/** The metric called `name`; throws {@link UnknownMetricError} listing the known names. */
export function getMetric(name: string): MetricDefinition {
  if (typeof name === 'string' && Object.hasOwn(METRICS, name)) return METRICS[name];
  throw new UnknownMetricError(String(name), Object.keys(METRICS));
}

function issueErrors(metric: string, issues: z.core.$ZodIssue[]): MetricFieldError[] {
  const known = getMetric(metric).options.map((o) => o.name);
  return issues.flatMap((issue): MetricFieldError[] => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        field: `options.${key}`,
        message: `Unknown option '${key}' for metric '${metric}'. ${known.length ? `Known options: ${known.join(', ')}.` : 'It takes no options.'}`,
      }));
    }
    const path = issue.path.map(String).join('.');
    return [
      {
        field: path ? `options.${path}` : 'options',
        message: `Option ${path || 'options'} of metric '${metric}': ${issue.message}`,
      },
    ];
  });
}

/**
 * Checks options against the metric's schema and returns them with defaults filled in. Unknown
 * keys, wrong types and invalid values (a bad regular expression, an invalid JSON Schema …)
 * throw {@link MetricOptionError} naming the first offending option (all in `errors`).
 * `undefined` and `null` mean no options.
 */
export function validateMetricOptions(name: string, options?: unknown): Record<string, unknown> {
  const metric = getMetric(name);
  const raw = options ?? {};
  if (!isPlainObject(raw)) {
    throw new MetricOptionError(name, null, `Options of metric '${name}' must be an object.`);
  }
  const parsed = metric.schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const errors = issueErrors(name, parsed.error.issues);
  const first = errors[0];
  const option =
    first.field === 'options' ? null : first.field.slice('options.'.length).split('.')[0];
  throw new MetricOptionError(name, option, first.message, errors);
}

function missingPorts(metric: MetricDefinition, ctx: MetricContext): MetricRequirement[] {
  return (metric.requires ?? []).filter((r) => (r === 'embeddings' ? !ctx.embed : !ctx.judge));
}

function perCase(name: string): PerCaseMetric {
  const metric = getMetric(name);
  if (metric.kind !== 'per_case') {
    throw new TypeError(
      `Metric '${name}' is dataset-level; use computeMetric or createDatasetAccumulator.`,
    );
  }
  return metric;
}

function dataset(name: string): DatasetMetric {
  const metric = getMetric(name);
  if (metric.kind !== 'dataset') {
    throw new TypeError(`Metric '${name}' is per-case; use computeMetric or scoreCase.`);
  }
  return metric;
}

/**
 * Scores one pair with a per-case metric: validates the options, checks the model ports, and
 * returns `{score, details?}`.
 */
export async function scoreCase(
  name: string,
  output: unknown,
  expected: unknown,
  options?: unknown,
  ctx: CaseContext = {},
): Promise<ScoredCase> {
  const metric = perCase(name);
  const parsed = validateMetricOptions(name, options);
  const missing = missingPorts(metric, ctx);
  if (missing.length) throw new MetricUnavailableError(name, missing);
  return toScoredCase(await metric.score(output, expected, parsed, ctx));
}

/**
 * A streaming accumulator for a dataset-level metric: add pairs as they come, read the result
 * (and a bootstrap interval via `datasetMetricSummary`) at the end. Options are validated here.
 */
export function createDatasetAccumulator(name: string, options?: unknown): DatasetAccumulator {
  const metric = dataset(name);
  return metric.accumulator(validateMetricOptions(name, options));
}

/** The result of {@link computeMetric}. */
export interface MetricComputation {
  metric: string;
  kind: 'per_case' | 'dataset';
  /** One per pair: the per-case scores, or a dataset metric's per-case numbers. NaN = not scored. */
  scores: number[];
  /** Mean of the finite per-case scores, or the dataset statistic; NaN when nothing was scored. */
  value: number;
  /** Per-case details, aligned with `scores` (null where a case has none). Per-case metrics only. */
  details?: (Record<string, unknown> | null)[];
  /** Dataset-level details (counts, per-label scores …). Dataset metrics only. */
  summary?: Record<string, unknown>;
}

async function mapLimit<T>(
  count: number,
  limit: number,
  fn: (i: number) => Promise<T>,
): Promise<T[]> {
  const results = new Array<T>(count);
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < count) {
      const i = next++;
      try {
        results[i] = await fn(i);
      } catch (e) {
        failed = true;
        throw e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), count) }, worker));
  return results;
}

function meanOfFinite(scores: readonly number[]): number {
  let sum = 0;
  let n = 0;
  for (const s of scores) {
    if (Number.isFinite(s)) {
      sum += s;
      n++;
    }
  }
  return n === 0 ? NaN : sum / n;
}

/**
 * Computes a metric over pairs. Per-case metrics score every pair (async ones up to
 * `ctx.concurrency` at a time, default 4) and average the finite scores; dataset metrics compute
 * their statistic over all pairs. Throws {@link UnknownMetricError}, {@link MetricOptionError},
 * or {@link MetricUnavailableError} when a needed model port is missing; errors of the ports
 * themselves propagate.
 */
/**
 * Scores pairs with a synchronous metric, giving the event loop a turn every few milliseconds:
 * 10,000 pairs (or a few regular expressions stopped at their time limit) must not freeze the
 * process that computes them.
 */
async function scoreInSlices<T>(count: number, score: (i: number) => T): Promise<T[]> {
  const out: T[] = [];
  let sliceStart = performance.now();
  for (let i = 0; i < count; i++) {
    out.push(score(i));
    if (performance.now() - sliceStart > 20) {
      // A timer, not setImmediate: from the poll phase an immediate resumes before any I/O.
      await new Promise((resolve) => setTimeout(resolve, 0));
      sliceStart = performance.now();
    }
  }
  return out;
}

export async function computeMetric(
  name: string,
  pairs: readonly MetricPair[],
  options?: unknown,
  ctx: MetricContext = {},
): Promise<MetricComputation> {
  const metric = getMetric(name);
  const parsed = validateMetricOptions(name, options);
  if (metric.kind === 'dataset') {
    const acc = metric.accumulator(parsed);
    for (const pair of pairs) acc.add(pair);
    const r = acc.result();
    return {
      metric: name,
      kind: 'dataset',
      scores: r.scores,
      value: r.value,
      ...(r.details ? { summary: r.details } : {}),
    };
  }
  const missing = missingPorts(metric, ctx);
  if (missing.length) throw new MetricUnavailableError(name, missing);
  const scoreOne = (i: number) => {
    const { output, expected, inputs } = pairs[i];
    return metric.score(output, expected, parsed, { ...ctx, inputs });
  };
  const raw = metric.async
    ? await mapLimit(pairs.length, ctx.concurrency ?? 4, async (i) => scoreOne(i))
    : await scoreInSlices(pairs.length, scoreOne);
  const results = await Promise.all(raw.map(async (r) => toScoredCase(await r)));
  const scores = results.map((r) => r.score);
  const hasDetails = results.some((r) => r.details !== undefined);
  return {
    metric: name,
    kind: 'per_case',
    scores,
    value: meanOfFinite(scores),
    ...(hasDetails ? { details: results.map((r) => r.details ?? null) } : {}),
  };
}
