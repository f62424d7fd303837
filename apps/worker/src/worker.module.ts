import { hostname } from 'node:os';
import { type DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { WorkerConfig } from '@ps/config';
import { HealthModule, loggerOptions, probe, PrometheusModule } from '@ps/common';
import { DatabaseHealth, DatabaseModule } from '@ps/database';
import { EventsModule } from '@ps/events';
import { LlmModule } from '@ps/llm';
import { CODE_EVAL, codeEvalProvider, PROCESSORS } from '@ps/jobs';
import { QUEUE_ADAPTER, type QueueAdapter, QueueModule } from '@ps/queue';

/**
 * The worker process: consumes the Bull queues on REDIS_URL with the job processors and serves
 * only its health endpoints on WORKER_PORT. It never mounts the public API.
 */
@Module({})
export class WorkerModule {
  static forRoot(config: WorkerConfig): DynamicModule {
    return {
      module: WorkerModule,
      global: true,
      imports: [
        LoggerModule.forRoot(
          loggerOptions(config.env.LOG_LEVEL, config.env.LOG_PRETTY, { requests: false }),
        ),
        DatabaseModule.forRoot({
          inject: [WorkerConfig],
          useFactory: (c: WorkerConfig) => c.database,
        }),
        LlmModule.forRoot(config.llm, { loadClients: true }),
        EventsModule.forRoot({
          redisUrl: config.env.REDIS_URL,
          prefix: config.env.REDIS_KEY_PREFIX,
        }),
        QueueModule.forRoot(
          {
            ...config.queue,
            consume: true,
            processName: `worker:${hostname()}:${process.pid}`,
          },
          PROCESSORS,
        ),
        PrometheusModule,
        HealthModule.register({
          inject: [DatabaseHealth, QUEUE_ADAPTER],
          checks: (database: DatabaseHealth, queue: QueueAdapter) => ({
            database,
            queue: { check: () => probe(() => queue.ping()) },
          }),
        }),
      ],
      providers: [
        { provide: WorkerConfig, useValue: config },
        // Only the worker runs the code of answers (the API never does).
        codeEvalProvider(config.codeEval),
      ],
      exports: [WorkerConfig, CODE_EVAL],
    };
  }
}
