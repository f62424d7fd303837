import type { EvaluationSummary, StatSummary } from '@ps/metrics';

import { niceTicks } from './charts';
import { renderComparisonCsv } from './render-csv';
import { renderHtml } from './render-html';
import { renderMarkdown } from './render-markdown';
import { renderPdf } from './render-pdf';
import type { ComparisonReport, EvaluationReport } from './report-model';
import { comparisonReport, evaluationReport } from './test-fixtures';

const EMPTY_STAT: StatSummary = {
  count: 0,
  mean: null,
  median: null,
  min: null,
  max: null,
  std: null,
  ci95: null,
};

const EMPTY_SUMMARY: EvaluationSummary = {
  total: 0,
  counts: { ok: 0, infra_error: 0, parse_error: 0, timeout: 0, render_error: 0 },
  not_scored: { cases: 0, metrics: {} },
  passed: 0,
  failed: 0,
  pass_rate: null,
  score: EMPTY_STAT,
  metrics: {},
  tokens: { input: 0, output: 0, total: 0 },
  cost: 0,
  cached: 0,
  latency_ms: { p50: null, p95: null, mean: null },
  histogram: { bins: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0] },
};

function emptyEvaluation(): EvaluationReport {
  const report = evaluationReport();
  report.evaluation = {
    ...report.evaluation,
    status: 'failed',
    metrics: [],
    started_at: null,
    completed_at: null,
    error: 'Provider unreachable | <retry later>',
  };
  return { ...report, summary: EMPTY_SUMMARY, worst_cases: [] };
}

function emptyComparison(): ComparisonReport {
  const report = comparisonReport();
  return {
    ...report,
    a: { ...report.a, summary: EMPTY_SUMMARY },
    b: { ...report.b, summary: EMPTY_SUMMARY },
    comparison: {
      shared: 0,
      mean_a: null,
      mean_b: null,
      delta: null,
      ci95: null,
      wins: 0,
      ties: 0,
      losses: 0,
      mcnemar: { b: 0, c: 0, statistic: 0, p_value: 1, method: 'exact' },
      metrics: {},
      cases: [],
      verdict: { significant: false, better: null, text: 'No shared cases.' },
    },
  };
}

describe('reports without data', () => {
  it.each([
    ['evaluation', emptyEvaluation],
    ['comparison', emptyComparison],
  ])('render the %s without NaN, undefined or crashes', async (_name, build) => {
    const report = build();
    const md = renderMarkdown(report);
    const html = renderHtml(report);
    for (const text of [md, html]) {
      expect(text).not.toMatch(/NaN|undefined|Infinity/);
      expect(text).toContain('—');
    }
    expect(html).not.toMatch(/="[^"]*NaN/);
    const pdf = await renderPdf(report);
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  });

  it('shows the run error, escaped', () => {
    const md = renderMarkdown(emptyEvaluation());
    expect(md).toContain('| Error | Provider unreachable \\| &lt;retry later&gt; |');
    expect(md).toContain('No failed or low-scoring cases.');
  });
});

describe('large comparisons', () => {
  it('thin the scatter plot and keep the CSV complete', async () => {
    const report = comparisonReport();
    report.comparison.cases = Array.from({ length: 150_000 }, (_, i) => ({
      key: `${i}#0`,
      a: (i % 101) / 100,
      b: (i % 97) / 96,
      delta: (i % 97) / 96 - (i % 101) / 100,
    }));
    const html = renderHtml(report);
    expect(html.match(/<circle /g)).toHaveLength(2000);
    expect(html).toContain('Showing 2,000 of 150,000');
    expect(html.length).toBeLessThan(1_000_000);
    let lines = 0;
    for await (const _line of renderComparisonCsv(report)) lines += 1;
    expect(lines).toBe(150_001);
  });
});

describe('niceTicks', () => {
  it('gives round ticks covering the maximum, whole numbers for counts', () => {
    expect(niceTicks(36)).toEqual([0, 10, 20, 30, 40]);
    expect(niceTicks(5, 5, true)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(niceTicks(11, 5, true)).toEqual([0, 5, 10, 15]);
    expect(niceTicks(12, 5, true).every(Number.isInteger)).toBe(true);
    expect(niceTicks(0)).toEqual([0, 1]);
  });
});
