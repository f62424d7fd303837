import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Redis } from 'ioredis';
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
} from 'rate-limiter-flexible';
import { RateLimitedError } from '@ps/common';
import { ApiConfig } from '@ps/config';
import { RATE_LIMITED_OPERATIONS, type RateLimitedOperation } from './permissions';

export interface RateLimitState {
  /** Requests allowed per window for this operation. */
  limit: number;
  /** Requests left in the current window. */
  remaining: number;
  /** Seconds until the window resets. */
  resetSeconds: number;
}

/** How long a Redis round trip may take before the process falls back to its own limits. */
const REDIS_COMMAND_TIMEOUT_MS = 1_000;
const REDIS_CONNECT_TIMEOUT_MS = 3_000;
const REDIS_SHUTDOWN_TIMEOUT_MS = 2_000;

/**
 * Requests per user and operation per window (RATE_LIMIT_*). With REDIS_URL the counters live in
 * Redis and are shared by every API process; while Redis is unreachable each process counts in
 * its own memory (the insurance limiter) rather than failing requests. Without REDIS_URL the
 * counters are in memory, per process.
 */
@Injectable()
export class RateLimiterService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('RateLimit');
  private readonly limits: Record<RateLimitedOperation, number>;
  private readonly windowSeconds: number;
  private readonly limiters = new Map<RateLimitedOperation, RateLimiterAbstract>();
  private readonly redis?: Redis;
  /** True while Redis is known to be unreachable and limits are per process. */
  private degraded = false;

  constructor(private readonly config: ApiConfig) {
    const env = config.env;
    this.windowSeconds = env.RATE_LIMIT_WINDOW_SECONDS;
    this.limits = {
      create_project: env.RATE_LIMIT_CREATE_PROJECT,
      optimize: env.RATE_LIMIT_OPTIMIZE,
      evaluate: env.RATE_LIMIT_EVALUATE,
      generate: env.RATE_LIMIT_GENERATE,
      default: env.RATE_LIMIT_DEFAULT,
    };
    if (!env.RATE_LIMIT_ENABLED) return;

    if (env.REDIS_URL) {
      this.redis = new Redis(env.REDIS_URL, {
        // Connected in onModuleInit, so building the module graph opens no connection.
        lazyConnect: true,
        // Never queue commands while disconnected: the insurance limiter answers instead.
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
        connectTimeout: REDIS_CONNECT_TIMEOUT_MS,
      });
      this.redis.on('error', (err: Error) => this.markDegraded(err.message));
      this.redis.on('reconnecting', () => this.markDegraded('connection lost'));
      this.redis.on('ready', () => {
        if (this.degraded) {
          this.logger.log('Redis is reachable again: rate limits are shared across processes.');
        }
        this.degraded = false;
      });
    }

    for (const operation of RATE_LIMITED_OPERATIONS) {
      const options = {
        points: this.limits[operation],
        duration: this.windowSeconds,
        keyPrefix: `${env.REDIS_KEY_PREFIX}:rl:${operation}`,
      };
      this.limiters.set(
        operation,
        this.redis
          ? new RateLimiterRedis({
              ...options,
              storeClient: this.redis,
              rejectIfRedisNotReady: true,
              insuranceLimiter: new RateLimiterMemory(options),
            })
          : new RateLimiterMemory(options),
      );
    }
  }

  get enabled(): boolean {
    return this.config.env.RATE_LIMIT_ENABLED;
  }

  limitOf(operation: RateLimitedOperation): number {
    return this.limits[operation];
  }

  async onModuleInit(): Promise<void> {
    if (!this.redis) return;
    try {
      await this.redis.connect();
    } catch (err) {
      // Start anyway: ioredis keeps reconnecting, and limits are per process until it succeeds.
      this.markDegraded(err instanceof Error ? err.message : String(err));
    }
  }

  async onApplicationShutdown(): Promise<void> {
    const redis = this.redis;
    if (!redis || redis.status === 'end') return;
    if (redis.status !== 'ready') {
      redis.disconnect();
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, REDIS_SHUTDOWN_TIMEOUT_MS);
      timer.unref();
    });
    try {
      await Promise.race([redis.quit().then(() => undefined), timeout]);
    } catch {
      // Closing anyway.
    } finally {
      clearTimeout(timer);
      redis.disconnect();
    }
  }

  /**
   * Counts one request of `userId` against `operation`. Throws RateLimitedError when the user
   * has used up the window's allowance.
   */
  async consume(userId: number, operation: RateLimitedOperation): Promise<RateLimitState> {
    const limit = this.limits[operation];
    const limiter = this.limiters.get(operation);
    if (!this.enabled || !limiter) {
      return { limit, remaining: limit, resetSeconds: this.windowSeconds };
    }
    try {
      const res = await limiter.consume(`${userId}`);
      return {
        limit,
        remaining: res.remainingPoints,
        resetSeconds: Math.max(1, Math.ceil(res.msBeforeNext / 1000)),
      };
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err;
      const retryAfter = Math.max(1, Math.ceil(err.msBeforeNext / 1000));
      throw new RateLimitedError(
        `Rate limit of ${limit} ${operation} requests per ${this.windowSeconds} s reached; ` +
          `retry in ${retryAfter} s.`,
        retryAfter,
      );
    }
  }

  private markDegraded(reason: string): void {
    if (this.degraded) return;
    this.degraded = true;
    this.logger.warn(
      `Redis is unreachable (${reason}): rate limits are counted per API process until it is ` +
        'back.',
    );
  }
}
