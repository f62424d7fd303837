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
  /** Seconds from SIGTERM to exit: jobs still running 5 s before the end go back to the queue. */
  SHUTDOWN_GRACE_SECONDS: envInt(30, 2, 86_400),
  /** Tracing is on when this is set: spans go to `<endpoint>/v1/traces` (OTLP over HTTP). */
  OTEL_EXPORTER_OTLP_ENDPOINT: optionalString().pipe(
    z
      .string()
      .regex(/^https?:\/\//, { error: 'must be an http:// or https:// URL' })
      .optional(),
  ),
  OTEL_SERVICE_NAME: optionalString(),
};

/** What a process needs to shut down in time. */
export interface ShutdownSettings {
  /** Total time allowed from the signal to the exit. */
  graceMs: number;
  /** How long running jobs may take to finish before they are handed back to the queue. */
  drainMs: number;
}

export function shutdownSettings(env: { SHUTDOWN_GRACE_SECONDS: number }): ShutdownSettings {
  const graceMs = env.SHUTDOWN_GRACE_SECONDS * 1000;
  // The margin covers handing jobs back, closing connections and flushing logs and spans.
  return { graceMs, drainMs: Math.max(1000, graceMs - 5000) };
}

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
  /** At shutdown, how long running jobs may take before they are handed back to the queue. */
  drainMs: number;
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
  SHUTDOWN_GRACE_SECONDS: number;
}): QueueSettings {
  return {
    redisUrl: env.REDIS_URL,
    drainMs: shutdownSettings(env).drainMs,
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
