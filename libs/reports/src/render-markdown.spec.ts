import { escapeMarkdown, renderMarkdown } from './render-markdown';
import { comparisonReport, evaluationReport } from './test-fixtures';

/** Splits a Markdown table row into cells, honouring backslash-escaped pipes. */
function cells(row: string): string[] {
  return row
    .trim()
    .replace(/^\||\|$/g, '')
    .split(/(?<!\\)\|/)
    .map((c) => c.trim());
}

describe('renderMarkdown (evaluation)', () => {
  const md = renderMarkdown(evaluationReport());

  it('has the title, sections and configuration', () => {
    expect(md.startsWith('# Evaluation #42: Refund &lt;b&gt;answers&lt;/b&gt; v4\n')).toBe(true);
    for (const heading of ['Configuration', 'Summary', 'Metrics', 'Worst cases']) {
      expect(md).toContain(`\n## ${heading}\n`);
    }
    expect(md).toContain('| Model | openai / gpt-4o-mini |');
    expect(md).toContain('| Pass threshold | 0.700 |');
    expect(md).toContain('exact\\_match (weight 1.00), similarity (weight 2.00)');
  });

  it('contains the summary numbers', () => {
    expect(md).toContain('| Mean score | 0.734 |');
    expect(md).toContain('| Median score | 0.810 |');
    expect(md).toContain('| Std deviation | 0.211 |');
    expect(md).toContain('| 95% CI of mean | [0.695, 0.774] |');
    expect(md).toContain('| Pass rate (ok cases) | 72.7% |');
    expect(md).toContain('| infra\\_error | 4 |');
    expect(md).toContain('| Total tokens | 57,244 |');
    expect(md).toContain('| Cost | $1.2345 |');
    expect(md).toContain('| Latency p50 | 840 ms |');
    expect(md).toContain('| Latency p95 | 2.3 s |');
  });

  it('has a per-metric statistics table and the score histogram', () => {
    const row = md.split('\n').find((line) => line.startsWith('| similarity |'));
    expect(row && cells(row)).toEqual([
      'similarity',
      '2.00',
      '110',
      '0.850',
      '0.900',
      '0.000',
      '1.000',
      '0.211',
      '[0.811, 0.890]',
    ]);
    expect(md).toContain('| 0.9–1.0 | 36 | ████████████████████ |');
  });

  it('lists worst cases with escaped, one-line cells', () => {
    const table = md.split('\n').filter((l) => l.startsWith('| #'));
    expect(table).toHaveLength(5);
    for (const row of table) expect(cells(row)).toHaveLength(7);
    expect(md).toContain("&lt;script&gt;document.title='pwned'&lt;/script&gt;");
    expect(md).not.toMatch(/<script/i);
    expect(md).toContain('Hello, "world" ⏎ second line, with comma ⏎ third');
    expect(md).toContain('\\| a \\| b \\|');
    expect(md).toContain('\\*stars\\* \\_under\\_ [link\\](x)');
    expect(md).toContain('Café ☕ naïve façade');
    expect(md).toContain('{"answer":"Yes, within 30 days"}');
    expect(md).toContain('Timed out after 30000 ms');
  });

  it('truncates long outputs', () => {
    const report = evaluationReport();
    report.worst_cases = [{ ...report.worst_cases[0], output: 'x'.repeat(5000) }];
    const out = renderMarkdown(report);
    expect(out).toContain(`${'x'.repeat(240)}… (+4760 chars)`);
    expect(out).not.toContain('x'.repeat(241));
  });
});

describe('renderMarkdown (comparison)', () => {
  const md = renderMarkdown(comparisonReport());

  it('has means, delta with CI, win/tie/loss, McNemar, per-metric deltas and the verdict', () => {
    expect(md.startsWith('# Comparison: evaluation #42 vs #43\n')).toBe(true);
    expect(md).toContain('**B is better: +0.057 (95% CI +0.012 to +0.103) &lt;i&gt;**');
    expect(md).toContain('| Mean A (#42) | 0.734 |');
    expect(md).toContain('| Mean B (#43) | 0.792 |');
    expect(md).toContain('| Delta (B − A) | +0.057 |');
    expect(md).toContain('| 95% CI of delta | [+0.012, +0.103] |');
    expect(md).toContain('| B better / ties / A better | 41 / 50 / 19 |');
    expect(md).toContain('| McNemar statistic | 6 (exact binomial test) |');
    expect(md).toContain('| McNemar p-value | 0.078 |');
    expect(md).toContain('| exact\\_match | 0.618 | 0.673 | +0.055 |');
    expect(md).toContain('| Cost | $1.2345 | $1.2345 |');
    expect(md).toContain('| Pass rate (ok cases) | 72.7% | 80.0% |');
  });

  it('lists the largest per-case differences, largest first', () => {
    const report = comparisonReport();
    const first = report.comparison.cases[0];
    const rows = md.split('\n').filter((l) => /^\| \d+#0 \|/.test(l));
    expect(rows).toHaveLength(20);
    expect(cells(rows[0])[0]).toBe(first.key);
  });
});

describe('escapeMarkdown', () => {
  it('neutralises HTML, table pipes, emphasis and line breaks', () => {
    expect(escapeMarkdown('<a href="x">|*_`~[]\\</a>\nnext')).toBe(
      '&lt;a href="x"&gt;\\|\\*\\_\\`\\~[]\\\\&lt;/a&gt; ⏎ next',
    );
    expect(escapeMarkdown('[a](javascript:x) ![i](y) [r][1] [0.1, 0.2]')).toBe(
      '[a\\](javascript:x) ![i\\](y) [r\\][1] [0.1, 0.2]',
    );
    expect(escapeMarkdown('&amp;')).toBe('&amp;amp;');
    expect(escapeMarkdown('0.734 -1.5')).toBe('0.734 -1.5');
  });
});
