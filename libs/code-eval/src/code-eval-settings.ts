/** The languages a test case may ask for with `runner`. */
export const RUNNERS = ['python', 'javascript'] as const;
export type Runner = (typeof RUNNERS)[number];

/** Modules a Python program may import unless PROMPT_STUDIO_CODE_EVAL_IMPORT_WHITELIST says otherwise. */
export const DEFAULT_IMPORT_ALLOW_LIST: readonly string[] = [
  'math',
  'statistics',
  'json',
  're',
  'itertools',
  'functools',
  'collections',
];

/** Limits of one program run. Every one is enforced by the operating system or the host. */
export interface SandboxLimits {
  /** Wall time of the whole run, interpreter start included; the host kills the process group. */
  timeoutMs: number;
  /** Address space of a Python program (RLIMIT_AS) and heap of a JavaScript one. */
  memoryMb: number;
  /** stdout + stderr bytes read before the program is killed. */
  maxOutputBytes: number;
  /** Largest file the program may write in its scratch directory (RLIMIT_FSIZE). */
  maxFileBytes: number;
}

export const DEFAULT_LIMITS: SandboxLimits = {
  timeoutMs: 5_000,
  memoryMb: 256,
  maxOutputBytes: 1024 * 1024,
  maxFileBytes: 4 * 1024 * 1024,
};

/** Everything the program evaluator is configured with. */
export interface CodeEvalSettings {
  limits: SandboxLimits;
  /** Top-level modules a Python program may import. */
  importAllowList: readonly string[];
  /** Programs run at once in this process; more wait their turn. */
  concurrency: number;
  /** Python interpreter to use first (else python3 on PATH, /usr/bin/python3, /usr/local/bin/python3). */
  pythonPath?: string;
  /** Node.js binary for JavaScript programs; the worker's own by default. */
  nodePath?: string;
}

export const DEFAULT_CODE_EVAL_SETTINGS: CodeEvalSettings = {
  limits: DEFAULT_LIMITS,
  importAllowList: DEFAULT_IMPORT_ALLOW_LIST,
  concurrency: 2,
};

const MODULE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The allow-list from a comma-separated value (`math, json ,re`): top-level module names only,
 * duplicates dropped. Throws naming the first entry that is not a module name.
 */
export function parseImportAllowList(value: string): string[] {
  const names = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const name of names) {
    if (!MODULE_NAME.test(name)) {
      throw new Error(`'${name}' is not a top-level module name (letters, digits and _ only)`);
    }
  }
  return [...new Set(names)];
}
