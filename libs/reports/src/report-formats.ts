/**
 * The report formats, listed once: the API's format enum, the OpenAPI document, the report job's
 * payload and the renderer map all read this list. Kept free of imports so any lib can load it.
 */
export const REPORT_FORMATS = ['json', 'csv', 'md', 'html', 'pdf'] as const;

export type ReportFormat = (typeof REPORT_FORMATS)[number];

export function isReportFormat(value: unknown): value is ReportFormat {
  return typeof value === 'string' && (REPORT_FORMATS as readonly string[]).includes(value);
}
