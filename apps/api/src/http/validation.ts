import { type ArgumentMetadata, ValidationPipe, type ValidationError } from '@nestjs/common';
import { type FieldError, ValidationFailedError } from '@ps/common';

/**
 * The order in which a field's failed checks are worth reporting: a wrong type or shape makes
 * the length and range checks meaningless, so only the first applicable message is kept.
 */
const TYPE_CHECKS = new Set([
  'isDefined',
  'isString',
  'isInt',
  'isNumber',
  'isBoolean',
  'isArray',
  'isPlainObject',
  'isObject',
  'isObjectOrString',
  'nestedValidation',
]);
const RANGE_CHECKS = new Set([
  'min',
  'max',
  'minLength',
  'maxLength',
  'arrayMinSize',
  'arrayMaxSize',
  'arrayUnique',
]);

function rank(constraint: string): number {
  if (constraint === 'whitelistValidation') return 0;
  if (TYPE_CHECKS.has(constraint)) return 1;
  if (RANGE_CHECKS.has(constraint)) return 3;
  return 2; // formats and content: isIn, isEmail, matches, isNotEmpty, isISO8601, custom checks
}

/** One message for the field: missing, else the first failed check in the order above. */
function messageOf(error: ValidationError, field: string): string | undefined {
  const constraints = Object.entries(error.constraints ?? {});
  if (!constraints.length) return undefined;
  const [constraint, message] = constraints.reduce((best, c) =>
    rank(c[0]) < rank(best[0]) ? c : best,
  );
  if (constraint === 'whitelistValidation') return `${field} is not a known field.`;
  // Optional fields skip validation when left out, so a failure on no value means required.
  if (error.value === undefined) return `${error.property} is required.`;
  return message;
}

function flatten(errors: ValidationError[], parent = ''): FieldError[] {
  const out: FieldError[] = [];
  for (const error of errors) {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const message = messageOf(error, field);
    if (message) out.push({ field, message });
    if (error.children?.length) out.push(...flatten(error.children, field));
  }
  return out;
}

/** Paths of every string (value or key) holding U+0000, which PostgreSQL text cannot store. */
function nulPaths(value: unknown, path: string, out: string[]): string[] {
  if (typeof value === 'string') {
    if (value.includes('\u0000')) out.push(path);
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => nulPaths(item, path ? `${path}.${i}` : String(i), out));
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      const child = path ? `${path}.${key}` : key;
      if (key.includes('\u0000')) out.push(child);
      nulPaths(item, child, out);
    }
  }
  return out;
}

/** Bodies bound to a DTO class must be JSON objects; arrays and scalars are named as such. */
class ProductValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    // Path parameters are parsed by their own pipes (IdParamPipe), which see the raw text.
    if (metadata.type === 'param') return value;
    if (
      metadata.type === 'body' &&
      metadata.metatype &&
      typeof metadata.metatype === 'function' &&
      !([String, Number, Boolean, Array, Object] as unknown[]).includes(metadata.metatype) &&
      value !== undefined &&
      (value === null || typeof value !== 'object' || Array.isArray(value))
    ) {
      throw new ValidationFailedError([
        { field: 'body', message: 'The request body must be a JSON object.' },
      ]);
    }
    if (metadata.type === 'body' || metadata.type === 'query') {
      const paths = nulPaths(value, '', []);
      if (paths.length) {
        throw new ValidationFailedError(
          paths.map((field) => ({
            field: field || metadata.type,
            message: 'must not contain the NUL character (U+0000).',
          })),
        );
      }
    }
    // No body at all is an empty object: routes whose fields are all optional accept it.
    const body = metadata.type === 'body' && value === undefined ? {} : value;
    return super.transform(body, metadata);
  }
}

/**
 * Global pipe: unknown fields rejected, types transformed, every bad field listed at once with
 * one message each.
 */
export function createValidationPipe(): ValidationPipe {
  return new ProductValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    // Values are kept to tell a missing field from a bad one; they never reach the response.
    validationError: { target: false, value: true },
    exceptionFactory: (errors) => new ValidationFailedError(flatten(errors)),
  });
}
