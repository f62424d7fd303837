/**
 * The contract of the optimization engine. Strategies see only these ports: they never touch a
 * database, a queue or an HTTP client, so they run the same in the worker, in unit tests and in
 * the estimate's dry run.
 */
import type { FewShotExample } from '@ps/common';
import type { CaseResult, EngineCase, EngineModelConfig } from '@ps/evaluation';

/** What an optimizer changes: the instruction text, the demos and the model settings. */
export interface Candidate {
  systemPrompt: string | null;
  userPrompt: string;
  fewShotExamples: FewShotExample[];
  model: EngineModelConfig;
}

/** A candidate's score on a set of cases. */
export interface CandidateScore {
  /** Stable hash of the candidate (see candidateKey). */
  key: string;
  /** Mean of per-case scores; cases that failed for the infrastructure are left out, parse errors count 0. */
  mean: number;
  /** Cases with a score (n of the mean). */
  scored: number;
  /** Per case, in the order asked. */
  cases: CaseResult[];
  /** False when the budget or a cancellation stopped the scoring before every case was scored. */
  complete: boolean;
}

/**
 * Scores candidates on cases through the evaluation runner. An identical (candidate, case, seed)
 * is scored once per run: asking again is a lookup, never a call.
 */
export interface Evaluator {
  score(
    candidate: Candidate,
    cases: readonly EngineCase[],
    options?: { seed?: number; signal?: AbortSignal },
  ): Promise<CandidateScore>;
}

/** The operations a proposer performs; each is rendered by one renderer (PROPOSER.md). */
export type ProposerOp =
  | 'reflect'
  | 'critique'
  | 'apply_critique'
  | 'propose_grounded'
  | 'mutate'
  | 'crossover'
  | 'paraphrase'
  | 'summarize_data';

/** One record of evidence shown to the proposer. */
export interface Evidence {
  input: string;
  output: string;
  expected: string;
  score: number;
  feedback: string;
}

export interface ProposalRequest {
  op: ProposerOp;
  /** The prompt being improved (for crossover: the first parent). */
  currentPrompt: string;
  /** crossover: the second parent. */
  otherPrompt?: string;
  examples?: Evidence[];
  /** Context such as a data summary, the signature, or a critique to apply. */
  context?: string;
  /** How many prompts to ask for. Default 1. */
  n?: number;
}

/** The proposer LLM: asks and parses in one place; a malformed answer is retried once, then []. */
export interface Proposer {
  /** Prompts (or, for `critique` and `summarize_data`, texts) the proposer answered. */
  propose(request: ProposalRequest, signal?: AbortSignal): Promise<string[]>;
}

export interface BudgetLimits {
  max_llm_calls?: number;
  max_tokens?: number;
  max_usd?: number;
  max_iterations?: number;
  max_duration_s?: number;
}

export interface BudgetUsage {
  llm_calls: number;
  tokens: number;
  usd: number;
  iterations: number;
  duration_s: number;
}

/** What a strategy may ask of the budget (the accountant itself refuses calls past a limit). */
export interface BudgetView {
  readonly limits: BudgetLimits;
  used(): BudgetUsage;
  /** Share of the tightest limit still available, in [0, 1]. */
  remainingShare(): number;
  /** True once any limit is reached (or the next call could not fit). */
  exhausted(): boolean;
  /** Counts one iteration; false when max_iterations is reached (the iteration must not start). */
  startIteration(): boolean;
}

/** Seeded random source (mulberry32 or similar): every draw of a strategy comes from it. */
export interface Rng {
  next(): number;
  int(minInclusive: number, maxExclusive: number): number;
  pick<T>(items: readonly T[]): T;
  shuffle<T>(items: readonly T[]): T[];
  sample<T>(items: readonly T[], k: number): T[];
}

/** A candidate as recorded in the lineage. */
export interface CandidateRecord {
  /** Sequential within the run, from 0 (the seed prompt). */
  id: number;
  parentIds: number[];
  operator: string;
  candidate: Candidate;
  iteration: number;
  scores: {
    train?: number | null;
    validation?: number | null;
    minibatch?: number | null;
    /** The runner's final re-scoring on validation with a fresh seed (finalists only). */
    rescored?: number | null;
  };
  status: 'scored' | 'accepted' | 'rejected' | 'pruned' | 'finalist' | 'winner';
  note?: string;
}

export interface IterationProgress {
  iteration: number;
  maxIterations: number | null;
  current: number | null;
  best: number | null;
}

/**
 * Where a strategy reports what it does; the runner persists and publishes it. A record may be
 * reported again under the same id with new scores or status (persist it as an upsert).
 */
export interface ProgressSink {
  candidate(record: CandidateRecord): void;
  iteration(progress: IterationProgress): void;
}

/** Everything a strategy gets. */
export interface StrategyContext<P> {
  seed: Candidate;
  train: readonly EngineCase[];
  validation: readonly EngineCase[];
  /** Output field names of the signature, and its instruction, when the prompt has one. */
  signature: { instruction: string | null; inputs: string[]; outputs: string[] } | null;
  evaluator: Evaluator;
  proposer: Proposer;
  budget: BudgetView;
  rng: Rng;
  signal: AbortSignal;
  progress: ProgressSink;
  params: P;
  /** Next lineage id (the runner's counter, so ids are unique across phases). */
  nextId(): number;
  /** Model configs the hyperparameter strategy may try (`models_to_test`). */
  models?: EngineModelConfig[];
}

/** What a strategy ends with: its finalists (best first), which the runner re-scores and judges. */
export interface StrategyOutcome {
  finalists: { id: number; candidate: Candidate }[];
  /** Strategy-specific facts for the result (MCTS's tree metrics, the Pareto set, …). */
  details?: Record<string, unknown>;
}

/** A parameter a strategy accepts, as `GET /optimizations/strategies` lists it. */
export interface ParameterSpec {
  name: string;
  type: 'integer' | 'number' | 'boolean' | 'string' | 'enum' | 'array';
  description: string;
  default: unknown;
  minimum?: number;
  maximum?: number;
  values?: string[];
  /** For `array`: the type of its items (strings by default) and their bounds. */
  items?: 'string' | 'number' | 'integer';
  minItems?: number;
  maxItems?: number;
  /** Accepts null (meaning "not set"); implied when the default is null. */
  nullable?: boolean;
}

export interface OptimizationStrategy<P = Record<string, unknown>> {
  readonly name: string;
  readonly description: string;
  readonly parameters: ParameterSpec[];
  /** The default `max_llm_calls` when the request sets no call or money limit. */
  readonly defaultMaxLlmCalls: number;
  /** Validates and fills defaults; throws ParameterError naming `strategy_params.<field>`. */
  parseParams(input: unknown): P;
  run(ctx: StrategyContext<P>): Promise<StrategyOutcome>;
  /** The best candidate so far (what the strategy would return if stopped now). */
  incumbent(): { id: number; candidate: Candidate } | null;
}
