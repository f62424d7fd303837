import { DomainError, ValidationFailedError } from '@ps/common';
import { LlmError, ModelConfigError } from './errors';

/**
 * Model errors as problem documents: a bad model config is the client's 400 naming the field
 * (under `prefix`); a vendor failure is a 502 (504 for timeouts) carrying the classified kind.
 */
export function llmErrorToDomain(error: unknown, prefix = 'model_config'): unknown {
  if (error instanceof ModelConfigError) {
    const field = `${prefix}.${error.field}`;
    return new ValidationFailedError([{ field, message: error.message }]);
  }
  if (error instanceof LlmError) {
    const extra = {
      kind: error.kind,
      provider: error.details.provider,
      model: error.details.model,
      upstream_status: error.details.status,
      attempts: error.details.attempts,
    };
    return new DomainError(
      error.kind === 'timeout' ? 'provider_timeout' : 'provider_error',
      error.message,
      [],
      extra,
    );
  }
  return error;
}
