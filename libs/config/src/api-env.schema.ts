import { z } from 'zod';
import { envInt, optionalString } from './env-helpers';
import { sharedEnvShape } from './shared-env.schema';

export const apiEnvSchema = z.object({
  ...sharedEnvShape,
  HOST: z.string().trim().min(1).default('127.0.0.1'),
  PORT: envInt(8000, 0, 65535),
  BODY_LIMIT: z
    .string()
    .trim()
    .regex(/^\d+(b|kb|mb)$/i, { error: 'must look like 512kb or 10mb' })
    .default('10mb'),
  MAX_PROMPT_CHARS: envInt(50_000, 1, 10_000_000),
  MAX_TEST_CASES_PER_PROJECT: envInt(1_000, 1, 10_000_000),
  MAX_BULK_TEST_CASES: envInt(1_000, 1, 100_000),
  IDEMPOTENCY_TTL_HOURS: envInt(24, 1, 24 * 365),
  IDEMPOTENCY_WAIT_MS: envInt(10_000, 0, 600_000),
  PUBLIC_URL: optionalString(),
});

export type ApiEnv = z.infer<typeof apiEnvSchema>;
