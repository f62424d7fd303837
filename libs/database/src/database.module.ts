import {
  type DynamicModule,
  Global,
  Inject,
  Logger,
  Module,
  type OnApplicationShutdown,
  type Provider,
} from '@nestjs/common';
import type { DatabaseSettings } from '@ps/config';
import { DataSource } from 'typeorm';
import { createDataSource } from './data-source.factory';
import { DatabaseHealth } from './database.health';
import { ApiKeysRepository } from './repositories/api-keys.repository';
import { AuditRepository } from './repositories/audit.repository';
import { EntityScopeRepository } from './repositories/entity-scope.repository';
import { IdempotencyRepository } from './repositories/idempotency.repository';
import { JobsRepository } from './repositories/jobs.repository';
import { EvaluationsRepository } from './repositories/evaluations.repository';
import { LlmCacheRepository } from './repositories/llm-cache.repository';
import { ReportDocumentsRepository } from './repositories/report-documents.repository';
import { MembersRepository } from './repositories/members.repository';
import { OptimizationsRepository } from './repositories/optimizations.repository';
import { ProjectsRepository } from './repositories/projects.repository';
import { PromptsRepository } from './repositories/prompts.repository';
import { SignaturesRepository } from './repositories/signatures.repository';
import { TestCasesRepository } from './repositories/test-cases.repository';
import { WorkspacesRepository } from './repositories/workspaces.repository';

const REPOSITORIES: Provider[] = [
  WorkspacesRepository,
  MembersRepository,
  ApiKeysRepository,
  AuditRepository,
  IdempotencyRepository,
  JobsRepository,
  LlmCacheRepository,
  EvaluationsRepository,
  OptimizationsRepository,
  ReportDocumentsRepository,
  ProjectsRepository,
  SignaturesRepository,
  PromptsRepository,
  TestCasesRepository,
  EntityScopeRepository,
];

export interface DatabaseModuleOptions {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  inject: any[];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  useFactory: (...deps: any[]) => DatabaseSettings;
}

/** Any fixed number, the same in every process: the advisory lock migrations run under. */
const MIGRATION_LOCK_ID = 482_917_305;

/**
 * Applies pending migrations, one process at a time: several API replicas (and the migrations
 * Job) may start together against one PostgreSQL database, and TypeORM itself does not lock.
 * The others wait, then find nothing left to apply. PGlite has one process by construction.
 */
export async function runMigrationsExclusively(
  dataSource: DataSource,
): Promise<Awaited<ReturnType<DataSource['runMigrations']>>> {
  // PGlite is handed over as a ready-made `driver`; PostgreSQL is reached through a URL.
  if ('driver' in dataSource.options && dataSource.options.driver) {
    return dataSource.runMigrations({ transaction: 'each' });
  }
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
    try {
      return await dataSource.runMigrations({ transaction: 'each' });
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]);
    }
  } finally {
    await runner.release();
  }
}

/** Opens the DataSource and applies pending migrations when DB_MIGRATIONS_RUN is on. */
async function openDataSource(settings: DatabaseSettings): Promise<DataSource> {
  const logger = new Logger('Database');
  const dataSource = createDataSource(settings);
  await dataSource.initialize();
  if (settings.migrationsRun) {
    const applied = await runMigrationsExclusively(dataSource);
    if (applied.length) logger.log(`Applied migrations: ${applied.map((m) => m.name).join(', ')}`);
  }
  return dataSource;
}

/**
 * The DataSource (PostgreSQL or PGlite) and the repositories built on it. It is the only module
 * that touches TypeORM; everything else goes through the repositories.
 */
@Global()
@Module({})
export class DatabaseModule implements OnApplicationShutdown {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  static forRoot(options: DatabaseModuleOptions): DynamicModule {
    return {
      module: DatabaseModule,
      providers: [
        {
          provide: DataSource,
          inject: options.inject,
          useFactory: (...deps: unknown[]) => openDataSource(options.useFactory(...deps)),
        },
        ...REPOSITORIES,
        DatabaseHealth,
      ],
      exports: [DataSource, ...REPOSITORIES, DatabaseHealth],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
    new Logger('Database').log('Database connections closed.');
  }
}
