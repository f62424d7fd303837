import { renderHtml } from './render-html';
import { escapeHtml } from './svg';
import { comparisonReport, evaluationReport, INJECTED_SCRIPT } from './test-fixtures';

function svgs(html: string): string[] {
  return html.match(/<svg[\s\S]*?<\/svg>/g) ?? [];
}

function expectSelfContained(html: string): void {
  // No scripts, event handlers, external fetches or embedded objects.
  // Escaped content has no raw angle brackets, so these are exactly the document's real tags.
  const tags = (html.match(/<[^>]*>/g) ?? []).join('\n');
  expect(tags).not.toMatch(/<script/i);
  expect(tags).not.toMatch(/<(link|img|iframe|object|embed|audio|video|source|base|form)\b/i);
  expect(tags).not.toMatch(/\son[a-z]+\s*=/i);
  expect(tags).not.toMatch(/\s(src|href|action|srcset)\s*=/i);
  expect(html).not.toMatch(/url\(|@import/i);
  const urls = html.match(/https?:\/\/[^\s"'<>]+/g) ?? [];
  expect(new Set(urls)).toEqual(new Set(['http://www.w3.org/2000/svg']));
}

describe('renderHtml (evaluation)', () => {
  const html = renderHtml(evaluationReport());

  it('is a complete, self-contained document', () => {
    expect(html.startsWith('<!DOCTYPE html>\n<html lang="en">')).toBe(true);
    expect(html.trimEnd().endsWith('</html>')).toBe(true);
    expect(html).toContain('<meta charset="utf-8">');
    expect(html).toContain('Content-Security-Policy" content="default-src \'none\'');
    expect(html).toContain('<title>Evaluation #42: Refund &lt;b&gt;answers&lt;/b&gt; v4</title>');
    expectSelfContained(html);
  });

  it('escapes every piece of user content', () => {
    expect(html).toContain(escapeHtml(INJECTED_SCRIPT));
    expect(html).toContain('&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;');
    expect(html).toContain('Support &lt;Bot&gt; &amp; &quot;Friends&quot;');
    expect(html).toContain('&lt;img src=x onerror=\\&quot;alert(1)\\&quot;&gt;');
    expect(html).toContain('&lt;b&gt;bold&lt;/b&gt;');
    expect(html).not.toContain('<b>');
    expect(html).toContain('Café ☕ naïve façade — “quoted” → 日本語 😀');
  });

  it('has two accessible SVG charts: score histogram and metric means', () => {
    const charts = svgs(html);
    expect(charts).toHaveLength(2);
    for (const svg of charts) {
      expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"[^>]* role="img"/);
      expect(svg).toMatch(/<title id="[^"]+">[^<]+<\/title>/);
      expect(svg).toMatch(/<desc id="[^"]+">[^<]+<\/desc>/);
    }
    expect(charts[0]).toContain('id="score-histogram"');
    // 10 bins → 10 bars with a tooltip each.
    expect(charts[0].match(/<rect [^>]*><title>/g)).toHaveLength(10);
    expect(charts[0]).toContain('36 cases with score in [0.9, 1.0]');
    expect(charts[1]).toContain('id="metric-means"');
    expect(charts[1]).toContain('similarity: mean 0.850, 95% CI 0.811 to 0.890');
  });

  it('has table headers and the summary numbers', () => {
    expect(html).toContain('<th scope="col">Statistic</th>');
    expect(html).toContain('<th scope="row">Mean score</th><td class="num">0.734</td>');
    expect(html).toContain('<th scope="row">Pass rate (ok cases)</th><td class="num">72.7%</td>');
    expect(html).toContain('<th scope="row">Latency p95</th><td class="num">2.3 s</td>');
  });
});

describe('renderHtml (comparison)', () => {
  const report = comparisonReport();
  const html = renderHtml(report);

  it('has three charts, the last a per-case scatter with a diagonal', () => {
    const charts = svgs(html);
    expect(charts).toHaveLength(3);
    const scatter = charts[2];
    expect(scatter).toContain('id="case-scatter"');
    expect(scatter.match(/<circle /g)).toHaveLength(report.comparison.cases.length);
    expect(scatter).toMatch(/<line [^>]*stroke-dasharray="4 4"/);
    // Histogram: two series of 10 bars.
    expect(charts[0].match(/<rect [^>]*><title>/g)).toHaveLength(20);
    expectSelfContained(html);
  });

  it('shows the verdict, delta and McNemar test, escaped', () => {
    expect(html).toContain(
      '<p class="verdict">B is better: +0.057 (95% CI +0.012 to +0.103) &lt;i&gt;</p>',
    );
    expect(html).toContain(
      '<th scope="row">95% CI of delta</th><td class="num">[+0.012, +0.103]</td>',
    );
    expect(html).toContain('<th scope="row">McNemar p-value</th><td class="num">0.078</td>');
  });
});

describe('escapeHtml', () => {
  it('escapes markup and drops characters XML forbids', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
    expect(escapeHtml('a\u0000b\u0007c\ud800d😀')).toBe('a\ufffdb\ufffdc\ufffdd😀');
  });
});
