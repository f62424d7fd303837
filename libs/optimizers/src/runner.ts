import type { SignatureFieldSpec } from '@ps/common';
import {
  BudgetExhaustedError,
  type CaseResult,
  type ChatPort,
  type ChatRequest,
  type EngineCase,
  type EngineModelConfig,
  type ScoringPlan,
} from '@ps/evaluation';
import {
  type CaseOutcome,
  comparePaired,
  signFlipTest,
  type EmbedPort,
  type JudgePort,
  summarize,
} from '@ps/metrics';
import { BudgetAccountant, type BudgetHold } from './budget/budget-accountant';
import { budgetedChat, chatEstimator, type PriceOf } from './budget/budgeted-chat';
import { candidateKey } from './candidate-key';
import { EngineEvaluator } from './evaluator/engine-evaluator';
import { LlmProposer, type ProposerStats } from './proposer/llm.proposer';
import { createRng, deriveSeed } from './random';
import { createStrategyRegistry, type StrategyRegistry } from './registry';
import { type CaseSplit, type SplitCase, splitCases } from './split';
import type {
  BudgetLimits,
  BudgetUsage,
  Candidate,
  CandidateRecord,
  CandidateScore,
  IterationProgress,
  ProgressSink,
  StrategyContext,
  StrategyOutcome,
} from './types';

/** Lineage id of the seed prompt. */
export const SEED_CANDIDATE_ID = 0;

/** Offset of the fresh sample seeds of the final re-scoring. */
export const RESCORE_SEED_OFFSET = 1000;

/**
 * One-sided level of the improvement claim, shared among the finalists (Bonferroni). 1% rather
 * than the 2.5% lower tail of a 95% interval: on the null worlds 2.5% let about 4 runs in 100
 * claim a gain that was noise; 1% let 1 in 100, at the cost of some power on small validation
 * sets (measured in bench/optimizer-efficiency).
 */
export const SIGNIFICANCE = 0.01;

export interface OptimizationRequest {
  /** Registered strategy name. */
  strategy: string;
  /** Raw `strategy_params` from the request (validated by the strategy). */
  strategyParams?: unknown;
  /** The prompt version being optimised, on the task model. */
  seedCandidate: Candidate;
  /** The test set's cases; `golden` ones become the validation set when present. */
  cases: readonly SplitCase[];
  trainCaseIds?: readonly string[] | null;
  validationCaseIds?: readonly string[] | null;
  /** Holdout share when nothing else decides the split. Default 0.3. */
  holdoutShare?: number;
  plan: ScoringPlan;
  outputFields: readonly SignatureFieldSpec[];
  signature?: StrategyContext<unknown>['signature'];
  budget: BudgetLimits;
  /** Seed of every random draw and of the search's samples. Default 1. */
  seed?: number;
  /** Model of the proposer. Default the seed's model. */
  proposerModel?: EngineModelConfig;
  /** Model of `llm_judge`. Default the seed's model. */
  judgeModel?: EngineModelConfig;
  /** `models_to_test` of the hyperparameter strategy. */
  models?: EngineModelConfig[];
  /** Task calls in flight per scoring. Default 4. */
  concurrency?: number;
  /** Finalists re-scored at the end, besides the seed. Default 3. */
  finalists?: number;
  /** Fresh samples per case in the final re-scoring (seeds seed+1000, seed+1001, …). Default 1. */
  rescoreRepeats?: number;
}

export interface OptimizationPorts {
  /** Every model call of the run (task, proposer, judge), through the LLM layer and its cache. */
  chat: ChatPort;
  embed?: EmbedPort;
  /** Prices (USD per million tokens) for the money limit's reservations. */
  price?: PriceOf;
  /** Output allowance of a call whose model sets no max_tokens. Default 1024. */
  defaultOutputTokens?: number;
  progress?: ProgressSink;
  signal?: AbortSignal;
  /** Clock in ms. */
  now?: () => number;
  /** Seconds earlier attempts of this run took (a resumed run keeps its time limit). */
  priorDurationS?: number;
  registry?: StrategyRegistry;
}

/** A mean with its 95% bootstrap interval over cases. */
export interface ScoreSummary {
  mean: number | null;
  n: number;
  ci95: [number, number] | null;
}

export type StopReason = 'done' | 'budget' | 'cancelled' | 'iterations' | 'duration';

export interface OptimizationResult {
  status: 'completed' | 'cancelled';
  /** Why the search ended. */
  stop_reason: StopReason;
  strategy: string;
  params: unknown;
  seed: number;
  split: { method: CaseSplit['method']; train_case_ids: string[]; validation_case_ids: string[] };
  /** The seed prompt on train and validation (search samples). */
  baseline: { train: ScoreSummary; validation: ScoreSummary };
  /** The best re-scored finalist (or the incumbent when the run ended before re-scoring). */
  best: {
    id: number;
    candidate: Candidate;
    /** On the train cases the search scored it on (a lookup, no extra call). */
    train: ScoreSummary;
    /** On validation as the search saw it. */
    validation: ScoreSummary;
    /** On validation with fresh seeds (null when not re-scored). */
    validation_rescored: ScoreSummary | null;
  } | null;
  /** The seed re-scored with the same fresh seeds as the finalists. */
  seed_rescored: ScoreSummary | null;
  /** True only when best − seed on validation (fresh seeds) has a 95% paired interval above 0. */
  improved: boolean;
  delta: number | null;
  ci95: [number, number] | null;
  mcnemar_p: number | null;
  /** One-sided paired sign-flip p of the gain (null when nothing was compared). */
  sign_flip_p: number | null;
  /** One sentence: the gain with its interval, or the measured difference and "no significant improvement". */
  verdict: string;
  /** What the run recommends: the best when improved, else the seed (id 0). */
  winner: { id: number; candidate: Candidate; is_seed: boolean };
  finalists: { id: number; validation_rescored: number | null; n: number }[];
  /** Usage against the budget (the default max_llm_calls filled in). */
  usage: BudgetUsage;
  /**
   * Sum of the calls' reservations (what they could have cost at most: inputs plus the full output
   * allowance), and the cheapest call's cost.
   */
  worst_case: { tokens: number; usd: number; cheapest_call_usd: number | null };
  budget: BudgetLimits;
  /** Calls per role. */
  calls_by_role: Record<ChatRequest['role'], number>;
  /** What was kept out of the search for the final re-scoring. */
  held_for_final: BudgetHold;
  /** The final re-scoring was cut short (budget) and compares the cases it reached. */
  final_incomplete: boolean;
  /** Distinct lineage ids recorded. */
  candidates: number;
  proposer: ProposerStats;
  details: Record<string, unknown>;
}

/** The budget a run enforces: the request's, with the strategy's default call limit when it sets no call or money limit. */
export function effectiveBudget(budget: BudgetLimits, defaultMaxLlmCalls: number): BudgetLimits {
  const out: BudgetLimits = {};
  for (const [key, value] of Object.entries(budget) as [keyof BudgetLimits, number | undefined][]) {
    if (value !== undefined && value !== null) out[key] = value;
  }
  if (out.max_llm_calls === undefined && out.max_usd === undefined) {
    out.max_llm_calls = defaultMaxLlmCalls;
  }
  return out;
}

function scoreSummary(results: readonly CaseResult[], seed: number): ScoreSummary {
  const values = results.flatMap((r) =>
    r.status === 'parse_error' || r.status === 'render_error'
      ? [0]
      : r.status === 'ok' && r.score !== null
        ? [r.score]
        : [],
  );
  const s = summarize(values, { seed });
  return { mean: s.mean, n: s.count, ci95: s.ci95 };
}

function fromScore(score: CandidateScore, seed: number): ScoreSummary {
  return scoreSummary(score.cases, seed);
}

/** Per case, the mean over repeats (for the paired comparison). */
function outcomes(
  scores: readonly CandidateScore[],
  passThreshold: number,
): Map<string, CaseOutcome> {
  const sums = new Map<string, { sum: number; n: number }>();
  for (const score of scores) {
    for (const r of score.cases) {
      const value =
        r.status === 'parse_error' || r.status === 'render_error'
          ? 0
          : r.status === 'ok' && r.score !== null
            ? r.score
            : null;
      if (value === null) continue;
      const entry = sums.get(r.caseId) ?? { sum: 0, n: 0 };
      entry.sum += value;
      entry.n++;
      sums.set(r.caseId, entry);
    }
  }
  const out = new Map<string, CaseOutcome>();
  for (const [id, { sum, n }] of sums) {
    const score = sum / n;
    out.set(id, { score, passed: score >= passThreshold });
  }
  return out;
}

function meanOfMap(map: Map<string, CaseOutcome>): number | null {
  if (map.size === 0) return null;
  let sum = 0;
  for (const v of map.values()) sum += v.score;
  return sum / map.size;
}

const fmt = (x: number) => (x >= 0 ? '+' : '') + x.toFixed(3);

/**
 * What the final re-scoring needs, kept out of the search: (finalists + seed) × validation cases
 * × repeats × the calls one case took at baseline; tokens and money per case as measured at
 * baseline with 50% headroom (rewrites and demos make prompts longer), plus the worst case of the
 * calls in flight at once; 15% of a time limit. `finalists` is the most the budget allows: the
 * hold for all of them is at most half of what is left after the baseline (at least one).
 * `holdFor(k)` is the hold for k finalists: the runner holds for as many as the search has
 * produced so far (at least one), so budget no finalist needs stays with the search.
 */
export function finalPhaseHold(args: {
  limits: BudgetLimits;
  used: BudgetUsage;
  worstCase: { tokens: number; usd: number };
  baselineCases: number;
  validationCases: number;
  finalists: number;
  repeats: number;
  concurrency: number;
}): { finalists: number; holdFor: (finalists: number) => BudgetHold } {
  const { limits, used } = args;
  const casesDone = Math.max(1, args.baselineCases);
  const calls = Math.max(1, used.llm_calls);
  const perCase = {
    calls: used.llm_calls / casesDone,
    tokens: used.tokens / casesDone,
    usd: used.usd / casesDone,
  };
  const perCallWorst = { tokens: args.worstCase.tokens / calls, usd: args.worstCase.usd / calls };
  const need = (finalists: number): Required<Omit<BudgetHold, 'duration_s'>> => {
    const cases = (finalists + 1) * args.validationCases * args.repeats;
    const inFlight = Math.min(args.concurrency, cases);
    return {
      calls: Math.ceil(cases * perCase.calls),
      tokens: Math.ceil(cases * perCase.tokens * 1.5 + inFlight * perCallWorst.tokens),
      usd: cases * perCase.usd * 1.5 + inFlight * perCallWorst.usd,
    };
  };
  const fits = (hold: ReturnType<typeof need>) =>
    (limits.max_llm_calls === undefined ||
      hold.calls <= (limits.max_llm_calls - used.llm_calls) / 2) &&
    (limits.max_tokens === undefined || hold.tokens <= (limits.max_tokens - used.tokens) / 2) &&
    (limits.max_usd === undefined || hold.usd <= (limits.max_usd - used.usd) / 2);
  let finalists = Math.max(1, args.finalists);
  while (finalists > 1 && !fits(need(finalists))) finalists--;
  const holdFor = (k: number): BudgetHold => {
    const chosen = need(Math.min(finalists, Math.max(1, k)));
    const hold: BudgetHold = {};
    if (limits.max_llm_calls !== undefined) hold.calls = chosen.calls;
    if (limits.max_tokens !== undefined) hold.tokens = chosen.tokens;
    if (limits.max_usd !== undefined) hold.usd = chosen.usd;
    if (limits.max_duration_s !== undefined) hold.duration_s = limits.max_duration_s * 0.15;
    return hold;
  };
  return { finalists, holdFor };
}

/** Records candidates for the sink, remembering each record so the runner can update its status. */
class Lineage implements ProgressSink {
  readonly records = new Map<number, CandidateRecord>();
  private counter = SEED_CANDIDATE_ID + 1;

  constructor(private readonly sink: ProgressSink | undefined) {}

  nextId(): number {
    return this.counter++;
  }

  private readonly withValidation = new Set<number>();

  candidate(record: CandidateRecord): void {
    this.records.set(record.id, record);
    if (
      record.id !== SEED_CANDIDATE_ID &&
      (typeof record.scores.validation === 'number' || record.status === 'accepted')
    ) {
      this.withValidation.add(record.id);
    }
    this.sink?.candidate(record);
  }

  /** Candidates other than the seed scored on validation or accepted (would-be finalists). */
  validated(): number {
    return this.withValidation.size;
  }

  iteration(progress: IterationProgress): void {
    this.sink?.iteration(progress);
  }

  update(
    id: number,
    patch: Partial<CandidateRecord>,
    scores: CandidateRecord['scores'] = {},
  ): void {
    const record = this.records.get(id);
    if (!record) return;
    this.candidate({ ...record, ...patch, scores: { ...record.scores, ...scores } });
  }
}

/**
 * Runs one optimization:
 * 1. split (golden cases or a seeded holdout; explicit ids win);
 * 2. the seed prompt scored on train and validation (the baseline), which also measures what a
 *    case costs; from it, a share of the budget is held back for step 4 (finalPhaseHold);
 * 3. the strategy searches with the rest: every call passes one BudgetAccountant, identical
 *    (candidate, case, seed) scorings are lookups, draws come from one seeded rng;
 * 4. the hold is released and the finalists and the seed are re-scored on validation with fresh
 *    sample seeds (seed + 1000 …); the best re-scored finalist is compared with the seed over the
 *    same cases. `improved` only when the 95% paired bootstrap interval of the gain is above 0
 *    and a paired sign-flip test gives p < 0.01 / k for k finalists (the best of k was picked
 *    on these cases); otherwise the winner is the seed and the verdict gives the measured
 *    difference.
 * Cancellation ends the search, keeps the incumbent as `best` and skips the re-scoring (no more
 * calls). A refused call ends the search, never the run. Deterministic for a seed: a replay after
 * a crash asks the same calls in the same order and finds every finished one in the LLM cache.
 */
export async function runOptimization(
  request: OptimizationRequest,
  ports: OptimizationPorts,
): Promise<OptimizationResult> {
  const registry = ports.registry ?? createStrategyRegistry();
  const strategy = registry.create(request.strategy);
  const params: unknown = strategy.parseParams(request.strategyParams);
  const runSeed = request.seed ?? 1;
  const split = splitCases({
    cases: request.cases,
    train_case_ids: request.trainCaseIds ?? null,
    validation_case_ids: request.validationCaseIds ?? null,
    seed: runSeed,
    ...(request.holdoutShare !== undefined ? { holdoutShare: request.holdoutShare } : {}),
  });
  const limits = effectiveBudget(request.budget, strategy.defaultMaxLlmCalls);
  const accountant = new BudgetAccountant(limits, {
    ...(ports.now ? { now: ports.now } : {}),
    ...(ports.priorDurationS ? { priorDurationS: ports.priorDurationS } : {}),
  });
  const signal = ports.signal ?? new AbortController().signal;
  const callsByRole: Record<ChatRequest['role'], number> = { task: 0, proposer: 0, judge: 0 };
  const budgeted = budgetedChat(
    accountant,
    ports.chat,
    chatEstimator({
      ...(ports.price ? { price: ports.price } : {}),
      ...(ports.defaultOutputTokens ? { defaultOutputTokens: ports.defaultOutputTokens } : {}),
    }),
  );
  const chat: ChatPort = async (req) => {
    const answer = await budgeted(req);
    callsByRole[req.role]++;
    return answer;
  };
  const judgeModel = request.judgeModel ?? request.seedCandidate.model;
  const judge: JudgePort = async (messages) =>
    (await chat({ model: judgeModel, messages, role: 'judge', signal })).text;
  const concurrency = request.concurrency ?? 4;
  const evaluator = new EngineEvaluator({
    plan: request.plan,
    ports: { chat, judge, ...(ports.embed ? { embed: ports.embed } : {}) },
    outputFields: request.outputFields,
    concurrency,
    defaultSeed: runSeed,
  });
  const proposer = new LlmProposer(
    chat,
    request.proposerModel ?? request.seedCandidate.model,
    `seed:${runSeed}:`,
  );
  const lineage = new Lineage(ports.progress);
  const seed = request.seedCandidate;
  const statSeed = request.plan.seed;

  const splitInfo = {
    method: split.method,
    train_case_ids: split.train.map((c) => c.id),
    validation_case_ids: split.validation.map((c) => c.id),
  };
  const base = {
    strategy: strategy.name,
    params,
    seed: runSeed,
    split: splitInfo,
    budget: limits,
    calls_by_role: callsByRole,
    proposer: proposer.stats,
  };

  // 2. Baseline.
  const seedTrain = await evaluator.score(seed, split.train, { signal });
  const seedValidation = seedTrain.complete
    ? await evaluator.score(seed, split.validation, { signal })
    : null;
  const baseline = {
    train: fromScore(seedTrain, statSeed),
    validation: seedValidation
      ? fromScore(seedValidation, statSeed)
      : { mean: null, n: 0, ci95: null },
  };
  lineage.candidate({
    id: SEED_CANDIDATE_ID,
    parentIds: [],
    operator: 'seed',
    candidate: seed,
    iteration: 0,
    scores: { train: baseline.train.mean, validation: baseline.validation.mean },
    status: 'scored',
  });
  const seedWinner = { id: SEED_CANDIDATE_ID, candidate: seed, is_seed: true };
  if (!seedTrain.complete || !seedValidation?.complete) {
    const cancelled = signal.aborted;
    return {
      ...base,
      status: cancelled ? 'cancelled' : 'completed',
      stop_reason: cancelled ? 'cancelled' : 'budget',
      baseline,
      best: null,
      seed_rescored: null,
      improved: false,
      delta: null,
      ci95: null,
      mcnemar_p: null,
      sign_flip_p: null,
      verdict: cancelled
        ? 'Cancelled before the seed prompt was scored: no improvement claimed.'
        : 'The budget ran out before the seed prompt was scored on every case: no search was run and no improvement is claimed.',
      winner: seedWinner,
      finalists: [],
      usage: accountant.used(),
      worst_case: { ...accountant.worstCase(), cheapest_call_usd: accountant.cheapestCallUsd() },
      held_for_final: {},
      final_incomplete: false,
      candidates: lineage.records.size,
      details: {},
    };
  }

  // 3. Search, with the final re-scoring's share held back.
  const repeats = Math.max(1, request.rescoreRepeats ?? 1);
  const planned = finalPhaseHold({
    limits,
    used: accountant.used(),
    worstCase: accountant.worstCase(),
    baselineCases: seedTrain.cases.length + seedValidation.cases.length,
    validationCases: split.validation.length,
    finalists: request.finalists ?? 3,
    repeats,
    concurrency,
  });
  // Held for as many finalists as the search has produced (scored on validation, or accepted).
  const hold = () => planned.holdFor(lineage.validated());
  accountant.setHold(hold);
  const ctx: StrategyContext<unknown> = {
    seed,
    train: split.train,
    validation: split.validation,
    signature: request.signature ?? null,
    evaluator,
    proposer,
    budget: accountant,
    rng: createRng(deriveSeed(runSeed, `strategy:${strategy.name}`)),
    signal,
    progress: lineage,
    params,
    nextId: () => lineage.nextId(),
    ...(request.models ? { models: request.models } : {}),
  };
  let outcome: StrategyOutcome;
  let searchRefused = false;
  try {
    outcome = await strategy.run(ctx);
  } catch (err) {
    if (!(err instanceof BudgetExhaustedError) && !signal.aborted) throw err;
    searchRefused = err instanceof BudgetExhaustedError;
    const incumbent = strategy.incumbent();
    outcome = { finalists: incumbent ? [incumbent] : [] };
  }
  const exhaustedBy = accountant.exhaustedBy();
  const heldForFinal = hold();
  accountant.releaseHold();

  let stopReason: StopReason = 'done';
  if (signal.aborted) stopReason = 'cancelled';
  else if (exhaustedBy === 'max_duration_s') stopReason = 'duration';
  else if (exhaustedBy === 'max_iterations') stopReason = 'iterations';
  else if (exhaustedBy || searchRefused || accountant.refused() > 0) stopReason = 'budget';

  // Finalists: distinct, not the seed, best first as the strategy ranked them.
  const seedKey = candidateKey(seed);
  const seen = new Set([seedKey]);
  const finalists: { id: number; candidate: Candidate }[] = [];
  for (const f of outcome.finalists) {
    const key = candidateKey(f.candidate);
    if (seen.has(key)) continue;
    seen.add(key);
    finalists.push(f);
  }
  const details = outcome.details ?? {};

  const searchSummary = async (c: Candidate, cases: readonly EngineCase[]) => {
    // Only memoised results: a lookup, never a call (the final phase's budget is for re-scoring).
    const score = await evaluator.lookup(c, cases);
    return fromScore(score, statSeed);
  };

  if (signal.aborted) {
    const incumbent = strategy.incumbent() ?? finalists[0] ?? null;
    const best =
      incumbent && candidateKey(incumbent.candidate) !== seedKey
        ? {
            id: incumbent.id,
            candidate: incumbent.candidate,
            train: await searchSummary(incumbent.candidate, split.train),
            validation: await searchSummary(incumbent.candidate, split.validation),
            validation_rescored: null,
          }
        : null;
    return {
      ...base,
      status: 'cancelled',
      stop_reason: 'cancelled',
      baseline,
      best,
      seed_rescored: null,
      improved: false,
      delta: null,
      ci95: null,
      mcnemar_p: null,
      sign_flip_p: null,
      verdict:
        'Cancelled before the finalists were re-scored: the best candidate so far is kept, no improvement is claimed.',
      winner: seedWinner,
      finalists: [],
      usage: accountant.used(),
      worst_case: { ...accountant.worstCase(), cheapest_call_usd: accountant.cheapestCallUsd() },
      held_for_final: heldForFinal,
      final_incomplete: false,
      candidates: lineage.records.size,
      details,
    };
  }

  // 4. Re-score the finalists and the seed on validation with fresh seeds.
  const chosen = finalists.slice(0, planned.finalists);
  const rescore = async (c: Candidate) => {
    const scores: CandidateScore[] = [];
    for (let r = 0; r < repeats; r++) {
      scores.push(
        await evaluator.score(c, split.validation, {
          seed: runSeed + RESCORE_SEED_OFFSET + r,
          signal,
        }),
      );
    }
    return scores;
  };
  // Nothing to compare without a finalist: no call is spent re-scoring the seed alone.
  const seedScores = chosen.length > 0 ? await rescore(seed) : [];
  let finalIncomplete = seedScores.some((s) => !s.complete);
  const seedOutcomes = outcomes(seedScores, request.plan.passThreshold);
  const rescored: {
    id: number;
    candidate: Candidate;
    map: Map<string, CaseOutcome>;
    scores: CandidateScore[];
    complete: boolean;
  }[] = [];
  for (const f of chosen) {
    const scores = await rescore(f.candidate);
    const complete = scores.every((s) => s.complete);
    if (!complete) finalIncomplete = true;
    const map = outcomes(scores, request.plan.passThreshold);
    rescored.push({ ...f, map, scores, complete });
    lineage.update(f.id, { status: 'finalist' }, { rescored: meanOfMap(map) });
  }
  // A finalist the budget cut short is judged only when none was re-scored in full: a mean
  // over fewer cases is not comparable with the others.
  const judged = rescored.some((r) => r.complete) ? rescored.filter((r) => r.complete) : rescored;
  let top: (typeof rescored)[number] | null = null;
  for (const r of judged) {
    const mean = meanOfMap(r.map);
    if (mean === null) continue;
    if (!top || mean > (meanOfMap(top.map) ?? -Infinity)) top = r;
  }

  const pooled = (scores: CandidateScore[]) =>
    scoreSummary(
      scores.flatMap((s) => s.cases),
      statSeed,
    );
  const seedRescored = pooled(seedScores);
  let improved = false;
  let delta: number | null = null;
  let ci95: [number, number] | null = null;
  let mcnemarP: number | null = null;
  let signFlipP: number | null = null;
  let verdict: string;
  if (!top) {
    verdict =
      finalists.length === 0
        ? 'The search found no candidate different from the seed prompt: no improvement.'
        : 'No finalist could be re-scored within the budget: no improvement is claimed.';
  } else {
    const comparison = comparePaired(seedOutcomes, top.map, { seed: statSeed });
    delta = comparison.delta;
    ci95 = comparison.ci95;
    mcnemarP = comparison.mcnemar.p_value;
    // The top finalist was picked on these same cases: with k finalists the best of k looks
    // better than it is, and a deterministic model answers a fresh seed exactly as before. So
    // besides the 95% interval, the gain must pass a paired sign-flip test (exact on few cases,
    // where percentile bootstrap intervals are too narrow) at SIGNIFICANCE / k, one-sided.
    const threshold = SIGNIFICANCE / Math.max(1, judged.length);
    const flips = signFlipTest(
      comparison.cases.map((c) => c.delta),
      { seed: statSeed },
    );
    signFlipP = flips.p_greater;
    improved =
      delta !== null && delta > 0 && ci95 !== null && ci95[0] > 0 && flips.p_greater < threshold;
    const interval = ci95 ? ` (95% CI ${fmt(ci95[0])} to ${fmt(ci95[1])})` : '';
    const test = `; sign-flip p ${flips.p_greater < 0.001 ? '< 0.001' : `= ${flips.p_greater.toFixed(3)}`}, needed < ${threshold.toFixed(4)} for the best of ${judged.length} finalist${judged.length === 1 ? '' : 's'}`;
    const over = `over ${comparison.shared} validation case${comparison.shared === 1 ? '' : 's'} re-scored with fresh samples`;
    verdict = improved
      ? `Improved: the best candidate scores ${fmt(delta ?? 0)} above the seed prompt ${over}${interval}${test}.`
      : `No significant improvement: the measured difference is ${delta === null ? 'unknown' : fmt(delta)} ${over}${interval}${test}.`;
  }

  const best = top
    ? {
        id: top.id,
        candidate: top.candidate,
        train: await searchSummary(top.candidate, split.train),
        validation: await searchSummary(top.candidate, split.validation),
        validation_rescored: pooled(top.scores),
      }
    : null;
  const winner =
    improved && top ? { id: top.id, candidate: top.candidate, is_seed: false } : seedWinner;
  lineage.update(
    winner.id,
    { status: 'winner' },
    winner.is_seed && seedScores.length ? { rescored: seedRescored.mean } : {},
  );

  return {
    ...base,
    status: 'completed',
    stop_reason: stopReason,
    baseline,
    best,
    seed_rescored: seedScores.length ? seedRescored : null,
    improved,
    delta,
    ci95,
    mcnemar_p: mcnemarP,
    sign_flip_p: signFlipP,
    verdict,
    winner,
    finalists: rescored.map((r) => ({
      id: r.id,
      validation_rescored: meanOfMap(r.map),
      n: r.map.size,
    })),
    usage: accountant.used(),
    worst_case: { ...accountant.worstCase(), cheapest_call_usd: accountant.cheapestCallUsd() },
    held_for_final: heldForFinal,
    final_incomplete: finalIncomplete,
    candidates: lineage.records.size,
    details,
  };
}
