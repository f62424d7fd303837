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

export class InvalidStateError extends DomainError {
  constructor(message: string) {
    super('invalid_state', message);
  }
}
