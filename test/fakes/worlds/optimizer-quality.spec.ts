import { type BudgetLimits, createStrategyRegistry } from '@ps/optimizers';
import { createScriptedWorld, type ScriptedWorld, type WorldName } from './index';
import { estimateOnWorld, runOnWorld, type WorldRunReport } from './world-run';

/**
 * Quality of every strategy on the scripted worlds, measured where the optimizer cannot look:
 * candidates are judged by their exact expected score on the sealed split, and calls, tokens and
 * money are counted at the world (the model side), not by the optimizer.
 *
 * Seeds: the run seeds (which also draw each world's cases) are the fixed list below, chosen
 * before any strategy ran on these worlds and not changed after seeing results; the worlds'
 * definitions were fixed before as well. The benchmark (bench/optimizer-efficiency.ts) uses
 * other seeds.
 */
const SEEDS = [7, 1009, 48271];

/** Strategy parameters a world needs: the params world is about temperature and max_tokens. */
function paramsFor(strategy: string, world: WorldName): Record<string, unknown> {
  return strategy === 'hyperparameter' && world === 'params'
    ? { tune: ['temperature', 'max_tokens'] }
    : {};
}

/** Each strategy's default max_llm_calls, as the product lists it. */
const DEFAULT_CALLS: Record<string, number> = Object.fromEntries(
  createStrategyRegistry()
    .list()
    .map((s) => [s.name, s.default_max_llm_calls]),
);

async function runs(
  strategy: string,
  world: WorldName,
  budget: BudgetLimits = {},
): Promise<{ world: ScriptedWorld; report: WorldRunReport }[]> {
  const out = [];
  for (const seed of SEEDS) {
    const w = createScriptedWorld(world, { seed });
    const report = await runOnWorld(w, {
      strategy,
      params: strategy === 'random_rewrite' ? {} : paramsFor(strategy, world),
      budget,
      seed,
    });
    // Checked on every run: demos never come from validation cases, and the budget held.
    expect(report.validationDemos).toEqual([]);
    out.push({ world: w, report });
  }
  return out;
}

const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
const round = (x: number) => Math.round(x * 1000) / 1000;
/** An asymmetric matcher, so a failure prints every number of the comparison. */
function satisfies(test: (x: number) => boolean, text: string): unknown {
  return {
    $$typeof: Symbol.for('jest.asymmetricMatcher'),
    asymmetricMatch: (x: unknown) => typeof x === 'number' && test(x),
    toString: () => text,
    toAsymmetricMatcher: () => text,
  };
}
const atLeast = (min: number) => satisfies((x) => x >= min, `a number >= ${min}`);
const above = (min: number) => satisfies((x) => x > min, `a number > ${min}`);

/**
 * The share of the seed-to-best gap each strategy must close on the sealed split, as the mean
 * over the seeds of what the run recommends (its winner: the seed unless it claimed a
 * significant improvement), within the strategy's default call budget:
 * - 25% for iterative, bootstrap and mipro, the strategies with the smallest default budgets
 *   (a few hundred calls): on an 80-case pool the baseline alone takes 80 calls and the final
 *   re-scoring holds back about as many again, so a quarter of the gap is what a search of
 *   ~50-150 calls can fairly be asked for, and it is far from nothing (the control closes ~0
 *   in demos). The thresholds were set before these seeds were run, after one probe run.
 * - 50% for hyperparameter (300 calls on a two-dimensional space whose good band is a sizeable
 *   part of the default ranges), genetic (600) and mcts (800), whose budgets pay for several
 *   rounds of evidence-driven rewrites.
 * The null world has no gap; there the assertion is that no run claims `improved`.
 */
const REQUIRED_SHARE: [string, WorldName, number][] = [
  ['iterative', 'rule', 0.25],
  ['bootstrap', 'demos', 0.25],
  ['mipro', 'rule', 0.25],
  ['mipro', 'demos', 0.25],
  ['hyperparameter', 'params', 0.5],
  ['genetic', 'rule', 0.5],
  ['mcts', 'rule', 0.5],
];

describe('optimizer quality on the scripted worlds', () => {
  describe.each(REQUIRED_SHARE)('%s in the %s world', (strategy, world, share) => {
    const budget = { max_llm_calls: DEFAULT_CALLS[strategy] };
    let mine: Awaited<ReturnType<typeof runs>>;
    let control: Awaited<ReturnType<typeof runs>>;
    beforeAll(async () => {
      mine = await runs(strategy, world);
      // Equal budget: the control gets the strategy's default call limit, on the same seeds (so
      // the same case pools).
      control = await runs('random_rewrite', world, budget);
    });

    it(`closes ${share * 100}% of the sealed gap within its default budget`, () => {
      const gaps = mine.map((r) => round(r.report.winnerGap));
      expect({ gaps, mean: round(mean(gaps)) }).toEqual({ gaps, mean: atLeast(share) });
      for (const { report } of mine) {
        expect(report.calls.task + report.calls.proposer).toBeLessThanOrEqual(budget.max_llm_calls);
      }
    });

    it('beats the random-rewrite control at equal budget on the sealed split', () => {
      const sealed = round(mean(mine.map((r) => r.report.winnerSealed)));
      const controlSealed = round(mean(control.map((r) => r.report.winnerSealed)));
      expect({ sealed, controlSealed }).toEqual({ sealed: above(controlSealed), controlSealed });
    });
  });

  describe('in the null world nothing helps', () => {
    it.each([
      'iterative',
      'bootstrap',
      'mipro',
      'hyperparameter',
      'genetic',
      'mcts',
      'random_rewrite',
    ])('%s never claims improved', async (strategy) => {
      for (const { report } of await runs(strategy, 'null')) {
        expect(report.result.improved).toBe(false);
        expect(report.result.winner.is_seed).toBe(true);
        expect(report.winnerSealed).toBe(0.5);
      }
    });
  });

  /**
   * Each budget kind, on each strategy's own world: what the world counted never crosses the
   * limit, and the product's estimate (POST /optimizations/estimate, a dry run over a simulated
   * model) holds: its maximum is at least what was spent, and its expected figures are within
   * 30% of what was spent.
   */
  const HOME: [string, WorldName][] = [
    ['iterative', 'rule'],
    ['bootstrap', 'demos'],
    ['mipro', 'rule'],
    ['hyperparameter', 'params'],
    ['genetic', 'rule'],
    ['mcts', 'rule'],
  ];
  // Limits that bind during the search rather than during the 80-call baseline. Money and tokens
  // are reserved at their worst case before each call (input + a 1,024-token output allowance,
  // four calls in flight), so their limits must leave room for those reservations.
  const BUDGETS: [string, BudgetLimits][] = [
    ['max_llm_calls', { max_llm_calls: 180 }],
    ['max_tokens', { max_tokens: 20_000 }],
    ['max_usd', { max_usd: 0.005 }],
    ['max_iterations', { max_iterations: 2 }],
  ];
  describe.each(HOME)('%s budgets (%s world)', (strategy, world) => {
    it.each(BUDGETS)('%s holds and the estimate matches', async (_kind, budget) => {
      const w = createScriptedWorld(world, { seed: SEEDS[0] });
      const options = { strategy, params: paramsFor(strategy, world), budget, seed: SEEDS[0] };
      const { result, calls, validationDemos } = await runOnWorld(w, options);
      expect(validationDemos).toEqual([]);
      const spent = {
        llm_calls: calls.task + calls.proposer,
        tokens: calls.tokensIn + calls.tokensOut,
        usd: calls.usd,
      };
      if (budget.max_llm_calls !== undefined)
        expect(spent.llm_calls).toBeLessThanOrEqual(budget.max_llm_calls);
      if (budget.max_tokens !== undefined)
        expect(spent.tokens).toBeLessThanOrEqual(budget.max_tokens);
      if (budget.max_usd !== undefined)
        expect(spent.usd).toBeLessThanOrEqual(budget.max_usd + 1e-12);
      if (budget.max_iterations !== undefined) {
        expect(result.usage.iterations).toBeLessThanOrEqual(budget.max_iterations);
        expect(spent.llm_calls).toBeLessThanOrEqual(DEFAULT_CALLS[strategy]);
      }
      // The runner's own accounting agrees with the world's.
      expect(result.usage.llm_calls).toBe(spent.llm_calls);
      expect(result.usage.tokens).toBe(spent.tokens);

      const estimate = await estimateOnWorld(
        createScriptedWorld(world, { seed: SEEDS[0] }),
        options,
      );
      const keys = ['llm_calls', 'tokens', 'usd'] as const;
      const below = keys.filter((k) => estimate.maximum[k] < spent[k] - 1e-12);
      expect({ maximumBelowSpent: below }).toEqual({ maximumBelowSpent: [] });
      const ratio = Object.fromEntries(
        keys.map((k) => [k, round(estimate.expected[k] / spent[k])]),
      );
      const off = keys.filter((k) => Math.abs(estimate.expected[k] - spent[k]) > 0.3 * spent[k]);
      expect({ ratio, off }).toEqual({ ratio, off: [] });
    });
  });
});
