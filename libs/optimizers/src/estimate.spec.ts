import type { ChatPort } from '@ps/evaluation';
import {
  createWorld,
  PROPOSER_MODEL,
  seedCandidate,
  WORLD_PRICE,
  type WorldOptions,
  worldCases,
  worldPlan,
} from './chat-world.testing';
import { estimateOptimization } from './estimate';
import { type OptimizationRequest, runOptimization } from './runner';
import type { BudgetLimits } from './types';

const price = () => WORLD_PRICE;

function request(strategy: string, budget: BudgetLimits): OptimizationRequest {
  return {
    strategy,
    seedCandidate: seedCandidate(),
    cases: worldCases(24, 12),
    plan: worldPlan(),
    outputFields: [],
    budget,
    seed: 5,
    proposerModel: PROPOSER_MODEL,
  };
}

async function actual(req: OptimizationRequest, world: WorldOptions) {
  const w = createWorld(world);
  const meter = { calls: 0, tokens: 0, usd: 0 };
  const chat: ChatPort = async (r) => {
    const answer = await w.chat(r);
    meter.calls++;
    meter.tokens += answer.usage.input + answer.usage.output;
    meter.usd += answer.listCost;
    return answer;
  };
  await runOptimization(req, { chat, price });
  return meter;
}

describe('estimateOptimization', () => {
  it('is a deterministic dry run that makes no call of its own', async () => {
    const req = request('bootstrap', { max_llm_calls: 120 });
    const a = await estimateOptimization(req, { price });
    const b = await estimateOptimization(req, { price });
    expect(b).toEqual(a);
    expect(a.budget).toEqual({ max_llm_calls: 120 });
    expect(a.expected.llm_calls).toBeGreaterThan(36);
    expect(a.expected.llm_calls).toBeLessThanOrEqual(120);
    expect(a.maximum.llm_calls).toBe(120);
    expect(a.expected.tokens).toBeLessThanOrEqual(a.maximum.tokens);
    expect(a.expected.usd).toBeGreaterThan(0);
    expect(a.expected.usd).toBeLessThanOrEqual(a.maximum.usd);
    expect([a.train_cases, a.validation_cases]).toEqual([25, 11]);
  });

  it("fills in the strategy's default call limit", async () => {
    const estimate = await estimateOptimization(request('iterative', {}));
    expect(estimate.budget).toEqual({ max_llm_calls: 200 });
    expect(estimate.maximum.llm_calls).toBe(200);
  });

  it.each<[string, BudgetLimits, WorldOptions, Record<string, unknown>?]>([
    ['bootstrap', { max_llm_calls: 150 }, { knownWhen: /^[a-d]/ }],
    ['bootstrap', { max_tokens: 6000 }, {}],
    ['bootstrap', { max_usd: 0.001 }, { null: true }],
    ['mipro', { max_llm_calls: 150 }, {}],
    ['mipro', { max_tokens: 6000 }, { knownWhen: /^[a-d]/ }],
    ['iterative', { max_llm_calls: 150 }, { null: true }],
    ['iterative', { max_tokens: 5000 }, { null: true }, { patience: 100, max_iterations: 500 }],
  ])(
    '%s under %j: the run stays within the maximum and near the expected',
    async (strategy, budget, world) => {
      const req = request(strategy, budget);
      const estimate = await estimateOptimization(req, { price });
      const spent = await actual(req, world);
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

  it('refuses what the run would refuse', async () => {
    await expect(
      estimateOptimization(request('iterative', {}), { price }).then(() =>
        estimateOptimization({ ...request('iterative', {}), strategyParams: { patience: -1 } }),
      ),
    ).rejects.toThrow('strategy_params.patience');
  });
});
