import type { EngineModelConfig } from '@ps/evaluation';
import { candidateKey } from '../candidate-key';
import { ParameterError, type ParameterFieldError, parseParameters } from '../params';
import { type SearchDimension, type SearchPoint, TpeSampler } from '../search/tpe';
import type {
  BudgetLimits,
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
  meanOf,
  newErrorCounters,
  paretoFront,
  stopReason,
} from './strategy-support';

export type HyperparameterSearch = 'grid' | 'random' | 'bayesian';
export type TunedParameter = 'temperature' | 'top_p' | 'max_tokens';

export const TUNABLE_PARAMETERS: readonly TunedParameter[] = ['temperature', 'top_p', 'max_tokens'];

export interface HyperparameterParams {
  search: HyperparameterSearch;
  tune: TunedParameter[];
  temperature_range: [number, number];
  top_p_range: [number, number];
  max_tokens_range: [number, number];
  grid_points: number;
  max_trials: number | null;
  cases_per_trial: number | null;
  n_startup: number;
  finalists: number;
}

const PARAMETERS: ParameterSpec[] = [
  {
    name: 'search',
    type: 'enum',
    values: ['grid', 'random', 'bayesian'],
    default: 'bayesian',
    description:
      'How configurations are chosen: every point of a grid, uniformly at random, or by a ' +
      'Tree-structured Parzen Estimator (bayesian) that samples where good scores were seen.',
  },
  {
    name: 'tune',
    type: 'array',
    items: 'string',
    maxItems: 3,
    default: ['temperature'],
    description:
      'Sampling parameters to tune: any of temperature, top_p, max_tokens. Models come from ' +
      '`models_to_test`; with two or more models the list may be empty.',
  },
  {
    name: 'temperature_range',
    type: 'array',
    items: 'number',
    minItems: 2,
    maxItems: 2,
    minimum: 0,
    maximum: 2,
    default: [0, 1],
    description: 'Lowest and highest temperature tried (check the provider accepts the top).',
  },
  {
    name: 'top_p_range',
    type: 'array',
    items: 'number',
    minItems: 2,
    maxItems: 2,
    minimum: 0.01,
    maximum: 1,
    default: [0.5, 1],
    description: 'Lowest and highest top_p tried.',
  },
  {
    name: 'max_tokens_range',
    type: 'array',
    items: 'integer',
    minItems: 2,
    maxItems: 2,
    minimum: 1,
    maximum: 1_000_000,
    default: [64, 1024],
    description: 'Lowest and highest max_tokens tried (searched on a log scale).',
  },
  {
    name: 'grid_points',
    type: 'integer',
    minimum: 2,
    maximum: 20,
    default: 3,
    description:
      'Grid search: values per tuned parameter (evenly spaced; geometric for max_tokens). The ' +
      'grid is every combination of these values and the models, and must fit the budget.',
  },
  {
    name: 'max_trials',
    type: 'integer',
    minimum: 1,
    maximum: 1000,
    default: null,
    nullable: true,
    description:
      'Configurations to try at most. Default: the whole grid, or (random, bayesian) as many as ' +
      'the budget allows.',
  },
  {
    name: 'cases_per_trial',
    type: 'integer',
    minimum: 1,
    maximum: 100_000,
    default: null,
    nullable: true,
    description:
      'Train cases each configuration is scored on (the same seeded subset for every ' +
      'configuration, so scores compare). Default: every train case.',
  },
  {
    name: 'n_startup',
    type: 'integer',
    minimum: 1,
    maximum: 100,
    default: 6,
    description: 'Bayesian search: random configurations before the TPE model is used.',
  },
  {
    name: 'finalists',
    type: 'integer',
    minimum: 1,
    maximum: 10,
    default: 3,
    description: 'Best configurations on train handed over to be re-scored on validation.',
  },
];

/** Rounding of sampled continuous values: readable configs and more shared cache entries. */
const round2 = (v: number) => Math.round(v * 100) / 100;

function linspace(low: number, high: number, n: number): number[] {
  if (low === high) return [low];
  return Array.from({ length: n }, (_, i) => round2(low + ((high - low) * i) / (n - 1)));
}

function geomspace(low: number, high: number, n: number): number[] {
  if (low === high) return [low];
  const values = Array.from({ length: n }, (_, i) =>
    Math.round(low * Math.pow(high / low, i / (n - 1))),
  );
  return [...new Set(values)];
}

/** The values grid search tries for one tuned parameter. */
function gridValues(params: HyperparameterParams, name: TunedParameter): number[] {
  switch (name) {
    case 'temperature':
      return [...new Set(linspace(...params.temperature_range, params.grid_points))];
    case 'top_p':
      return [...new Set(linspace(...params.top_p_range, params.grid_points))];
    case 'max_tokens':
      return geomspace(...params.max_tokens_range, params.grid_points);
  }
}

/** Number of configurations of the grid (before max_trials). */
export function hyperparameterGridSize(params: HyperparameterParams, modelCount: number): number {
  return params.tune.reduce(
    (size, name) => size * gridValues(params, name).length,
    Math.max(1, modelCount),
  );
}

/** Measured facts of one configuration on the trial cases. */
interface Trial {
  id: number;
  candidate: Candidate;
  quality: number;
  costPerCase: number;
  latencyMs: number | null;
  tokensPerCase: number;
}

function trialOf(id: number, candidate: Candidate, score: CandidateScore): Trial {
  const cases = score.cases;
  const latencies = cases.flatMap((c) => (c.latencyMs === null ? [] : [c.latencyMs]));
  return {
    id,
    candidate,
    quality: score.mean,
    costPerCase: meanOf(cases.map((c) => c.cost)) ?? 0,
    latencyMs: meanOf(latencies),
    tokensPerCase: meanOf(cases.map((c) => c.tokensIn + c.tokensOut)) ?? 0,
  };
}

/**
 * Tunes the model settings of the seed prompt (temperature, top_p, max_tokens, and the model
 * among `models_to_test`) by grid, random or TPE search. Every configuration is scored on the same
 * train cases; the result lists the quality/cost/latency Pareto set, and the best configurations
 * by quality go on to validation. The prompt text and demos never change.
 */
export class HyperparameterStrategy implements OptimizationStrategy<HyperparameterParams> {
  readonly name = 'hyperparameter';
  readonly description =
    'Tunes temperature, top_p, max_tokens and the model (from models_to_test) by grid, random or ' +
    'Bayesian (TPE) search; reports the quality/cost/latency Pareto set.';
  readonly parameters = PARAMETERS;
  readonly defaultMaxLlmCalls = 300;

  private readonly best = new IncumbentTracker();

  parseParams(input: unknown): HyperparameterParams {
    const params = parseParameters<HyperparameterParams>(PARAMETERS, input);
    const errors: ParameterFieldError[] = [];
    const seen = new Set<string>();
    params.tune.forEach((name, i) => {
      if (!TUNABLE_PARAMETERS.includes(name)) {
        errors.push({
          field: `strategy_params.tune.${i}`,
          message: `tune[${i}] must be one of ${TUNABLE_PARAMETERS.join(', ')}.`,
        });
      } else if (seen.has(name)) {
        errors.push({ field: `strategy_params.tune.${i}`, message: `${name} is listed twice.` });
      }
      seen.add(name);
    });
    for (const field of ['temperature_range', 'top_p_range', 'max_tokens_range'] as const) {
      const [low, high] = params[field];
      if (low > high) {
        errors.push({
          field: `strategy_params.${field}`,
          message: `${field} must be [low, high] with low ≤ high (got [${low}, ${high}]).`,
        });
      }
    }
    if (errors.length) throw new ParameterError(errors);
    return params;
  }

  /**
   * Refuses a plan the run cannot carry out: nothing to tune (no parameter, fewer than two
   * models), or a grid the budget cannot pay for (grid size × cases per trial task calls against
   * `max_llm_calls`, grid size against `max_iterations`). The API calls it before creating the
   * run (caseCount = train cases, modelCount = models to test, 1 without); run() checks again.
   */
  checkAgainstBudget(
    params: HyperparameterParams,
    budget: BudgetLimits,
    caseCount: number,
    modelCount = 1,
  ): void {
    if (params.tune.length === 0 && modelCount < 2) throw nothingToTune();
    if (params.search !== 'grid') return;
    const grid = hyperparameterGridSize(params, modelCount);
    const trials = Math.min(grid, params.max_trials ?? grid);
    const perTrial = Math.min(params.cases_per_trial ?? caseCount, caseCount);
    const field = params.tune.length > 0 ? 'strategy_params.grid_points' : 'strategy_params.search';
    const hint =
      'Use fewer grid_points, tune fewer parameters or models, set cases_per_trial or ' +
      'max_trials, raise the budget, or use search random or bayesian.';
    if (budget.max_llm_calls !== undefined && trials * perTrial > budget.max_llm_calls) {
      throw new ParameterError([
        {
          field,
          message:
            `The grid has ${trials} configurations × ${perTrial} cases = ${trials * perTrial} ` +
            `task calls, more than budget.max_llm_calls (${budget.max_llm_calls}). ${hint}`,
        },
      ]);
    }
    if (budget.max_iterations !== undefined && trials > budget.max_iterations) {
      throw new ParameterError([
        {
          field,
          message:
            `The grid has ${trials} configurations, more than budget.max_iterations ` +
            `(${budget.max_iterations}). ${hint}`,
        },
      ]);
    }
  }

  incumbent(): { id: number; candidate: Candidate } | null {
    return this.best.get();
  }

  async run(ctx: StrategyContext<HyperparameterParams>): Promise<StrategyOutcome> {
    const params = ctx.params;
    const models = this.modelsOf(ctx);
    if (params.tune.length === 0 && models.length < 2) throw nothingToTune();
    const trialCases =
      params.cases_per_trial === null || params.cases_per_trial >= ctx.train.length
        ? [...ctx.train]
        : ctx.rng.sample(ctx.train, params.cases_per_trial);
    // The API refuses an oversized grid before the run exists (checkAgainstBudget). Here the
    // limits are smaller (the final re-scoring's share is held back), so a grid that passed is
    // run in a seeded order until the budget ends rather than failing the run.

    const errors = newErrorCounters();
    const trials: Trial[] = [];
    const startedAt = Date.now();
    let stopped: StopReason = 'done';

    // The seed's own settings, for comparison in the Pareto set (usually a lookup: the baseline).
    const seedScore = await ctx.evaluator.score(ctx.seed, trialCases, { signal: ctx.signal });
    if (seedScore.complete) {
      trials.push(trialOf(SEED_ID, ctx.seed, seedScore));
    } else {
      errors.incomplete_scores++;
    }

    const space = this.spaceOf(params, models.length);
    const grid =
      params.search === 'grid' ? ctx.rng.shuffle(this.gridOf(params, models.length)) : [];
    const planned =
      params.search === 'grid'
        ? Math.min(grid.length, params.max_trials ?? grid.length)
        : params.max_trials;
    const sampler =
      params.search === 'grid' || space.length === 0
        ? null
        : new TpeSampler(space, ctx.rng, {
            nStartup: params.search === 'random' ? Infinity : params.n_startup,
          });
    const triedKeys = new Set<string>([candidateKey(ctx.seed)]);
    let repeats = 0;

    for (let index = 0; planned === null || index < planned; index++) {
      const reason = stopReason(ctx);
      if (reason) {
        stopped = reason;
        break;
      }
      let point: SearchPoint;
      if (sampler) {
        point = sampler.suggest();
      } else if (index < grid.length) {
        point = grid[index];
      } else {
        break;
      }
      for (const name of ['temperature', 'top_p'] as const) {
        if (typeof point[name] === 'number') point[name] = round2(point[name]);
      }
      const candidate = this.configure(ctx.seed, models, point);
      const key = candidateKey(candidate);
      if (triedKeys.has(key)) {
        // A finite space can run out of new points: a few repeats in a row mean it has.
        sampler?.observe(
          point,
          trials.find((t) => candidateKey(t.candidate) === key)?.quality ?? 0,
        );
        if (++repeats >= 20) break;
        index--;
        continue;
      }
      repeats = 0;
      if (!ctx.budget.startIteration()) {
        stopped = 'iterations';
        break;
      }
      triedKeys.add(key);
      const score = await ctx.evaluator.score(candidate, trialCases, { signal: ctx.signal });
      errors.infra_errors += score.cases.filter(
        (c) => c.status === 'infra_error' || c.status === 'timeout',
      ).length;
      const id = ctx.nextId();
      const complete = score.complete;
      const fullTrain = trialCases.length === ctx.train.length;
      ctx.progress.candidate({
        id,
        parentIds: [SEED_ID],
        operator: `hyperparameter:${params.search}`,
        candidate,
        iteration: index + 1,
        scores: complete ? (fullTrain ? { train: score.mean } : { minibatch: score.mean }) : {},
        status: complete ? 'scored' : 'rejected',
        note: complete
          ? describeModel(candidate.model)
          : `${describeModel(candidate.model)}; scoring stopped before every case was scored`,
      });
      if (!complete) {
        errors.incomplete_scores++;
        stopped = ctx.signal.aborted ? 'cancelled' : 'budget';
        break;
      }
      trials.push(trialOf(id, candidate, score));
      sampler?.observe(point, score.mean);
      this.best.consider(id, candidate, score.mean);
      ctx.progress.iteration({
        iteration: index + 1,
        maxIterations: planned,
        current: score.mean,
        best: this.best.score(),
      });
    }

    const front = paretoFront(trials, [
      (t) => t.quality,
      (t) => -t.costPerCase,
      (t) => -(t.latencyMs ?? 0),
    ]).map((i) => trials[i]);
    const ranked = trials
      .filter((t) => t.id !== SEED_ID)
      .sort((a, b) => b.quality - a.quality || a.costPerCase - b.costPerCase || a.id - b.id);
    return {
      finalists: ranked
        .slice(0, params.finalists)
        .map((t) => ({ id: t.id, candidate: t.candidate })),
      details: {
        search: params.search,
        tuned: params.tune,
        models: models.map((m) => `${m.provider}/${m.model}`),
        cases_per_trial: trialCases.length,
        trials: trials.filter((t) => t.id !== SEED_ID).length,
        grid_size: params.search === 'grid' ? grid.length : null,
        grid_completed:
          params.search === 'grid'
            ? trials.filter((t) => t.id !== SEED_ID).length >= (planned ?? grid.length)
            : null,
        stopped,
        best: ranked[0] ? { id: ranked[0].id, quality: ranked[0].quality } : null,
        pareto: front
          .sort((a, b) => b.quality - a.quality || a.id - b.id)
          .map((t) => ({
            id: t.id,
            provider: t.candidate.model.provider,
            model: t.candidate.model.model,
            parameters: t.candidate.model.parameters ?? {},
            quality: t.quality,
            cost_per_case_usd: t.costPerCase,
            latency_ms: t.latencyMs,
            tokens_per_case: t.tokensPerCase,
          })),
        errors,
        duration_ms: Date.now() - startedAt,
      },
    };
  }

  /** The models searched: `models_to_test`, or the seed's model alone. */
  private modelsOf(ctx: StrategyContext<HyperparameterParams>): EngineModelConfig[] {
    const list = ctx.models && ctx.models.length > 0 ? ctx.models : [ctx.seed.model];
    const seedModel = ctx.seed.model;
    return list.map((m) =>
      // The seed's own settings (stop sequences, json, …) carry over to its model.
      m.provider === seedModel.provider && m.model === seedModel.model
        ? { ...m, parameters: { ...(seedModel.parameters ?? {}), ...(m.parameters ?? {}) } }
        : m,
    );
  }

  private spaceOf(params: HyperparameterParams, modelCount: number): SearchDimension[] {
    const space: SearchDimension[] = [];
    for (const name of params.tune) {
      if (name === 'max_tokens') {
        const [low, high] = params.max_tokens_range;
        space.push({ name, type: 'int', low, high, log: true });
      } else {
        const [low, high] = name === 'temperature' ? params.temperature_range : params.top_p_range;
        space.push({ name, type: 'float', low, high });
      }
    }
    if (modelCount > 1) {
      space.push({
        name: 'model',
        type: 'categorical',
        choices: Array.from({ length: modelCount }, (_, i) => i),
      });
    }
    return space;
  }

  private gridOf(params: HyperparameterParams, modelCount: number): SearchPoint[] {
    let points = Array.from({ length: Math.max(1, modelCount) }, (_, i): SearchPoint =>
      modelCount > 1 ? { model: i } : {},
    );
    for (const name of params.tune) {
      const values = gridValues(params, name);
      points = points.flatMap((p) => values.map((v) => ({ ...p, [name]: v })));
    }
    return points;
  }

  private configure(seed: Candidate, models: EngineModelConfig[], point: SearchPoint): Candidate {
    const base = models[typeof point.model === 'number' ? point.model : 0];
    const parameters: Record<string, unknown> = { ...(base.parameters ?? {}) };
    for (const name of TUNABLE_PARAMETERS) {
      if (point[name] !== undefined) parameters[name] = point[name];
    }
    return { ...seed, model: { provider: base.provider, model: base.model, parameters } };
  }
}

function nothingToTune(): ParameterError {
  return new ParameterError([
    {
      field: 'strategy_params.tune',
      message: 'Nothing to tune: list a parameter in tune, or two or more models_to_test.',
    },
  ]);
}

function describeModel(model: EngineModelConfig): string {
  const params = Object.entries(model.parameters ?? {})
    .filter(([k]) => (TUNABLE_PARAMETERS as readonly string[]).includes(k))
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(', ');
  return `${model.provider}/${model.model}${params ? ` (${params})` : ''}`;
}
