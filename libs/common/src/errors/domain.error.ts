import type { ErrorCode } from './error-codes';

export interface FieldError {
  /** Dotted path of the offending field in the request, e.g. `test_cases.3.name`. */
  field: string;
  message: string;
}

/**
 * Base of every error the product raises on purpose. Carries a stable code and works the same in
 * the API (mapped to a problem document) and in the worker (recorded on the job).
 */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly errors: FieldError[] = [],
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationFailedError extends DomainError {
  constructor(errors: FieldError[], message = 'The request is not valid.') {
    super('validation_failed', message, errors);
  }
}

export class NotFoundError extends DomainError {
  constructor(entity: string, id: number | string, field?: string) {
    super(
      'not_found',
      `${entity} ${id} was not found.`,
      field ? [{ field, message: `${entity} ${id} was not found.` }] : [],
    );
  }
}

export class ConflictError extends DomainError {
  constructor(message: string, errors: FieldError[] = []) {
    super('conflict', message, errors);
  }
}

export class LimitExceededError extends DomainError {
  constructor(message: string, errors: FieldError[] = [], extra: Record<string, unknown> = {}) {
    super('limit_exceeded', message, errors, extra);
  }
}

/** A request body or upload larger than the configured limit (413). */
export class PayloadTooLargeError extends DomainError {
  constructor(message: string, limitBytes: number) {
    super('payload_too_large', message, [], { limit_bytes: limitBytes });
  }
}

export class InvalidStateError extends DomainError {
  constructor(message: string) {
    super('invalid_state', message);
  }
}

/** No credentials were sent. */
export class UnauthenticatedError extends DomainError {
  constructor(message = 'Send an API key in X-API-Key or a bearer token in Authorization.') {
    super('unauthenticated', message);
  }
}

/** Credentials were sent but are unknown, revoked, expired or otherwise unacceptable. */
export class InvalidCredentialsError extends DomainError {
  constructor(message: string) {
    super('invalid_credentials', message);
  }
}

/** Authenticated, but the role or key scopes do not allow this operation. */
export class ForbiddenError extends DomainError {
  constructor(message: string) {
    super('forbidden', message);
  }
}

export class RateLimitedError extends DomainError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super('rate_limited', message, [], { retry_after: retryAfterSeconds });
  }
}
