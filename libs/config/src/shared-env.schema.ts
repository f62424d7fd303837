import { z } from 'zod';
import { envBoolean, envInt, logLevel, optionalString } from './env-helpers';
import { llmEnvShape } from './llm-env.schema';

/** Variables both the API and the worker read. */
export const sharedEnvShape = {
  ...llmEnvShape,
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: logLevel(),
  LOG_PRETTY: envBoolean(false),
  DATABASE_URL: optionalString().pipe(
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, { error: 'must be a postgres:// or postgresql:// URL' })
      .optional(),
  ),
  DATA_DIR: z.string().trim().min(1).default('./data'),
  DB_POOL_SIZE: envInt(10, 1, 200),
  DB_MIGRATIONS_RUN: envBoolean(true),
  DB_LOGGING: envBoolean(false),
  JOB_LEASE_SECONDS: envInt(60, 5, 3600),
  JOB_PROGRESS_EVENT_MS: envInt(250, 0, 60_000),
  QUEUE_CONCURRENCY_EVALUATION: envInt(2, 1, 256),
  QUEUE_CONCURRENCY_OPTIMIZATION: envInt(1, 1, 256),
  QUEUE_CONCURRENCY_GENERATION: envInt(2, 1, 256),
  QUEUE_CONCURRENCY_REPORT: envInt(2, 1, 256),
  QUEUE_CONCURRENCY_MAINTENANCE: envInt(4, 1, 256),
  REDIS_KEY_PREFIX: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9:_-]{1,64}$/, { error: 'must be 1 to 64 letters, digits, :, _ or -' })
    .default('prompt-studio'),
  REDIS_URL: optionalString().pipe(
    z
      .string()
      .regex(/^rediss?:\/\//, { error: 'must be a redis:// or rediss:// URL' })
      .optional(),
  ),
};

export interface DatabaseSettings {
  /** PostgreSQL connection string; when absent the embedded PGlite database is used. */
  url?: string;
  /** Where PGlite keeps its files. */
  dataDir: string;
  poolSize: number;
  migrationsRun: boolean;
  logging: boolean;
}

export function databaseSettings(env: {
  DATABASE_URL?: string;
  DATA_DIR: string;
  DB_POOL_SIZE: number;
  DB_MIGRATIONS_RUN: boolean;
  DB_LOGGING: boolean;
}): DatabaseSettings {
  return {
    url: env.DATABASE_URL,
    dataDir: env.DATA_DIR,
    poolSize: env.DB_POOL_SIZE,
    migrationsRun: env.DB_MIGRATIONS_RUN,
    logging: env.DB_LOGGING,
  };
}

export interface QueueSettings {
  redisUrl?: string;
  prefix: string;
  leaseSeconds: number;
  progressEventIntervalMs: number;
  concurrency: Record<
    'evaluation' | 'optimization' | 'generation' | 'report' | 'maintenance',
    number
  >;
}

export function queueSettings(env: {
  REDIS_URL?: string;
  REDIS_KEY_PREFIX: string;
  JOB_LEASE_SECONDS: number;
  JOB_PROGRESS_EVENT_MS: number;
  QUEUE_CONCURRENCY_EVALUATION: number;
  QUEUE_CONCURRENCY_OPTIMIZATION: number;
  QUEUE_CONCURRENCY_GENERATION: number;
  QUEUE_CONCURRENCY_REPORT: number;
  QUEUE_CONCURRENCY_MAINTENANCE: number;
}): QueueSettings {
  return {
    redisUrl: env.REDIS_URL,
    prefix: env.REDIS_KEY_PREFIX,
    leaseSeconds: env.JOB_LEASE_SECONDS,
    progressEventIntervalMs: env.JOB_PROGRESS_EVENT_MS,
    concurrency: {
      evaluation: env.QUEUE_CONCURRENCY_EVALUATION,
      optimization: env.QUEUE_CONCURRENCY_OPTIMIZATION,
      generation: env.QUEUE_CONCURRENCY_GENERATION,
      report: env.QUEUE_CONCURRENCY_REPORT,
      maintenance: env.QUEUE_CONCURRENCY_MAINTENANCE,
    },
  };
}
