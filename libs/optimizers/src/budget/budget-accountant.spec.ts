import {
  BudgetExhaustedError,
  type ChatAnswer,
  type ChatPort,
  type ChatRequest,
} from '@ps/evaluation';
import { BudgetAccountant } from './budget-accountant';
import { budgetedChat, chatEstimator, estimateInputTokens } from './budgeted-chat';

const model = { provider: 'openai', model: 'm', parameters: { max_tokens: 50 } };

function request(content = 'x'.repeat(400)): ChatRequest {
  return { model, messages: [{ role: 'user', content }], role: 'task' };
}

/** A chat port that answers after a delay with a fixed usage; counts the calls that reached it. */
function slowChat(usage = { input: 100, output: 40 }, listCost = 0.001, cached = false) {
  const state = { calls: 0, inFlight: 0, maxInFlight: 0 };
  const chat: ChatPort = async () => {
    state.calls++;
    state.inFlight++;
    state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
    await new Promise((r) => setTimeout(r, 5));
    state.inFlight--;
    const answer: ChatAnswer = {
      text: 'ok',
      usage,
      cost: cached ? 0 : listCost,
      listCost,
      latencyMs: 5,
      cached,
    };
    return answer;
  };
  return { chat, state };
}

describe('BudgetAccountant', () => {
  it('never lets concurrent calls overshoot the call limit', async () => {
    const accountant = new BudgetAccountant({ max_llm_calls: 7 });
    const { chat, state } = slowChat();
    const port = budgetedChat(accountant, chat, chatEstimator());
    const results = await Promise.allSettled(Array.from({ length: 30 }, () => port(request())));
    expect(state.calls).toBe(7);
    expect(state.maxInFlight).toBe(7);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(7);
    const refused = results.filter((r) => r.status === 'rejected');
    expect(refused).toHaveLength(23);
    expect(refused[0].reason).toBeInstanceOf(BudgetExhaustedError);
    expect((refused[0].reason as BudgetExhaustedError).limit).toBe('max_llm_calls');
    expect(accountant.used().llm_calls).toBe(7);
    expect(accountant.exhausted()).toBe(true);
  });

  it('reserves the worst case of tokens, so concurrent calls stay under max_tokens', async () => {
    // Each call reserves 400/4 + 4 + 50 = 154 tokens and really uses 140.
    const accountant = new BudgetAccountant({ max_tokens: 1000 });
    const { chat, state } = slowChat();
    const port = budgetedChat(accountant, chat, chatEstimator());
    await Promise.allSettled(Array.from({ length: 20 }, () => port(request())));
    expect(state.calls).toBe(6); // 6 × 154 = 924 ≤ 1000 < 7 × 154
    expect(accountant.used().tokens).toBe(6 * 140);
    expect(accountant.used().tokens).toBeLessThanOrEqual(1000);
    // After settling, the freed reservation margin lets one more call in (840 + 154 ≤ 1000).
    await port(request());
    expect(state.calls).toBe(7);
    await expect(port(request())).rejects.toMatchObject({ limit: 'max_tokens' });
    expect(accountant.used().tokens).toBeLessThanOrEqual(1000);
  });

  it('prices reservations and refuses past max_usd', async () => {
    const accountant = new BudgetAccountant({ max_usd: 0.01 });
    const estimate = chatEstimator({ price: () => [10, 30] }); // USD per million tokens
    // 104 input × 10 + 50 output × 30 = 2540 / 1e6 = 0.00254 per call reserved.
    expect(estimate(request()).usd).toBeCloseTo(0.00254, 8);
    const { chat, state } = slowChat({ input: 100, output: 40 }, 0.0022);
    const port = budgetedChat(accountant, chat, estimate);
    await Promise.allSettled(Array.from({ length: 10 }, () => port(request())));
    expect(state.calls).toBe(3);
    expect(accountant.used().usd).toBeCloseTo(0.0066, 9);
    expect(accountant.used().usd).toBeLessThanOrEqual(0.01);
  });

  it('charges cached answers their list cost and counts them as calls', async () => {
    const accountant = new BudgetAccountant({ max_llm_calls: 10 });
    const { chat } = slowChat({ input: 10, output: 5 }, 0.5, true);
    const port = budgetedChat(accountant, chat, chatEstimator());
    const answer = await port(request());
    expect(answer.cost).toBe(0);
    expect(accountant.used()).toMatchObject({ llm_calls: 1, tokens: 15, usd: 0.5 });
  });

  it('counts a failed call and frees its reservation', async () => {
    const accountant = new BudgetAccountant({ max_tokens: 500 });
    const port = budgetedChat(accountant, () => Promise.reject(new Error('boom')), chatEstimator());
    await expect(port(request())).rejects.toThrow('boom');
    expect(accountant.used()).toMatchObject({ llm_calls: 1, tokens: 0 });
    expect(accountant.inFlight()).toBe(0);
    expect(accountant.remainingShare()).toBe(1);
  });

  it('refuses calls once max_duration_s has passed', async () => {
    let now = 1_000;
    const accountant = new BudgetAccountant({ max_duration_s: 10 }, { now: () => now });
    const { chat, state } = slowChat();
    const port = budgetedChat(accountant, chat, chatEstimator());
    await port(request());
    now += 9_000;
    expect(accountant.remainingShare()).toBeCloseTo(0.1, 5);
    await port(request());
    now += 1_000;
    await expect(port(request())).rejects.toMatchObject({ limit: 'max_duration_s' });
    expect(state.calls).toBe(2);
    expect(accountant.exhausted()).toBe(true);
    expect(accountant.startIteration()).toBe(false);
  });

  it('counts iterations up to max_iterations', () => {
    const accountant = new BudgetAccountant({ max_iterations: 2 });
    expect(accountant.startIteration()).toBe(true);
    expect(accountant.exhausted()).toBe(false);
    expect(accountant.startIteration()).toBe(true);
    expect(accountant.startIteration()).toBe(false);
    expect(accountant.used().iterations).toBe(2);
    // The last iteration may finish its calls: only a new iteration is refused.
    expect(accountant.exhausted()).toBe(false);
    expect(accountant.remainingShare()).toBe(0);
  });

  it('keeps a hold out of reach until it is released', async () => {
    const accountant = new BudgetAccountant({ max_llm_calls: 5 });
    accountant.setHold({ calls: 2 });
    expect(accountant.limits.max_llm_calls).toBe(3);
    const { chat, state } = slowChat();
    const port = budgetedChat(accountant, chat, chatEstimator());
    await Promise.allSettled(Array.from({ length: 5 }, () => port(request())));
    expect(state.calls).toBe(3);
    expect(accountant.exhausted()).toBe(true);
    accountant.releaseHold();
    expect(accountant.exhausted()).toBe(false);
    await Promise.allSettled(Array.from({ length: 5 }, () => port(request())));
    expect(state.calls).toBe(5);
  });

  it('asks a hold given as a function again at every check, so it can grow', async () => {
    const accountant = new BudgetAccountant({ max_llm_calls: 10 });
    let finalists = 1;
    accountant.setHold(() => ({ calls: 2 * finalists }));
    const { chat, state } = slowChat();
    const port = budgetedChat(accountant, chat, chatEstimator());
    for (let i = 0; i < 5; i++) await port(request());
    finalists = 3; // the hold grows to 6: only 4 calls fit now, and 5 were made
    await expect(port(request())).rejects.toMatchObject({ limit: 'max_llm_calls' });
    expect(accountant.remainingShare()).toBe(0);
    expect(state.calls).toBe(5);
    accountant.releaseHold();
    await port(request());
    expect(state.calls).toBe(6);
  });

  it('makes no call when the request is already cancelled', async () => {
    const accountant = new BudgetAccountant({});
    const { chat, state } = slowChat();
    const port = budgetedChat(accountant, chat, chatEstimator());
    const controller = new AbortController();
    controller.abort();
    await expect(port({ ...request(), signal: controller.signal })).rejects.toThrow();
    expect(state.calls).toBe(0);
    expect(accountant.used().llm_calls).toBe(0);
  });

  it('estimates input as characters / 4 plus a few tokens per message, output as max_tokens', () => {
    expect(estimateInputTokens(request('y'.repeat(41)))).toBe(11 + 4);
    const noCap = { ...request(), model: { provider: 'p', model: 'm' } };
    expect(chatEstimator({ defaultOutputTokens: 300 })(noCap).tokens).toBe(104 + 300);
    expect(chatEstimator()(request()).tokens).toBe(104 + 50);
  });
});
