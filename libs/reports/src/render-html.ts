/**
 * A self-contained HTML document: inline CSS and inline SVG charts, no scripts and no external
 * resources (a Content-Security-Policy forbids them too), so it opens offline and a model output
 * containing markup is shown as text, never run.
 */
import { truncate } from './format';
import type { Report } from './report-model';
import {
  buildView,
  type Block,
  type CaseView,
  type CasesBlock,
  type TableBlock,
} from './report-view';
import { escapeHtml, renderSvg } from './svg';

/** Longest output, expected value or input shown per case. */
export const HTML_TEXT_LIMIT = 2000;

const CSS = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { font: 14px/1.45 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #222; margin: 0; background: #fff; }
main { max-width: 1100px; margin: 0 auto; padding: 24px 32px 48px; }
h1 { font-size: 24px; margin: 0 0 6px; overflow-wrap: anywhere; }
h2 { font-size: 19px; margin: 32px 0 12px; padding-bottom: 4px; border-bottom: 1px solid #ddd; }
h3 { font-size: 15px; margin: 0 0 6px; overflow-wrap: anywhere; }
.subtitle { margin: 0; padding: 0; list-style: none; color: #555; }
.subtitle li { display: inline; }
.subtitle li + li::before { content: " · "; }
.generated { color: #777; font-size: 12px; margin-top: 4px; }
.verdict { font-size: 16px; font-weight: 600; padding: 10px 14px; background: #f3f6fb; border-left: 4px solid #3b6fb6; }
table { border-collapse: collapse; margin: 8px 0 16px; }
caption { text-align: left; font-weight: 600; padding: 4px 0; color: #444; }
th, td { border: 1px solid #ddd; padding: 4px 8px; vertical-align: top; }
th { background: #f5f5f5; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.text { overflow-wrap: anywhere; max-width: 640px; }
figure { margin: 8px 0 20px; }
figcaption { font-weight: 600; color: #444; margin-bottom: 4px; }
svg.chart { max-width: 100%; height: auto; display: block; border: 1px solid #eee; background: #fff; }
details { margin: 4px 0 8px; }
summary { cursor: pointer; color: #555; }
.case { border: 1px solid #ddd; border-radius: 6px; padding: 10px 14px; margin: 12px 0; }
.case .facts { color: #555; margin: 0 0 8px; }
.pair { display: grid; grid-template-columns: 1fr 1fr; gap: 12px; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; background: #f7f7f7; border: 1px solid #eee; padding: 8px; margin: 4px 0 0; font: 12px/1.4 ui-monospace, Menlo, Consolas, monospace; max-height: 360px; overflow: auto; }
.error pre { background: #fdf1f1; border-color: #f3d0d0; }
.label { font-weight: 600; font-size: 12px; color: #555; }
@media print { main { max-width: none; padding: 0; } .case, figure, table { break-inside: avoid; } }
`;

function tableHtml(block: TableBlock): string {
  const head = block.headers.map((h) => `<th scope="col">${escapeHtml(h)}</th>`).join('');
  const body = block.rows
    .map((row) => {
      const cells = row.map((cell, index) => {
        if (index === 0) return `<th scope="row">${escapeHtml(cell)}</th>`;
        const cls = block.align[index] === 'right' ? 'num' : 'text';
        return `<td class="${cls}">${escapeHtml(cell)}</td>`;
      });
      return `<tr>${cells.join('')}</tr>`;
    })
    .join('\n');
  return `<table>\n<caption>${escapeHtml(block.caption)}</caption>\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}

function textBlockHtml(label: string, text: string, extraClass = ''): string {
  return `<div class="${extraClass}"><div class="label">${escapeHtml(label)}</div><pre>${escapeHtml(truncate(text, HTML_TEXT_LIMIT))}</pre></div>`;
}

function caseHtml(c: CaseView): string {
  const facts = [
    `status ${c.status}`,
    c.passed,
    `score ${c.score}`,
    `latency ${c.latency}`,
    `cost ${c.cost}`,
  ];
  return [
    '<article class="case">',
    `<h3>${escapeHtml(c.title)}</h3>`,
    `<p class="facts">${facts.map(escapeHtml).join(' · ')}</p>`,
    `<div class="pair">${textBlockHtml('Output', c.output)}${textBlockHtml('Expected', c.expected)}</div>`,
    c.error ? textBlockHtml('Error', c.error, 'error') : '',
    `<details><summary>Inputs</summary><pre>${escapeHtml(truncate(c.inputs, HTML_TEXT_LIMIT))}</pre></details>`,
    '</article>',
  ].join('\n');
}

function casesHtml(block: CasesBlock): string {
  return `<p>${escapeHtml(block.caption)}</p>\n${block.cases.map(caseHtml).join('\n')}`;
}

function blockHtml(block: Block): string {
  switch (block.kind) {
    case 'table':
      return tableHtml(block);
    case 'text':
      return block.strong
        ? `<p class="verdict">${escapeHtml(block.text)}</p>`
        : `<p>${escapeHtml(block.text)}</p>`;
    case 'chart':
      return [
        '<figure>',
        `<figcaption>${escapeHtml(block.chart.title)}</figcaption>`,
        renderSvg(block.chart),
        `<details><summary>Chart data</summary>\n${tableHtml(block.data)}\n</details>`,
        '</figure>',
      ].join('\n');
    case 'cases':
      return casesHtml(block);
  }
}

export function renderHtml(report: Report): string {
  const view = buildView(report);
  const sections = view.sections.map((section) =>
    [
      `<section id="${section.id}" aria-labelledby="${section.id}-heading">`,
      `<h2 id="${section.id}-heading">${escapeHtml(section.heading)}</h2>`,
      ...section.blocks.map(blockHtml),
      '</section>',
    ].join('\n'),
  );
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="color-scheme" content="light">',
    `<title>${escapeHtml(view.title)}</title>`,
    `<style>${CSS}</style>`,
    '</head>',
    '<body>',
    '<main>',
    '<header>',
    `<h1>${escapeHtml(view.title)}</h1>`,
    `<ul class="subtitle">${view.subtitle.map((s) => `<li>${escapeHtml(s)}</li>`).join('')}</ul>`,
    `<p class="generated">Generated ${escapeHtml(view.generatedAt)}</p>`,
    '</header>',
    ...sections,
    '</main>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
