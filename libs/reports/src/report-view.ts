/**
 * The content of a report, independent of its format: sections of tables, paragraphs, charts and
 * case listings, all as plain (unescaped, untruncated) text. Markdown, HTML and PDF render this
 * same view, so they always carry the same figures; each escapes and shortens text its own way.
 */
import type { StatSummary } from '@ps/metrics';

import {
  COLORS,
  histogramChart,
  metricBarChart,
  scatterChart,
  type ChartScene,
  type Series,
} from './charts';
import {
  caseTitle,
  ci,
  displayValue,
  elapsed,
  int,
  jsonText,
  ms,
  NONE,
  num,
  passedText,
  pct,
  pValue,
  signed,
  signedCi,
  timestamp,
  usd,
} from './format';
import type {
  ComparisonReport,
  EvaluationHeader,
  EvaluationReport,
  Report,
  ReportCase,
} from './report-model';

export type Align = 'left' | 'right';

export interface TableBlock {
  kind: 'table';
  caption: string;
  headers: string[];
  align: Align[];
  rows: string[][];
}

export interface TextBlock {
  kind: 'text';
  text: string;
  strong?: boolean;
}

export interface ChartBlock {
  kind: 'chart';
  chart: ChartScene;
  /** The chart's data as a table: what formats without graphics show instead. */
  data: TableBlock;
}

export interface CaseView {
  title: string;
  status: string;
  passed: string;
  score: string;
  latency: string;
  cost: string;
  inputs: string;
  output: string;
  expected: string;
  error: string | null;
}

export interface CasesBlock {
  kind: 'cases';
  caption: string;
  cases: CaseView[];
}

export type Block = TableBlock | TextBlock | ChartBlock | CasesBlock;

export interface Section {
  id: string;
  heading: string;
  blocks: Block[];
}

export interface ReportView {
  title: string;
  /** Short facts under the title (project, model …). */
  subtitle: string[];
  generatedAt: string;
  sections: Section[];
}

/** How many per-case differences a comparison lists. */
export const TOP_DIFFERENCES = 20;

export function buildView(report: Report): ReportView {
  return report.kind === 'evaluation' ? evaluationView(report) : comparisonView(report);
}

function table(
  caption: string,
  headers: string[],
  rows: string[][],
  align: Align[] = headers.map((_, i) => (i === 0 ? 'left' : 'right')),
): TableBlock {
  return { kind: 'table', caption, headers, align, rows };
}

function promptText(e: EvaluationHeader): string {
  return `${e.prompt.name} v${e.prompt.version_number}`;
}

function modelText(e: EvaluationHeader): string {
  return `${e.model_config.provider} / ${e.model_config.model}`;
}

function metricsText(e: EvaluationHeader): string {
  if (e.metrics.length === 0) return NONE;
  return e.metrics.map((m) => `${m.name} (weight ${num(m.weight, 2)})`).join(', ');
}

function parametersText(e: EvaluationHeader): string {
  const params = e.model_config.parameters;
  return Object.keys(params).length === 0 ? NONE : (jsonText(params) ?? NONE);
}

/** Configuration rows: [label, value per run]. */
function configurationRows(runs: EvaluationHeader[]): string[][] {
  const rows: [string, (e: EvaluationHeader) => string][] = [
    ['Evaluation', (e) => `#${e.id}`],
    ['Status', (e) => e.status],
    ['Project', (e) => e.project.name],
    ['Prompt', promptText],
    ['Model', modelText],
    ['Model parameters', parametersText],
    ['Metrics', metricsText],
    ['Pass threshold', (e) => num(e.pass_threshold)],
    ['Repeats', (e) => int(e.repeats)],
    ['Concurrency', (e) => int(e.concurrency)],
    ['Created', (e) => timestamp(e.created_at)],
    ['Started', (e) => timestamp(e.started_at)],
    ['Completed', (e) => timestamp(e.completed_at)],
    ['Duration', (e) => elapsed(e.started_at, e.completed_at)],
  ];
  if (runs.some((e) => e.error)) rows.push(['Error', (e) => e.error ?? NONE]);
  return rows.map(([label, value]) => [label, ...runs.map(value)]);
}

type Summary = EvaluationReport['summary'];

/** Summary rows: [label, value per run]. */
function summaryRows(summaries: Summary[]): string[][] {
  const rows: [string, (s: Summary) => string][] = [
    ['Cases', (s) => int(s.total)],
    ['ok', (s) => int(s.counts.ok)],
    ['infra_error', (s) => int(s.counts.infra_error)],
    ['parse_error', (s) => int(s.counts.parse_error)],
    ['timeout', (s) => int(s.counts.timeout)],
    // Summaries stored before render errors and unscored cases were counted lack these.
    ['render_error', (s) => int(s.counts.render_error ?? 0)],
    ['Not scored (no metric applied)', (s) => int(s.not_scored?.cases ?? 0)],
    ['Passed', (s) => int(s.passed)],
    ['Failed', (s) => int(s.failed)],
    ['Pass rate (ok cases)', (s) => pct(s.pass_rate)],
    ['Mean score', (s) => num(s.score.mean)],
    ['Median score', (s) => num(s.score.median)],
    ['Min score', (s) => num(s.score.min)],
    ['Max score', (s) => num(s.score.max)],
    ['Std deviation', (s) => num(s.score.std)],
    ['95% CI of mean', (s) => ci(s.score.ci95)],
    ['Input tokens', (s) => int(s.tokens.input)],
    ['Output tokens', (s) => int(s.tokens.output)],
    ['Total tokens', (s) => int(s.tokens.total)],
    ['Cost', (s) => usd(s.cost)],
    ['Cached results', (s) => int(s.cached)],
    ['Latency p50', (s) => ms(s.latency_ms.p50)],
    ['Latency p95', (s) => ms(s.latency_ms.p95)],
    ['Latency mean', (s) => ms(s.latency_ms.mean)],
  ];
  return rows.map(([label, value]) => [label, ...summaries.map(value)]);
}

const STAT_HEADERS = ['n', 'Mean', 'Median', 'Min', 'Max', 'Std', '95% CI'];

function statCells(stat: StatSummary | undefined): string[] {
  if (!stat) return STAT_HEADERS.map(() => NONE);
  return [
    int(stat.count),
    num(stat.mean),
    num(stat.median),
    num(stat.min),
    num(stat.max),
    num(stat.std),
    ci(stat.ci95),
  ];
}

/** Metric names in configuration order, then any others the summary knows. */
function metricNames(headers: EvaluationHeader[], summaries: Summary[]): string[] {
  const names = headers.flatMap((h) => h.metrics.map((m) => m.name));
  for (const s of summaries) names.push(...Object.keys(s.metrics));
  return [...new Set(names)];
}

function histogramData(series: (Series & { bins: number[] })[]): TableBlock {
  const count = Math.max(0, ...series.map((s) => s.bins.length));
  const rows = Array.from({ length: count }, (_, bin) => [
    `${num(bin / count, 1)}–${num((bin + 1) / count, 1)}`,
    ...series.map((s) => int(s.bins[bin] ?? 0)),
  ]);
  return table(
    'Cases per score bin',
    ['Score', ...series.map((s) => (series.length > 1 ? s.label : 'Cases'))],
    rows,
  );
}

function caseView(c: ReportCase, showRepeat: boolean): CaseView {
  return {
    title: caseTitle(c, showRepeat),
    status: c.status,
    passed: passedText(c.passed),
    score: num(c.score),
    latency: ms(c.latency_ms),
    cost: usd(c.cost),
    inputs: Object.keys(c.inputs).length === 0 ? NONE : (jsonText(c.inputs, 2) ?? NONE),
    output: c.output ?? NONE,
    expected: displayValue(c.expected),
    error: c.error,
  };
}

function evaluationView(report: EvaluationReport): ReportView {
  const e = report.evaluation;
  const s = report.summary;
  const names = metricNames([e], [s]);
  const weights = new Map(e.metrics.map((m) => [m.name, m.weight]));
  const single: Series = { label: `#${e.id}`, color: COLORS.single };
  const histogramSeries = [{ ...single, bins: s.histogram.bins }];
  const barRows = names.map((name) => ({
    metric: name,
    values: [{ mean: s.metrics[name]?.mean ?? null, ci95: s.metrics[name]?.ci95 ?? null }],
  }));
  const worst = report.worst_cases.map((c) => caseView(c, e.repeats > 1));

  return {
    title: `Evaluation #${e.id}: ${promptText(e)}`,
    subtitle: [
      `Project ${e.project.name}`,
      `Model ${modelText(e)}`,
      `Status ${e.status}`,
      `Mean score ${num(s.score.mean)}`,
      `Pass rate ${pct(s.pass_rate)}`,
    ],
    generatedAt: timestamp(report.generated_at),
    sections: [
      {
        id: 'configuration',
        heading: 'Configuration',
        blocks: [
          table('Run configuration', ['Setting', 'Value'], configurationRows([e]), [
            'left',
            'left',
          ]),
        ],
      },
      {
        id: 'summary',
        heading: 'Summary',
        blocks: [
          table('Summary statistics', ['Statistic', 'Value'], summaryRows([s])),
          {
            kind: 'chart',
            chart: histogramChart('score-histogram', histogramSeries),
            data: histogramData(histogramSeries),
          },
        ],
      },
      {
        id: 'metrics',
        heading: 'Metrics',
        blocks: [
          table(
            'Statistics per metric',
            ['Metric', 'Weight', ...STAT_HEADERS],
            names.map((name) => [
              name,
              weights.has(name) ? num(weights.get(name), 2) : NONE,
              ...statCells(s.metrics[name]),
            ]),
          ),
          {
            kind: 'chart',
            chart: metricBarChart('metric-means', [single], barRows),
            data: table(
              'Mean per metric',
              ['Metric', 'Mean', '95% CI'],
              names.map((name) => [name, num(s.metrics[name]?.mean), ci(s.metrics[name]?.ci95)]),
            ),
          },
        ],
      },
      {
        id: 'worst-cases',
        heading: 'Worst cases',
        blocks:
          worst.length === 0
            ? [{ kind: 'text', text: 'No failed or low-scoring cases.' }]
            : [
                {
                  kind: 'cases',
                  caption: `The ${worst.length} lowest-scoring and failed cases`,
                  cases: worst,
                },
              ],
      },
    ],
  };
}

function comparisonView(report: ComparisonReport): ReportView {
  const { a, b, comparison: c } = report;
  const labelA = `A (#${a.evaluation.id})`;
  const labelB = `B (#${b.evaluation.id})`;
  const series: Series[] = [
    { label: labelA, color: COLORS.a },
    { label: labelB, color: COLORS.b },
  ];
  const headers = ['Statistic', labelA, labelB];
  const names = metricNames([a.evaluation, b.evaluation], [a.summary, b.summary]).filter(
    (n) => n in c.metrics || n in a.summary.metrics || n in b.summary.metrics,
  );
  const histogramSeries = [
    { ...series[0], bins: a.summary.histogram.bins },
    { ...series[1], bins: b.summary.histogram.bins },
  ];
  const top = c.cases.slice(0, TOP_DIFFERENCES);
  const pairs = c.cases
    .filter(
      (p): p is typeof p & { a: number; b: number } =>
        typeof p.a === 'number' && typeof p.b === 'number',
    )
    .map((p) => ({ key: p.key, a: p.a, b: p.b }));

  return {
    title: `Comparison: evaluation #${a.evaluation.id} vs #${b.evaluation.id}`,
    subtitle: [
      `A: ${promptText(a.evaluation)} on ${modelText(a.evaluation)}`,
      `B: ${promptText(b.evaluation)} on ${modelText(b.evaluation)}`,
      `Verdict: ${c.verdict.text}`,
    ],
    generatedAt: timestamp(report.generated_at),
    sections: [
      {
        id: 'result',
        heading: 'Result',
        blocks: [
          { kind: 'text', text: c.verdict.text, strong: true },
          table(
            'Paired comparison over shared cases',
            ['Statistic', 'Value'],
            [
              ['Shared cases', int(c.shared)],
              [`Mean ${labelA}`, num(c.mean_a)],
              [`Mean ${labelB}`, num(c.mean_b)],
              ['Delta (B − A)', signed(c.delta)],
              ['95% CI of delta', signedCi(c.ci95)],
              ['B better / ties / A better', `${int(c.wins)} / ${int(c.ties)} / ${int(c.losses)}`],
              ['McNemar b (A pass, B fail)', int(c.mcnemar.b)],
              ['McNemar c (A fail, B pass)', int(c.mcnemar.c)],
              [
                'McNemar statistic',
                c.mcnemar.method === 'exact'
                  ? `${int(c.mcnemar.statistic)} (exact binomial test)`
                  : `${num(c.mcnemar.statistic)} (chi-square, continuity corrected)`,
              ],
              ['McNemar p-value', pValue(c.mcnemar.p_value)],
              ['Significant', c.verdict.significant ? 'yes' : 'no'],
              [
                'Better run',
                c.verdict.better === 'a' ? labelA : c.verdict.better === 'b' ? labelB : NONE,
              ],
            ],
          ),
        ],
      },
      {
        id: 'configuration',
        heading: 'Configuration',
        blocks: [
          table(
            'Run configurations',
            ['Setting', labelA, labelB],
            configurationRows([a.evaluation, b.evaluation]),
            ['left', 'left', 'left'],
          ),
        ],
      },
      {
        id: 'summary',
        heading: 'Summary',
        blocks: [
          table('Summary statistics', headers, summaryRows([a.summary, b.summary])),
          {
            kind: 'chart',
            chart: histogramChart('score-histogram', histogramSeries),
            data: histogramData(histogramSeries),
          },
        ],
      },
      {
        id: 'metrics',
        heading: 'Metrics',
        blocks: [
          table(
            'Mean per metric over shared cases',
            ['Metric', labelA, labelB, 'Delta (B − A)'],
            names.map((name) => {
              const m = c.metrics[name];
              return [name, num(m?.mean_a), num(m?.mean_b), signed(m?.delta)];
            }),
          ),
          {
            kind: 'chart',
            chart: metricBarChart(
              'metric-means',
              series,
              names.map((name) => ({
                metric: name,
                values: [a.summary, b.summary].map((s) => ({
                  mean: s.metrics[name]?.mean ?? null,
                  ci95: s.metrics[name]?.ci95 ?? null,
                })),
              })),
              'Mean per metric (each run)',
            ),
            data: table(
              'Mean per metric (each run, all its cases)',
              [
                'Metric',
                `${labelA} mean`,
                `${labelA} 95% CI`,
                `${labelB} mean`,
                `${labelB} 95% CI`,
              ],
              names.map((name) => [
                name,
                num(a.summary.metrics[name]?.mean),
                ci(a.summary.metrics[name]?.ci95),
                num(b.summary.metrics[name]?.mean),
                ci(b.summary.metrics[name]?.ci95),
              ]),
            ),
          },
        ],
      },
      {
        id: 'cases',
        heading: 'Per-case differences',
        blocks: [
          {
            kind: 'chart',
            chart: scatterChart('case-scatter', pairs, { a: labelA, b: labelB }),
            data: table(
              'Paired cases by score',
              ['Pairs', 'Count'],
              [
                ['B higher', int(pairs.filter((p) => p.b > p.a).length)],
                ['A higher', int(pairs.filter((p) => p.b < p.a).length)],
                ['Equal', int(pairs.filter((p) => p.b === p.a).length)],
              ],
            ),
          },
          top.length === 0
            ? { kind: 'text', text: 'No shared cases.' }
            : table(
                `The ${top.length} largest per-case differences`,
                ['Case', labelA, labelB, 'Delta (B − A)'],
                top.map((p) => [p.key, num(p.a), num(p.b), signed(p.delta)]),
              ),
        ],
      },
    ],
  };
}
