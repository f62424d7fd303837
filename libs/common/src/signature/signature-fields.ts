import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import type { FieldError } from '../errors/domain.error';

export const SIGNATURE_FIELD_TYPES = [
  'string',
  'integer',
  'number',
  'boolean',
  'array',
  'object',
] as const;
export type SignatureFieldType = (typeof SIGNATURE_FIELD_TYPES)[number];

export interface SignatureFieldSpec {
  name: string;
  type: SignatureFieldType;
  description?: string;
  required: boolean;
}

export interface FieldsValidation {
  valid: boolean;
  errors: FieldError[];
  /** Keys present in the values that the schema does not declare. Informational. */
  unknown_fields: string[];
}

const ajv = new Ajv({ allErrors: true, strict: true });
const compiled = new WeakMap<SignatureFieldSpec[], ValidateFunction>();

/** The JSON Schema a list of signature fields stands for. */
export function fieldsToJsonSchema(fields: SignatureFieldSpec[]): Record<string, unknown> {
  return {
    type: 'object',
    properties: Object.fromEntries(
      fields.map((f) => [
        f.name,
        { type: f.type, ...(f.description ? { description: f.description } : {}) },
      ]),
    ),
    required: fields.filter((f) => f.required).map((f) => f.name),
    additionalProperties: true,
  };
}

function describe(error: ErrorObject, root: string): FieldError {
  const path = error.instancePath.split('/').filter(Boolean).join('.');
  if (error.keyword === 'required') {
    const missing = (error.params as { missingProperty: string }).missingProperty;
    const field = [root, path, missing].filter(Boolean).join('.');
    return { field, message: `${missing} is required.` };
  }
  const field = [root, path].filter(Boolean).join('.');
  return { field, message: `${path || root} ${error.message ?? 'is invalid'}.` };
}

/** Checks values (a test case's inputs or a model's parsed output) against signature fields. */
export function validateFields(
  fields: SignatureFieldSpec[],
  values: Record<string, unknown>,
  root: string,
): FieldsValidation {
  let validate = compiled.get(fields);
  if (!validate) {
    validate = ajv.compile(fieldsToJsonSchema(fields));
    compiled.set(fields, validate);
  }
  const valid = validate(values);
  const declared = new Set(fields.map((f) => f.name));
  return {
    valid,
    errors: valid ? [] : (validate.errors ?? []).map((e) => describe(e, root)),
    unknown_fields: Object.keys(values).filter((k) => !declared.has(k)),
  };
}
