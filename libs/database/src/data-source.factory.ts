import { resolve } from 'node:path';
import type { DatabaseSettings } from '@ps/config';
import { DataSource, type DataSourceOptions, type LoggerOptions } from 'typeorm';
import { DatabaseLogger } from './database.logger';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';
import { createPGliteDriver } from './pglite/pglite-pool';

export type DatabaseKind = 'postgres' | 'pglite';

export function databaseKind(settings: DatabaseSettings): DatabaseKind {
  return settings.url ? 'postgres' : 'pglite';
}

/** Where the embedded database keeps its files inside DATA_DIR. */
export function pgliteDirectory(settings: DatabaseSettings): string {
  // `memory://` keeps the database in memory only (used by tooling and tests).
  if (settings.dataDir.startsWith('memory://')) return settings.dataDir;
  return resolve(settings.dataDir, 'pglite');
}

/**
 * One factory for both drivers: PostgreSQL when DATABASE_URL is set, embedded PGlite otherwise.
 * Both speak the same SQL, so the same entities and migrations serve both.
 */
export function createDataSourceOptions(settings: DatabaseSettings): DataSourceOptions {
  const common = {
    type: 'postgres' as const,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'schema_migrations',
    migrationsTransactionMode: 'each' as const,
    synchronize: false,
    migrationsRun: false,
    logging: (settings.logging ? 'all' : ['error', 'warn', 'migration']) as LoggerOptions,
    logger: new DatabaseLogger(settings.logging),
    maxQueryExecutionTime: 1000,
    // uuids come from the built-in gen_random_uuid(); no extension is ever installed.
    uuidExtension: 'pgcrypto' as const,
    installExtensions: false,
  };
  if (settings.url) {
    return {
      ...common,
      url: settings.url,
      poolSize: settings.poolSize,
      applicationName: 'prompt-studio',
    };
  }
  return { ...common, driver: createPGliteDriver({ dataDir: pgliteDirectory(settings) }) };
}

export function createDataSource(settings: DatabaseSettings): DataSource {
  return new DataSource(createDataSourceOptions(settings));
}
