import { Module, type OnModuleInit } from '@nestjs/common';
import { collectDefaultMetrics, register } from 'prom-client';
import { PrometheusController } from './prometheus.controller';

let defaultsCollected = false;

/** Prometheus `/metrics`: process metrics plus what the product registers (jobs, HTTP, queues). */
@Module({ controllers: [PrometheusController] })
export class PrometheusModule implements OnModuleInit {
  onModuleInit(): void {
    if (defaultsCollected) return; // one registry per process, even with several apps in tests
    defaultsCollected = true;
    collectDefaultMetrics({ register, prefix: 'prompt_studio_' });
  }
}
