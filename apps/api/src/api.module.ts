import {
  type DynamicModule,
  type MiddlewareConsumer,
  Module,
  type NestModule,
} from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { LoggerModule } from 'nestjs-pino';
import { ApiConfig } from '@ps/config';
import { HealthModule, loggerOptions } from '@ps/common';
import { DatabaseHealth, DatabaseModule } from '@ps/database';
import { ActorMiddleware } from './http/actor.middleware';
import { IdempotencyInterceptor } from './http/idempotency.interceptor';
import { ProjectsModule } from './modules/projects/projects.module';
import { PromptsModule } from './modules/prompts/prompts.module';
import { SignaturesModule } from './modules/signatures/signatures.module';
import { TestCasesModule } from './modules/test-cases/test-cases.module';

@Module({})
export class ApiModule implements NestModule {
  static forRoot(config: ApiConfig): DynamicModule {
    return {
      module: ApiModule,
      global: true,
      imports: [
        LoggerModule.forRoot(loggerOptions(config.env.LOG_LEVEL, config.env.LOG_PRETTY)),
        DatabaseModule.forRoot({ inject: [ApiConfig], useFactory: (c: ApiConfig) => c.database }),
        HealthModule.register({
          inject: [DatabaseHealth],
          checks: (database: DatabaseHealth) => ({ database }),
        }),
        ProjectsModule,
        SignaturesModule,
        PromptsModule,
        TestCasesModule,
      ],
      providers: [
        { provide: ApiConfig, useValue: config },
        ActorMiddleware,
        { provide: APP_INTERCEPTOR, useClass: IdempotencyInterceptor },
      ],
      exports: [ApiConfig],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(ActorMiddleware).forRoutes('{*path}');
  }
}
