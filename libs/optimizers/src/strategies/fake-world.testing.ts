/**
 * A small scripted world for strategy unit tests (no network). A case passes only when the
 * instruction carries the rule it needs; the metric's feedback names that rule, so a proposer can
 * learn it only from the evidence a strategy shows it. Every uncached case and every proposal is
 * one call against a call budget, which refuses calls past its limit.
 */
import { BudgetExhaustedError, type CaseResult, type EngineCase } from '@ps/evaluation';
import { candidateKey } from '../candidate-key';
import { instructionOf } from '../candidate-text';
import { createRng } from '../random';
import type {
  BudgetLimits,
  BudgetUsage,
  BudgetView,
  Candidate,
  CandidateRecord,
  CandidateScore,
  Evaluator,
  IterationProgress,
  ProgressSink,
  ProposalRequest,
  Proposer,
  StrategyContext,
} from '../types';

export class FakeBudget implements BudgetView {
  calls = 0;
  iterations = 0;
  constructor(readonly limits: BudgetLimits) {}
  used(): BudgetUsage {
    // Every call counts 10 tokens.
    return {
      llm_calls: this.calls,
      tokens: this.calls * 10,
      usd: 0,
      iterations: this.iterations,
      duration_s: 0,
    };
  }
  remainingShare(): number {
    const max = this.limits.max_llm_calls;
    return max === undefined ? 1 : Math.max(0, (max - this.calls) / max);
  }
  exhausted(): boolean {
    const { max_llm_calls: calls, max_iterations: iterations } = this.limits;
    return (
      (calls !== undefined && this.calls >= calls) ||
      (iterations !== undefined && this.iterations >= iterations)
    );
  }
  startIteration(): boolean {
    const max = this.limits.max_iterations;
    if (max !== undefined && this.iterations >= max) return false;
    this.iterations++;
    return true;
  }
  /** Takes one call, or refuses it like the accountant does. */
  take(): void {
    const max = this.limits.max_llm_calls;
    if (max !== undefined && this.calls >= max) throw new BudgetExhaustedError('max_llm_calls');
    this.calls++;
  }
}

/** How a case scores a candidate: 1 when it passes, else 0 with feedback. */
export type CaseJudge = (
  candidate: Candidate,
  testCase: EngineCase,
) => { score: number; feedback: string; cost?: number; latencyMs?: number; tokens?: number };

/** The rule world: a case passes when the instruction names the rule its expected value carries. */
export function ruleJudge(): CaseJudge {
  return (candidate, testCase) => {
    const rule = String(testCase.expected.rule);
    const ok = instructionOf(candidate).includes(rule);
    return {
      score: ok ? 1 : 0,
      feedback: ok ? 'Correct.' : `Wrong label: the answer must follow rule: ${rule}`,
    };
  };
}

export function ruleCases(count: number, rules: readonly string[], prefix = 'c'): EngineCase[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `${prefix}${i}`,
    inputs: { text: `question ${prefix}${i}` },
    expected: { answer: `answer ${i}`, rule: rules[i % rules.length] },
  }));
}

export class FakeEvaluator implements Evaluator {
  private readonly cache = new Map<string, CaseResult>();
  /** Upstream task calls made (cache misses). */
  taskCalls = 0;
  scoreCalls = 0;

  constructor(
    private readonly budget: FakeBudget,
    private readonly judge: CaseJudge,
  ) {}

  async score(
    candidate: Candidate,
    cases: readonly EngineCase[],
    options: { seed?: number; signal?: AbortSignal } = {},
  ): Promise<CandidateScore> {
    this.scoreCalls++;
    const key = candidateKey(candidate);
    const results: CaseResult[] = [];
    let complete = true;
    for (const testCase of cases) {
      const cacheKey = `${key}|${testCase.id}|${options.seed ?? 0}`;
      let result = this.cache.get(cacheKey);
      if (!result) {
        if (options.signal?.aborted) {
          complete = false;
          break;
        }
        try {
          this.budget.take();
        } catch {
          complete = false;
          break;
        }
        this.taskCalls++;
        await Promise.resolve();
        const judged = this.judge(candidate, testCase);
        const tokens = judged.tokens ?? 10;
        result = {
          caseId: testCase.id,
          repeat: 0,
          status: 'ok',
          output: judged.score >= 1 ? String(testCase.expected.answer) : 'wrong answer',
          parsed: null,
          scores: { exact_match: judged.score },
          notScored: [],
          score: judged.score,
          passed: judged.score >= 1,
          error: null,
          details: {},
          feedback: judged.feedback,
          latencyMs: judged.latencyMs ?? 100,
          tokensIn: tokens,
          tokensOut: 0,
          cost: judged.cost ?? 0.001,
          cached: false,
        };
        this.cache.set(cacheKey, result);
      }
      results.push(result);
    }
    const scored = results.filter((r) => r.score !== null);
    const mean = scored.length ? scored.reduce((a, r) => a + (r.score ?? 0), 0) / scored.length : 0;
    return { key, mean, scored: scored.length, cases: results, complete };
  }
}

/**
 * A proposer that learns a rule only when a shown example's feedback names it. Each child of a
 * `mutate`/`reflect` learns the rule of one example (so siblings differ); `crossover` keeps the
 * rules of both parents; `paraphrase` rewords and learns nothing.
 */
export class FakeProposer implements Proposer {
  readonly requests: ProposalRequest[] = [];
  private counter = 0;

  constructor(
    private readonly budget: FakeBudget,
    private readonly rules: readonly string[],
  ) {}

  async propose(request: ProposalRequest, signal?: AbortSignal): Promise<string[]> {
    if (signal?.aborted) throw new Error('aborted');
    this.budget.take();
    this.requests.push(request);
    await Promise.resolve();
    const n = request.n ?? 1;
    const known = (text: string) => this.rules.filter((r) => text.includes(r));
    const out: string[] = [];
    for (let j = 0; j < n; j++) {
      const tag = `v${this.counter++}`;
      let rules = known(request.currentPrompt);
      if (request.op === 'crossover' && request.otherPrompt) {
        rules = [...new Set([...rules, ...known(request.otherPrompt)])];
      } else if (request.op !== 'paraphrase') {
        const learned = (request.examples ?? [])
          .map((e) => /rule: (\S+)/.exec(e.feedback)?.[1])
          .filter((r): r is string => r !== undefined && this.rules.includes(r));
        if (learned.length > 0) rules = [...new Set([...rules, learned[j % learned.length]])];
      }
      out.push(`Label the input (${tag}).${rules.map((r) => ` Follow ${r}.`).join('')}`);
    }
    return out;
  }
}

export class RecordingSink implements ProgressSink {
  readonly candidates: CandidateRecord[] = [];
  readonly iterations: IterationProgress[] = [];
  candidate(record: CandidateRecord): void {
    this.candidates.push(record);
  }
  iteration(progress: IterationProgress): void {
    this.iterations.push(progress);
  }
}

export interface FakeWorld<P> {
  ctx: StrategyContext<P>;
  budget: FakeBudget;
  evaluator: FakeEvaluator;
  proposer: FakeProposer;
  sink: RecordingSink;
  controller: AbortController;
}

export const SEED_CANDIDATE: Candidate = {
  systemPrompt: 'Label the input.',
  userPrompt: '{{text}}',
  fewShotExamples: [],
  model: { provider: 'openai', model: 'gpt-4o-mini', parameters: { temperature: 0.9 } },
};

export function fakeWorld<P>(options: {
  params: P;
  seed?: number;
  rules?: readonly string[];
  judge?: CaseJudge;
  trainSize?: number;
  limits?: BudgetLimits;
  models?: Candidate['model'][];
  candidate?: Candidate;
}): FakeWorld<P> {
  const rules = options.rules ?? ['RULE_A', 'RULE_B', 'RULE_C', 'RULE_D'];
  const budget = new FakeBudget(options.limits ?? { max_llm_calls: 400 });
  const evaluator = new FakeEvaluator(budget, options.judge ?? ruleJudge());
  const proposer = new FakeProposer(budget, rules);
  const sink = new RecordingSink();
  const controller = new AbortController();
  let id = 1; // 0 is the seed
  const ctx: StrategyContext<P> = {
    seed: options.candidate ?? SEED_CANDIDATE,
    train: ruleCases(options.trainSize ?? 16, rules, 't'),
    validation: ruleCases(8, rules, 'v'),
    signature: null,
    evaluator,
    proposer,
    budget,
    rng: createRng(options.seed ?? 7),
    signal: controller.signal,
    progress: sink,
    params: options.params,
    nextId: () => id++,
    ...(options.models ? { models: options.models } : {}),
  };
  return { ctx, budget, evaluator, proposer, sink, controller };
}
