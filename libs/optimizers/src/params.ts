import type { ParameterSpec } from './types';

/** One invalid strategy parameter, in the shape the API turns into a 400 (FieldError). */
export interface ParameterFieldError {
  /** `strategy_params.<name>` (or deeper for array items). */
  field: string;
  message: string;
}

/** Strategy parameters that are not valid; `errors` names every offending field. */
export class ParameterError extends Error {
  constructor(readonly errors: ParameterFieldError[]) {
    super(errors.map((e) => `${e.field}: ${e.message}`).join(' '));
    this.name = 'ParameterError';
  }
}

const ROOT = 'strategy_params';

/** The allowed range of a numeric spec, as a phrase ("between 1 and 50", "at least 0"). */
export function rangeText(spec: Pick<ParameterSpec, 'minimum' | 'maximum'>): string {
  const { minimum: min, maximum: max } = spec;
  if (min !== undefined && max !== undefined) return `between ${min} and ${max}`;
  if (min !== undefined) return `at least ${min}`;
  if (max !== undefined) return `at most ${max}`;
  return 'any number';
}

function checkNumber(
  spec: Pick<ParameterSpec, 'minimum' | 'maximum'>,
  integer: boolean,
  value: unknown,
  label: string,
): string | null {
  const kind = integer ? 'an integer' : 'a number';
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    (integer && !Number.isInteger(value))
  ) {
    return `${label} must be ${kind} ${rangeText(spec)}.`;
  }
  if (
    (spec.minimum !== undefined && value < spec.minimum) ||
    (spec.maximum !== undefined && value > spec.maximum)
  ) {
    return `${label} must be ${kind} ${rangeText(spec)} (got ${value}).`;
  }
  return null;
}

function checkValue(spec: ParameterSpec, value: unknown, errors: ParameterFieldError[]): void {
  const field = `${ROOT}.${spec.name}`;
  const push = (message: string | null, at = field) => {
    if (message) errors.push({ field: at, message });
  };
  switch (spec.type) {
    case 'integer':
    case 'number':
      push(checkNumber(spec, spec.type === 'integer', value, spec.name));
      return;
    case 'boolean':
      if (typeof value !== 'boolean') push(`${spec.name} must be true or false.`);
      return;
    case 'string':
      if (typeof value !== 'string') push(`${spec.name} must be a string.`);
      return;
    case 'enum':
      if (typeof value !== 'string' || !(spec.values ?? []).includes(value)) {
        push(`${spec.name} must be one of ${(spec.values ?? []).join(', ')}.`);
      }
      return;
    case 'array': {
      if (!Array.isArray(value)) {
        push(`${spec.name} must be an array.`);
        return;
      }
      if (spec.minItems !== undefined && value.length < spec.minItems) {
        push(`${spec.name} must have at least ${spec.minItems} item(s).`);
      }
      if (spec.maxItems !== undefined && value.length > spec.maxItems) {
        push(`${spec.name} must have at most ${spec.maxItems} item(s).`);
      }
      const items = spec.items ?? 'string';
      value.forEach((item: unknown, i) => {
        const at = `${field}.${i}`;
        if (items === 'string') {
          if (typeof item !== 'string') push(`${spec.name}[${i}] must be a string.`, at);
        } else {
          push(checkNumber(spec, items === 'integer', item, `${spec.name}[${i}]`), at);
        }
      });
      return;
    }
  }
}

/**
 * Validates strategy parameters against their specs and fills defaults: types, ranges, enum
 * values; unknown keys are rejected. Throws ParameterError naming every offending
 * `strategy_params.<name>` with the allowed range. Returns a fresh object with every parameter.
 */
export function parseParameters<P>(specs: readonly ParameterSpec[], input: unknown): P {
  if (input === undefined || input === null) input = {};
  if (typeof input !== 'object' || Array.isArray(input)) {
    throw new ParameterError([{ field: ROOT, message: 'strategy_params must be an object.' }]);
  }
  const record = input as Record<string, unknown>;
  const errors: ParameterFieldError[] = [];
  const known = new Set(specs.map((s) => s.name));
  for (const key of Object.keys(record)) {
    if (!known.has(key)) {
      errors.push({
        field: `${ROOT}.${key}`,
        message: `Unknown parameter ${key}. This strategy accepts: ${specs.map((s) => s.name).join(', ') || 'none'}.`,
      });
    }
  }
  const out: Record<string, unknown> = {};
  for (const spec of specs) {
    const given = record[spec.name];
    if (given === undefined) {
      out[spec.name] = structuredClone(spec.default);
      continue;
    }
    if (given === null) {
      if (spec.nullable || spec.default === null) out[spec.name] = null;
      else errors.push({ field: `${ROOT}.${spec.name}`, message: `${spec.name} cannot be null.` });
      continue;
    }
    const before = errors.length;
    checkValue(spec, given, errors);
    if (errors.length === before) out[spec.name] = structuredClone(given);
  }
  if (errors.length) throw new ParameterError(errors);
  return out as P;
}
