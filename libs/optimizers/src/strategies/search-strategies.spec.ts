/**
 * The genetic, MCTS, hyperparameter and random-rewrite strategies through the real runner: the
 * evaluation engine, the LLM proposer's renderer and parser, and one budget accountant, over the
 * in-line chat world (the task answers right only when the prompt carries the uppercase rule; the
 * proposer learns it only from evidence).
 */
import type { ChatAnswer, ChatPort, ChatRequest } from '@ps/evaluation';
import {
  cachedChat,
  createWorld,
  PROPOSER_MODEL,
  RULE,
  seedCandidate,
  WORLD_PRICE,
  type WorldOptions,
  worldCases,
  worldPlan,
} from '../chat-world.testing';
import { estimateOptimization } from '../estimate';
import { parseProposalRequest } from '../proposer/proposal-format';
import { createStrategyRegistry } from '../registry';
import { type OptimizationRequest, runOptimization } from '../runner';
import type { BudgetLimits, CandidateRecord } from '../types';

const registry = createStrategyRegistry({ env: { PROMPT_STUDIO_ENABLE_MCTS: 'true' } });

async function run(
  strategy: string,
  overrides: Partial<OptimizationRequest> = {},
  options: { world?: WorldOptions; chat?: (inner: ChatPort) => ChatPort } = {},
) {
  const world = createWorld(options.world);
  const requests: ChatRequest[] = [];
  let upstream = 0;
  const base: ChatPort = async (req) => {
    requests.push(req);
    upstream++;
    return world.chat(req);
  };
  const chat = options.chat ? options.chat(base) : base;
  const records: CandidateRecord[] = [];
  const result = await runOptimization(
    {
      strategy,
      seedCandidate: seedCandidate(),
      cases: worldCases(24, 16),
      plan: worldPlan(),
      outputFields: [],
      budget: { max_llm_calls: 300 },
      seed: 31,
      proposerModel: PROPOSER_MODEL,
      ...overrides,
    },
    {
      chat,
      registry,
      progress: { candidate: (r) => records.push(r), iteration: () => undefined },
    },
  );
  return { result, requests, records, upstream: () => upstream };
}

function expectLineage(records: CandidateRecord[]) {
  const known = new Set<number>();
  for (const r of records) {
    if (known.has(r.id)) continue; // a later update of a recorded candidate
    for (const p of r.parentIds) expect(known.has(p)).toBe(true);
    known.add(r.id);
  }
}

describe.each(['genetic', 'mcts'])('%s through the runner', (strategy) => {
  it('finds the rule from evidence, claims a significant gain, within the budget', async () => {
    // 24 validation cases (12 had 7 that change): the best of 3 finalists must pass a one-sided
    // sign-flip test at 1%/3, which takes at least 9. The budget grows with the cases.
    const { result, records, upstream } = await run(strategy, {
      cases: worldCases(48, 32),
      budget: { max_llm_calls: 500 },
    });
    expect(result.improved).toBe(true);
    expect(result.winner.candidate.systemPrompt).toContain(RULE);
    expect(upstream()).toBeLessThanOrEqual(500);
    expect(result.usage.llm_calls).toBe(upstream());
    expectLineage(records);
  });

  it('shows the proposer only train cases', async () => {
    const { result, requests } = await run(strategy);
    const validation = new Set(
      worldCases(24, 16)
        .filter((c) => result.split.validation_case_ids.includes(c.id))
        .map((c) => String(c.inputs.text)),
    );
    const proposals = requests
      .filter((r) => r.role === 'proposer')
      .map((r) => parseProposalRequest(r.messages));
    expect(proposals.length).toBeGreaterThan(0);
    for (const p of proposals) {
      expect(p?.examples?.length).toBeGreaterThan(0);
      for (const e of p?.examples ?? []) expect(validation.has(e.input)).toBe(false);
    }
  });

  it('never claims an improvement in the null world', async () => {
    const { result } = await run(strategy, {}, { world: { null: true } });
    expect(result.improved).toBe(false);
  });

  it('replays from the LLM cache without a single upstream call', async () => {
    const store = new Map<string, ChatAnswer>();
    const first = await run(strategy, {}, { chat: (inner) => cachedChat(inner, store).chat });
    const second = await run(strategy, {}, { chat: (inner) => cachedChat(inner, store).chat });
    expect(first.upstream()).toBeGreaterThan(0);
    expect(second.upstream()).toBe(0);
    expect(second.result.winner).toEqual(first.result.winner);
    expect(second.records).toEqual(first.records);
  });
});

describe('random_rewrite through the runner', () => {
  it('paraphrases without evidence and gains nothing where the rule must be learned', async () => {
    const { result, requests, upstream } = await run('random_rewrite');
    const proposals = requests
      .filter((r) => r.role === 'proposer')
      .map((r) => parseProposalRequest(r.messages));
    expect(proposals.length).toBeGreaterThan(5);
    for (const p of proposals) {
      expect(p?.op).toBe('paraphrase');
      expect(p?.examples ?? []).toEqual([]);
    }
    expect(result.improved).toBe(false);
    expect(upstream()).toBeLessThanOrEqual(300);
  });

  it('is not listed for users', () => {
    expect(registry.list().map((s) => s.name)).not.toContain('random_rewrite');
    expect(registry.has('random_rewrite')).toBe(true);
  });
});

describe('hyperparameter through the runner', () => {
  it('tries models_to_test and sampling settings, and claims nothing where they do not matter', async () => {
    const models = [
      { provider: 'fake', model: 'task', parameters: { max_tokens: 16 } },
      { provider: 'fake', model: 'task-b', parameters: { max_tokens: 16 } },
    ];
    const { result, records, requests } = await run('hyperparameter', {
      strategyParams: { search: 'bayesian', tune: ['temperature'], cases_per_trial: 8 },
      models,
      budget: { max_llm_calls: 200 },
    });
    expect(result.improved).toBe(false);
    const tried = new Set(records.filter((r) => r.id > 0).map((r) => r.candidate.model.model));
    expect(tried).toEqual(new Set(['task', 'task-b']));
    expect(requests.some((r) => r.role === 'task' && r.model.model === 'task-b')).toBe(true);
    expect((result.details.pareto as unknown[]).length).toBeGreaterThan(0);
    expectLineage(records);
  });
});

describe.each(['genetic', 'mcts', 'random_rewrite', 'hyperparameter'])(
  '%s estimate',
  (strategy) => {
    it.each<[BudgetLimits]>([
      [{ max_llm_calls: 200 }],
      [{ max_tokens: 8000 }],
      [{ max_usd: 0.002 }],
    ])(
      'under %j bounds what the run spends and is within 30% of it (null world)',
      async (budget) => {
        const price = () => WORLD_PRICE;
        const req: OptimizationRequest = {
          strategy,
          seedCandidate: seedCandidate(),
          cases: worldCases(24, 12),
          plan: worldPlan(),
          outputFields: [],
          budget,
          seed: 5,
          proposerModel: PROPOSER_MODEL,
        };
        const estimate = await estimateOptimization(req, { price, registry });
        const world = createWorld({ null: true });
        const spent = { calls: 0, tokens: 0, usd: 0 };
        const chat: ChatPort = async (r) => {
          const answer = await world.chat(r);
          spent.calls++;
          spent.tokens += answer.usage.input + answer.usage.output;
          spent.usd += answer.listCost;
          return answer;
        };
        await runOptimization(req, { chat, price, registry });
        expect(spent.calls).toBeLessThanOrEqual(estimate.maximum.llm_calls);
        expect(spent.tokens).toBeLessThanOrEqual(estimate.maximum.tokens);
        expect(spent.usd).toBeLessThanOrEqual(estimate.maximum.usd + 1e-12);
        expect(Math.abs(estimate.expected.llm_calls - spent.calls)).toBeLessThanOrEqual(
          0.3 * spent.calls,
        );
        expect(Math.abs(estimate.expected.tokens - spent.tokens)).toBeLessThanOrEqual(
          0.3 * spent.tokens,
        );
      },
    );
  },
);
