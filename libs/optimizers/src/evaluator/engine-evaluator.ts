import type { SignatureFieldSpec } from '@ps/common';
import {
  type CaseResult,
  type EngineCase,
  type EnginePorts,
  runEvaluation,
  type ScoringPlan,
} from '@ps/evaluation';
import { candidateKey } from '../candidate-key';
import type { Candidate, CandidateScore, Evaluator } from '../types';

export interface EngineEvaluatorOptions {
  plan: ScoringPlan;
  /** The run's ports; every chat (task and judge) must already pass the budget accountant. */
  ports: EnginePorts;
  outputFields: readonly SignatureFieldSpec[];
  /** Calls in flight per scoring. Default 4. */
  concurrency?: number;
  /** Sample seed when a request names none. Default 0. */
  defaultSeed?: number;
}

/** The cache salt of a sample seed: fresh seeds are fresh samples, each cached on its own. */
export function seedSalt(seed: number): string {
  return `seed:${seed}`;
}

/**
 * Mean score of some case results: parse and render errors count 0 (the prompt's fault), infra
 * errors and time-outs are left out (not the prompt's fault), and so are ok cases no metric scored.
 */
export function meanScore(results: readonly CaseResult[]): { mean: number; scored: number } {
  let sum = 0;
  let scored = 0;
  for (const r of results) {
    if (r.status === 'parse_error' || r.status === 'render_error') {
      scored++;
    } else if (r.status === 'ok' && r.score !== null) {
      sum += r.score;
      scored++;
    }
  }
  return { mean: scored === 0 ? 0 : sum / scored, scored };
}

/**
 * The evaluator of a run over the evaluation engine. Results are memoised by (candidate key,
 * case id, seed): scoring a candidate again on cases it has seen is a lookup, and concurrent
 * requests for the same case share one promise. A case the budget or a cancellation stopped
 * before it was scored is forgotten, so a later request (after the hold is released) runs it.
 */
export class EngineEvaluator implements Evaluator {
  private readonly memo = new Map<string, Promise<CaseResult | null>>();
  private runs = 0;

  constructor(private readonly options: EngineEvaluatorOptions) {}

  /** Distinct (candidate, case, seed) results held. */
  get size(): number {
    return this.memo.size;
  }

  /** How many times the engine was asked to run cases (lookups excluded). */
  get engineRuns(): number {
    return this.runs;
  }

  /** The memoised results of a candidate on some cases: never a call (`complete` says whether all were there). */
  async lookup(
    candidate: Candidate,
    cases: readonly EngineCase[],
    seed = this.options.defaultSeed ?? 0,
  ): Promise<CandidateScore> {
    const key = candidateKey(candidate);
    const results: CaseResult[] = [];
    let complete = true;
    const seen = new Set<string>();
    for (const testCase of cases) {
      if (seen.has(testCase.id)) continue;
      seen.add(testCase.id);
      const result = await this.memo.get(`${key}\u0000${testCase.id}\u0000${seed}`);
      if (result) results.push(result);
      else complete = false;
    }
    const { mean, scored } = meanScore(results);
    return { key, mean, scored, cases: results, complete };
  }

  async score(
    candidate: Candidate,
    cases: readonly EngineCase[],
    options: { seed?: number; signal?: AbortSignal } = {},
  ): Promise<CandidateScore> {
    const key = candidateKey(candidate);
    const seed = options.seed ?? this.options.defaultSeed ?? 0;
    const memoKey = (caseId: string) => `${key}\u0000${caseId}\u0000${seed}`;

    const missing: EngineCase[] = [];
    const settle = new Map<string, (r: CaseResult | null) => void>();
    const seen = new Set<string>();
    for (const testCase of cases) {
      if (seen.has(testCase.id)) continue;
      seen.add(testCase.id);
      const k = memoKey(testCase.id);
      if (this.memo.has(k)) continue;
      missing.push(testCase);
      this.memo.set(
        k,
        new Promise<CaseResult | null>((resolve) => settle.set(testCase.id, resolve)),
      );
    }

    if (missing.length > 0) {
      this.runs++;
      const done = new Set<string>();
      try {
        await runEvaluation({
          prompt: candidate,
          cases: missing,
          plan: this.options.plan,
          ports: this.options.ports,
          outputFields: this.options.outputFields,
          concurrency: this.options.concurrency ?? 4,
          cacheSalt: seedSalt(seed),
          ...(options.signal ? { signal: options.signal } : {}),
          onResult: (result) => {
            done.add(result.caseId);
            settle.get(result.caseId)?.(result);
          },
        });
      } finally {
        // Cases the run did not reach (budget, cancellation, a terminal error) are not memoised.
        for (const testCase of missing) {
          if (done.has(testCase.id)) continue;
          this.memo.delete(memoKey(testCase.id));
          settle.get(testCase.id)?.(null);
        }
      }
    }

    const results: CaseResult[] = [];
    let complete = true;
    for (const id of seen) {
      const result = await this.memo.get(memoKey(id));
      if (result) results.push(result);
      else complete = false;
    }
    const { mean, scored } = meanScore(results);
    return { key, mean, scored, cases: results, complete };
  }
}
