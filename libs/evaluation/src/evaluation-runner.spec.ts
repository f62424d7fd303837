import { runEvaluation } from './evaluation-runner';
import {
  BudgetExhaustedError,
  CallFailedError,
  type ChatPort,
  type ChatRequest,
  type EngineCase,
  type PromptUnderTest,
} from './ports';
import { scoringPlanOf } from './scoring-plan';

const prompt: PromptUnderTest = {
  systemPrompt: 'Answer with the number only.',
  userPrompt: 'What is {a} + {b}?',
  fewShotExamples: [],
  model: { provider: 'memory', model: 'adder' },
};

/** A model that adds, wrongly when the sum is a multiple of 7. */
function adder(calls: ChatRequest[] = []): ChatPort {
  return (request) => {
    calls.push(request);
    const user = request.messages[request.messages.length - 1].content;
    const [a, b] = (user.match(/\d+/g) ?? []).map(Number);
    const sum = a + b;
    return Promise.resolve({
      text: String(sum % 7 === 0 ? sum + 1 : sum),
      usage: { input: 10, output: 2 },
      cost: 0.001,
      listCost: 0.001,
      latencyMs: 1,
      cached: false,
    });
  };
}

function cases(n: number): EngineCase[] {
  return Array.from({ length: n }, (_, i) => ({
    id: String(i + 1),
    inputs: { a: i, b: 2 * i },
    expected: { response: String(3 * i) },
  }));
}

const plan = scoringPlanOf({ metrics: [{ name: 'exact_match' }] });

describe('runEvaluation', () => {
  it('runs 1,000 cases through an in-memory model: exact summary, no server, database or queue', async () => {
    const calls: ChatRequest[] = [];
    const seen: string[] = [];
    let lastProgress = 0;
    const outcome = await runEvaluation({
      prompt,
      cases: cases(1000),
      plan,
      ports: { chat: adder(calls) },
      outputFields: [],
      concurrency: 16,
      onResult: (r) => {
        seen.push(r.caseId);
      },
      onProgress: ({ completed }) => {
        lastProgress = completed;
      },
    });
    // 3i is a multiple of 7 exactly when i is: i = 0, 7, …, 994 → 143 wrong answers.
    expect(calls).toHaveLength(1000);
    expect(calls.every((c) => c.role === 'task')).toBe(true);
    expect(new Set(seen).size).toBe(1000);
    expect(lastProgress).toBe(1000);
    expect(outcome.stopped).toBeNull();
    expect(outcome.summary!.total).toBe(1000);
    expect(outcome.summary!.passed).toBe(857);
    expect(outcome.summary!.pass_rate).toBeCloseTo(0.857, 12);
    expect(outcome.summary!.tokens).toEqual({ input: 10_000, output: 2000, total: 12_000 });
    expect(outcome.summary!.cost).toBeCloseTo(1, 9);
  });

  it('never sends a case whose inputs lack a template variable (render_error)', async () => {
    const calls: ChatRequest[] = [];
    const outcome = await runEvaluation({
      prompt,
      cases: [
        { id: 'ok', inputs: { a: 1, b: 2 }, expected: { response: '3' } },
        { id: 'missing', inputs: { a: 1 }, expected: { response: '3' } },
      ],
      plan,
      ports: { chat: adder(calls) },
      outputFields: [],
      keepResults: true,
    });
    expect(calls).toHaveLength(1);
    const missing = outcome.results.find((r) => r.caseId === 'missing')!;
    expect(missing).toMatchObject({ status: 'render_error', output: null, score: null });
    expect(missing.error).toContain('b');
    expect(outcome.summary!.counts).toMatchObject({ ok: 1, render_error: 1 });
    expect(outcome.summary!.pass_rate).toBe(1);
  });

  it('counts a case without expected value as not scored, not failed', async () => {
    const outcome = await runEvaluation({
      prompt,
      cases: [
        { id: '1', inputs: { a: 1, b: 2 }, expected: { response: '3' } },
        { id: '2', inputs: { a: 2, b: 2 }, expected: {} },
      ],
      plan,
      ports: { chat: adder() },
      outputFields: [],
      keepResults: true,
    });
    const unscored = outcome.results.find((r) => r.caseId === '2')!;
    expect(unscored).toMatchObject({ status: 'ok', score: null, passed: null });
    expect(unscored.scores).toEqual({ exact_match: null });
    expect(unscored.parsed).toBeNull();
    expect(outcome.summary!.pass_rate).toBe(1);
    expect(outcome.summary!.not_scored).toEqual({ cases: 1, metrics: { exact_match: 1 } });
  });

  it('stops after one request on a terminal error, and counts other failures apart', async () => {
    let calls = 0;
    const terminal: ChatPort = () => {
      calls++;
      return Promise.reject(new CallFailedError('infra_error', 'auth: bad key', true));
    };
    await expect(
      runEvaluation({
        prompt,
        cases: cases(50),
        plan,
        ports: { chat: terminal },
        outputFields: [],
        concurrency: 8,
      }),
    ).rejects.toThrow('auth: bad key');
    expect(calls).toBe(1);

    let n = 0;
    const flaky: ChatPort = (request) =>
      ++n % 5 === 0
        ? Promise.reject(
            new CallFailedError(n % 10 === 0 ? 'timeout' : 'infra_error', 'server: 500'),
          )
        : adder()(request);
    const outcome = await runEvaluation({
      prompt,
      cases: cases(20),
      plan,
      ports: { chat: flaky },
      outputFields: [],
      concurrency: 1,
    });
    expect(outcome.summary!.counts).toMatchObject({ infra_error: 2, timeout: 2, ok: 16 });
  });

  it('ends with stopped=budget when the budget refuses a call, keeping the results so far', async () => {
    let allowed = 30;
    const budgeted: ChatPort = (request) =>
      allowed-- > 0 ? adder()(request) : Promise.reject(new BudgetExhaustedError('max_llm_calls'));
    const outcome = await runEvaluation({
      prompt,
      cases: cases(100),
      plan,
      ports: { chat: budgeted },
      outputFields: [],
      concurrency: 4,
    });
    expect(outcome.stopped).toBe('budget');
    expect(outcome.completed).toBe(30);
    expect(outcome.summary!.total).toBe(30);
  });

  it('ends with stopped=cancelled when the signal aborts', async () => {
    const controller = new AbortController();
    let calls = 0;
    const chat: ChatPort = (request) => {
      if (++calls === 10) controller.abort();
      return adder()(request);
    };
    const outcome = await runEvaluation({
      prompt,
      cases: cases(100),
      plan,
      ports: { chat },
      outputFields: [],
      concurrency: 2,
      signal: controller.signal,
    });
    expect(outcome.stopped).toBe('cancelled');
    expect(calls).toBeLessThan(15);
  });

  it('skips pairs already done and salts repeats so each is its own sample', async () => {
    const calls: ChatRequest[] = [];
    const outcome = await runEvaluation({
      prompt,
      cases: cases(5),
      plan,
      ports: { chat: adder(calls) },
      outputFields: [],
      repeats: 2,
      cacheSalt: 'seed:3',
      skip: (id, repeat) => id === '1' && repeat === 0,
    });
    expect(outcome.completed).toBe(9);
    expect(calls.map((c) => c.cacheSalt).sort()).toEqual([
      ...Array(4).fill('seed:3:r0'),
      ...Array(5).fill('seed:3:r1'),
    ]);
    expect(calls.every((c) => !c.bypassCache)).toBe(true);
    expect(outcome.summary!.repeats?.runs_per_case).toBe(2);
  });

  describe('paged cases', () => {
    /** Pages of `size` cases that log when each is asked for and when the source is closed. */
    function paged(all: EngineCase[], size: number, log: string[], failAt?: number) {
      return {
        async *[Symbol.asyncIterator]() {
          try {
            for (let start = 0, page = 1; start < all.length; start += size, page++) {
              log.push(`load ${page}`);
              await new Promise((resolve) => setTimeout(resolve, 1));
              if (page === failAt) throw new Error(`page ${page} failed to load`);
              yield all.slice(start, start + size);
            }
          } finally {
            log.push('closed');
          }
        },
      };
    }
    const logging =
      (log: string[]): ChatPort =>
      (request) => {
        log.push(`call ${request.messages[request.messages.length - 1].content}`);
        return adder()(request);
      };

    it('asks for the next page as soon as a page arrives, so its load overlaps the cases', async () => {
      const log: string[] = [];
      const outcome = await runEvaluation({
        prompt,
        cases: paged(cases(9), 3, log),
        plan,
        ports: { chat: logging(log) },
        outputFields: [],
        concurrency: 1,
      });
      expect(outcome.summary!.total).toBe(9);
      // Page 2 is asked for before the second case of page 1 is sent, and so on.
      expect(log.indexOf('load 2')).toBeLessThan(log.indexOf('call What is 1 + 2?'));
      expect(log.indexOf('load 3')).toBeLessThan(log.indexOf('call What is 4 + 8?'));
      expect(log.filter((l) => l.startsWith('call'))).toHaveLength(9);
    });

    it('fails the run with the error of a page that did not load, after the pages before it', async () => {
      const log: string[] = [];
      const seen: string[] = [];
      await expect(
        runEvaluation({
          prompt,
          cases: paged(cases(9), 3, log, 2),
          plan,
          ports: { chat: logging(log) },
          outputFields: [],
          concurrency: 2,
          onResult: (r) => {
            seen.push(r.caseId);
          },
        }),
      ).rejects.toThrow('page 2 failed to load');
      expect(seen.sort()).toEqual(
        cases(3)
          .map((c) => c.id)
          .sort(),
      );
      expect(log).toContain('closed');
    });

    it('closes the source when the run stops early', async () => {
      const log: string[] = [];
      let allowed = 4;
      const budgeted: ChatPort = (request) =>
        allowed-- > 0
          ? adder()(request)
          : Promise.reject(new BudgetExhaustedError('max_llm_calls'));
      const outcome = await runEvaluation({
        prompt,
        cases: paged(cases(30), 3, log),
        plan,
        ports: { chat: budgeted },
        outputFields: [],
        concurrency: 1,
      });
      expect(outcome.stopped).toBe('budget');
      expect(log).toContain('closed');
      // One page beyond the one in hand at most was read.
      expect(log.filter((l) => l.startsWith('load')).length).toBeLessThanOrEqual(3);
    });
  });
});
