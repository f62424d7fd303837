import type { ChatPort, ChatRequest } from '@ps/evaluation';
import {
  createWorld,
  PROPOSER_MODEL,
  RULE,
  seedCandidate,
  type WorldOptions,
  worldCases,
  worldPlan,
} from '../chat-world.testing';
import { parseProposalRequest } from '../proposer/proposal-format';
import { type OptimizationRequest, runOptimization } from '../runner';
import type { SplitCase } from '../split';
import type { CandidateRecord } from '../types';
import { MiproStrategy } from './mipro.strategy';

async function run(
  cases: SplitCase[],
  world: WorldOptions,
  overrides: Partial<OptimizationRequest> = {},
) {
  const w = createWorld(world);
  const requests: ChatRequest[] = [];
  const chat: ChatPort = (req) => {
    requests.push(req);
    return w.chat(req);
  };
  const records = new Map<number, CandidateRecord>();
  const result = await runOptimization(
    {
      strategy: 'mipro',
      seedCandidate: seedCandidate(),
      cases,
      plan: worldPlan(),
      outputFields: [],
      signature: { instruction: null, inputs: ['text'], outputs: [] },
      budget: { max_llm_calls: 300 },
      seed: 9,
      proposerModel: PROPOSER_MODEL,
      ...overrides,
    },
    { chat, progress: { candidate: (r) => records.set(r.id, r), iteration: () => undefined } },
  );
  return { result, records, requests };
}

describe('MiproStrategy', () => {
  it('grounds instructions in a data summary and finds the rule with instructions alone', async () => {
    // 22 validation cases: the best of 3 finalists must pass a one-sided sign-flip test at 1%/3,
    // which takes at least 9 cases that change (11 cases had 7). More cases, more budget.
    const cases = worldCases(48, 24);
    const { result, requests } = await run(
      cases,
      {},
      {
        strategyParams: { num_examples: 0, num_instructions: 4 },
        budget: { max_llm_calls: 400 },
      },
    );
    const ops = requests
      .filter((r) => r.role === 'proposer')
      .map((r) => parseProposalRequest(r.messages)?.op);
    expect(ops[0]).toBe('summarize_data');
    expect(ops.slice(1).every((op) => op === 'propose_grounded')).toBe(true);
    // The summary reached the grounded proposals as context.
    const grounded = parseProposalRequest(
      requests.find(
        (r) => r.role === 'proposer' && r.messages[1].content.includes('<op>propose_grounded'),
      )!.messages,
    );
    expect(grounded?.context).toMatch(/Data summary:\n.*uppercase/);
    expect(result.improved).toBe(true);
    expect(result.winner.candidate.systemPrompt).toContain(RULE);
    expect(result.winner.candidate.fewShotExamples).toEqual([]);
    expect(requests.length).toBeLessThanOrEqual(400);
  });

  it('searches (instruction, demo set) pairs and never uses a validation case as a demo', async () => {
    // 20 validation cases (11 had 6 that change, too few for the 1%/3 sign-flip test).
    const cases = worldCases(60, 6);
    const { result, records, requests } = await run(
      cases,
      { knownWhen: /^[a-d]/ },
      { budget: { max_llm_calls: 500 } },
    );
    expect(result.improved).toBe(true);
    expect(result.details.demo_sets).toBeGreaterThan(1);
    expect(result.details.trials).toBeGreaterThanOrEqual(20);
    const validation = new Set(result.split.validation_case_ids);
    const idOfInput = new Map(cases.map((c) => [JSON.stringify(c.inputs), c.id]));
    let demos = 0;
    for (const record of records.values()) {
      if (record.id !== 0) expect(record.parentIds).toEqual([0]);
      for (const example of record.candidate.fewShotExamples) {
        const id = idOfInput.get(JSON.stringify(example.inputs));
        expect(id).toBeDefined();
        expect(validation.has(id as string)).toBe(false);
        demos++;
      }
    }
    expect(demos).toBeGreaterThan(0);
    expect(requests.length).toBeLessThanOrEqual(500);
  });

  it('never claims an improvement when the prompt changes nothing', async () => {
    const { result } = await run(worldCases(24, 12), { null: true });
    expect(result.improved).toBe(false);
    expect(result.winner.is_seed).toBe(true);
  });

  it.each([60, 120])('stays within a budget of %i calls', async (max) => {
    const { result, requests } = await run(
      worldCases(24, 12),
      {},
      {
        budget: { max_llm_calls: max },
      },
    );
    expect(requests.length).toBeLessThanOrEqual(max);
    expect(result.usage.llm_calls).toBe(requests.length);
  });

  it('validates its parameters', () => {
    expect(() => new MiproStrategy().parseParams({ num_trials: 0 })).toThrow(
      'strategy_params.num_trials: num_trials must be an integer between 1 and 500 (got 0).',
    );
  });
});
