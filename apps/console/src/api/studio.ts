import { type Client, createClient, createConfig } from '@sdk/generated/client';
import type { ProblemDto } from '@sdk/generated/types.gen';

/**
 * The console's only way to the API: the generated SDK's client (libs/sdk/src/generated),
 * configured with the credentials of the session. Every view calls the generated operations
 * with `{ client }` and reads their answers through `unwrap`.
 */

export * from '@sdk/generated/sdk.gen';
export type * from '@sdk/generated/types.gen';

export type CredentialKind = 'api_key' | 'bearer';

export interface Credentials {
  kind: CredentialKind;
  secret: string;
}

/** The API is the server that serves the console (or the dev server's proxy in front of it). */
export function apiBaseUrl(): string {
  return window.location.origin;
}

export function createStudioClient(credentials: Credentials): Client {
  return createClient(
    createConfig({
      baseUrl: apiBaseUrl(),
      auth: (scheme) => {
        if (credentials.kind === 'api_key')
          return scheme.type === 'apiKey' ? credentials.secret : undefined;
        return scheme.scheme === 'bearer' ? credentials.secret : undefined;
      },
    }),
  );
}

/** An answer outside 2xx, with the problem document the API sent (RFC 9457). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Partial<ProblemDto> | undefined,
  ) {
    super(
      problem?.detail ??
        problem?.title ??
        (status === 0 ? 'The server could not be reached.' : `Request failed (HTTP ${status}).`),
    );
    this.name = 'ApiError';
  }

  /** Field errors by field name (`test_cases.3.name` → message). */
  get fields(): Record<string, string> {
    return Object.fromEntries((this.problem?.errors ?? []).map((e) => [e.field, e.message]));
  }
}

interface Answer<T> {
  data?: T;
  error?: unknown;
  response?: Response;
}

/** The data of a generated call's answer, or an ApiError carrying the problem document. */
export async function unwrap<T>(call: Promise<Answer<T>>): Promise<T> {
  let answer: Answer<T>;
  try {
    answer = await call;
  } catch (err) {
    throw err instanceof Error ? new ApiError(0, { detail: err.message }) : err;
  }
  const response = answer.response;
  if (response?.ok && answer.error === undefined) return answer.data as T;
  const problem =
    answer.error !== null && typeof answer.error === 'object'
      ? (answer.error as Partial<ProblemDto>)
      : undefined;
  throw new ApiError(response?.status ?? 0, problem);
}

/** Like unwrap, for file answers: the data and the file name the server suggests. */
export async function unwrapFile(
  call: Promise<Answer<unknown>>,
  fallbackName: string,
): Promise<{ blob: Blob; filename: string }> {
  const answer = await call;
  const data = await unwrap(Promise.resolve(answer));
  const disposition = answer.response?.headers.get('content-disposition') ?? '';
  const match = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition);
  const type = answer.response?.headers.get('content-type') ?? 'application/octet-stream';
  const blob =
    data instanceof Blob
      ? data
      : new Blob([typeof data === 'string' ? data : JSON.stringify(data, null, 2)], { type });
  return { blob, filename: match ? decodeURIComponent(match[1]) : fallbackName };
}

export type { Client };

/** The field errors of a failed request (none for other failures). */
export function fieldErrors(error: unknown): Record<string, string> {
  return error instanceof ApiError ? error.fields : {};
}
