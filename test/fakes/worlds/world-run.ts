import type { ChatPort } from '@ps/evaluation';
import { parseScoringPlan } from '@ps/evaluation';
import {
  type BudgetLimits,
  type Candidate,
  candidateKey,
  createStrategyRegistry,
  estimateOptimization,
  type OptimizationEstimate,
  type OptimizationRequest,
  type OptimizationResult,
  type OptimizationStrategy,
  runOptimization,
  StrategyRegistry,
} from '@ps/optimizers';
import { type CallCounts, type ScriptedWorld, WORLD_PRICE } from './world';

/**
 * Runs one optimization on a world through the real runner and measures it where the optimizer
 * cannot look: the sealed split (analytic expected scores) and the world's own call counter.
 */

export interface WorldRunOptions {
  strategy: string;
  params?: unknown;
  /** Default: none (the strategy's default max_llm_calls). */
  budget?: BudgetLimits;
  seed: number;
  /** Record the incumbent's sealed score after every upstream call (for the benchmark). */
  trace?: boolean;
}

export interface TracePoint {
  /** Upstream calls answered so far (task + proposer, counted at the world). */
  calls: number;
  /** The strategy's incumbent, scored on the sealed split. */
  sealed: number;
}

export interface WorldRunReport {
  result: OptimizationResult;
  /** Sealed score of what the run recommends (the seed unless it claims an improvement). */
  winnerSealed: number;
  /** Sealed score of the best re-scored finalist (the seed when there is none). */
  bestSealed: number;
  winnerGap: number;
  bestGap: number;
  /** Counted at the world. */
  calls: CallCounts;
  trace: TracePoint[];
  /** Validation cases that appeared as a few-shot demo in some task request. */
  validationDemos: string[];
}

/** The registry with MCTS switched on (its gate is not what these runs measure). */
function registry(): StrategyRegistry {
  return createStrategyRegistry({ env: { PROMPT_STUDIO_ENABLE_MCTS: 'true' } });
}

export async function runOnWorld(
  world: ScriptedWorld,
  options: WorldRunOptions,
): Promise<WorldRunReport> {
  world.resetCalls();

  // A registry handing out the strategy under test while keeping hold of it, to read its
  // incumbent as calls are spent.
  const base = registry();
  let live: OptimizationStrategy<unknown> | null = null;
  const capturing = new StrategyRegistry().register(() => {
    live = base.create(options.strategy) as OptimizationStrategy<unknown>;
    return live;
  });

  const sealedOf = memoSealed(world);
  const trace: TracePoint[] = [];
  const chat: ChatPort = async (request) => {
    const answer = await world.chat(request);
    if (options.trace) {
      const incumbent = live?.incumbent();
      trace.push({
        calls: world.calls.task + world.calls.proposer,
        sealed: sealedOf(incumbent?.candidate ?? world.seed),
      });
    }
    return answer;
  };

  const result = await runOptimization(requestFor(world, options), {
    chat,
    price: worldPrice,
    registry: capturing,
  });

  const winnerSealed = sealedOf(result.winner.candidate);
  const bestSealed = sealedOf(result.best?.candidate ?? world.seed);
  const gap = world.bestScore - world.seedScore;
  const validation = new Set(result.split.validation_case_ids);
  return {
    result,
    winnerSealed,
    bestSealed,
    winnerGap: (winnerSealed - world.seedScore) / gap,
    bestGap: (bestSealed - world.seedScore) / gap,
    calls: { ...world.calls },
    trace,
    validationDemos: world.casesUsedAsDemos(world.pool.filter((c) => validation.has(c.id))),
  };
}

/** USD per million tokens, as the product's price table gives it. */
const worldPrice = () => [WORLD_PRICE.input * 1e6, WORLD_PRICE.output * 1e6] as const;

/** The request a run on this world makes (what POST /optimizations/create would plan). */
export function requestFor(world: ScriptedWorld, options: WorldRunOptions): OptimizationRequest {
  const parsed = parseScoringPlan(world.scoring);
  if (!parsed.ok) throw new Error(`Bad scoring plan: ${JSON.stringify(parsed.errors)}`);
  return {
    strategy: options.strategy,
    strategyParams: options.params ?? {},
    seedCandidate: world.seed,
    cases: world.pool,
    plan: parsed.plan,
    outputFields: [],
    budget: options.budget ?? {},
    seed: options.seed,
  };
}

/** What POST /optimizations/estimate answers for the same run: the product's dry run. */
export function estimateOnWorld(
  world: ScriptedWorld,
  options: WorldRunOptions,
): Promise<OptimizationEstimate> {
  return estimateOptimization(requestFor(world, options), {
    price: worldPrice,
    registry: registry(),
  });
}

function memoSealed(world: ScriptedWorld): (candidate: Candidate) => number {
  const memo = new Map<string, number>();
  return (candidate) => {
    const key = candidateKey(candidate);
    let score = memo.get(key);
    if (score === undefined) {
      score = world.expectedScore(candidate);
      memo.set(key, score);
    }
    return score;
  };
}

/** Calls after which the incumbent first closed `share` of the gap on the sealed split (null: never). */
export function callsToShare(
  world: ScriptedWorld,
  trace: TracePoint[],
  share: number,
): number | null {
  const target = world.seedScore + share * (world.bestScore - world.seedScore);
  return trace.find((p) => p.sealed >= target - 1e-12)?.calls ?? null;
}
