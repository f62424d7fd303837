import { programSpecOf, withoutProgramKeys } from '@ps/code-eval';
import { type ChatMessage, renderPrompt, type SignatureFieldSpec } from '@ps/common';
import type { CaseContext } from '@ps/metrics';
import { type ScoringSubject, scoreProgram, scoreSubject, subjectOf } from './case-scoring';
import {
  BudgetExhaustedError,
  CallFailedError,
  type CaseResult,
  type EngineCase,
  type EnginePorts,
  type PromptUnderTest,
} from './ports';
import type { ScoringPlan } from './scoring-plan';

export interface RunCaseArgs {
  prompt: PromptUnderTest;
  testCase: EngineCase;
  plan: ScoringPlan;
  ports: EnginePorts;
  /** The signature's output fields; the answer is parsed into them (none: compared raw). */
  outputFields: readonly SignatureFieldSpec[];
  repeat?: number;
  bypassCache?: boolean;
  cacheSalt?: string;
  signal?: AbortSignal;
}

/**
 * The text whose code the program evaluator runs: the one output field when the signature has a
 * single string field (a JSON answer `{"code": "..."}`), else the whole answer.
 */
function programAnswer(text: string, subject: ScoringSubject): string {
  const fields = subject.parsed ? Object.values(subject.parsed) : [];
  return fields.length === 1 && typeof fields[0] === 'string' ? fields[0] : text;
}

/** A result with nothing sent or scored yet. */
export function emptyResult(caseId: string, repeat: number): CaseResult {
  return {
    caseId,
    repeat,
    status: 'ok',
    output: null,
    parsed: null,
    scores: {},
    notScored: [],
    score: null,
    passed: null,
    error: null,
    details: {},
    feedback: '',
    latencyMs: null,
    tokensIn: 0,
    tokensOut: 0,
    cost: 0,
    cached: false,
  };
}

/** The messages a case sends, or the template variables its inputs lack (nothing is sent). */
export function renderCase(
  prompt: Pick<PromptUnderTest, 'systemPrompt' | 'userPrompt' | 'fewShotExamples'>,
  inputs: Record<string, unknown>,
): { ok: true; messages: ChatMessage[] } | { ok: false; missing: string[] } {
  const rendered = renderPrompt(prompt, inputs);
  return rendered.missingVariables.length
    ? { ok: false, missing: rendered.missingVariables }
    : { ok: true, messages: rendered.messages };
}

/**
 * One case: render → call → parse → score. A case whose inputs lack a template variable is never
 * sent (`render_error`). Calls that fail for the infrastructure become `infra_error` or `timeout`;
 * a terminal call error (bad key, no quota, unknown model), a refused budget and a cancellation
 * are thrown, since they end the run rather than the case.
 */
export async function runCase(args: RunCaseArgs): Promise<CaseResult> {
  const { prompt, testCase, plan, ports } = args;
  const result = emptyResult(testCase.id, args.repeat ?? 0);
  const rendered = renderCase(prompt, testCase.inputs);
  if (!rendered.ok) {
    result.status = 'render_error';
    result.error = `The test case's inputs lack ${rendered.missing.join(', ')}: nothing was sent.`;
    return result;
  }
  let text: string;
  try {
    const answer = await ports.chat({
      model: prompt.model,
      messages: rendered.messages,
      role: 'task',
      ...(args.bypassCache ? { bypassCache: true } : {}),
      ...(args.cacheSalt ? { cacheSalt: args.cacheSalt } : {}),
      ...(args.signal ? { signal: args.signal } : {}),
    });
    text = answer.text;
    result.output = answer.text;
    result.latencyMs = answer.latencyMs;
    result.tokensIn = answer.usage.input;
    result.tokensOut = answer.usage.output;
    result.cost = answer.cost;
    result.cached = answer.cached;
  } catch (err) {
    if (err instanceof BudgetExhaustedError || args.signal?.aborted) throw err;
    if (!(err instanceof CallFailedError) || err.terminal) throw err;
    // Rate limits, outages and time-outs are the infrastructure's fault, not the prompt's.
    result.status = err.kind;
    result.error = err.message;
    return result;
  }

  // A case marked with a runner is scored by the program evaluator; the other metrics compare
  // what else its expected_outputs hold.
  const program = programSpecOf(testCase.inputs, testCase.expected);
  const expected =
    program.kind === 'none' ? testCase.expected : withoutProgramKeys(testCase.expected);
  const subject = subjectOf(text, args.outputFields as SignatureFieldSpec[], expected);
  result.parsed = subject.parsed;
  if (subject.parseErrors.length) {
    result.status = 'parse_error';
    result.error = subject.parseErrors.join('; ');
    result.feedback = `The answer could not be parsed: ${result.error}`;
    return result;
  }
  const ctx: CaseContext = {
    inputs: testCase.inputs,
    ...(ports.judge ? { judge: ports.judge } : {}),
    ...(ports.embed ? { embed: ports.embed } : {}),
  };
  let scored: Awaited<ReturnType<typeof scoreSubject>>;
  try {
    const verdict =
      program.kind === 'none'
        ? undefined
        : await scoreProgram(programAnswer(text, subject), program, ports.code, args.signal);
    // A run cancelled while its program ran has no verdict to keep.
    if (args.signal?.aborted) throw new Error('The run was cancelled.');
    scored = await scoreSubject(subject, plan, ctx, verdict);
  } catch (err) {
    // A judge or embedding call that failed for the infrastructure leaves the case unscored.
    if (err instanceof BudgetExhaustedError || args.signal?.aborted) throw err;
    if (!(err instanceof CallFailedError) || err.terminal) throw err;
    result.status = err.kind;
    result.error = `scoring: ${err.message}`;
    return result;
  }
  result.scores = scored.scores;
  result.notScored = scored.notScored;
  result.score = scored.score;
  result.passed = scored.score === null ? null : scored.score >= plan.passThreshold;
  result.details = scored.details;
  result.feedback = scored.feedback;
  return result;
}
