import { CallFailedError, type ChatPort, type ChatRequest } from '@ps/evaluation';
import { LlmProposer } from './llm.proposer';

const model = { provider: 'openai', model: 'proposer' };

function scripted(answers: (string | Error)[]) {
  const requests: ChatRequest[] = [];
  const chat: ChatPort = (request) => {
    requests.push({ ...request, messages: [...request.messages] });
    const next = answers.shift();
    if (next === undefined) throw new Error('no more answers');
    if (next instanceof Error) return Promise.reject(next);
    return Promise.resolve({
      text: next,
      usage: { input: 10, output: 10 },
      cost: 0,
      listCost: 0,
      latencyMs: 1,
      cached: false,
    });
  };
  return { chat, requests };
}

describe('LlmProposer', () => {
  const request = { op: 'reflect' as const, currentPrompt: 'Solve {problem}.' };

  it('asks with role proposer and the proposer model, and returns the parsed prompts', async () => {
    const { chat, requests } = scripted(['<prompt>Solve {problem}. Show units.</prompt>']);
    const proposer = new LlmProposer(chat, model);
    await expect(proposer.propose(request)).resolves.toEqual(['Solve {problem}. Show units.']);
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ role: 'proposer', model, cacheSalt: 'proposal:0' });
  });

  it('retries a malformed answer once, showing the reason, then uses the good answer', async () => {
    const { chat, requests } = scripted([
      '<prompt>Solve it.</prompt>',
      '<prompt>Solve {problem} carefully.</prompt>',
    ]);
    const proposer = new LlmProposer(chat, model);
    await expect(proposer.propose(request)).resolves.toEqual(['Solve {problem} carefully.']);
    expect(requests).toHaveLength(2);
    const retry = requests[1].messages;
    expect(retry.at(-2)).toEqual({ role: 'assistant', content: '<prompt>Solve it.</prompt>' });
    expect(retry.at(-1)?.content).toMatch(/drops the template variable \{problem\}/);
    expect(proposer.stats).toMatchObject({ requests: 1, calls: 2, malformed: 1, skipped: 0 });
  });

  it('skips after a second malformed answer and never asks a third time', async () => {
    const { chat, requests } = scripted(['', '<prompt>unclosed', 'never asked']);
    const proposer = new LlmProposer(chat, model);
    await expect(proposer.propose(request)).resolves.toEqual([]);
    expect(requests).toHaveLength(2);
    expect(proposer.stats).toMatchObject({ malformed: 2, skipped: 1 });
  });

  it('salts each proposal apart so two identical asks are two samples', async () => {
    const { chat, requests } = scripted(['Solve {problem} A', 'Solve {problem} B']);
    const proposer = new LlmProposer(chat, model);
    await proposer.propose(request);
    await proposer.propose(request);
    expect(requests.map((r) => r.cacheSalt)).toEqual(['proposal:0', 'proposal:1']);
  });

  it('skips a proposal whose call failed for the infrastructure, and throws terminal failures', async () => {
    const { chat } = scripted([
      new CallFailedError('infra_error', 'overloaded'),
      new CallFailedError('infra_error', 'bad key', true),
    ]);
    const proposer = new LlmProposer(chat, model);
    await expect(proposer.propose(request)).resolves.toEqual([]);
    await expect(proposer.propose(request)).rejects.toThrow('bad key');
  });
});
