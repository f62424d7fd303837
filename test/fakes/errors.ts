import { STATUS_CODES } from 'node:http';
import type { FakeProtocol } from './types';
import { retryAfterSeconds } from './wire';

/**
 * Error bodies in each vendor's JSON shape. The SDKs build their error objects (and the message a
 * classifier may pattern-match) from these fields, so the shapes follow the real APIs.
 */

export function defaultErrorMessage(status: number): string {
  if (status === 429) return 'Rate limit exceeded (injected by the fake LLM server)';
  return `${STATUS_CODES[status] ?? 'Error'} (injected by the fake LLM server)`;
}

export function vendorErrorBody(
  protocol: FakeProtocol,
  status: number,
  message: string,
  headers?: Record<string, string>,
): unknown {
  switch (protocol) {
    case 'openai':
      return openAiError(status, message);
    case 'azure':
      return { error: { code: status === 404 ? 'DeploymentNotFound' : String(status), message } };
    case 'mistral':
      return { object: 'error', message, type: mistralType(status), param: null, code: null };
    case 'anthropic':
      return { type: 'error', error: { type: anthropicType(status), message } };
    case 'gemini':
      return geminiError(status, message, retryAfterSeconds(headers));
    case 'cohere':
      return { message };
    case 'ollama':
      return { error: message };
  }
}

/** openai's APIError copies `error.type` / `error.code` onto the thrown error. */
function openAiError(status: number, message: string): unknown {
  const [type, code] = ((): [string, string | null] => {
    if (status === 401) return ['invalid_request_error', 'invalid_api_key'];
    if (status === 404) return ['invalid_request_error', 'model_not_found'];
    if (status === 429) return ['requests', 'rate_limit_exceeded'];
    if (status >= 500) return ['server_error', null];
    return ['invalid_request_error', null];
  })();
  return { error: { message, type, param: null, code } };
}

function mistralType(status: number): string {
  if (status === 429) return 'rate_limited';
  return status >= 500 ? 'internal_server_error' : 'invalid_request_error';
}

const ANTHROPIC_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  529: 'overloaded_error',
};

function anthropicType(status: number): string {
  return ANTHROPIC_TYPES[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
}

const GOOGLE_STATUS: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ABORTED',
  429: 'RESOURCE_EXHAUSTED',
  499: 'CANCELLED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

/**
 * The Gemini SDK drops response headers, so like the real API the wait is also given as a
 * google.rpc.RetryInfo detail, which the SDK surfaces as `errorDetails`.
 */
function geminiError(status: number, message: string, retryAfter: number | undefined): unknown {
  const details =
    retryAfter === undefined
      ? undefined
      : [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${retryAfter}s` }];
  return {
    error: { code: status, message, status: GOOGLE_STATUS[status] ?? 'UNKNOWN', details },
  };
}
