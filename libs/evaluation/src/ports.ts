import type { ProgramEvaluation, ProgramSpec } from '@ps/code-eval';
import type { ChatMessage, FewShotExample } from '@ps/common';
import type { CaseStatus, EmbedPort, JudgePort } from '@ps/metrics';

/**
 * The engine's view of a model: provider, model and sampling parameters. It matches
 * `ModelConfig` of libs/llm without importing it, so the engine runs without the LLM layer.
 */
export interface EngineModelConfig {
  provider: string;
  model: string;
  parameters?: Record<string, unknown>;
}

/** What the engine asks of a chat model: one request, one answer. */
export interface ChatRequest {
  model: EngineModelConfig;
  messages: ChatMessage[];
  /** Who makes the call, for budgets and metrics: the task model, a proposer or a judge. */
  role: 'task' | 'proposer' | 'judge';
  /** Repeated sampling: skip the cache. */
  bypassCache?: boolean;
  /**
   * An extra component of the cache key, never sent upstream: two calls with different salts are
   * two samples (fresh seeds) while each stays cached on its own.
   */
  cacheSalt?: string;
  signal?: AbortSignal;
  /** Receive text as it is generated (streaming); the answer is the same as without it. */
  onToken?: (text: string) => void;
}

export interface ChatAnswer {
  text: string;
  usage: { input: number; output: number };
  /** USD actually spent (0 when the answer came from the cache). */
  cost: number;
  /** USD the call costs when not cached (budgets count this, so a replay accounts the same). */
  listCost: number;
  latencyMs: number;
  cached: boolean;
  /** True when the price table has no price for the model (cost and listCost are then 0). */
  unpriced?: boolean;
  /** Upstream attempts (0 when cached), when the port knows. */
  attempts?: number;
  /** Why the model stopped (stop, length, …), when the provider says. */
  finishReason?: string | null;
}

export type ChatPort = (request: ChatRequest) => Promise<ChatAnswer>;

/**
 * A call that did not produce an answer through no fault of the prompt. `terminal` errors (bad
 * key, no quota, unknown model) stop a run; the others are counted apart from quality.
 */
export class CallFailedError extends Error {
  constructor(
    readonly kind: 'infra_error' | 'timeout',
    message: string,
    readonly terminal = false,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CallFailedError';
  }
}

/** A budget refused the call before it was made (see libs/optimizers BudgetAccountant). */
export class BudgetExhaustedError extends Error {
  constructor(readonly limit: string) {
    super(`Budget exhausted: ${limit}.`);
    this.name = 'BudgetExhaustedError';
  }
}

/**
 * Runs the code of answers to test cases marked `runner: python|javascript` (the program
 * evaluator of libs/code-eval, in a sandbox). Only a worker wires an enabled one; when code
 * evaluation is off, or in a process that never runs code (the API), the port says so and the
 * engine scores those cases with a heuristic text reward whose details say why.
 * `runProgram` throws SandboxUnavailableError (libs/code-eval) when programs cannot run at all.
 */
export type CodePort =
  | {
      enabled: true;
      runProgram(
        answer: string,
        spec: ProgramSpec,
        signal?: AbortSignal,
      ): Promise<ProgramEvaluation>;
    }
  | {
      enabled: false;
      reason: string;
      /** The allow-list the heuristic's static checks use (the default one when absent). */
      importAllowList?: readonly string[];
    };

/** The ports a run uses: the task model, the model-backed metrics' judge and embeddings, code. */
export interface EnginePorts {
  chat: ChatPort;
  judge?: JudgePort;
  embed?: EmbedPort;
  /** Absent: code evaluation is not available in this process (see CodePort). */
  code?: CodePort;
}

/** What is run: the prompt parts and the model they run on. */
export interface PromptUnderTest {
  systemPrompt: string | null;
  userPrompt: string;
  fewShotExamples: FewShotExample[];
  model: EngineModelConfig;
}

/** One test case as the engine sees it. */
export interface EngineCase {
  id: string;
  inputs: Record<string, unknown>;
  expected: Record<string, unknown>;
}

/**
 * How one (case, repeat) ended (`CaseStatus` of libs/metrics): `render_error` when the inputs
 * lack a template variable, so nothing was sent. Only `ok` rows carry quality.
 */
export type { CaseStatus };

/** One case's outcome: what was sent and answered, and each metric's score with its reason. */
export interface CaseResult {
  caseId: string;
  repeat: number;
  status: CaseStatus;
  output: string | null;
  /** The answer parsed into the signature's output fields (null without a signature). */
  parsed: Record<string, unknown> | null;
  /** Per metric key: the score in [0, 1], or null when the metric could not score this case. */
  scores: Record<string, number | null>;
  /** Metric keys that did not score this case (a reference metric on a case without expected value). */
  notScored: string[];
  /** Weighted score over the scored metrics; null when none scored or status is not ok. */
  score: number | null;
  passed: boolean | null;
  error: string | null;
  /** Per metric key: details such as the judge's reasoning, and why a metric did not score. */
  details: Record<string, unknown>;
  /** The metrics' reasons in one text, for people and for optimizers' proposers. */
  feedback: string;
  latencyMs: number | null;
  tokensIn: number;
  tokensOut: number;
  cost: number;
  cached: boolean;
}
