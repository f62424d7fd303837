import type { EvaluationResponseDto, EvaluationResultDto } from '../generated/types.gen';

/**
 * Evaluation outcomes for CI: JUnit XML (one test case per (case, repeat) result, a failure for
 * a result that did not pass, an error for one that could not be scored) and a Markdown summary.
 */

const XML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

/** Escapes text for XML and drops characters XML 1.0 cannot carry. */
export function xmlText(value: string): string {
  return (
    value
      // eslint-disable-next-line no-control-regex -- the point is to drop control characters
      .replace(/[^\u0009\u000A\u000D\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
      .replace(/[&<>"']/g, (c) => XML_ESCAPES[c])
  );
}

export interface CiReportInput {
  evaluation: EvaluationResponseDto;
  results: EvaluationResultDto[];
  threshold: number;
}

function caseName(result: EvaluationResultDto): string {
  return `test case ${result.test_case_id}${result.repeat_index ? ` (repeat ${result.repeat_index})` : ''}`;
}

export function junitXml({ evaluation, results, threshold }: CiReportInput): string {
  const failures = results.filter((r) => r.status === 'ok' && !r.passed).length;
  const errors = results.filter((r) => r.status !== 'ok').length;
  const seconds = (ms: number | null | undefined) => ((ms ?? 0) / 1000).toFixed(3);
  const total = results.reduce((sum, r) => sum + (r.latency_ms ?? 0), 0);
  const suite = xmlText(evaluation.name ?? `evaluation ${evaluation.id}`);
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="prompt-studio" tests="${results.length}" failures="${failures}" errors="${errors}" time="${seconds(total)}">`,
    `  <testsuite name="${suite}" tests="${results.length}" failures="${failures}" errors="${errors}" skipped="0" time="${seconds(total)}" timestamp="${xmlText((evaluation.completed_at ?? evaluation.created_at).replace(/Z$/, ''))}">`,
    '    <properties>',
    `      <property name="evaluation_id" value="${evaluation.id}"/>`,
    `      <property name="prompt_id" value="${evaluation.prompt_id}"/>`,
    `      <property name="version" value="${evaluation.version_number}"/>`,
    `      <property name="pass_rate" value="${evaluation.summary?.pass_rate ?? ''}"/>`,
    `      <property name="threshold" value="${threshold}"/>`,
    '    </properties>',
  ];
  for (const r of results) {
    const head = `    <testcase classname="prompt-${evaluation.prompt_id}.v${evaluation.version_number}" name="${xmlText(caseName(r))}" time="${seconds(r.latency_ms)}"`;
    if (r.status !== 'ok') {
      lines.push(`${head}>`);
      lines.push(
        `      <error message="${xmlText(r.status)}" type="${xmlText(r.status)}">${xmlText(r.error ?? '')}</error>`,
      );
      lines.push('    </testcase>');
    } else if (!r.passed) {
      lines.push(`${head}>`);
      lines.push(
        `      <failure message="score ${r.score ?? 'n/a'}" type="not_passed">${xmlText(r.output ?? '')}</failure>`,
      );
      lines.push('    </testcase>');
    } else {
      lines.push(`${head}/>`);
    }
  }
  lines.push('  </testsuite>', '</testsuites>', '');
  return lines.join('\n');
}

const cell = (value: string | number | null | undefined) =>
  String(value ?? '')
    .replace(/\|/g, '\\|')
    .replace(/\r?\n/g, ' ')
    .slice(0, 120);

export function markdownSummary({ evaluation, results, threshold }: CiReportInput): string {
  const passRate = evaluation.summary?.pass_rate ?? null;
  const ok = passRate !== null && passRate >= threshold;
  const pct = (v: number | null) => (v === null ? 'n/a' : `${(v * 100).toFixed(1)}%`);
  const lines = [
    `## Prompt Studio evaluation ${evaluation.id}: ${ok ? 'passed' : 'below threshold'}`,
    '',
    '| | |',
    '|---|---|',
    `| Prompt | ${evaluation.prompt_id} (version ${evaluation.version_number}) |`,
    `| Status | ${evaluation.status} |`,
    `| Pass rate | ${pct(passRate)} |`,
    `| Threshold | ${pct(threshold)} |`,
    `| Mean score | ${evaluation.summary?.score?.mean ?? 'n/a'} |`,
    `| Results | ${results.length} |`,
    '',
  ];
  const bad = results.filter((r) => r.status !== 'ok' || !r.passed);
  if (bad.length > 0) {
    lines.push('### Not passed', '', '| Case | Status | Score | Output |', '|---|---|---|---|');
    for (const r of bad) {
      lines.push(
        `| ${cell(caseName(r))} | ${cell(r.status)} | ${cell(r.score)} | ${cell(r.output ?? r.error)} |`,
      );
    }
    lines.push('');
  }
  return lines.join('\n');
}
