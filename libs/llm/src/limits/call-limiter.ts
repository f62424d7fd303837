import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
} from 'rate-limiter-flexible';
import { LlmError } from '../errors';
import { llmMetrics } from '../llm-metrics';
import { sleep } from '../retry';
import type { RateLimits } from '../providers/registry';

const WINDOW_SECONDS = 60;

export interface LimiterOptions {
  /** Shared counters for every process; without it each process counts alone. */
  redis?: Redis;
  prefix: string;
  /** Longest a call waits for a slot before it fails as rate_limited. */
  maxWaitMs: number;
}

/**
 * Requests-per-minute and tokens-per-minute limits per provider, API key and model. The counters
 * live in Redis (rate-limiter-flexible), so every API and worker process draws from the same
 * budget; an in-memory limiter stands in while Redis is unreachable. A call over the limit waits
 * for the next window instead of failing, up to `maxWaitMs`.
 */
export class CallLimiter {
  private readonly limiters = new Map<string, RateLimiterAbstract>();

  constructor(private readonly options: LimiterOptions) {}

  /** The key never contains the API key itself, only a short hash that tells keys apart. */
  static scope(provider: string, apiKey: string | undefined, model: string): string {
    const keyHash = createHash('sha256')
      .update(apiKey ?? '')
      .digest('hex')
      .slice(0, 12);
    return `${provider}:${keyHash}:${model}`;
  }

  private limiter(kind: 'rpm' | 'tpm', points: number): RateLimiterAbstract {
    const name = `${kind}:${points}`;
    let limiter = this.limiters.get(name);
    if (!limiter) {
      const base = {
        points,
        duration: WINDOW_SECONDS,
        keyPrefix: `${this.options.prefix}:llm:${kind}`,
      };
      limiter = this.options.redis
        ? new RateLimiterRedis({
            ...base,
            storeClient: this.options.redis,
            insuranceLimiter: new RateLimiterMemory(base),
          })
        : new RateLimiterMemory(base);
      this.limiters.set(name, limiter);
    }
    return limiter;
  }

  /** Waits until the call may go out; `tokens` is the estimate charged against the TPM budget. */
  async acquire(
    scope: string,
    limits: RateLimits,
    tokens: number,
    signal?: AbortSignal,
  ): Promise<void> {
    const deadline = Date.now() + this.options.maxWaitMs;
    if (limits.rpm > 0) await this.take('rpm', limits.rpm, scope, 1, deadline, signal);
    if (limits.tpm > 0) {
      // A request larger than the whole budget could never pass: charge the budget instead.
      await this.take('tpm', limits.tpm, scope, Math.min(tokens, limits.tpm), deadline, signal);
    }
  }

  /** Corrects the TPM charge once the real usage is known. */
  async settle(
    scope: string,
    limits: RateLimits,
    estimated: number,
    actual: number,
  ): Promise<void> {
    if (limits.tpm <= 0 || actual === estimated) return;
    const limiter = this.limiter('tpm', limits.tpm);
    try {
      if (actual > estimated) await limiter.penalty(scope, actual - estimated);
      else await limiter.reward(scope, estimated - actual);
    } catch {
      // Accounting only: a failed correction must not fail a call that already succeeded.
    }
  }

  private async take(
    kind: 'rpm' | 'tpm',
    points: number,
    scope: string,
    cost: number,
    deadline: number,
    signal?: AbortSignal,
  ): Promise<void> {
    const limiter = this.limiter(kind, points);
    for (;;) {
      try {
        await limiter.consume(scope, cost);
        return;
      } catch (rejection) {
        if (!(rejection instanceof RateLimiterRes)) throw rejection;
        const wait = rejection.msBeforeNext + 5;
        if (Date.now() + wait > deadline) {
          throw new LlmError(
            'rate_limited',
            `${scope.split(':')[0]} ${kind.toUpperCase()} limit of ${points} per minute reached; no slot within LLM_RATE_LIMIT_MAX_WAIT_MS`,
            { retryAfterMs: wait },
          );
        }
        const labels = { provider: scope.split(':')[0], source: kind };
        llmMetrics.rateLimitWaits.inc(labels);
        llmMetrics.rateLimitWaitSeconds.inc(labels, wait / 1000);
        await sleep(wait, signal);
      }
    }
  }
}
