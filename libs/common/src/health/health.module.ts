import { type DynamicModule, Module } from '@nestjs/common';
import type { HealthCheck } from './health-check';
import { HEALTH_CHECKS, HealthController } from './health.controller';

@Module({})
export class HealthModule {
  /** `checks` maps each dependency's name to its check, built from injected providers. */
  static register(options: {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    inject: any[];
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    checks: (...deps: any[]) => Record<string, HealthCheck>;
  }): DynamicModule {
    return {
      module: HealthModule,
      controllers: [HealthController],
      providers: [{ provide: HEALTH_CHECKS, inject: options.inject, useFactory: options.checks }],
    };
  }
}
