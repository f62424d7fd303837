import { z } from 'zod';
import { RUNNERS, type Runner } from './code-eval-settings';
import { type Expr, ExpressionError, namesOf, parseExpression } from './safe-expression';

/** How a program's objective is scored: a value to minimize or maximize, and its bounds. */
export interface ProgramObjective {
  direction: 'minimize' | 'maximize';
  /** The global holding the value; null: the last number the program printed. */
  metricVar: string | null;
  /** Value that earns full credit (reached or beaten). */
  target?: number;
  /** Value that earns none; between baseline and target credit grows linearly. */
  baseline?: number;
}

export interface ProgramTest {
  /** An expression in the program's language, evaluated after it ran (`add(2, 3)`). */
  call: string;
  expect: unknown;
  /** Relative tolerance of numbers (default 1e-9). */
  tolerance: number;
}

/** What a test case asks of the program in the model's answer. */
export interface ProgramSpec {
  runner: Runner;
  objective: ProgramObjective | null;
  constraints: { source: string; expr: Expr }[];
  tests: ProgramTest[];
  /** The program values scoring reads (the metric variable and every name of the constraints). */
  names: string[];
}

/** expected_outputs keys that belong to the program evaluator (other metrics do not see them). */
export const PROGRAM_KEYS = [
  'runner',
  'objective',
  'metric_var',
  'target',
  'baseline',
  'constraints',
  'tests',
] as const;

export interface SpecFieldError {
  field: string;
  message: string;
}

export type ProgramSpecResult =
  | { kind: 'none' }
  | { kind: 'invalid'; errors: SpecFieldError[] }
  | { kind: 'program'; spec: ProgramSpec };

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

const runnerSchema = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.enum(RUNNERS, { error: `must be one of ${RUNNERS.join(', ')}` }));

const specSchema = z.object({
  runner: runnerSchema.optional(),
  objective: z.enum(['minimize', 'maximize'], { error: 'must be minimize or maximize' }).optional(),
  metric_var: z
    .string()
    .regex(IDENTIFIER, { error: 'must be a variable name (letters, digits and _)' })
    .optional(),
  target: z.number().finite().optional(),
  baseline: z.number().finite().optional(),
  constraints: z.array(z.string().max(1_000)).max(50).optional(),
  tests: z
    .array(
      z.strictObject({
        call: z.string().trim().min(1).max(1_000),
        expect: z.unknown(),
        tolerance: z.number().min(0).max(1).optional(),
      }),
    )
    .max(100)
    .optional(),
});

function fieldErrors(prefix: string, error: z.ZodError): SpecFieldError[] {
  const seen = new Set<string>();
  const out: SpecFieldError[] = [];
  for (const issue of error.issues) {
    const field = [prefix, ...issue.path.map(String)].join('.');
    if (seen.has(field)) continue;
    seen.add(field);
    out.push({ field, message: issue.message });
  }
  return out;
}

/**
 * Reads the program part of a test case. A case is a program case when `expected_outputs.runner`
 * is set (it must then name a runner) or `inputs.runner` names one (the original docs allow
 * either); the objective, constraints and tests come from `expected_outputs`. Errors name the
 * field (`expected_outputs.constraints.1`).
 */
export function programSpecOf(
  inputs: Record<string, unknown>,
  expected: Record<string, unknown>,
): ProgramSpecResult {
  // An input named runner that names no runner is the case's own data ("runner": "Usain Bolt").
  // Only a string can name one; anything else is not parsed (a failed parse builds an error,
  // and this runs once per evaluated case).
  const fromInputs =
    typeof inputs.runner === 'string' ? runnerSchema.safeParse(inputs.runner) : undefined;
  const inputRunner: Runner | undefined = fromInputs?.success ? fromInputs.data : undefined;
  if ((expected.runner === undefined || expected.runner === null) && !inputRunner) {
    return { kind: 'none' };
  }
  const errors: SpecFieldError[] = [];
  const own = Object.fromEntries(
    PROGRAM_KEYS.filter((k) => k in expected).map((k) => [k, expected[k]]),
  );
  const parsed = specSchema.safeParse(own);
  if (!parsed.success) {
    errors.push(...fieldErrors('expected_outputs', parsed.error));
    return { kind: 'invalid', errors };
  }
  const data = parsed.data;
  const runner = data.runner ?? inputRunner;
  if (data.runner && inputRunner && data.runner !== inputRunner) {
    errors.push({
      field: 'expected_outputs.runner',
      message: `says ${data.runner} but inputs.runner says ${inputRunner}`,
    });
  }
  let objective: ProgramObjective | null = null;
  if (data.objective) {
    objective = {
      direction: data.objective,
      metricVar: data.metric_var ?? null,
      ...(data.target !== undefined ? { target: data.target } : {}),
      ...(data.baseline !== undefined ? { baseline: data.baseline } : {}),
    };
    if (data.baseline !== undefined && data.target === undefined) {
      errors.push({ field: 'expected_outputs.baseline', message: 'needs a target' });
    }
    if (data.baseline !== undefined && data.target !== undefined) {
      const better =
        data.objective === 'maximize' ? data.target > data.baseline : data.target < data.baseline;
      if (!better) {
        errors.push({
          field: 'expected_outputs.target',
          message: `must be ${data.objective === 'maximize' ? 'above' : 'below'} the baseline when the objective is to ${data.objective}`,
        });
      }
    }
  } else {
    for (const key of ['metric_var', 'target', 'baseline'] as const) {
      if (data[key] !== undefined) {
        errors.push({
          field: `expected_outputs.${key}`,
          message: 'needs an objective (minimize or maximize)',
        });
      }
    }
  }
  const constraints: ProgramSpec['constraints'] = [];
  (data.constraints ?? []).forEach((source, i) => {
    try {
      constraints.push({ source, expr: parseExpression(source) });
    } catch (err) {
      if (!(err instanceof ExpressionError)) throw err;
      errors.push({ field: `expected_outputs.constraints.${i}`, message: err.message });
    }
  });
  if (errors.length || !runner) return { kind: 'invalid', errors };
  const names = new Set<string>();
  if (objective?.metricVar) names.add(objective.metricVar);
  for (const c of constraints) namesOf(c.expr, names);
  return {
    kind: 'program',
    spec: {
      runner,
      objective,
      constraints,
      tests: (data.tests ?? []).map((t) => ({
        call: t.call,
        expect: t.expect,
        tolerance: t.tolerance ?? 1e-9,
      })),
      names: [...names],
    },
  };
}

/** expected_outputs without the program evaluator's keys: what the other metrics compare. */
export function withoutProgramKeys(expected: Record<string, unknown>): Record<string, unknown> {
  const keys = new Set<string>(PROGRAM_KEYS);
  return Object.fromEntries(Object.entries(expected).filter(([k]) => !keys.has(k)));
}
