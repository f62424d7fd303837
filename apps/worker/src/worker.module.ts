import { type DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { WorkerConfig } from '@ps/config';
import { HealthModule, loggerOptions } from '@ps/common';
import { DatabaseHealth, DatabaseModule } from '@ps/database';
import { EventsModule } from '@ps/events';

/**
 * The worker process. It serves only health endpoints on WORKER_PORT; job processors join it
 * with the queue issue. It never mounts the public API.
 */
@Module({})
export class WorkerModule {
  static forRoot(config: WorkerConfig): DynamicModule {
    return {
      module: WorkerModule,
      global: true,
      imports: [
        LoggerModule.forRoot(loggerOptions(config.env.LOG_LEVEL, config.env.LOG_PRETTY)),
        DatabaseModule.forRoot({
          inject: [WorkerConfig],
          useFactory: (c: WorkerConfig) => c.database,
        }),
        EventsModule.forRoot({
          redisUrl: config.env.REDIS_URL,
          prefix: config.env.REDIS_KEY_PREFIX,
        }),
        HealthModule.register({
          inject: [DatabaseHealth],
          checks: (database: DatabaseHealth) => ({ database }),
        }),
      ],
      providers: [{ provide: WorkerConfig, useValue: config }],
      exports: [WorkerConfig],
    };
  }
}
