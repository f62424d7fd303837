/**
 * Few-shot demos for bootstrap and mipro: traces of the prompt passing train cases, labeled train
 * cases to fill a set, and the selection of demo sets. Demos only ever come from `ctx.train`.
 */
import type { FewShotExample } from '@ps/common';
import type { CaseResult, EngineCase } from '@ps/evaluation';
import { valueText } from '../proposer/evidence';
import type { BudgetView, Candidate, Rng, StrategyContext } from '../types';
import { type ErrorCounters, type StopReason, stopReason } from './strategy-support';

/** A demo and where it came from. */
export interface Demo {
  caseId: string;
  example: FewShotExample;
  /** The trace's score (1 for a labeled case). */
  score: number;
  kind: 'bootstrapped' | 'labeled';
  /** Bootstrapping round that produced it (-1 for labeled demos). */
  round: number;
}

export type DemoSelection = 'best' | 'diverse' | 'random';

function outputNames(ctx: StrategyContext<unknown>): string[] {
  return ctx.signature?.outputs ?? [];
}

function pick(record: Record<string, unknown>, names: string[]): Record<string, unknown> {
  return Object.fromEntries(names.filter((n) => n in record).map((n) => [n, record[n]]));
}

/**
 * A train case as a demo with its expected output: the signature's output fields when it has
 * some, else the expected value as text (a lone field's value as is), which is what the model
 * is asked to answer.
 */
export function labeledDemo(testCase: EngineCase, outputs: string[]): Demo {
  const example: FewShotExample = {
    inputs: testCase.inputs,
    outputs: outputs.length ? pick(testCase.expected, outputs) : valueText(testCase.expected),
  };
  return { caseId: testCase.id, example, score: 1, kind: 'labeled', round: -1 };
}

/** A passing trace as a demo: what the model answered (parsed into the output fields when it could be). */
export function traceDemo(
  testCase: EngineCase,
  result: CaseResult,
  outputs: string[],
  round: number,
): Demo {
  const example: FewShotExample = {
    inputs: testCase.inputs,
    outputs: outputs.length && result.parsed ? pick(result.parsed, outputs) : (result.output ?? ''),
  };
  return { caseId: testCase.id, example, score: result.score ?? 0, kind: 'bootstrapped', round };
}

/**
 * How many more calls the budget allows, judged by the tightest limit and the average tokens
 * and money of the calls so far (Infinity without limits).
 */
export function estimatedCallsLeft(budget: BudgetView): number {
  const l = budget.limits;
  const u = budget.used();
  let left = Infinity;
  if (l.max_llm_calls !== undefined) left = Math.min(left, l.max_llm_calls - u.llm_calls);
  if (u.llm_calls > 0) {
    if (l.max_tokens !== undefined && u.tokens > 0) {
      left = Math.min(left, (l.max_tokens - u.tokens) / (u.tokens / u.llm_calls));
    }
    if (l.max_usd !== undefined && u.usd > 0) {
      left = Math.min(left, (l.max_usd - u.usd) / (u.usd / u.llm_calls));
    }
  }
  return Math.max(0, Math.floor(left));
}

export interface BootstrapOptions {
  /** Stop once this many traces of cases the seed failed were found (round 0, a lookup, always runs through). */
  target: number;
  /** Rounds at most; rounds after the first use the demos found so far as the teacher. */
  maxRounds: number;
  /** Labeled train cases that fill the teacher's demos when too few traces passed. */
  maxLabeled: number;
  /** Demos of a teacher. */
  teacherDemos: number;
  /** Keep this many calls for what comes after (the search over demo sets). */
  reserveCalls: number;
}

export interface BootstrapOutcome {
  traces: Demo[];
  rounds: number;
  stopped: StopReason | null;
}

const CHUNK = 8;

/**
 * Runs the prompt on train cases and keeps the passing traces. Round 0 is the seed prompt (its
 * baseline, so a lookup). Traces of cases the seed already passes teach it little, so later
 * rounds go after the cases it failed, with a teacher: the seed shown traces earned on such cases
 * so far and labeled train cases it has not passed (never the case being run), so a seed that
 * passes nothing still gets started. Stops once `target` traces of failed cases are found, when
 * every case passed, after `maxRounds`, or when the calls left would eat into `reserveCalls`.
 */
export async function bootstrapTraces(
  ctx: StrategyContext<unknown>,
  options: BootstrapOptions,
  errors: ErrorCounters,
): Promise<BootstrapOutcome> {
  const outputs = outputNames(ctx);
  const byId = new Map(ctx.train.map((c) => [c.id, c]));
  const traces: Demo[] = [];
  const hardTraces = () => traces.filter((t) => t.round > 0).length;
  let pending = ctx.rng.shuffle(ctx.train);
  let rounds = 0;
  for (let round = 0; round < options.maxRounds && pending.length > 0; round++) {
    let teacher: Candidate = ctx.seed;
    let teacherIds = new Set<string>();
    if (round > 0) {
      // The teacher is taught what the seed got wrong: traces earned on cases it failed, then
      // labeled cases it has not passed yet. Without labeled demos and such traces, the traces
      // found so far teach.
      const demos = traces.filter((t) => t.round > 0).slice(0, options.teacherDemos);
      const room = Math.min(options.teacherDemos - demos.length, options.maxLabeled);
      if (room > 0) {
        const used = new Set(demos.map((d) => d.caseId));
        demos.push(
          ...ctx.rng
            .sample(
              pending.filter((c) => !used.has(c.id)),
              room,
            )
            .map((c) => labeledDemo(c, outputs)),
        );
      }
      if (demos.length === 0) demos.push(...traces.slice(0, options.teacherDemos));
      if (demos.length === 0) break;
      teacherIds = new Set(demos.map((d) => d.caseId));
      teacher = { ...ctx.seed, fewShotExamples: demos.map((d) => d.example) };
    }
    rounds++;
    const runnable = pending.filter((c) => !teacherIds.has(c.id));
    const stillPending = pending.filter((c) => teacherIds.has(c.id));
    for (let i = 0; i < runnable.length; i += CHUNK) {
      const chunk = runnable.slice(i, i + CHUNK);
      const reason = stopReason(ctx);
      const enough = round > 0 && hardTraces() >= options.target;
      const tooDear =
        round > 0 && estimatedCallsLeft(ctx.budget) - chunk.length < options.reserveCalls;
      if (reason || enough || tooDear) {
        stillPending.push(...runnable.slice(i));
        if (reason) return { traces, rounds, stopped: reason };
        break;
      }
      const score = await ctx.evaluator.score(teacher, chunk, { signal: ctx.signal });
      if (!score.complete) errors.incomplete_scores++;
      const seen = new Set<string>();
      for (const result of score.cases) {
        seen.add(result.caseId);
        const testCase = byId.get(result.caseId);
        if (!testCase) continue;
        if (result.status === 'infra_error' || result.status === 'timeout') errors.infra_errors++;
        if (result.passed === true) traces.push(traceDemo(testCase, result, outputs, round));
        else stillPending.push(testCase);
      }
      if (!score.complete) {
        stillPending.push(...chunk.filter((c) => !seen.has(c.id)), ...runnable.slice(i + CHUNK));
        return { traces, rounds, stopped: stopReason(ctx) ?? 'budget' };
      }
    }
    pending = stillPending;
    if (round > 0 && hardTraces() >= options.target) break;
  }
  return { traces, rounds, stopped: null };
}

function tokens(text: string): Set<string> {
  return new Set(text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []);
}

function jaccardDistance(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 && b.size === 0) return 0;
  let shared = 0;
  for (const t of a) if (b.has(t)) shared++;
  return 1 - shared / (a.size + b.size - shared);
}

/**
 * One demo set of up to `k` traces: `best` the most telling (traces of cases the seed failed,
 * then by score; the first set the top k, later sets k drawn from the top 2k), `diverse` a greedy max–min spread of inputs from a random start,
 * `random` a uniform draw. When the traces are too few, labeled train cases not in the set fill
 * it, up to `maxLabeled`.
 */
export function selectDemoSet(args: {
  traces: readonly Demo[];
  k: number;
  selection: DemoSelection;
  setIndex: number;
  rng: Rng;
  train: readonly EngineCase[];
  maxLabeled: number;
  outputs: string[];
}): Demo[] {
  const { traces, k, rng } = args;
  let chosen: Demo[];
  if (args.selection === 'random') {
    chosen = rng.sample(traces, k);
  } else if (args.selection === 'best') {
    // Traces of cases the seed failed first: they show what it does not know yet.
    const ranked = [...traces].sort(
      (a, b) => Number(b.round > 0) - Number(a.round > 0) || b.score - a.score,
    );
    chosen = args.setIndex === 0 ? ranked.slice(0, k) : rng.sample(ranked.slice(0, 2 * k), k);
  } else {
    chosen = [];
    if (traces.length > 0) {
      const words = traces.map((t) => tokens(JSON.stringify(t.example.inputs)));
      const taken = new Set<number>([rng.int(0, traces.length)]);
      while (taken.size < Math.min(k, traces.length)) {
        let bestIndex = -1;
        let bestDistance = -1;
        for (let i = 0; i < traces.length; i++) {
          if (taken.has(i)) continue;
          let nearest = Infinity;
          for (const j of taken) nearest = Math.min(nearest, jaccardDistance(words[i], words[j]));
          if (nearest > bestDistance) {
            bestDistance = nearest;
            bestIndex = i;
          }
        }
        taken.add(bestIndex);
      }
      chosen = [...taken].map((i) => traces[i]);
    }
  }
  const missing = Math.min(k - chosen.length, args.maxLabeled);
  if (missing > 0) {
    const used = new Set(chosen.map((d) => d.caseId));
    chosen = [
      ...chosen,
      ...rng
        .sample(
          args.train.filter((c) => !used.has(c.id)),
          missing,
        )
        .map((c) => labeledDemo(c, args.outputs)),
    ];
  }
  return chosen;
}

export { outputNames };
