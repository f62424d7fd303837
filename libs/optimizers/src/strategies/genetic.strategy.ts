import type { EngineCase } from '@ps/evaluation';
import { instructionOf, withInstruction } from '../candidate-text';
import { ParameterError, parseParameters } from '../params';
import type {
  Candidate,
  CandidateScore,
  Evidence,
  OptimizationStrategy,
  ParameterSpec,
  Rng,
  StrategyContext,
  StrategyOutcome,
} from '../types';
import {
  type ErrorCounters,
  IncumbentTracker,
  SEED_ID,
  type StopReason,
  evidenceFrom,
  failingCases,
  freshTexts,
  meanOver,
  newErrorCounters,
  perCaseScores,
  proposeOrStop,
  screeningBatch,
  stopReason,
} from './strategy-support';

export type GeneticSelection = 'tournament' | 'roulette' | 'rank';

export interface GeneticParams {
  population_size: number;
  generations: number;
  mutation_rate: number;
  crossover_rate: number;
  elitism: number;
  selection: GeneticSelection;
  tournament_size: number;
  fitness_cases: number;
  screen_size: number;
  evidence_size: number;
  finalists: number;
}

const PARAMETERS: ParameterSpec[] = [
  {
    name: 'population_size',
    type: 'integer',
    minimum: 2,
    maximum: 50,
    default: 6,
    description: 'Prompt variants kept from one generation to the next.',
  },
  {
    name: 'generations',
    type: 'integer',
    minimum: 1,
    maximum: 100,
    default: 8,
    description: 'Generations bred (the budget may end the run earlier).',
  },
  {
    name: 'mutation_rate',
    type: 'number',
    minimum: 0,
    maximum: 1,
    default: 0.5,
    description:
      'Chance that a crossover child is also mutated against the cases both parents fail. A ' +
      'child not made by crossover is always a mutation (an unchanged copy teaches nothing).',
  },
  {
    name: 'crossover_rate',
    type: 'number',
    minimum: 0,
    maximum: 1,
    default: 0.5,
    description:
      'Chance that a child combines two parents (shown the cases where one parent succeeds and ' +
      'the other fails) rather than mutating one.',
  },
  {
    name: 'elitism',
    type: 'integer',
    minimum: 0,
    maximum: 10,
    default: 1,
    description:
      'Best variants by fitness that always survive; fewer than population_size. Each ' +
      'generation breeds population_size − elitism children.',
  },
  {
    name: 'selection',
    type: 'enum',
    values: ['tournament', 'roulette', 'rank'],
    default: 'tournament',
    description:
      'How parents are drawn from the per-case Pareto pool (variants best on at least one case): ' +
      'best of a random tournament, fitness-proportional, or rank-proportional.',
  },
  {
    name: 'tournament_size',
    type: 'integer',
    minimum: 2,
    maximum: 10,
    default: 3,
    description: 'Tournament selection: variants drawn per tournament.',
  },
  {
    name: 'fitness_cases',
    type: 'integer',
    minimum: 1,
    maximum: 10_000,
    default: 20,
    description:
      'Train cases every variant is scored on (one seeded sample for the whole run, so per-case ' +
      'comparisons hold); the whole train set when it is smaller.',
  },
  {
    name: 'screen_size',
    type: 'integer',
    minimum: 0,
    maximum: 50,
    default: 4,
    description:
      'Cases a child is first tried on (those it was asked to fix first); it is scored on every ' +
      'fitness case only when it beats its parents there. 0 scores every child fully.',
  },
  {
    name: 'evidence_size',
    type: 'integer',
    minimum: 1,
    maximum: 20,
    default: 4,
    description:
      'Failing cases (input, output, expected, feedback) shown per mutation or crossover.',
  },
  {
    name: 'finalists',
    type: 'integer',
    minimum: 1,
    maximum: 10,
    default: 3,
    description: 'Fittest variants handed over to be re-scored on validation.',
  },
];

/** A scored variant of the population. */
interface Member {
  id: number;
  candidate: Candidate;
  text: string;
  score: CandidateScore;
  perCase: Map<string, number>;
  fitness: number;
}

interface ChildCounts {
  proposed: number;
  accepted: number;
  rejected: number;
  duplicates: number;
  crossovers: number;
  mutations: number;
}

/**
 * Per-case Pareto pool (GEPA): the members that reach the best score on at least one case that
 * somebody solves, minus those another pool member matches or beats on every case. Each comes
 * with the number of cases it is best on. Everyone when no case is solved.
 */
export function paretoPool<M extends { perCase: ReadonlyMap<string, number> }>(
  members: readonly M[],
  caseIds: readonly string[],
): { member: M; wins: number }[] {
  const wins = new Map<M, number>();
  for (const id of caseIds) {
    let best = -Infinity;
    for (const m of members) {
      const s = m.perCase.get(id);
      if (s !== undefined && s > best) best = s;
    }
    if (!(best > 0)) continue;
    for (const m of members) {
      if (m.perCase.get(id) === best) wins.set(m, (wins.get(m) ?? 0) + 1);
    }
  }
  const winners = members.filter((m) => wins.has(m));
  if (winners.length === 0) return members.map((member) => ({ member, wins: 0 }));
  const dominated = (a: M, b: M) => {
    let strictly = false;
    for (const id of caseIds) {
      const sa = a.perCase.get(id) ?? 0;
      const sb = b.perCase.get(id) ?? 0;
      if (sb < sa) return false;
      if (sb > sa) strictly = true;
    }
    return strictly;
  };
  return winners
    .filter((a) => !winners.some((b) => b !== a && dominated(a, b)))
    .map((member) => ({ member, wins: wins.get(member) ?? 0 }));
}

const byFitness = (a: Member, b: Member) => b.fitness - a.fitness || a.id - b.id;

function weightedPick<T>(rng: Rng, items: readonly T[], weights: readonly number[]): T {
  const total = weights.reduce((a, b) => a + b, 0);
  let u = rng.next() * total;
  for (let i = 0; i < items.length; i++) {
    u -= weights[i];
    if (u < 0) return items[i];
  }
  return items[items.length - 1];
}

function select(
  pool: readonly { member: Member; wins: number }[],
  params: GeneticParams,
  rng: Rng,
): Member {
  const members = pool.map((p) => p.member);
  switch (params.selection) {
    case 'tournament': {
      const entrants = rng.sample(pool, Math.min(params.tournament_size, pool.length));
      entrants.sort((a, b) => byFitness(a.member, b.member) || b.wins - a.wins);
      return entrants[0].member;
    }
    case 'roulette':
      // A floor keeps a variant that scores 0 everywhere drawable.
      return weightedPick(
        rng,
        members,
        members.map((m) => m.fitness + 0.01),
      );
    case 'rank': {
      const ranked = [...members].sort(byFitness);
      return weightedPick(
        rng,
        ranked,
        ranked.map((_, i) => ranked.length - i),
      );
    }
  }
}

/**
 * A genetic search over prompt variants. Fitness is the mean score on a fixed seeded sample of
 * train cases. Parents come from the per-case Pareto pool (variants that are best on at least one
 * case), so variants that solve different cases survive and meet in crossovers; the selection
 * operator (tournament, roulette, rank) draws among them. Children are written by the proposer:
 * a mutation is shown the parent's failing cases; a crossover is shown the cases where one parent
 * succeeds and the other fails, and may then be mutated against the cases both fail. A child is
 * tried first on a small screening minibatch and scored on every fitness case only when it beats
 * its parents there. The next population keeps the elites, then the Pareto pool, then the fittest.
 */
export class GeneticStrategy implements OptimizationStrategy<GeneticParams> {
  readonly name = 'genetic';
  readonly description =
    'Population of prompt variants bred by LLM mutation and crossover guided by failing cases; ' +
    'parents drawn from the per-case Pareto pool by tournament, roulette or rank selection, with ' +
    'elitism.';
  readonly parameters = PARAMETERS;
  readonly defaultMaxLlmCalls = 600;

  private readonly best = new IncumbentTracker();

  parseParams(input: unknown): GeneticParams {
    const params = parseParameters<GeneticParams>(PARAMETERS, input);
    if (params.elitism >= params.population_size) {
      throw new ParameterError([
        {
          field: 'strategy_params.elitism',
          message: `elitism must be less than population_size (${params.population_size}).`,
        },
      ]);
    }
    return params;
  }

  incumbent(): { id: number; candidate: Candidate } | null {
    return this.best.get();
  }

  async run(ctx: StrategyContext<GeneticParams>): Promise<StrategyOutcome> {
    const params = ctx.params;
    const startedAt = Date.now();
    const errors = newErrorCounters();
    const counts: ChildCounts = {
      proposed: 0,
      accepted: 0,
      rejected: 0,
      duplicates: 0,
      crossovers: 0,
      mutations: 0,
    };
    const fitnessCases =
      params.fitness_cases >= ctx.train.length
        ? [...ctx.train]
        : ctx.rng.sample(ctx.train, params.fitness_cases);
    const caseIds = fitnessCases.map((c) => c.id);
    const tried = new Set<string>([instructionOf(ctx.seed).trim()]);
    const archive: Member[] = [];
    let stopped: StopReason = 'done';
    let generation = 0;

    const finish = (): StrategyOutcome => {
      const ranked = archive.filter((m) => m.id !== SEED_ID).sort(byFitness);
      return {
        finalists: ranked
          .slice(0, params.finalists)
          .map((m) => ({ id: m.id, candidate: m.candidate })),
        details: {
          generations_run: generation,
          fitness_cases: fitnessCases.length,
          population: population.map((m) => ({ id: m.id, fitness: m.fitness })),
          children: counts,
          stopped,
          best_fitness: this.best.score(),
          errors,
          duration_ms: Date.now() - startedAt,
        },
      };
    };

    let population: Member[] = [];
    const seedScore = await ctx.evaluator.score(ctx.seed, fitnessCases, { signal: ctx.signal });
    if (!seedScore.complete) {
      errors.incomplete_scores++;
      stopped = ctx.signal.aborted ? 'cancelled' : 'budget';
      return finish();
    }
    const seedMember = this.member(SEED_ID, ctx.seed, seedScore);
    archive.push(seedMember);
    population = [seedMember];

    while (generation < params.generations) {
      const reason = stopReason(ctx);
      if (reason) {
        stopped = reason;
        break;
      }
      if (!ctx.budget.startIteration()) {
        stopped = 'iterations';
        break;
      }
      generation++;
      const pool = paretoPool(population, caseIds);
      const offspring: Member[] = [];
      const wanted = params.population_size - params.elitism;
      for (let c = 0; c < wanted; c++) {
        const outcome = await this.breed(ctx, population, pool, fitnessCases, generation, {
          tried,
          errors,
          counts,
        });
        if (outcome === 'stop') {
          stopped = ctx.signal.aborted ? 'cancelled' : 'budget';
          break;
        }
        if (outcome) {
          offspring.push(outcome);
          archive.push(outcome);
        }
      }
      population = this.survivors([...population, ...offspring], caseIds, params);
      const currentBest = offspring.length ? Math.max(...offspring.map((m) => m.fitness)) : null;
      ctx.progress.iteration({
        iteration: generation,
        maxIterations: params.generations,
        current: currentBest,
        best: this.best.score(),
      });
      if (stopped !== 'done') break;
    }
    return finish();
  }

  private member(id: number, candidate: Candidate, score: CandidateScore): Member {
    const m: Member = {
      id,
      candidate,
      text: instructionOf(candidate),
      score,
      perCase: perCaseScores(score.cases),
      fitness: score.mean,
    };
    this.best.consider(id, candidate, score.mean);
    return m;
  }

  /** One child: a member when accepted, null when rejected or empty, 'stop' to end the run. */
  private async breed(
    ctx: StrategyContext<GeneticParams>,
    population: readonly Member[],
    pool: readonly { member: Member; wins: number }[],
    fitnessCases: readonly EngineCase[],
    generation: number,
    state: { tried: Set<string>; errors: ErrorCounters; counts: ChildCounts },
  ): Promise<Member | null | 'stop'> {
    const { params, rng } = ctx;
    const { tried, errors, counts } = state;
    const first = select(pool, params, rng);
    let parents: Member[] = [first];
    let operator = 'mutate';
    let focus: EngineCase[] = [];
    let texts: string[] | null = null;

    if (population.length >= 2 && rng.next() < params.crossover_rate) {
      const others = pool.filter((p) => p.member !== first);
      const second = select(
        others.length > 0
          ? others
          : population.filter((m) => m !== first).map((member) => ({ member, wins: 0 })),
        params,
        rng,
      );
      // Shown where the parents disagree: what each one gets wrong that the other gets right.
      const half = Math.max(1, Math.ceil(params.evidence_size / 2));
      const aFails = failingCases(
        fitnessCases,
        first.score,
        rng,
        half,
        (r) => (second.perCase.get(r.caseId) ?? 0) > (first.perCase.get(r.caseId) ?? 0),
      );
      const bFails = failingCases(
        fitnessCases,
        second.score,
        rng,
        half,
        (r) => (first.perCase.get(r.caseId) ?? 0) > (second.perCase.get(r.caseId) ?? 0),
      );
      const shown = [...aFails, ...bFails].slice(0, params.evidence_size);
      if (shown.length > 0) {
        parents = [first, second];
        operator = 'crossover';
        focus = shown.map((s) => s.testCase);
        counts.crossovers++;
        texts = await proposeOrStop(
          ctx,
          {
            op: 'crossover',
            currentPrompt: first.text,
            otherPrompt: second.text,
            examples: evidenceFrom(shown),
          },
          errors,
        );
        if (texts === null) return 'stop';
        if (texts.length > 0 && rng.next() < params.mutation_rate) {
          // Then the cases neither parent solves.
          const both = failingCases(
            fitnessCases,
            first.score,
            rng,
            params.evidence_size,
            (r) => (second.perCase.get(r.caseId) ?? 0) <= (first.perCase.get(r.caseId) ?? 0),
          );
          if (both.length > 0) {
            const mutated = await this.mutate(ctx, texts[0], evidenceFrom(both), errors);
            if (mutated === null) return 'stop';
            if (mutated.length > 0) {
              texts = mutated;
              operator = 'crossover+mutate';
              focus = [...focus, ...both.map((s) => s.testCase)];
            }
          }
        }
      }
    }
    if (texts === null) {
      const shown = failingCases(fitnessCases, first.score, rng, params.evidence_size);
      // A parent that fails no fitness case gives the proposer nothing to learn from.
      if (shown.length === 0) return null;
      focus = shown.map((s) => s.testCase);
      counts.mutations++;
      texts = await this.mutate(ctx, first.text, evidenceFrom(shown), errors);
      if (texts === null) return 'stop';
    }
    counts.proposed++;
    const fresh = freshTexts(texts.slice(0, 1), tried);
    if (fresh.length === 0) {
      if (texts.length > 0) counts.duplicates++;
      return null;
    }
    const candidate = withInstruction(first.candidate, fresh[0]);
    const parentIds = parents.map((p) => p.id);

    let minibatchMean: number | null = null;
    if (params.screen_size > 0) {
      const batch = screeningBatch(focus, fitnessCases, params.screen_size, rng);
      const ids = batch.map((c) => c.id);
      const screen = await ctx.evaluator.score(candidate, batch, { signal: ctx.signal });
      const id = ctx.nextId();
      minibatchMean = screen.mean;
      if (!screen.complete) {
        this.recordIncomplete(ctx, id, parentIds, operator, candidate, generation, errors);
        return 'stop';
      }
      const bar = Math.max(...parents.map((p) => meanOver(p.perCase, ids) ?? 0));
      if (!(screen.mean > bar)) {
        counts.rejected++;
        ctx.progress.candidate({
          id,
          parentIds,
          operator,
          candidate,
          iteration: generation,
          scores: { minibatch: screen.mean },
          status: 'rejected',
          note: `Not better than its parent${parents.length > 1 ? 's' : ''} on ${batch.length} screening cases (${screen.mean.toFixed(3)} ≤ ${bar.toFixed(3)}).`,
        });
        return null;
      }
      return this.scoreFully(ctx, id, parentIds, operator, candidate, generation, fitnessCases, {
        minibatchMean,
        errors,
        counts,
      });
    }
    return this.scoreFully(
      ctx,
      ctx.nextId(),
      parentIds,
      operator,
      candidate,
      generation,
      fitnessCases,
      { minibatchMean, errors, counts },
    );
  }

  private async mutate(
    ctx: StrategyContext<GeneticParams>,
    text: string,
    examples: Evidence[],
    errors: ErrorCounters,
  ): Promise<string[] | null> {
    return proposeOrStop(ctx, { op: 'mutate', currentPrompt: text, examples }, errors);
  }

  private async scoreFully(
    ctx: StrategyContext<GeneticParams>,
    id: number,
    parentIds: number[],
    operator: string,
    candidate: Candidate,
    generation: number,
    fitnessCases: readonly EngineCase[],
    extra: { minibatchMean: number | null; errors: ErrorCounters; counts: ChildCounts },
  ): Promise<Member | 'stop'> {
    const score = await ctx.evaluator.score(candidate, fitnessCases, { signal: ctx.signal });
    if (!score.complete) {
      this.recordIncomplete(ctx, id, parentIds, operator, candidate, generation, extra.errors);
      return 'stop';
    }
    extra.errors.infra_errors += score.cases.filter(
      (c) => c.status === 'infra_error' || c.status === 'timeout',
    ).length;
    extra.counts.accepted++;
    ctx.progress.candidate({
      id,
      parentIds,
      operator,
      candidate,
      iteration: generation,
      scores: {
        train: score.mean,
        ...(extra.minibatchMean !== null ? { minibatch: extra.minibatchMean } : {}),
      },
      status: 'scored',
    });
    return this.member(id, candidate, score);
  }

  private recordIncomplete(
    ctx: StrategyContext<GeneticParams>,
    id: number,
    parentIds: number[],
    operator: string,
    candidate: Candidate,
    generation: number,
    errors: ErrorCounters,
  ): void {
    errors.incomplete_scores++;
    ctx.progress.candidate({
      id,
      parentIds,
      operator,
      candidate,
      iteration: generation,
      scores: {},
      status: 'rejected',
      note: 'Scoring stopped (budget or cancellation) before every case was scored.',
    });
  }

  /** The next population: elites by fitness, then the per-case Pareto pool, then the fittest. */
  private survivors(
    members: readonly Member[],
    caseIds: readonly string[],
    params: GeneticParams,
  ): Member[] {
    const byId = [...new Map(members.map((m) => [m.id, m])).values()];
    const sorted = [...byId].sort(byFitness);
    const pool = paretoPool(byId, caseIds)
      .sort((a, b) => b.wins - a.wins || byFitness(a.member, b.member))
      .map((p) => p.member);
    const next: Member[] = [];
    const add = (m: Member) => {
      if (next.length < params.population_size && !next.includes(m)) next.push(m);
    };
    sorted.slice(0, params.elitism).forEach(add);
    pool.forEach(add);
    sorted.forEach(add);
    return next;
  }
}
