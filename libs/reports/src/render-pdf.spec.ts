import { inflateSync } from 'node:zlib';

import { extractText, getDocumentProxy } from 'unpdf';

import { renderPdf } from './render-pdf';
import { comparisonReport, evaluationReport } from './test-fixtures';

async function pdfText(pdf: Buffer): Promise<{ pages: number; text: string }> {
  const doc = await getDocumentProxy(new Uint8Array(pdf));
  const { totalPages, text } = await extractText(doc, { mergePages: true });
  return { pages: totalPages, text };
}

/**
 * Rectangles painted in the page content streams (inflated by hand, independent of any PDF
 * reader): the charts are vector shapes, not images.
 */
function rectangles(pdf: Buffer): number {
  const raw = pdf.toString('latin1');
  let count = 0;
  for (const match of raw.matchAll(/stream\r?\n/g)) {
    const start = (match.index ?? 0) + match[0].length;
    const end = raw.indexOf('endstream', start);
    let content: string;
    try {
      content = inflateSync(pdf.subarray(start, end)).toString('latin1');
    } catch {
      continue; // not a Flate stream (or trailing bytes): fonts, metadata …
    }
    count += (content.match(/ re\n/g) ?? []).length;
  }
  return count;
}

describe('renderPdf', () => {
  it('renders an evaluation report that parses back to its text', async () => {
    const pdf = await renderPdf(evaluationReport());
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const { pages, text } = await pdfText(pdf);
    expect(pages).toBeGreaterThanOrEqual(2);
    expect(text).toContain('Evaluation #42: Refund <b>answers</b> v4');
    expect(text).toContain('Mean score');
    expect(text).toContain('0.734');
    expect(text).toContain('[0.695, 0.774]');
    expect(text).toContain('72.7%');
    expect(text).toContain('Score distribution');
    expect(text).toContain('comma, "quote"');
    expect(text).toContain('script injection');
    expect(text).toContain("<script>document.title='pwned'</script>");
    expect(text).toContain('Timed out after 30000 ms');
    expect(text).toMatch(/Page 1 of \d/);
    // 10 histogram bars + 2 metric bars + table row stripes.
    expect(rectangles(pdf)).toBeGreaterThan(12);
    expect(pdf.toString('latin1')).not.toMatch(/\/Subtype\s*\/Image/);
  });

  it('keeps what standard fonts can show and replaces the rest', async () => {
    const { text } = await pdfText(await renderPdf(evaluationReport()));
    expect(text).toContain('Café');
    expect(text).toContain('naïve façade — “quoted” -> ??? ? ?mega o');
    expect(text).toContain('unicode ünïcødé');
  });

  it('does not crash on hostile unicode', async () => {
    const report = evaluationReport();
    report.evaluation.prompt.name = '𝕳𝖊𝖑𝖑𝖔 \u0000\u0007 \ud800 👩‍👩‍👧 عربى';
    report.worst_cases = [
      {
        ...report.worst_cases[0],
        name: '\u202Eevil\u202C',
        output: `${'🙂'.repeat(3000)}\n${'ж'.repeat(2000)}${'x'.repeat(4000)}`,
        expected: { nested: ['\uFFFF', '\uDFFF', 'e\u0301'] },
        error: '\r\n\t\v\f',
      },
    ];
    const pdf = await renderPdf(report);
    const { text } = await pdfText(pdf);
    expect(text).toContain('Hello');
    expect(text).toContain('é');
  });

  it('renders a comparison report', async () => {
    const pdf = await renderPdf(comparisonReport());
    const { text } = await pdfText(pdf);
    expect(text).toContain('Comparison: evaluation #42 vs #43');
    expect(text).toContain('B is better: +0.057');
    expect(text).toContain('41 / 50 / 19');
    expect(text).toContain('Per-case scores');
    expect(text).toContain('Largest per-case differences'.slice(1));
  });
});
