import { type DynamicModule, Global, Module, type Provider } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { DatabaseSettings } from '@ps/config';
import { DataSource } from 'typeorm';
import { createDataSourceOptions } from './data-source.factory';
import { DatabaseHealth } from './database.health';
import { IdempotencyRepository } from './repositories/idempotency.repository';
import { ProjectsRepository } from './repositories/projects.repository';
import { PromptsRepository } from './repositories/prompts.repository';
import { SignaturesRepository } from './repositories/signatures.repository';
import { TestCasesRepository } from './repositories/test-cases.repository';
import { WorkspacesRepository } from './repositories/workspaces.repository';

const REPOSITORIES: Provider[] = [
  WorkspacesRepository,
  IdempotencyRepository,
  ProjectsRepository,
  SignaturesRepository,
  PromptsRepository,
  TestCasesRepository,
];

export interface DatabaseModuleOptions {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  inject: any[];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  useFactory: (...deps: any[]) => DatabaseSettings;
}

/** The DataSource (PostgreSQL or PGlite), migrations at start when configured, and repositories. */
@Global()
@Module({})
export class DatabaseModule {
  static forRoot(options: DatabaseModuleOptions): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          inject: options.inject,
          useFactory: (...deps: unknown[]) => {
            const settings = options.useFactory(...deps);
            return {
              ...createDataSourceOptions(settings),
              migrationsRun: settings.migrationsRun,
              // Fail at start-up rather than retrying forever against a wrong URL.
              retryAttempts: 3,
              retryDelay: 1000,
            };
          },
        }),
      ],
      providers: [...REPOSITORIES, DatabaseHealth],
      exports: [...REPOSITORIES, DatabaseHealth],
    };
  }
}

export { DataSource };
