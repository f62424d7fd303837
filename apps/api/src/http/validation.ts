import { type ArgumentMetadata, ValidationPipe, type ValidationError } from '@nestjs/common';
import { type FieldError, ValidationFailedError } from '@ps/common';

function flatten(errors: ValidationError[], parent = ''): FieldError[] {
  const out: FieldError[] = [];
  for (const error of errors) {
    const field = parent ? `${parent}.${error.property}` : error.property;
    for (const [constraint, message] of Object.entries(error.constraints ?? {})) {
      out.push({
        field,
        message: constraint === 'whitelistValidation' ? `${field} is not a known field.` : message,
      });
    }
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

/** Global pipe: unknown fields rejected, types transformed, every bad field listed at once. */
export function createValidationPipe(): ValidationPipe {
  return new ProductValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new ValidationFailedError(flatten(errors)),
  });
}
