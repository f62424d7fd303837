import './fetch-types';
/**
 * A `fetch` that retries a request answered 429 (rate limited) or 503 (unavailable), waiting
 * what the server's `Retry-After` asks (seconds or an HTTP date), or an exponential back-off
 * when it does not say, and gives the last answer back when the attempts run out. Network
 * errors are not retried: a request that may have reached the server is not sent twice.
 */

export const RETRY_STATUSES: ReadonlySet<number> = new Set([429, 503]);

export interface RetryOptions {
  /** Retries after the first attempt (default 3; 0 turns retrying off). */
  retries?: number;
  /** Back-off when the answer has no Retry-After: base × 2^attempt (default 500 ms). */
  baseDelayMs?: number;
  /** Longest single wait, whatever Retry-After says (default 30 s). */
  maxDelayMs?: number;
  /** The underlying fetch (default the global one). */
  fetch?: typeof fetch;
  /** How to wait (tests pass a recorder). */
  sleep?: (ms: number) => Promise<void>;
  /** Told before each retry. */
  onRetry?: (info: { attempt: number; status: number; delayMs: number; url: string }) => void;
}

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Milliseconds a `Retry-After` value asks for, or undefined when it is absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

export function retryingFetch(options: RetryOptions = {}): typeof fetch {
  const retries = options.retries ?? 3;
  const baseDelayMs = options.baseDelayMs ?? 500;
  const maxDelayMs = options.maxDelayMs ?? 30_000;
  const sleep = options.sleep ?? sleepFor;

  return async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const inner = options.fetch ?? globalThis.fetch;
    // A Request body can be read once: keep a pristine copy to clone for every attempt.
    const original = new Request(input, init);
    for (let attempt = 0; ; attempt++) {
      const response = await inner(original.clone());
      if (!RETRY_STATUSES.has(response.status) || attempt >= retries) return response;
      const asked = parseRetryAfter(response.headers.get('retry-after'));
      const delayMs = Math.min(maxDelayMs, asked ?? baseDelayMs * 2 ** attempt);
      options.onRetry?.({
        attempt: attempt + 1,
        status: response.status,
        delayMs,
        url: original.url,
      });
      // Free the connection of the answer we drop.
      await response.body?.cancel().catch(() => undefined);
      await sleep(delayMs);
    }
  };
}
