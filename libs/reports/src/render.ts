import { CSV_CONTENT_TYPE, renderComparisonCsv, renderCsv } from './render-csv';
import { renderHtml } from './render-html';
import { renderJson } from './render-json';
import { renderMarkdown } from './render-markdown';
import { renderPdf } from './render-pdf';
import { REPORT_FORMATS, type ReportFormat } from './report-formats';
import type { Report, ReportCase } from './report-model';

/** Every case of a run, for the CSV export: the report itself holds only the worst ones. */
export interface CaseTable {
  /** Per-case metric columns, as results name them. */
  metricNames: string[];
  rows: AsyncIterable<ReportCase> | Iterable<ReportCase>;
}

type Chunk = string | Buffer;

export interface RenderedReport {
  format: ReportFormat;
  contentType: string;
  filename: string;
  /** Shown in place (JSON) rather than offered as a file to save. */
  inline: boolean;
  /** The document in chunks: CSV comes row by row (any size, constant memory), the rest whole. */
  body: AsyncIterable<Chunk>;
}

interface Renderer {
  contentType: string;
  inline: boolean;
  render(
    report: Report,
    cases: CaseTable | undefined,
  ): Chunk | Promise<Chunk> | AsyncIterable<Chunk>;
}

function csv(report: Report, cases: CaseTable | undefined): AsyncIterable<string> {
  if (report.kind === 'comparison') return renderComparisonCsv(report);
  if (!cases) throw new Error('The CSV of an evaluation needs its cases (a CaseTable).');
  return renderCsv(cases.rows, cases.metricNames);
}

/** The one place a format picks its renderer; every caller goes through `render`. */
const RENDERERS: { readonly [F in ReportFormat]: Renderer } = {
  json: { contentType: 'application/json; charset=utf-8', inline: true, render: renderJson },
  csv: { contentType: CSV_CONTENT_TYPE, inline: false, render: csv },
  md: { contentType: 'text/markdown; charset=utf-8', inline: false, render: renderMarkdown },
  html: { contentType: 'text/html; charset=utf-8', inline: false, render: renderHtml },
  pdf: { contentType: 'application/pdf', inline: false, render: renderPdf },
};

export const CONTENT_TYPES: Readonly<Record<ReportFormat, string>> = Object.fromEntries(
  REPORT_FORMATS.map((f) => [f, RENDERERS[f].contentType]),
) as Record<ReportFormat, string>;

/** Media types of the formats without parameters, in format order (OpenAPI `produces`). */
export const REPORT_MEDIA_TYPES: readonly string[] = [
  ...new Set(REPORT_FORMATS.map((f) => RENDERERS[f].contentType.split(';')[0].trim())),
];

/** "evaluation-12-report.pdf", "comparison-12-vs-15.md" (ASCII only, safe in headers). */
export function reportFilename(report: Report, format: ReportFormat): string {
  const base =
    report.kind === 'evaluation'
      ? `evaluation-${report.evaluation.id}-report`
      : `comparison-${report.a.evaluation.id}-vs-${report.b.evaluation.id}`;
  return `${base}.${format}`;
}

function isChunk(value: unknown): value is Chunk {
  return typeof value === 'string' || Buffer.isBuffer(value);
}

function single(chunk: Chunk): AsyncIterable<Chunk> {
  return {
    async *[Symbol.asyncIterator]() {
      yield await Promise.resolve(chunk);
    },
  };
}

/**
 * A report in one of REPORT_FORMATS. `cases` is read only by the CSV of an evaluation (every
 * case, streamed); the other formats render the report model alone.
 */
export async function render(
  report: Report,
  format: ReportFormat,
  cases?: CaseTable,
): Promise<RenderedReport> {
  const renderer = RENDERERS[format];
  if (!renderer) throw new Error(`Unknown report format "${String(format)}".`);
  const out = renderer.render(report, cases);
  const body = isChunk(out) ? single(out) : out instanceof Promise ? single(await out) : out;
  return {
    format,
    contentType: renderer.contentType,
    filename: reportFilename(report, format),
    inline: renderer.inline,
    body,
  };
}

/**
 * The whole document in memory (for storing it). `check` runs between chunks: a cancelled job
 * stops a long CSV there.
 */
export async function readBody(rendered: RenderedReport, check?: () => void): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of rendered.body) {
    check?.();
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk);
  }
  return Buffer.concat(chunks);
}
