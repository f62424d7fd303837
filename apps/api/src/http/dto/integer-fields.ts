import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { IsInt, Max, Min } from 'class-validator';
import { QueryInt } from './transforms';

/**
 * Ids are PostgreSQL bigints, but a JSON number is exact only up to 2^53 − 1: a larger id could
 * not be written back unchanged, so the API never accepts one.
 */
export const MAX_ID = Number.MAX_SAFE_INTEGER;

/** PostgreSQL `integer` columns (version numbers). */
export const MAX_INT4 = 2_147_483_647;

export interface IntFieldOptions {
  min: number;
  max: number;
  /** Validate every item of an array. */
  each?: boolean;
  /** Parse query-string text first. */
  query?: boolean;
}

/**
 * A bounded integer, validated and documented from one declaration (`type: integer`, `minimum`,
 * `maximum`). An IsInt without Max lets 1e300 reach the database, which fails with a 500.
 * Put it above ApiProperty: the decorator nearest the property name is applied first and the
 * one above it merges over it, so this one decides the type and bounds.
 */
export function IntField(options: IntFieldOptions): PropertyDecorator {
  const { min, max, each = false, query = false } = options;
  const schema = { type: 'integer', minimum: min, maximum: max } as const;
  return applyDecorators(
    ...(query ? [QueryInt()] : []),
    IsInt({ each }),
    Min(min, { each }),
    Max(max, { each }),
    ApiProperty(each ? { type: 'array', items: schema } : schema),
  );
}

/** An id (1 … 2^53 − 1). */
export const IdField = (options: Omit<IntFieldOptions, 'min' | 'max'> = {}): PropertyDecorator =>
  IntField({ min: 1, max: MAX_ID, ...options });

/** A prompt version number (1 … 2^31 − 1, a PostgreSQL integer). */
export const VersionField = (options: Omit<IntFieldOptions, 'min' | 'max'> = {}) =>
  IntField({ min: 1, max: MAX_INT4, ...options });
