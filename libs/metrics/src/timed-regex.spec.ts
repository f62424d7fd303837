import { computeMetric, getMetric, validateMetricOptions } from './registry';
import { cachedRegex, REGEX_TIME_LIMIT_MS, RegexTimeoutError, timedTest } from './timed-regex';
import { type PerCaseMetric } from './definition';
import { toScoredCase } from './types';

/** `(a+)+$` against `aaa…ab` backtracks 2^n times: minutes at n = 40 without a limit. */
const CATASTROPHIC = '(a+)+$';
const EVIL_TEXT = `${'a'.repeat(40)}b`;

function regexMatch(output: string, options: object) {
  const metric = getMetric('regex_match') as PerCaseMetric;
  return metric.score(output, undefined, validateMetricOptions('regex_match', options), {});
}

describe('timedTest', () => {
  it('answers like RegExp.test for ordinary patterns', () => {
    expect(timedTest(/\bhello\b/i, 'Well, HELLO there')).toBe(true);
    expect(timedTest(/^\d+$/, '12a')).toBe(false);
    expect(timedTest(new RegExp(CATASTROPHIC), 'aaaa')).toBe(true);
  });

  it('stops a catastrophic backtrack at the time limit', () => {
    const started = performance.now();
    expect(() => timedTest(new RegExp(CATASTROPHIC), EVIL_TEXT, 50)).toThrow(RegexTimeoutError);
    expect(performance.now() - started).toBeLessThan(2000);
    // The context is usable again right after.
    expect(timedTest(/b$/, EVIL_TEXT)).toBe(true);
  });

  it('keeps the cost of an ordinary match small', () => {
    const re = cachedRegex('\\border #\\d{5}\\b', 'i');
    const text = 'Your order #12345 has shipped and will arrive on Tuesday. '.repeat(4);
    for (let i = 0; i < 50; i++) timedTest(re, text); // warm-up
    const n = 1000;
    const started = performance.now();
    let matched = 0;
    for (let i = 0; i < n; i++) if (timedTest(re, text)) matched++;
    const perMatchMs = (performance.now() - started) / n;
    expect(matched).toBe(n);
    // 0.07 ms on an idle machine, 0.17 ms with both cores busy (the watchdog thread); a new
    // context per match would cost about a millisecond.
    expect(perMatchMs).toBeLessThan(1);
  });
});

describe('cachedRegex', () => {
  it('compiles a pattern once and still rejects bad ones', () => {
    expect(cachedRegex('a+b', 'i')).toBe(cachedRegex('a+b', 'i'));
    expect(cachedRegex('a+b', 'i')).not.toBe(cachedRegex('a+b', ''));
    expect(() => cachedRegex('(', '')).toThrow(SyntaxError);
  });
});

describe('regex_match with a catastrophic pattern', () => {
  it('does not score the case and says why, within about the time limit', async () => {
    const started = performance.now();
    const result = toScoredCase(await regexMatch(EVIL_TEXT, { pattern: CATASTROPHIC }));
    expect(performance.now() - started).toBeLessThan(REGEX_TIME_LIMIT_MS * 10);
    expect(result.score).toBeNaN();
    expect(result.details?.error).toMatch(
      new RegExp(`^Not scored: The pattern ran longer than ${REGEX_TIME_LIMIT_MS} ms`),
    );
  });

  it('still scores the outputs it can match in time', async () => {
    expect(await regexMatch('aaaa', { pattern: CATASTROPHIC })).toBe(1);
    expect(await regexMatch('bbbb', { pattern: 'a' })).toBe(0);
  });

  it('leaves the pair unscored in computeMetric and the mean to the others', async () => {
    const result = await computeMetric(
      'regex_match',
      [
        { output: 'aaaa', expected: null },
        { output: EVIL_TEXT, expected: null },
        { output: 'aaa', expected: null },
      ],
      { pattern: CATASTROPHIC },
    );
    expect(result.scores[0]).toBe(1);
    expect(result.scores[1]).toBeNaN();
    expect(result.scores[2]).toBe(1);
    expect(result.value).toBe(1);
  });

  it('lets the event loop run between the stopped matches', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    try {
      const pairs = Array.from({ length: 5 }, () => ({ output: EVIL_TEXT, expected: null }));
      const result = await computeMetric('regex_match', pairs, { pattern: CATASTROPHIC });
      expect(result.scores.every(Number.isNaN)).toBe(true);
    } finally {
      clearInterval(timer);
    }
    // One turn at least after each stopped match: the process kept serving meanwhile.
    expect(ticks).toBeGreaterThanOrEqual(4);
  });

  it('is still refused when its syntax is wrong, naming options.pattern', () => {
    expect(() => validateMetricOptions('regex_match', { pattern: '(a+' })).toThrow(
      expect.objectContaining({ field: 'options.pattern' }),
    );
  });
});
