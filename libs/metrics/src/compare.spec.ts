import { type CaseOutcome, comparePaired, repeatStats, signFlipTest } from './compare';
import { mulberry32 } from './random';

const run = (entries: [string, number, boolean, Record<string, number>?][]) =>
  new Map<string, CaseOutcome>(
    entries.map(([key, score, passed, metrics]) => [key, { score, passed, metrics }]),
  );

describe('comparePaired', () => {
  it('compares the shared cases', () => {
    const a = run([
      ['c1', 0.5, false, { bleu: 0.4, em: 0 }],
      ['c2', 0.8, true, { bleu: 0.8 }],
      ['c3', 1, true, { bleu: 1 }],
      ['only-a', 0, false],
      ['nan', NaN, false],
    ]);
    const b = run([
      ['c1', 0.9, true, { bleu: 0.8, em: 1 }],
      ['c2', 0.8, true, { bleu: NaN }],
      ['c3', 0.7, false, { bleu: 0.6 }],
      ['only-b', 1, true],
      ['nan', 1, true],
    ]);
    const r = comparePaired(a, b, { seed: 1 });
    expect(r.shared).toBe(3);
    expect(r.mean_a).toBeCloseTo(2.3 / 3, 12);
    expect(r.mean_b).toBeCloseTo(2.4 / 3, 12);
    expect(r.delta).toBeCloseTo(0.1 / 3, 12);
    expect([r.wins, r.ties, r.losses]).toEqual([1, 1, 1]);
    expect(r.mcnemar).toMatchObject({ b: 1, c: 1, method: 'exact', p_value: 1 });
    expect(r.metrics.bleu.mean_a).toBeCloseTo(0.7, 12);
    expect(r.metrics.bleu.mean_b).toBeCloseTo(0.7, 12);
    expect(r.metrics.em).toEqual({ mean_a: 0, mean_b: 1, delta: 1 });
    expect(r.cases.map((c) => c.key)).toEqual(['c1', 'c3', 'c2']);
    expect(r.cases[0]).toEqual({
      key: 'c1',
      a: 0.5,
      b: 0.9,
      delta: expect.closeTo(0.4, 12) as number,
    });
    expect(r.verdict.significant).toBe(false);
    expect(r.verdict.better).toBeNull();
    expect(r.verdict.text).toContain('not statistically significant');
    expect(r.verdict.text).toContain('over 3 shared cases');
  });

  it('is deterministic for a seed', () => {
    const a = run(
      Array.from(
        { length: 50 },
        (_, i) => [`k${i}`, (i % 7) / 7, i % 2 === 0] as [string, number, boolean],
      ),
    );
    const b = run(
      Array.from(
        { length: 50 },
        (_, i) => [`k${i}`, (i % 5) / 5, i % 3 === 0] as [string, number, boolean],
      ),
    );
    expect(comparePaired(a, b, { seed: 4 })).toEqual(comparePaired(a, b, { seed: 4 }));
    expect(comparePaired(a, b, { seed: 4 }).ci95).not.toEqual(
      comparePaired(a, b, { seed: 5 }).ci95,
    );
  });

  it('finds a consistent improvement significant', () => {
    const n = 60;
    const a = run(
      Array.from(
        { length: n },
        (_, i) => [`k${i}`, 0.4 + (i % 10) / 100, i % 4 === 0] as [string, number, boolean],
      ),
    );
    const b = run(
      Array.from(
        { length: n },
        (_, i) => [`k${i}`, 0.6 + (i % 10) / 100, i % 4 !== 3] as [string, number, boolean],
      ),
    );
    const r = comparePaired(a, b);
    expect(r.delta).toBeCloseTo(0.2, 12);
    expect(r.ci95?.[0]).toBeGreaterThan(0);
    expect(r.wins).toBe(n);
    // a passes 15 (i % 4 = 0), b passes 45 (i % 4 ≠ 3): discordant b = 0, c = 30.
    expect(r.mcnemar).toMatchObject({ b: 0, c: 30, method: 'chi_square' });
    expect(r.mcnemar.statistic).toBeCloseTo(29 ** 2 / 30, 12);
    expect(r.mcnemar.p_value).toBeLessThan(1e-6);
    expect(r.verdict).toEqual({
      significant: true,
      better: 'b',
      text: expect.stringContaining('statistically significant; B is better') as string,
    });
    expect(r.verdict.text).toMatch(/^B scores higher by 0\.200 on average over 60 shared cases/);
    // And the other way round.
    const back = comparePaired(b, a);
    expect(back.verdict.better).toBe('a');
    expect(back.losses).toBe(n);
    expect(back.verdict.text).toMatch(/^A scores higher by 0\.200/);
  });

  it('uses McNemar when scores tie but pass/fail differs', () => {
    // Same scores, but b passes 10 more cases than a (exact p = 2·0.5^10 ≈ 0.00195).
    const keys = Array.from({ length: 20 }, (_, i) => `k${i}`);
    const a = run(keys.map((k, i) => [k, 0.5, i >= 10] as [string, number, boolean]));
    const b = run(keys.map((k) => [k, 0.5, true] as [string, number, boolean]));
    const r = comparePaired(a, b);
    expect(r.ci95).toEqual([0, 0]);
    expect(r.ties).toBe(20);
    expect(r.mcnemar).toMatchObject({ b: 0, c: 10, statistic: 0, method: 'exact' });
    expect(r.mcnemar.p_value).toBeCloseTo(0.001953125, 12);
    expect(r.verdict.significant).toBe(true);
    expect(r.verdict.better).toBe('b');
    expect(r.verdict.text).toContain('A and B score the same on average');
  });

  it('honours tie_epsilon', () => {
    const a = run([['k', 0.5, true]]);
    const b = run([['k', 0.5 + 1e-12, true]]);
    expect(comparePaired(a, b).ties).toBe(1);
    expect(comparePaired(a, b, { tie_epsilon: 0 }).wins).toBe(1);
  });

  it('handles runs without shared cases', () => {
    const r = comparePaired(run([['a', 1, true]]), run([['b', 1, true]]));
    expect(r).toMatchObject({
      shared: 0,
      mean_a: null,
      mean_b: null,
      delta: null,
      ci95: null,
      wins: 0,
      ties: 0,
      losses: 0,
      cases: [],
      metrics: {},
      verdict: { significant: false, better: null },
    });
    expect(r.mcnemar.p_value).toBe(1);
    expect(r.verdict.text).toMatch(/share no scored cases/);
  });
});

describe('repeatStats', () => {
  it('gives per-case mean, variance and pass rate over repeats', () => {
    const r = repeatStats(
      new Map([
        ['stable', [1, 1, 1]],
        ['flaky', [1, 0, 1, 0]],
        ['partial', [0.2, 0.4, NaN]],
        ['none', []],
      ]),
    );
    expect(r.cases).toEqual([
      { key: 'stable', runs: 3, mean: 1, variance: 0, std: 0, min: 1, max: 1, pass_rate: 1 },
      {
        key: 'flaky',
        runs: 4,
        mean: 0.5,
        variance: 1 / 3,
        std: Math.sqrt(1 / 3),
        min: 0,
        max: 1,
        pass_rate: 0.5,
      },
      {
        key: 'partial',
        runs: 2,
        mean: expect.closeTo(0.3, 12) as number,
        variance: expect.closeTo(0.02, 12) as number,
        std: expect.closeTo(Math.sqrt(0.02), 12) as number,
        min: 0.2,
        max: 0.4,
        pass_rate: 0,
      },
      {
        key: 'none',
        runs: 0,
        mean: null,
        variance: null,
        std: null,
        min: null,
        max: null,
        pass_rate: null,
      },
    ]);
    expect(r.flaky).toBe(1);
    expect(r.mean_variance).toBeCloseTo((0 + 1 / 3 + 0.02) / 3, 12);
  });

  it('accepts a record and a pass threshold', () => {
    const r = repeatStats({ a: [0.6, 0.8], b: [0.7] }, { passThreshold: 0.7 });
    expect(r.cases.map((c) => c.pass_rate)).toEqual([0.5, 1]);
    expect(r.cases[1].variance).toBe(0);
    expect(r.flaky).toBe(1);
    expect(repeatStats({}).mean_variance).toBeNull();
  });
});

describe('signFlipTest', () => {
  it('enumerates every sign assignment for a few cases', () => {
    // Three positive differences: only the observed assignment (1 of 8) reaches the sum 3.
    expect(signFlipTest([1, 1, 1, 0])).toEqual({
      n: 3,
      p_greater: 1 / 8,
      p_two_sided: 2 / 8,
      exact: true,
    });
    expect(signFlipTest([])).toMatchObject({ n: 0, p_greater: 1, p_two_sided: 1 });
  });

  it('finds no evidence when differences cancel', () => {
    const r = signFlipTest([1, -1, 0.5, -0.5, 0.25, -0.25]);
    expect(r.p_greater).toBeGreaterThan(0.5);
    expect(r.p_two_sided).toBe(1);
  });

  it('samples sign assignments past 16 cases, seeded, with the +1 correction', () => {
    const deltas = Array.from({ length: 40 }, (_, i) => (i % 4 === 0 ? -0.5 : 0.5));
    const a = signFlipTest(deltas, { seed: 7, resamples: 5000 });
    expect(a.exact).toBe(false);
    expect(a).toEqual(signFlipTest(deltas, { seed: 7, resamples: 5000 }));
    // 30 of 40 positive: P(sum ≥ observed) ≈ P(Binomial(40, 1/2) ≥ 30) ≈ 0.0011.
    expect(a.p_greater).toBeLessThan(0.01);
    expect(a.p_greater).toBeGreaterThanOrEqual(1 / 5001);
  });

  it('keeps its level: about 2.5% of null samples reach p_greater < 0.025', () => {
    let hits = 0;
    const rng = mulberry32(3);
    const trials = 400;
    for (let t = 0; t < trials; t++) {
      const deltas = Array.from(
        { length: 12 },
        () => (rng() < 0.5 ? -1 : 1) * (rng() < 0.6 ? 1 : 0),
      );
      if (signFlipTest(deltas).p_greater < 0.025) hits++;
    }
    expect(hits / trials).toBeLessThanOrEqual(0.04);
  });
});
