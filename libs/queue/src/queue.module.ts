import { type DynamicModule, Global, Module, type Provider } from '@nestjs/common';
import { BullQueueAdapter } from './adapters/bull-queue.adapter';
import { InProcessQueueAdapter } from './adapters/in-process-queue.adapter';
import type { QueueAdapter } from './adapters/queue-adapter';
import { JobExecutor } from './job-executor';
import { JobProducer } from './job-producer';
import { JOB_PROCESSORS, type JobProcessor } from './jobs/job-processor';
import { QUEUE_ADAPTER, QUEUE_OPTIONS, type QueueModuleOptions } from './queue.tokens';

/**
 * The queue: Bull on Redis when REDIS_URL is set, in-process otherwise. Producers get
 * JobProducer; with `consume`, processors run here too (the worker, or the all-in-one API).
 */
@Global()
@Module({})
export class QueueModule {
  /** `processors`: the job processors this process runs (PROCESSORS of @ps/jobs). */
  static forRoot(options: QueueModuleOptions, processors: Provider[] = []): DynamicModule {
    return {
      module: QueueModule,
      providers: [
        { provide: QUEUE_OPTIONS, useValue: options },
        {
          provide: QUEUE_ADAPTER,
          useFactory: (): QueueAdapter =>
            options.redisUrl
              ? new BullQueueAdapter({
                  redisUrl: options.redisUrl,
                  prefix: options.prefix,
                  leaseSeconds: options.leaseSeconds,
                })
              : new InProcessQueueAdapter(),
        },
        ...processors,
        {
          provide: JOB_PROCESSORS,
          inject: processors as never[],
          useFactory: (...instances: JobProcessor[]) => instances,
        },
        JobProducer,
        JobExecutor,
      ],
      exports: [QUEUE_ADAPTER, JobProducer, JobExecutor],
    };
  }
}
