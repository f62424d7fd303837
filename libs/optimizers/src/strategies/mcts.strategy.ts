import type { CaseResult, EngineCase } from '@ps/evaluation';
import { instructionOf, withInstruction } from '../candidate-text';
import { parseParameters } from '../params';
import { isFailure } from '../proposer/evidence';
import type {
  BudgetView,
  Candidate,
  CandidateRecord,
  CandidateScore,
  OptimizationStrategy,
  ParameterSpec,
  ProposerOp,
  StrategyContext,
  StrategyOutcome,
} from '../types';
import {
  type ErrorCounters,
  SEED_ID,
  type ScoredCase,
  type StopReason,
  evidenceFrom,
  freshTexts,
  meanOf,
  meanOver,
  newErrorCounters,
  perCaseScores,
  proposeOrStop,
  stopReason,
} from './strategy-support';

export interface MctsParams {
  mcts_simulations: number;
  mcts_max_depth: number;
  mcts_exploration_c: number;
  prompt_candidates_per_node: number;
  score_dedup_bin: number;
  min_quality: number;
  early_stop_no_improve: number;
  token_budget: number | null;
  ws_throttle_every: number | null;
  trace_top_k: number;
  minibatch_size: number;
  evidence_size: number;
  finalists: number;
}

const PARAMETERS: ParameterSpec[] = [
  {
    name: 'mcts_simulations',
    type: 'integer',
    minimum: 1,
    maximum: 1000,
    default: 60,
    description:
      'Most simulations (select, expand, screen, back-propagate); one simulation is one ' +
      'iteration. The call budget usually ends the search first.',
  },
  {
    name: 'mcts_max_depth',
    type: 'integer',
    minimum: 1,
    maximum: 10,
    default: 4,
    description: 'Longest sequence of rewrites from the seed prompt (depth of the tree).',
  },
  {
    name: 'mcts_exploration_c',
    type: 'number',
    minimum: 0,
    maximum: 10,
    default: 1.4,
    description: 'UCT exploration constant: higher tries less-visited branches more often.',
  },
  {
    name: 'prompt_candidates_per_node',
    type: 'integer',
    minimum: 1,
    maximum: 10,
    default: 3,
    description:
      'Rewrites asked for when a node is expanded, one proposer call each, each shown its own ' +
      'sample of the node’s failing cases.',
  },
  {
    name: 'score_dedup_bin',
    type: 'number',
    minimum: 0,
    maximum: 1,
    default: 0.1,
    description:
      'Sibling deduplication: a new child whose minibatch reward falls in the same bin (of this ' +
      'width) as a sibling’s is dropped. 0 keeps every distinct rewrite.',
  },
  {
    name: 'min_quality',
    type: 'number',
    minimum: 0,
    maximum: 10,
    default: 0,
    description:
      'Quality pruning on a 0..10 scale (the minibatch reward × 10): children below it are ' +
      'pruned and never expanded. 0 prunes nothing.',
  },
  {
    name: 'early_stop_no_improve',
    type: 'integer',
    minimum: 0,
    maximum: 1000,
    default: 5,
    description:
      'Stop after this many expansions in a row without a better node (by its pessimistic ' +
      'estimate). 0 never stops early.',
  },
  {
    name: 'token_budget',
    type: 'integer',
    minimum: 1,
    maximum: 1_000_000_000,
    default: null,
    nullable: true,
    description:
      'Tokens (all calls) the tree search may spend, checked between steps; the run budget ' +
      'still holds as a hard limit. Default: no extra limit.',
  },
  {
    name: 'ws_throttle_every',
    type: 'integer',
    minimum: 1,
    maximum: 1000,
    default: null,
    nullable: true,
    description:
      'Report an iteration event every N simulations (and after the last). Default ' +
      'max(1, round(mcts_simulations / 50)).',
  },
  {
    name: 'trace_top_k',
    type: 'integer',
    minimum: 1,
    maximum: 50,
    default: 5,
    description: 'Best nodes whose paths from the seed are kept in the final trace.',
  },
  {
    name: 'minibatch_size',
    type: 'integer',
    minimum: 1,
    maximum: 1000,
    default: 8,
    description:
      'First rung of the train cases every node is scored on (a fixed seeded order, the same ' +
      'for every node, so rewards compare on the same cases); each further rung doubles it.',
  },
  {
    name: 'evidence_size',
    type: 'integer',
    minimum: 1,
    maximum: 20,
    default: 6,
    description:
      'Failing cases (input, output, expected, feedback) shown to the proposer per rewrite; a ' +
      'rewrite is first screened on them.',
  },
  {
    name: 'finalists',
    type: 'integer',
    minimum: 1,
    maximum: 10,
    default: 3,
    description:
      'Best nodes confirmed on the whole train set and handed over to be re-scored on validation.',
  },
];

/** An expansion that yields no usable child this many times makes its node terminal. */
const MAX_FAILED_EXPANSIONS = 2;

interface TreeNode {
  id: number;
  candidate: Candidate;
  parent: TreeNode | null;
  depth: number;
  operator: string;
  iteration: number;
  children: TreeNode[];
  /** Expansions that produced at least one child. */
  expansions: number;
  failedExpansions: number;
  /** Nothing left to expand: maximum depth, no failure to learn from, or no usable rewrite. */
  terminal: boolean;
  visits: number;
  valueSum: number;
  /** Reward when created: the mean on the first rung of the case order. */
  reward: number;
  /** Cases of the run's case order scored so far (a prefix). */
  level: number;
  /** Every case result of this node (the order's prefix and the failures it was shown). */
  results: Map<string, CaseResult>;
  perCase: Map<string, number>;
}

/**
 * The original documentation's sequence search, made to spend its calls on evidence. Each node is
 * a prompt and each edge one rewrite by the proposer (`reflect` at even depths, `mutate` at odd
 * ones), so a path is a sequence of refinements of the seed.
 *
 * Every node is scored on prefixes of one seeded order of the train cases (rungs of
 * minibatch_size, doubling), so nodes compare on the same cases and the evaluator's memo answers
 * any case a node was already scored on. A simulation descends by UCT (mean back-propagated
 * reward + mcts_exploration_c × √(ln N / n)) to the node to expand. Expanding it first scores it
 * on further rungs until it shows twice evidence_size failing cases or has seen every train case
 * (successive halving: only nodes the search keeps choosing are scored on many cases). Each of
 * prompt_candidates_per_node proposer calls is shown its own sample of those failures with their
 * feedback; a rewrite is screened on the failures it was shown (one that fixes none is rejected
 * cheaply), then scored on the first rung (its reward). Siblings in a reward bin already taken
 * (score_dedup_bin) and children below min_quality are dropped. The best new child is scored on
 * further rungs while it keeps up with its parent on the same cases, and its reward is
 * back-propagated. Progressive widening: at each node, expanding the node again (with a fresh
 * sample of its failures) competes in UCT with its children, valued at the node's own mean and
 * counted by its children; a node is terminal at mcts_max_depth, when it fails no case, or after
 * two expansions that gave no usable rewrite.
 *
 * Stops on mcts_simulations, early_stop_no_improve (expansions without a better node), token_budget,
 * the run budget or cancellation; keeps enough budget to score the leading nodes on the whole
 * train set, which ranks the finalists.
 */
export class MctsStrategy implements OptimizationStrategy<MctsParams> {
  readonly name = 'mcts';
  readonly description =
    'Monte Carlo tree search over sequences of prompt rewrites guided by failing cases (UCT, ' +
    'screening and successive halving on a fixed case order, score-bin sibling dedup, quality ' +
    'pruning, early stop, token budget), with tree metrics and a trace of the best paths.';
  readonly parameters = PARAMETERS;
  readonly defaultMaxLlmCalls = 800;

  private nodes: TreeNode[] = [];
  /** Ids of the run's case order. */
  private orderIds: string[] = [];

  /** Mean on the cases of the order's prefix the node was scored on (null before any). */
  private prefixMean(node: TreeNode): number | null {
    return node.level > 0 ? meanOn(node, this.orderIds.slice(0, node.level)) : null;
  }

  parseParams(input: unknown): MctsParams {
    return parseParameters<MctsParams>(PARAMETERS, input);
  }

  /** The best node by its pessimistic estimate (whole-train means once confirmed). */
  incumbent(): { id: number; candidate: Candidate } | null {
    const top = this.ranked()[0];
    return top ? { id: top.id, candidate: top.candidate } : null;
  }

  /** Nodes other than the seed, best first. */
  private ranked(): TreeNode[] {
    return this.nodes
      .filter((n) => n.id !== SEED_ID && n.level > 0)
      .sort((a, b) => this.rankKey(b) - this.rankKey(a) || a.id - b.id);
  }

  /**
   * Mean on the node's prefix minus half a standard error of a pass/fail score, so a node known
   * from a few cases does not outrank one confirmed on many by luck.
   */
  private rankKey(node: TreeNode): number {
    const mean = this.prefixMean(node);
    if (mean === null) return -Infinity;
    if (node.level >= this.orderIds.length) return mean;
    return mean - 0.5 / Math.sqrt(node.level);
  }

  async run(ctx: StrategyContext<MctsParams>): Promise<StrategyOutcome> {
    const params = ctx.params;
    const startedAt = Date.now();
    const tokensAtStart = ctx.budget.used().tokens;
    const throttle =
      params.ws_throttle_every ?? Math.max(1, Math.round(params.mcts_simulations / 50));
    const errors = newErrorCounters();
    const counts = { pruned: 0, deduplicated: 0, screened_out: 0, promotions: 0 };
    // Calls by purpose, for the details (lookups in the evaluator's memo cost nothing).
    const spent = { proposals: 0, screening: 0, first_rung: 0, promotions: 0, confirmation: 0 };
    const callsNow = () => ctx.budget.used().llm_calls;
    const tried = new Set<string>([instructionOf(ctx.seed).trim()]);
    const order = ctx.rng.shuffle(ctx.train);
    const caseById = new Map(order.map((c) => [c.id, c]));
    this.orderIds = order.map((c) => c.id);
    const rungs = rungSizes(order.length, params.minibatch_size);
    const root = this.node(SEED_ID, ctx.seed, null, 'seed', 0);
    const nodes: TreeNode[] = [root];
    this.nodes = nodes;
    /** The reward of the latest simulation (the iteration events' `current`). */
    let lastReward: number | null = null;
    let sinceImprovement = 0;
    let simulations = 0;
    let expansions = 0;
    let stopped: StopReason | 'early_stop' | 'token_budget' | 'exhausted' = 'done';
    let lastReported = 0;

    const stopFor = (): 'budget' | 'cancelled' => (ctx.signal.aborted ? 'cancelled' : 'budget');
    const record = (node: TreeNode, extra: Partial<CandidateRecord> = {}) =>
      ctx.progress.candidate({
        id: node.id,
        parentIds: node.parent ? [node.parent.id] : [],
        operator: node.operator,
        candidate: node.candidate,
        iteration: node.iteration,
        scores: {
          minibatch: node.reward,
          ...(node.level >= order.length ? { train: this.prefixMean(node) } : {}),
        },
        status: 'scored',
        ...extra,
      });
    /** Scores a node on more cases; false when the budget or a cancellation cut it short. */
    const scoreOn = async (
      node: TreeNode,
      cases: readonly EngineCase[],
      phase: keyof typeof spent,
    ): Promise<boolean> => {
      const missing = cases.filter((c) => !node.results.has(c.id));
      if (missing.length === 0) return true;
      if (stopReason(ctx)) return false;
      const before = callsNow();
      const score = await ctx.evaluator.score(node.candidate, missing, { signal: ctx.signal });
      spent[phase] += callsNow() - before;
      absorb(node, score, errors);
      if (!score.complete) errors.incomplete_scores++;
      return score.complete;
    };
    /** Scores a node on the next rung of the order; false when cut short. */
    const promote = async (
      node: TreeNode,
      phase: 'promotions' | 'confirmation' = 'promotions',
    ): Promise<boolean> => {
      const next = rungs.find((r) => r > node.level);
      if (next === undefined) return true;
      if (!(await scoreOn(node, order.slice(0, next), phase))) return false;
      node.level = next;
      if (node.id !== SEED_ID) {
        counts.promotions++;
        record(node);
      }
      return true;
    };
    /** Calls the confirmation of the leading nodes on the whole train set would need. */
    const confirmationCost = () =>
      this.ranked()
        .slice(0, params.finalists)
        .reduce((sum, n) => sum + (order.length - n.level), 0);

    // The most one more child may cost (a proposal, its screening and its first rung), on top
    // of confirming the leaders at the end.
    const childCost = 1 + params.evidence_size + params.minibatch_size;
    const roomForChild = () => {
      const left = callsLeft(ctx.budget);
      return left === null || left >= confirmationCost() + childCost;
    };

    const report = (force: boolean) => {
      if (simulations === lastReported) return;
      if (!force && simulations % throttle !== 0) return;
      lastReported = simulations;
      const top = this.ranked()[0];
      ctx.progress.iteration({
        iteration: simulations,
        maxIterations: params.mcts_simulations,
        current: lastReward,
        best: top ? this.prefixMean(top) : null,
      });
    };

    // The seed on the whole train set: the baseline already scored it there, so this is a lookup.
    const rootScored = await scoreOn(root, order, 'promotions');
    if (rootScored) root.level = order.length;
    else stopped = stopFor();

    search: while (rootScored && simulations < params.mcts_simulations) {
      const reason = stopReason(ctx);
      if (reason) {
        stopped = reason;
        break;
      }
      if (
        params.token_budget !== null &&
        ctx.budget.used().tokens - tokensAtStart >= params.token_budget
      ) {
        stopped = 'token_budget';
        break;
      }
      if (params.early_stop_no_improve > 0 && sinceImprovement >= params.early_stop_no_improve) {
        stopped = 'early_stop';
        break;
      }
      if (!roomForChild()) {
        stopped = 'budget';
        break;
      }
      const path = this.select(root, params);
      if (path === null) {
        stopped = 'exhausted';
        break;
      }
      if (!ctx.budget.startIteration()) {
        stopped = 'iterations';
        break;
      }
      simulations++;
      const leaf = path[path.length - 1];
      let outOfRoom = false;
      const made: TreeNode[] = [];

      // Enough failing cases to learn from: score the leaf on further rungs until it shows them.
      while (failuresOf(leaf).length < 2 * params.evidence_size && leaf.level < order.length) {
        if (!(await promote(leaf))) {
          stopped = stopFor();
          break search;
        }
      }
      const failures = failuresOf(leaf);
      let reward = this.prefixMean(leaf) ?? 0;
      if (failures.length === 0) {
        leaf.terminal = true;
      } else {
        expansions++;
        const op: ProposerOp = leaf.depth % 2 === 0 ? 'reflect' : 'mutate';
        const pool = ctx.rng.shuffle(failures);
        for (let k = 0; k < params.prompt_candidates_per_node; k++) {
          if (k > 0 && !roomForChild()) {
            outOfRoom = true;
            break;
          }
          const shown = evidenceWindow(pool, k, params.evidence_size).map((r): ScoredCase => ({
            testCase: caseById.get(r.caseId) as EngineCase,
            result: r,
          }));
          const beforeProposal = callsNow();
          const texts = await proposeOrStop(
            ctx,
            { op, currentPrompt: instructionOf(leaf.candidate), examples: evidenceFrom(shown) },
            errors,
          );
          spent.proposals += callsNow() - beforeProposal;
          if (texts === null) {
            stopped = stopFor();
            break search;
          }
          const text = freshTexts(texts, tried)[0];
          if (text === undefined) continue;
          const child = this.node(
            ctx.nextId(),
            withInstruction(leaf.candidate, text),
            leaf,
            op,
            simulations,
          );
          // Screen: the failures it was shown. A rewrite that fixes none of them is dropped.
          const shownCases = shown.map((s) => s.testCase);
          if (!(await scoreOn(child, shownCases, 'screening'))) {
            record(child, {
              scores: {},
              status: 'rejected',
              note: 'Scoring stopped (budget or cancellation) before every case was scored.',
            });
            stopped = stopFor();
            break search;
          }
          const fixed = shownCases.filter(
            (c) => (child.perCase.get(c.id) ?? 0) > (leaf.perCase.get(c.id) ?? 0),
          ).length;
          if (fixed === 0) {
            counts.screened_out++;
            record(child, {
              scores: { minibatch: meanOf([...child.perCase.values()]) },
              status: 'rejected',
              note: `Fixed none of the ${shownCases.length} failing cases it was shown.`,
            });
            continue;
          }
          // Reward: the first rung of the order, the cases every node is scored on.
          if (!(await scoreOn(child, order.slice(0, rungs[0]), 'first_rung'))) {
            record(child, {
              scores: {},
              status: 'rejected',
              note: 'Scoring stopped (budget or cancellation) before every case was scored.',
            });
            stopped = stopFor();
            break search;
          }
          child.level = rungs[0];
          child.reward = this.prefixMean(child) ?? 0;
          if (child.reward * 10 < params.min_quality) {
            counts.pruned++;
            record(child, {
              status: 'pruned',
              note: `Quality ${(child.reward * 10).toFixed(1)} below min_quality ${params.min_quality}.`,
            });
            continue;
          }
          const bin = binOf(child.reward, params.score_dedup_bin);
          if (
            bin !== null &&
            leaf.children.some((s) => binOf(s.reward, params.score_dedup_bin) === bin)
          ) {
            counts.deduplicated++;
            record(child, {
              status: 'pruned',
              note: `A sibling already scored in the same ${params.score_dedup_bin} bin.`,
            });
            continue;
          }
          child.visits = 1;
          child.valueSum = child.reward;
          if (child.depth >= params.mcts_max_depth) child.terminal = true;
          leaf.children.push(child);
          nodes.push(child);
          made.push(child);
          record(child);
        }
        if (made.length === 0) {
          leaf.failedExpansions++;
          if (leaf.failedExpansions >= MAX_FAILED_EXPANSIONS) leaf.terminal = true;
        } else {
          leaf.expansions++;
          // Successive halving: the best new child climbs the rungs while it keeps up with its
          // parent on the same cases.
          const best = [...made].sort((a, b) => b.reward - a.reward || a.id - b.id)[0];
          while (best.level < leaf.level) {
            if (!(await promote(best))) {
              stopped = stopFor();
              break search;
            }
            const ids = order.slice(0, best.level).map((c) => c.id);
            if (meanOn(best, ids) < meanOn(leaf, ids)) break;
          }
          reward = Math.max(...made.map((c) => this.prefixMean(c) ?? 0));
        }
      }
      for (const node of path) {
        node.visits++;
        node.valueSum += reward;
      }
      lastReward = reward;
      // An improvement: this expansion made the new leader (better than every node known, as
      // they are known now: a leader that fell once scored on more cases does not count).
      const top = this.ranked()[0];
      sinceImprovement = top !== undefined && made.includes(top) ? 0 : sinceImprovement + 1;
      report(false);
      if (outOfRoom) {
        stopped = 'budget';
        break;
      }
    }
    report(true);

    // Confirm the leaders on the whole train set (while the budget lasts) to rank the finalists:
    // a node known from a few cases may fall once scored on all of them.
    if (stopped !== 'cancelled') {
      const confirmed = new Set<number>();
      for (;;) {
        const next = this.ranked()
          .slice(0, params.finalists)
          .find((n) => n.level < order.length && !confirmed.has(n.id));
        if (!next || stopReason(ctx)) break;
        confirmed.add(next.id);
        let complete = true;
        while (next.level < order.length) {
          if (!(await promote(next, 'confirmation'))) {
            complete = false;
            break;
          }
        }
        if (!complete) break;
      }
    }

    const ranked = this.ranked();
    const expanded = nodes.filter((n) => n.children.length > 0);
    return {
      finalists: ranked
        .slice(0, params.finalists)
        .map((n) => ({ id: n.id, candidate: n.candidate })),
      details: {
        tree_nodes: nodes.length,
        avg_branching:
          expanded.length > 0
            ? expanded.reduce((a, n) => a + n.children.length, 0) / expanded.length
            : 0,
        max_depth_reached: Math.max(...nodes.map((n) => n.depth)),
        simulations,
        expansions,
        case_order_rungs: rungs,
        tokens_spent: ctx.budget.used().tokens - tokensAtStart,
        duration_ms: Date.now() - startedAt,
        best_reward: ranked[0] ? this.prefixMean(ranked[0]) : null,
        stopped,
        errors: {
          ...errors,
          errors_total:
            errors.proposer_empty +
            errors.proposer_failed +
            errors.incomplete_scores +
            errors.infra_errors,
        },
        pruned: counts.pruned,
        deduplicated: counts.deduplicated,
        screened_out: counts.screened_out,
        promotions: counts.promotions,
        calls_spent: spent,
        applied_params: { ...params, ws_throttle_every: throttle },
        trace: ranked.slice(0, params.trace_top_k).map((n) => ({
          id: n.id,
          estimate: this.prefixMean(n),
          cases: n.level,
          train: n.level >= order.length ? this.prefixMean(n) : null,
          path: this.pathOf(n).map((p) => ({
            id: p.id,
            depth: p.depth,
            operator: p.operator,
            reward: p.reward,
            visits: p.visits,
            value: p.visits > 0 ? p.valueSum / p.visits : null,
          })),
        })),
      },
    };
  }

  private node(
    id: number,
    candidate: Candidate,
    parent: TreeNode | null,
    operator: string,
    iteration: number,
  ): TreeNode {
    return {
      id,
      candidate,
      parent,
      depth: parent ? parent.depth + 1 : 0,
      operator,
      iteration,
      children: [],
      expansions: 0,
      failedExpansions: 0,
      terminal: false,
      visits: 0,
      valueSum: 0,
      reward: 0,
      level: 0,
      results: new Map(),
      perCase: new Map(),
    };
  }

  /**
   * UCT descent from the root to the node to expand: one without children, or one whose own
   * widening value beats its children's. Null when the whole tree is exhausted.
   */
  private select(root: TreeNode, params: MctsParams): TreeNode[] | null {
    if (this.exhausted(root)) return null;
    const path = [root];
    let node = root;
    for (;;) {
      const live = node.children.filter((c) => !this.exhausted(c));
      if (live.length === 0) return path;
      const logN = Math.log(Math.max(1, node.visits));
      let chosen: TreeNode | null = null;
      let bestUct = -Infinity;
      // Widening: expanding this node again competes with its children, valued at the node's
      // own mean and counted by its children, so disappointing rewrites make room for new ones.
      if (!node.terminal) {
        const q = this.prefixMean(node) ?? 0;
        const u = params.mcts_exploration_c * Math.sqrt(logN / node.children.length);
        bestUct = q + u;
      }
      for (const child of live) {
        const q = child.visits > 0 ? child.valueSum / child.visits : 0;
        const u =
          child.visits > 0 ? params.mcts_exploration_c * Math.sqrt(logN / child.visits) : Infinity;
        if (q + u > bestUct) {
          bestUct = q + u;
          chosen = child;
        }
      }
      if (chosen === null) return path;
      node = chosen;
      path.push(node);
    }
  }

  /** A subtree with nothing left to expand: the node is terminal and so is everything below. */
  private exhausted(node: TreeNode): boolean {
    return node.terminal && node.children.every((c) => this.exhausted(c));
  }

  private pathOf(node: TreeNode): TreeNode[] {
    const out: TreeNode[] = [];
    for (let n: TreeNode | null = node; n; n = n.parent) out.unshift(n);
    return out;
  }
}

/** Rung sizes over the case order: size, 2·size, 4·size, …, ending with every case. */
function rungSizes(total: number, first: number): number[] {
  const out: number[] = [];
  for (let r = Math.min(first, total); r < total; r *= 2) out.push(r);
  out.push(total);
  return out;
}

function absorb(node: TreeNode, score: CandidateScore, errors: ErrorCounters): void {
  // Infrastructure failures are kept too (asking again would only look them up in the memo);
  // they have no score and are never shown as evidence (see isFailure).
  for (const r of score.cases) {
    if (r.status === 'infra_error' || r.status === 'timeout') errors.infra_errors++;
    node.results.set(r.caseId, r);
  }
  for (const [id, s] of perCaseScores(score.cases)) node.perCase.set(id, s);
}

/** The node's failing cases (everything it was scored on), in case-id order for determinism. */
function failuresOf(node: TreeNode): CaseResult[] {
  return [...node.results.values()]
    .filter((r) => isFailure(r))
    .sort((a, b) => (a.caseId < b.caseId ? -1 : a.caseId > b.caseId ? 1 : 0));
}

/** The k-th window of `size` failures from a shuffled pool (wrapping), so siblings see different ones. */
function evidenceWindow<T>(pool: readonly T[], k: number, size: number): T[] {
  if (pool.length <= size) return [...pool];
  const out: T[] = [];
  for (let i = 0; i < size; i++) out.push(pool[(k * size + i) % pool.length]);
  return out;
}

/** Mean of the node's scores on some cases (those without a score are left out; 0 when none). */
function meanOn(node: TreeNode, ids: readonly string[]): number {
  return meanOver(node.perCase, ids) ?? 0;
}

function binOf(reward: number, width: number): number | null {
  return width > 0 ? Math.min(Math.floor(reward / width), Math.floor(1 / width)) : null;
}

/** Calls the budget still allows, from whichever of calls, tokens and money binds first (null: no such limit). */
function callsLeft(budget: BudgetView): number | null {
  const { limits } = budget;
  const used = budget.used();
  const perCall = (total: number) => (used.llm_calls > 0 ? total / used.llm_calls : 0);
  const left: number[] = [];
  if (limits.max_llm_calls !== undefined) left.push(limits.max_llm_calls - used.llm_calls);
  const tokensPerCall = perCall(used.tokens);
  if (limits.max_tokens !== undefined && tokensPerCall > 0)
    left.push((limits.max_tokens - used.tokens) / tokensPerCall);
  const usdPerCall = perCall(used.usd);
  if (limits.max_usd !== undefined && usdPerCall > 0)
    left.push((limits.max_usd - used.usd) / usdPerCall);
  return left.length > 0 ? Math.min(...left) : null;
}
