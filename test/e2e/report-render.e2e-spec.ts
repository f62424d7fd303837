/**
 * The HTML reports in a real browser: headless Chromium renders them offline (screenshot), and the
 * DOM it builds holds the charts and title while no injected script ever runs. Needs Chromium
 * (apt-get install -y chromium, or CHROMIUM_PATH): without it these tests fail, they never skip.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { renderHtml } from '../../libs/reports/src';
import {
  comparisonReport,
  evaluationReport,
  INJECTED_SCRIPT,
} from '../../libs/reports/src/test-fixtures';
import { dumpDom, findChromium, MIN_SCREENSHOT_BYTES, screenshotHtml } from '../support/chromium';

jest.setTimeout(120_000);

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function titleOf(dom: string): string | undefined {
  return /<title>([^<]*)<\/title>/.exec(dom)?.[1];
}

function svgCount(dom: string): number {
  return (dom.match(/<svg\b/g) ?? []).length;
}

describe('HTML reports in headless Chromium', () => {
  let outDir: string;

  beforeAll(() => {
    findChromium(); // throws a clear error when Chromium is missing
    outDir = mkdtempSync(join(tmpdir(), 'report-screens-'));
  });

  afterAll(() => {
    if (outDir) rmSync(outDir, { recursive: true, force: true });
  });

  it('finds Chromium, and explains when it cannot', () => {
    expect(findChromium()).toMatch(/chrom/i);
    const saved = process.env.CHROMIUM_PATH;
    process.env.CHROMIUM_PATH = '/nonexistent/chromium';
    try {
      expect(() => findChromium()).toThrow(/CHROMIUM_PATH=\/nonexistent\/chromium/);
    } finally {
      if (saved === undefined) delete process.env.CHROMIUM_PATH;
      else process.env.CHROMIUM_PATH = saved;
    }
  });

  it.each([
    ['evaluation', () => renderHtml(evaluationReport())],
    ['comparison', () => renderHtml(comparisonReport())],
  ])('screenshots the %s report', async (name, render) => {
    const png = join(outDir, `${name}.png`);
    await screenshotHtml(render(), png);
    const bytes = readFileSync(png);
    expect(bytes.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    expect(bytes.length).toBeGreaterThan(MIN_SCREENSHOT_BYTES);
    // IHDR: the viewport size we asked for.
    expect(bytes.readUInt32BE(16)).toBe(1200);
    expect(bytes.readUInt32BE(20)).toBe(2000);
  });

  it('builds the evaluation DOM with its title and 2 charts, and runs no injected script', async () => {
    const dom = await dumpDom(renderHtml(evaluationReport()));
    expect(titleOf(dom)).toBe('Evaluation #42: Refund &lt;b&gt;answers&lt;/b&gt; v4');
    expect(dom).not.toContain('pwned</title>');
    expect(svgCount(dom)).toBe(2);
    expect(dom).toContain('id="score-histogram"');
    expect(dom).toContain('id="metric-means"');
    expect(dom).not.toMatch(/<script/i);
    expect(dom).not.toMatch(/<b>/);
    // The injected markup is there, as text.
    expect(dom).toContain("&lt;script&gt;document.title='pwned'&lt;/script&gt;");
  });

  it('builds the comparison DOM with 3 charts including the scatter', async () => {
    const dom = await dumpDom(renderHtml(comparisonReport()));
    expect(titleOf(dom)).toBe('Comparison: evaluation #42 vs #43');
    expect(svgCount(dom)).toBe(3);
    expect(dom).toContain('id="case-scatter"');
    expect(dom).not.toMatch(/<script/i);
  });

  it('would notice a script that ran (control), and the CSP blocks one even if escaping failed', async () => {
    // Control: without our document, the same markup does run, so the checks above can fail.
    const control = await dumpDom(
      `<!DOCTYPE html><html><head><title>control</title></head><body>${INJECTED_SCRIPT}</body></html>`,
    );
    expect(titleOf(control)).toBe('pwned');

    // Defence in depth: splice the raw script into a rendered report; its CSP still forbids it.
    const html = renderHtml(evaluationReport()).replace('<main>', `<main>${INJECTED_SCRIPT}`);
    const dom = await dumpDom(html);
    expect(dom).toContain(INJECTED_SCRIPT);
    expect(titleOf(dom)).toBe('Evaluation #42: Refund &lt;b&gt;answers&lt;/b&gt; v4');
  });
});
