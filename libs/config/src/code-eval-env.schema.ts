import { z } from 'zod';
import { envBoolean, envInt, optionalString } from './env-helpers';

/** Modules a Python program may import unless PROMPT_STUDIO_CODE_EVAL_IMPORT_WHITELIST says otherwise. */
export const DEFAULT_CODE_EVAL_IMPORTS = 'math,statistics,json,re,itertools,functools,collections';

const MODULE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Variables of the program evaluator, read by the worker (the only process that runs code). */
export const codeEvalEnvShape = {
  /** Run the code of `runner: python|javascript` cases (a project's enable_code_eval wins). */
  PROMPT_STUDIO_ENABLE_CODE_EVAL: envBoolean(false),
  PROMPT_STUDIO_CODE_EVAL_TIMEOUT_MS: envInt(5_000, 100, 600_000),
  PROMPT_STUDIO_CODE_EVAL_MEM_MB: envInt(256, 32, 65_536),
  PROMPT_STUDIO_CODE_EVAL_IMPORT_WHITELIST: optionalString()
    .transform((value) => value ?? DEFAULT_CODE_EVAL_IMPORTS)
    .transform((value, ctx) => {
      const names = [
        ...new Set(
          value
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean),
        ),
      ];
      for (const name of names) {
        if (!MODULE.test(name)) {
          ctx.addIssue({
            code: 'custom',
            message: `'${name}' is not a top-level module name (letters, digits and _ only)`,
          });
          return z.NEVER;
        }
      }
      return names;
    }),
  PROMPT_STUDIO_CODE_EVAL_CONCURRENCY: envInt(2, 1, 64),
  PROMPT_STUDIO_CODE_EVAL_PYTHON: optionalString(),
};

/** The program evaluator's settings (the shape libs/code-eval's ProgramEvaluator takes). */
export interface CodeEvalConfig {
  /** Programs run unless a project's enable_code_eval says otherwise. */
  enabled: boolean;
  limits: { timeoutMs: number; memoryMb: number };
  importAllowList: string[];
  concurrency: number;
  pythonPath?: string;
}

export function codeEvalSettings(env: {
  PROMPT_STUDIO_ENABLE_CODE_EVAL: boolean;
  PROMPT_STUDIO_CODE_EVAL_TIMEOUT_MS: number;
  PROMPT_STUDIO_CODE_EVAL_MEM_MB: number;
  PROMPT_STUDIO_CODE_EVAL_IMPORT_WHITELIST: string[];
  PROMPT_STUDIO_CODE_EVAL_CONCURRENCY: number;
  PROMPT_STUDIO_CODE_EVAL_PYTHON?: string;
}): CodeEvalConfig {
  return {
    enabled: env.PROMPT_STUDIO_ENABLE_CODE_EVAL,
    limits: {
      timeoutMs: env.PROMPT_STUDIO_CODE_EVAL_TIMEOUT_MS,
      memoryMb: env.PROMPT_STUDIO_CODE_EVAL_MEM_MB,
    },
    importAllowList: env.PROMPT_STUDIO_CODE_EVAL_IMPORT_WHITELIST,
    concurrency: env.PROMPT_STUDIO_CODE_EVAL_CONCURRENCY,
    ...(env.PROMPT_STUDIO_CODE_EVAL_PYTHON
      ? { pythonPath: env.PROMPT_STUDIO_CODE_EVAL_PYTHON }
      : {}),
  };
}
