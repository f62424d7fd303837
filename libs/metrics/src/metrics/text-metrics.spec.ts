import { MetricOptionError } from '../errors';
import { getMetric, validateMetricOptions } from '../registry';
import { type ScoredCase, toScoredCase } from '../types';

/** Scores one pair with a synchronous per-case metric through the registry. */
function run(name: string, output: unknown, expected: unknown, options?: object): ScoredCase {
  const metric = getMetric(name);
  if (metric.kind !== 'per_case' || metric.async) throw new Error(`${name} is not sync per-case`);
  const value = metric.score(output, expected, validateMetricOptions(name, options), {});
  if (value instanceof Promise) throw new Error('unexpected promise');
  return toScoredCase(value);
}
const score = (name: string, output: unknown, expected: unknown, options?: object) =>
  run(name, output, expected, options).score;

type Vector = [output: unknown, expected: unknown, options: object | undefined, score: number];

describe('exact_match', () => {
  it.each<Vector>([
    ['Paris', 'Paris', undefined, 1],
    ['  Paris\n', 'Paris', undefined, 1],
    ['  Paris\n', 'Paris', { trim: false }, 0],
    ['paris', 'Paris', undefined, 0],
    ['paris', 'Paris', { case_sensitive: false }, 1],
    ['PARİS', 'paris', { case_sensitive: false }, 0],
    ['Paris.', 'Paris', undefined, 0],
    ['', '', undefined, 1],
    [null, '', undefined, 1],
    [undefined, undefined, undefined, 1],
    [undefined, 'x', undefined, 0],
    [42, '42', undefined, 1],
    [true, 'true', undefined, 1],
    [{ b: 2, a: 1 }, '{"a":1,"b":2}', undefined, 1],
    [{ b: 2, a: 1 }, { a: 1, b: 2 }, undefined, 1],
    ['Cafe\u0301', 'Café', undefined, 1],
    ['😀', '😀', undefined, 1],
    [NaN, 'NaN', undefined, 1],
  ])('%p vs %p %p → %p', (output, expected, options, s) => {
    expect(score('exact_match', output, expected, options)).toBe(s);
  });
});

describe('fuzzy_match', () => {
  it.each<Vector>([
    ['kitten', 'sitting', undefined, 8 / 13],
    ['', '', undefined, 1],
    [null, undefined, undefined, 1],
    ['abc', '', undefined, 0],
    ['', 'abc', undefined, 0],
    ['abc', 'abc', undefined, 1],
    ['abc', 'xyz', undefined, 0],
    ['Hello', 'hello', undefined, 0.8],
    ['Hello', 'hello', { case_sensitive: false }, 1],
    [' abc ', 'abc', undefined, 1],
    [' abc ', 'abc', { trim: false }, 0.75],
    ['a😀b', 'ab', undefined, 0.8],
    ['this is a test', 'this is a test!', undefined, 28 / 29],
  ])('%p vs %p %p → %p', (output, expected, options, s) => {
    expect(score('fuzzy_match', output, expected, options)).toBeCloseTo(s, 12);
  });
});

describe('levenshtein', () => {
  it.each<Vector>([
    ['kitten', 'sitting', undefined, 1 - 3 / 7],
    ['flaw', 'lawn', undefined, 0.5],
    ['', '', undefined, 1],
    [undefined, null, undefined, 1],
    ['abc', '', undefined, 0],
    ['abc', 'abc', undefined, 1],
    ['abc', 'xyz', undefined, 0],
    ['ABC', 'abc', undefined, 0],
    ['ABC', 'abc', { case_sensitive: false }, 1],
    ['abc\n', 'abc', { trim: false }, 0.75],
    ['日本語', '日本', undefined, 2 / 3],
    ['😀😀', '😀', undefined, 0.5],
    [123, 124, undefined, 2 / 3],
  ])('%p vs %p %p → %p', (output, expected, options, s) => {
    expect(score('levenshtein', output, expected, options)).toBeCloseTo(s, 12);
  });
});

describe('token_overlap', () => {
  it.each<Vector>([
    ['The cat sat.', 'the cat sat', undefined, 1],
    ['the cat', 'the cat sat on the mat', undefined, (2 * 1 * (2 / 6)) / (1 + 2 / 6)],
    ['a b c d', 'a b e f', undefined, 0.5],
    ['the the the', 'the cat', undefined, (2 * (1 / 3) * 0.5) / (1 / 3 + 0.5)],
    ['', '', undefined, 1],
    ['...', '!!', undefined, 1],
    [null, undefined, undefined, 1],
    ['words', '', undefined, 0],
    ['', 'words', undefined, 0],
    ['alpha', 'beta', undefined, 0],
    ['Ünïcode TEXT', 'ünïcode text', undefined, 1],
    [42, 'the answer is 42', undefined, 0.4],
  ])('%p vs %p → %p', (output, expected, options, s) => {
    expect(score('token_overlap', output, expected, options)).toBeCloseTo(s, 12);
  });

  it('takes no options', () => {
    expect(() => validateMetricOptions('token_overlap', { lowercase: false })).toThrow(
      MetricOptionError,
    );
  });
});

describe('contains', () => {
  it.each<Vector>([
    ['The capital is Paris.', 'paris', undefined, 1],
    ['The capital is Paris.', 'paris', { case_sensitive: true }, 0],
    ['The capital is Paris.', 'Paris', { case_sensitive: true }, 1],
    ['red green', ['red', 'blue', 'green', 'pink'], undefined, 0.5],
    ['red green', ['red', 'blue'], { mode: 'all' }, 0],
    ['red green', ['red', 'green'], { mode: 'all' }, 1],
    ['red green', ['pink', 'green'], { mode: 'any' }, 1],
    ['red green', ['pink', 'blue'], { mode: 'any' }, 0],
    ['anything', [], undefined, 1],
    ['anything', [], { mode: 'all' }, 1],
    ['anything', [], { mode: 'any' }, 0],
    ['anything', '', undefined, 1],
    ['', 'x', undefined, 0],
    [null, 'x', undefined, 0],
    ['answer: 42', 42, undefined, 1],
    ['answer: 42', [42, 43], undefined, 0.5],
    ['ÜBER café', 'über', undefined, 1],
    ['日本語のテキスト', 'テキスト', undefined, 1],
  ])('%p contains %p %p → %p', (output, expected, options, s) => {
    expect(score('contains', output, expected, options)).toBe(s);
  });

  it('scores 0 with a note when the case has no expected value', () => {
    expect(run('contains', 'text', undefined)).toEqual({
      score: 0,
      details: { error: 'The case has no expected value.' },
    });
    expect(score('contains', 'null', null)).toBe(0);
  });

  it('rejects an unknown mode', () => {
    expect(() => validateMetricOptions('contains', { mode: 'some' })).toThrow(
      expect.objectContaining({ field: 'options.mode' }),
    );
  });
});

describe('length_match', () => {
  it.each<Vector>([
    ['abcd', 'abcd', undefined, 1],
    ['ab', 'abcd', undefined, 0.5],
    ['abcd', 'ab', undefined, 0.5],
    ['', '', undefined, 1],
    ['', 'abc', undefined, 0],
    [null, undefined, undefined, 1],
    ['abc', undefined, undefined, 0],
    ['  ab  ', 'ab', undefined, 1],
    ['😀😀', 'ab', undefined, 1],
    ['one two three', 'uno dos', { unit: 'words' }, 2 / 3],
    ['one two three', 'one two three', { unit: 'words' }, 1],
    ['hello', 'ignored', { min: 3, max: 5 }, 1],
    ['hello!', 'ignored', { min: 3, max: 5 }, 0],
    ['hi', 'ignored', { min: 3 }, 0],
    ['a very long output', undefined, { min: 3 }, 1],
    ['a very long output', undefined, { max: 3, unit: 'words' }, 0],
    ['one two', undefined, { max: 3, unit: 'words' }, 1],
    ['', undefined, { max: 0 }, 1],
  ])('%p vs %p %p → %p', (output, expected, options, s) => {
    expect(score('length_match', output, expected, options)).toBeCloseTo(s, 12);
  });

  it('rejects min above max and negative bounds', () => {
    expect(() => validateMetricOptions('length_match', { min: 5, max: 3 })).toThrow(
      expect.objectContaining({ field: 'options.max' }),
    );
    expect(() => validateMetricOptions('length_match', { min: -1 })).toThrow(
      expect.objectContaining({ field: 'options.min' }),
    );
    expect(() => validateMetricOptions('length_match', { min: 1.5 })).toThrow(MetricOptionError);
    expect(() => validateMetricOptions('length_match', { unit: 'tokens' })).toThrow(
      expect.objectContaining({ field: 'options.unit' }),
    );
  });
});

describe('regex_match', () => {
  it.each<Vector>([
    ['Order #12345 shipped', 'ignored', { pattern: '#\\d{5}' }, 1],
    ['Order #123 shipped', 'ignored', { pattern: '#\\d{5}' }, 0],
    ['12345', undefined, { pattern: '\\d+', full_match: true }, 1],
    ['12345a', undefined, { pattern: '\\d+', full_match: true }, 0],
    ['  12345 \n', undefined, { pattern: '\\d+', full_match: true }, 1],
    ['  12345 \n', undefined, { pattern: '\\d+', full_match: true, trim: false }, 0],
    ['ab', undefined, { pattern: 'a|ab', full_match: true }, 1],
    ['x\n123\ny', undefined, { pattern: '^\\d+$', flags: 'm' }, 1],
    ['x\n123\ny', undefined, { pattern: '\\d+', flags: 'm', full_match: true }, 0],
    ['YES', undefined, { pattern: 'yes' }, 0],
    ['YES', undefined, { pattern: 'yes', flags: 'i' }, 1],
    ['YES', undefined, { pattern: 'yes', flags: 'gi' }, 1],
    ['a\nb', undefined, { pattern: 'a.b' }, 0],
    ['a\nb', undefined, { pattern: 'a.b', flags: 's' }, 1],
    ['😀', undefined, { pattern: '^.$', flags: 'u' }, 1],
    ['', undefined, { pattern: '^$' }, 1],
    [null, undefined, { pattern: '^$' }, 1],
    ['2024-01-31', '^\\d{4}-\\d{2}-\\d{2}$', undefined, 1],
    ['31/01/2024', '^\\d{4}-\\d{2}-\\d{2}$', undefined, 0],
    ['value 7', 7, undefined, 1],
  ])('%p ~ %p %p → %p', (output, expected, options, s) => {
    expect(score('regex_match', output, expected, options)).toBe(s);
  });

  it('is stable across calls with the g flag', () => {
    const options = { pattern: 'a', flags: 'g' };
    expect([1, 2, 3].map(() => score('regex_match', 'a', undefined, options))).toEqual([1, 1, 1]);
  });

  it('rejects a bad pattern or bad flags as option errors', () => {
    expect(() => validateMetricOptions('regex_match', { pattern: '(' })).toThrow(
      expect.objectContaining({ name: 'MetricOptionError', field: 'options.pattern' }),
    );
    expect(() => validateMetricOptions('regex_match', { pattern: 'a', flags: 'q' })).toThrow(
      expect.objectContaining({ field: 'options.flags' }),
    );
    expect(() => validateMetricOptions('regex_match', { pattern: '' })).toThrow(
      expect.objectContaining({ field: 'options.pattern' }),
    );
    expect(() => validateMetricOptions('regex_match', { pattern: 1 })).toThrow(
      expect.objectContaining({ field: 'options.pattern' }),
    );
  });

  it('scores 0 with a note for a bad or missing pattern from expected', () => {
    expect(run('regex_match', 'x', '(')).toEqual({
      score: 0,
      details: { error: expect.stringMatching(/^Invalid pattern/) },
    });
    expect(run('regex_match', 'x', undefined)).toEqual({
      score: 0,
      details: { error: 'No pattern option and no expected value.' },
    });
  });
});
