import { type ChatMessage, renderPrompt } from '@ps/common';
import type {
  ChatAnswer,
  ChatPort,
  ChatRequest,
  EngineCase,
  EngineModelConfig,
} from '@ps/evaluation';
import type { Candidate } from '@ps/optimizers';
import type { FakeRequest } from '../types';
import { hashUnit } from './draws';
import { isProposerRequest, parseProposerCall, type ProposerCall } from './proposer-format';

/**
 * A scripted task world: a task model whose answers are right only when the prompt carries some
 * knowledge, a proposer model that can learn that knowledge only from the evidence a request
 * shows it, a labelled case pool the optimizer may use, a sealed split it never sees, and the
 * exact expected score of any candidate on that sealed split.
 *
 * Every answer is a draw from a distribution the world states (`task()`); the draw comes from a
 * hash of the request, so the same request gets the same answer. `expectedScore()` sums the
 * probability of the right answer over the sealed cases, which is what a measurement of the same
 * candidate estimates.
 */

/** The sampling parameters a task model reacts to, normalised from either form of a request. */
export interface SamplingParams {
  model: string;
  temperature: number | null;
  maxTokens: number | null;
  topP: number | null;
}

/** What the task model answers to one request: answer texts with their probabilities. */
export type AnswerDistribution = { text: string; p: number }[];

export type WorldName = 'rule' | 'demos' | 'params' | 'null';

/** What a world defines; createWorld() adds both model forms, scoring and counting. */
export interface WorldDefinition {
  name: WorldName;
  description: string;
  seed: Candidate;
  /** A candidate with all the knowledge there is: the top of the gap. */
  best: Candidate;
  /** Labelled cases the optimizer may split into train and validation. */
  pool: EngineCase[];
  /** Cases the optimizer never sees: where candidates are judged. */
  sealed: EngineCase[];
  /** The `metrics` / `pass_threshold` body of a run (parseScoringPlan input). */
  scoring: { metrics: { name: string }[]; pass_threshold: number };
  /** The task model's answer distribution for a rendered prompt. */
  task(messages: ChatMessage[], params: SamplingParams): AnswerDistribution;
  /** The proposer model's answer; `draw` gives deterministic uniform numbers for a label. */
  propose(call: ProposerCall, draw: (label: string) => number): string;
  /** A token that appears in the rendered input of this case and of no other. */
  caseToken(testCase: EngineCase): string;
}

export interface CallCounts {
  task: number;
  proposer: number;
  tokensIn: number;
  tokensOut: number;
  usd: number;
}

export interface WorldOptions {
  /**
   * When true (default) a different cache salt is a different sample, as with a model sampled at
   * a temperature above 0: re-scoring with fresh seeds gets fresh noise. When false the answer
   * depends on the request alone, as a model at temperature 0 (over HTTP the salt never reaches
   * the server, so the wire form always behaves this way).
   */
  saltIsSample?: boolean;
}

/**
 * Tokens as a real tokenizer roughly counts English: a token per four characters, and three more
 * per chat message for the role markers. (The generic wire fake counts words; the worlds report
 * this instead, on both forms, so budgets in tokens and money behave as against a real model.)
 */
export function worldTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

export function worldUsage(
  messages: readonly { content: string }[],
  answer: string,
): { input: number; output: number } {
  return {
    input: messages.reduce((s, m) => s + worldTokens(m.content) + 3, 0),
    output: worldTokens(answer),
  };
}

/** USD per token, the price of gpt-4o-mini in libs/llm/src/prices.json (the wire form's model). */
export const WORLD_PRICE = { input: 0.15e-6, output: 0.6e-6 };
export const WORLD_MODEL: EngineModelConfig = { provider: 'openai', model: 'gpt-4o-mini' };

export interface ScriptedWorld extends WorldDefinition {
  /** The in-process twin: the engine's ChatPort, answering task and proposer requests. */
  chat: ChatPort;
  /** The answer for a request received by the wire fake (startFakeLlm's `answer` option). */
  answerWire(req: FakeRequest): string;
  /** Upstream calls the world answered, by role, with their tokens and list cost. */
  readonly calls: CallCounts;
  resetCalls(): void;
  /** Exact expected score on the sealed split (mean probability of a right answer). */
  expectedScore(candidate: Candidate): number;
  expectedScoreOn(candidate: Candidate, cases: readonly EngineCase[]): number;
  /** expectedScore(seed) and expectedScore(best). */
  readonly seedScore: number;
  readonly bestScore: number;
  /** Share of the seed-to-best gap a candidate closes on the sealed split (NaN without a gap). */
  gapClosed(candidate: Candidate): number;
  /** The right answer of a case (what exact_match compares with). */
  expectedText(testCase: EngineCase): string;
  /** Ids of the given cases whose input was seen as a few-shot demo in some task request. */
  casesUsedAsDemos(cases: readonly EngineCase[]): string[];
}

export function paramsOfModel(model: EngineModelConfig): SamplingParams {
  const p = model.parameters ?? {};
  return {
    model: model.model,
    temperature: numberOrNull(p.temperature),
    maxTokens: numberOrNull(p.max_tokens ?? p.maxTokens),
    topP: numberOrNull(p.top_p ?? p.topP),
  };
}

export function paramsOfWire(req: FakeRequest): SamplingParams {
  const p = req.params;
  return {
    model: req.model,
    temperature: numberOrNull(p.temperature),
    maxTokens: numberOrNull(p.max_tokens ?? p.max_completion_tokens),
    topP: numberOrNull(p.top_p),
  };
}

function numberOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** Draws one answer from a distribution with a uniform u in [0, 1). */
export function drawAnswer(dist: AnswerDistribution, u: number): string {
  let acc = 0;
  for (const option of dist) {
    acc += option.p;
    if (u < acc) return option.text;
  }
  return dist.at(-1)?.text ?? '';
}

/** The single expected value of a case, as exact_match reads it. */
export function expectedOf(testCase: EngineCase): string {
  const values = Object.values(testCase.expected);
  if (values.length !== 1) throw new Error(`Case ${testCase.id} must have one expected value.`);
  return String(values[0]);
}

export function createWorld(def: WorldDefinition, options: WorldOptions = {}): ScriptedWorld {
  const saltIsSample = options.saltIsSample ?? true;
  const calls: CallCounts = { task: 0, proposer: 0, tokensIn: 0, tokensOut: 0, usd: 0 };
  const demoTexts = new Set<string>();

  const textOf = (messages: { content: string }[]) => messages.map((m) => m.content).join('\n');

  /** Demo inputs are the user turns before the last one. */
  const noteDemos = (messages: ChatMessage[]) => {
    const lastUser = messages.map((m) => m.role).lastIndexOf('user');
    messages.forEach((m, i) => {
      if (m.role === 'user' && i < lastUser) demoTexts.add(m.content);
    });
  };

  const taskAnswer = (messages: ChatMessage[], params: SamplingParams, salt: string) => {
    noteDemos(messages);
    const u = hashUnit('task', JSON.stringify(messages), JSON.stringify(params), salt);
    return drawAnswer(def.task(messages, params), u);
  };

  const proposerAnswer = (text: string, salt: string) =>
    def.propose(parseProposerCall(text), (label) => hashUnit('proposer', text, salt, label));

  const count = (role: 'task' | 'proposer', input: number, output: number) => {
    calls[role] += 1;
    calls.tokensIn += input;
    calls.tokensOut += output;
    calls.usd += input * WORLD_PRICE.input + output * WORLD_PRICE.output;
  };

  const chat: ChatPort = async (request: ChatRequest): Promise<ChatAnswer> => {
    await Promise.resolve();
    if (request.signal?.aborted) throw request.signal.reason ?? new Error('aborted');
    if (request.role === 'judge') throw new Error('The scripted worlds have no judge model.');
    const text = textOf(request.messages);
    if (isProposerRequest(text) !== (request.role === 'proposer')) {
      throw new Error(`A ${request.role} request whose text reads as the other role.`);
    }
    const salt = saltIsSample ? (request.cacheSalt ?? '') : '';
    const answer =
      request.role === 'proposer'
        ? proposerAnswer(text, salt)
        : taskAnswer(request.messages, paramsOfModel(request.model), salt);
    const usage = worldUsage(request.messages, answer);
    count(request.role, usage.input, usage.output);
    const cost = usage.input * WORLD_PRICE.input + usage.output * WORLD_PRICE.output;
    return { text: answer, usage, cost, listCost: cost, latencyMs: 0, cached: false };
  };

  const answerWire = (req: FakeRequest): string => {
    const messages = req.messages as ChatMessage[];
    const text = textOf(messages);
    const proposer = isProposerRequest(text);
    const answer = proposer
      ? proposerAnswer(text, '')
      : taskAnswer(messages, paramsOfWire(req), '');
    const usage = worldUsage(messages, answer);
    count(proposer ? 'proposer' : 'task', usage.input, usage.output);
    return answer;
  };

  const expectedScoreOn = (candidate: Candidate, cases: readonly EngineCase[]): number => {
    if (cases.length === 0) return NaN;
    const params = paramsOfModel(candidate.model);
    let sum = 0;
    for (const testCase of cases) {
      const rendered = renderPrompt(candidate, testCase.inputs);
      // The engine sends nothing for a case whose inputs lack a variable: it scores no answer.
      if (rendered.missingVariables.length) continue;
      const right = expectedOf(testCase);
      for (const option of def.task(rendered.messages, params)) {
        if (option.text.trim() === right) sum += option.p;
      }
    }
    return sum / cases.length;
  };

  const seedScore = expectedScoreOn(def.seed, def.sealed);
  const bestScore = expectedScoreOn(def.best, def.sealed);

  return {
    ...def,
    chat,
    answerWire,
    calls,
    resetCalls() {
      Object.assign(calls, { task: 0, proposer: 0, tokensIn: 0, tokensOut: 0, usd: 0 });
      demoTexts.clear();
    },
    expectedScore: (candidate) => expectedScoreOn(candidate, def.sealed),
    expectedScoreOn,
    seedScore,
    bestScore,
    gapClosed(candidate) {
      const gap = bestScore - seedScore;
      return gap > 1e-9 ? (expectedScoreOn(candidate, def.sealed) - seedScore) / gap : NaN;
    },
    expectedText: expectedOf,
    casesUsedAsDemos(cases) {
      const texts = [...demoTexts];
      return cases
        .filter((c) => {
          const token = new RegExp(`(^|\\W)${escapeRegExp(def.caseToken(c))}(\\W|$)`);
          return texts.some((t) => token.test(t));
        })
        .map((c) => c.id);
    },
  };
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
