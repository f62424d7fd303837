import {
  CallFailedError,
  type CaseResult,
  type ChatPort,
  type ChatRequest,
  emptyResult,
} from '@ps/evaluation';
import { BudgetAccountant } from '../budget/budget-accountant';
import { budgetedChat, chatEstimator } from '../budget/budgeted-chat';
import { plainCases, seedCandidate, worldCases, worldPlan } from '../chat-world.testing';
import { EngineEvaluator, meanScore } from './engine-evaluator';

function echoChat() {
  const requests: ChatRequest[] = [];
  const chat: ChatPort = async (request) => {
    requests.push(request);
    await new Promise((r) => setTimeout(r, 1));
    const last = request.messages.at(-1)?.content ?? '';
    return {
      text: last.toUpperCase(),
      usage: { input: 5, output: 2 },
      cost: 0,
      listCost: 0,
      latencyMs: 1,
      cached: false,
    };
  };
  return { chat, requests };
}

const cases = plainCases(worldCases(4, 2));

describe('EngineEvaluator', () => {
  it('scores through the engine and memoises (candidate, case, seed)', async () => {
    const { chat, requests } = echoChat();
    const evaluator = new EngineEvaluator({ plan: worldPlan(), ports: { chat }, outputFields: [] });
    const first = await evaluator.score(seedCandidate(), cases);
    expect(first).toMatchObject({ mean: 1, scored: 6, complete: true });
    expect(first.cases.map((c) => c.caseId)).toEqual(cases.map((c) => c.id));
    expect(requests).toHaveLength(6);
    expect(requests.every((r) => r.role === 'task' && r.cacheSalt === 'seed:0')).toBe(true);

    // Same candidate (another object), a subset and a new case: only the new case is asked.
    const again = await evaluator.score({ ...seedCandidate() }, [
      cases[1],
      ...plainCases(worldCases(5, 0)).slice(4),
    ]);
    expect(again.cases).toHaveLength(2);
    expect(requests).toHaveLength(7);

    // A fresh seed is a fresh sample, salted apart.
    await evaluator.score(seedCandidate(), cases.slice(0, 2), { seed: 1001 });
    expect(requests.slice(7).map((r) => r.cacheSalt)).toEqual(['seed:1001', 'seed:1001']);
  });

  it('shares one promise between concurrent identical requests', async () => {
    const { chat, requests } = echoChat();
    const evaluator = new EngineEvaluator({ plan: worldPlan(), ports: { chat }, outputFields: [] });
    const [a, b] = await Promise.all([
      evaluator.score(seedCandidate(), cases),
      evaluator.score(seedCandidate(), cases.slice(0, 3)),
    ]);
    expect(requests).toHaveLength(6);
    expect(a.cases.slice(0, 3)).toEqual(b.cases);
    expect(evaluator.engineRuns).toBe(1);
  });

  it('forgets cases the budget stopped, so they are scored once the budget allows', async () => {
    const { chat, requests } = echoChat();
    const accountant = new BudgetAccountant({ max_llm_calls: 4 });
    accountant.setHold({ calls: 2 });
    const evaluator = new EngineEvaluator({
      plan: worldPlan(),
      ports: { chat: budgetedChat(accountant, chat, chatEstimator()) },
      outputFields: [],
      concurrency: 1,
    });
    const partial = await evaluator.score(seedCandidate(), cases.slice(0, 4));
    expect(partial.complete).toBe(false);
    expect(partial.cases).toHaveLength(2);
    expect((await evaluator.lookup(seedCandidate(), cases.slice(0, 4))).cases).toHaveLength(2);
    accountant.releaseHold();
    const rest = await evaluator.score(seedCandidate(), cases.slice(0, 4));
    expect(rest.complete).toBe(true);
    expect(requests).toHaveLength(4);
  });

  it('counts infra errors out of the mean and parse/render errors as 0', () => {
    const result = (status: CaseResult['status'], score: number | null): CaseResult => ({
      ...emptyResult('x', 0),
      status,
      score,
    });
    expect(
      meanScore([
        result('ok', 1),
        result('ok', 0.5),
        result('parse_error', null),
        result('render_error', null),
        result('infra_error', null),
        result('timeout', null),
        result('ok', null),
      ]),
    ).toEqual({ mean: 1.5 / 4, scored: 4 });
  });

  it('turns a failed call into an infra_error case, left out of the mean', async () => {
    let n = 0;
    const chat: ChatPort = (request) => {
      n++;
      if (n === 2) return Promise.reject(new CallFailedError('infra_error', 'overloaded'));
      return Promise.resolve({
        text: (request.messages.at(-1)?.content ?? '').toUpperCase(),
        usage: { input: 1, output: 1 },
        cost: 0,
        listCost: 0,
        latencyMs: 1,
        cached: false,
      });
    };
    const evaluator = new EngineEvaluator({
      plan: worldPlan(),
      ports: { chat },
      outputFields: [],
      concurrency: 1,
    });
    const score = await evaluator.score(seedCandidate(), cases.slice(0, 3));
    expect(score.cases.map((c) => c.status)).toEqual(['ok', 'infra_error', 'ok']);
    expect(score).toMatchObject({ mean: 1, scored: 2, complete: true });
  });
});
