import type { ChatPort } from '@ps/evaluation';
import {
  createWorld,
  PROPOSER_MODEL,
  seedCandidate,
  type WorldOptions,
  worldCases,
  worldPlan,
} from '../chat-world.testing';
import { ParameterError } from '../params';
import { type OptimizationRequest, runOptimization } from '../runner';
import type { SplitCase } from '../split';
import type { CandidateRecord, ProgressSink } from '../types';
import { BootstrapStrategy } from './bootstrap.strategy';

function recording() {
  const records = new Map<number, CandidateRecord>();
  const sink: ProgressSink = {
    candidate: (r) => records.set(r.id, r),
    iteration: () => undefined,
  };
  return { records, sink };
}

async function run(
  cases: SplitCase[],
  world: WorldOptions,
  overrides: Partial<OptimizationRequest> = {},
) {
  const w = createWorld(world);
  let calls = 0;
  const chat: ChatPort = (req) => {
    calls++;
    return w.chat(req);
  };
  const { records, sink } = recording();
  const request: OptimizationRequest = {
    strategy: 'bootstrap',
    seedCandidate: seedCandidate(),
    cases,
    plan: worldPlan(),
    outputFields: [],
    budget: { max_llm_calls: 150 },
    seed: 5,
    proposerModel: PROPOSER_MODEL,
    ...overrides,
  };
  const result = await runOptimization(request, { chat, progress: sink });
  return { result, records, calls: () => calls };
}

/** Every demo of every candidate is a train case (by its input), never a validation case. */
function expectDemosFromTrain(
  cases: SplitCase[],
  records: Map<number, CandidateRecord>,
  validationIds: string[],
) {
  const idOfInput = new Map(cases.map((c) => [JSON.stringify(c.inputs), c.id]));
  let demos = 0;
  for (const record of records.values()) {
    for (const example of record.candidate.fewShotExamples) {
      const id = idOfInput.get(JSON.stringify(example.inputs));
      expect(id).toBeDefined();
      expect(validationIds).not.toContain(id);
      demos++;
    }
  }
  expect(demos).toBeGreaterThan(0);
}

describe('BootstrapStrategy', () => {
  it('starts from labeled demos when the seed passes nothing, and improves', async () => {
    const cases = worldCases(30, 0);
    const { result, records, calls } = await run(cases, {});
    expect(result.baseline.train.mean).toBe(0);
    expect(result.improved).toBe(true);
    expect(result.winner.candidate.fewShotExamples.length).toBe(4);
    expect(result.best?.validation_rescored?.mean).toBe(1);
    // Nothing passed in round 0: the traces come from later rounds taught by labeled demos.
    expect(result.details.traces_by_round).not.toHaveProperty('0');
    expect(Object.keys(result.details.traces_by_round as object).length).toBeGreaterThan(0);
    expect(calls()).toBeLessThanOrEqual(150);
    expectDemosFromTrain(cases, records, result.split.validation_case_ids);
    // Lineage: every demo set descends from the seed prompt.
    for (const record of records.values()) {
      if (record.id === 0) continue;
      expect(record).toMatchObject({ parentIds: [0], operator: 'bootstrap_demos' });
    }
    expect(records.get(result.winner.id)?.status).toBe('winner');
  });

  it.each(['best', 'diverse', 'random'])(
    'keeps passing traces as demos (selection %s) and improves',
    async (selection) => {
      // 20 validation cases: the gain of the best of 3 finalists must pass a one-sided sign-flip
      // test at 1%/3, which takes at least 9 cases that change (11 cases had 8).
      const cases = worldCases(60, 6);
      const { result, records } = await run(
        cases,
        { knownWhen: /^[a-d]/ },
        {
          strategyParams: { selection_strategy: selection, max_labeled_demos: 0 },
          budget: { max_llm_calls: 250 },
        },
      );
      expect(result.improved).toBe(true);
      // With no labeled demos allowed, every demo is a trace the seed passed in round 0.
      expect(result.details.traces_by_round).toHaveProperty('0');
      for (const example of result.winner.candidate.fewShotExamples) {
        expect(example.outputs).toBe(String(example.inputs.text).toUpperCase());
      }
      expectDemosFromTrain(cases, records, result.split.validation_case_ids);
    },
  );

  it('never takes a demo from the golden validation cases, even when they are the only passing ones', async () => {
    // The only inputs the seed passes contain "z" and those cases are golden (validation).
    const cases = worldCases(30, 0).map((c) => ({ ...c }));
    const zCases = cases.filter((c) => /z/.test(String(c.inputs.text)));
    for (const c of zCases) c.golden = true;
    cases
      .filter((c) => !c.golden)
      .slice(0, 6)
      .forEach((c) => (c.golden = true));
    const { result, records } = await run(
      cases,
      { knownWhen: /z/ },
      { strategyParams: { max_labeled_demos: 0 } },
    );
    expect(result.split.method).toBe('golden');
    expect(result.details.traces).toBe(0);
    expect(result.improved).toBe(false);
    for (const record of records.values()) expect(record.candidate.fewShotExamples).toEqual([]);
  });

  it('spends the budget left by a short bootstrap on more demo sets', async () => {
    const cases = worldCases(30, 6);
    const { result, calls } = await run(
      cases,
      { knownWhen: /^[a-d]/ },
      {
        strategyParams: { num_candidate_sets: 2, selection_strategy: 'random' },
        budget: { max_llm_calls: 200 },
      },
    );
    expect(result.details.sets_scored).toBeGreaterThan(2);
    expect(calls()).toBeLessThanOrEqual(200);
    expect(calls()).toBeGreaterThan(200 - 12);
  });

  it('never claims an improvement when the prompt changes nothing', async () => {
    const { result } = await run(worldCases(30, 6), { null: true });
    expect(result.improved).toBe(false);
    expect(result.winner.is_seed).toBe(true);
  });

  it('names the field and range of a bad parameter', () => {
    const strategy = new BootstrapStrategy();
    expect(() => strategy.parseParams({ num_examples: 40 })).toThrow(ParameterError);
    try {
      strategy.parseParams({ selection_strategy: 'worst' });
    } catch (err) {
      expect((err as ParameterError).errors[0]).toEqual({
        field: 'strategy_params.selection_strategy',
        message: 'selection_strategy must be one of best, diverse, random.',
      });
    }
  });
});
