import type { SignatureFieldSpec } from '@ps/common';
import {
  createDatasetAccumulator,
  type DatasetAccumulator,
  datasetMetricSummary,
  type EvaluationSummary,
  repeatStats,
  SummaryBuilder,
  withDatasetMetrics,
} from '@ps/metrics';
import { metricPair, subjectOf } from './case-scoring';
import type { CaseResult } from './ports';
import type { ScoringPlan } from './scoring-plan';

/** What a summary needs of a result: its numbers, and for dataset metrics the answer. */
export type SummarizedResult = Pick<
  CaseResult,
  | 'caseId'
  | 'status'
  | 'output'
  | 'scores'
  | 'score'
  | 'passed'
  | 'tokensIn'
  | 'tokensOut'
  | 'cost'
  | 'latencyMs'
  | 'cached'
>;

/** A run's summary, with repeat statistics when cases ran several times. */
export type RunSummary = EvaluationSummary & {
  repeats?: {
    runs_per_case: number;
    cases: number;
    mean_pass_rate: number | null;
    mean_variance: number | null;
    inconsistent_cases: number;
  };
};

/**
 * Builds a run's summary one result at a time, keeping numbers only (and, for dataset metrics,
 * the labels they need), so it serves runs of any size: the runner feeds it as cases finish, a
 * resumed job feeds it the stored rows.
 */
export class SummaryAccumulator {
  private readonly builder: SummaryBuilder;
  private readonly datasets: Map<string, DatasetAccumulator>;
  private readonly perCase = new Map<string, number[]>();

  constructor(
    private readonly plan: ScoringPlan,
    private readonly outputFields: readonly SignatureFieldSpec[],
    private readonly repeats = 1,
  ) {
    this.builder = new SummaryBuilder({ seed: plan.seed });
    this.datasets = new Map(
      plan.dataset.map((m) => [m.key, createDatasetAccumulator(m.name, m.options)]),
    );
  }

  /** Adds one result; `expected` (the case's expected outputs) is needed for dataset metrics. */
  add(result: SummarizedResult, expected?: Record<string, unknown>): void {
    this.builder.add({
      score: result.score ?? NaN,
      ...(result.passed === null ? {} : { passed: result.passed }),
      status: result.status,
      metrics: Object.fromEntries(Object.entries(result.scores).map(([k, v]) => [k, v ?? NaN])),
      tokensIn: result.tokensIn,
      tokensOut: result.tokensOut,
      cost: result.cost,
      latencyMs: result.latencyMs ?? NaN,
      cached: result.cached,
    });
    if (result.status !== 'ok') return;
    if (this.repeats > 1) {
      const list = this.perCase.get(result.caseId) ?? [];
      list.push(result.score ?? NaN);
      this.perCase.set(result.caseId, list);
    }
    if (this.datasets.size && expected) {
      const subject = subjectOf(
        result.output ?? '',
        this.outputFields as SignatureFieldSpec[],
        expected,
      );
      for (const metric of this.plan.dataset) {
        this.datasets.get(metric.key)!.add(metricPair(subject, metric));
      }
    }
  }

  /** True when dataset metrics need each result's expected outputs. */
  get needsExpected(): boolean {
    return this.datasets.size > 0;
  }

  build(): RunSummary {
    let summary: RunSummary = this.builder.build(this.plan.passThreshold);
    if (this.datasets.size) {
      summary = withDatasetMetrics(
        summary,
        Object.fromEntries(
          [...this.datasets].map(([key, acc]) => [
            key,
            datasetMetricSummary(acc, { seed: this.plan.seed }),
          ]),
        ),
      );
    }
    if (this.repeats > 1) {
      const stats = repeatStats(this.perCase, { passThreshold: this.plan.passThreshold });
      const rated = stats.cases.filter((c) => c.pass_rate !== null);
      const mean = (xs: number[]) => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : null);
      summary = {
        ...summary,
        repeats: {
          runs_per_case: this.repeats,
          cases: rated.length,
          mean_pass_rate: mean(rated.map((c) => c.pass_rate!)),
          mean_variance: mean(rated.map((c) => c.variance ?? 0)),
          inconsistent_cases: rated.filter((c) => c.pass_rate! > 0 && c.pass_rate! < 1).length,
        },
      };
    }
    return summary;
  }
}
