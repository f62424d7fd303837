import { candidateKey } from '../candidate-key';
import { parseParameters } from '../params';
import type {
  Candidate,
  OptimizationStrategy,
  ParameterSpec,
  StrategyContext,
  StrategyOutcome,
} from '../types';
import {
  bootstrapTraces,
  type DemoSelection,
  estimatedCallsLeft,
  outputNames,
  selectDemoSet,
} from './demo-bootstrap';
import {
  IncumbentTracker,
  newErrorCounters,
  SEED_ID,
  type StopReason,
  stopReason,
} from './strategy-support';

export interface BootstrapParams {
  num_examples: number;
  max_labeled_demos: number;
  selection_strategy: DemoSelection;
  num_candidate_sets: number;
  max_rounds: number;
}

const PARAMETERS: ParameterSpec[] = [
  {
    name: 'num_examples',
    type: 'integer',
    minimum: 1,
    maximum: 16,
    default: 4,
    description: 'Few-shot demos per candidate set.',
  },
  {
    name: 'max_labeled_demos',
    type: 'integer',
    minimum: 0,
    maximum: 16,
    default: 4,
    description:
      'Labeled train cases (input and expected output) that may fill a set when fewer traces ' +
      'passed than num_examples; they also teach the later bootstrapping rounds.',
  },
  {
    name: 'selection_strategy',
    type: 'enum',
    values: ['best', 'diverse', 'random'],
    default: 'best',
    description:
      'How a set is drawn from the passing traces: the highest-scoring, a spread of different ' +
      'inputs, or at random.',
  },
  {
    name: 'num_candidate_sets',
    type: 'integer',
    minimum: 1,
    maximum: 200,
    default: 8,
    description:
      'Demo sets scored on validation in the random search. Bootstrapping keeps their cost in ' +
      'reserve; budget it leaves unused pays for further sets.',
  },
  {
    name: 'max_rounds',
    type: 'integer',
    minimum: 1,
    maximum: 10,
    default: 3,
    description:
      'Bootstrapping rounds: the first runs the seed prompt, later ones the seed taught by the ' +
      'demos found so far, on the train cases that have not passed yet.',
  },
];

/** Draws in a row that give an already-tried set before the search gives up. */
const MAX_DUPLICATE_DRAWS = 20;

/**
 * Few-shot demos from metric-passing traces (DSPy's bootstrap with random search). The seed
 * prompt is run on train cases and the answers that pass become demos; if too few pass, labeled
 * train cases fill the teacher and later rounds bootstrap again with it. Then demo sets drawn by
 * `selection_strategy` are scored on validation, best set wins. The bootstrapping keeps the
 * planned search's calls in reserve, and the search goes on with more sets while budget is left.
 * Demos never come from validation cases.
 */
export class BootstrapStrategy implements OptimizationStrategy<BootstrapParams> {
  readonly name = 'bootstrap';
  readonly description =
    'Few-shot demos bootstrapped from answers that pass the metrics on train cases (labeled ' +
    'cases fill in when too few pass); random search over demo sets, chosen on validation.';
  readonly parameters = PARAMETERS;
  readonly defaultMaxLlmCalls = 300;

  private readonly best = new IncumbentTracker();

  parseParams(input: unknown): BootstrapParams {
    return parseParameters<BootstrapParams>(PARAMETERS, input);
  }

  incumbent(): { id: number; candidate: Candidate } | null {
    return this.best.get();
  }

  async run(ctx: StrategyContext<BootstrapParams>): Promise<StrategyOutcome> {
    const p = ctx.params;
    const errors = newErrorCounters();
    const outputs = outputNames(ctx);
    const seedValidation = await ctx.evaluator.score(ctx.seed, ctx.validation, {
      signal: ctx.signal,
    });
    if (seedValidation.complete) this.best.consider(SEED_ID, ctx.seed, seedValidation.mean);
    const seedKey = candidateKey(ctx.seed);

    // 1. Traces, keeping the planned search's calls (at most half of what is left) in reserve.
    const perSet = ctx.validation.length;
    const reserveCalls = Math.min(
      p.num_candidate_sets * perSet,
      Math.floor(estimatedCallsLeft(ctx.budget) / 2),
    );
    const boot = await bootstrapTraces(
      ctx,
      {
        target: Math.max(p.num_examples * 2, p.num_examples + 2),
        maxRounds: p.max_rounds,
        maxLabeled: p.max_labeled_demos,
        teacherDemos: p.num_examples,
        reserveCalls,
      },
      errors,
    );
    let stopped: StopReason = boot.stopped ?? 'done';

    // 2. Random search over demo sets, on validation.
    const tried = new Set<string>([seedKey]);
    const scored: { id: number; candidate: Candidate; validation: number; order: number }[] = [];
    let setIndex = 0;
    let duplicates = 0;
    while (!boot.stopped) {
      const reason = stopReason(ctx);
      if (reason) {
        stopped = reason;
        break;
      }
      // Past the planned sets, go on only while one more set fits in the budget.
      if (setIndex >= p.num_candidate_sets && estimatedCallsLeft(ctx.budget) < perSet) {
        stopped = 'budget';
        break;
      }
      const demos = selectDemoSet({
        traces: boot.traces,
        k: p.num_examples,
        selection: p.selection_strategy,
        setIndex,
        rng: ctx.rng,
        train: ctx.train,
        maxLabeled: p.max_labeled_demos,
        outputs,
      });
      if (demos.length === 0) break;
      const candidate: Candidate = { ...ctx.seed, fewShotExamples: demos.map((d) => d.example) };
      const key = candidateKey(candidate);
      if (tried.has(key)) {
        if (++duplicates >= MAX_DUPLICATE_DRAWS) break;
        continue;
      }
      duplicates = 0;
      tried.add(key);
      if (!ctx.budget.startIteration()) {
        stopped = 'iterations';
        break;
      }
      setIndex++;
      const id = ctx.nextId();
      const score = await ctx.evaluator.score(candidate, ctx.validation, { signal: ctx.signal });
      const labeled = demos.filter((d) => d.kind === 'labeled').length;
      ctx.progress.candidate({
        id,
        parentIds: [SEED_ID],
        operator: 'bootstrap_demos',
        candidate,
        iteration: setIndex,
        scores: { validation: score.complete ? score.mean : null },
        status: score.complete ? 'scored' : 'pruned',
        note: `${demos.length - labeled} bootstrapped and ${labeled} labeled demos (cases ${demos.map((d) => d.caseId).join(', ')}).`,
      });
      if (!score.complete) {
        errors.incomplete_scores++;
        stopped = stopReason(ctx) ?? 'budget';
        break;
      }
      scored.push({ id, candidate, validation: score.mean, order: setIndex });
      this.best.consider(id, candidate, score.mean);
      ctx.progress.iteration({
        iteration: setIndex,
        maxIterations: null,
        current: score.mean,
        best: this.best.score(),
      });
    }

    const finalists = [...scored]
      .sort((a, b) => b.validation - a.validation || a.order - b.order)
      .map(({ id, candidate }) => ({ id, candidate }));
    return {
      finalists,
      details: {
        traces: boot.traces.length,
        traces_by_round: countBy(boot.traces.map((t) => t.round)),
        bootstrap_rounds: boot.rounds,
        sets_scored: scored.length,
        stop_reason: stopped,
        errors,
      },
    };
  }
}

function countBy(values: number[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[String(v)] = (out[String(v)] ?? 0) + 1;
  return out;
}
