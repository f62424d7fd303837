import { MetricUnavailableError } from '../errors';
import { computeMetric, scoreCase, validateMetricOptions } from '../registry';
import type { EmbedPort, JudgeMessage, JudgePort } from '../types';
import {
  DEFAULT_RUBRIC,
  buildJudgeMessages,
  cosineSimilarity,
  parseJudgeAnswer,
} from './model-metrics';

/** A fake embedder: fixed vectors per text, recording its calls. */
function fakeEmbed(vectors: Record<string, number[]>) {
  const calls: string[][] = [];
  const embed: EmbedPort = (texts) => {
    calls.push(texts);
    return Promise.resolve(texts.map((t) => vectors[t] ?? [0, 0, 1]));
  };
  return { embed, calls };
}

describe('cosineSimilarity', () => {
  it.each<[number[], number[], number]>([
    [[1, 0], [1, 0], 1],
    [[1, 0], [0, 1], 0],
    [[1, 0], [-1, 0], -1],
    [[1, 1], [1, 0], Math.SQRT1_2],
    [[3, 4], [6, 8], 1],
    [[0, 0], [1, 0], 0],
  ])('%p · %p = %p', (a, b, cos) => {
    expect(cosineSimilarity(a, b)).toBeCloseTo(cos, 12);
  });

  it('rejects vectors of different dimensions', () => {
    expect(() => cosineSimilarity([1], [1, 2])).toThrow(/different dimensions/);
  });
});

describe('semantic_similarity', () => {
  const { embed, calls } = fakeEmbed({
    cat: [1, 0, 0],
    kitten: [0.8, 0.6, 0],
    stone: [0, 1, 0],
    opposite: [-1, 0, 0],
  });

  beforeEach(() => (calls.length = 0));

  it.each<[unknown, unknown, number]>([
    ['cat', 'cat', 1],
    ['cat', 'kitten', 0.8],
    [' kitten ', 'cat', 0.8],
    ['cat', 'stone', 0],
    ['cat', 'opposite', 0],
    ['stone', ['cat', 'kitten'], 0.6],
  ])('%p vs %p → %p', async (output, expected, s) => {
    expect(
      (await scoreCase('semantic_similarity', output, expected, {}, { embed })).score,
    ).toBeCloseTo(s, 12);
  });

  it('handles empty texts without calling the model', async () => {
    expect((await scoreCase('semantic_similarity', '', '', {}, { embed })).score).toBe(1);
    expect((await scoreCase('semantic_similarity', null, '  ', {}, { embed })).score).toBe(1);
    expect((await scoreCase('semantic_similarity', '', 'cat', {}, { embed })).score).toBe(0);
    expect((await scoreCase('semantic_similarity', 'cat', '', {}, { embed })).score).toBe(0);
    expect(await scoreCase('semantic_similarity', 'cat', undefined, {}, { embed })).toEqual({
      score: 0,
      details: { error: 'The case has no expected value.' },
    });
    expect(calls).toEqual([]);
  });

  it('embeds output and references in one call', async () => {
    await scoreCase('semantic_similarity', 'cat', ['kitten', 'stone'], {}, { embed });
    expect(calls).toEqual([['cat', 'kitten', 'stone']]);
  });

  it('throws MetricUnavailableError without an embeddings port', async () => {
    await expect(scoreCase('semantic_similarity', 'a', 'b')).rejects.toThrow(
      MetricUnavailableError,
    );
    await expect(
      computeMetric('semantic_similarity', [{ output: 'a', expected: 'b' }], {}, {}),
    ).rejects.toMatchObject({
      name: 'MetricUnavailableError',
      field: 'name',
      missing: ['embeddings'],
    });
  });

  it('reports a broken port', async () => {
    const wrongCount: EmbedPort = () => Promise.resolve([[1, 0]]);
    await expect(
      scoreCase('semantic_similarity', 'a', 'b', {}, { embed: wrongCount }),
    ).rejects.toThrow(/returned 1 vectors for 2 texts/);
    const failing: EmbedPort = () => Promise.reject(new Error('rate limited'));
    await expect(
      scoreCase('semantic_similarity', 'a', 'b', {}, { embed: failing }),
    ).rejects.toThrow('rate limited');
  });
});

describe('llm_judge', () => {
  function fakeJudge(answer: string) {
    const calls: JudgeMessage[][] = [];
    const judge: JudgePort = (messages) => {
      calls.push(messages);
      return Promise.resolve(answer);
    };
    return { judge, calls };
  }

  it('builds a prompt with rubric, inputs, output and expected', () => {
    const messages = buildJudgeMessages(
      'Paris',
      'Paris, France',
      { question: 'Capital of France?' },
      {
        rubric: 'Is the answer correct?',
        scale: [1, 5],
      },
    );
    expect(messages.map((m) => m.role)).toEqual(['system', 'user']);
    const user = messages[1].content;
    expect(user).toContain('Is the answer correct?');
    expect(user).toContain('{"question":"Capital of France?"}');
    expect(user).toContain('## Output to grade\nParis\n');
    expect(user).toContain('## Reference answer\nParis, France');
    expect(user).toContain('from 1 (worst) to 5 (best)');
    expect(user).toContain('{"score": <number from 1 to 5>, "reasoning"');
  });

  it('says (none) for missing inputs and expected, and truncates huge fields', () => {
    const user = buildJudgeMessages('x'.repeat(30_000), null, undefined, {
      rubric: DEFAULT_RUBRIC,
      scale: [0, 10],
    })[1].content;
    expect(user).toContain('## Input\n(none)');
    expect(user).toContain('## Reference answer\n(none)');
    expect(user).toContain('[… truncated]');
    expect(user.length).toBeLessThan(21_000);
  });

  it.each<[string, number, string]>([
    ['{"score": 4, "reasoning": "Mostly right."}', 4, 'Mostly right.'],
    ['```json\n{"score": 2, "reasoning": "Wrong city."}\n```', 2, 'Wrong city.'],
    ['Here is my verdict: {"score": "5", "reasoning": "Perfect."} Thanks!', 5, 'Perfect.'],
    ['{"reasoning": "ok", "score": 3.5}', 3.5, 'ok'],
    ['Score: 3\nReasoning: Partly correct.', 3, 'Partly correct.'],
    ['**Score:** 4/5 — good answer', 4, '**Score:** 4/5 — good answer'],
    ['The answer is fine.\nscore = 5', 5, 'The answer is fine.\nscore = 5'],
  ])('parses %p', (answer, raw, reasoning) => {
    expect(parseJudgeAnswer(answer)).toEqual({ score: raw, reasoning });
  });

  it.each<[string]>([[''], ['I cannot grade this.'], ['{"score": "high"}'], ['{"verdict": 4}']])(
    'finds no score in %p',
    (answer) => {
      expect(parseJudgeAnswer(answer)).toBeUndefined();
    },
  );

  it('maps the grade onto [0, 1] and keeps the reasoning', async () => {
    const { judge, calls } = fakeJudge('{"score": 4, "reasoning": "Mostly right."}');
    const r = await scoreCase(
      'llm_judge',
      'Paris',
      'Paris',
      { rubric: 'Correct?' },
      {
        judge,
        inputs: { q: 'Capital?' },
      },
    );
    expect(r).toEqual({
      score: 0.75,
      details: { reasoning: 'Mostly right.', raw_score: 4, scale: [1, 5] },
    });
    expect(calls[0][1].content).toContain('Correct?');
    expect(calls[0][1].content).toContain('{"q":"Capital?"}');
  });

  it.each<[string, [number, number] | undefined, number, boolean]>([
    ['{"score": 1}', undefined, 0, false],
    ['{"score": 5}', undefined, 1, false],
    ['{"score": 3}', undefined, 0.5, false],
    ['{"score": 7}', [0, 10], 0.7, false],
    ['{"score": 9}', undefined, 1, true],
    ['{"score": 0}', undefined, 0, true],
    ['Score: 0.5', [0, 1], 0.5, false],
  ])('%p on scale %p → %p', async (answer, scale, s, outOfRange) => {
    const { judge } = fakeJudge(answer);
    const r = await scoreCase('llm_judge', 'out', 'exp', scale ? { scale } : {}, { judge });
    expect(r.score).toBeCloseTo(s, 12);
    expect(r.details?.out_of_range === true).toBe(outOfRange);
  });

  it('scores NaN with the answer when it has no score', async () => {
    const { judge } = fakeJudge('I refuse.');
    expect(await scoreCase('llm_judge', 'out', 'exp', {}, { judge })).toEqual({
      score: NaN,
      details: { error: 'The judge answer has no score.', answer: 'I refuse.' },
    });
  });

  it('passes each case its own inputs in computeMetric and averages finite scores', async () => {
    const seen: string[] = [];
    const judge: JudgePort = (messages) => {
      const user = messages[1].content;
      seen.push(user);
      if (user.includes('"id":3')) return Promise.resolve('no idea');
      return Promise.resolve(user.includes('"id":1') ? '{"score": 5}' : '{"score": 3}');
    };
    const r = await computeMetric(
      'llm_judge',
      [1, 2, 3].map((id) => ({ output: `o${id}`, expected: `e${id}`, inputs: { id } })),
      {},
      { judge, concurrency: 2 },
    );
    expect(r.scores.slice(0, 2)).toEqual([1, 0.5]);
    expect(r.scores[2]).toBeNaN();
    expect(r.value).toBe(0.75);
    expect(r.details).toHaveLength(3);
    expect(seen).toHaveLength(3);
  });

  it('throws MetricUnavailableError without a judge port', async () => {
    await expect(scoreCase('llm_judge', 'a', 'b')).rejects.toMatchObject({
      name: 'MetricUnavailableError',
      missing: ['judge'],
    });
  });

  it('validates its options', () => {
    expect(validateMetricOptions('llm_judge', {})).toEqual({
      rubric: DEFAULT_RUBRIC,
      scale: [1, 5],
    });
    for (const scale of [[5, 1], [1, 1], [1], 'x', [1, '5']]) {
      expect(() => validateMetricOptions('llm_judge', { scale })).toThrow(
        expect.objectContaining({ option: 'scale' }),
      );
    }
    expect(() => validateMetricOptions('llm_judge', { rubric: '' })).toThrow(
      expect.objectContaining({ field: 'options.rubric' }),
    );
  });
});
