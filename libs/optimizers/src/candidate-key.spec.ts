import { candidateKey } from './candidate-key';
import type { Candidate } from './types';

const base: Candidate = {
  systemPrompt: 'Be brief.',
  userPrompt: 'Q: {question}',
  fewShotExamples: [{ inputs: { question: 'a' }, outputs: 'b' }],
  model: { provider: 'openai', model: 'gpt-4o-mini', parameters: { temperature: 0, top_p: 1 } },
};

describe('candidateKey', () => {
  it('ignores key order and object identity', () => {
    const reordered: Candidate = {
      model: { parameters: { top_p: 1, temperature: 0 }, model: 'gpt-4o-mini', provider: 'openai' },
      fewShotExamples: [{ outputs: 'b', inputs: { question: 'a' } }],
      userPrompt: 'Q: {question}',
      systemPrompt: 'Be brief.',
    };
    expect(candidateKey(reordered)).toBe(candidateKey(base));
    expect(candidateKey(base)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('changes with any part that changes what is sent', () => {
    const keys = new Set([
      candidateKey(base),
      candidateKey({ ...base, systemPrompt: null }),
      candidateKey({ ...base, userPrompt: 'Question: {question}' }),
      candidateKey({ ...base, fewShotExamples: [] }),
      candidateKey({
        ...base,
        model: { ...base.model, parameters: { temperature: 0.7, top_p: 1 } },
      }),
      candidateKey({ ...base, model: { ...base.model, model: 'gpt-4o' } }),
    ]);
    expect(keys.size).toBe(6);
  });
});
