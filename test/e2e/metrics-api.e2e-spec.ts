import { mockEmbedding } from '@ps/llm';
import { cosineSimilarity, METRIC_NAMES } from '@ps/metrics';
import type { Response } from 'supertest';
import { type FakeLlmServer, startFakeLlm } from '../fakes/fake-llm';
import { BASE, startTestApp, type TestApp } from '../support/test-app';

/**
 * The metrics catalogue over HTTP: GET /metrics/list and POST /metrics/compute, with expected
 * values worked out by hand (or, for classification, taken from scikit-learn's documentation),
 * model-backed metrics on the mock embeddings and on an OpenAI wire-protocol judge, and the
 * problem documents of bad requests.
 */

type Json = Response['body'];

describe('metrics API', () => {
  let fake: FakeLlmServer;
  let t: TestApp;

  beforeAll(async () => {
    fake = await startFakeLlm({ answer: () => '{"score": 4, "reasoning": "ok"}' });
    t = await startTestApp({
      env: {
        OPENAI_API_KEY: 'sk-test-metrics',
        OPENAI_BASE_URL: `${fake.url}/v1`,
        LLM_MAX_RETRIES: '0',
      },
    });
  });

  afterAll(async () => {
    await t?.close();
    await fake?.close();
  });

  const compute = (body: object) => t.http().post(`${BASE}/metrics/compute`).send(body);

  function expectStatus(res: Response, status: number): void {
    if (res.status !== status) {
      throw new Error(`expected ${status}, got ${res.status}: ${JSON.stringify(res.body)}`);
    }
  }

  function expectFields(res: Response, fields: string[]): void {
    expectStatus(res, 400);
    expect(res.body.code).toBe('validation_failed');
    expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(fields);
  }

  const pairs = (outputs: unknown[], expected: unknown[]) =>
    outputs.map((output, i) => ({ output, expected: expected[i] }));

  it('lists every metric with its kind, options, description and range', async () => {
    const res = await t.http().get(`${BASE}/metrics/list`);
    expectStatus(res, 200);
    const items: Json[] = res.body.items;
    expect(items.map((m) => m.name)).toEqual([...METRIC_NAMES]);
    const kinds = Object.fromEntries(items.map((m) => [m.name, m.kind]));
    for (const name of ['accuracy', 'precision', 'recall', 'f1_score', 'mae', 'mse', 'rmse']) {
      expect(kinds[name]).toBe('dataset');
    }
    for (const name of [
      'exact_match',
      'token_overlap',
      'bleu',
      'semantic_similarity',
      'llm_judge',
    ]) {
      expect(kinds[name]).toBe('per_case');
    }
    for (const m of items) {
      expect(m).toEqual(
        expect.objectContaining({
          description: expect.any(String),
          options: expect.any(Array),
          range: expect.any(Array),
        }),
      );
    }
    const bleu = items.find((m) => m.name === 'bleu')!;
    expect(bleu.options.map((o: Json) => o.name)).toEqual(['max_n', 'smoothing', 'lowercase']);
    const judge = items.find((m) => m.name === 'llm_judge')!;
    expect(judge).toMatchObject({ async: true, requires: ['judge'] });
  });

  it('computes exact_match per pair and their mean', async () => {
    const res = await compute({
      metric: 'exact_match',
      pairs: pairs(['Paris', ' paris ', 'Lyon', 'Paris '], ['Paris', 'Paris', 'Paris', 'Paris']),
    });
    expectStatus(res, 200);
    // Trimmed, case-sensitive by default.
    expect(res.body).toEqual({
      metric: 'exact_match',
      kind: 'per_case',
      scores: [1, 0, 0, 1],
      value: 0.5,
    });
    const insensitive = await compute({
      metric: 'exact_match',
      options: { case_sensitive: false },
      pairs: pairs([' paris '], ['Paris']),
    });
    expect(insensitive.body.scores).toEqual([1]);
  });

  it('computes token_overlap as token F1', async () => {
    const res = await compute({
      metric: 'token_overlap',
      pairs: pairs(['The cat sat.', 'dogs', ''], ['the cat', 'cats', '']),
    });
    expectStatus(res, 200);
    // P = 2/3, R = 1 → F1 = 0.8; no common token → 0; both empty → 1.
    expect(res.body.scores[0]).toBeCloseTo(0.8, 12);
    expect(res.body.scores.slice(1)).toEqual([0, 1]);
    expect(res.body.value).toBeCloseTo(1.8 / 3, 12);
  });

  it('computes sentence BLEU with brevity penalty', async () => {
    const res = await compute({
      metric: 'bleu',
      options: { max_n: 2, smoothing: 'none' },
      pairs: pairs(
        ['the cat sat on mat', 'the cat sat on the mat'],
        ['the cat sat on the mat', 'the cat sat on the mat'],
      ),
    });
    expectStatus(res, 200);
    // p1 = 5/5, p2 = 3/4, BP = exp(1 − 6/5): sqrt(1 · 0.75) · e^−0.2.
    expect(res.body.scores[0]).toBeCloseTo(Math.sqrt(0.75) * Math.exp(-0.2), 12);
    expect(res.body.scores[1]).toBeCloseTo(1, 12);
  });

  it('computes macro F1 as scikit-learn does', async () => {
    // sklearn.metrics.f1_score([0, 1, 2, 0, 1, 2], [0, 2, 1, 0, 0, 1], average='macro') = 0.2666…
    const yTrue = ['0', '1', '2', '0', '1', '2'];
    const yPred = ['0', '2', '1', '0', '0', '1'];
    const res = await compute({ metric: 'f1_score', pairs: pairs(yPred, yTrue) });
    expectStatus(res, 200);
    expect(res.body).toMatchObject({ metric: 'f1_score', kind: 'dataset' });
    expect(res.body.value).toBeCloseTo(0.26666666666666666, 12);
    expect(res.body.value.toFixed(4)).toBe('0.2667');
    expect(res.body.summary).toMatchObject({ count: 6, average: 'macro' });
    // average=micro equals accuracy: 2 of 6.
    const micro = await compute({
      metric: 'f1_score',
      options: { average: 'micro' },
      pairs: pairs(yPred, yTrue),
    });
    expect(micro.body.value).toBeCloseTo(1 / 3, 12);
    const weighted = await compute({
      metric: 'f1_score',
      options: { average: 'weighted' },
      pairs: pairs(yPred, yTrue),
    });
    // Each label has support 2, so weighted = macro here.
    expect(weighted.body.value).toBeCloseTo(0.26666666666666666, 12);
  });

  it('computes MAE over numeric strings and leaves non-numbers out', async () => {
    // sklearn.metrics.mean_absolute_error([3, -0.5, 2, 7], [2.5, 0.0, 2, 8]) = 0.5
    const res = await compute({
      metric: 'mae',
      pairs: pairs(['2.5', '0.0', 2, '8', 'n/a'], ['3', '-0.5', '2', 7, '1']),
    });
    expectStatus(res, 200);
    expect(res.body).toMatchObject({ metric: 'mae', kind: 'dataset', value: 0.5 });
    expect(res.body.summary).toMatchObject({ count: 4, excluded: 1 });
    expect(res.body.scores).toEqual([0.5, 0.5, 0, 1, null]);
  });

  it('computes semantic_similarity with the mock embedding model', async () => {
    const texts: [string, string][] = [
      ['a refund was issued', 'a refund was issued'],
      ['a refund was issued', 'the parcel is late'],
    ];
    const res = await compute({
      metric: 'semantic_similarity',
      embedding_model_config: { provider: 'mock', model: 'mock-embed' },
      pairs: texts.map(([output, expected]) => ({ output, expected })),
    });
    expectStatus(res, 200);
    const expected = texts.map(([a, b]) =>
      Math.min(1, Math.max(0, cosineSimilarity(mockEmbedding(a), mockEmbedding(b)))),
    );
    expect(res.body.scores[0]).toBeCloseTo(1, 9);
    expect(res.body.scores[1]).toBeCloseTo(expected[1], 9);
    expect(res.body.scores[1]).toBeLessThan(1);
  });

  it('grades with llm_judge on an OpenAI-protocol judge and maps 4 of 1–5 to 0.75', async () => {
    fake.reset();
    const res = await compute({
      metric: 'llm_judge',
      judge_model_config: { provider: 'openai', model: 'gpt-4o-mini' },
      options: { rubric: 'Is the answer polite?' },
      pairs: [{ output: 'Thank you!', expected: 'A polite answer', inputs: { q: 'Say thanks' } }],
    });
    expectStatus(res, 200);
    expect(res.body).toMatchObject({
      metric: 'llm_judge',
      kind: 'per_case',
      scores: [0.75],
      value: 0.75,
      details: [{ reasoning: 'ok', raw_score: 4, scale: [1, 5] }],
    });
    // One judge call, carrying the rubric, the inputs, the output and the reference.
    expect(fake.count('chat')).toBe(1);
    const prompt = fake.requests[0].messages.map((m) => m.content).join('\n');
    expect(prompt).toContain('Is the answer polite?');
    expect(prompt).toContain('Say thanks');
    expect(prompt).toContain('Thank you!');
    expect(prompt).toContain('A polite answer');
    expect(fake.requests[0].model).toBe('gpt-4o-mini');
  });

  it('answers a judge failure upstream with a provider problem, not a score', async () => {
    fake.setOptions({ fail: () => ({ status: 401 }) });
    try {
      const res = await compute({
        metric: 'llm_judge',
        judge_model_config: { provider: 'openai', model: 'gpt-4o-mini' },
        pairs: [{ output: 'x', expected: 'y' }],
      });
      expectStatus(res, 502);
      expect(res.body).toMatchObject({ code: 'provider_error', kind: 'auth' });
    } finally {
      fake.setOptions({ fail: undefined });
    }
  });

  describe('bad requests', () => {
    it('names an unknown metric', async () => {
      const res = await compute({ metric: 'nope', pairs: pairs(['a'], ['a']) });
      expectFields(res, ['metric']);
      expect(res.body.errors[0].message).toContain('exact_match');
    });

    it('names a bad option', async () => {
      expectFields(
        await compute({ metric: 'exact_match', options: { x: 1 }, pairs: pairs(['a'], ['a']) }),
        ['options.x'],
      );
      expectFields(
        await compute({ metric: 'bleu', options: { max_n: 0 }, pairs: pairs(['a'], ['a']) }),
        ['options.max_n'],
      );
      expectFields(
        await compute({
          metric: 'f1_score',
          options: { average: 'binary' },
          pairs: pairs(['a'], ['a']),
        }),
        ['options.positive_label'],
      );
    });

    it('refuses llm_judge without a judge and semantic_similarity without embeddings', async () => {
      const before = fake.requests.length;
      const judge = await compute({ metric: 'llm_judge', pairs: pairs(['a'], ['a']) });
      expectFields(judge, ['judge_model_config']);
      expect(judge.body.errors[0].message).toContain('needs a judge model');
      const embed = await compute({ metric: 'semantic_similarity', pairs: pairs(['a'], ['a']) });
      expectFields(embed, ['embedding_model_config']);
      expect(embed.body.errors[0].message).toContain('needs an embeddings model');
      // Nothing reached a model.
      expect(fake.requests.length).toBe(before);
    });

    it('names a bad judge or embedding model config', async () => {
      expectFields(
        await compute({
          metric: 'llm_judge',
          judge_model_config: { provider: 'nope', model: 'x' },
          pairs: pairs(['a'], ['a']),
        }),
        ['judge_model_config.provider'],
      );
      expectFields(
        await compute({
          metric: 'semantic_similarity',
          embedding_model_config: { provider: 'mock', model: 'mock-echo' },
          pairs: pairs(['a'], ['a']),
        }),
        ['embedding_model_config.model'],
      );
      // A good judge beside a bad embedding model: the problem names the bad one.
      expectFields(
        await compute({
          metric: 'semantic_similarity',
          judge_model_config: { provider: 'mock', model: 'mock-echo' },
          embedding_model_config: { provider: 'mock', model: 'mock-echo' },
          pairs: pairs(['a'], ['a']),
        }),
        ['embedding_model_config.model'],
      );
    });

    it('validates the body itself', async () => {
      const res = await compute({ metric: 'exact_match', pairs: [] });
      expectFields(res, ['pairs']);
    });
  });
});
