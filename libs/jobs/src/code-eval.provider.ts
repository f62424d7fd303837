import { Logger, type Provider } from '@nestjs/common';
import { ProgramEvaluator } from '@ps/code-eval';
import type { CodeEvalConfig } from '@ps/config';
import type { CodePort } from '@ps/evaluation';

/** Injection token of the worker's program evaluator (only the worker provides it). */
export const CODE_EVAL = Symbol('CODE_EVAL');

/** The worker's program evaluator, and whether programs run when a project does not say. */
export interface CodeEvalRuntime {
  evaluator: ProgramEvaluator;
  enabledByDefault: boolean;
}

/** The provider the worker registers; the API never does, so it never runs code. */
export function codeEvalProvider(config: CodeEvalConfig): Provider {
  return {
    provide: CODE_EVAL,
    useFactory: (): CodeEvalRuntime => {
      const evaluator = new ProgramEvaluator({
        limits: config.limits,
        importAllowList: config.importAllowList,
        concurrency: config.concurrency,
        ...(config.pythonPath ? { pythonPath: config.pythonPath } : {}),
      });
      if (config.enabled) {
        // Say at start-up how programs will be kept apart on this machine.
        const logger = new Logger('CodeEval');
        evaluator.sandbox
          .isolation()
          .then(({ level, notes }) =>
            logger.log(
              `Programs run at isolation level ${level}${notes.length ? ` (${notes.join('; ')})` : ''}`,
            ),
          )
          .catch((err: unknown) =>
            logger.warn(
              `Programs cannot run here: ${err instanceof Error ? err.message : String(err)}`,
            ),
          );
      }
      return { evaluator, enabledByDefault: config.enabled };
    },
  };
}

/** A project's own `enable_code_eval`: its config's, else its metadata's (as the original docs put it). */
export function projectCodeEvalSetting(
  project: { config: Record<string, unknown>; metadata: Record<string, unknown> } | null,
): boolean | undefined {
  for (const source of [project?.config, project?.metadata]) {
    const value = source?.enable_code_eval;
    if (typeof value === 'boolean') return value;
  }
  return undefined;
}

/**
 * The code port of a project's runs: enabled when the project's enable_code_eval says so, or,
 * when it does not say, when PROMPT_STUDIO_ENABLE_CODE_EVAL does. A process without the program
 * evaluator (the API in all-in-one mode) never runs code and says so.
 */
export function codePortFor(
  runtime: CodeEvalRuntime | undefined,
  project: { config: Record<string, unknown>; metadata: Record<string, unknown> } | null,
): CodePort {
  if (!runtime) {
    return {
      enabled: false,
      reason:
        'Programs run only in a worker process and this run was not in one (the API never runs code): run a worker, with REDIS_URL set.',
    };
  }
  const own = projectCodeEvalSetting(project);
  const { importAllowList } = runtime.evaluator.settings;
  if (own === false) {
    return {
      enabled: false,
      reason: 'Code evaluation is off for this project (its enable_code_eval is false).',
      importAllowList,
    };
  }
  if (own === undefined && !runtime.enabledByDefault) {
    return {
      enabled: false,
      importAllowList,
      reason:
        "Code evaluation is off: set PROMPT_STUDIO_ENABLE_CODE_EVAL=true on the worker, or enable_code_eval: true in the project's config.",
    };
  }
  const { evaluator } = runtime;
  return {
    enabled: true,
    runProgram: (answer, spec, signal) => evaluator.evaluate(answer, spec, signal),
  };
}
