import {
  MetricError,
  MetricOptionError,
  MetricRunsInWorkerError,
  MetricUnavailableError,
  UnknownMetricError,
} from './errors';
import {
  METRICS,
  METRIC_NAMES,
  computeMetric,
  getMetric,
  listMetrics,
  scoreCase,
  validateMetricOptions,
} from './registry';
import type { EmbedPort } from './types';

describe('metric registry', () => {
  it('lists every metric once, in METRIC_NAMES order', () => {
    expect(listMetrics().map((m) => m.name)).toEqual([...METRIC_NAMES]);
    expect(Object.keys(METRICS)).toEqual([...METRIC_NAMES]);
  });

  it('describes every metric completely and serialisably', () => {
    for (const info of listMetrics()) {
      expect(info.description.length).toBeGreaterThan(40);
      expect(['per_case', 'dataset']).toContain(info.kind);
      expect(info.range[0]).toBe(0);
      expect(JSON.parse(JSON.stringify(info))).toEqual(info);
      for (const option of info.options) {
        expect(option.description.length).toBeGreaterThan(5);
        if (option.type === 'enum') expect(option.values?.length).toBeGreaterThan(1);
      }
    }
  });

  it('marks the model-backed metrics async with their ports', () => {
    const model = listMetrics().filter((m) => m.async);
    expect(model.map((m) => [m.name, m.requires])).toEqual([
      ['semantic_similarity', ['embeddings']],
      ['llm_judge', ['judge']],
    ]);
    expect(
      listMetrics()
        .filter((m) => m.kind === 'dataset')
        .map((m) => m.name),
    ).toEqual(['accuracy', 'precision', 'recall', 'f1_score', 'mae', 'mse', 'rmse']);
  });

  it('documents the defaults the schemas apply', () => {
    for (const info of listMetrics()) {
      const required = Object.fromEntries(
        info.options.filter((o) => o.required).map((o) => [o.name, { type: 'object' }]),
      );
      const parsed = validateMetricOptions(info.name, required);
      for (const option of info.options) {
        if (option.required) continue;
        expect([info.name, option.name, parsed[option.name] ?? null]).toEqual([
          info.name,
          option.name,
          option.default,
        ]);
      }
    }
  });

  it('returns copies from listMetrics', () => {
    const list = listMetrics();
    list[0].options.pop();
    expect(listMetrics()[0].options).toHaveLength(2);
  });

  it('throws UnknownMetricError naming the known metrics', () => {
    expect(() => getMetric('blue')).toThrow(UnknownMetricError);
    try {
      getMetric('blue');
    } catch (e) {
      const err = e as UnknownMetricError;
      expect(err).toBeInstanceOf(MetricError);
      expect(err.field).toBe('name');
      expect(err.metric).toBe('blue');
      expect(err.known).toEqual([...METRIC_NAMES]);
      expect(err.message).toContain('bleu, rouge_l');
      expect(err.errors).toEqual([{ field: 'name', message: err.message }]);
    }
    expect(() => getMetric('toString')).toThrow(UnknownMetricError);
    expect(() => getMetric('__proto__')).toThrow(UnknownMetricError);
  });
});

describe('validateMetricOptions', () => {
  it('fills in defaults', () => {
    expect(validateMetricOptions('bleu')).toEqual({ max_n: 4, smoothing: 'add1', lowercase: true });
    expect(validateMetricOptions('bleu', null)).toEqual({
      max_n: 4,
      smoothing: 'add1',
      lowercase: true,
    });
    expect(validateMetricOptions('exact_match', { trim: false })).toEqual({
      case_sensitive: true,
      trim: false,
    });
  });

  it('names an unknown option and lists the known ones', () => {
    try {
      validateMetricOptions('exact_match', { case_sensitve: false });
      throw new Error('no error');
    } catch (e) {
      const err = e as MetricOptionError;
      expect(err).toBeInstanceOf(MetricOptionError);
      expect(err.option).toBe('case_sensitve');
      expect(err.field).toBe('options.case_sensitve');
      expect(err.metric).toBe('exact_match');
      expect(err.message).toBe(
        "Unknown option 'case_sensitve' for metric 'exact_match'. Known options: case_sensitive, trim.",
      );
    }
    expect(() => validateMetricOptions('token_overlap', { x: 1 })).toThrow(/takes no options/);
  });

  it('reports every problem in errors, the first in field', () => {
    try {
      validateMetricOptions('bleu', { max_n: 'four', smoothing: 'add2', extra: 1 });
      throw new Error('no error');
    } catch (e) {
      const err = e as MetricOptionError;
      expect(err.field).toBe('options.max_n');
      expect(err.errors.map((x) => x.field).sort()).toEqual([
        'options.extra',
        'options.max_n',
        'options.smoothing',
      ]);
      expect(err.message).toMatch(/^Option max_n of metric 'bleu': .*expected number/);
    }
  });

  it('names the element of a nested option', () => {
    expect(() => validateMetricOptions('llm_judge', { scale: [1, 'x'] })).toThrow(
      expect.objectContaining({ option: 'scale', field: 'options.scale.1' }),
    );
  });

  it('rejects options that are not an object', () => {
    for (const bad of ['x', 3, [1], true]) {
      expect(() => validateMetricOptions('bleu', bad)).toThrow(
        expect.objectContaining({ name: 'MetricOptionError', field: 'options', option: null }),
      );
    }
  });

  it('throws UnknownMetricError for an unknown metric', () => {
    expect(() => validateMetricOptions('nope', {})).toThrow(UnknownMetricError);
  });
});

describe('computeMetric', () => {
  const pairs = [
    { output: 'Paris', expected: 'Paris' },
    { output: 'paris', expected: 'Paris' },
    { output: 'Lyon', expected: 'Paris' },
    { output: undefined, expected: 'Paris' },
  ];

  it('averages per-case scores', async () => {
    expect(await computeMetric('exact_match', pairs)).toEqual({
      metric: 'exact_match',
      kind: 'per_case',
      scores: [1, 0, 0, 0],
      value: 0.25,
    });
    const ci = await computeMetric('exact_match', pairs, { case_sensitive: false });
    expect(ci.value).toBe(0.5);
  });

  it('aligns per-case details with scores', async () => {
    const r = await computeMetric('json_match', [
      { output: '{"a": 1}', expected: { a: 1 } },
      { output: 'nope', expected: { a: 1 } },
    ]);
    expect(r.scores).toEqual([1, 0]);
    expect(r.details).toEqual([null, { error: 'The output is not JSON.' }]);
  });

  it('gives NaN for no pairs', async () => {
    const r = await computeMetric('levenshtein', []);
    expect(r.value).toBeNaN();
    expect(r.scores).toEqual([]);
  });

  it('computes dataset metrics over all pairs', async () => {
    const r = await computeMetric('accuracy', pairs, { case_sensitive: false });
    expect(r.kind).toBe('dataset');
    expect(r.value).toBe(0.5);
    expect(r.scores).toEqual([1, 1, 0, 0]);
    expect(r.summary).toEqual({ count: 4, excluded: 0, missing_predictions: 1 });
  });

  it('validates options before scoring', async () => {
    await expect(computeMetric('regex_match', pairs, { pattern: '[' })).rejects.toBeInstanceOf(
      MetricOptionError,
    );
    await expect(computeMetric('nope', pairs)).rejects.toBeInstanceOf(UnknownMetricError);
  });

  it('limits concurrent calls of async metrics', async () => {
    let running = 0;
    let peak = 0;
    const embed: EmbedPort = async (texts) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 2));
      running--;
      return texts.map(() => [1, 0]);
    };
    const many = Array.from({ length: 12 }, (_, i) => ({ output: `o${i}`, expected: `e${i}` }));
    const r = await computeMetric('semantic_similarity', many, {}, { embed, concurrency: 3 });
    expect(r.scores).toEqual(new Array(12).fill(1));
    expect(peak).toBe(3);
  });

  it('stops and rethrows when a port fails', async () => {
    let calls = 0;
    const embed: EmbedPort = () => {
      calls++;
      return Promise.reject(new Error('provider down'));
    };
    const many = Array.from({ length: 20 }, (_, i) => ({ output: `o${i}`, expected: `e${i}` }));
    await expect(
      computeMetric('semantic_similarity', many, {}, { embed, concurrency: 2 }),
    ).rejects.toThrow('provider down');
    expect(calls).toBeLessThanOrEqual(2);
  });

  it('requires the ports of model-backed metrics', async () => {
    await expect(computeMetric('llm_judge', pairs)).rejects.toBeInstanceOf(MetricUnavailableError);
    // Not needed when there is nothing to check: per-case metrics without requirements never ask.
    await expect(scoreCase('exact_match', 'a', 'a')).resolves.toEqual({ score: 1 });
  });

  it('refuses a dataset metric in scoreCase', async () => {
    await expect(scoreCase('accuracy', 'a', 'a')).rejects.toThrow(TypeError);
  });

  it('refuses program, which only an evaluation in a worker computes', async () => {
    await expect(computeMetric('program', pairs)).rejects.toBeInstanceOf(MetricRunsInWorkerError);
    await expect(computeMetric('program', pairs)).rejects.toMatchObject({ field: 'name' });
  });
});

describe('every per-case metric on awkward values', () => {
  const cyclic: Record<string, unknown> = { a: 1 };
  cyclic.self = cyclic;
  const awkward: unknown[] = [
    undefined,
    null,
    '',
    '   ',
    NaN,
    Infinity,
    0,
    false,
    'plain text',
    '{"a": 1}',
    '```json\n[1, 2]\n```',
    { a: [1, { b: null }] },
    [],
    ['x', 'y'],
    'Ünïcode ✓ 東京 😀',
    'e\u0301',
    cyclic,
    10n,
  ];
  const options: Record<string, object> = {
    json_schema_valid: { schema: { type: 'object' } },
    regex_match: { pattern: '\\w+' },
  };
  const embed: EmbedPort = (texts) => Promise.resolve(texts.map((t) => [t.length % 3, 1]));
  const judge = () => Promise.resolve('{"score": 3, "reasoning": "ok"}');
  // program runs code, which only an evaluation in a worker does (tested above).
  const perCase = listMetrics().filter((m) => m.kind === 'per_case' && m.name !== 'program');

  it.each(perCase.map((m) => [m.name]))(
    '%s scores in [0, 1] (or NaN) without throwing',
    async (name) => {
      for (const output of awkward) {
        for (const expected of awkward) {
          const { score } = await scoreCase(name, output, expected, options[name], {
            embed,
            judge,
          });
          if (!(Number.isNaN(score) || (score >= 0 && score <= 1))) {
            throw new Error(`${name}(${String(output)}, ${String(expected)}) = ${score}`);
          }
        }
      }
    },
  );
});
