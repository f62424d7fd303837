/**
 * Stable machine-readable error codes. Clients switch on these, so never rename one.
 * Every code has exactly one HTTP status in apps/api/src/http/error-status.ts.
 */
export const ERROR_CODES = [
  'validation_failed',
  'unauthenticated',
  'invalid_credentials',
  'forbidden',
  'rate_limited',
  'invalid_json',
  'not_found',
  'route_not_found',
  'conflict',
  'limit_exceeded',
  'invalid_state',
  'idempotency_key_reused',
  'idempotency_in_progress',
  'payload_too_large',
  'unsupported_media_type',
  'service_unavailable',
  'provider_error',
  'provider_timeout',
  'internal_error',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];
