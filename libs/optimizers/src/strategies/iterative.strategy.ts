import type { EngineCase } from '@ps/evaluation';
import { instructionOf, withInstruction } from '../candidate-text';
import { parseParameters } from '../params';
import { collectEvidence } from '../proposer/evidence';
import type {
  Candidate,
  OptimizationStrategy,
  ParameterSpec,
  StrategyContext,
  StrategyOutcome,
} from '../types';
import {
  freshTexts,
  newErrorCounters,
  proposeOrStop,
  SEED_ID,
  type StopReason,
  stopReason,
} from './strategy-support';

export interface IterativeParams {
  max_iterations: number;
  patience: number;
  min_improvement: number;
  minibatch_size: number;
  max_examples: number;
  proposals_per_iteration: number;
}

const PARAMETERS: ParameterSpec[] = [
  {
    name: 'max_iterations',
    type: 'integer',
    minimum: 1,
    maximum: 500,
    default: 30,
    description:
      'Reflect-and-rewrite rounds at most (budget.max_iterations, when lower, wins). Each round ' +
      'scores the current prompt and its rewrites on one train minibatch.',
  },
  {
    name: 'patience',
    type: 'integer',
    minimum: 1,
    maximum: 100,
    default: 6,
    description: 'Rounds in a row without an accepted rewrite before the search stops.',
  },
  {
    name: 'min_improvement',
    type: 'number',
    minimum: 0,
    maximum: 1,
    default: 0,
    description:
      'A rewrite is accepted only when its minibatch mean beats the current prompt by more ' +
      'than this (0: any strict gain).',
  },
  {
    name: 'minibatch_size',
    type: 'integer',
    minimum: 1,
    maximum: 200,
    default: 8,
    description: 'Train cases drawn (seeded) per round to find failures and judge the rewrites.',
  },
  {
    name: 'max_examples',
    type: 'integer',
    minimum: 1,
    maximum: 20,
    default: 4,
    description: 'Failing cases (with their feedback) shown to the proposer per reflection.',
  },
  {
    name: 'proposals_per_iteration',
    type: 'integer',
    minimum: 1,
    maximum: 5,
    default: 1,
    description: 'Rewrites asked of the proposer per round.',
  },
];

interface Accepted {
  id: number;
  parentId: number;
  candidate: Candidate;
  /** Train cases it has been scored on. */
  seen: EngineCase[];
  /** Mean over every train case it has been scored on (its minibatches). */
  train: number;
  order: number;
}

/**
 * Failure-driven rewriting. Each round draws a train minibatch, scores the current prompt on it
 * (a lookup for cases it has seen), shows the failing cases with the metric's feedback to the
 * proposer (`reflect`) and scores the rewrites on the same minibatch. A rewrite is accepted when
 * it beats the current prompt there by more than `min_improvement`, and becomes the current
 * prompt, which later rounds keep scoring on fresh minibatches.
 *
 * Everything here is learned on train: the accepted prompts are ranked by their mean over all the
 * train cases they were scored on, and the runner chooses among the leaders on validation (with
 * fresh samples). No validation call is spent during the search, so the budget goes to rounds.
 */
export class IterativeStrategy implements OptimizationStrategy<IterativeParams> {
  readonly name = 'iterative';
  readonly description =
    'Failure-driven rewriting: the proposer reflects on failing train cases and their feedback ' +
    'and rewrites the prompt; a rewrite is kept when it scores better on a train minibatch.';
  readonly parameters = PARAMETERS;
  readonly defaultMaxLlmCalls = 200;

  private accepted: Accepted[] = [];

  parseParams(input: unknown): IterativeParams {
    return parseParameters<IterativeParams>(PARAMETERS, input);
  }

  /** The accepted rewrite with the best train mean (the latest among equals). */
  incumbent(): { id: number; candidate: Candidate } | null {
    const best = this.ranked()[0];
    return best ? { id: best.id, candidate: best.candidate } : null;
  }

  private ranked(): Accepted[] {
    return [...this.accepted].sort((a, b) => b.train - a.train || b.order - a.order);
  }

  async run(ctx: StrategyContext<IterativeParams>): Promise<StrategyOutcome> {
    const p = ctx.params;
    const errors = newErrorCounters();
    this.accepted = [];
    const tried = new Set<string>([instructionOf(ctx.seed).trim()]);
    let current = { id: SEED_ID, candidate: ctx.seed };
    let currentAccepted: Accepted | null = null;
    let stopped: StopReason = 'done';
    let sinceAccepted = 0;
    let iteration = 0;
    let rejected = 0;
    // Re-asking cases a candidate was scored on is a lookup in the evaluator's memo, never a call.
    const trainMean = async (a: Accepted) =>
      (await ctx.evaluator.score(a.candidate, a.seen, { signal: ctx.signal })).mean;

    loop: while (iteration < p.max_iterations) {
      const reason = stopReason(ctx);
      if (reason) {
        stopped = reason;
        break;
      }
      if (sinceAccepted >= p.patience) break;
      if (!ctx.budget.startIteration()) {
        stopped = 'iterations';
        break;
      }
      iteration++;
      const minibatch = ctx.rng.sample(ctx.train, p.minibatch_size);
      const parent = await ctx.evaluator.score(current.candidate, minibatch, {
        signal: ctx.signal,
      });
      if (!parent.complete) {
        errors.incomplete_scores++;
        stopped = stopReason(ctx) ?? 'budget';
        break;
      }
      if (currentAccepted) {
        const seen = new Set(currentAccepted.seen.map((c) => c.id));
        currentAccepted.seen.push(...minibatch.filter((c) => !seen.has(c.id)));
        currentAccepted.train = await trainMean(currentAccepted);
      }
      const examples = collectEvidence(minibatch, parent, { limit: p.max_examples, rng: ctx.rng });
      let acceptedThisRound = false;
      if (examples.length > 0) {
        const texts = await proposeOrStop(
          ctx,
          {
            op: 'reflect',
            currentPrompt: instructionOf(current.candidate),
            examples,
            n: p.proposals_per_iteration,
          },
          errors,
        );
        if (texts === null) {
          stopped = stopReason(ctx) ?? 'budget';
          break;
        }
        let bestChild: { id: number; candidate: Candidate; mean: number } | null = null;
        for (const text of freshTexts(texts, tried)) {
          const candidate = withInstruction(current.candidate, text);
          const id = ctx.nextId();
          const score = await ctx.evaluator.score(candidate, minibatch, { signal: ctx.signal });
          if (!score.complete) {
            errors.incomplete_scores++;
            ctx.progress.candidate({
              id,
              parentIds: [current.id],
              operator: 'reflect',
              candidate,
              iteration,
              scores: {},
              status: 'pruned',
              note: 'Scoring stopped by the budget or a cancellation.',
            });
            stopped = stopReason(ctx) ?? 'budget';
            break loop;
          }
          const better = score.mean > parent.mean + p.min_improvement;
          const note = `Minibatch ${score.mean.toFixed(3)} vs ${parent.mean.toFixed(3)} for the current prompt.`;
          ctx.progress.candidate({
            id,
            parentIds: [current.id],
            operator: 'reflect',
            candidate,
            iteration,
            scores: { minibatch: score.mean },
            status: better ? 'accepted' : 'rejected',
            note,
          });
          if (!better) rejected++;
          if (better && (!bestChild || score.mean > bestChild.mean)) {
            bestChild = { id, candidate, mean: score.mean };
          }
        }
        if (bestChild) {
          acceptedThisRound = true;
          currentAccepted = {
            id: bestChild.id,
            parentId: current.id,
            candidate: bestChild.candidate,
            seen: [...minibatch],
            train: bestChild.mean,
            order: this.accepted.length,
          };
          this.accepted.push(currentAccepted);
          current = { id: bestChild.id, candidate: bestChild.candidate };
        }
      }
      sinceAccepted = acceptedThisRound ? 0 : sinceAccepted + 1;
      ctx.progress.iteration({
        iteration,
        maxIterations: p.max_iterations,
        current: parent.mean,
        best: this.ranked()[0]?.train ?? null,
      });
    }

    const finalists = this.ranked();
    for (const f of finalists) {
      ctx.progress.candidate({
        id: f.id,
        parentIds: [f.parentId],
        operator: 'reflect',
        candidate: f.candidate,
        iteration,
        scores: { train: f.train },
        status: 'accepted',
        note: `Mean ${f.train.toFixed(3)} over the ${f.seen.length} train cases it was scored on.`,
      });
    }
    return {
      finalists: finalists.map(({ id, candidate }) => ({ id, candidate })),
      details: {
        iterations: iteration,
        accepted: this.accepted.length,
        rejected,
        stop_reason: stopped,
        errors,
      },
    };
  }
}
