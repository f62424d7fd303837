import { ParameterError } from '../params';
import type { BudgetLimits } from '../types';
import { fakeWorld } from './fake-world.testing';
import { type GeneticParams, GeneticStrategy, paretoPool } from './genetic.strategy';

function parse(input: unknown): GeneticParams {
  return new GeneticStrategy().parseParams(input);
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

async function run(params: unknown = {}, options: { seed?: number; limits?: BudgetLimits } = {}) {
  const strategy = new GeneticStrategy();
  const world = fakeWorld({ ...options, params: strategy.parseParams(params) });
  const outcome = await strategy.run(world.ctx);
  const trainScore = async (i = 0) =>
    outcome.finalists[i]
      ? (await world.ctx.evaluator.score(outcome.finalists[i].candidate, world.ctx.train)).mean
      : 0;
  return { strategy, world, outcome, trainScore };
}

describe('GeneticStrategy', () => {
  it('improves over the seed by combining what different variants learned', async () => {
    const { world, outcome, trainScore, strategy } = await run(
      {},
      { limits: { max_llm_calls: 400 } },
    );
    // The seed knows no rule: 0. Four rules, each learnable from a different failing case.
    expect((await world.ctx.evaluator.score(world.ctx.seed, world.ctx.train)).mean).toBe(0);
    expect(await trainScore()).toBe(1);
    expect(strategy.incumbent()?.id).toBe(outcome.finalists[0].id);
    // Crossover brought rules of two parents together.
    const crossed = world.sink.candidates.filter(
      (c) => c.operator.startsWith('crossover') && c.status === 'scored',
    );
    expect(crossed.length).toBeGreaterThan(0);
  });

  it.each(['tournament', 'roulette', 'rank'])('improves with %s selection', async (selection) => {
    const { trainScore } = await run({ selection }, { seed: 21, limits: { max_llm_calls: 400 } });
    expect(await trainScore()).toBeGreaterThanOrEqual(0.75);
  });

  it('records every candidate with its parents and operator', async () => {
    const { world } = await run({}, { limits: { max_llm_calls: 300 } });
    const records = world.sink.candidates;
    expect(records.length).toBeGreaterThan(5);
    const known = new Set([0]);
    for (const r of records) {
      expect(known.has(r.id)).toBe(false);
      for (const p of r.parentIds) expect(known.has(p)).toBe(true);
      if (r.operator === 'mutate') expect(r.parentIds).toHaveLength(1);
      else expect(r.parentIds).toHaveLength(2);
      expect(['mutate', 'crossover', 'crossover+mutate']).toContain(r.operator);
      expect(['scored', 'rejected']).toContain(r.status);
      known.add(r.id);
    }
    expect(world.sink.iterations.map((i) => i.iteration)).toEqual(
      world.sink.iterations.map((_, i) => i + 1),
    );
  });

  it('shows the proposer failing cases with their feedback', async () => {
    const { world } = await run({}, { limits: { max_llm_calls: 200 } });
    const mutations = world.proposer.requests.filter((r) => r.op === 'mutate');
    expect(mutations.length).toBeGreaterThan(0);
    for (const r of world.proposer.requests) {
      expect(r.examples?.length).toBeGreaterThan(0);
      for (const e of r.examples ?? []) {
        expect(e.score).toBe(0);
        expect(e.feedback).toMatch(/rule: RULE_/);
      }
    }
    for (const r of world.proposer.requests.filter((q) => q.op === 'crossover')) {
      expect(r.otherPrompt).toEqual(expect.any(String));
    }
  });

  it('keeps in the parent pool the variants that are best on some case, not only the fittest', () => {
    const m = (id: number, scores: number[]) => ({
      id,
      perCase: new Map(scores.map((s, i) => [`c${i}`, s])),
    });
    const ids = ['c0', 'c1', 'c2', 'c3'];
    const a = m(1, [1, 1, 0, 0]); // fittest
    const b = m(2, [0, 0, 1, 0]); // less fit, but the only one to solve c2
    const c = m(3, [1, 0, 0, 0]); // dominated by a
    const pool = paretoPool([a, b, c], ids);
    expect(pool.map((p) => p.member.id).sort()).toEqual([1, 2]);
    expect(pool.find((p) => p.member.id === 1)?.wins).toBe(2);
    // Nobody solves anything: everybody stays a candidate parent.
    expect(paretoPool([m(1, [0, 0]), m(2, [0, 0])], ['c0', 'c1'])).toHaveLength(2);
  });

  it('never exceeds the budget and spends it', async () => {
    const { world, outcome } = await run({ generations: 100 }, { limits: { max_llm_calls: 120 } });
    expect(world.budget.calls).toBeLessThanOrEqual(120);
    expect(world.budget.calls).toBeGreaterThan(120 - 16);
    expect(outcome.details?.stopped).toBe('budget');
  });

  it('stops on max_iterations (one per generation)', async () => {
    const { world, outcome } = await run(
      { generations: 50 },
      { limits: { max_llm_calls: 5000, max_iterations: 2 } },
    );
    expect(outcome.details?.generations_run).toBe(2);
    expect(world.sink.iterations).toHaveLength(2);
  });

  it('stops when cancelled and asks nothing more', async () => {
    const strategy = new GeneticStrategy();
    const world = fakeWorld({ params: parse({}), limits: { max_llm_calls: 1000 } });
    const record = world.sink.candidate.bind(world.sink);
    let proposalsAtAbort = -1;
    world.sink.candidate = (r) => {
      record(r);
      if (world.sink.candidates.length === 4) {
        world.controller.abort();
        proposalsAtAbort = world.proposer.requests.length;
      }
    };
    const outcome = await strategy.run(world.ctx);
    expect(world.sink.candidates).toHaveLength(4);
    expect(world.proposer.requests.length).toBe(proposalsAtAbort);
    expect(outcome.details?.stopped).toBe('cancelled');
  });

  it('is deterministic given the seed', async () => {
    const texts = async (seed: number) =>
      (await run({}, { seed, limits: { max_llm_calls: 200 } })).world.sink.candidates.map((c) => [
        c.id,
        c.parentIds,
        c.operator,
        c.candidate.systemPrompt,
        c.status,
      ]);
    expect(await texts(5)).toEqual(await texts(5));
    expect(await texts(5)).not.toEqual(await texts(6));
  });

  it('validates parameters, naming strategy_params.<field>', () => {
    expect(errorFields(() => parse({ population_size: 1 }))).toEqual([
      'strategy_params.population_size',
    ]);
    expect(errorFields(() => parse({ mutation_rate: 1.5 }))).toEqual([
      'strategy_params.mutation_rate',
    ]);
    expect(errorFields(() => parse({ crossover_rate: -0.1 }))).toEqual([
      'strategy_params.crossover_rate',
    ]);
    expect(errorFields(() => parse({ selection: 'best' }))).toEqual(['strategy_params.selection']);
    expect(errorFields(() => parse({ tournament_size: 1 }))).toEqual([
      'strategy_params.tournament_size',
    ]);
    expect(errorFields(() => parse({ population_size: 4, elitism: 4 }))).toEqual([
      'strategy_params.elitism',
    ]);
    expect(errorFields(() => parse({ generations: 0 }))).toEqual(['strategy_params.generations']);
    expect(parse({})).toMatchObject({ population_size: 6, selection: 'tournament', elitism: 1 });
  });
});
