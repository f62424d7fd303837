import type { ChatAnswer, ChatPort } from '@ps/evaluation';
import {
  cachedChat,
  createWorld,
  PROPOSER_MODEL,
  RULE,
  seedCandidate,
  TASK_MODEL,
  worldCases,
  worldPlan,
} from './chat-world.testing';
import { ParameterError } from './params';
import { createStrategyRegistry, StrategyNotAvailableError } from './registry';
import { effectiveBudget, type OptimizationRequest, runOptimization } from './runner';
import type { BudgetLimits, CandidateRecord, IterationProgress, ProgressSink } from './types';

function request(overrides: Partial<OptimizationRequest> = {}): OptimizationRequest {
  return {
    strategy: 'iterative',
    strategyParams: {},
    seedCandidate: seedCandidate(),
    cases: worldCases(24, 16),
    plan: worldPlan(),
    outputFields: [],
    budget: { max_llm_calls: 200 },
    seed: 11,
    proposerModel: PROPOSER_MODEL,
    ...overrides,
  };
}

class Sink implements ProgressSink {
  readonly records: CandidateRecord[] = [];
  readonly iterations: IterationProgress[] = [];
  candidate(record: CandidateRecord): void {
    this.records.push(record);
  }
  iteration(progress: IterationProgress): void {
    this.iterations.push(progress);
  }
  latest(): Map<number, CandidateRecord> {
    return new Map(this.records.map((r) => [r.id, r]));
  }
}

/** Counts what reaches the model: calls and tokens, as a provider would bill them. */
function metered(chat: ChatPort) {
  const meter = { calls: 0, tokens: 0 };
  const port: ChatPort = async (req) => {
    meter.calls++;
    const answer: ChatAnswer = await chat(req);
    meter.tokens += answer.usage.input + answer.usage.output;
    return answer;
  };
  return { port, meter };
}

describe('runOptimization', () => {
  it('finds the rule, claims a significant gain on validation and records the lineage', async () => {
    const world = createWorld();
    const { port, meter } = metered(world.chat);
    const sink = new Sink();
    // 24 validation cases (about 14 words): a one-sided 1% sign-flip test needs at least 7
    // cases that change, which the 12 of the other tests (about 5 words) cannot give.
    const result = await runOptimization(request({ cases: worldCases(48, 32) }), {
      chat: port,
      progress: sink,
    });

    expect(result.status).toBe('completed');
    expect(result.split.validation_case_ids).toHaveLength(24);
    expect(result.baseline.validation.mean).toBeLessThan(0.8);
    expect(result.improved).toBe(true);
    expect(result.winner.is_seed).toBe(false);
    expect(result.winner.candidate.systemPrompt).toContain(RULE);
    expect(result.best?.validation_rescored?.mean).toBe(1);
    expect(result.delta).toBeGreaterThan(0.2);
    expect(result.ci95?.[0]).toBeGreaterThan(0);
    expect(result.verdict).toMatch(/^Improved/);

    expect(meter.calls).toBe(result.usage.llm_calls);
    expect(meter.calls).toBeLessThanOrEqual(200);
    expect(result.calls_by_role.proposer).toBeGreaterThan(0);

    const latest = sink.latest();
    expect(latest.get(0)).toMatchObject({ operator: 'seed', parentIds: [] });
    for (const record of latest.values()) {
      if (record.id === 0) continue;
      expect(record.parentIds.length).toBeGreaterThan(0);
      expect(record.operator).toBe('reflect');
      for (const parent of record.parentIds) expect(latest.has(parent)).toBe(true);
    }
    expect(latest.get(result.winner.id)?.status).toBe('winner');
    expect(result.candidates).toBe(latest.size);
    expect(sink.iterations.length).toBeGreaterThan(0);
  });

  it('never claims an improvement in a world where the prompt changes nothing', async () => {
    const verdicts: string[] = [];
    for (const seed of [3, 4, 5, 6]) {
      const world = createWorld({ null: true });
      const result = await runOptimization(request({ seed }), { chat: world.chat });
      expect(result.improved).toBe(false);
      expect(result.winner).toMatchObject({ id: 0, is_seed: true });
      verdicts.push(result.verdict);
      if (result.finalists.length > 0) {
        expect(result.verdict).toMatch(/^No significant improvement: the measured difference is/);
      }
    }
    // Noise got some rewrites accepted, so the significance test was what said no.
    expect(
      verdicts.filter((v) => v.startsWith('No significant improvement')).length,
    ).toBeGreaterThan(0);
  });

  it('replays a run from the cache without a single upstream call, to the same result', async () => {
    const store = new Map<string, ChatAnswer>();
    const world = createWorld();
    const first = cachedChat(world.chat, store);
    const a = await runOptimization(request(), { chat: first.chat });
    const callsAfterFirst = world.calls.task + world.calls.proposer;
    expect(first.stats.misses).toBe(callsAfterFirst);

    const second = cachedChat(world.chat, store);
    const b = await runOptimization(request(), { chat: second.chat });
    expect(second.stats.misses).toBe(0);
    expect(world.calls.task + world.calls.proposer).toBe(callsAfterFirst);
    expect(b.winner).toEqual(a.winner);
    expect(b.usage.llm_calls).toBe(a.usage.llm_calls);
    expect(b.usage.tokens).toBe(a.usage.tokens);
    expect(b.delta).toBe(a.delta);
  });

  it.each<[string, BudgetLimits]>([
    ['max_llm_calls', { max_llm_calls: 90 }],
    ['max_tokens', { max_tokens: 2_500 }],
  ])('never spends past %s', async (_kind, budget) => {
    const world = createWorld();
    const { port, meter } = metered(world.chat);
    const result = await runOptimization(request({ budget }), { chat: port });
    if (budget.max_llm_calls) expect(meter.calls).toBeLessThanOrEqual(budget.max_llm_calls);
    if (budget.max_tokens) expect(meter.tokens).toBeLessThanOrEqual(budget.max_tokens);
    expect(result.status).toBe('completed');
    expect(result.stop_reason).toBe('budget');
    // The hold paid for the final re-scoring: it reached every validation case.
    expect(result.final_incomplete).toBe(false);
    expect(result.seed_rescored?.n).toBe(12);
  });

  it('says so when the budget cannot even score the seed prompt', async () => {
    const world = createWorld();
    const { port, meter } = metered(world.chat);
    const result = await runOptimization(request({ budget: { max_llm_calls: 10 } }), {
      chat: port,
    });
    expect(meter.calls).toBe(10);
    expect(result.improved).toBe(false);
    expect(result.stop_reason).toBe('budget');
    expect(result.verdict).toMatch(/budget ran out before the seed prompt was scored/);
  });

  it('stops on cancellation, keeps the best so far and makes no call afterwards', async () => {
    const world = createWorld();
    const controller = new AbortController();
    let callsAtAbort = -1;
    const sink = new Sink();
    const progress: ProgressSink = {
      candidate(record) {
        sink.candidate(record);
        if (record.status === 'accepted' && !controller.signal.aborted) {
          callsAtAbort = world.calls.task + world.calls.proposer;
          controller.abort();
        }
      },
      iteration: (p) => sink.iteration(p),
    };
    const result = await runOptimization(request(), {
      chat: world.chat,
      signal: controller.signal,
      progress,
    });
    expect(callsAtAbort).toBeGreaterThan(0);
    expect(result.status).toBe('cancelled');
    expect(result.stop_reason).toBe('cancelled');
    expect(result.improved).toBe(false);
    expect(result.winner.is_seed).toBe(true);
    // The accepted rewrite is kept as the best so far.
    expect(result.best?.candidate.systemPrompt).toContain(RULE);
    // Known from the train cases it was scored on; no call was made to score it further.
    expect(result.best?.train.n).toBeGreaterThan(0);
    expect(result.best?.validation.n).toBe(0);
    expect(world.calls.task + world.calls.proposer).toBe(callsAtAbort);
    expect(result.verdict).toMatch(/Cancelled/);
  });

  it('rejects bad parameters and unknown strategies naming the field', async () => {
    const world = createWorld();
    await expect(
      runOptimization(request({ strategyParams: { patience: 0 } }), { chat: world.chat }),
    ).rejects.toBeInstanceOf(ParameterError);
    await expect(
      runOptimization(request({ strategy: 'nope' }), { chat: world.chat }),
    ).rejects.toBeInstanceOf(StrategyNotAvailableError);
    expect(world.calls.task).toBe(0);
  });
});

describe('effectiveBudget', () => {
  it("adds the strategy's default call limit only when no call or money limit is set", () => {
    expect(effectiveBudget({}, 200)).toEqual({ max_llm_calls: 200 });
    expect(effectiveBudget({ max_tokens: 10 }, 200)).toEqual({
      max_tokens: 10,
      max_llm_calls: 200,
    });
    expect(effectiveBudget({ max_usd: 1 }, 200)).toEqual({ max_usd: 1 });
    expect(effectiveBudget({ max_llm_calls: 5 }, 200)).toEqual({ max_llm_calls: 5 });
  });
});

describe('resuming after a crash', () => {
  const strategies = ['iterative', 'bootstrap', 'mipro', 'genetic', 'hyperparameter', 'mcts'];

  it.each(strategies)(
    '%s: a replay repeats no finished call and ends as the uninterrupted run',
    async (strategy) => {
      const env = { PROMPT_STUDIO_ENABLE_MCTS: 'true' };
      const registry = createStrategyRegistry({ env });
      const req = request({
        strategy,
        budget: { max_llm_calls: 160 },
        models: [TASK_MODEL, { ...TASK_MODEL, model: 'task-b' }],
      });

      // The uninterrupted run.
      const clean = cachedChat(createWorld().chat, new Map());
      const expected = await runOptimization(req, { chat: clean.chat, registry });

      // The same run killed after 70 model calls, then run again over the cache it left.
      const store = new Map<string, ChatAnswer>();
      const world = createWorld();
      let calls = 0;
      let lost = 0;
      const dying: ChatPort = (r) => {
        if (++calls > 70) {
          lost++; // calls in flight when the worker died: never answered, never cached
          return Promise.reject(new Error('worker killed'));
        }
        return world.chat(r);
      };
      const first = cachedChat(dying, store);
      await expect(runOptimization(req, { chat: first.chat, registry })).rejects.toThrow(
        'worker killed',
      );
      const replay = cachedChat(world.chat, store);
      const resumed = await runOptimization(req, { chat: replay.chat, registry });

      // Every call the first attempt finished came back from the cache.
      expect(lost).toBeGreaterThan(0);
      expect(first.stats.misses - lost + replay.stats.misses).toBe(clean.stats.misses);
      expect(replay.stats.hits).toBe(first.stats.misses - lost);
      expect(resumed.winner).toEqual(expected.winner);
      expect(resumed.usage.llm_calls).toBe(expected.usage.llm_calls);
      expect(resumed.candidates).toBe(expected.candidates);
    },
  );
});
