import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { JobsRepository } from '@ps/database';
import { EVENT_BUS, type EventBus, type EventType, makeEvent } from '@ps/events';
import type { ActiveJob, QueueAdapter, QueueListener } from './adapters/queue-adapter';
import { jobMetrics } from './job-metrics';
import { jobEnvelopeSchema } from './jobs/job-envelope';
import { JobCancelledError, PermanentJobError } from './jobs/job-errors';
import { JOB_PROCESSORS, type JobContext, type JobProcessor } from './jobs/job-processor';
import { jobEventData } from './job-producer';
import { QUEUE_ADAPTER, QUEUE_OPTIONS, type QueueModuleOptions } from './queue.tokens';

/**
 * Runs jobs in this process: validates each job again, keeps the jobs mirror in step (attempts,
 * lease, progress, outcome) and publishes job events. Cancellation is a flag in the mirror that
 * is polled while the job runs.
 */
@Injectable()
export class JobExecutor implements OnModuleInit, OnApplicationShutdown, QueueListener {
  private readonly logger = new Logger('Jobs');
  private readonly lastProgressEvent = new Map<number, number>();

  constructor(
    @Inject(QUEUE_ADAPTER) private readonly adapter: QueueAdapter,
    @Inject(QUEUE_OPTIONS) private readonly options: QueueModuleOptions,
    @Inject(JOB_PROCESSORS) private readonly processors: JobProcessor[],
    private readonly jobs: JobsRepository,
    @Inject(EVENT_BUS) private readonly events: EventBus,
  ) {}

  onModuleInit(): void {
    if (!this.options.consume) return;
    const names = new Set<string>();
    for (const p of this.processors) {
      const key = `${p.definition.queue}/${p.definition.name}`;
      if (names.has(key)) throw new Error(`Two processors handle ${key}.`);
      names.add(key);
    }
    this.adapter.listen(this);
    const queues = new Set(this.processors.map((p) => p.definition.queue));
    for (const queue of queues) {
      const concurrency = this.options.concurrency[queue] ?? 1;
      this.adapter.process(queue, concurrency, (job) => this.run(job));
      this.logger.log(`Consuming queue ${queue} (concurrency ${concurrency}).`);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    // Stop taking jobs; wait for running ones (or hand them back when the lease lapses).
    await this.adapter.close(25_000);
  }

  private async publish(type: EventType, jobId: number): Promise<void> {
    const job = await this.jobs.find(jobId);
    if (!job) return;
    await this.events.publish({
      workspace_id: job.workspaceId,
      event: makeEvent(type, jobEventData(job), job.projectId),
    });
  }

  async onActive(job: ActiveJob): Promise<void> {
    const started = await this.jobs.markStarted(
      job.id,
      this.options.processName,
      this.options.leaseSeconds,
    );
    if (started) await this.publish('job_started', job.id);
  }

  async onProgress(job: ActiveJob, percent: number): Promise<void> {
    await this.jobs.setProgress(job.id, percent);
    const now = Date.now();
    const last = this.lastProgressEvent.get(job.id) ?? 0;
    if (percent >= 100 || now - last >= this.options.progressEventIntervalMs) {
      this.lastProgressEvent.set(job.id, now);
      await this.publish('job_progress', job.id);
    }
  }

  async onCompleted(job: ActiveJob, result: unknown): Promise<void> {
    this.lastProgressEvent.delete(job.id);
    const value =
      result && typeof result === 'object' && !Array.isArray(result)
        ? (result as Record<string, unknown>)
        : null;
    if (await this.jobs.markCompleted(job.id, value)) await this.publish('job_completed', job.id);
  }

  async onFailed(job: ActiveJob, error: Error, final: boolean): Promise<void> {
    this.lastProgressEvent.delete(job.id);
    if (error instanceof JobCancelledError) {
      if (await this.jobs.markCancelled(job.id)) await this.publish('job_cancelled', job.id);
      return;
    }
    if (final)
      this.logger.warn(`Job ${job.id} (${job.queue}/${job.name}) failed: ${error.message}`);
    if ((await this.jobs.markFailed(job.id, error.message, final)) && final) {
      await this.publish('job_failed', job.id);
    }
  }

  private async run(job: ActiveJob): Promise<unknown> {
    const envelope = jobEnvelopeSchema.safeParse(job.data);
    if (!envelope.success) throw new PermanentJobError(`Malformed job: ${envelope.error.message}`);
    const processor = this.processors.find(
      (p) => p.definition.queue === job.queue && p.definition.name === job.name,
    );
    if (!processor) throw new PermanentJobError(`No processor handles ${job.queue}/${job.name}.`);
    const payload = processor.definition.payload.safeParse(envelope.data.payload);
    if (!payload.success) {
      throw new PermanentJobError(`Invalid payload: ${payload.error.message}`);
    }
    if (await this.jobs.isCancelRequested(job.id)) throw new JobCancelledError();
    const stopTimer = jobMetrics.duration.startTimer({ queue: job.queue, type: job.name });
    jobMetrics.active.inc({ queue: job.queue });
    let outcome = 'failed';

    const controller = new AbortController();
    const poll = setInterval(() => {
      this.jobs.isCancelRequested(job.id).then(
        (cancelled) => cancelled && controller.abort(),
        () => undefined,
      );
      this.jobs
        .renewLease(job.id, this.options.processName, this.options.leaseSeconds)
        .catch(() => undefined);
    }, 1000);
    const ctx: JobContext = {
      jobId: job.id,
      workspaceId: envelope.data.workspace_id,
      projectId: envelope.data.project_id,
      requestId: envelope.data.request_id,
      payload: payload.data as Record<string, unknown>,
      attempt: job.attempt,
      maxAttempts: job.maxAttempts,
      processName: this.options.processName,
      signal: controller.signal,
      progress: (percent) => job.progress(Math.max(0, Math.min(100, percent))),
      throwIfCancelled: () => {
        if (controller.signal.aborted) throw new JobCancelledError();
      },
    };
    try {
      const result = await processor.handle(ctx);
      ctx.throwIfCancelled();
      outcome = 'completed';
      return result ?? null;
    } catch (err) {
      if (err instanceof JobCancelledError) outcome = 'cancelled';
      throw err;
    } finally {
      clearInterval(poll);
      stopTimer();
      jobMetrics.active.dec({ queue: job.queue });
      jobMetrics.finished.inc({ queue: job.queue, type: job.name, outcome });
    }
  }
}
