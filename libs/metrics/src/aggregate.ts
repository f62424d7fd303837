import type { DatasetAccumulator } from './definition';
import { MetricError } from './errors';
import {
  type BootstrapOptions,
  DEFAULT_RESAMPLES,
  type StatSummary,
  bootstrapCi,
  mean,
  percentile,
  resamplesWithinBudget,
  summarize,
} from './stats';

/**
 * Weighted mean of a case's metric scores: Σ wᵢ·sᵢ / Σ wᵢ over the metrics in `scores`, a metric
 * without a weight weighing 1. Non-finite scores (NaN: not scored) are skipped and the remaining
 * weights renormalised. NaN when no weight is left. Weights must be finite and ≥ 0
 * ({@link MetricError} with field `weights.<name>` otherwise).
 */
export function weightedScore(
  scores: Record<string, number>,
  weights: Record<string, number> = {},
): number {
  let sum = 0;
  let total = 0;
  for (const [name, score] of Object.entries(scores)) {
    const w = Object.hasOwn(weights, name) ? weights[name] : 1;
    if (!(Number.isFinite(w) && w >= 0)) {
      throw new MetricError(
        `Weight of metric '${name}' must be a number ≥ 0.`,
        name,
        `weights.${name}`,
      );
    }
    if (!Number.isFinite(score) || w === 0) continue;
    sum += w * score;
    total += w;
  }
  return total === 0 ? NaN : sum / total;
}

/** `render_error`: the case's inputs lacked a template variable, so nothing was sent. */
export type CaseStatus = 'ok' | 'infra_error' | 'parse_error' | 'timeout' | 'render_error';

/** What the runner records per case. */
export interface CaseRecord {
  /** Weighted score (see {@link weightedScore}); NaN when no metric scored the case. */
  score: number;
  /** Whether the case passed; when omitted, score ≥ the pass threshold given to `build`. */
  passed?: boolean;
  status: CaseStatus;
  /** Per-case metric scores (NaN: not scored). */
  metrics: Record<string, number>;
  tokensIn: number;
  tokensOut: number;
  cost: number;
  latencyMs: number;
  cached: boolean;
}

export interface EvaluationSummary {
  total: number;
  counts: {
    ok: number;
    infra_error: number;
    parse_error: number;
    timeout: number;
    render_error: number;
  };
  /**
   * What was not scored: ok cases no metric could score (left out of pass rate and means), and
   * per metric the ok cases it did not score (a reference metric on a case without expected value).
   */
  not_scored: { cases: number; metrics: Record<string, number> };
  /** Passing ok cases. */
  passed: number;
  /** Scored ok cases that did not pass (failures of other statuses are not counted here). */
  failed: number;
  /** passed / scored ok cases; null without any. */
  pass_rate: number | null;
  /** Weighted-score statistics over ok cases. */
  score: StatSummary;
  /** Per metric, over ok cases (plus dataset-level metrics merged by `withDatasetMetrics`). */
  metrics: Record<string, StatSummary>;
  /** Over all cases, whatever their status. */
  tokens: { input: number; output: number; total: number };
  cost: number;
  /** Cases answered from the cache. */
  cached: number;
  /** Over all cases with a finite latency. */
  latency_ms: { p50: number | null; p95: number | null; mean: number | null };
  /** Weighted scores of ok cases in 10 bins over [0, 1]: [0, 0.1), …, [0.9, 1.0]. */
  histogram: { bins: number[] };
}

const HISTOGRAM_BINS = 10;

/**
 * Collects per-case numbers of an evaluation run, one case at a time, and builds its
 * {@link EvaluationSummary}. Keeps only numbers (a few per case), never outputs, so it suits
 * runs of 100,000 cases. Quality statistics (pass rate, scores, metrics, histogram) use ok cases
 * only; infra errors, parse errors and timeouts are counted apart. Tokens, cost, cache hits and
 * latency cover every case.
 */
export class SummaryBuilder {
  private readonly counts = { ok: 0, infra_error: 0, parse_error: 0, timeout: 0, render_error: 0 };
  private unscored = 0;
  private readonly notScored = new Map<string, number>();
  private readonly scores: number[] = [];
  /** 1 passed, 0 failed, −1 decide by threshold; aligned with `scores`. */
  private readonly passFlags: number[] = [];
  private readonly metrics = new Map<string, number[]>();
  private readonly latencies: number[] = [];
  private tokensIn = 0;
  private tokensOut = 0;
  private cost = 0;
  private cached = 0;

  constructor(private readonly bootstrap: BootstrapOptions = {}) {}

  /** Cases added so far. */
  get total(): number {
    const c = this.counts;
    return c.ok + c.infra_error + c.parse_error + c.timeout + c.render_error;
  }

  add(record: CaseRecord): void {
    this.counts[record.status]++;
    this.tokensIn += finiteOr0(record.tokensIn);
    this.tokensOut += finiteOr0(record.tokensOut);
    this.cost += finiteOr0(record.cost);
    if (record.cached) this.cached++;
    if (Number.isFinite(record.latencyMs)) this.latencies.push(record.latencyMs);
    if (record.status !== 'ok') return;
    for (const [name, value] of Object.entries(record.metrics)) {
      let list = this.metrics.get(name);
      if (!list) {
        list = [];
        this.metrics.set(name, list);
      }
      if (Number.isFinite(value)) list.push(value);
      else this.notScored.set(name, (this.notScored.get(name) ?? 0) + 1);
    }
    if (!Number.isFinite(record.score)) {
      this.unscored++;
      return;
    }
    this.scores.push(record.score);
    this.passFlags.push(record.passed === undefined ? -1 : record.passed ? 1 : 0);
  }

  /** The summary; cases without a `passed` flag pass when score ≥ passThreshold. */
  build(passThreshold = 0.5): EvaluationSummary {
    let passed = 0;
    const bins = new Array<number>(HISTOGRAM_BINS).fill(0);
    this.scores.forEach((score, i) => {
      const flag = this.passFlags[i];
      if (flag === 1 || (flag === -1 && score >= passThreshold)) passed++;
      if (Number.isFinite(score)) {
        const bin = Math.floor(Math.min(1, Math.max(0, score)) * HISTOGRAM_BINS);
        bins[Math.min(bin, HISTOGRAM_BINS - 1)]++;
      }
    });
    const scored = this.scores.length;
    const metrics: Record<string, StatSummary> = {};
    for (const [name, values] of [...this.metrics].sort(([a], [b]) => a.localeCompare(b))) {
      metrics[name] = summarize(values, this.bootstrap);
    }
    return {
      total: this.total,
      counts: { ...this.counts },
      not_scored: {
        cases: this.unscored,
        metrics: Object.fromEntries([...this.notScored].sort(([a], [b]) => a.localeCompare(b))),
      },
      passed,
      failed: scored - passed,
      pass_rate: scored === 0 ? null : passed / scored,
      score: summarize(this.scores, this.bootstrap),
      metrics,
      tokens: {
        input: this.tokensIn,
        output: this.tokensOut,
        total: this.tokensIn + this.tokensOut,
      },
      cost: this.cost,
      cached: this.cached,
      latency_ms: {
        p50: percentile(this.latencies, 50),
        p95: percentile(this.latencies, 95),
        mean: mean(this.latencies),
      },
      histogram: { bins },
    };
  }
}

function finiteOr0(n: number): number {
  return Number.isFinite(n) ? n : 0;
}

/**
 * A dataset-level metric as a {@link StatSummary}: count = pairs used, mean = the statistic
 * (accuracy, F1, MAE …), ci95 = 95% percentile bootstrap of the statistic, resampling the used
 * pairs (seeded; fewer resamples, at least 200, beyond the draw budget). median, min, max and
 * std do not apply to a dataset statistic and are null.
 */
export function datasetMetricSummary(
  accumulator: DatasetAccumulator,
  { seed, resamples = DEFAULT_RESAMPLES }: BootstrapOptions = {},
): StatSummary {
  const n = accumulator.included;
  const { value } = accumulator.result();
  if (n === 0 || !Number.isFinite(value)) {
    return { count: n, mean: null, median: null, min: null, max: null, std: null, ci95: null };
  }
  const ci95 = bootstrapCi(n, (indices) => accumulator.statisticOf(indices), {
    seed,
    resamples: resamplesWithinBudget(n, resamples),
  });
  return { count: n, mean: value, median: null, min: null, max: null, std: null, ci95 };
}

/** A copy of `summary` with dataset-level metric summaries added to (or replacing in) `metrics`. */
export function withDatasetMetrics(
  summary: EvaluationSummary,
  datasetMetrics: Record<string, StatSummary>,
): EvaluationSummary {
  return { ...summary, metrics: { ...summary.metrics, ...datasetMetrics } };
}
