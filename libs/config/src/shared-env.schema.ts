import { z } from 'zod';
import { envBoolean, envInt, logLevel, optionalString } from './env-helpers';

/** Variables both the API and the worker read. */
export const sharedEnvShape = {
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
