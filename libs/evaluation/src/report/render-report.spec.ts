import { isReportFormat, renderReport, reportFilename, type DocumentFormat } from './render-report';
import { comparisonReport, evaluationReport } from './test-fixtures';

describe('renderReport', () => {
  it.each<[DocumentFormat, string, string]>([
    ['json', 'application/json; charset=utf-8', 'evaluation-42-report.json'],
    ['md', 'text/markdown; charset=utf-8', 'evaluation-42-report.md'],
    ['html', 'text/html; charset=utf-8', 'evaluation-42-report.html'],
    ['pdf', 'application/pdf', 'evaluation-42-report.pdf'],
  ])('renders %s', async (format, contentType, filename) => {
    const out = await renderReport(evaluationReport(), format);
    expect(out.contentType).toBe(contentType);
    expect(out.filename).toBe(filename);
    if (format === 'pdf') expect(Buffer.isBuffer(out.body)).toBe(true);
    else expect(typeof out.body).toBe('string');
  });

  it('renders JSON that parses back to the report', async () => {
    const report = comparisonReport();
    const out = await renderReport(report, 'json');
    expect(JSON.parse(out.body as string)).toEqual(report);
    expect(out.filename).toBe('comparison-42-vs-43.json');
  });

  it('refuses CSV, which is streamed separately', async () => {
    await expect(renderReport(evaluationReport(), 'csv' as DocumentFormat)).rejects.toThrow(
      /renderCsv/,
    );
  });

  it('knows its formats', () => {
    expect(['json', 'csv', 'md', 'html', 'pdf'].every(isReportFormat)).toBe(true);
    expect(isReportFormat('docx')).toBe(false);
    expect(reportFilename(comparisonReport(), 'csv')).toBe('comparison-42-vs-43.csv');
  });
});
