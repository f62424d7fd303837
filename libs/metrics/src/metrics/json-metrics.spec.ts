import { MetricOptionError } from '../errors';
import { getMetric, validateMetricOptions } from '../registry';
import { type ScoredCase, toScoredCase } from '../types';
import { compileJsonSchema, countLeaves } from './json-metrics';

function run(name: string, output: unknown, expected: unknown, options?: object): ScoredCase {
  const metric = getMetric(name);
  if (metric.kind !== 'per_case') throw new Error('not per-case');
  return toScoredCase(
    metric.score(output, expected, validateMetricOptions(name, options), {}) as number,
  );
}

type Vector = [output: unknown, expected: unknown, options: object | undefined, score: number];

describe('countLeaves', () => {
  it.each<[unknown, number]>([
    [1, 1],
    [null, 1],
    [{}, 1],
    [[], 1],
    [{ a: 1, b: { c: 2, d: [3, 4] } }, 4],
    [[{}, []], 2],
  ])('%p has %p leaves', (value, n) => {
    expect(countLeaves(value)).toBe(n);
  });
});

describe('json_match', () => {
  const expected = { name: 'Ada', age: 36, tags: ['math', 'poetry'], address: { city: 'London' } };

  it.each<Vector>([
    [expected, expected, undefined, 1],
    [JSON.stringify(expected), expected, undefined, 1],
    [JSON.stringify(expected), JSON.stringify(expected), undefined, 1],
    ['```json\n' + JSON.stringify(expected) + '\n```', expected, undefined, 1],
    [{ ...expected, extra: true }, expected, undefined, 1],
    [{ ...expected, extra: true }, expected, { ignore_extra_keys: false }, 5 / 6],
    [{ ...expected, extra: { x: 1, y: [2, 3] } }, expected, { ignore_extra_keys: false }, 5 / 8],
    [{ ...expected, age: 37 }, expected, undefined, 4 / 5],
    [{ ...expected, age: 36.4 }, expected, { numeric_tolerance: 0.5 }, 1],
    [{ ...expected, age: 37 }, expected, { numeric_tolerance: 1 }, 1],
    [{ ...expected, age: 38 }, expected, { numeric_tolerance: 1 }, 4 / 5],
    [{ ...expected, age: '36' }, expected, undefined, 4 / 5],
    [{ name: 'Ada' }, expected, undefined, 1 / 5],
    [{ ...expected, tags: ['poetry', 'math'] }, expected, undefined, 3 / 5],
    [{ ...expected, tags: ['math'] }, expected, undefined, 4 / 5],
    [{ ...expected, tags: ['math', 'poetry', 'chess'] }, expected, undefined, 5 / 6],
    [{ ...expected, address: 'London' }, expected, undefined, 4 / 5],
    [[], expected, undefined, 0],
    ['not json', expected, undefined, 0],
    ['', expected, undefined, 0],
    [undefined, expected, undefined, 0],
    [null, expected, undefined, 0],
    [NaN, 1, undefined, 0],
    ['42', 42, undefined, 1],
    [42, '42', undefined, 1],
    ['42.0', 42, undefined, 1],
    ['41', 42, undefined, 0],
    ['"hello"', 'hello', undefined, 1],
    ['hello', 'hello', undefined, 0],
    ['null', null, undefined, 1],
    [null, null, undefined, 1],
    [{}, {}, undefined, 1],
    [{ a: 1 }, {}, undefined, 1],
    [{ a: 1 }, {}, { ignore_extra_keys: false }, 0],
    [[], {}, undefined, 0],
    [[], [], undefined, 1],
    [[1], [], undefined, 0],
    [{ a: [] }, { a: [] }, undefined, 1],
    [{ a: {} }, { a: [] }, undefined, 0],
    [[1, 2, 3], [1, 2, 3], undefined, 1],
    [[1, 9, 3], [1, 2, 3], undefined, 2 / 3],
    [[[1, 2], [3]], [[1, 2], [3]], undefined, 1],
    [{ é: 'ü' }, '{"é": "ü"}', undefined, 1],
    [{ a: true }, { a: 1 }, undefined, 0],
    [{ a: null }, { a: null }, undefined, 1],
    [{}, { a: null }, undefined, 0],
  ])('%p vs %p %p → %p', (output, exp, options, s) => {
    expect(run('json_match', output, exp, options).score).toBeCloseTo(s, 12);
  });

  it('explains partial credit in the details', () => {
    const r = run('json_match', { name: 'Bob', tags: ['math'], extra: 1 }, expected, {
      ignore_extra_keys: false,
    });
    expect(r.score).toBeCloseTo(1 / 6, 12);
    expect(r.details).toEqual({
      matched: 1,
      total: 6,
      missing: ['$.age', '$.tags[1]', '$.address.city'],
      mismatched: ['$.name'],
      extra: ['$.extra'],
    });
  });

  it('says why non-JSON output or a missing expected value scores 0', () => {
    expect(run('json_match', 'nope', expected).details).toEqual({
      error: 'The output is not JSON.',
    });
    expect(run('json_match', '{}', undefined)).toEqual({
      score: 0,
      details: { error: 'The case has no expected value.' },
    });
  });

  it('validates its options', () => {
    expect(() => validateMetricOptions('json_match', { numeric_tolerance: -1 })).toThrow(
      expect.objectContaining({ field: 'options.numeric_tolerance' }),
    );
    expect(() => validateMetricOptions('json_match', { ignore_extra_keys: 'yes' })).toThrow(
      expect.objectContaining({ field: 'options.ignore_extra_keys' }),
    );
  });
});

describe('json_schema_valid', () => {
  const schema = {
    type: 'object',
    properties: {
      name: { type: 'string', minLength: 1 },
      age: { type: 'integer', minimum: 0 },
      email: { type: 'string', format: 'email' },
    },
    required: ['name', 'age'],
    additionalProperties: false,
  };

  it.each<[unknown, number]>([
    [{ name: 'Ada', age: 36 }, 1],
    ['{"name": "Ada", "age": 36}', 1],
    ['```json\n{"name": "Ada", "age": 36, "email": "ada@example.org"}\n```', 1],
    [{ name: 'Ada', age: 36, email: 'not an email' }, 0],
    [{ name: 'Ada' }, 0],
    [{ name: 'Ada', age: -1 }, 0],
    [{ name: 'Ada', age: 36, extra: 1 }, 0],
    [{ name: '', age: 36 }, 0],
    ['[1, 2]', 0],
    ['not json', 0],
    [undefined, 0],
    [null, 0],
    ['', 0],
  ])('%p → %p', (output, s) => {
    expect(run('json_schema_valid', output, undefined, { schema }).score).toBe(s);
  });

  it('lists validation errors in the details', () => {
    const r = run('json_schema_valid', { name: 'Ada', age: 'old' }, undefined, { schema });
    expect(r).toEqual({ score: 0, details: { errors: ['/age must be integer'] } });
  });

  it('accepts 2020-12 and 2019-09 schemas and schemas with an $id, twice', () => {
    const s2020 = {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      $id: 'https://example.org/pair',
      type: 'array',
      prefixItems: [{ type: 'string' }, { type: 'number' }],
      items: false,
    };
    expect(run('json_schema_valid', '["a", 1]', undefined, { schema: s2020 }).score).toBe(1);
    expect(run('json_schema_valid', '["a", 1, 2]', undefined, { schema: s2020 }).score).toBe(0);
    expect(run('json_schema_valid', '["a", 1]', undefined, { schema: { ...s2020 } }).score).toBe(1);
    const s2019 = {
      $schema: 'https://json-schema.org/draft/2019-09/schema',
      type: 'object',
      dependentRequired: { a: ['b'] },
    };
    expect(run('json_schema_valid', { a: 1 }, undefined, { schema: s2019 }).score).toBe(0);
    expect(run('json_schema_valid', { a: 1, b: 2 }, undefined, { schema: s2019 }).score).toBe(1);
  });

  it('caches compiled schemas by content', () => {
    expect(compileJsonSchema({ type: 'string' })).toBe(compileJsonSchema({ type: 'string' }));
  });

  it('rejects an invalid or missing schema with a MetricOptionError on options.schema', () => {
    for (const bad of [{ type: 'strng' }, { type: 'object', required: 'name' }, { minimum: 'x' }]) {
      expect(() => validateMetricOptions('json_schema_valid', { schema: bad })).toThrow(
        expect.objectContaining({
          name: 'MetricOptionError',
          field: 'options.schema',
          option: 'schema',
        }),
      );
    }
    expect(() => validateMetricOptions('json_schema_valid', {})).toThrow(MetricOptionError);
    expect(() => validateMetricOptions('json_schema_valid', { schema: [] })).toThrow(
      expect.objectContaining({ field: 'options.schema' }),
    );
    expect(() => validateMetricOptions('json_schema_valid', { schema: 'string' })).toThrow(
      expect.objectContaining({ field: 'options.schema' }),
    );
  });
});
