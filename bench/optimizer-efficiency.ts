// Optimizer efficiency on the scripted task worlds (test/fakes/worlds): for every strategy and
// world, how much of the gap between the seed prompt and the best prompt each run closes on the
// sealed split (cases the optimizer never sees, scored analytically), against the upstream calls
// it spent (counted at the world). Beside each strategy, the information-free random-rewrite
// control at the same call budget. Several seeds per cell; prints one Markdown table.
//
// Columns:
//   budget     max_llm_calls of the run (the strategy's default; the control gets the same)
//   ½ gap      median upstream calls after which the strategy's incumbent first closed half the
//              gap on the sealed split ("never" when a run did not; counted as never in the median
//              when more than half did not)
//   final      mean share of the gap closed by the run's winner (the seed unless the run claimed
//              a significant improvement), ± standard deviation over seeds
//   best       the same for the best re-scored finalist, whether or not it was significant
//   improved   runs that claimed `improved`
//   calls      mean upstream calls spent
// In the null world nothing can help: the gap is 0, so the table gives the winner's sealed score
// (expected 0.500 for every candidate) and how many runs claimed `improved` (should be 0).
//
// Run with `npm run bench:optimizers`. BENCH_SEEDS (comma-separated, default 1 to 10),
// BENCH_WORLDS (default all), BENCH_STRATEGIES (default all registered).
import { createStrategyRegistry } from '../libs/optimizers/src/registry';
import { createScriptedWorld, type WorldName } from '../test/fakes/worlds';
import { callsToShare, runOnWorld, type WorldRunReport } from '../test/fakes/worlds/world-run';

const SEEDS = (process.env.BENCH_SEEDS ?? '1,2,3,4,5,6,7,8,9,10').split(',').map(Number);
const WORLDS = (process.env.BENCH_WORLDS ?? 'rule,demos,params,null').split(',') as WorldName[];
const CONTROL = 'random_rewrite';

/**
 * Strategy parameters per world, where a world needs one: the params world is about temperature
 * AND max_tokens, while the hyperparameter strategy tunes temperature alone by default.
 */
function paramsFor(strategy: string, world: WorldName): Record<string, unknown> {
  if (strategy === 'hyperparameter' && world === 'params') {
    return { tune: ['temperature', 'max_tokens'] };
  }
  return {};
}

/**
 * Extra rows: the hyperparameter search modes side by side (random search is the information-free
 * control of the TPE sampler, which the random-rewrite control cannot be for parameters).
 */
const VARIANTS = [
  {
    name: 'hyperparameter',
    label: 'hyperparameter (search=random)',
    params: { tune: ['temperature', 'max_tokens'], search: 'random' },
    worlds: ['params'],
  },
  {
    name: 'hyperparameter',
    label: 'hyperparameter (search=grid)',
    params: { tune: ['temperature', 'max_tokens'], search: 'grid' },
    worlds: ['params'],
  },
];

interface Cell {
  reports: WorldRunReport[];
  halfGap: (number | null)[];
}

function mean(xs: number[]): number {
  return xs.reduce((s, x) => s + x, 0) / xs.length;
}

function sd(xs: number[]): number {
  const m = mean(xs);
  return Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / Math.max(1, xs.length - 1));
}

function median(xs: (number | null)[]): number | null {
  const sorted = xs.map((x) => x ?? Infinity).sort((a, b) => a - b);
  const mid = sorted.length % 2 ? sorted[(sorted.length - 1) / 2] : sorted[sorted.length / 2 - 1];
  return Number.isFinite(mid) ? mid : null;
}

async function runCell(
  world: WorldName,
  strategy: string,
  budget: number,
  params: Record<string, unknown>,
): Promise<Cell> {
  const reports: WorldRunReport[] = [];
  const halfGap: (number | null)[] = [];
  for (const seed of SEEDS) {
    const w = createScriptedWorld(world);
    const report = await runOnWorld(w, {
      strategy,
      params,
      budget: { max_llm_calls: budget },
      seed,
      trace: world !== 'null',
    });
    reports.push(report);
    halfGap.push(world === 'null' ? null : callsToShare(w, report.trace, 0.5));
  }
  return { reports, halfGap };
}

function describe(cell: Cell, world: WorldName): string[] {
  const improved = `${cell.reports.filter((r) => r.result.improved).length}/${cell.reports.length}`;
  const calls = mean(cell.reports.map((r) => r.calls.task + r.calls.proposer)).toFixed(0);
  if (world === 'null') {
    const sealed = cell.reports.map((r) => r.winnerSealed);
    return ['—', `${mean(sealed).toFixed(3)} (sealed)`, '—', improved, calls];
  }
  const half = median(cell.halfGap);
  const final = cell.reports.map((r) => r.winnerGap);
  const best = cell.reports.map((r) => r.bestGap);
  return [
    half === null ? 'never' : String(half),
    `${(100 * mean(final)).toFixed(0)}% ± ${(100 * sd(final)).toFixed(0)}`,
    `${(100 * mean(best)).toFixed(0)}%`,
    improved,
    calls,
  ];
}

async function main(): Promise<void> {
  const registry = createStrategyRegistry({ env: { PROMPT_STUDIO_ENABLE_MCTS: 'true' } });
  const listed = registry.list().map((s) => ({ name: s.name, budget: s.default_max_llm_calls }));
  const only = process.env.BENCH_STRATEGIES?.split(',');
  const strategies = listed.filter((s) => !only || only.includes(s.name));
  if (!registry.has(CONTROL)) throw new Error(`The ${CONTROL} control is not registered.`);

  const header = [
    'world',
    'strategy',
    'budget',
    '½ gap',
    'final',
    'best',
    'improved',
    'calls',
    'control ½ gap',
    'control final',
    'control best',
    'control improved',
  ];
  const rows: string[][] = [];
  const started = Date.now();
  for (const world of WORLDS) {
    const w = createScriptedWorld(world);
    process.stderr.write(
      `${world}: seed ${w.seedScore.toFixed(3)} → best ${w.bestScore.toFixed(3)} on ${w.sealed.length} sealed cases\n`,
    );
    const entries = [
      ...strategies.map((s) => ({ ...s, label: s.name, params: paramsFor(s.name, world) })),
      ...VARIANTS.filter(
        (v) => v.worlds.includes(world) && strategies.some((s) => s.name === v.name),
      ).map((v) => ({ ...v, budget: listed.find((s) => s.name === v.name)?.budget ?? 0 })),
    ];
    for (const { name, label, budget, params } of entries) {
      const cell = await runCell(world, name, budget, params);
      const control = await runCell(world, CONTROL, budget, {});
      const c = describe(control, world);
      rows.push([world, label, String(budget), ...describe(cell, world), c[0], c[1], c[2], c[3]]);
      process.stderr.write(`  ${label}: done (${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
    }
  }
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  const out = [
    `Seeds ${SEEDS.join(', ')}; gap = best − seed expected score on the sealed split.`,
    '',
    line(header),
    line(header.map(() => '---')),
    ...rows.map(line),
  ];
  process.stdout.write(`${out.join('\n')}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
