import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { contextFromCarrier, inSpan, SpanKind } from '@ps/common';
import { JobsRepository } from '@ps/database';
import { EVENT_BUS, type EventBus, type EventType, makeEvent } from '@ps/events';
import type { ActiveJob, QueueAdapter, QueueListener } from './adapters/queue-adapter';
import { jobMetrics, observeQueueDepth } from './job-metrics';
import { type JobEnvelope, jobEnvelopeSchema } from './jobs/job-envelope';
import { JobCancelledError, PermanentJobError } from './jobs/job-errors';
import {
  JOB_PROCESSORS,
  type JobContext,
  type JobLog,
  type JobProcessor,
} from './jobs/job-processor';
import { jobEventData } from './job-producer';
import { QUEUE_ADAPTER, QUEUE_OPTIONS, type QueueModuleOptions } from './queue.tokens';

/**
 * How an attempt ended, in the job log (`retrying`: a failed attempt another will follow;
 * `released`: handed back to the queue at shutdown, for another worker).
 */
export type AttemptOutcome = 'completed' | 'failed' | 'retrying' | 'cancelled' | 'released';

/**
 * Runs jobs in this process: validates each job again, keeps the jobs mirror in step (attempts,
 * lease, worker, progress, outcome), publishes job events and logs each attempt's start and end
 * as one JSON line each. Every line written while a job runs carries its job id, and the job runs
 * in a span continuing the trace of the request that enqueued it. Cancellation is a flag in the
 * mirror that is polled while the job runs.
 */
@Injectable()
export class JobExecutor
  implements OnModuleInit, BeforeApplicationShutdown, OnApplicationShutdown, QueueListener
{
  private readonly logger = new Logger('Jobs');
  private readonly lastProgressEvent = new Map<number, number>();
  /** performance.now() at the start of each running attempt, by job id. */
  private readonly attemptStarted = new Map<number, number>();
  /** Jobs handed back to the queue at shutdown, whose attempts here no longer count. */
  private readonly released = new Set<number>();
  private closed = false;
  private stopObserving?: () => void;

  constructor(
    @Inject(QUEUE_ADAPTER) private readonly adapter: QueueAdapter,
    @Inject(QUEUE_OPTIONS) private readonly options: QueueModuleOptions,
    @Inject(JOB_PROCESSORS) private readonly processors: JobProcessor[],
    private readonly jobs: JobsRepository,
    @Inject(EVENT_BUS) private readonly events: EventBus,
  ) {}

  onModuleInit(): void {
    this.stopObserving = observeQueueDepth(this.adapter);
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

  /**
   * Stops taking jobs and lets running ones finish, within the drain time; those still running
   * then go back to the queue for another worker. Before the shutdown hooks, so the database and
   * Redis are still there for the jobs that finish.
   */
  async beforeApplicationShutdown(): Promise<void> {
    if (!this.options.consume) return;
    this.closed = true;
    this.stopObserving?.();
    await this.adapter.close(this.options.drainMs);
  }

  /** A producer-only process (the API with Redis) closes its queue connections last. */
  async onApplicationShutdown(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopObserving?.();
    await this.adapter.close(0);
  }

  private async publish(type: EventType, jobId: number): Promise<void> {
    const job = await this.jobs.find(jobId);
    if (!job) return;
    await this.events.publish({
      workspace_id: job.workspaceId,
      event: makeEvent(type, jobEventData(job), job.projectId),
    });
  }

  private jobFields(job: ActiveJob) {
    return {
      job_id: job.id,
      queue: job.queue,
      type: job.name,
      attempt: job.attempt,
      max_attempts: job.maxAttempts,
      worker_id: this.options.processName,
    };
  }

  /** One line per attempt end; an operator greps the job id to see who ran it and how it went. */
  private logEnd(job: ActiveJob, outcome: AttemptOutcome, error?: Error): void {
    const started = this.attemptStarted.get(job.id);
    this.attemptStarted.delete(job.id);
    const line = {
      ...this.jobFields(job),
      outcome,
      duration_ms: started === undefined ? null : Math.round(performance.now() - started),
      ...(error ? { error: error.message } : {}),
    };
    if (outcome === 'failed' || outcome === 'released') this.logger.warn(line, 'job finished');
    else this.logger.log(line, 'job finished');
  }

  async onActive(job: ActiveJob): Promise<void> {
    this.attemptStarted.set(job.id, performance.now());
    this.logger.log(this.jobFields(job), 'job started');
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
    this.logEnd(job, 'completed');
    this.lastProgressEvent.delete(job.id);
    const value =
      result && typeof result === 'object' && !Array.isArray(result)
        ? (result as Record<string, unknown>)
        : null;
    if (await this.jobs.markCompleted(job.id, value)) await this.publish('job_completed', job.id);
  }

  async onReleased(job: ActiveJob): Promise<void> {
    this.released.add(job.id);
    this.lastProgressEvent.delete(job.id);
    this.logEnd(job, 'released');
    await this.jobs.release(job.id, this.options.processName);
  }

  async onFailed(job: ActiveJob, error: Error, final: boolean): Promise<void> {
    this.lastProgressEvent.delete(job.id);
    if (error instanceof JobCancelledError) {
      this.logEnd(job, 'cancelled');
      if (await this.jobs.markCancelled(job.id)) await this.publish('job_cancelled', job.id);
      return;
    }
    this.logEnd(job, final ? 'failed' : 'retrying', error);
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
    const data = envelope.data;
    return inSpan(
      `job ${job.name}`,
      {
        kind: SpanKind.CONSUMER,
        // The enqueuing request's context, never whatever this process happens to be doing.
        parent: contextFromCarrier(data.trace),
        attributes: {
          'messaging.system': this.adapter.kind,
          'messaging.destination.name': job.queue,
          'messaging.operation.type': 'process',
          'prompt_studio.job_id': job.id,
          'prompt_studio.job_attempt': job.attempt,
          ...(data.request_id ? { 'prompt_studio.request_id': data.request_id } : {}),
        },
      },
      () => this.execute(job, data, processor, payload.data as Record<string, unknown>),
    );
  }

  private async execute(
    job: ActiveJob,
    envelope: JobEnvelope,
    processor: JobProcessor,
    payload: Record<string, unknown>,
  ): Promise<unknown> {
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
      workspaceId: envelope.workspace_id,
      projectId: envelope.project_id,
      requestId: envelope.request_id,
      payload,
      attempt: job.attempt,
      maxAttempts: job.maxAttempts,
      processName: this.options.processName,
      signal: controller.signal,
      progress: (percent) => job.progress(Math.max(0, Math.min(100, percent))),
      throwIfCancelled: () => {
        if (controller.signal.aborted) throw new JobCancelledError();
      },
      log: jobLog(processor, job.id, envelope.request_id),
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
      if (this.released.delete(job.id)) outcome = 'released';
      stopTimer();
      jobMetrics.active.dec({ queue: job.queue });
      jobMetrics.finished.inc({ queue: job.queue, type: job.name, outcome });
    }
  }
}

/**
 * The job's logger: its lines carry job_id and request_id as fields. They are passed explicitly
 * rather than kept in an AsyncLocalStorage: on Node 20 an enabled AsyncLocalStorage runs a hook
 * on every promise the process creates, which cost a worker 5–25% of its CPU per
 * evaluated case (README, Benchmarks).
 */
function jobLog(processor: JobProcessor, jobId: number, requestId: string | null): JobLog {
  const logger = new Logger(processor.constructor.name.replace(/Processor$/, '') || 'Job');
  const fields = { job_id: jobId, ...(requestId ? { request_id: requestId } : {}) };
  return { warn: (message) => logger.warn(fields, message) };
}
