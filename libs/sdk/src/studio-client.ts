import { type Client, createClient, createConfig } from './generated/client';
import { getEvaluation, getJob, getOptimization } from './generated/sdk.gen';
import type {
  EvaluationResponseDto,
  JobResponseDto,
  OptimizationResponseDto,
  ProblemDto,
} from './generated/types.gen';
import { type RetryOptions, retryingFetch } from './retry-fetch';

/**
 * The hand-written layer over the generated client: credentials, retries on 429/503 and waiting
 * for background work. Every generated operation takes `{ client: studio.client, ... }`.
 */

export interface StudioClientOptions {
  /** Where the API listens, e.g. http://localhost:8000 (no /api/v1 suffix). */
  baseUrl: string;
  /** An API key, sent as X-API-Key. */
  apiKey?: string;
  /** A bearer token (a JWT, or an API key), sent as Authorization: Bearer. */
  token?: string;
  /** Retries on 429/503 (see retryingFetch); `false` turns them off. */
  retry?: RetryOptions | false;
  /** The underlying fetch (default the global one). */
  fetch?: typeof fetch;
}

/** An answer outside 2xx, carrying the problem document when the server sent one. */
export class StudioApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Partial<ProblemDto> | undefined,
    readonly url: string,
  ) {
    super(
      `HTTP ${status}${problem?.code ? ` ${problem.code}` : ''}: ${
        problem?.detail ?? problem?.title ?? 'request failed'
      } (${url})`,
    );
    this.name = 'StudioApiError';
  }
}

export class WaitTimeoutError extends Error {
  constructor(what: string, timeoutMs: number, last: unknown) {
    super(`${what} did not finish in ${timeoutMs} ms; last state: ${JSON.stringify(last)}`);
    this.name = 'WaitTimeoutError';
  }
}

interface Answer<T> {
  data?: T;
  error?: unknown;
  response?: Response;
  request?: Request;
}

/** The data of a generated call's answer, or a StudioApiError. */
export async function unwrap<T>(call: Promise<Answer<T>> | Answer<T>): Promise<T> {
  const answer = await call;
  const response = answer.response;
  // No answer at all (connection refused, DNS, …): the fetch error says more than a status.
  if (!response && answer.error instanceof Error) throw answer.error;
  if (response && response.ok && answer.error === undefined) return answer.data as T;
  const problem =
    answer.error !== null && typeof answer.error === 'object'
      ? (answer.error as Partial<ProblemDto>)
      : undefined;
  throw new StudioApiError(response?.status ?? 0, problem, answer.request?.url ?? '');
}

export interface WaitOptions<T> {
  /** Give up after this long (default 10 minutes). */
  timeoutMs?: number;
  /** Poll interval (default 500 ms). */
  intervalMs?: number;
  /** Called with every state read, e.g. to draw progress. */
  onUpdate?: (state: T) => void;
  /** Stops the wait early. */
  signal?: AbortSignal;
}

const JOB_DONE = new Set(['completed', 'failed', 'cancelled']);
const RUN_DONE = new Set(['completed', 'failed', 'cancelled']);

export class StudioClient {
  readonly client: Client;

  constructor(readonly options: StudioClientOptions) {
    const baseFetch = options.fetch ?? globalThis.fetch;
    this.client = createClient(
      createConfig({
        baseUrl: options.baseUrl.replace(/\/+$/, ''),
        fetch:
          options.retry === false
            ? baseFetch
            : retryingFetch({ ...options.retry, fetch: baseFetch }),
        auth: (scheme) => {
          if (scheme.type === 'apiKey') return options.apiKey;
          if (scheme.scheme === 'bearer') return options.token;
          return undefined;
        },
      }),
    );
  }

  /** Polls a job until it is completed, failed or cancelled; returns its last state. */
  waitForJob(id: number, options: WaitOptions<JobResponseDto> = {}): Promise<JobResponseDto> {
    return this.poll(
      `job ${id}`,
      () => unwrap(getJob({ client: this.client, path: { id } })),
      (job) => JOB_DONE.has(job.status),
      options,
    );
  }

  /** Polls an evaluation until its run ends; returns the final evaluation (with summary). */
  waitForEvaluation(
    id: number,
    options: WaitOptions<EvaluationResponseDto> = {},
  ): Promise<EvaluationResponseDto> {
    return this.poll(
      `evaluation ${id}`,
      () => unwrap(getEvaluation({ client: this.client, path: { id } })),
      (evaluation) => RUN_DONE.has(evaluation.status),
      options,
    );
  }

  /** Polls an optimization until its run ends; returns the final optimization. */
  waitForOptimization(
    id: number,
    options: WaitOptions<OptimizationResponseDto> = {},
  ): Promise<OptimizationResponseDto> {
    return this.poll(
      `optimization ${id}`,
      () => unwrap(getOptimization({ client: this.client, path: { id } })),
      (optimization) => RUN_DONE.has(optimization.status),
      options,
    );
  }

  private async poll<T>(
    what: string,
    read: () => Promise<T>,
    done: (state: T) => boolean,
    options: WaitOptions<T>,
  ): Promise<T> {
    const timeoutMs = options.timeoutMs ?? 600_000;
    const intervalMs = options.intervalMs ?? 500;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      options.signal?.throwIfAborted();
      const state = await read();
      options.onUpdate?.(state);
      if (done(state)) return state;
      if (Date.now() >= deadline) throw new WaitTimeoutError(what, timeoutMs, state);
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
}

export function createStudioClient(options: StudioClientOptions): StudioClient {
  return new StudioClient(options);
}
