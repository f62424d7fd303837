import {
  type CodeEvalSettings,
  DEFAULT_CODE_EVAL_SETTINGS,
  type SandboxLimits,
} from './code-eval-settings';
import { extractCode } from './code-extraction';
import { ConcurrencyLimit } from './concurrency-limit';
import type { IsolationLevel } from './sandbox-host';
import {
  failureReward,
  type ProgramOutcome,
  rewardParts,
  scoreOfReward,
  successReward,
} from './program-reward';
import { ProgramSandbox } from './program-runner';
import type { ProgramSpec } from './program-spec';
import { staticCheck } from './static-checks';

/** What one answer earned: the reward in [-1, 10], its score in [0, 1], and why. */
export interface ProgramEvaluation {
  reward: number;
  score: number;
  outcome: ProgramOutcome;
  /** One sentence for people and for optimizers' proposers. */
  message: string;
  /** JSON details for the result row: the code found, each part's result, output, limits hit. */
  details: Record<string, unknown>;
}

export interface ProgramEvaluatorOptions extends Partial<Omit<CodeEvalSettings, 'limits'>> {
  limits?: Partial<SandboxLimits>;
  isolation?: IsolationLevel | 'auto';
}

const STDOUT_KEPT = 1_000;

function tail(text: string, max: number): string {
  return text.length > max ? `…${text.slice(-max)}` : text;
}

/** A value small enough for a result row (long values become a truncated JSON text). */
function compact(value: unknown): unknown {
  const text = JSON.stringify(value) ?? 'null';
  return text.length <= 300 ? value : `${text.slice(0, 300)}…`;
}

/**
 * The program evaluator: finds the code in a model's answer, checks it, runs it in the sandbox
 * (at most `concurrency` programs at once in this process) and maps the outcome to a reward.
 * Throws SandboxUnavailableError when programs cannot run here at all, which is the
 * infrastructure's fault and not the answer's.
 */
export class ProgramEvaluator {
  readonly settings: CodeEvalSettings;
  readonly sandbox: ProgramSandbox;
  private readonly limit: ConcurrencyLimit;

  constructor(options: ProgramEvaluatorOptions = {}) {
    this.settings = {
      ...DEFAULT_CODE_EVAL_SETTINGS,
      ...options,
      limits: { ...DEFAULT_CODE_EVAL_SETTINGS.limits, ...options.limits },
    };
    this.sandbox = new ProgramSandbox({
      limits: this.settings.limits,
      importAllowList: this.settings.importAllowList,
      ...(this.settings.pythonPath ? { pythonPath: this.settings.pythonPath } : {}),
      ...(this.settings.nodePath ? { nodePath: this.settings.nodePath } : {}),
      ...(options.isolation ? { isolation: options.isolation } : {}),
    });
    this.limit = new ConcurrencyLimit(this.settings.concurrency);
  }

  /** Programs running now and waiting for a slot. */
  get load(): { running: number; queued: number } {
    return { running: this.limit.running, queued: this.limit.queued };
  }

  async evaluate(
    answer: string,
    spec: ProgramSpec,
    signal?: AbortSignal,
  ): Promise<ProgramEvaluation> {
    const base = { code_eval: 'enabled', runner: spec.runner };
    const extracted = extractCode(answer, spec.runner);
    if (!extracted) {
      return this.failed('no_code', 'The answer holds no code.', base);
    }
    const code = {
      source: extracted.source,
      language: extracted.language,
      chars: extracted.code.length,
    };
    const check = staticCheck(extracted.code, spec.runner, this.settings.importAllowList);
    if (!check.ok) {
      const where = check.line ? ` (line ${check.line})` : '';
      return this.failed('refused', `Refused before running: ${check.reason}${where}.`, {
        ...base,
        code,
      });
    }
    const run = await this.limit.run(
      () =>
        this.sandbox.run({
          runner: spec.runner,
          code: extracted.code,
          tests: spec.tests.map((t) => t.call),
          names: spec.names,
          ...(signal ? { signal } : {}),
        }),
      signal,
    );
    const runInfo = {
      ...base,
      code,
      stdout: tail(run.stdout, STDOUT_KEPT),
      ...(run.stderr ? { stderr: tail(run.stderr, STDOUT_KEPT) } : {}),
      duration_ms: run.durationMs,
      isolation: run.isolation,
    };
    if (run.status !== 'ok') return this.failed(run.status, run.message, runInfo);
    const parts = rewardParts(spec, run);
    const reward = successReward(parts.quality);
    const summary: string[] = [];
    if (parts.tests) summary.push(`${parts.tests.passed}/${parts.tests.total} tests passed`);
    if (parts.constraints) {
      summary.push(`${parts.constraints.satisfied}/${parts.constraints.total} constraints hold`);
    }
    if (parts.objective) {
      const o = parts.objective;
      summary.push(
        o.value === null
          ? `no value to ${o.direction} (${o.source})`
          : `${o.direction} ${o.source} = ${o.value} (credit ${o.credit.toFixed(2)})`,
      );
    }
    return {
      reward,
      score: scoreOfReward(reward),
      outcome: 'ok',
      message: `It ran; ${summary.length ? summary.join(', ') : 'nothing else was asked'}.`,
      details: {
        ...runInfo,
        outcome: 'ok',
        reward,
        quality: parts.quality,
        ...(parts.tests
          ? {
              tests: {
                ...parts.tests,
                results: parts.tests.results.map((r) => ({
                  ...r,
                  ...(r.got !== undefined ? { got: compact(r.got) } : {}),
                })),
              },
            }
          : {}),
        ...(parts.constraints ? { constraints: parts.constraints } : {}),
        ...(parts.objective ? { objective: parts.objective } : {}),
      },
    };
  }

  private failed(
    outcome: Exclude<ProgramOutcome, 'ok'>,
    message: string,
    info: Record<string, unknown>,
  ): ProgramEvaluation {
    const reward = failureReward(outcome);
    return {
      reward,
      score: scoreOfReward(reward),
      outcome,
      message,
      details: { ...info, outcome, reward, message },
    };
  }
}
