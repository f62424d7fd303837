import { createHash } from 'node:crypto';
import { canonicalJson } from '@ps/common';
import type { ChatAnswer, ChatPort, ChatRequest, EngineCase } from '@ps/evaluation';
import { estimateInputTokens, maxOutputTokens, type PriceOf } from './budget/budgeted-chat';
import { answerTag, parseProposalRequest } from './proposer/proposal-format';
import { createStrategyRegistry, type StrategyRegistry } from './registry';
import {
  effectiveBudget,
  type OptimizationRequest,
  type OptimizationResult,
  runOptimization,
} from './runner';
import type { BudgetLimits } from './types';

export interface EstimateFigures {
  llm_calls: number;
  tokens: number;
  usd: number;
}

export interface OptimizationEstimate {
  /** The budget the run enforces (the strategy's default call limit filled in). */
  budget: BudgetLimits;
  /** What the dry run spent: a typical run of this schedule. */
  expected: EstimateFigures;
  /** The most the run may spend: a limit where the budget sets one, else the worst case of the schedule. */
  maximum: EstimateFigures;
  train_cases: number;
  validation_cases: number;
}

export interface EstimatePorts {
  price?: PriceOf;
  defaultOutputTokens?: number;
  registry?: StrategyRegistry;
  /** Simulated latency of a call, for duration limits (ms). Default 1000. */
  callLatencyMs?: number;
  /**
   * Share of task answers the simulated model gets right. Default: the mean of dry runs at
   * 0.3, 0.5 and 0.7.
   */
  rightShare?: number;
}

const SIMULATED_ANSWER = 'simulated answer';
const SIMULATED_RIGHT_SHARES = [0.3, 0.5, 0.7];

function expectedText(testCase: EngineCase): string {
  const values = Object.values(testCase.expected);
  if ('response' in testCase.expected) return String(testCase.expected.response);
  if (values.length === 1)
    return typeof values[0] === 'string' ? values[0] : JSON.stringify(values[0]);
  return JSON.stringify(testCase.expected);
}

function wrongAnswer(right: string): string {
  const text = right.split('').reverse().join('');
  return text === right ? `${right}?` : text;
}

function hash01(text: string): number {
  return createHash('sha256').update(text).digest().readUInt32BE(0) / 2 ** 32;
}

function inputTexts(testCase: EngineCase): string[] {
  return Object.values(testCase.inputs)
    .map((v) => (typeof v === 'string' ? v : (JSON.stringify(v) ?? '')))
    .filter((v) => v !== '');
}

/**
 * Finds the case a task request is about: the one whose input values all appear in the last
 * user message (the longest such match), whatever the prompt around them has become.
 */
function caseFinder(cases: readonly EngineCase[]): (message: string) => EngineCase | undefined {
  const indexed = cases
    .map((c) => ({ c, texts: inputTexts(c) }))
    .map((x) => ({ ...x, length: x.texts.reduce((n, t) => n + t.length, 0) }))
    .sort((a, b) => b.length - a.length);
  return (message) => indexed.find((x) => x.texts.every((t) => message.includes(t)))?.c;
}

/**
 * A model that needs no network. A task answer is the case's expected output for a seeded share
 * of requests (drawn by a hash of the request, so the same request always gets the same answer,
 * as it would from the cache) and a wrong one otherwise; the proposer answers, in the contract's
 * tags, variants of the prompt it was shown; a judge gives a middling grade. Token counts follow
 * the text as the accountant counts them. The clock advances by a call's latency (task calls
 * share it with the calls running beside them), for duration limits.
 */
function simulatedChat(
  request: OptimizationRequest,
  ports: EstimatePorts,
  clock: { ms: number },
): ChatPort {
  const seed = request.seed ?? 1;
  const rightShare = ports.rightShare ?? 0.5;
  const latency = ports.callLatencyMs ?? 1000;
  const concurrency = Math.max(1, request.concurrency ?? 4);
  const find = caseFinder(request.cases);
  return (req: ChatRequest): Promise<ChatAnswer> => {
    clock.ms += req.role === 'task' ? latency / concurrency : latency;
    const draw = hash01(`${seed}:${req.cacheSalt ?? ''}:${canonicalJson(req.messages)}`);
    let text: string;
    if (req.role === 'proposer') {
      const proposal = parseProposalRequest(req.messages);
      const tag = proposal ? answerTag(proposal.op) : 'prompt';
      const n = proposal?.n ?? 1;
      const base = proposal?.currentPrompt ?? '';
      text = Array.from(
        { length: n },
        (_, i) =>
          `<${tag}>\n${base}\nBe precise (variant ${Math.floor(draw * 1e9) + i}).\n</${tag}>`,
      ).join('\n');
    } else if (req.role === 'judge') {
      text = '{"score": 3, "reasoning": "simulated"}';
    } else {
      const user = req.messages[req.messages.length - 1]?.content ?? '';
      const testCase = find(user);
      // A wrong answer as long as the right one, so tokens do not depend on the draw.
      const right = testCase ? expectedText(testCase) : SIMULATED_ANSWER;
      text = testCase && draw < rightShare ? right : wrongAnswer(right);
    }
    const input = estimateInputTokens(req);
    const cap = maxOutputTokens(req.model);
    const output = Math.min(cap ?? Infinity, Math.ceil(text.length / 4));
    // Priced as the provider bills: input and output tokens at their own prices.
    const prices = ports.price?.(req.model);
    const usd = prices ? Math.round((input * prices[0] + output * prices[1]) * 1e3) / 1e9 : 0;
    return Promise.resolve({
      text,
      usage: { input, output },
      cost: usd,
      listCost: usd,
      latencyMs: 0,
      cached: false,
    });
  };
}

/**
 * The estimate of a run: a dry run of the same strategy and runner under the same
 * BudgetAccountant that enforces the budget, over a simulated model instead of the network. The
 * expected figures are what that dry run spent. The maximum: the call limit (or, with only a
 * money limit, the calls it pays for at the cheapest call's price), and tokens and money at each
 * call's reservation (its input plus the full output allowance), capped by their limits (the
 * accountant never lets a run cross one).
 */
export async function estimateOptimization(
  request: OptimizationRequest,
  ports: EstimatePorts = {},
): Promise<OptimizationEstimate> {
  const registry = ports.registry ?? createStrategyRegistry();
  const strategy = registry.create(request.strategy);
  const budget = effectiveBudget(request.budget, strategy.defaultMaxLlmCalls);
  // A run's spend depends on how its candidates fare (an accepted rewrite is scored further, a
  // finalist re-scored): the dry run is repeated over models that get more or fewer answers right,
  // and the expected figures are their mean.
  const shares = ports.rightShare !== undefined ? [ports.rightShare] : SIMULATED_RIGHT_SHARES;
  const results: OptimizationResult[] = [];
  for (const rightShare of shares) {
    const clock = { ms: 0 };
    results.push(
      await runOptimization(request, {
        chat: simulatedChat(request, { ...ports, rightShare }, clock),
        registry,
        now: () => clock.ms,
        ...(ports.price ? { price: ports.price } : {}),
        ...(ports.defaultOutputTokens ? { defaultOutputTokens: ports.defaultOutputTokens } : {}),
      }),
    );
  }
  const mean = (f: (r: OptimizationResult) => number) =>
    results.reduce((sum, r) => sum + f(r), 0) / results.length;
  const expected: EstimateFigures = {
    llm_calls: Math.round(mean((r) => r.usage.llm_calls)),
    tokens: Math.round(mean((r) => r.usage.tokens)),
    usd: Math.round(mean((r) => r.usage.usd) * 1e9) / 1e9,
  };
  // The worst case per call is its reservation: input plus the full output allowance.
  const perCall = (r: OptimizationResult, total: number) => total / Math.max(1, r.usage.llm_calls);
  const worstTokens = Math.max(...results.map((r) => perCall(r, r.worst_case.tokens)));
  const worstUsd = Math.max(...results.map((r) => perCall(r, r.worst_case.usd)));
  const cheapests = results.flatMap((r) =>
    r.worst_case.cheapest_call_usd === null ? [] : [r.worst_case.cheapest_call_usd],
  );
  // Calls: the call limit; with only a money limit, what it pays for at the cheapest call's price.
  const calls =
    budget.max_llm_calls ??
    (budget.max_usd !== undefined && cheapests.length > 0
      ? Math.floor(budget.max_usd / Math.min(...cheapests))
      : Math.max(...results.map((r) => r.usage.llm_calls)));
  const maximum: EstimateFigures = {
    llm_calls: calls,
    tokens: Math.min(budget.max_tokens ?? Infinity, Math.ceil(calls * worstTokens)),
    usd: Math.min(budget.max_usd ?? Infinity, Math.round(calls * worstUsd * 1e9) / 1e9),
  };
  const first = results[0];
  return {
    budget: first.budget,
    expected,
    maximum,
    train_cases: first.split.train_case_ids.length,
    validation_cases: first.split.validation_case_ids.length,
  };
}
