import type { z } from 'zod';

/** Thrown at start-up when the environment does not satisfy an app's schema. */
export class EnvValidationError extends Error {
  constructor(
    readonly app: string,
    readonly problems: { variable: string; message: string }[],
  ) {
    super(
      `Invalid environment for ${app}:\n` +
        problems.map((p) => `  - ${p.variable}: ${p.message}`).join('\n') +
        '\nSee .env.example for every variable and its default.',
    );
    this.name = 'EnvValidationError';
  }
}

/** Parses the environment with a zod schema and reports every bad variable at once. */
export function loadEnv<S extends z.ZodType>(
  app: string,
  schema: S,
  env: NodeJS.ProcessEnv = process.env,
): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => ({
    variable: issue.path.map(String).join('.') || '(root)',
    message: issue.message,
  }));
  throw new EnvValidationError(app, problems);
}
