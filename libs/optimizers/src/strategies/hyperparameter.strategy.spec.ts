import type { EngineCase } from '@ps/evaluation';
import { ParameterError } from '../params';
import type { BudgetLimits, Candidate } from '../types';
import { type CaseJudge, fakeWorld } from './fake-world.testing';
import { type HyperparameterParams, HyperparameterStrategy } from './hyperparameter.strategy';

/**
 * The temperature band world: case i passes when the temperature is within a case-specific width
 * of 0.3 (so quality rises smoothly towards 0.3); the `small` model fails a third of the cases
 * but costs a tenth.
 */
const bandJudge: CaseJudge = (candidate: Candidate, testCase: EngineCase) => {
  const i = Number(testCase.id.slice(1));
  const t = Number(candidate.model.parameters?.temperature ?? 1);
  // top_p matters only when the request tunes it (the seed sets none).
  const p = Number(candidate.model.parameters?.top_p ?? 0.75);
  const width = 0.04 + 0.02 * (i % 16);
  const small = candidate.model.model === 'small';
  const ok = Math.abs(t - 0.3) + Math.abs(p - 0.75) <= width && !(small && i % 3 === 0);
  return {
    score: ok ? 1 : 0,
    feedback: ok ? 'Correct.' : 'Wrong.',
    cost: small ? 0.0001 : 0.001,
    latencyMs: small ? 50 : 200,
  };
};

function parse(input: unknown): HyperparameterParams {
  return new HyperparameterStrategy().parseParams(input);
}

function errorFields(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ParameterError) return err.errors.map((e) => e.field);
    throw err;
  }
  throw new Error('expected a ParameterError');
}

async function run(
  params: unknown,
  options: { seed?: number; limits?: BudgetLimits; models?: Candidate['model'][] } = {},
) {
  const strategy = new HyperparameterStrategy();
  const world = fakeWorld({ judge: bandJudge, ...options, params: strategy.parseParams(params) });
  const outcome = await strategy.run(world.ctx);
  return { strategy, world, outcome };
}

describe('HyperparameterStrategy', () => {
  it('finds the temperature band by bayesian search and improves over the seed', async () => {
    const { strategy, world, outcome } = await run(
      { search: 'bayesian', tune: ['temperature'] },
      { limits: { max_llm_calls: 200 } },
    );
    const seedScore = (await world.ctx.evaluator.score(world.ctx.seed, world.ctx.train)).mean;
    expect(seedScore).toBe(0);
    const best = outcome.finalists[0];
    const bestScore = (await world.ctx.evaluator.score(best.candidate, world.ctx.train)).mean;
    expect(bestScore).toBeGreaterThan(0.8);
    expect(Math.abs(Number(best.candidate.model.parameters?.temperature) - 0.3)).toBeLessThan(0.15);
    expect(strategy.incumbent()?.id).toBe(best.id);
    // The prompt itself never changes; the seed's other settings are kept.
    expect(best.candidate.systemPrompt).toBe(world.ctx.seed.systemPrompt);
    expect(best.candidate.model.model).toBe('gpt-4o-mini');
  });

  it('bayesian search beats random search at the same budget, over several seeds', async () => {
    const bestOf = async (search: string, seed: number) => {
      const { world, outcome } = await run(
        { search, tune: ['temperature', 'top_p'], top_p_range: [0.1, 1], n_startup: 4 },
        { seed, limits: { max_llm_calls: 256 } },
      );
      return (await world.ctx.evaluator.score(outcome.finalists[0].candidate, world.ctx.train))
        .mean;
    };
    const seeds = [11, 12, 13, 14, 15, 16];
    let tpe = 0;
    let random = 0;
    for (const seed of seeds) {
      tpe += await bestOf('bayesian', seed);
      random += await bestOf('random', seed);
    }
    expect(tpe / seeds.length).toBeGreaterThan(random / seeds.length + 0.08);
  });

  it('records every configuration with the seed as parent and reports iterations', async () => {
    const { world } = await run({ search: 'grid', tune: ['temperature'], grid_points: 5 });
    const records = world.sink.candidates;
    expect(records).toHaveLength(5);
    for (const r of records) {
      expect(r.parentIds).toEqual([0]);
      expect(r.operator).toBe('hyperparameter:grid');
      expect(r.scores.train).toEqual(expect.any(Number));
    }
    expect(new Set(records.map((r) => r.id)).size).toBe(5);
    const temps = records.map((r) => r.candidate.model.parameters?.temperature).sort();
    expect(temps).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(world.sink.iterations).toHaveLength(5);
    expect(world.sink.iterations[4].maxIterations).toBe(5);
  });

  it('lists the quality/cost/latency Pareto set over models_to_test, not only the best', async () => {
    const models = [
      { provider: 'openai', model: 'large' },
      { provider: 'openai', model: 'small' },
    ];
    const { outcome } = await run(
      { search: 'grid', tune: ['temperature'], grid_points: 5 },
      { models },
    );
    const pareto = (outcome.details?.pareto ?? []) as {
      model: string;
      quality: number;
      cost_per_case_usd: number;
    }[];
    const names = new Set(pareto.map((p) => p.model));
    expect(names).toEqual(new Set(['large', 'small']));
    // No member is dominated by another on quality and cost.
    for (const a of pareto) {
      for (const b of pareto) {
        const dominates =
          b.quality >= a.quality &&
          b.cost_per_case_usd <= a.cost_per_case_usd &&
          (b.quality > a.quality || b.cost_per_case_usd < a.cost_per_case_usd);
        expect(dominates).toBe(false);
      }
    }
    expect(outcome.finalists[0].candidate.model.model).toBe('large');
    expect(outcome.finalists.length).toBe(3);
  });

  it('refuses a grid larger than the budget, naming the field', () => {
    const strategy = new HyperparameterStrategy();
    const params = parse({ search: 'grid', tune: ['temperature', 'top_p'], grid_points: 5 });
    expect(
      errorFields(() => strategy.checkAgainstBudget(params, { max_llm_calls: 300 }, 16)),
    ).toEqual(['strategy_params.grid_points']);
    expect(() => strategy.checkAgainstBudget(params, { max_llm_calls: 400 }, 16)).not.toThrow();
    expect(
      errorFields(() => strategy.checkAgainstBudget(params, { max_iterations: 10 }, 16)),
    ).toEqual(['strategy_params.grid_points']);
    // cases_per_trial makes it fit; random search is never refused.
    expect(() =>
      strategy.checkAgainstBudget({ ...params, cases_per_trial: 8 }, { max_llm_calls: 300 }, 16),
    ).not.toThrow();
    expect(() =>
      strategy.checkAgainstBudget({ ...params, search: 'random' }, { max_llm_calls: 10 }, 16),
    ).not.toThrow();
  });

  it('run() goes through a grid that outgrows the limits it sees in a seeded order, within them', async () => {
    const strategy = new HyperparameterStrategy();
    const world = fakeWorld({
      judge: bandJudge,
      params: parse({ search: 'grid', tune: ['temperature'], grid_points: 10 }),
      limits: { max_llm_calls: 100 },
    });
    const outcome = await strategy.run(world.ctx);
    expect(world.budget.calls).toBeLessThanOrEqual(100);
    expect(outcome.details).toMatchObject({
      grid_size: 10,
      grid_completed: false,
      stopped: 'budget',
    });
    // Seeded order: not simply the lowest temperatures first.
    const temps = world.sink.candidates.map((c) =>
      Number(c.candidate.model.parameters?.temperature),
    );
    expect(temps).not.toEqual([...temps].sort((a, b) => a - b));
  });

  it('stops on the budget after spending it, and never exceeds it', async () => {
    const { world, outcome } = await run(
      { search: 'random', tune: ['temperature', 'max_tokens'] },
      { limits: { max_llm_calls: 70 } },
    );
    expect(world.budget.calls).toBeLessThanOrEqual(70);
    expect(world.budget.calls).toBeGreaterThan(70 - 16);
    expect(outcome.details?.stopped).toBe('budget');
    // The trial cut short is recorded as rejected, never as a finalist.
    const rejected = world.sink.candidates.filter((c) => c.status === 'rejected');
    expect(rejected.length).toBeLessThanOrEqual(1);
    for (const f of outcome.finalists) expect(rejected.map((r) => r.id)).not.toContain(f.id);
  });

  it('stops on max_iterations', async () => {
    const { world } = await run(
      { search: 'bayesian', tune: ['temperature'] },
      { limits: { max_llm_calls: 1000, max_iterations: 4 } },
    );
    expect(world.sink.candidates).toHaveLength(4);
  });

  it('stops when cancelled, keeping the best so far', async () => {
    const strategy = new HyperparameterStrategy();
    const world = fakeWorld({
      judge: bandJudge,
      params: parse({ search: 'random', tune: ['temperature'] }),
      limits: { max_llm_calls: 1000 },
    });
    const record = world.sink.candidate.bind(world.sink);
    world.sink.candidate = (r) => {
      record(r);
      if (world.sink.candidates.length === 3) world.controller.abort();
    };
    const outcome = await strategy.run(world.ctx);
    expect(world.sink.candidates).toHaveLength(3);
    expect(outcome.details?.stopped).toBe('cancelled');
    expect(strategy.incumbent()).not.toBeNull();
  });

  it('is deterministic given the seed', async () => {
    const temps = async (seed: number) =>
      (
        await run({ search: 'bayesian', tune: ['temperature'] }, { seed })
      ).world.sink.candidates.map((c) => c.candidate.model.parameters?.temperature);
    expect(await temps(3)).toEqual(await temps(3));
    expect(await temps(3)).not.toEqual(await temps(4));
  });

  it('validates parameters, naming strategy_params.<field>', () => {
    expect(errorFields(() => parse({ grid_points: 1 }))).toEqual(['strategy_params.grid_points']);
    expect(errorFields(() => parse({ search: 'annealing' }))).toEqual(['strategy_params.search']);
    expect(errorFields(() => parse({ temperature_range: [0, 3] }))).toEqual([
      'strategy_params.temperature_range.1',
    ]);
    expect(errorFields(() => parse({ top_p_range: [0.9, 0.2] }))).toEqual([
      'strategy_params.top_p_range',
    ]);
    expect(errorFields(() => parse({ tune: ['temperature', 'seed'] }))).toEqual([
      'strategy_params.tune.1',
    ]);
    expect(errorFields(() => parse({ finalists: 0 }))).toEqual(['strategy_params.finalists']);
    expect(errorFields(() => parse({ bogus: 1 }))).toEqual(['strategy_params.bogus']);
    expect(parse({})).toMatchObject({
      search: 'bayesian',
      tune: ['temperature'],
      max_trials: null,
    });
  });

  it('refuses to run with nothing to tune', async () => {
    const strategy = new HyperparameterStrategy();
    const world = fakeWorld({ judge: bandJudge, params: parse({ tune: [] }) });
    await expect(strategy.run(world.ctx)).rejects.toThrow(/Nothing to tune/);
    expect(errorFields(() => strategy.checkAgainstBudget(parse({ tune: [] }), {}, 10, 1))).toEqual([
      'strategy_params.tune',
    ]);
    expect(() => strategy.checkAgainstBudget(parse({ tune: [] }), {}, 10, 2)).not.toThrow();
  });
});
