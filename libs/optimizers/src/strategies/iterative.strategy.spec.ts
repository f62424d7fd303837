import type { ChatPort, ChatRequest } from '@ps/evaluation';
import {
  createWorld,
  PROPOSER_MODEL,
  RULE,
  seedCandidate,
  worldCases,
  worldPlan,
} from '../chat-world.testing';
import { parseProposalRequest } from '../proposer/proposal-format';
import { type OptimizationRequest, runOptimization } from '../runner';
import type { CandidateRecord } from '../types';
import { IterativeStrategy } from './iterative.strategy';

async function run(overrides: Partial<OptimizationRequest> = {}, world = createWorld()) {
  const requests: ChatRequest[] = [];
  const chat: ChatPort = (req) => {
    requests.push(req);
    return world.chat(req);
  };
  const records: CandidateRecord[] = [];
  const result = await runOptimization(
    {
      strategy: 'iterative',
      seedCandidate: seedCandidate(),
      cases: worldCases(24, 16),
      plan: worldPlan(),
      outputFields: [],
      budget: { max_llm_calls: 200 },
      seed: 21,
      proposerModel: PROPOSER_MODEL,
      ...overrides,
    },
    { chat, progress: { candidate: (r) => records.push(r), iteration: () => undefined } },
  );
  return { result, requests, records };
}

describe('IterativeStrategy', () => {
  it('shows the proposer only failing train cases, with their feedback', async () => {
    const { result, requests } = await run();
    const train = new Set(
      worldCases(24, 16)
        .filter((c) => result.split.train_case_ids.includes(c.id))
        .map((c) => String(c.inputs.text)),
    );
    const reflections = requests
      .filter((r) => r.role === 'proposer')
      .map((r) => parseProposalRequest(r.messages));
    expect(reflections.length).toBeGreaterThan(0);
    for (const reflection of reflections) {
      expect(reflection?.op).toBe('reflect');
      expect(reflection?.examples?.length).toBeGreaterThan(0);
      for (const e of reflection?.examples ?? []) {
        expect(train.has(e.input)).toBe(true);
        expect(e.score).toBe(0);
        expect(e.output).not.toBe(e.expected);
        expect(e.feedback).not.toBe('');
      }
    }
  });

  it('keeps the template variables when it rewrites a user prompt', async () => {
    const { result } = await run({
      seedCandidate: seedCandidate({ systemPrompt: null, userPrompt: 'Repeat [{text}]' }),
    });
    expect(result.improved).toBe(true);
    expect(result.winner.candidate.systemPrompt).toBeNull();
    expect(result.winner.candidate.userPrompt).toContain('[{text}]');
    expect(result.winner.candidate.userPrompt).toContain(RULE);
  });

  it('accepts only rewrites that beat the current prompt by min_improvement', async () => {
    const { records } = await run({ strategyParams: { min_improvement: 0.99 } });
    // No rewrite can gain 0.99 on a minibatch that already passes some cases.
    expect(records.some((r) => r.status === 'accepted')).toBe(false);
    expect(records.filter((r) => r.status === 'rejected').length).toBeGreaterThan(0);
  });

  it('stops after `patience` rounds without an accepted rewrite', async () => {
    const { result } = await run({ strategyParams: { patience: 2, min_improvement: 0.99 } });
    const details = result.details as { iterations: number; accepted: number };
    expect(details.accepted).toBe(0);
    expect(details.iterations).toBe(2);
  });

  it('counts rounds against budget.max_iterations', async () => {
    const { result } = await run(
      { budget: { max_llm_calls: 400, max_iterations: 3 } },
      createWorld({ null: true }),
    );
    expect(result.usage.iterations).toBe(3);
    expect(['iterations', 'done']).toContain(result.stop_reason);
  });

  it('lists its parameters with defaults and ranges', () => {
    const strategy = new IterativeStrategy();
    expect(strategy.parameters.map((p) => p.name)).toEqual([
      'max_iterations',
      'patience',
      'min_improvement',
      'minibatch_size',
      'max_examples',
      'proposals_per_iteration',
    ]);
    expect(strategy.parseParams({})).toMatchObject({ patience: 6, minibatch_size: 8 });
    expect(() => strategy.parseParams({ minibatch_size: 0 })).toThrow('between 1 and 200');
  });
});
