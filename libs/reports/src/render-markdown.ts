/** GitHub-flavoured Markdown: headings, pipe tables and escaped, shortened case texts. */
import { oneLine, truncate } from './format';
import type { Report } from './report-model';
import { buildView, type Block, type CasesBlock, type TableBlock } from './report-view';

/** Longest output, expected value or error shown in a worst-case table cell. */
export const MARKDOWN_CELL_LIMIT = 240;

/**
 * Makes arbitrary text safe inside Markdown, including table cells: HTML is neutralised
 * (`<script>` shows as text, entities stay literal), the punctuation that starts emphasis, code
 * or strikethrough is backslash-escaped, a `]` that would close a link (`](` or `][`) too, pipes
 * cannot split cells and line breaks cannot end a table row. Digits, dots, dashes and lone
 * brackets stay as they are, so numbers and intervals read normally.
 */
export function escapeMarkdown(text: string): string {
  return oneLine(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_|~]/g, (c) => `\\${c}`)
    .replace(/\](?=[([])/g, '\\]');
}

function tableMarkdown(block: TableBlock): string {
  const header = `| ${block.headers.map(escapeMarkdown).join(' | ')} |`;
  const rule = `| ${block.align.map((a) => (a === 'right' ? '---:' : '---')).join(' | ')} |`;
  const rows = block.rows.map((row) => `| ${row.map(escapeMarkdown).join(' | ')} |`);
  return [`*${escapeMarkdown(block.caption)}*`, '', header, rule, ...rows].join('\n');
}

/** Score bins as a table with a bar of block characters per bin. */
function histogramMarkdown(block: TableBlock): string {
  const counts = block.rows.map((row) =>
    row.slice(1).map((cell) => Number(cell.replace(/,/g, ''))),
  );
  const max = Math.max(1, ...counts.flat());
  const withBars: TableBlock = {
    ...block,
    headers: [...block.headers, ''],
    align: [...block.align, 'left'],
    rows: block.rows.map((row, i) => [
      ...row,
      counts[i].map((c) => '█'.repeat(Math.round((c / max) * 20)) || '·').join(' '),
    ]),
  };
  return tableMarkdown(withBars);
}

function casesMarkdown(block: CasesBlock): string {
  const cell = (text: string): string => escapeMarkdown(truncate(text, MARKDOWN_CELL_LIMIT));
  const rows = block.cases.map(
    (c) =>
      `| ${cell(c.title)} | ${cell(c.status)} | ${c.passed} | ${c.score} | ${cell(c.output)} | ${cell(c.expected)} | ${c.error ? cell(c.error) : ''} |`,
  );
  return [
    `*${escapeMarkdown(block.caption)}*`,
    '',
    '| Case | Status | Result | Score | Output | Expected | Error |',
    '| --- | --- | --- | ---: | --- | --- | --- |',
    ...rows,
  ].join('\n');
}

function blockMarkdown(block: Block): string {
  switch (block.kind) {
    case 'table':
      return tableMarkdown(block);
    case 'text':
      return block.strong ? `**${escapeMarkdown(block.text)}**` : escapeMarkdown(block.text);
    case 'chart':
      return block.chart.id === 'score-histogram'
        ? histogramMarkdown(block.data)
        : tableMarkdown(block.data);
    case 'cases':
      return casesMarkdown(block);
  }
}

export function renderMarkdown(report: Report): string {
  const view = buildView(report);
  const parts = [
    `# ${escapeMarkdown(view.title)}`,
    view.subtitle.map(escapeMarkdown).join(' · '),
    `_Generated ${escapeMarkdown(view.generatedAt)}_`,
  ];
  for (const section of view.sections) {
    parts.push(`## ${escapeMarkdown(section.heading)}`);
    for (const block of section.blocks) parts.push(blockMarkdown(block));
  }
  return `${parts.join('\n\n')}\n`;
}
