/**
 * Small pieces the search strategies share: stopping, proposing without letting a budget refusal
 * or a failed call end the run by accident, tracking the incumbent, and Pareto sets.
 */
import {
  BudgetExhaustedError,
  CallFailedError,
  type CaseResult,
  type EngineCase,
} from '@ps/evaluation';
import { evidenceOf, isFailure } from '../proposer/evidence';
import type {
  Candidate,
  CandidateScore,
  Evidence,
  ProposalRequest,
  Rng,
  StrategyContext,
} from '../types';

/** Lineage id of the seed prompt (the runner records it as SEED_CANDIDATE_ID before a strategy starts). */
export const SEED_ID = 0;

/** Why a strategy stopped searching. */
export type StopReason = 'done' | 'budget' | 'cancelled' | 'iterations';

/** Failures met along the way, reported in a strategy's details. */
export interface ErrorCounters {
  /** Proposals that came back empty (malformed twice, or a failed call). */
  proposer_empty: number;
  /** Proposer calls that failed for the infrastructure. */
  proposer_failed: number;
  /** Scorings cut short (budget or cancellation) before every case was scored. */
  incomplete_scores: number;
  /** Cases that failed for the infrastructure while scoring. */
  infra_errors: number;
}

export function newErrorCounters(): ErrorCounters {
  return { proposer_empty: 0, proposer_failed: 0, incomplete_scores: 0, infra_errors: 0 };
}

/** Why the run must stop now, or null to go on. */
export function stopReason(ctx: StrategyContext<unknown>): StopReason | null {
  if (ctx.signal.aborted) return 'cancelled';
  if (ctx.budget.exhausted()) return 'budget';
  return null;
}

/**
 * Asks the proposer; null means stop (the budget refused the call, or the run was cancelled).
 * A non-terminal failed call counts as an error and gives []; a terminal one ends the run.
 */
export async function proposeOrStop(
  ctx: StrategyContext<unknown>,
  request: ProposalRequest,
  errors: ErrorCounters,
): Promise<string[] | null> {
  if (stopReason(ctx)) return null;
  try {
    const texts = await ctx.proposer.propose(request, ctx.signal);
    if (ctx.signal.aborted) return null;
    if (texts.length === 0) errors.proposer_empty++;
    return texts;
  } catch (err) {
    if (err instanceof BudgetExhaustedError || ctx.signal.aborted) return null;
    if (err instanceof CallFailedError && !err.terminal) {
      errors.proposer_failed++;
      return [];
    }
    throw err;
  }
}

/** Distinct, non-empty proposals that differ from the texts already tried. */
export function freshTexts(texts: readonly string[], tried: Set<string>): string[] {
  const out: string[] = [];
  for (const raw of texts) {
    const text = raw.trim();
    if (text === '' || tried.has(text)) continue;
    tried.add(text);
    out.push(text);
  }
  return out;
}

/** The best candidate seen so far; the earliest wins among equal scores. */
export class IncumbentTracker {
  private current: { id: number; candidate: Candidate; score: number } | null = null;

  consider(id: number, candidate: Candidate, score: number | null): boolean {
    if (score === null || !Number.isFinite(score)) return false;
    if (this.current && score <= this.current.score) return false;
    this.current = { id, candidate, score };
    return true;
  }

  get(): { id: number; candidate: Candidate } | null {
    return this.current ? { id: this.current.id, candidate: this.current.candidate } : null;
  }

  score(): number | null {
    return this.current?.score ?? null;
  }
}

/**
 * Indices of the non-dominated items: no other item is at least as good on every objective and
 * better on one. Each objective maps an item to a number where higher is better.
 */
export function paretoFront<T>(items: readonly T[], objectives: ((item: T) => number)[]): number[] {
  const values = items.map((item) => objectives.map((f) => f(item)));
  const front: number[] = [];
  for (let i = 0; i < items.length; i++) {
    let dominated = false;
    for (let j = 0; j < items.length && !dominated; j++) {
      if (i === j) continue;
      let geAll = true;
      let gtOne = false;
      for (let k = 0; k < objectives.length; k++) {
        if (values[j][k] < values[i][k]) geAll = false;
        else if (values[j][k] > values[i][k]) gtOne = true;
      }
      dominated = geAll && gtOne;
    }
    if (!dominated) front.push(i);
  }
  return front;
}

/** Mean of a list, or null when empty. */
export function meanOf(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/**
 * Per case, the score a candidate got (as the evaluator's mean counts it): parse and render
 * errors count 0, infrastructure failures and unscored cases are left out.
 */
export function perCaseScores(results: readonly CaseResult[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of results) {
    if (r.status === 'parse_error' || r.status === 'render_error') out.set(r.caseId, 0);
    else if (r.status === 'ok' && r.score !== null) out.set(r.caseId, r.score);
  }
  return out;
}

/** Mean of the per-case scores over some case ids (those without a score are left out). */
export function meanOver(
  scores: ReadonlyMap<string, number>,
  ids: readonly string[],
): number | null {
  return meanOf(ids.flatMap((id) => (scores.has(id) ? [scores.get(id) as number] : [])));
}

/** A scored case the proposer may be shown. */
export interface ScoredCase {
  testCase: EngineCase;
  result: CaseResult;
}

/** The failing cases of a score (see isFailure), up to `limit`, drawn with the run's rng. */
export function failingCases(
  cases: readonly EngineCase[],
  score: CandidateScore,
  rng: Rng,
  limit: number,
  keep: (result: CaseResult) => boolean = () => true,
): ScoredCase[] {
  const byId = new Map(cases.map((c) => [c.id, c]));
  const failing: ScoredCase[] = [];
  for (const result of score.cases) {
    const testCase = byId.get(result.caseId);
    if (testCase && isFailure(result) && keep(result)) failing.push({ testCase, result });
  }
  return rng.sample(failing, limit);
}

/** The evidence records of some scored cases. */
export function evidenceFrom(scored: readonly ScoredCase[]): Evidence[] {
  return scored.map((s) => evidenceOf(s.testCase, s.result));
}

/**
 * A screening minibatch: the given cases first (those the proposal was asked to fix), filled up
 * to `size` with cases drawn from `pool`.
 */
export function screeningBatch(
  first: readonly EngineCase[],
  pool: readonly EngineCase[],
  size: number,
  rng: Rng,
): EngineCase[] {
  const chosen = first.slice(0, size);
  const ids = new Set(chosen.map((c) => c.id));
  const rest = pool.filter((c) => !ids.has(c.id));
  return [...chosen, ...rng.sample(rest, Math.max(0, size - chosen.length))];
}
