import { Module, type OnModuleInit } from '@nestjs/common';
import { collectDefaultMetrics, register } from 'prom-client';
import { MetricsController } from './metrics.controller';

let defaultsCollected = false;

/** `/metrics`: process metrics plus whatever the product registers (jobs, HTTP, queues). */
@Module({ controllers: [MetricsController] })
export class MetricsModule implements OnModuleInit {
  onModuleInit(): void {
    if (defaultsCollected) return; // one registry per process, even with several apps in tests
    defaultsCollected = true;
    collectDefaultMetrics({ register, prefix: 'prompt_studio_' });
  }
}
