import type { CaseResult, EngineCase } from '@ps/evaluation';
import type { CandidateScore, Evidence, Rng } from '../types';

/** A record's value as one text: a lone field's value as is, several fields as JSON. */
export function valueText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '';
  if (typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 1) return valueText(entries[0][1]);
  }
  return JSON.stringify(value) ?? '';
}

/** What the proposer is shown of one scored case. */
export function evidenceOf(testCase: EngineCase, result: CaseResult): Evidence {
  return {
    input: valueText(testCase.inputs),
    output:
      result.output ?? `(no answer: ${result.status}${result.error ? `, ${result.error}` : ''})`,
    expected: valueText(testCase.expected),
    score: result.score ?? 0,
    feedback: result.feedback || result.error || '',
  };
}

/** Whether a case's result counts as a failure worth showing: not passed, or scored below 1. */
export function isFailure(result: CaseResult): boolean {
  if (result.status === 'infra_error' || result.status === 'timeout') return false;
  if (result.status !== 'ok') return true;
  return result.passed === false || (result.score ?? 0) < 1;
}

/**
 * Evidence for the proposer from a candidate's score on some cases: failing cases first (drawn
 * with the run's rng when there are more than `limit`), then, when `includePassing` is set,
 * passing ones to fill the rest so the proposer sees what already works.
 */
export function collectEvidence(
  cases: readonly EngineCase[],
  score: CandidateScore,
  { limit, rng, includePassing = false }: { limit: number; rng: Rng; includePassing?: boolean },
): Evidence[] {
  const byId = new Map(cases.map((c) => [c.id, c]));
  const failing: Evidence[] = [];
  const passing: Evidence[] = [];
  for (const result of score.cases) {
    const testCase = byId.get(result.caseId);
    if (!testCase) continue;
    if (result.status === 'infra_error' || result.status === 'timeout') continue;
    (isFailure(result) ? failing : passing).push(evidenceOf(testCase, result));
  }
  const chosen = rng.sample(failing, limit);
  if (includePassing && chosen.length < limit) {
    chosen.push(...rng.sample(passing, limit - chosen.length));
  }
  return chosen;
}
