import type { SignatureFieldSpec } from '@ps/common';
import { runCase } from './case-runner';
import { expectedForMetrics } from './case-scoring';
import {
  BudgetExhaustedError,
  type CaseResult,
  type EngineCase,
  type EnginePorts,
  type PromptUnderTest,
} from './ports';
import type { ScoringPlan } from './scoring-plan';
import { type RunSummary, SummaryAccumulator } from './summary-accumulator';

export interface RunEvaluationArgs {
  prompt: PromptUnderTest;
  /** The cases, as a list or as pages (so a run of 100,000 cases never holds them all). */
  cases: readonly EngineCase[] | AsyncIterable<readonly EngineCase[]>;
  plan: ScoringPlan;
  ports: EnginePorts;
  outputFields: readonly SignatureFieldSpec[];
  /** Calls in flight at once. Default 4. */
  concurrency?: number;
  /** Runs per case. Default 1; above 1 the cache is bypassed unless `cacheSalt` is used. */
  repeats?: number;
  signal?: AbortSignal;
  bypassCache?: boolean;
  cacheSalt?: string;
  /**
   * (case, repeat) pairs already done (a resumed run): neither run nor summarised. Asked once per
   * pair, in the order of the cases, while the next page may already be loading.
   */
  skip?: (caseId: string, repeat: number) => boolean;
  /** Every result as it is ready; awaited, so a slow sink slows the run rather than piling up. */
  onResult?: (result: CaseResult) => void | Promise<void>;
  /** After each result: completed (including skipped pairs) out of total, when known. */
  onProgress?: (progress: { completed: number; total: number | null }) => void | Promise<void>;
  /** Keep every result in the returned list (small runs, optimizers). Default false. */
  keepResults?: boolean;
  /** Total pairs, for progress, when `cases` is paged. */
  total?: number;
  /**
   * Build the summary of this call's results. Default true; a caller that summarises elsewhere
   * (the evaluation job, from the stored rows) saves the work with false.
   */
  summarize?: boolean;
}

export interface RunEvaluationOutcome {
  /** Results of this call, in completion order (only with keepResults). */
  results: CaseResult[];
  /** Why the run ended early: the budget refused a call, or the signal was aborted. */
  stopped: null | 'budget' | 'cancelled';
  /** Summary of the results of this call (skipped pairs are not in it); null with summarize: false. */
  summary: RunSummary | null;
  /** Results produced by this call. */
  completed: number;
}

/**
 * The pages of cases, each next page asked for as soon as the previous one arrives: its load
 * overlaps the cases of the page in hand instead of leaving the freed slots empty while it runs.
 * At most one page is read ahead. Leaving the loop early closes the source; a page that failed to
 * load fails the loop when it is reached, never as an unhandled rejection.
 */
async function* pages(
  cases: readonly EngineCase[] | AsyncIterable<readonly EngineCase[]>,
): AsyncGenerator<readonly EngineCase[]> {
  if (!(Symbol.asyncIterator in cases)) {
    yield cases;
    return;
  }
  const source = cases[Symbol.asyncIterator]();
  let ahead = source.next();
  ahead.catch(() => undefined);
  let done = false;
  try {
    for (;;) {
      const page = await ahead;
      if (page.done) {
        done = true;
        return;
      }
      ahead = source.next();
      ahead.catch(() => undefined);
      yield page.value;
    }
  } finally {
    if (!done) {
      // Left early (or a page failed): let the page being read settle, then close the source.
      await ahead.catch(() => undefined);
      await source.return?.();
    }
  }
}

/**
 * Runs a set of cases through the case runner with bounded concurrency and returns the summary.
 * The first call runs alone: a terminal error (bad key, no quota, unknown model) then stops the
 * run after one request instead of `concurrency` simultaneous ones. A terminal error is thrown
 * once the calls in flight have settled (their results still reach `onResult`); a refused budget
 * or an aborted signal ends the run with `stopped` set and the results so far.
 */
export async function runEvaluation(args: RunEvaluationArgs): Promise<RunEvaluationOutcome> {
  const concurrency = Math.max(1, args.concurrency ?? 4);
  const repeats = Math.max(1, args.repeats ?? 1);
  const bypassCache = args.bypassCache ?? (repeats > 1 && !args.cacheSalt);
  const summary =
    args.summarize === false ? null : new SummaryAccumulator(args.plan, args.outputFields, repeats);
  const results: CaseResult[] = [];
  const active = new Set<Promise<void>>();
  let failure: Error | undefined;
  let stopped: RunEvaluationOutcome['stopped'] = null;
  let probed = false;
  let completed = 0;
  let skipped = 0;
  // The loop below waits for a free slot; the task that frees one wakes it. (Racing the set of
  // tasks instead would hang one more reaction on every task in flight per case launched.)
  let wake: (() => void) | undefined;
  const slotFreed = () => {
    const waiting = wake;
    wake = undefined;
    waiting?.();
  };

  const finish = async (result: CaseResult, testCase: EngineCase) => {
    summary?.add(
      result,
      summary.needsExpected ? expectedForMetrics(testCase.inputs, testCase.expected) : undefined,
    );
    if (args.keepResults) results.push(result);
    completed++;
    await args.onResult?.(result);
    await args.onProgress?.({ completed: completed + skipped, total: args.total ?? null });
  };

  const launch = (testCase: EngineCase, repeat: number) => {
    const task = runCase({
      prompt: args.prompt,
      testCase,
      plan: args.plan,
      ports: args.ports,
      outputFields: args.outputFields,
      repeat,
      bypassCache,
      ...(args.cacheSalt
        ? { cacheSalt: repeats > 1 ? `${args.cacheSalt}:r${repeat}` : args.cacheSalt }
        : {}),
      ...(args.signal ? { signal: args.signal } : {}),
    })
      .then((result) => finish(result, testCase))
      .catch((err: unknown) => {
        if (args.signal?.aborted) stopped ??= 'cancelled';
        else if (err instanceof BudgetExhaustedError) stopped ??= 'budget';
        else failure ??= err instanceof Error ? err : new Error(String(err));
      })
      .finally(() => {
        probed = true;
        active.delete(task);
        slotFreed();
      });
    active.add(task);
  };

  outer: for await (const page of pages(args.cases)) {
    for (const testCase of page) {
      for (let repeat = 0; repeat < repeats; repeat++) {
        if (args.skip?.(testCase.id, repeat)) {
          skipped++;
          continue;
        }
        while (active.size >= (probed ? concurrency : 1)) {
          await new Promise<void>((resolve) => (wake = resolve));
        }
        if (args.signal?.aborted) stopped ??= 'cancelled';
        if (failure !== undefined || stopped) break outer;
        launch(testCase, repeat);
      }
    }
  }
  await Promise.all(active);
  if (failure !== undefined) throw failure;
  if (!stopped && args.signal?.aborted) stopped = 'cancelled';
  return { results, stopped, summary: summary?.build() ?? null, completed };
}
