import { isDeepStrictEqual } from 'node:util';
import type { RowIssues } from './case-record';
import type { SuggestedMetric } from './types';

/** One promptfoo assertion, from YAML (`assert[i]`) or a CSV cell (`__expected2`). */
export interface Assertion {
  /** Where it came from, for warnings: `assert[2]`, `defaultTest.assert[0]`, `__expected1`. */
  label: string;
  type: string;
  value: unknown;
  threshold?: number;
}

/**
 * promptfoo's assertion types, so that a CSV cell `type:value` is told apart from plain text
 * that happens to contain a colon (which promptfoo, and this reader, take as `equals`).
 */
export const PROMPTFOO_ASSERTION_TYPES = new Set([
  'answer-relevance',
  'assert-set',
  'bleu',
  'classifier',
  'contains',
  'contains-all',
  'contains-any',
  'contains-html',
  'contains-json',
  'contains-sql',
  'contains-xml',
  'context-faithfulness',
  'context-recall',
  'context-relevance',
  'conversation-relevance',
  'cost',
  'equals',
  'factuality',
  'finish-reason',
  'g-eval',
  'gleu',
  'guardrails',
  'icontains',
  'icontains-all',
  'icontains-any',
  'is-html',
  'is-json',
  'is-refusal',
  'is-sql',
  'is-valid-function-call',
  'is-valid-openai-function-call',
  'is-valid-openai-tools-call',
  'is-xml',
  'javascript',
  'latency',
  'levenshtein',
  'llm-rubric',
  'max-score',
  'meteor',
  'model-graded-closedqa',
  'model-graded-factuality',
  'moderation',
  'perplexity',
  'perplexity-score',
  'pi',
  'python',
  'regex',
  'rouge-n',
  'ruby',
  'select-best',
  'similar',
  'starts-with',
  'tool-call-f1',
  'trace-error-spans',
  'trace-span-count',
  'trace-span-duration',
  'webhook',
  'word-count',
]);

/** promptfoo's default threshold for `similar` (cosine similarity). */
export const PROMPTFOO_SIMILAR_THRESHOLD = 0.75;

const preview = (value: unknown): string => {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
};

/**
 * Turns a test's assertions into the case's expected outputs and the metrics they suggest:
 *
 * | promptfoo | expected_outputs | suggested metric |
 * |---|---|---|
 * | equals | response = value | exact_match |
 * | contains / icontains | response = value | contains {case_sensitive: true / false, mode: all} |
 * | (i)contains-all / -any | response = [values] | contains {case_sensitive, mode: all / any} |
 * | regex | response = pattern | regex_match |
 * | is-json | — | json_schema_valid {schema: value or {}} |
 * | similar | response = value | semantic_similarity, pass_threshold = threshold (default 0.75) |
 * | llm-rubric (grade) | rubric = value | llm_judge {rubric} |
 *
 * A case has one `response`: a later assertion wanting a different one is not mapped (warning),
 * one wanting the same value adds its metric. Every assertion that is not mapped (negated ones,
 * code, model-graded types without an equivalent, values from files...) is a warning naming it.
 */
export class AssertionMapper {
  readonly expected: Record<string, unknown> = {};
  readonly metrics: SuggestedMetric[] = [];
  private responseFrom = '';
  private readonly metricFrom = new Map<string, string>();

  constructor(private readonly issues: RowIssues) {}

  add(a: Assertion): void {
    const tag = `${a.label} (${a.type})`;
    const skip = (why: string) => this.issues.warn(`${tag} not mapped: ${why}`);
    if (a.type.startsWith('not-')) {
      return skip('negated assertions have no equivalent metric.');
    }
    if (typeof a.value === 'string' && a.value.startsWith('file://')) {
      return skip(`values loaded from files (${a.value.slice(0, 80)}) are not read.`);
    }
    // Read only by the assertions that map, so an unmapped one gets one warning.
    const threshold = () => this.threshold(a, tag);
    switch (a.type) {
      case 'equals':
        if (a.value === undefined) return skip('it has no value.');
        if (this.setResponse(a.value, tag))
          this.suggest({ metric: 'exact_match' }, tag, threshold());
        return;
      case 'contains':
      case 'icontains': {
        if (typeof a.value !== 'string' && typeof a.value !== 'number') {
          return skip('its value is not text.');
        }
        const options = { case_sensitive: a.type === 'contains', mode: 'all' };
        if (this.setResponse(String(a.value), tag)) {
          this.suggest({ metric: 'contains', options }, tag, threshold());
        }
        return;
      }
      case 'contains-all':
      case 'contains-any':
      case 'icontains-all':
      case 'icontains-any': {
        const list = Array.isArray(a.value)
          ? a.value.map(String)
          : typeof a.value === 'string'
            ? a.value
                .split(',')
                .map((s) => s.trim())
                .filter((s) => s !== '')
            : undefined;
        if (list === undefined || list.length === 0) return skip('it lists no values.');
        const options = {
          case_sensitive: !a.type.startsWith('i'),
          mode: a.type.endsWith('-any') ? 'any' : 'all',
        };
        if (this.setResponse(list, tag))
          this.suggest({ metric: 'contains', options }, tag, threshold());
        return;
      }
      case 'regex':
        if (typeof a.value !== 'string') return skip('its value is not a pattern.');
        try {
          new RegExp(a.value);
        } catch (e) {
          return skip(`the pattern does not compile (${(e as Error).message}).`);
        }
        if (this.setResponse(a.value, tag))
          this.suggest({ metric: 'regex_match' }, tag, threshold());
        return;
      case 'is-json': {
        let schema: unknown = a.value ?? {};
        if (typeof schema === 'string') {
          try {
            schema = JSON.parse(schema);
          } catch {
            return skip('its schema is not JSON.');
          }
        }
        if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
          return skip('its schema is not an object.');
        }
        this.suggest({ metric: 'json_schema_valid', options: { schema } }, tag, threshold());
        return;
      }
      case 'similar':
        if (typeof a.value !== 'string' && !Array.isArray(a.value)) {
          return skip('its value is not text.');
        }
        if (this.setResponse(a.value, tag)) {
          this.suggest(
            { metric: 'semantic_similarity' },
            tag,
            threshold() ?? PROMPTFOO_SIMILAR_THRESHOLD,
          );
        }
        return;
      case 'llm-rubric':
      case 'grade': {
        if (typeof a.value !== 'string' || a.value.trim() === '') {
          return skip('its rubric is not text.');
        }
        const current = this.expected.rubric;
        if (current !== undefined && current !== a.value) {
          return skip(`the case already has the rubric ${preview(current)}.`);
        }
        this.expected.rubric = a.value;
        this.suggest({ metric: 'llm_judge', options: { rubric: a.value } }, tag, threshold());
        return;
      }
      default:
        return skip('no equivalent metric.');
    }
  }

  private threshold(a: Assertion, tag: string): number | undefined {
    if (a.threshold === undefined) return undefined;
    if (a.threshold >= 0 && a.threshold <= 1) return a.threshold;
    this.issues.warn(`${tag}: threshold ${a.threshold} is outside [0, 1] and is not used.`);
    return undefined;
  }

  private setResponse(value: unknown, tag: string): boolean {
    const current = this.expected.response;
    if (current === undefined) {
      this.expected.response = value;
      this.responseFrom = tag;
      return true;
    }
    if (isDeepStrictEqual(current, value)) return true;
    this.issues.warn(
      `${tag} not mapped: the case already expects ${preview(current)} from ${this.responseFrom}.`,
    );
    return false;
  }

  private suggest(metric: SuggestedMetric, tag: string, threshold: number | undefined): void {
    const full: SuggestedMetric =
      threshold === undefined ? metric : { ...metric, pass_threshold: threshold };
    const same = this.metrics.find((m) => m.metric === full.metric);
    if (same === undefined) {
      this.metrics.push(full);
      this.metricFrom.set(full.metric, tag);
    } else if (!isDeepStrictEqual(same, full)) {
      this.issues.warn(
        `${tag} not mapped: ${full.metric} is already suggested by ${this.metricFrom.get(full.metric)} with other options.`,
      );
    }
  }
}

/**
 * A promptfoo CSV assertion cell, `[not-]type[(threshold)][:value]`. Legacy prefixes: `fn:`,
 * `eval:` (javascript) and `grade:` (llm-rubric). Text without a known type is `equals`.
 */
export function parseAssertionText(text: string, label: string): Assertion {
  const trimmed = text.trim();
  const legacy = /^(fn|eval|grade):([\s\S]*)$/.exec(trimmed);
  if (legacy) {
    return {
      label,
      type: legacy[1] === 'grade' ? 'llm-rubric' : 'javascript',
      value: legacy[2].trim(),
    };
  }
  const match = /^(not-)?([a-z][a-z0-9-]*)(?:\(([0-9]*\.?[0-9]+)\))?(?::([\s\S]*))?$/.exec(trimmed);
  if (match && PROMPTFOO_ASSERTION_TYPES.has(match[2])) {
    return {
      label,
      type: `${match[1] ?? ''}${match[2]}`,
      value: match[4] === undefined ? undefined : match[4].trim(),
      ...(match[3] === undefined ? {} : { threshold: Number(match[3]) }),
    };
  }
  return { label, type: 'equals', value: trimmed };
}
