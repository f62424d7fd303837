import { Logger } from '@nestjs/common';
import Bull from 'bull';
import Redis, { type RedisOptions } from 'ioredis';
import type { JobEnvelope } from '../jobs/job-envelope';
import { isPermanent } from '../jobs/job-errors';
import type { QueueName } from '../queue-names';
import type {
  ActiveJob,
  EnqueueOptions,
  JobHandler,
  QueueAdapter,
  QueueCounts,
  QueueListener,
} from './queue-adapter';

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${message} within ${ms} ms.`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

export interface BullAdapterOptions {
  redisUrl: string;
  prefix: string;
  /** Lock duration: a job whose worker stops renewing it for this long is re-delivered. */
  leaseSeconds: number;
}

/**
 * Bull on Redis. Priorities are inverted (Bull: 1 is highest; ours: 10 is highest). The lock
 * renewed every half lease is the lease heartbeat; the stalled-job check re-delivers the jobs of
 * a worker that died. Connections are shared between queues (one client, one subscriber, one
 * blocking connection per queue).
 */
export class BullQueueAdapter implements QueueAdapter {
  readonly kind = 'bull' as const;
  private readonly logger = new Logger('Queue');
  private readonly queues = new Map<QueueName, Bull.Queue<JobEnvelope>>();
  private readonly listeners: QueueListener[] = [];
  private shared: { client?: Redis; subscriber?: Redis } = {};
  private readonly extraConnections: Redis[] = [];

  constructor(private readonly options: BullAdapterOptions) {}

  private connection(type: 'client' | 'subscriber' | 'bclient', redisOptions: RedisOptions): Redis {
    const make = (extra: RedisOptions = {}) => {
      const redis = new Redis(this.options.redisUrl, { ...redisOptions, ...extra });
      redis.on('error', (err: Error) => this.logger.warn(`Redis (${type}): ${err.message}`));
      return redis;
    };
    if (type === 'bclient') {
      const redis = make({ maxRetriesPerRequest: null, enableReadyCheck: false });
      this.extraConnections.push(redis);
      return redis;
    }
    const existing = this.shared[type];
    if (existing) return existing;
    const redis = make(
      type === 'subscriber' ? { maxRetriesPerRequest: null, enableReadyCheck: false } : {},
    );
    this.shared[type] = redis;
    return redis;
  }

  private queue(name: QueueName): Bull.Queue<JobEnvelope> {
    let queue = this.queues.get(name);
    if (queue) return queue;
    const lockDuration = this.options.leaseSeconds * 1000;
    queue = new Bull<JobEnvelope>(name, {
      prefix: `${this.options.prefix}:bull`,
      createClient: (type, redisOptions) => this.connection(type, redisOptions ?? {}),
      settings: {
        lockDuration,
        lockRenewTime: Math.floor(lockDuration / 2),
        stalledInterval: lockDuration,
        // A job may lose its worker several times before it is failed; handlers are idempotent.
        maxStalledCount: 3,
      },
    });
    queue.on('error', (err: Error) => this.logger.warn(`Queue ${name}: ${err.message}`));
    this.queues.set(name, queue);
    return queue;
  }

  async enqueue(queue: QueueName, name: string, data: JobEnvelope, options: EnqueueOptions) {
    // ioredis queues commands while Redis is away; a request must not wait for it to come back.
    await withTimeout(this.enqueueNow(queue, name, data, options), 5000, 'Redis did not answer');
  }

  private async enqueueNow(
    queue: QueueName,
    name: string,
    data: JobEnvelope,
    options: EnqueueOptions,
  ): Promise<void> {
    await this.queue(queue).add(name, data, {
      jobId: String(data.job_id),
      priority: 11 - options.priority,
      attempts: options.attempts,
      backoff: { type: 'exponential', delay: options.backoffMs },
      removeOnComplete: true,
      removeOnFail: true,
    });
  }

  private active(queue: QueueName, job: Bull.Job<JobEnvelope>): ActiveJob {
    const active: ActiveJob = {
      id: job.data.job_id,
      queue,
      name: job.name,
      data: job.data,
      attempt: job.attemptsMade + 1,
      maxAttempts: job.opts.attempts ?? 1,
      progress: async (percent) => {
        await job.progress(percent);
        await this.emit('onProgress', active, percent);
      },
    };
    return active;
  }

  private async emit<K extends keyof QueueListener>(
    event: K,
    ...args: Parameters<NonNullable<QueueListener[K]>>
  ): Promise<void> {
    for (const listener of this.listeners) {
      const fn = listener[event] as ((...a: unknown[]) => void | Promise<void>) | undefined;
      try {
        await fn?.apply(listener, args);
      } catch (err) {
        this.logger.error({ err }, `Queue listener ${event} failed`);
      }
    }
  }

  process(queue: QueueName, concurrency: number, handler: JobHandler): void {
    const bull = this.queue(queue);
    // Events of jobs this process runs; the lifecycle lives with the handler so that
    // `onActive` has happened before the handler starts, whatever Bull's event ordering.
    void bull.process('*', Math.max(1, concurrency), async (job) => {
      const active = this.active(queue, job);
      await this.emit('onActive', active);
      let timer: NodeJS.Timeout | undefined;
      try {
        // The timeout is ours, not Bull's, so a timed-out attempt reaches onFailed like any other.
        const result = await Promise.race([
          handler(active),
          new Promise<never>((_, reject) => {
            timer = setTimeout(
              () => reject(new Error(`Timed out after ${job.data.timeout_ms} ms.`)),
              job.data.timeout_ms,
            );
          }),
        ]);
        await this.emit('onCompleted', active, result);
        return result;
      } catch (err) {
        const error = err instanceof Error ? err : new Error(String(err));
        const permanent = isPermanent(error);
        if (permanent) void job.discard(); // no further attempts
        const final = permanent || active.attempt >= active.maxAttempts;
        await this.emit('onFailed', active, error, final);
        throw error;
      } finally {
        clearTimeout(timer);
      }
    });
  }

  listen(listener: QueueListener): void {
    this.listeners.push(listener);
  }

  async removeWaiting(queue: QueueName, jobId: number): Promise<boolean> {
    const job = await withTimeout(
      this.queue(queue).getJob(String(jobId)),
      5000,
      'Redis did not answer',
    );
    if (!job) return false;
    const state = await job.getState();
    if (state !== 'waiting' && state !== 'delayed' && state !== 'paused') return false;
    try {
      await job.remove();
      return true;
    } catch {
      return false; // picked up by a worker in the meantime
    }
  }

  async counts(queue: QueueName): Promise<QueueCounts> {
    const counts = await withTimeout(
      this.queue(queue).getJobCounts(),
      2000,
      'Redis did not answer',
    );
    return { waiting: counts.waiting, active: counts.active, delayed: counts.delayed };
  }

  async ping(): Promise<void> {
    await withTimeout(this.connection('client', {}).ping(), 2000, 'Redis did not answer');
  }

  async close(timeoutMs = 30_000): Promise<void> {
    // Without Redis, running jobs cannot report back anyway: their leases lapse and another
    // worker takes them over, so there is nothing to wait for.
    if (this.shared.client?.status === 'ready') {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled([...this.queues.values()].map((q) => q.close())),
        new Promise((resolve) => {
          timer = setTimeout(resolve, timeoutMs);
        }),
      ]);
      clearTimeout(timer);
    }
    for (const redis of [this.shared.client, this.shared.subscriber, ...this.extraConnections]) {
      redis?.disconnect();
    }
  }
}
