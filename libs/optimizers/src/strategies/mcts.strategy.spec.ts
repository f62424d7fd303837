import { createHash } from 'node:crypto';
import { instructionOf } from '../candidate-text';
import { ParameterError } from '../params';
import type { BudgetLimits, CandidateRecord } from '../types';
import { type CaseJudge, fakeWorld, ruleJudge } from './fake-world.testing';
import { type MctsParams, MctsStrategy } from './mcts.strategy';

function parse(input: unknown): MctsParams {
  return new MctsStrategy().parseParams(input);
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

/** The null world: feedback never names the rule, so nothing can be learned. */
const nullJudge: CaseJudge = () => ({ score: 0, feedback: 'Wrong.' });

/**
 * Churn: every prompt passes its own pseudo-random half of the cases and the feedback teaches
 * nothing, so rewrites fix some of the failures they were shown and break others, and no
 * sequence of rewrites gets better than chance.
 */
const churnJudge: CaseJudge = (candidate, testCase) => {
  const h = createHash('sha256')
    .update(`${instructionOf(candidate)}|${testCase.id}`)
    .digest();
  const ok = h[0] % 2 === 0;
  return { score: ok ? 1 : 0, feedback: ok ? 'Correct.' : 'Wrong.' };
};

async function run(
  params: unknown = {},
  options: {
    seed?: number;
    limits?: BudgetLimits;
    judge?: CaseJudge;
    rules?: string[];
    trainSize?: number;
  } = {},
) {
  const strategy = new MctsStrategy();
  const world = fakeWorld({
    limits: { max_llm_calls: 800 },
    ...options,
    params: strategy.parseParams(params),
  });
  const outcome = await strategy.run(world.ctx);
  const details = outcome.details as Record<string, unknown>;
  const trainScore = async (i = 0) =>
    outcome.finalists[i]
      ? (await world.ctx.evaluator.score(outcome.finalists[i].candidate, world.ctx.train)).mean
      : 0;
  return { strategy, world, outcome, details, trainScore };
}

/** First record of each id (leaders are recorded again with their train score). */
function firstRecords(records: CandidateRecord[]): CandidateRecord[] {
  const seen = new Set<number>();
  return records.filter((r) => (seen.has(r.id) ? false : (seen.add(r.id), true)));
}

describe('MctsStrategy', () => {
  it('improves over the seed along sequences of rewrites', async () => {
    const { world, outcome, trainScore, strategy, details } = await run({
      early_stop_no_improve: 0,
    });
    expect((await world.ctx.evaluator.score(world.ctx.seed, world.ctx.train)).mean).toBe(0);
    expect(await trainScore()).toBeGreaterThanOrEqual(0.75);
    expect(strategy.incumbent()?.id).toBe(outcome.finalists[0].id);
    expect(details.max_depth_reached).toBeGreaterThanOrEqual(2);
    expect(world.budget.calls).toBeLessThanOrEqual(800);
  });

  it('records lineage: every child names its parent, operator reflect/mutate, depth within the limit', async () => {
    const { world } = await run({ mcts_max_depth: 3, early_stop_no_improve: 0 });
    const depth = new Map<number, number>([[0, 0]]);
    for (const r of firstRecords(world.sink.candidates)) {
      expect(r.parentIds).toHaveLength(1);
      const parentDepth = depth.get(r.parentIds[0]);
      expect(parentDepth).toBeDefined();
      depth.set(r.id, (parentDepth ?? 0) + 1);
      expect(depth.get(r.id)).toBeLessThanOrEqual(3);
      // reflect at even depths of the parent, mutate at odd ones.
      expect(r.operator).toBe((parentDepth ?? 0) % 2 === 0 ? 'reflect' : 'mutate');
    }
    // Every proposal showed failing cases with their feedback, one rewrite per call.
    for (const q of world.proposer.requests) {
      expect(q.examples?.length).toBeGreaterThan(0);
      for (const e of q.examples ?? []) expect(e.score).toBeLessThan(1);
      expect(q.n ?? 1).toBe(1);
    }
  });

  it('shows each rewrite of an expansion its own sample of the failures', async () => {
    const { world } = await run(
      { evidence_size: 2, early_stop_no_improve: 0, mcts_simulations: 6 },
      { trainSize: 32 },
    );
    // The first expansion: the seed fails every case, three proposals in a row on its prompt.
    const first = world.proposer.requests.slice(0, 3);
    expect(first.map((q) => q.currentPrompt)).toEqual(Array(3).fill(first[0].currentPrompt));
    const shown = first.map((q) => (q.examples ?? []).map((e) => e.input).join('|'));
    expect(new Set(shown).size).toBe(3);
  });

  it('screens a rewrite on the failures it was shown before scoring it on the shared minibatch', async () => {
    const { world, details } = await run(
      { evidence_size: 3, mcts_simulations: 4 },
      { judge: nullJudge },
    );
    const records = firstRecords(world.sink.candidates);
    expect(records.length).toBeGreaterThan(0);
    for (const r of records) {
      expect(r.status).toBe('rejected');
      expect(r.note).toMatch(/Fixed none of the 3 failing cases/);
    }
    // The seed on the train set (16), then each rewrite: its proposal and its 3 shown cases.
    expect(world.evaluator.taskCalls).toBe(16 + 3 * records.length);
    expect(world.budget.calls).toBe(16 + 4 * records.length);
    // Two expansions of the seed gave nothing usable: it is terminal and the tree exhausted.
    expect(details.stopped).toBe('exhausted');
    expect(details.screened_out).toBe(records.length);
  });

  it('scores every node on the same seeded case order, the best children on longer prefixes', async () => {
    const seen = new Map<string, string[]>();
    const judge = ruleJudge();
    const recording: CaseJudge = (candidate, testCase) => {
      const text = instructionOf(candidate);
      seen.set(text, [...(seen.get(text) ?? []), testCase.id]);
      return judge(candidate, testCase);
    };
    const { world, details } = await run(
      { minibatch_size: 4, early_stop_no_improve: 0 },
      { judge: recording, trainSize: 32 },
    );
    const rungs = details.case_order_rungs as number[];
    expect(rungs).toEqual([4, 8, 16, 32]);
    const nodes = firstRecords(world.sink.candidates).filter((r) => r.status === 'scored');
    expect(nodes.length).toBeGreaterThan(3);
    // The first rung: the same 4 cases for every node.
    const rung = (text: string) => new Set(seen.get(text));
    const firstRung = [...rung(instructionOf(nodes[0].candidate))].filter((id) =>
      nodes.every((n) => rung(instructionOf(n.candidate)).has(id)),
    );
    expect(firstRung.length).toBeGreaterThanOrEqual(4);
    // Some nodes were scored further (promotions), none twice on a case (the memo).
    expect(details.promotions).toEqual(expect.any(Number));
    expect(details.promotions as number).toBeGreaterThan(0);
    for (const ids of seen.values()) expect(new Set(ids).size).toBe(ids.length);
    const trace = details.trace as { cases: number }[];
    for (const t of trace) expect(rungs).toContain(t.cases);
  });

  it('confirms its finalists on the whole train set', async () => {
    const { world, outcome } = await run({}, { trainSize: 24 });
    const calls = world.evaluator.taskCalls;
    for (const f of outcome.finalists) {
      expect((await world.ctx.evaluator.score(f.candidate, world.ctx.train)).complete).toBe(true);
    }
    // Lookups only: they were scored there during the run.
    expect(world.evaluator.taskCalls).toBe(calls);
  });

  it('reports the final metrics of the original documentation', async () => {
    const { details, world } = await run({ mcts_simulations: 8, trace_top_k: 2 });
    expect(details.tree_nodes).toBe(
      1 + firstRecords(world.sink.candidates).filter((r) => r.status === 'scored').length,
    );
    expect(details.avg_branching).toEqual(expect.any(Number));
    expect(details.tokens_spent).toBe(world.budget.calls * 10);
    expect(details.duration_ms).toEqual(expect.any(Number));
    expect(details.best_reward).toEqual(expect.any(Number));
    expect(details.errors).toMatchObject({ errors_total: 0, proposer_empty: 0 });
    expect(details.pruned).toBe(0);
    expect(details.applied_params).toMatchObject({ mcts_simulations: 8, ws_throttle_every: 1 });
    const spent = details.calls_spent as Record<string, number>;
    expect(Object.values(spent).reduce((a, b) => a + b, 0)).toBe(world.budget.calls);
    const trace = details.trace as { path: { id: number }[] }[];
    expect(trace).toHaveLength(2);
    for (const t of trace) expect(t.path[0].id).toBe(0);
  });

  it('throttles iteration events to every ws_throttle_every simulations and the last', async () => {
    const { world, details } = await run(
      { mcts_simulations: 10, ws_throttle_every: 3, early_stop_no_improve: 0 },
      { rules: ['R1', 'R2', 'R3', 'R4', 'R5', 'R6', 'R7', 'R8'], trainSize: 32 },
    );
    expect(details.simulations).toBe(10);
    expect(world.sink.iterations.map((i) => i.iteration)).toEqual([3, 6, 9, 10]);
  });

  it('drops siblings whose reward falls in a bin already taken', async () => {
    const { world, details } = await run({ score_dedup_bin: 1, early_stop_no_improve: 0 });
    const children = new Map<number, number>();
    for (const r of firstRecords(world.sink.candidates)) {
      if (r.status !== 'scored') continue;
      children.set(r.parentIds[0], (children.get(r.parentIds[0]) ?? 0) + 1);
    }
    // Bins of width 1: [0, 1) and {1}. A node keeps at most one child per bin.
    for (const n of children.values()) expect(n).toBeLessThanOrEqual(2);
    expect(details.deduplicated).toBeGreaterThan(0);
  });

  it('prunes children below min_quality and never expands them', async () => {
    const { world, details } = await run({
      min_quality: 5,
      early_stop_no_improve: 0,
      mcts_simulations: 10,
    });
    const records = firstRecords(world.sink.candidates);
    const pruned = records.filter((r) => r.status === 'pruned');
    expect(pruned.length).toBeGreaterThan(0);
    for (const p of pruned) expect(p.scores.minibatch ?? 1).toBeLessThan(0.5);
    const prunedIds = new Set(pruned.map((p) => p.id));
    for (const r of records) expect(prunedIds.has(r.parentIds[0])).toBe(false);
    expect(details.pruned).toBe(pruned.length);
  });

  it('stops early after early_stop_no_improve expansions without a better node', async () => {
    const { details, world } = await run(
      { early_stop_no_improve: 3, mcts_simulations: 50 },
      { judge: churnJudge, trainSize: 32 },
    );
    expect(details.stopped).toBe('early_stop');
    expect(details.expansions as number).toBeGreaterThanOrEqual(3);
    expect(details.simulations as number).toBeLessThan(50);
    expect(world.budget.calls).toBeLessThan(800);
  });

  it('keeps searching while expansions find better nodes', async () => {
    const { details } = await run(
      // A greedy descent, so each expansion goes where the last one improved.
      { early_stop_no_improve: 2, mcts_simulations: 30, mcts_exploration_c: 0.3 },
      { trainSize: 24 },
    );
    // Each expansion learns a rule from the failures it shows: the search outlives its patience
    // of two expansions, reaches the prompt that states all four rules, then stops two
    // expansions later.
    expect(details.best_reward).toBe(1);
    expect(details.expansions as number).toBeGreaterThan(4);
    expect(details.stopped).toBe('early_stop');
  });

  it('stops on token_budget', async () => {
    const { details, world } = await run({ token_budget: 300, early_stop_no_improve: 0 });
    expect(details.stopped).toBe('token_budget');
    // Checked between simulations: one simulation may run past it (promoting the node to
    // expand, three rewrites screened on 6 cases and scored on 8, the best one promoted).
    expect(world.budget.calls * 10).toBeGreaterThanOrEqual(300);
    expect(world.budget.calls * 10).toBeLessThan(300 + 10 * (16 + 3 * (1 + 6 + 8) + 16));
  });

  it('never exceeds the run budget and spends it', async () => {
    const { details, world, outcome } = await run(
      { mcts_simulations: 1000, early_stop_no_improve: 0 },
      { limits: { max_llm_calls: 150 }, rules: ['R1', 'R2', 'R3', 'R4', 'R5', 'R6', 'R7', 'R8'] },
    );
    expect(world.budget.calls).toBeLessThanOrEqual(150);
    // What is left is less than one more rewrite could cost (proposal, screening, first rung)
    // on top of confirming a leader on the whole train set (16 cases).
    expect(world.budget.calls).toBeGreaterThan(150 - (1 + 6 + 8) - 16);
    expect(details.stopped).toBe('budget');
    // Part of it was kept to confirm the leaders on the whole train set.
    const calls = world.evaluator.taskCalls;
    await world.ctx.evaluator.score(outcome.finalists[0].candidate, world.ctx.train);
    expect(world.evaluator.taskCalls).toBe(calls);
  });

  it('stops when cancelled and asks nothing more', async () => {
    const strategy = new MctsStrategy();
    const world = fakeWorld({
      params: parse({ early_stop_no_improve: 0 }),
      limits: { max_llm_calls: 1000 },
    });
    const record = world.sink.candidate.bind(world.sink);
    let callsAtAbort = -1;
    world.sink.candidate = (r) => {
      record(r);
      if (world.sink.candidates.length === 5) {
        world.controller.abort();
        callsAtAbort = world.budget.calls;
      }
    };
    const outcome = await strategy.run(world.ctx);
    expect(world.budget.calls).toBe(callsAtAbort);
    expect(outcome.details?.stopped).toBe('cancelled');
    expect(strategy.incumbent()).not.toBeNull();
  });

  it('is deterministic given the seed', async () => {
    const trace = async (seed: number) =>
      (await run({ early_stop_no_improve: 0 }, { seed })).world.sink.candidates.map((c) => [
        c.id,
        c.parentIds,
        c.candidate.systemPrompt,
        c.scores,
      ]);
    expect(await trace(9)).toEqual(await trace(9));
    expect(await trace(9)).not.toEqual(await trace(10));
  });

  it('validates parameters, naming strategy_params.<field>', () => {
    expect(errorFields(() => parse({ mcts_simulations: 0 }))).toEqual([
      'strategy_params.mcts_simulations',
    ]);
    expect(errorFields(() => parse({ mcts_exploration_c: -1 }))).toEqual([
      'strategy_params.mcts_exploration_c',
    ]);
    expect(errorFields(() => parse({ min_quality: 11 }))).toEqual(['strategy_params.min_quality']);
    expect(errorFields(() => parse({ score_dedup_bin: 2 }))).toEqual([
      'strategy_params.score_dedup_bin',
    ]);
    expect(errorFields(() => parse({ mcts_max_depth: 0.5 }))).toEqual([
      'strategy_params.mcts_max_depth',
    ]);
    expect(errorFields(() => parse({ token_budget: 0 }))).toEqual(['strategy_params.token_budget']);
    expect(errorFields(() => parse({ evidence_size: 21 }))).toEqual([
      'strategy_params.evidence_size',
    ]);
    expect(parse({})).toMatchObject({
      mcts_simulations: 60,
      mcts_max_depth: 4,
      mcts_exploration_c: 1.4,
      prompt_candidates_per_node: 3,
      score_dedup_bin: 0.1,
      early_stop_no_improve: 5,
      min_quality: 0,
      token_budget: null,
      minibatch_size: 8,
      evidence_size: 6,
      finalists: 3,
    });
  });
});
