/** Why a model call failed, as the rest of the product reasons about it. */
export type LlmErrorKind =
  'rate_limited' | 'auth' | 'quota' | 'not_found' | 'timeout' | 'server' | 'bad_request';

/** Kinds that no retry can fix: the run must stop and tell the user why. */
export const TERMINAL_KINDS: ReadonlySet<LlmErrorKind> = new Set(['auth', 'quota', 'not_found']);
/** Kinds worth another attempt after a wait. */
export const RETRYABLE_KINDS: ReadonlySet<LlmErrorKind> = new Set([
  'rate_limited',
  'timeout',
  'server',
]);

export class LlmError extends Error {
  override readonly name = 'LlmError';

  constructor(
    readonly kind: LlmErrorKind,
    message: string,
    readonly details: {
      provider?: string;
      model?: string;
      status?: number;
      /** Wait the vendor asked for, from Retry-After and friends. */
      retryAfterMs?: number;
      attempts?: number;
      /** Set when a retry would do harm (tokens of a failed attempt already reached the caller). */
      final?: boolean;
    } = {},
  ) {
    super(message);
  }

  get terminal(): boolean {
    return TERMINAL_KINDS.has(this.kind);
  }

  get retryable(): boolean {
    return RETRYABLE_KINDS.has(this.kind);
  }
}

/** A model config the product cannot run: unknown provider or model, bad parameter, no key. */
export class ModelConfigError extends Error {
  override readonly name = 'ModelConfigError';

  constructor(
    /** Dotted path of the offending field inside the model config, e.g. `parameters.top_p`. */
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}
