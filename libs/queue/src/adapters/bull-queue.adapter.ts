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

/** Resolves true when every promise settled within `ms`, false otherwise. */
async function settledWithin(promises: Promise<void>[], ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const done = await Promise.race([
    Promise.all(promises).then(() => true),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), ms);
    }),
  ]);
  clearTimeout(timer);
  return done;
}

/** A promise that never settles. */
const NEVER = new Promise<never>(() => undefined);

/** A job this process is running. */
interface RunningJob {
  job: Bull.Job<JobEnvelope>;
  active: ActiveJob;
  /** Handed back to the queue at shutdown: this attempt's outcome no longer counts. */
  released: boolean;
  /** Settles (never rejects) when the attempt ends. */
  settled: Promise<void>;
}

export interface BullAdapterOptions {
  redisUrl: string;
  prefix: string;
  /** Lock duration: a job whose worker stops renewing it for this long is re-delivered. */
  leaseSeconds: number;
}

/**
 * When a queue starts consuming, Bull names its blocking connection after the worker in a promise
 * nobody awaits, whose error handler itself throws if the connection ends before it was ever
 * ready (a worker stopped while still connecting, or Redis unreachable). The rejection is then
 * unhandled, and Node ends the process with code 1 instead of letting it shut down cleanly. The
 * name only labels the connection in CLIENT LIST, so a failure to set it is dropped here.
 */
function handleWorkerNaming(queue: Bull.Queue<JobEnvelope>): void {
  const named = queue as unknown as { setWorkerName: () => Promise<unknown> };
  const setWorkerName = named.setWorkerName.bind(queue);
  named.setWorkerName = () => setWorkerName().catch(() => undefined);
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
  /** The connection each queue blocks on while it waits for jobs. */
  private readonly blocking = new Map<QueueName, Redis>();
  private readonly running = new Set<RunningJob>();
  /** Set once close() starts: failures of the connections it cuts are expected then. */
  private closing = false;

  constructor(private readonly options: BullAdapterOptions) {}

  private connection(
    type: 'client' | 'subscriber' | 'bclient',
    redisOptions: RedisOptions,
    queue?: QueueName,
  ): Redis {
    const make = (extra: RedisOptions = {}) => {
      const redis = new Redis(this.options.redisUrl, { ...redisOptions, ...extra });
      redis.on('error', (err: Error) => this.logger.warn(`Redis (${type}): ${err.message}`));
      // Bull may still ask for a connection after close() (a consuming loop that was just
      // starting): it gets one already closed, which nothing would disconnect later.
      if (this.closing) redis.disconnect();
      return redis;
    };
    if (type === 'bclient') {
      const redis = make({ maxRetriesPerRequest: null, enableReadyCheck: false });
      this.extraConnections.push(redis);
      if (queue) this.blocking.set(queue, redis);
      return redis;
    }
    const existing = this.shared[type];
    if (existing) return existing;
    const redis = make(
      type === 'subscriber' ? { maxRetriesPerRequest: null, enableReadyCheck: false } : {},
    );
    // Every queue sharing this connection adds its own listeners (error, ready, message...):
    // more than ten queues is by design here, not a leak, so Node's leak warning is off for it.
    redis.setMaxListeners(0);
    this.shared[type] = redis;
    return redis;
  }

  private queue(name: QueueName): Bull.Queue<JobEnvelope> {
    let queue = this.queues.get(name);
    if (queue) return queue;
    const lockDuration = this.options.leaseSeconds * 1000;
    queue = new Bull<JobEnvelope>(name, {
      prefix: `${this.options.prefix}:bull`,
      createClient: (type, redisOptions) => this.connection(type, redisOptions ?? {}, name),
      settings: {
        lockDuration,
        lockRenewTime: Math.floor(lockDuration / 2),
        stalledInterval: lockDuration,
        // A job may lose its worker several times before it is failed; handlers are idempotent.
        maxStalledCount: 3,
      },
    });
    queue.on('error', (err: Error) => this.logger.warn(`Queue ${name}: ${err.message}`));
    handleWorkerNaming(queue);
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
    const consuming = bull.process('*', Math.max(1, concurrency), (job) => {
      const running: RunningJob = {
        job,
        active: this.active(queue, job),
        released: false,
        settled: Promise.resolve(),
      };
      const outcome = this.run(running, handler);
      running.settled = outcome.then(
        () => undefined,
        () => undefined,
      );
      this.running.add(running);
      void running.settled.then(() => this.running.delete(running));
      // A released job belongs to another worker now: this attempt must neither complete nor
      // fail it, so Bull never hears how it ended.
      return outcome.then(
        (result) => (running.released ? NEVER : result),
        (err: unknown) => (running.released ? NEVER : Promise.reject(err as Error)),
      );
    });
    // Bull's consuming loop ends in a rejection when its connections close, which they do at
    // shutdown, possibly before the loop has even started (a worker stopped as it comes up).
    // Left unhandled, that rejection would end the process with code 1 instead of a clean exit.
    consuming.catch((err: unknown) => {
      if (this.closing) return;
      this.logger.error(
        { err },
        `Queue ${queue}: stopped taking jobs (${err instanceof Error ? err.message : String(err)})`,
      );
    });
  }

  private async run(running: RunningJob, handler: JobHandler): Promise<unknown> {
    const { job, active } = running;
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
      if (!running.released) await this.emit('onCompleted', active, result);
      return result;
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      if (running.released) throw error;
      const permanent = isPermanent(error);
      if (permanent) void job.discard(); // no further attempts
      const final = permanent || active.attempt >= active.maxAttempts;
      await this.emit('onFailed', active, error, final);
      throw error;
    } finally {
      clearTimeout(timer);
    }
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
    this.closing = true;
    // Without Redis, running jobs cannot report back anyway: their leases lapse and another
    // worker takes them over, so there is nothing to wait for.
    if (this.shared.client?.status === 'ready') {
      const queues = [...this.queues.entries()];
      await Promise.allSettled(queues.map(([name, q]) => this.stopFetching(name, q)));
      const drained = await this.drain(timeoutMs);
      if (!drained) await this.releaseRunning();
      // Drained: let Bull record the last completions before it disconnects.
      await Promise.allSettled(queues.map(([, q]) => q.close(!drained)));
    }
    for (const redis of [this.shared.client, this.shared.subscriber, ...this.extraConnections]) {
      redis?.disconnect();
    }
  }

  /**
   * This process takes no more jobs of `queue` (other workers carry on). Bull's local pause sets
   * its flag at once but closes the connection waiting for the next job politely, with a QUIT
   * that Redis answers only after that wait ends: a job arriving meanwhile would still be taken.
   * So the connection is cut here as soon as the flag is set (Bull expects this while paused).
   */
  private async stopFetching(name: QueueName, queue: Bull.Queue<JobEnvelope>): Promise<void> {
    const pausing = queue.pause(true, true);
    await new Promise((resolve) => setImmediate(resolve));
    this.blocking.get(name)?.disconnect();
    await pausing;
  }

  /** Waits until no job runs here, up to `timeoutMs`; false when some still run then. */
  private async drain(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    // A job fetched just as fetching stopped may start a moment later: look again after each wait.
    await new Promise((resolve) => setTimeout(resolve, 50));
    while (this.running.size) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await settledWithin(
        [...this.running].map((r) => r.settled),
        left,
      );
    }
    return true;
  }

  /**
   * Hands the jobs still running back to the queue: their locks are released, so the next
   * stalled-job check of any worker (within two lease periods) puts them back in line. Their
   * handlers are idempotent, so what this attempt already wrote is kept and not done again.
   */
  private async releaseRunning(): Promise<void> {
    for (const running of this.running) {
      running.released = true;
      try {
        await running.job.releaseLock();
        this.logger.warn(
          `Job ${running.active.id} (${running.active.queue}) did not finish in time: ` +
            'handed back to the queue for another worker.',
        );
      } catch (err) {
        this.logger.warn(
          `Job ${running.active.id}: could not release its lock (${String(err)}); another ` +
            'worker takes it over when the lease lapses.',
        );
      }
      await this.emit('onReleased', running.active);
    }
  }
}
