import { Transform } from 'class-transformer';
import { registerDecorator, ValidateIf, type ValidationOptions } from 'class-validator';

/** Trims strings; leaves other types for the validators to reject. */
export const Trim = () =>
  Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value));

/** Query-string booleans: `true/false/1/0`; anything else stays as is and fails IsBoolean. */
export const QueryBoolean = () =>
  Transform(({ value }: { value: unknown }) => {
    if (value === 'true' || value === '1') return true;
    if (value === 'false' || value === '0') return false;
    return value;
  });

/** Query-string integers; non-numeric text stays text and fails IsInt with a clear message. */
export const QueryInt = () =>
  Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value,
  );

/** Comma-separated or repeated query values as a string array. */
export const QueryList = () =>
  Transform(({ value }: { value: unknown }): unknown => {
    const list: unknown = typeof value === 'string' ? [value] : value;
    if (!Array.isArray(list)) return list;
    return (list as unknown[])
      .flatMap((v) => (typeof v === 'string' ? v.split(',').map((s) => s.trim()) : [v]))
      .filter((v) => v !== '');
  });

export function IsPlainObject(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isPlainObject',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: `${String(propertyName)} must be a JSON object`, ...options },
      validator: {
        validate: (value: unknown) =>
          value !== null && typeof value === 'object' && !Array.isArray(value),
      },
    });
}

/**
 * The field may be left out, but `null` is validated like any other value (and so rejected by
 * the type checks). class-validator's IsOptional would let `null` through to the database.
 */
export const Optional = () => ValidateIf((_object, value: unknown) => value !== undefined);

/** The field may be left out or set to `null` (to clear it); other values are validated. */
export const Nullable = () =>
  ValidateIf((_object, value: unknown) => value !== undefined && value !== null);
