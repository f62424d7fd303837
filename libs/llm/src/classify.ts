import { redactUrlsIn } from '@ps/common';
import { LlmError, type LlmErrorKind } from './errors';

type Loose = Record<string, unknown>;

const asObject = (value: unknown): Loose | undefined =>
  value && typeof value === 'object' ? (value as Loose) : undefined;

/** The HTTP status, wherever the vendor SDK put it. */
function statusOf(err: Loose): number | undefined {
  const response = asObject(err.response);
  for (const candidate of [
    err.status,
    err.statusCode,
    err.status_code,
    response?.status,
    asObject(err.error)?.status,
    asObject(err.cause)?.status,
  ]) {
    if (typeof candidate === 'number' && candidate >= 100 && candidate < 600) return candidate;
  }
  return undefined;
}

/** Response headers as a lookup, whatever container the SDK used (Headers, plain object). */
function headersOf(err: Loose): (name: string) => string | undefined {
  const sources = [err.headers, asObject(err.response)?.headers, asObject(err.rawResponse)?.headers]
    .map(asObject)
    .filter((h): h is Loose => h !== undefined);
  // Gemini exposes no headers; its google.rpc.RetryInfo detail carries the wait instead.
  const details = Array.isArray(err.errorDetails) ? (err.errorDetails as Loose[]) : [];
  const retryDelay = details.find((d) => typeof d.retryDelay === 'string')?.retryDelay as
    string | undefined;
  return (name) => {
    if (name === 'retry-after' && retryDelay) return String(parseDuration(retryDelay)! / 1000);
    for (const h of sources) {
      if (typeof (h as { get?: unknown }).get === 'function') {
        const value = (h as unknown as Headers).get(name);
        if (value) return value;
        continue;
      }
      for (const [key, value] of Object.entries(h)) {
        if (key.toLowerCase() === name)
          return Array.isArray(value) ? String(value[0]) : String(value);
      }
    }
    return undefined;
  };
}

/** `1s`, `6m0s`, `20ms`, `1h2m3.5s` (OpenAI's x-ratelimit-reset-* format) in milliseconds. */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000;
  const re = /(\d+(?:\.\d+)?)(ms|h|m|s)/g;
  let total = 0;
  let consumed = 0;
  for (const match of trimmed.matchAll(re)) {
    const n = Number(match[1]);
    total += n * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match[2] as 'ms' | 's' | 'm' | 'h'];
    consumed += match[0].length;
  }
  return consumed === trimmed.length && consumed > 0 ? total : undefined;
}

/**
 * How long the vendor asked us to wait, in ms: `retry-after-ms`, then `Retry-After` (seconds or an
 * HTTP date), then the longest of the `x-ratelimit-reset-*` / `anthropic-ratelimit-*-reset` hints.
 */
export function retryAfterMs(
  header: (name: string) => string | undefined,
  now = Date.now(),
): number | undefined {
  const ms = header('retry-after-ms');
  if (ms && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const after = header('retry-after');
  if (after) {
    if (/^\d+(\.\d+)?$/.test(after.trim())) return Number(after) * 1000;
    const date = Date.parse(after);
    if (!Number.isNaN(date)) return Math.max(0, date - now);
  }
  const resets = ['x-ratelimit-reset-requests', 'x-ratelimit-reset-tokens', 'x-ratelimit-reset']
    .map((name) => header(name))
    .filter((v): v is string => Boolean(v))
    .map(parseDuration)
    .filter((v): v is number => v !== undefined);
  const anthropic = ['anthropic-ratelimit-requests-reset', 'anthropic-ratelimit-tokens-reset']
    .map((name) => header(name))
    .filter((v): v is string => Boolean(v))
    .map((v) => Date.parse(v) - now)
    .filter((v) => Number.isFinite(v) && v >= 0);
  const all = [...resets, ...anthropic];
  return all.length ? Math.max(...all) : undefined;
}

function kindOf(status: number | undefined, err: Loose, message: string): LlmErrorKind {
  const text = message.toLowerCase();
  const name = typeof err.name === 'string' ? err.name : '';
  const code = typeof err.code === 'string' ? err.code : '';
  if (
    status === 402 ||
    /insufficient_quota|quota exceeded|exceeded your current quota|billing/.test(text)
  ) {
    return 'quota';
  }
  if (status === 429) return 'rate_limited';
  if (status === 401 || status === 403) return 'auth';
  if (status === 404) return 'not_found';
  if (status === 408 || status === 504) return 'timeout';
  if (status !== undefined && status >= 500) return 'server';
  if (status !== undefined && status >= 400) return 'bad_request';
  if (name === 'TimeoutError' || /timed? ?out|timeout/.test(text)) return 'timeout';
  if (
    ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_SOCKET'].includes(
      code,
    ) ||
    /fetch failed|socket hang up|econnrefused|econnreset|connection error|network/.test(text)
  ) {
    return 'server';
  }
  // An answer we could not read (truncated stream, invalid JSON from the server) is the vendor's fault.
  return 'server';
}

/** Any error a LangChain model or vendor SDK throws, as one LlmError with a kind and wait hint. */
export function classifyError(
  error: unknown,
  context: { provider: string; model: string },
): LlmError {
  if (error instanceof LlmError) return error;
  const err = asObject(error) ?? { message: String(error) };
  const rawMessage = typeof err.message === 'string' ? err.message : String(error);
  // LangChain appends a troubleshooting link; the vendor's own words are more useful.
  // Some vendors take the key in the URL (Gemini's `?key=`), and SDKs quote the URL in errors.
  const message =
    redactUrlsIn(rawMessage.split('\n\nTroubleshooting URL')[0].trim()) || 'model call failed';
  const status = statusOf(err);
  const kind = kindOf(status, err, message);
  return new LlmError(kind, `${context.provider}/${context.model}: ${message}`, {
    ...context,
    status,
    retryAfterMs: retryAfterMs(headersOf(err)),
  });
}
