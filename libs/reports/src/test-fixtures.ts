/**
 * Sample reports for the renderer tests (unit and browser): failures, a timeout, unicode, markup
 * and CSV-hostile text in outputs, names and configuration.
 */
import type { StatSummary } from '@ps/metrics';

import type {
  ComparisonReport,
  EvaluationHeader,
  EvaluationReport,
  ReportCase,
} from './report-model';

/** Markup that must never run: if a renderer forgets to escape, the title changes. */
export const INJECTED_SCRIPT = "<script>document.title='pwned'</script>";

export const UNICODE_OUTPUT = 'Café ☕ naïve façade — “quoted” → 日本語 😀 Ωmega ő';

function stat(mean: number, count = 110): StatSummary {
  return {
    count,
    mean,
    median: Math.min(1, mean + 0.05),
    min: 0,
    max: 1,
    std: 0.2113,
    ci95: [mean - 0.0395, Math.min(1, mean + 0.0395)],
  };
}

function header(id: number, overrides: Partial<EvaluationHeader> = {}): EvaluationHeader {
  return {
    id,
    status: 'completed',
    project: { id: 7, name: 'Support <Bot> & "Friends"' },
    prompt: { id: 3, name: 'Refund <b>answers</b>', version_id: 31, version_number: 4 },
    model_config: {
      provider: 'openai',
      model: 'gpt-4o-mini',
      parameters: { temperature: 0.2, max_tokens: 512 },
    },
    metrics: [
      { name: 'exact_match', weight: 1, options: {} },
      { name: 'similarity', weight: 2, options: { threshold: 0.8 } },
    ],
    pass_threshold: 0.7,
    repeats: 1,
    concurrency: 8,
    created_at: '2024-05-01T12:00:00.000Z',
    started_at: '2024-05-01T12:00:05.000Z',
    completed_at: '2024-05-01T12:03:17.500Z',
    error: null,
    ...overrides,
  };
}

export const WORST_CASES: ReportCase[] = [
  {
    test_case_id: 1,
    name: 'comma, "quote"',
    repeat_index: 0,
    inputs: { question: 'Can I return shoes, "worn once"?', lang: 'en' },
    expected: { answer: 'Yes, within 30 days' },
    output: 'Hello, "world"\nsecond line, with comma\r\nthird',
    score: 0.2,
    passed: false,
    status: 'ok',
    error: null,
    metrics: { exact_match: 0, similarity: 0.4 },
    latency_ms: 840,
    cost: 0.00123,
  },
  {
    test_case_id: 2,
    name: 'unicode ünïcødé',
    repeat_index: 0,
    inputs: { question: '¿Dónde está mi pedido? 注文' },
    expected: 'Café',
    output: UNICODE_OUTPUT,
    score: 0.35,
    passed: false,
    status: 'ok',
    error: null,
    metrics: { exact_match: 0, similarity: 0.525 },
    latency_ms: 1210,
    cost: 0.0021,
  },
  {
    test_case_id: 3,
    name: 'script injection',
    repeat_index: 0,
    inputs: { question: '<img src=x onerror="alert(1)">' },
    expected: '<b>bold</b>',
    output: INJECTED_SCRIPT,
    score: 0.1,
    passed: false,
    status: 'ok',
    error: null,
    metrics: { exact_match: 0, similarity: 0.15 },
    latency_ms: 460,
    cost: 0.0009,
  },
  {
    test_case_id: 4,
    name: null,
    repeat_index: 0,
    inputs: {},
    expected: null,
    output: null,
    score: null,
    passed: null,
    status: 'timeout',
    error: 'Timed out after 30000 ms',
    metrics: {},
    latency_ms: null,
    cost: 0,
  },
  {
    test_case_id: 5,
    name: 'pipes | and *stars* _under_ [link](x)',
    repeat_index: 0,
    inputs: { table: true },
    expected: ['a', 'b'],
    output: '| a | b |\n|---|---|\n# not a heading',
    score: 0.3,
    passed: false,
    status: 'ok',
    error: null,
    metrics: { exact_match: 0, similarity: 0.45 },
    latency_ms: 2310,
    cost: 0.0042,
  },
];

export const METRIC_NAMES = ['exact_match', 'similarity'];

export function evaluationReport(): EvaluationReport {
  return {
    kind: 'evaluation',
    generated_at: '2024-05-01T13:00:00.000Z',
    evaluation: header(42),
    summary: {
      total: 120,
      counts: { ok: 110, infra_error: 4, parse_error: 3, timeout: 3, render_error: 0 },
      not_scored: { cases: 0, metrics: {} },
      passed: 80,
      failed: 30,
      pass_rate: 80 / 110,
      score: {
        count: 110,
        mean: 0.7342,
        median: 0.81,
        min: 0,
        max: 1,
        std: 0.2113,
        ci95: [0.6947, 0.7737],
      },
      metrics: { exact_match: stat(0.6182), similarity: stat(0.8504) },
      tokens: { input: 45210, output: 12034, total: 57244 },
      cost: 1.2345,
      cached: 12,
      latency_ms: { p50: 840, p95: 2310, mean: 1012.5 },
      histogram: { bins: [3, 2, 4, 5, 6, 8, 10, 14, 22, 36] },
    },
    worst_cases: WORST_CASES,
  };
}

export function comparisonReport(): ComparisonReport {
  const a = evaluationReport();
  const cases = Array.from({ length: 60 }, (_, i) => {
    const scoreA = ((i * 37) % 100) / 100;
    const scoreB = Math.min(1, Math.max(0, scoreA + (((i * 53) % 41) - 14) / 100));
    return { key: `${i + 1}#0`, a: scoreA, b: scoreB, delta: scoreB - scoreA };
  }).sort((x, y) => Math.abs(y.delta) - Math.abs(x.delta));
  return {
    kind: 'comparison',
    generated_at: '2024-05-02T09:30:00.000Z',
    a: { evaluation: a.evaluation, summary: a.summary },
    b: {
      evaluation: header(43, {
        prompt: { id: 3, name: 'Refund <b>answers</b>', version_id: 32, version_number: 5 },
        model_config: { provider: 'anthropic', model: 'claude-3-5-haiku', parameters: {} },
      }),
      summary: {
        ...a.summary,
        passed: 88,
        failed: 22,
        pass_rate: 88 / 110,
        score: { ...a.summary.score, mean: 0.7916, ci95: [0.7543, 0.8287] },
        metrics: { exact_match: stat(0.6728), similarity: stat(0.8811) },
        histogram: { bins: [1, 2, 3, 4, 5, 7, 9, 15, 26, 38] },
      },
    },
    comparison: {
      shared: 110,
      mean_a: 0.7342,
      mean_b: 0.7916,
      delta: 0.0573,
      ci95: [0.0121, 0.1026],
      wins: 41,
      ties: 50,
      losses: 19,
      mcnemar: { b: 6, c: 15, statistic: 6, p_value: 0.0784, method: 'exact' },
      metrics: {
        exact_match: { mean_a: 0.6182, mean_b: 0.6728, delta: 0.0546 },
        similarity: { mean_a: 0.8504, mean_b: 0.8811, delta: 0.0307 },
      },
      cases,
      verdict: {
        significant: true,
        better: 'b',
        text: 'B is better: +0.057 (95% CI +0.012 to +0.103) <i>',
      },
    },
  };
}
