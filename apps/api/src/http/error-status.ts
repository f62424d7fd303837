import type { ErrorCode } from '@ps/common';

/** The one table from error codes to HTTP statuses. Exhaustive by type: a new code must be added. */
export const ERROR_STATUS: Record<ErrorCode, { status: number; title: string }> = {
  validation_failed: { status: 400, title: 'Validation failed' },
  invalid_json: { status: 400, title: 'Malformed JSON body' },
  limit_exceeded: { status: 400, title: 'Limit exceeded' },
  unauthenticated: { status: 401, title: 'Authentication required' },
  invalid_credentials: { status: 401, title: 'Invalid credentials' },
  forbidden: { status: 403, title: 'Forbidden' },
  not_found: { status: 404, title: 'Not found' },
  route_not_found: { status: 404, title: 'No such route' },
  conflict: { status: 409, title: 'Conflict' },
  invalid_state: { status: 409, title: 'Invalid state' },
  idempotency_in_progress: { status: 409, title: 'Request with this Idempotency-Key in progress' },
  payload_too_large: { status: 413, title: 'Payload too large' },
  unsupported_media_type: { status: 415, title: 'Unsupported media type' },
  idempotency_key_reused: { status: 422, title: 'Idempotency-Key reused with another request' },
  rate_limited: { status: 429, title: 'Too many requests' },
  internal_error: { status: 500, title: 'Internal server error' },
  provider_error: { status: 502, title: 'Model provider error' },
  service_unavailable: { status: 503, title: 'Service unavailable' },
  provider_timeout: { status: 504, title: 'Model provider timed out' },
};
