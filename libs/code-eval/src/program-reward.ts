import type { ProgramRun, RunStatus } from './program-runner';
import type { ProgramSpec } from './program-spec';
import { evaluate, ExpressionError, isTruthy, type Value } from './safe-expression';

/**
 * The reward mapping (libs/code-eval/README.md has the table):
 *
 * | outcome                                                        | reward        |
 * |----------------------------------------------------------------|---------------|
 * | no code in the answer                                          | -1            |
 * | refused before running (import off the list, internals)        | -1            |
 * | syntax error                                                   | -1            |
 * | blocked by the sandbox while running                           | -1            |
 * | exception, non-zero exit, crash                                | 0             |
 * | time, memory or output limit                                   | 0             |
 * | ran to the end                                                 | 1 + 9 × q     |
 *
 * q in [0, 1] is the mean of the parts the case asks for: the share of tests passed, the share
 * of constraints true, and the objective's credit. With none of them, q = 1 (running is the
 * task). score = clamp(reward / 10, 0, 1).
 */
export const MIN_REWARD = -1;
export const MAX_REWARD = 10;

export type ProgramOutcome = 'no_code' | 'refused' | RunStatus;

export interface ObjectiveResult {
  direction: 'minimize' | 'maximize';
  /** The value scored (null when the program produced none). */
  value: number | null;
  /** Where it came from: the metric variable or the last number printed. */
  source: string;
  credit: number;
}

export interface RewardParts {
  tests?: { passed: number; total: number; results: TestResult[] };
  constraints?: { satisfied: number; total: number; results: ConstraintResult[] };
  objective?: ObjectiveResult;
  /** The mean of the parts present (1 without parts). */
  quality: number;
}

export interface TestResult {
  call: string;
  passed: boolean;
  /** What the call returned, or why it failed. */
  got?: unknown;
  error?: string;
}

export interface ConstraintResult {
  constraint: string;
  satisfied: boolean;
  error?: string;
}

export function scoreOfReward(reward: number): number {
  return Math.min(1, Math.max(0, reward / MAX_REWARD));
}

/** The reward of a run that did not reach its end, or of an answer that never ran. */
export function failureReward(outcome: Exclude<ProgramOutcome, 'ok'>): number {
  switch (outcome) {
    case 'no_code':
    case 'refused':
    case 'syntax_error':
    case 'violation':
      return MIN_REWARD;
    case 'error':
    case 'timeout':
    case 'memory_limit':
    case 'output_limit':
      return 0;
  }
}

/** Decodes the runner's JSON encoding of special values ({__float__: 'nan'} …). */
export function decodeValue(value: unknown): Value {
  if (
    value === null ||
    typeof value === 'boolean' ||
    typeof value === 'number' ||
    typeof value === 'string'
  ) {
    return value;
  }
  if (Array.isArray(value)) return value.map(decodeValue);
  if (typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj);
    if (keys.length === 1 && keys[0] === '__float__') {
      return obj.__float__ === 'nan' ? NaN : obj.__float__ === '-inf' ? -Infinity : Infinity;
    }
    const out: Record<string, Value> = {};
    for (const key of keys) out[key] = decodeValue(obj[key]);
    return out;
  }
  return null;
}

/** Deep equality of JSON values, numbers within a relative tolerance. */
export function matches(got: Value, expected: unknown, tolerance: number): boolean {
  if (typeof expected === 'number' && typeof got === 'number') {
    if (Number.isNaN(expected) || Number.isNaN(got)) return false;
    if (expected === got) return true;
    return Math.abs(got - expected) <= tolerance * Math.max(1, Math.abs(expected));
  }
  if (Array.isArray(expected)) {
    return (
      Array.isArray(got) &&
      got.length === expected.length &&
      expected.every((e, i) => matches(got[i], e, tolerance))
    );
  }
  if (expected !== null && typeof expected === 'object') {
    if (got === null || typeof got !== 'object' || Array.isArray(got)) return false;
    const keys = Object.keys(expected);
    return (
      keys.length === Object.keys(got).length &&
      keys.every(
        (k) =>
          Object.hasOwn(got, k) &&
          matches(got[k], (expected as Record<string, unknown>)[k], tolerance),
      )
    );
  }
  return got === expected;
}

const NUMBER = /[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?/g;

/** The last number in the program's output (the default objective value). */
export function lastNumber(stdout: string): number | null {
  const text = stdout.length > 10_000 ? stdout.slice(-10_000) : stdout;
  let last: string | null = null;
  for (const match of text.matchAll(NUMBER)) last = match[0];
  return last === null ? null : Number(last);
}

function objectiveCredit(
  spec: NonNullable<ProgramSpec['objective']>,
  value: number | null,
): number {
  if (value === null || !Number.isFinite(value)) return 0;
  const { direction, target, baseline } = spec;
  if (target === undefined) return 1;
  if (baseline === undefined)
    return direction === 'maximize' ? Number(value >= target) : Number(value <= target);
  // One formula for both directions: the share of the way from the baseline to the target.
  return Math.min(1, Math.max(0, (value - baseline) / (target - baseline)));
}

/** What the finished run earns: each part's result and their mean. */
export function rewardParts(spec: ProgramSpec, run: ProgramRun): RewardParts {
  const parts: RewardParts = { quality: 1 };
  const shares: number[] = [];
  const scope: Record<string, Value> = {};
  for (const [name, value] of Object.entries(run.values)) scope[name] = decodeValue(value);

  if (spec.tests.length) {
    const results: TestResult[] = spec.tests.map((test, i) => {
      const outcome = run.tests[i];
      if (!outcome) return { call: test.call, passed: false, error: 'not run' };
      if (!outcome.ok) return { call: test.call, passed: false, error: outcome.error };
      const got = decodeValue(outcome.value);
      return { call: test.call, passed: matches(got, test.expect, test.tolerance), got };
    });
    const passed = results.filter((r) => r.passed).length;
    parts.tests = { passed, total: results.length, results };
    shares.push(passed / results.length);
  }
  if (spec.constraints.length) {
    const results: ConstraintResult[] = spec.constraints.map(({ source, expr }) => {
      try {
        return { constraint: source, satisfied: isTruthy(evaluate(expr, scope)) };
      } catch (err) {
        if (!(err instanceof ExpressionError)) throw err;
        return { constraint: source, satisfied: false, error: err.message };
      }
    });
    const satisfied = results.filter((r) => r.satisfied).length;
    parts.constraints = { satisfied, total: results.length, results };
    shares.push(satisfied / results.length);
  }
  if (spec.objective) {
    const { metricVar } = spec.objective;
    let value: number | null;
    if (metricVar) {
      const v = scope[metricVar];
      value = typeof v === 'number' ? v : typeof v === 'boolean' ? Number(v) : null;
    } else value = lastNumber(run.stdout);
    const credit = objectiveCredit(spec.objective, value);
    parts.objective = {
      direction: spec.objective.direction,
      value,
      source: metricVar ?? 'the last number printed',
      credit,
    };
    shares.push(credit);
  }
  parts.quality = shares.length ? shares.reduce((s, x) => s + x, 0) / shares.length : 1;
  return parts;
}

/** The reward of a run that reached its end. */
export function successReward(quality: number): number {
  return 1 + 9 * Math.min(1, Math.max(0, quality));
}
