import { candidateKey } from '../candidate-key';
import { instructionOf, withInstruction } from '../candidate-text';
import { parseParameters } from '../params';
import { collectEvidence, valueText } from '../proposer/evidence';
import { type SearchPoint, TpeSampler } from '../search/tpe';
import type {
  Candidate,
  Evidence,
  OptimizationStrategy,
  ParameterSpec,
  StrategyContext,
  StrategyOutcome,
} from '../types';
import {
  bootstrapTraces,
  type Demo,
  estimatedCallsLeft,
  outputNames,
  selectDemoSet,
} from './demo-bootstrap';
import {
  freshTexts,
  IncumbentTracker,
  newErrorCounters,
  proposeOrStop,
  SEED_ID,
  type StopReason,
  stopReason,
} from './strategy-support';

export interface MiproParams {
  num_demo_sets: number;
  num_examples: number;
  max_labeled_demos: number;
  num_instructions: number;
  num_trials: number;
  minibatch_size: number;
  full_eval_every: number;
  n_startup: number;
  max_rounds: number;
}

const PARAMETERS: ParameterSpec[] = [
  {
    name: 'num_demo_sets',
    type: 'integer',
    minimum: 1,
    maximum: 20,
    default: 4,
    description: 'Demo sets in the search space, the first one empty (zero-shot).',
  },
  {
    name: 'num_examples',
    type: 'integer',
    minimum: 0,
    maximum: 16,
    default: 3,
    description: 'Demos per set (0: instructions only).',
  },
  {
    name: 'max_labeled_demos',
    type: 'integer',
    minimum: 0,
    maximum: 16,
    default: 3,
    description: 'Labeled train cases that may fill a set when too few traces passed.',
  },
  {
    name: 'num_instructions',
    type: 'integer',
    minimum: 1,
    maximum: 20,
    default: 5,
    description:
      "Instruction candidates, the seed's own included; the others are proposed from a summary " +
      'of the data, the signature and a demo set.',
  },
  {
    name: 'num_trials',
    type: 'integer',
    minimum: 1,
    maximum: 500,
    default: 20,
    description:
      '(instruction, demo set) pairs scored on train minibatches, chosen by the TPE sampler. ' +
      'Budget left afterwards pays for up to twice as many more.',
  },
  {
    name: 'minibatch_size',
    type: 'integer',
    minimum: 1,
    maximum: 100,
    default: 6,
    description: 'Train cases per trial (never the cases of the pair’s own demos).',
  },
  {
    name: 'full_eval_every',
    type: 'integer',
    minimum: 1,
    maximum: 100,
    default: 5,
    description:
      'Every this many trials, the pair with the best minibatch average not yet fully ' +
      'evaluated is scored on the whole validation set.',
  },
  {
    name: 'n_startup',
    type: 'integer',
    minimum: 1,
    maximum: 100,
    default: 5,
    description: 'Random trials before the TPE model guides the search.',
  },
  {
    name: 'max_rounds',
    type: 'integer',
    minimum: 1,
    maximum: 10,
    default: 2,
    description: 'Bootstrapping rounds for the demo sets (see bootstrap).',
  },
];

/** Full validation evaluations of leaders at the end, besides the periodic ones. */
const FINAL_LEADERS = 3;
/** Trials beyond num_trials while budget is left, as a multiple of it. */
const EXTRA_TRIALS_FACTOR = 2;

interface Pair {
  instruction: number;
  demos: number;
  candidate: Candidate;
  id: number | null;
  sum: number;
  n: number;
  validation: number | null;
  order: number;
}

function demoEvidence(demo: Demo): Evidence {
  const output = valueText(demo.example.outputs);
  return {
    input: valueText(demo.example.inputs),
    output,
    expected: output,
    score: demo.score,
    feedback:
      demo.kind === 'labeled'
        ? 'A labeled example from the data.'
        : 'A demonstration: this answer passed the metrics.',
  };
}

/**
 * MIPRO: instructions and demos optimised together. Demo sets are bootstrapped as in
 * `bootstrap` (the first set empty); the proposer summarises the train data (`summarize_data`)
 * and proposes instructions grounded in that summary, the signature and a demo set
 * (`propose_grounded`). A seeded TPE sampler then picks (instruction, demo set) pairs, each scored
 * on a fresh train minibatch that leaves out the pair's own demo cases; every `full_eval_every`
 * trials the leader by minibatch average is scored on the whole validation set, and so are the
 * final leaders. The finalists are the fully evaluated pairs, best on validation first.
 */
export class MiproStrategy implements OptimizationStrategy<MiproParams> {
  readonly name = 'mipro';
  readonly description =
    'Instructions grounded in a data summary, the signature and bootstrapped demos, searched ' +
    'together with demo sets by a TPE sampler on train minibatches; leaders fully evaluated.';
  readonly parameters = PARAMETERS;
  readonly defaultMaxLlmCalls = 300;

  private readonly best = new IncumbentTracker();

  parseParams(input: unknown): MiproParams {
    return parseParameters<MiproParams>(PARAMETERS, input);
  }

  incumbent(): { id: number; candidate: Candidate } | null {
    return this.best.get();
  }

  async run(ctx: StrategyContext<MiproParams>): Promise<StrategyOutcome> {
    const p = ctx.params;
    const errors = newErrorCounters();
    const outputs = outputNames(ctx);
    let stopped: StopReason = 'done';
    const seedValidation = await ctx.evaluator.score(ctx.seed, ctx.validation, {
      signal: ctx.signal,
    });
    if (seedValidation.complete) this.best.consider(SEED_ID, ctx.seed, seedValidation.mean);
    const fullEvals = Math.ceil(p.num_trials / p.full_eval_every) + FINAL_LEADERS;
    const plannedSearch =
      p.num_trials * p.minibatch_size + fullEvals * ctx.validation.length + p.num_instructions;
    const details: Record<string, unknown> = {};
    const finish = (pairs: Pair[]): StrategyOutcome => ({
      finalists: pairs
        .filter((x) => x.validation !== null && x.id !== null)
        .sort((a, b) => (b.validation ?? 0) - (a.validation ?? 0) || a.order - b.order)
        .map((x) => ({ id: x.id as number, candidate: x.candidate })),
      details: { ...details, stop_reason: stopped, errors },
    });

    // 1. Demo sets: the first empty, the others bootstrapped from train.
    const demoSets: Demo[][] = [[]];
    if (p.num_examples > 0 && p.num_demo_sets > 1) {
      const boot = await bootstrapTraces(
        ctx,
        {
          target: p.num_examples * 2,
          maxRounds: p.max_rounds,
          maxLabeled: p.max_labeled_demos,
          teacherDemos: p.num_examples,
          // Demos are one of two dimensions: bootstrapping may take a quarter of what is left.
          reserveCalls: Math.min(
            plannedSearch,
            Math.floor((estimatedCallsLeft(ctx.budget) * 3) / 4),
          ),
        },
        errors,
      );
      details.traces = boot.traces.length;
      details.bootstrap_rounds = boot.rounds;
      if (boot.stopped) {
        stopped = boot.stopped;
        return finish([]);
      }
      const seen = new Set<string>(['']);
      for (let i = 0; demoSets.length < p.num_demo_sets && i < p.num_demo_sets * 4; i++) {
        const set = selectDemoSet({
          traces: boot.traces,
          k: p.num_examples,
          selection: i === 0 ? 'best' : 'random',
          setIndex: i,
          rng: ctx.rng,
          train: ctx.train,
          maxLabeled: p.max_labeled_demos,
          outputs,
        });
        const key = set
          .map((d) => d.caseId)
          .sort()
          .join('|');
        if (seen.has(key)) continue;
        seen.add(key);
        demoSets.push(set);
      }
    }
    details.demo_sets = demoSets.length;

    // 2. A summary of the data, then instructions grounded in it, the signature and the demos.
    const seedInstruction = instructionOf(ctx.seed);
    const instructions = [seedInstruction];
    const tried = new Set([seedInstruction.trim()]);
    if (p.num_instructions > 1) {
      const sample = ctx.rng.sample(ctx.train, Math.min(8, ctx.train.length));
      const sampleScore = await ctx.evaluator.score(ctx.seed, sample, { signal: ctx.signal });
      const summaryTexts = await proposeOrStop(
        ctx,
        {
          op: 'summarize_data',
          currentPrompt: seedInstruction,
          examples: collectEvidence(sample, sampleScore, {
            limit: sample.length,
            rng: ctx.rng,
            includePassing: true,
          }),
        },
        errors,
      );
      if (summaryTexts === null) {
        stopped = stopReason(ctx) ?? 'budget';
        return finish([]);
      }
      const summary = summaryTexts[0] ?? '';
      details.data_summary = summary;
      const signature = ctx.signature
        ? `Inputs: ${ctx.signature.inputs.join(', ') || '(none)'}. Outputs: ${ctx.signature.outputs.join(', ') || '(none)'}.` +
          (ctx.signature.instruction ? ` Instruction: ${ctx.signature.instruction}` : '')
        : 'No signature: the answer is compared as text.';
      const context = `Data summary:\n${summary || '(none)'}\n\nSignature:\n${signature}`;
      for (let attempt = 0; instructions.length < p.num_instructions; attempt++) {
        if (attempt >= p.num_instructions * 2) break;
        const set = demoSets[attempt % demoSets.length];
        const texts = await proposeOrStop(
          ctx,
          {
            op: 'propose_grounded',
            currentPrompt: seedInstruction,
            context,
            examples: set.map(demoEvidence),
            n: Math.min(2, p.num_instructions - instructions.length),
          },
          errors,
        );
        if (texts === null) {
          stopped = stopReason(ctx) ?? 'budget';
          return finish([]);
        }
        instructions.push(...freshTexts(texts, tried));
      }
    }
    details.instructions = instructions.length;

    // 3. TPE over (instruction, demo set) on train minibatches; leaders on validation.
    const sampler = new TpeSampler(
      [
        { name: 'instruction', type: 'categorical', choices: instructions.map((_, i) => i) },
        { name: 'demos', type: 'categorical', choices: demoSets.map((_, i) => i) },
      ],
      ctx.rng,
      { nStartup: p.n_startup },
    );
    const pairs = new Map<string, Pair>();
    const pairOf = (point: SearchPoint): Pair => {
      const i = Number(point.instruction);
      const j = Number(point.demos);
      const key = `${i}:${j}`;
      let pair = pairs.get(key);
      if (!pair) {
        const candidate: Candidate = {
          ...withInstruction(ctx.seed, instructions[i]),
          fewShotExamples: demoSets[j].map((d) => d.example),
        };
        pair = {
          instruction: i,
          demos: j,
          candidate,
          id: null,
          sum: 0,
          n: 0,
          validation: null,
          order: pairs.size,
        };
        if (candidateKey(candidate) === candidateKey(ctx.seed)) {
          pair.id = SEED_ID;
          pair.validation = seedValidation.complete ? seedValidation.mean : null;
        }
        pairs.set(key, pair);
      }
      return pair;
    };
    const record = (pair: Pair, trial: number) => {
      if (pair.id === SEED_ID) return;
      pair.id ??= ctx.nextId();
      ctx.progress.candidate({
        id: pair.id,
        parentIds: [SEED_ID],
        operator: 'mipro',
        candidate: pair.candidate,
        iteration: trial,
        scores: { minibatch: pair.n ? pair.sum / pair.n : null, validation: pair.validation },
        status: 'scored',
        note: `Instruction ${pair.instruction}${pair.instruction === 0 ? ' (the seed’s)' : ''}, demo set ${pair.demos} (${demoSets[pair.demos].length} demos); ${pair.n} minibatch trial(s).`,
      });
    };
    const evaluateLeader = async (trial: number): Promise<boolean> => {
      const leader = [...pairs.values()]
        .filter((x) => x.validation === null && x.n > 0)
        .sort((a, b) => b.sum / b.n - a.sum / a.n || a.order - b.order)[0];
      if (!leader) return true;
      const score = await ctx.evaluator.score(leader.candidate, ctx.validation, {
        signal: ctx.signal,
      });
      if (!score.complete) {
        errors.incomplete_scores++;
        return false;
      }
      leader.validation = score.mean;
      record(leader, trial);
      this.best.consider(leader.id as number, leader.candidate, score.mean);
      return true;
    };

    const finalNeed = FINAL_LEADERS * ctx.validation.length;
    const maxTrials = p.num_trials * (1 + EXTRA_TRIALS_FACTOR);
    let trial = 0;
    while (trial < maxTrials) {
      const reason = stopReason(ctx);
      if (reason) {
        stopped = reason;
        break;
      }
      // Keep enough for at least one leader's full evaluation (the planned final ones past num_trials).
      const keep = trial >= p.num_trials ? finalNeed : ctx.validation.length;
      if (estimatedCallsLeft(ctx.budget) < p.minibatch_size + keep) {
        if (trial < p.num_trials) stopped = 'budget';
        break;
      }
      if (!ctx.budget.startIteration()) {
        stopped = 'iterations';
        break;
      }
      trial++;
      const point = sampler.suggest();
      const pair = pairOf(point);
      const demoIds = new Set(demoSets[pair.demos].map((d) => d.caseId));
      const pool = ctx.train.filter((c) => !demoIds.has(c.id));
      const minibatch = ctx.rng.sample(pool.length ? pool : ctx.train, p.minibatch_size);
      const score = await ctx.evaluator.score(pair.candidate, minibatch, { signal: ctx.signal });
      if (!score.complete) {
        errors.incomplete_scores++;
        stopped = stopReason(ctx) ?? 'budget';
        break;
      }
      sampler.observe(point, score.mean);
      pair.sum += score.mean;
      pair.n++;
      record(pair, trial);
      if (trial % p.full_eval_every === 0 && !(await evaluateLeader(trial))) {
        stopped = stopReason(ctx) ?? 'budget';
        break;
      }
      ctx.progress.iteration({
        iteration: trial,
        maxIterations: p.num_trials,
        current: score.mean,
        best: this.best.score(),
      });
    }
    details.trials = trial;
    details.pairs_tried = pairs.size;
    for (let k = 0; k < FINAL_LEADERS && stopped !== 'cancelled'; k++) {
      if (stopReason(ctx) || !(await evaluateLeader(trial))) break;
    }
    return finish([...pairs.values()]);
  }
}
