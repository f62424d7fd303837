import { CONTENT_TYPES, readBody, render, REPORT_MEDIA_TYPES, reportFilename } from './render';
import { isReportFormat, REPORT_FORMATS, type ReportFormat } from './report-formats';
import { comparisonReport, evaluationReport, METRIC_NAMES, WORST_CASES } from './test-fixtures';

const cases = { metricNames: METRIC_NAMES, rows: WORST_CASES };

describe('render', () => {
  it.each<[ReportFormat, string, string, boolean]>([
    ['json', 'application/json; charset=utf-8', 'evaluation-42-report.json', true],
    ['csv', 'text/csv; charset=utf-8', 'evaluation-42-report.csv', false],
    ['md', 'text/markdown; charset=utf-8', 'evaluation-42-report.md', false],
    ['html', 'text/html; charset=utf-8', 'evaluation-42-report.html', false],
    ['pdf', 'application/pdf', 'evaluation-42-report.pdf', false],
  ])('renders %s', async (format, contentType, filename, inline) => {
    const out = await render(evaluationReport(), format, cases);
    expect(out).toMatchObject({ format, contentType, filename, inline });
    const body = await readBody(out);
    expect(body.length).toBeGreaterThan(100);
    if (format === 'pdf') expect(body.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  });

  it('renders JSON that parses back to the report', async () => {
    const report = comparisonReport();
    const out = await render(report, 'json');
    expect(JSON.parse((await readBody(out)).toString('utf8'))).toEqual(report);
    expect(out.filename).toBe('comparison-42-vs-43.json');
  });

  it('streams the CSV of a run from its cases, one record per chunk', async () => {
    const out = await render(evaluationReport(), 'csv', cases);
    const chunks: string[] = [];
    for await (const chunk of out.body) chunks.push(chunk as string);
    expect(chunks).toHaveLength(WORST_CASES.length + 1);
    expect(chunks[0]).toMatch(/^test_case_id,name,repeat_index,status,passed,score,exact_match,/);
  });

  it('renders the CSV of a comparison from the report alone', async () => {
    const report = comparisonReport();
    const text = (await readBody(await render(report, 'csv'))).toString('utf8');
    expect(text.split('\r\n')[0]).toBe('key,score_a,score_b,delta');
    expect(text.trimEnd().split('\r\n')).toHaveLength(report.comparison.cases.length + 1);
  });

  it('refuses the CSV of a run without its cases rather than export a partial file', async () => {
    await expect(render(evaluationReport(), 'csv')).rejects.toThrow(/CaseTable/);
  });

  it('refuses an unknown format', async () => {
    await expect(render(evaluationReport(), 'docx' as ReportFormat)).rejects.toThrow(/docx/);
  });

  it('stops reading a body when the check throws', async () => {
    const out = await render(evaluationReport(), 'csv', cases);
    let n = 0;
    await expect(
      readBody(out, () => {
        if (++n === 3) throw new Error('cancelled');
      }),
    ).rejects.toThrow('cancelled');
  });

  it('knows its formats, their content types and media types', () => {
    expect(REPORT_FORMATS).toEqual(['json', 'csv', 'md', 'html', 'pdf']);
    expect(REPORT_FORMATS.every(isReportFormat)).toBe(true);
    expect(isReportFormat('docx')).toBe(false);
    expect(Object.keys(CONTENT_TYPES)).toEqual([...REPORT_FORMATS]);
    expect(REPORT_MEDIA_TYPES).toEqual([
      'application/json',
      'text/csv',
      'text/markdown',
      'text/html',
      'application/pdf',
    ]);
    expect(reportFilename(comparisonReport(), 'csv')).toBe('comparison-42-vs-43.csv');
  });
});
