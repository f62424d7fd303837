import type { z } from 'zod';
import type { MetricOptionSpec } from './options';
import type {
  CaseContext,
  DatasetMetricResult,
  MetricPair,
  MetricRequirement,
  MetricValue,
} from './types';

/** What the registry says about a metric (serialisable; `listMetrics()` returns these). */
export interface MetricInfo {
  name: string;
  /** `per_case`: one score per pair, averaged; `dataset`: one statistic over all pairs. */
  kind: 'per_case' | 'dataset';
  /** True when the metric calls a model (embeddings or judge). */
  async: boolean;
  requires?: MetricRequirement[];
  options: MetricOptionSpec[];
  description: string;
  /** Range of the value: [min, max]; max null when unbounded. */
  range: [number, number | null];
}

type ParsedOptions = Record<string, unknown>;

/** A per-case metric: its description, option schema and scoring function. */
export interface PerCaseMetric extends MetricInfo {
  kind: 'per_case';
  schema: z.ZodType<ParsedOptions>;
  /** Scores one pair; `options` must have gone through `schema` (validateMetricOptions). */
  score(
    output: unknown,
    expected: unknown,
    options: ParsedOptions,
    ctx: CaseContext,
  ): MetricValue | Promise<MetricValue>;
}

/**
 * Collects pairs one at a time for a dataset-level metric, keeping only what the statistic
 * needs (a label or a number per pair), so a runner can stream outputs through it.
 */
export interface DatasetAccumulator {
  readonly metric: string;
  /** Pairs added so far. */
  readonly size: number;
  /** Pairs the statistic uses (the others lacked a label or a number). */
  readonly included: number;
  add(pair: Pick<MetricPair, 'output' | 'expected'>): void;
  result(): DatasetMetricResult;
  /**
   * The statistic over a multiset of included pairs, given by their positions among the
   * included pairs (0 … included − 1). Used for bootstrap confidence intervals.
   */
  statisticOf(indices: ArrayLike<number>): number;
}

/** A dataset-level metric: its description, option schema and accumulator factory. */
export interface DatasetMetric extends MetricInfo {
  kind: 'dataset';
  schema: z.ZodType<ParsedOptions>;
  /** A new accumulator; `options` must have gone through `schema`. */
  accumulator(options: ParsedOptions): DatasetAccumulator;
}

export type MetricDefinition = PerCaseMetric | DatasetMetric;

type Info = Omit<MetricInfo, 'kind' | 'options' | 'async'> & { async?: boolean };

/** Builds a per-case metric definition, checking the scoring function against the schema. */
export function definePerCase<S extends z.ZodType<ParsedOptions>>(
  info: Info,
  options: { schema: S; specs: MetricOptionSpec[] },
  score: (
    output: unknown,
    expected: unknown,
    options: z.output<S>,
    ctx: CaseContext,
  ) => MetricValue | Promise<MetricValue>,
): PerCaseMetric {
  return {
    ...info,
    kind: 'per_case',
    async: info.async ?? false,
    options: options.specs,
    schema: options.schema,
    score: (output, expected, parsed, ctx) => score(output, expected, parsed as z.output<S>, ctx),
  };
}

/** Builds a dataset-level metric definition. */
export function defineDataset<S extends z.ZodType<ParsedOptions>>(
  info: Info,
  options: { schema: S; specs: MetricOptionSpec[] },
  accumulator: (options: z.output<S>) => DatasetAccumulator,
): DatasetMetric {
  return {
    ...info,
    kind: 'dataset',
    async: false,
    options: options.specs,
    schema: options.schema,
    accumulator: (parsed) => accumulator(parsed as z.output<S>),
  };
}
