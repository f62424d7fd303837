import {
  type CaseRecord,
  SummaryBuilder,
  datasetMetricSummary,
  weightedScore,
  withDatasetMetrics,
} from './aggregate';
import { MetricError } from './errors';
import { createDatasetAccumulator } from './registry';
import { summarize } from './stats';

describe('weightedScore', () => {
  it.each<[Record<string, number>, Record<string, number>, number]>([
    [{ a: 1, b: 0 }, {}, 0.5],
    [{ a: 1, b: 0 }, { a: 3 }, 0.75],
    [{ a: 1, b: 0 }, { a: 3, b: 1 }, 0.75],
    [{ a: 0.5 }, { a: 10 }, 0.5],
    [{ a: 1, b: NaN }, { a: 1, b: 5 }, 1],
    [{ a: 0.2, b: 0.8, c: NaN }, { a: 1, b: 3, c: 100 }, 0.65],
    [{ a: 1, b: 0 }, { b: 0 }, 1],
    [{ a: 1 }, { unused: 4 }, 1],
  ])('%p with weights %p → %p', (scores, weights, expected) => {
    expect(weightedScore(scores, weights)).toBeCloseTo(expected, 12);
  });

  it('gives NaN without any scored, weighted metric', () => {
    expect(weightedScore({})).toBeNaN();
    expect(weightedScore({ a: NaN })).toBeNaN();
    expect(weightedScore({ a: 1 }, { a: 0 })).toBeNaN();
  });

  it('rejects negative or non-finite weights naming the field', () => {
    expect(() => weightedScore({ a: 1 }, { a: -1 })).toThrow(
      expect.objectContaining({ field: 'weights.a' }),
    );
    expect(() => weightedScore({ a: 1 }, { a: NaN })).toThrow(MetricError);
  });
});

const record = (over: Partial<CaseRecord>): CaseRecord => ({
  score: 1,
  status: 'ok',
  metrics: {},
  tokensIn: 10,
  tokensOut: 5,
  cost: 0.001,
  latencyMs: 100,
  cached: false,
  ...over,
});

describe('SummaryBuilder', () => {
  it('summarises ok cases and counts failures apart', () => {
    const b = new SummaryBuilder({ seed: 1 });
    b.add(
      record({ score: 1, passed: true, metrics: { exact_match: 1, bleu: 0.9 }, latencyMs: 100 }),
    );
    b.add(
      record({ score: 0.55, metrics: { exact_match: 0, bleu: 0.6 }, latencyMs: 200, cached: true }),
    );
    b.add(record({ score: 0.2, metrics: { exact_match: 0, bleu: NaN }, latencyMs: 300 }));
    b.add(record({ score: 0.9, passed: false, metrics: { exact_match: 1 }, latencyMs: 400 }));
    b.add(
      record({
        status: 'infra_error',
        score: NaN,
        metrics: {},
        tokensIn: 0,
        tokensOut: 0,
        cost: 0,
        latencyMs: 50,
      }),
    );
    b.add(record({ status: 'timeout', score: NaN, tokensOut: 0, latencyMs: 30_000 }));
    b.add(record({ status: 'parse_error', score: 0, metrics: { exact_match: 0 }, latencyMs: NaN }));
    expect(b.total).toBe(7);
    const s = b.build(0.5);
    expect(s.total).toBe(7);
    expect(s.counts).toEqual({
      ok: 4,
      infra_error: 1,
      parse_error: 1,
      timeout: 1,
      render_error: 0,
    });
    expect(s.not_scored).toEqual({ cases: 0, metrics: { bleu: 1 } });
    // Explicit flags win over the threshold: 1 (true), 0.55 (≥ 0.5), 0.2 (< 0.5), 0.9 (false).
    expect(s.passed).toBe(2);
    expect(s.failed).toBe(2);
    expect(s.pass_rate).toBe(0.5);
    expect(s.score).toEqual(summarize([1, 0.55, 0.2, 0.9], { seed: 1 }));
    expect(s.score.mean).toBeCloseTo(0.6625, 12);
    expect(Object.keys(s.metrics)).toEqual(['bleu', 'exact_match']);
    expect(s.metrics.exact_match.count).toBe(4);
    expect(s.metrics.exact_match.mean).toBe(0.5);
    expect(s.metrics.bleu.count).toBe(2);
    expect(s.metrics.bleu.mean).toBeCloseTo(0.75, 12);
    expect(s.tokens).toEqual({ input: 60, output: 25, total: 85 });
    expect(s.cost).toBeCloseTo(0.006, 12);
    expect(s.cached).toBe(1);
    expect(s.latency_ms.p50).toBe(250);
    expect(s.latency_ms.p95).toBeCloseTo(22_600, 6); // 400 + 0.75 × (30000 − 400)
    expect(s.latency_ms.mean).toBeCloseTo(31_050 / 6, 9);
    expect(s.histogram.bins).toEqual([0, 0, 1, 0, 0, 1, 0, 0, 0, 2]);
  });

  it('leaves cases no metric scored out of pass rate and means, and counts render errors', () => {
    const b = new SummaryBuilder({ seed: 1 });
    b.add(record({ score: 1, metrics: { exact_match: 1 } }));
    b.add(record({ score: 0, metrics: { exact_match: 0 } }));
    b.add(record({ score: NaN, metrics: { exact_match: NaN } }));
    b.add(record({ status: 'render_error', score: NaN, metrics: {}, tokensIn: 0, tokensOut: 0 }));
    const s = b.build(0.5);
    expect(s.total).toBe(4);
    expect(s.counts).toMatchObject({ ok: 3, render_error: 1 });
    expect(s.not_scored).toEqual({ cases: 1, metrics: { exact_match: 1 } });
    expect(s.passed).toBe(1);
    expect(s.failed).toBe(1);
    expect(s.pass_rate).toBe(0.5);
    expect(s.score.count).toBe(2);
    expect(s.metrics.exact_match.count).toBe(2);
  });

  it('applies the pass threshold given to build', () => {
    const b = new SummaryBuilder();
    [0.2, 0.5, 0.8].forEach((score) => b.add(record({ score })));
    expect(b.build(0.5).passed).toBe(2);
    expect(b.build(0.9).passed).toBe(0);
    expect(b.build().passed).toBe(2);
  });

  it('bins scores into ten bins over [0, 1]', () => {
    const b = new SummaryBuilder();
    [0, 0.05, 0.1, 0.3, 0.7, 0.99, 1, -0.2, 1.5, NaN].forEach((score) => b.add(record({ score })));
    expect(b.build().histogram.bins).toEqual([3, 1, 0, 1, 0, 0, 0, 1, 0, 3]);
  });

  it('gives nulls for a run without ok cases', () => {
    const b = new SummaryBuilder();
    b.add(record({ status: 'infra_error', score: NaN, latencyMs: NaN }));
    const s = b.build();
    expect(s.pass_rate).toBeNull();
    expect(s.passed).toBe(0);
    expect(s.failed).toBe(0);
    expect(s.score.count).toBe(0);
    expect(s.score.mean).toBeNull();
    expect(s.metrics).toEqual({});
    expect(s.latency_ms).toEqual({ p50: null, p95: null, mean: null });
    expect(new SummaryBuilder().build().total).toBe(0);
  });

  it('handles 100,000 cases quickly and deterministically', () => {
    const build = () => {
      const b = new SummaryBuilder({ seed: 9 });
      for (let i = 0; i < 100_000; i++) {
        const score = (i % 97) / 96;
        b.add(record({ score, metrics: { m1: score, m2: 1 - score }, latencyMs: i % 1000 }));
      }
      return b.build();
    };
    const t0 = Date.now();
    const s = build();
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(s.total).toBe(100_000);
    expect(s.score.ci95).not.toBeNull();
    expect(build()).toEqual(s);
  });
});

describe('datasetMetricSummary and withDatasetMetrics', () => {
  const yTrue = [0, 1, 2, 0, 1, 2, 0, 1, 2, 0];
  const yPred = [0, 2, 1, 0, 0, 1, 0, 1, 2, 0];

  it('reports the statistic as the mean with a bootstrap interval', () => {
    const acc = createDatasetAccumulator('f1_score', { average: 'macro' });
    yTrue.forEach((expected, i) => acc.add({ expected, output: yPred[i] }));
    const s = datasetMetricSummary(acc, { seed: 3, resamples: 500 });
    expect(s.count).toBe(10);
    expect(s.mean).toBe(acc.result().value);
    expect(s.median).toBeNull();
    expect(s.std).toBeNull();
    const [lo, hi] = s.ci95 as [number, number];
    expect(lo).toBeLessThanOrEqual(s.mean as number);
    expect(hi).toBeGreaterThanOrEqual(s.mean as number);
    expect(datasetMetricSummary(acc, { seed: 3, resamples: 500 })).toEqual(s);
  });

  it('bootstraps regression statistics too', () => {
    const acc = createDatasetAccumulator('mae');
    [1, 2, 3, 4, 5].forEach((v) => acc.add({ output: v + 1, expected: v }));
    expect(datasetMetricSummary(acc)).toEqual({
      count: 5,
      mean: 1,
      median: null,
      min: null,
      max: null,
      std: null,
      ci95: [1, 1],
    });
  });

  it('gives nulls without usable pairs', () => {
    const acc = createDatasetAccumulator('accuracy');
    acc.add({ output: 'a', expected: null });
    expect(datasetMetricSummary(acc)).toMatchObject({ count: 0, mean: null, ci95: null });
  });

  it('merges dataset metrics into an evaluation summary', () => {
    const b = new SummaryBuilder();
    b.add(record({ metrics: { exact_match: 1 } }));
    const summary = b.build();
    const acc = createDatasetAccumulator('accuracy');
    acc.add({ output: 'x', expected: 'x' });
    const merged = withDatasetMetrics(summary, { accuracy: datasetMetricSummary(acc) });
    expect(Object.keys(merged.metrics)).toEqual(['exact_match', 'accuracy']);
    expect(merged.metrics.accuracy.mean).toBe(1);
    expect(summary.metrics.accuracy).toBeUndefined();
  });
});
