import { hostname } from 'node:os';
import { type DynamicModule, Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { LoggerModule } from 'nestjs-pino';
import { LlmModule } from '@ps/llm';
import { PROCESSORS } from '@ps/jobs';
import { ApiConfig } from '@ps/config';
import { HealthModule, loggerOptions, probe, PrometheusModule } from '@ps/common';
import { DatabaseHealth, DatabaseModule } from '@ps/database';
import { EventsModule } from '@ps/events';
import { QUEUE_ADAPTER, type QueueAdapter, QueueModule } from '@ps/queue';
import { AuthModule } from './auth/auth.module';
import { AuditInterceptor } from './http/audit.interceptor';
import { ExpiryPurge } from './http/expiry-purge.service';
import { IdempotencyInterceptor } from './http/idempotency.interceptor';
import { ApiKeysModule } from './modules/api-keys/api-keys.module';
import { AuditModule } from './modules/audit/audit.module';
import { MembersModule } from './modules/members/members.module';
import { EvaluationsModule } from './modules/evaluations/evaluations.module';
import { OptimizationsModule } from './modules/optimizations/optimizations.module';
import { MetricsCatalogModule } from './modules/metrics-catalog/metrics-catalog.module';
import { ProvidersModule } from './modules/providers/providers.module';
import { JobsModule } from './modules/jobs/jobs.module';
import { ProjectsModule } from './modules/projects/projects.module';
import { PromptsModule } from './modules/prompts/prompts.module';
import { SignaturesModule } from './modules/signatures/signatures.module';
import { TestCasesModule } from './modules/test-cases/test-cases.module';
import { RealtimeModule } from './realtime/realtime.module';

@Module({})
export class ApiModule {
  static forRoot(config: ApiConfig): DynamicModule {
    return {
      module: ApiModule,
      global: true,
      imports: [
        LoggerModule.forRoot(loggerOptions(config.env.LOG_LEVEL, config.env.LOG_PRETTY)),
        DatabaseModule.forRoot({ inject: [ApiConfig], useFactory: (c: ApiConfig) => c.database }),
        HealthModule.register({
          inject: [DatabaseHealth, QUEUE_ADAPTER],
          // With Redis, the API cannot take a job without it: the queue is a dependency.
          checks: (database: DatabaseHealth, queue: QueueAdapter) => ({
            database,
            ...(queue.kind === 'bull' ? { queue: { check: () => probe(() => queue.ping()) } } : {}),
          }),
        }),
        EventsModule.forRoot({
          redisUrl: config.env.REDIS_URL,
          prefix: config.env.REDIS_KEY_PREFIX,
        }),
        QueueModule.forRoot(
          {
            ...config.queue,
            // All-in-one: without Redis the API runs the jobs itself; never in distributed mode.
            consume: !config.queue.redisUrl,
            processName: `api:${hostname()}:${process.pid}`,
          },
          PROCESSORS,
        ),
        LlmModule.forRoot(config.llm),
        AuthModule,
        ProjectsModule,
        SignaturesModule,
        PromptsModule,
        TestCasesModule,
        ApiKeysModule,
        MembersModule,
        AuditModule,
        RealtimeModule,
        JobsModule,
        ProvidersModule,
        EvaluationsModule,
        OptimizationsModule,
        MetricsCatalogModule,
        PrometheusModule,
      ],
      providers: [
        { provide: ApiConfig, useValue: config },
        ExpiryPurge,
        // Order matters: a replayed idempotent request must not be audited twice.
        { provide: APP_INTERCEPTOR, useClass: IdempotencyInterceptor },
        { provide: APP_INTERCEPTOR, useClass: AuditInterceptor },
      ],
      exports: [ApiConfig],
    };
  }
}
