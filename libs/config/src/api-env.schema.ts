import { z } from 'zod';
import { envBoolean, envInt, optionalString } from './env-helpers';
import { sharedEnvShape } from './shared-env.schema';

export const apiEnvSchema = z
  .object({
    ...sharedEnvShape,
    HOST: z.string().trim().min(1).default('127.0.0.1'),
    PORT: envInt(8000, 0, 65535),
    BODY_LIMIT: z
      .string()
      .trim()
      .regex(/^\d+(b|kb|mb)$/i, { error: 'must look like 512kb or 10mb' })
      .default('10mb'),
    MAX_PROMPT_CHARS: envInt(50_000, 1, 10_000_000),
    MAX_TEST_CASES_PER_PROJECT: envInt(100_000, 1, 10_000_000),
    MAX_BULK_TEST_CASES: envInt(1_000, 1, 100_000),
    /** Largest test-case file an import accepts (multipart or raw upload), in bytes. */
    IMPORT_MAX_BYTES: envInt(50 * 1024 * 1024, 1024, 2 * 1024 * 1024 * 1024),
    IDEMPOTENCY_TTL_HOURS: envInt(24, 1, 24 * 365),
    IDEMPOTENCY_WAIT_MS: envInt(10_000, 0, 600_000),
    PUBLIC_URL: optionalString(),

    // Authentication
    AUTH_MODE: z.enum(['single_user', 'multi_user', 'none']).default('single_user'),
    PROMPT_STUDIO_API_KEY: optionalString().pipe(
      z
        .string()
        .regex(/^pstudio_[A-Za-z0-9_-]{24,128}$/, {
          error: 'must look like pstudio_ followed by 24 to 128 letters, digits, _ or -',
        })
        .optional(),
    ),
    JWT_SECRET: optionalString().pipe(
      z.string().min(32, { error: 'must be at least 32 characters' }).optional(),
    ),
    JWT_JWKS_URL: optionalString().pipe(z.url({ error: 'must be a URL' }).optional()),
    JWT_ISSUER: optionalString(),
    JWT_AUDIENCE: optionalString(),
    JWT_WORKSPACE_CLAIM: z.string().trim().min(1).default('workspace'),
    JWT_ROLE_CLAIM: z.string().trim().min(1).default('role'),
    JWT_AUTO_PROVISION: envBoolean(false),
    API_KEY_TOUCH_SECONDS: envInt(60, 0, 86_400),

    // Rate limits: requests per user and operation per window
    RATE_LIMIT_ENABLED: envBoolean(true),
    RATE_LIMIT_WINDOW_SECONDS: envInt(60, 1, 86_400),
    RATE_LIMIT_CREATE_PROJECT: envInt(10, 1, 1_000_000),
    RATE_LIMIT_OPTIMIZE: envInt(5, 1, 1_000_000),
    RATE_LIMIT_EVALUATE: envInt(20, 1, 1_000_000),
    RATE_LIMIT_GENERATE: envInt(30, 1, 1_000_000),
    RATE_LIMIT_DEFAULT: envInt(100, 1, 1_000_000),

    // HTTP hygiene
    CORS_ORIGINS: optionalString(),

    // Evaluations
    EVALUATION_MAX_CONCURRENCY: envInt(64, 1, 1000),
    EVALUATION_MAX_CASES: envInt(100_000, 1, 10_000_000),
    EVALUATION_WAIT_SECONDS: envInt(60, 1, 3600),

    // Optimizations
    OPTIMIZATION_MAX_CASES: envInt(2000, 2, 100_000),
    /** MCTS runs when true, or with APP_ENV=dev unless the canary below is switched off. */
    PROMPT_STUDIO_ENABLE_MCTS: envBoolean(false),
    PROMPT_STUDIO_ENABLE_MCTS_CANARY: envBoolean(true),
    APP_ENV: optionalString(),

    // Realtime (Socket.IO, WebSocket, Server-Sent Events)
    SSE_HEARTBEAT_SECONDS: envInt(15, 1, 300),
  })
  .superRefine((env, ctx) => {
    // Unauthenticated access is only ever allowed on a loopback interface.
    const loopback =
      ['127.0.0.1', '::1', 'localhost'].includes(env.HOST) || env.HOST.startsWith('127.');
    if (env.AUTH_MODE === 'none' && !loopback) {
      ctx.addIssue({
        code: 'custom',
        path: ['AUTH_MODE'],
        message: `none is only allowed when HOST is a loopback address (HOST is ${env.HOST})`,
      });
    }
  });

export type ApiEnv = z.infer<typeof apiEnvSchema>;
