import { createHash } from 'node:crypto';
import { instructionOf } from '../candidate-text';
import { ParameterError } from '../params';
import type { BudgetLimits } from '../types';
import { type CaseJudge, fakeWorld } from './fake-world.testing';
import { GeneticStrategy } from './genetic.strategy';
import { type RandomRewriteParams, RandomRewriteStrategy } from './random-rewrite.strategy';

function parse(input: unknown): RandomRewriteParams {
  return new RandomRewriteStrategy().parseParams(input);
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

/** A world where wording alone matters: a case passes by a hash of the prompt and the case. */
const wordingJudge: CaseJudge = (candidate, testCase) => {
  const h = createHash('sha256')
    .update(`${instructionOf(candidate)}|${testCase.id}`)
    .digest();
  const ok = h[0] % 3 === 0;
  return { score: ok ? 1 : 0, feedback: ok ? 'Correct.' : 'Wrong.' };
};

async function run(
  params: unknown = {},
  options: { seed?: number; limits?: BudgetLimits; judge?: CaseJudge } = {},
) {
  const strategy = new RandomRewriteStrategy();
  const world = fakeWorld({
    limits: { max_llm_calls: 300 },
    ...options,
    params: strategy.parseParams(params),
  });
  const outcome = await strategy.run(world.ctx);
  return { strategy, world, outcome };
}

describe('RandomRewriteStrategy (control)', () => {
  it('asks for paraphrases of the prompt alone: no examples, no feedback, no context', async () => {
    const { world } = await run();
    expect(world.proposer.requests.length).toBeGreaterThan(10);
    for (const r of world.proposer.requests) {
      expect(r.op).toBe('paraphrase');
      expect(r.examples).toBeUndefined();
      expect(r.context).toBeUndefined();
      expect(r.otherPrompt).toBeUndefined();
    }
  });

  it('learns nothing in the rule world, where an evidence-driven strategy does at equal budget', async () => {
    const limits = { max_llm_calls: 300 };
    const { world, outcome } = await run({}, { limits });
    const controlBest = outcome.finalists[0]
      ? (await world.ctx.evaluator.score(outcome.finalists[0].candidate, world.ctx.train)).mean
      : 0;
    expect(controlBest).toBe(0);
    expect(world.budget.calls).toBeGreaterThan(300 - 20);

    const genetic = new GeneticStrategy();
    const gWorld = fakeWorld({ limits, params: genetic.parseParams({}) });
    const gOutcome = await genetic.run(gWorld.ctx);
    const geneticBest = (
      await gWorld.ctx.evaluator.score(gOutcome.finalists[0].candidate, gWorld.ctx.train)
    ).mean;
    expect(geneticBest).toBeGreaterThanOrEqual(controlBest + 0.5);
  });

  it('keeps a paraphrase that scores better on train, recording its lineage', async () => {
    const { world, outcome, strategy } = await run({}, { judge: wordingJudge });
    const seedScore = (await world.ctx.evaluator.score(world.ctx.seed, world.ctx.train)).mean;
    const best = (await world.ctx.evaluator.score(outcome.finalists[0].candidate, world.ctx.train))
      .mean;
    expect(best).toBeGreaterThan(seedScore);
    expect(strategy.incumbent()?.id).toBe(outcome.finalists[0].id);
    const ids = new Set([0]);
    for (const r of world.sink.candidates) {
      expect(r.operator).toBe('paraphrase');
      expect(r.parentIds).toHaveLength(1);
      expect(ids.has(r.parentIds[0])).toBe(true);
      ids.add(r.id);
    }
    // Each accepted paraphrase beat its parent.
    const byId = new Map(world.sink.candidates.map((r) => [r.id, r]));
    for (const r of world.sink.candidates.filter((c) => c.status === 'accepted')) {
      const parent = byId.get(r.parentIds[0]);
      const parentTrain = parent ? (parent.scores.train ?? 0) : seedScore;
      expect(r.scores.train ?? 0).toBeGreaterThan(parentTrain);
    }
  });

  it('never exceeds the budget, and stops on cancellation', async () => {
    const { world, outcome } = await run({}, { limits: { max_llm_calls: 90 } });
    expect(world.budget.calls).toBeLessThanOrEqual(90);
    expect(outcome.details?.stopped).toBe('budget');

    const strategy = new RandomRewriteStrategy();
    const w = fakeWorld({
      params: parse({}),
      limits: { max_llm_calls: 1000 },
      judge: wordingJudge,
    });
    const record = w.sink.candidate.bind(w.sink);
    let callsAtAbort = -1;
    w.sink.candidate = (r) => {
      record(r);
      if (w.sink.candidates.length === 3) {
        w.controller.abort();
        callsAtAbort = w.budget.calls;
      }
    };
    const o = await strategy.run(w.ctx);
    expect(w.budget.calls).toBe(callsAtAbort);
    expect(o.details?.stopped).toBe('cancelled');
  });

  it('stops after `iterations` and is deterministic given the seed', async () => {
    const a = await run({ iterations: 5 }, { judge: wordingJudge, seed: 4 });
    expect(a.world.sink.iterations).toHaveLength(5);
    const b = await run({ iterations: 5 }, { judge: wordingJudge, seed: 4 });
    expect(b.world.sink.candidates).toEqual(a.world.sink.candidates);
  });

  it('validates parameters, naming strategy_params.<field>', () => {
    expect(errorFields(() => parse({ candidates_per_iteration: 0 }))).toEqual([
      'strategy_params.candidates_per_iteration',
    ]);
    expect(errorFields(() => parse({ screen_size: -1 }))).toEqual(['strategy_params.screen_size']);
    expect(errorFields(() => parse({ iterations: 0 }))).toEqual(['strategy_params.iterations']);
  });
});
