import { LlmError } from './errors';

export interface RetryPolicy {
  /** Retries after the first attempt. */
  maxRetries: number;
  baseMs: number;
  /** No single wait is longer than this, whatever the vendor asks. */
  maxWaitMs: number;
}

/** Full-jitter exponential backoff: uniform in [0, base·2^retry], capped. */
export function backoffMs(policy: RetryPolicy, retry: number, random = Math.random): number {
  const ceiling = Math.min(policy.maxWaitMs, policy.baseMs * 2 ** retry);
  return Math.round(random() * ceiling);
}

/**
 * The wait before retry number `retry` (0-based) after `error`: the vendor's hint when it gave one
 * (never less, plus a little jitter so parallel callers do not return in lockstep), otherwise
 * exponential backoff with jitter.
 */
export function retryDelayMs(
  policy: RetryPolicy,
  retry: number,
  error: LlmError,
  random = Math.random,
): number {
  const hinted = error.details.retryAfterMs;
  if (hinted !== undefined) {
    return Math.min(policy.maxWaitMs, hinted + Math.round(random() * Math.min(250, policy.baseMs)));
  }
  return backoffMs(policy, retry, random);
}

export const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/**
 * Runs `attempt` until it succeeds, fails with a non-retryable error, or the retries run out.
 * This is the only retry loop around model calls: LangChain's and the SDKs' own are switched off.
 */
export async function withRetries<T>(
  policy: RetryPolicy,
  attempt: (n: number) => Promise<T>,
  classify: (error: unknown) => LlmError,
  hooks: { signal?: AbortSignal; onRetry?: (error: LlmError, waitMs: number) => void } = {},
): Promise<{ value: T; attempts: number }> {
  for (let n = 1; ; n++) {
    try {
      return { value: await attempt(n), attempts: n };
    } catch (raw) {
      const error = classify(raw);
      error.details.attempts = n;
      if (
        !error.retryable ||
        error.details.final ||
        n > policy.maxRetries ||
        hooks.signal?.aborted
      ) {
        throw error;
      }
      const wait = retryDelayMs(policy, n - 1, error);
      hooks.onRetry?.(error, wait);
      await sleep(wait, hooks.signal);
    }
  }
}
