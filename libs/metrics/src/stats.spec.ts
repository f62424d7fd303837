import { mulberry32 } from './random';
import { binomialTwoSidedP, chiSquare1Sf, erfc, mcnemar } from './special';
import {
  MAX_BOOTSTRAP_DRAWS,
  bootstrapCi,
  mean,
  p50,
  p95,
  percentile,
  resamplesWithinBudget,
  summarize,
} from './stats';

describe('mulberry32', () => {
  it('repeats its stream for a seed and differs between seeds', () => {
    const a = mulberry32(7);
    const b = mulberry32(7);
    const c = mulberry32(8);
    const xs = Array.from({ length: 5 }, () => a());
    expect(Array.from({ length: 5 }, () => b())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c())).not.toEqual(xs);
  });

  it('is roughly uniform on [0, 1)', () => {
    const rng = mulberry32(1);
    const xs = Array.from({ length: 100_000 }, () => rng());
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    expect(mean(xs)).toBeCloseTo(0.5, 2);
    const bins = new Array<number>(10).fill(0);
    xs.forEach((x) => bins[Math.floor(x * 10)]++);
    bins.forEach((n) => expect(Math.abs(n - 10_000)).toBeLessThan(500));
  });
});

describe('percentile (numpy linear interpolation)', () => {
  // Values checked against numpy.percentile.
  it.each<[number[], number, number | null]>([
    [[1, 2, 3, 4], 25, 1.75],
    [[1, 2, 3, 4], 50, 2.5],
    [[15, 20, 35, 40, 50], 40, 29],
    [[3, 1, 2], 95, 2.9],
    [[7], 30, 7],
    [[1, 2, 3, 4], 0, 1],
    [[1, 2, 3, 4], 100, 4],
    [[], 50, null],
    [[NaN, 1, Infinity, 3], 50, 2],
  ])('%p p%p → %p', (values, p, expected) => {
    const v = percentile(values, p);
    if (expected === null) expect(v).toBeNull();
    else expect(v).toBeCloseTo(expected, 12);
  });

  it('has p50 and p95 shorthands and rejects p outside [0, 100]', () => {
    const values = Array.from({ length: 101 }, (_, i) => i);
    expect(p50(values)).toBe(50);
    expect(p95(values)).toBe(95);
    expect(() => percentile(values, 101)).toThrow(RangeError);
    expect(() => percentile(values, NaN)).toThrow(RangeError);
  });

  it('does not reorder its input', () => {
    const values = [3, 1, 2];
    percentile(values, 50);
    expect(values).toEqual([3, 1, 2]);
  });
});

describe('summarize', () => {
  it('computes the descriptive statistics', () => {
    const s = summarize([2, 4, 4, 4, 5, 5, 7, 9]);
    expect(s.count).toBe(8);
    expect(s.mean).toBe(5);
    expect(s.median).toBe(4.5);
    expect(s.min).toBe(2);
    expect(s.max).toBe(9);
    expect(s.std).toBeCloseTo(2.138089935299395, 12); // numpy.std(ddof=1)
    const [lo, hi] = s.ci95 as [number, number];
    expect(lo).toBeLessThan(5);
    expect(hi).toBeGreaterThan(5);
    expect(lo).toBeGreaterThan(3);
    expect(hi).toBeLessThan(7);
  });

  it('gives nulls for no values, std 0 and a point interval for one', () => {
    expect(summarize([])).toEqual({
      count: 0,
      mean: null,
      median: null,
      min: null,
      max: null,
      std: null,
      ci95: null,
    });
    expect(summarize([0.7])).toEqual({
      count: 1,
      mean: 0.7,
      median: 0.7,
      min: 0.7,
      max: 0.7,
      std: 0,
      ci95: [0.7, 0.7],
    });
    expect(summarize([1, 1, 1]).ci95).toEqual([1, 1]);
  });

  it('ignores NaN and infinite values', () => {
    expect(summarize([NaN, 1, 3, Infinity, -Infinity])).toMatchObject({
      count: 2,
      mean: 2,
      min: 1,
      max: 3,
    });
    expect(summarize([NaN]).count).toBe(0);
  });

  it('bootstraps deterministically for a seed', () => {
    const values = Array.from({ length: 200 }, (_, i) => ((i * 37) % 101) / 100);
    const a = summarize(values, { seed: 1 });
    expect(summarize(values, { seed: 1 })).toEqual(a);
    expect(summarize(values).ci95).toEqual(summarize(values).ci95);
    expect(summarize(values, { seed: 2 }).ci95).not.toEqual(a.ci95);
    expect(summarize(values, { seed: 1, resamples: 500 }).ci95).not.toEqual(a.ci95);
  });

  it('gives an interval close to the normal one for a large sample', () => {
    const rng = mulberry32(3);
    const values = Array.from({ length: 2000 }, () => rng());
    const s = summarize(values);
    const half = (1.96 * (s.std as number)) / Math.sqrt(2000);
    const [lo, hi] = s.ci95 as [number, number];
    expect(lo).toBeCloseTo((s.mean as number) - half, 2);
    expect(hi).toBeCloseTo((s.mean as number) + half, 2);
  });

  it('covers the true mean about 95% of the time', () => {
    const rng = mulberry32(11);
    let covered = 0;
    for (let trial = 0; trial < 200; trial++) {
      const sample = Array.from({ length: 40 }, () => (rng() < 0.3 ? 1 : 0));
      const [lo, hi] = summarize(sample, { seed: trial, resamples: 400 }).ci95 as [number, number];
      if (lo <= 0.3 && 0.3 <= hi) covered++;
    }
    expect(covered / 200).toBeGreaterThan(0.88);
    expect(covered / 200).toBeLessThan(0.99);
  });

  it('switches to the normal approximation beyond the draw budget', () => {
    const n = Math.ceil(MAX_BOOTSTRAP_DRAWS / 2000) + 1;
    const values = Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 1 : 0));
    const s = summarize(values);
    const half = (1.959963984540054 * (s.std as number)) / Math.sqrt(n);
    expect(s.ci95).toEqual([(s.mean as number) - half, (s.mean as number) + half]);
  });

  it('rejects a bad number of resamples', () => {
    expect(() => summarize([1, 2], { resamples: 0 })).toThrow(RangeError);
    expect(() => summarize([1, 2], { resamples: 1.5 })).toThrow(RangeError);
  });
});

describe('bootstrapCi', () => {
  it('resamples any statistic deterministically', () => {
    const values = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    const max = (idx: Int32Array) => Math.max(...Array.from(idx, (i) => values[i]));
    const ci = bootstrapCi(values.length, max, { seed: 5, resamples: 1000 });
    expect(ci).toEqual(bootstrapCi(values.length, max, { seed: 5, resamples: 1000 }));
    expect((ci as number[])[1]).toBe(10);
    expect(bootstrapCi(0, max)).toBeNull();
  });

  it('keeps resamples within the budget', () => {
    expect(resamplesWithinBudget(500, 2000)).toBe(2000);
    expect(resamplesWithinBudget(1000, 2000)).toBe(1000);
    expect(resamplesWithinBudget(2000, 2000)).toBe(500);
    expect(resamplesWithinBudget(100_000, 2000)).toBe(200);
  });
});

describe('erfc', () => {
  // Reference values from scipy.special.erfc.
  it.each<[number, number]>([
    [0, 1],
    [0.1, 0.8875370839817152],
    [0.5, 0.4795001221869535],
    [1, 0.15729920705028516],
    [1.5, 0.03389485352468927],
    [1.99, 0.004888586800383002],
    [2, 0.004677734981047266],
    [2.5, 0.00040695201744495886],
    [3, 2.2090496998585445e-5],
    [4, 1.541725790028002e-8],
    [5, 1.5374597944280347e-12],
    [6, 2.1519736712498913e-17],
    [10, 2.0884875837625446e-45],
    [-1, 1.8427007929497148],
    [-2.5, 1.999593047982555],
  ])('erfc(%p) = %p', (x, expected) => {
    expect(Math.abs(erfc(x) - expected) / expected).toBeLessThan(1e-12);
  });

  it('handles the extremes', () => {
    expect(erfc(30)).toBe(0);
    expect(erfc(-30)).toBe(2);
    expect(erfc(NaN)).toBeNaN();
  });
});

describe('chi-square and binomial p-values', () => {
  it('matches scipy', () => {
    expect(chiSquare1Sf(5.6)).toBeCloseTo(0.01796047752607879, 12); // scipy.stats.chi2.sf(5.6, 1)
    expect(chiSquare1Sf(3.841458820694124)).toBeCloseTo(0.05, 12);
    expect(chiSquare1Sf(0)).toBe(1);
    // scipy.stats.binomtest(k, n).pvalue
    expect(binomialTwoSidedP(2, 12)).toBeCloseTo(0.03857421875, 14);
    expect(binomialTwoSidedP(10, 12)).toBeCloseTo(0.03857421875, 14);
    expect(binomialTwoSidedP(0, 5)).toBeCloseTo(0.0625, 14);
    expect(binomialTwoSidedP(3, 6)).toBe(1);
    expect(binomialTwoSidedP(1, 24)).toBeCloseTo(2.98023223876953e-6, 18);
    expect(binomialTwoSidedP(0, 0)).toBe(1);
  });
});

describe('mcnemar', () => {
  it('uses the exact binomial test below 25 discordant pairs', () => {
    expect(mcnemar(10, 2)).toEqual({
      b: 10,
      c: 2,
      statistic: 2,
      p_value: expect.closeTo(0.0385742, 7) as number,
      method: 'exact',
    });
    expect(mcnemar(0, 0).p_value).toBe(1);
    expect(mcnemar(12, 12).p_value).toBe(1);
  });

  it('uses chi-square with continuity correction from 25', () => {
    const r = mcnemar(25, 10);
    expect(r.method).toBe('chi_square');
    expect(r.statistic).toBeCloseTo(5.6, 12); // (|25 − 10| − 1)² / 35
    expect(r.p_value).toBeCloseTo(0.01796, 5);
    expect(mcnemar(13, 12).method).toBe('chi_square');
    expect(mcnemar(12, 12).method).toBe('exact');
  });
});
