import { createRng } from '../random';
import { type SearchPoint, type SearchSpace, TpeSampler } from './tpe';

const rngOf = createRng;

/** Best score after `trials` evaluations, by TPE or (with nStartup = trials) pure random search. */
function bestAfter(
  space: SearchSpace,
  f: (p: SearchPoint) => number,
  trials: number,
  seed: number,
  random: boolean,
): number {
  const sampler = new TpeSampler(space, rngOf(seed), random ? { nStartup: trials } : {});
  let best = -Infinity;
  for (let i = 0; i < trials; i++) {
    const p = sampler.suggest();
    const score = f(p);
    sampler.observe(p, score);
    best = Math.max(best, score);
  }
  return best;
}

function meanRegret(
  space: SearchSpace,
  f: (p: SearchPoint) => number,
  optimum: number,
  trials: number,
  random: boolean,
): number {
  const seeds = Array.from({ length: 20 }, (_, i) => 1000 + i * 7919);
  const regrets = seeds.map((s) => optimum - bestAfter(space, f, trials, s, random));
  return regrets.reduce((a, b) => a + b, 0) / regrets.length;
}

describe('TpeSampler', () => {
  it('closes in on a 1-D optimum faster than random search', () => {
    const space: SearchSpace = [{ name: 'x', type: 'float', low: -5, high: 5 }];
    const f = (p: SearchPoint) => -((Number(p.x) - 1.7) ** 2);
    const tpe = meanRegret(space, f, 0, 30, false);
    const random = meanRegret(space, f, 0, 30, true);
    expect(tpe).toBeLessThan(random * 0.5);
  });

  it('closes in on a 2-D optimum with a log-scale and an integer dimension faster than random', () => {
    const space: SearchSpace = [
      { name: 'lr', type: 'float', low: 1e-5, high: 1, log: true },
      { name: 'n', type: 'int', low: 1, high: 64 },
    ];
    const f = (p: SearchPoint) =>
      -((Math.log10(Number(p.lr)) + 3) ** 2) - ((Number(p.n) - 40) / 16) ** 2;
    const tpe = meanRegret(space, f, 0, 40, false);
    const random = meanRegret(space, f, 0, 40, true);
    expect(tpe).toBeLessThan(random * 0.6);
  });

  it('is deterministic given the seed', () => {
    const space: SearchSpace = [
      { name: 'x', type: 'float', low: 0, high: 1 },
      { name: 'c', type: 'categorical', choices: ['a', 'b', 'c'] },
    ];
    const run = (seed: number) => {
      const sampler = new TpeSampler(space, rngOf(seed), { nStartup: 4 });
      const points: SearchPoint[] = [];
      for (let i = 0; i < 15; i++) {
        const p = sampler.suggest();
        sampler.observe(p, Number(p.x) + (p.c === 'b' ? 1 : 0));
        points.push(p);
      }
      return points;
    };
    expect(run(5)).toEqual(run(5));
    expect(run(5)).not.toEqual(run(6));
  });

  it('learns which category is good and keeps values inside their bounds and types', () => {
    const space: SearchSpace = [
      { name: 'model', type: 'categorical', choices: ['small', 'medium', 'large', 'huge'] },
      { name: 't', type: 'float', low: 0, high: 2 },
      { name: 'k', type: 'int', low: 3, high: 9 },
    ];
    const f = (p: SearchPoint) => (p.model === 'large' ? 1 : 0) - Math.abs(Number(p.t) - 0.4) / 4;
    let largeAfterStartup = 0;
    let afterStartup = 0;
    for (let seed = 1; seed <= 10; seed++) {
      const sampler = new TpeSampler(space, rngOf(seed), { nStartup: 8 });
      for (let i = 0; i < 30; i++) {
        const p = sampler.suggest();
        expect(['small', 'medium', 'large', 'huge']).toContain(p.model);
        expect(Number(p.t)).toBeGreaterThanOrEqual(0);
        expect(Number(p.t)).toBeLessThanOrEqual(2);
        expect(Number.isInteger(p.k)).toBe(true);
        expect(Number(p.k)).toBeGreaterThanOrEqual(3);
        expect(Number(p.k)).toBeLessThanOrEqual(9);
        if (i >= 8) {
          afterStartup++;
          if (p.model === 'large') largeAfterStartup++;
        }
        sampler.observe(p, f(p));
      }
    }
    // Random choice would give a quarter.
    expect(largeAfterStartup / afterStartup).toBeGreaterThan(0.6);
  });

  it('does not suggest a point twice while a small discrete space has untried points', () => {
    const space: SearchSpace = [
      { name: 'a', type: 'categorical', choices: [1, 2, 3] },
      { name: 'b', type: 'int', low: 0, high: 2 },
    ];
    const sampler = new TpeSampler(space, rngOf(3), { nStartup: 3 });
    const keys = new Set<string>();
    for (let i = 0; i < 9; i++) {
      const p = sampler.suggest();
      keys.add(`${String(p.a)}/${String(p.b)}`);
      sampler.observe(p, Number(p.a) * Number(p.b));
    }
    expect(keys.size).toBeGreaterThanOrEqual(8);
  });

  it('rejects an empty space and invalid bounds', () => {
    expect(() => new TpeSampler([], rngOf(1))).toThrow();
    expect(
      () => new TpeSampler([{ name: 'x', type: 'float', low: 0, high: 1, log: true }], rngOf(1)),
    ).toThrow(/x/);
    expect(
      () => new TpeSampler([{ name: 'c', type: 'categorical', choices: [] }], rngOf(1)),
    ).toThrow(/c/);
  });
});
