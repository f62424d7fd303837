import {
  DEFAULT_IMPORT_ALLOW_LIST,
  heuristicReward,
  type ProgramSpecResult,
  programSpecOf,
  SandboxUnavailableError,
  withoutProgramKeys,
} from '@ps/code-eval';
import { type SignatureFieldSpec, parseStructuredOutput } from '@ps/common';
import {
  type CaseContext,
  getMetric,
  MetricUnavailableError,
  type PerCaseMetric,
  toScoredCase,
} from '@ps/metrics';
import { CallFailedError, type CodePort } from './ports';
import type { PlannedMetric, ScoringPlan } from './scoring-plan';

/** What the metrics compare for one case: the model's answer and the expected output. */
export interface ScoringSubject {
  output: unknown;
  expected: unknown;
  parsed: Record<string, unknown> | null;
  parseErrors: string[];
}

/**
 * Decides what is compared. With an output signature the answer is parsed into fields (fenced
 * JSON, first JSON object, then `field: value` lines) and compared with `expected_outputs`: the
 * single field's value when the signature has one output field, the whole object otherwise.
 * Without a signature the raw answer is compared with `expected_outputs.response`, or with the
 * only expected field when there is exactly one.
 */
export function subjectOf(
  text: string,
  outputFields: SignatureFieldSpec[],
  expected: Record<string, unknown>,
): ScoringSubject {
  if (outputFields.length > 0) {
    const parsed = parseStructuredOutput(text, outputFields);
    if (!parsed.ok || !parsed.value) {
      return { output: text, expected, parsed: parsed.value, parseErrors: parsed.errors };
    }
    if (outputFields.length === 1) {
      const name = outputFields[0].name;
      return {
        output: parsed.value[name],
        expected: expected[name],
        parsed: parsed.value,
        parseErrors: [],
      };
    }
    return { output: parsed.value, expected, parsed: parsed.value, parseErrors: [] };
  }
  const keys = Object.keys(expected);
  const target =
    'response' in expected ? expected.response : keys.length === 1 ? expected[keys[0]] : expected;
  return { output: text, expected: target, parsed: null, parseErrors: [] };
}

function pick(value: unknown, field: string | undefined): unknown {
  if (!field) return value;
  if (value && typeof value === 'object' && !Array.isArray(value))
    return (value as Record<string, unknown>)[field];
  return undefined;
}

/** True when there is nothing to compare with: no value, an empty string, or an empty object. */
export function isMissingExpected(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (typeof value === 'string') return value.trim() === '';
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === 'object') return Object.keys(value).length === 0;
  return false;
}

/** What one metric compares for a case: the output and expected value, or one field of each. */
export function metricPair(
  subject: ScoringSubject,
  metric: Pick<PlannedMetric, 'field'>,
): { output: unknown; expected: unknown } {
  return metric.field
    ? {
        output: pick(subject.parsed ?? subject.output, metric.field),
        expected: pick(subject.expected, metric.field),
      }
    : { output: subject.output, expected: subject.expected };
}

/**
 * What the metrics other than `program` compare for a case: expected_outputs without the program
 * evaluator's keys (runner, objective, tests …) when the case is marked with a runner, so a
 * reference metric on a case with nothing else expected does not score it.
 */
export function expectedForMetrics(
  inputs: Record<string, unknown>,
  expected: Record<string, unknown>,
): Record<string, unknown> {
  return programSpecOf(inputs, expected).kind === 'none' ? expected : withoutProgramKeys(expected);
}

/** The program evaluator's verdict on one case, before weighting. */
export interface ProgramScore {
  /** In [0, 1]; null when the case's program fields are not valid. */
  score: number | null;
  details: Record<string, unknown>;
  /** One line for the case's feedback. */
  line: string;
}

/**
 * Scores the answer of a case marked with a runner: runs it through the code port when code
 * evaluation is enabled; otherwise a heuristic text reward, with `code_eval: 'disabled'` and the
 * reason in the details. Invalid program fields leave the case unscored, naming the field. A
 * sandbox that cannot run programs at all is the infrastructure's fault (CallFailedError).
 */
export async function scoreProgram(
  answer: string,
  spec: Exclude<ProgramSpecResult, { kind: 'none' }>,
  code: CodePort | undefined,
  signal?: AbortSignal,
): Promise<ProgramScore> {
  if (spec.kind === 'invalid') {
    const reason = spec.errors.map((e) => `${e.field}: ${e.message}`).join('; ');
    return {
      score: null,
      details: {
        not_scored: "The test case's program fields are not valid.",
        errors: spec.errors,
      },
      line: `program: not scored (${reason})`,
    };
  }
  if (code?.enabled) {
    try {
      const result = await code.runProgram(answer, spec.spec, signal);
      return {
        score: result.score,
        details: { ...result.details, score: result.score },
        line: `program: ${result.score.toFixed(2)} (reward ${result.reward.toFixed(2)}: ${result.message})`,
      };
    } catch (err) {
      if (err instanceof SandboxUnavailableError) {
        throw new CallFailedError('infra_error', `program evaluation: ${err.message}`, false, {
          cause: err,
        });
      }
      throw err;
    }
  }
  const reason =
    code?.reason ??
    'Programs are not run in this kind of run: only evaluations run by a worker run them.';
  const heuristic = heuristicReward(
    answer,
    spec.spec,
    code?.importAllowList ?? DEFAULT_IMPORT_ALLOW_LIST,
  );
  return {
    score: heuristic.score,
    details: {
      code_eval: 'disabled',
      reason,
      runner: spec.spec.runner,
      heuristic: true,
      reward: heuristic.reward,
      score: heuristic.score,
      checks: heuristic.checks,
    },
    line: `program: ${heuristic.score.toFixed(2)} (heuristic, the code was not run: ${reason})`,
  };
}

export interface CaseScores {
  /** Per metric key: a score in [0, 1], or null when the metric did not score the case. */
  scores: Record<string, number | null>;
  notScored: string[];
  /** Weighted score over the metrics that scored; null when none did. */
  score: number | null;
  details: Record<string, unknown>;
  /** Each metric's score and reason, one line each. */
  feedback: string;
}

function reasonOf(details: Record<string, unknown> | undefined): string {
  if (!details) return '';
  for (const key of ['reasoning', 'reason', 'error', 'message']) {
    const value = details[key];
    if (typeof value === 'string' && value) return value;
  }
  return '';
}

/**
 * Scores one case with every per-case metric of the plan and combines them by weight. A
 * reference metric on a case without an expected value does not score it (null, named in
 * `notScored`), so it counts neither as a failure nor in the means.
 */
export async function scoreSubject(
  subject: ScoringSubject,
  plan: ScoringPlan,
  ctx: CaseContext,
  /** The program evaluator's verdict, for a case marked with a runner. */
  program?: ProgramScore,
): Promise<CaseScores> {
  const scores: Record<string, number | null> = {};
  const notScored: string[] = [];
  const details: Record<string, unknown> = {};
  const lines: string[] = [];
  let sum = 0;
  let weight = 0;
  for (const metric of plan.perCase) {
    const { output, expected } = metricPair(subject, metric);
    if (metric.reference && isMissingExpected(expected)) {
      scores[metric.key] = null;
      notScored.push(metric.key);
      details[metric.key] = { not_scored: 'The case has no expected value to compare with.' };
      lines.push(`${metric.key}: not scored (no expected value)`);
      continue;
    }
    const definition = getMetric(metric.name) as PerCaseMetric;
    const missing = (definition.requires ?? []).filter((r) =>
      r === 'embeddings' ? !ctx.embed : !ctx.judge,
    );
    if (missing.length) throw new MetricUnavailableError(metric.name, missing);
    const result = toScoredCase(await definition.score(output, expected, metric.options, ctx));
    const score = Number.isFinite(result.score) ? result.score : null;
    scores[metric.key] = score;
    if (score === null) notScored.push(metric.key);
    if (result.details) details[metric.key] = result.details;
    const reason = reasonOf(result.details);
    lines.push(
      `${metric.key}: ${score === null ? 'not scored' : score.toFixed(2)}${reason ? ` (${reason})` : ''}`,
    );
    if (score !== null && metric.weight > 0) {
      sum += metric.weight * score;
      weight += metric.weight;
    }
  }
  const programListed = plan.metrics.some((m) => m.name === 'program');
  if (program) {
    const { key } = plan.program;
    scores[key] = program.score;
    details[key] = program.details;
    lines.push(program.line);
    if (program.score === null) notScored.push(key);
    else if (plan.program.weight > 0) {
      sum += plan.program.weight * program.score;
      weight += plan.program.weight;
    }
  } else if (programListed) {
    scores.program = null;
    notScored.push('program');
    details.program = {
      not_scored: 'The test case is not marked with a runner (runner: python or javascript).',
    };
    lines.push('program: not scored (no runner)');
  }
  return {
    scores,
    notScored,
    score: weight > 0 ? sum / weight : null,
    details,
    feedback: lines.join('\n'),
  };
}
