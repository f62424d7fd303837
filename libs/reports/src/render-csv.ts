/**
 * CSV per RFC 4180: comma separated, CRLF line ends, a header record, fields quoted when they hold
 * a comma, a quote, CR or LF (quotes doubled). Rows are rendered one at a time as they arrive, so
 * an export of any size runs in constant memory.
 */
import { jsonText } from './format';
import type { ComparisonReport, ReportCase } from './report-model';

export const CSV_CONTENT_TYPE = 'text/csv; charset=utf-8';

const LINE_END = '\r\n';

/** One field, quoted only when RFC 4180 requires it. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** One record, with its CRLF line end. */
export function csvLine(fields: string[]): string {
  return fields.map(csvField).join(',') + LINE_END;
}

function numberField(value: number | null | undefined): string {
  return typeof value === 'number' && Number.isFinite(value) ? String(value) : '';
}

/** Fixed columns of the case export; metric columns go between `score` and `latency_ms`. */
export const CASE_COLUMNS_BEFORE_METRICS = [
  'test_case_id',
  'name',
  'repeat_index',
  'status',
  'passed',
  'score',
] as const;
export const CASE_COLUMNS_AFTER_METRICS = [
  'latency_ms',
  'cost',
  'output',
  'expected',
  'error',
  'inputs',
] as const;

const FIXED = new Set<string>([...CASE_COLUMNS_BEFORE_METRICS, ...CASE_COLUMNS_AFTER_METRICS]);

/**
 * The header of the case export. A metric named like a fixed column (say `score`) is written as
 * `metric:score` so no two columns share a name.
 */
export function caseCsvHeader(metricNames: string[]): string[] {
  return [
    ...CASE_COLUMNS_BEFORE_METRICS,
    ...metricNames.map((name) => (FIXED.has(name) ? `metric:${name}` : name)),
    ...CASE_COLUMNS_AFTER_METRICS,
  ];
}

/** The fields of one case, in header order. `expected` and `inputs` are JSON. */
export function caseCsvFields(row: ReportCase, metricNames: string[]): string[] {
  return [
    String(row.test_case_id),
    row.name ?? '',
    String(row.repeat_index),
    row.status,
    row.passed === null ? '' : String(row.passed),
    numberField(row.score),
    ...metricNames.map((name) => numberField(row.metrics[name])),
    numberField(row.latency_ms),
    numberField(row.cost),
    row.output ?? '',
    row.expected === undefined ? '' : (jsonText(row.expected) ?? ''),
    row.error ?? '',
    jsonText(row.inputs) ?? '',
  ];
}

/**
 * The cases of a run as CSV records (header first), each string one record ending in CRLF.
 * Accepts a sync or async source and pulls one row at a time.
 */
export async function* renderCsv(
  rows: AsyncIterable<ReportCase> | Iterable<ReportCase>,
  metricNames: string[],
): AsyncIterable<string> {
  yield csvLine(caseCsvHeader(metricNames));
  for await (const row of rows) yield csvLine(caseCsvFields(row, metricNames));
}

function* comparisonLines(report: ComparisonReport): Iterable<string> {
  yield csvLine(['key', 'score_a', 'score_b', 'delta']);
  for (const pair of report.comparison.cases) {
    yield csvLine([pair.key, numberField(pair.a), numberField(pair.b), numberField(pair.delta)]);
  }
}

/** A sync iterable as an async one, pulled lazily. */
function asAsync<T>(items: Iterable<T>): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator](): AsyncIterator<T> {
      const iterator = items[Symbol.iterator]();
      return { next: () => Promise.resolve(iterator.next()) };
    },
  };
}

/** The per-case pairs of a comparison, as CSV records (header first), like `renderCsv`. */
export function renderComparisonCsv(report: ComparisonReport): AsyncIterable<string> {
  return asAsync(comparisonLines(report));
}
