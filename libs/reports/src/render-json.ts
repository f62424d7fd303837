import type { Report } from './report-model';

/** The report as pretty-printed JSON (2-space indent, trailing newline). */
export function renderJson(report: Report): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
