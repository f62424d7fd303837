import type { ValueTransformer } from 'typeorm';

/**
 * PostgreSQL returns bigint and numeric as strings (node-postgres) or bigint (PGlite). Ids and
 * counters in this product stay far below 2^53, so they are exposed as plain numbers.
 */
export const numberTransformer: ValueTransformer = {
  to: (value: unknown) => value,
  from: (value: unknown) => (value === null || value === undefined ? value : Number(value)),
};

export const numberArrayTransformer: ValueTransformer = {
  to: (value: unknown) => value,
  from: (value: unknown) =>
    Array.isArray(value) ? value.map((v) => Number(v as string | number | bigint)) : value,
};
