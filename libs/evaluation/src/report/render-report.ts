import { CSV_CONTENT_TYPE } from './render-csv';
import { renderHtml } from './render-html';
import { renderJson } from './render-json';
import { renderMarkdown } from './render-markdown';
import { renderPdf } from './render-pdf';
import type { Report, ReportFormat } from './report-model';

export interface RenderedReport {
  contentType: string;
  filename: string;
  body: string | Buffer;
}

/** Formats `renderReport` produces in one piece; CSV is streamed with `renderCsv`. */
export type DocumentFormat = Exclude<ReportFormat, 'csv'>;

export const REPORT_FORMATS: readonly ReportFormat[] = ['json', 'csv', 'md', 'html', 'pdf'];

export const CONTENT_TYPES: Record<ReportFormat, string> = {
  json: 'application/json; charset=utf-8',
  csv: CSV_CONTENT_TYPE,
  md: 'text/markdown; charset=utf-8',
  html: 'text/html; charset=utf-8',
  pdf: 'application/pdf',
};

export function isReportFormat(value: unknown): value is ReportFormat {
  return typeof value === 'string' && (REPORT_FORMATS as readonly string[]).includes(value);
}

/** "evaluation-12-report.pdf", "comparison-12-vs-15.md" (ASCII only, safe in headers). */
export function reportFilename(report: Report, format: ReportFormat): string {
  const base =
    report.kind === 'evaluation'
      ? `evaluation-${report.evaluation.id}-report`
      : `comparison-${report.a.evaluation.id}-vs-${report.b.evaluation.id}`;
  return `${base}.${format}`;
}

export async function renderReport(
  report: Report,
  format: DocumentFormat,
): Promise<RenderedReport> {
  const meta = { contentType: CONTENT_TYPES[format], filename: reportFilename(report, format) };
  switch (format) {
    case 'json':
      return { ...meta, body: renderJson(report) };
    case 'md':
      return { ...meta, body: renderMarkdown(report) };
    case 'html':
      return { ...meta, body: renderHtml(report) };
    case 'pdf':
      return { ...meta, body: await renderPdf(report) };
    default:
      throw new Error(
        `renderReport cannot produce "${String(format)}": stream CSV with renderCsv or renderComparisonCsv.`,
      );
  }
}
