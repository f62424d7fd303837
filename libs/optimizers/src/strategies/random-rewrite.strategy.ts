import { instructionOf, withInstruction } from '../candidate-text';
import { parseParameters } from '../params';
import type {
  Candidate,
  CandidateScore,
  OptimizationStrategy,
  ParameterSpec,
  StrategyContext,
  StrategyOutcome,
} from '../types';
import {
  IncumbentTracker,
  SEED_ID,
  type StopReason,
  freshTexts,
  meanOver,
  newErrorCounters,
  perCaseScores,
  proposeOrStop,
  screeningBatch,
  stopReason,
} from './strategy-support';

export interface RandomRewriteParams {
  candidates_per_iteration: number;
  screen_size: number;
  fitness_cases: number;
  iterations: number | null;
  finalists: number;
}

const PARAMETERS: ParameterSpec[] = [
  {
    name: 'candidates_per_iteration',
    type: 'integer',
    minimum: 1,
    maximum: 10,
    default: 2,
    description: 'Paraphrases asked for per iteration.',
  },
  {
    name: 'screen_size',
    type: 'integer',
    minimum: 0,
    maximum: 50,
    default: 4,
    description:
      'Train cases a paraphrase is first tried on; scored on every fitness case only when it ' +
      'beats the current best there. 0 scores every paraphrase fully.',
  },
  {
    name: 'fitness_cases',
    type: 'integer',
    minimum: 1,
    maximum: 10_000,
    default: 20,
    description:
      'Train cases every kept paraphrase is scored on (one seeded sample for the whole run); the ' +
      'whole train set when it is smaller.',
  },
  {
    name: 'iterations',
    type: 'integer',
    minimum: 1,
    maximum: 10_000,
    default: null,
    nullable: true,
    description: 'Iterations at most. Default: until the budget is spent.',
  },
  {
    name: 'finalists',
    type: 'integer',
    minimum: 1,
    maximum: 10,
    default: 3,
    description: 'Best paraphrases on train handed over to be re-scored on validation.',
  },
];

/** Without any limit at all, a control still ends. */
const MAX_UNBOUNDED_ITERATIONS = 1000;
/** Iterations in a row that yield nothing new before the proposer is taken to be exhausted. */
const MAX_FRUITLESS = 20;

interface Scored {
  id: number;
  candidate: Candidate;
  score: CandidateScore;
  perCase: Map<string, number>;
}

/**
 * The information-free control for tests and benchmarks: asks the proposer to paraphrase the
 * current best prompt without any evidence (no examples, no feedback, no context) and keeps a
 * paraphrase when it scores better on train, through the same screening, fitness sample and
 * finalist hand-over as the genetic strategy. A strategy that does no better than this at equal
 * budget has not used the evidence it was shown. Registered hidden: not listed for users.
 */
export class RandomRewriteStrategy implements OptimizationStrategy<RandomRewriteParams> {
  readonly name = 'random_rewrite';
  readonly description =
    'Control: paraphrases the best prompt so far without any evidence and keeps what scores ' +
    'better on train. For benchmarks; not an optimizer to use.';
  readonly parameters = PARAMETERS;
  readonly defaultMaxLlmCalls = 400;
  /** A control, not a user-facing optimizer. */
  readonly control = true;

  private readonly best = new IncumbentTracker();

  parseParams(input: unknown): RandomRewriteParams {
    return parseParameters<RandomRewriteParams>(PARAMETERS, input);
  }

  incumbent(): { id: number; candidate: Candidate } | null {
    return this.best.get();
  }

  async run(ctx: StrategyContext<RandomRewriteParams>): Promise<StrategyOutcome> {
    const params = ctx.params;
    const startedAt = Date.now();
    const errors = newErrorCounters();
    const fitnessCases =
      params.fitness_cases >= ctx.train.length
        ? [...ctx.train]
        : ctx.rng.sample(ctx.train, params.fitness_cases);
    const tried = new Set<string>([instructionOf(ctx.seed).trim()]);
    const kept: Scored[] = [];
    let stopped: StopReason = 'done';
    let iteration = 0;
    let fruitless = 0;
    const counts = { proposed: 0, accepted: 0, rejected: 0, duplicates: 0 };

    const seedScore = await ctx.evaluator.score(ctx.seed, fitnessCases, { signal: ctx.signal });
    let current: Scored | null = null;
    if (seedScore.complete) {
      current = {
        id: SEED_ID,
        candidate: ctx.seed,
        score: seedScore,
        perCase: perCaseScores(seedScore.cases),
      };
    } else {
      errors.incomplete_scores++;
      stopped = ctx.signal.aborted ? 'cancelled' : 'budget';
    }
    const limit = params.iterations ?? MAX_UNBOUNDED_ITERATIONS;

    loop: while (current && iteration < limit) {
      const reason = stopReason(ctx);
      if (reason) {
        stopped = reason;
        break;
      }
      if (fruitless >= MAX_FRUITLESS) break;
      if (!ctx.budget.startIteration()) {
        stopped = 'iterations';
        break;
      }
      iteration++;
      // The control's defining property: the request carries the prompt and nothing else.
      const texts = await proposeOrStop(
        ctx,
        {
          op: 'paraphrase',
          currentPrompt: instructionOf(current.candidate),
          n: params.candidates_per_iteration,
        },
        errors,
      );
      if (texts === null) {
        stopped = ctx.signal.aborted ? 'cancelled' : 'budget';
        break;
      }
      counts.proposed += texts.length;
      const fresh = freshTexts(texts, tried);
      counts.duplicates += texts.length - fresh.length;
      for (const text of fresh) {
        const candidate = withInstruction(current.candidate, text);
        const base = {
          parentIds: [current.id],
          operator: 'paraphrase',
          candidate,
          iteration,
        };
        let minibatch: number | null = null;
        if (params.screen_size > 0) {
          const batch = screeningBatch([], fitnessCases, params.screen_size, ctx.rng);
          const screen = await ctx.evaluator.score(candidate, batch, { signal: ctx.signal });
          if (!screen.complete) {
            this.recordIncomplete(ctx, base, errors);
            stopped = ctx.signal.aborted ? 'cancelled' : 'budget';
            break loop;
          }
          minibatch = screen.mean;
          const bar =
            meanOver(
              current.perCase,
              batch.map((c) => c.id),
            ) ?? 0;
          if (!(screen.mean > bar)) {
            counts.rejected++;
            ctx.progress.candidate({
              id: ctx.nextId(),
              ...base,
              scores: { minibatch: screen.mean },
              status: 'rejected',
              note: `Not better than the current best on ${batch.length} screening cases.`,
            });
            continue;
          }
        }
        const score = await ctx.evaluator.score(candidate, fitnessCases, { signal: ctx.signal });
        if (!score.complete) {
          this.recordIncomplete(ctx, base, errors);
          stopped = ctx.signal.aborted ? 'cancelled' : 'budget';
          break loop;
        }
        const id = ctx.nextId();
        const better = score.mean > current.score.mean;
        ctx.progress.candidate({
          id,
          ...base,
          scores: { train: score.mean, ...(minibatch !== null ? { minibatch } : {}) },
          status: better ? 'accepted' : 'rejected',
          ...(better ? {} : { note: 'Not better than the current best on the fitness cases.' }),
        });
        const entry: Scored = { id, candidate, score, perCase: perCaseScores(score.cases) };
        kept.push(entry);
        this.best.consider(id, candidate, score.mean);
        if (better) {
          counts.accepted++;
          current = entry;
        } else {
          counts.rejected++;
        }
      }
      fruitless = fresh.length === 0 ? fruitless + 1 : 0;
      ctx.progress.iteration({
        iteration,
        maxIterations: params.iterations,
        current: current.score.mean,
        best: this.best.score(),
      });
    }

    const ranked = [...kept].sort((a, b) => b.score.mean - a.score.mean || a.id - b.id);
    return {
      finalists: ranked
        .slice(0, params.finalists)
        .map((s) => ({ id: s.id, candidate: s.candidate })),
      details: {
        control: true,
        iterations: iteration,
        fitness_cases: fitnessCases.length,
        paraphrases: counts,
        stopped,
        best_train: this.best.score(),
        errors,
        duration_ms: Date.now() - startedAt,
      },
    };
  }

  private recordIncomplete(
    ctx: StrategyContext<RandomRewriteParams>,
    base: { parentIds: number[]; operator: string; candidate: Candidate; iteration: number },
    errors: ReturnType<typeof newErrorCounters>,
  ): void {
    errors.incomplete_scores++;
    ctx.progress.candidate({
      id: ctx.nextId(),
      ...base,
      scores: {},
      status: 'rejected',
      note: 'Scoring stopped (budget or cancellation) before every case was scored.',
    });
  }
}
