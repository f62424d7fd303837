import type { Type } from '@nestjs/common';
import type { OpenAPIObject } from '@nestjs/swagger';
import type {
  ParameterObject,
  ReferenceObject,
  SchemaObject,
} from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { DECORATORS } from '@nestjs/swagger/dist/constants';
import { getMetadataStorage } from 'class-validator';
import type { CatalogRoute } from './route-catalog';

/** What this module reads of a class-validator check. */
export interface ValidationMetadata {
  /** `customValidation` for most decorators (then `name` says which), `nestedValidation`, … */
  type: string;
  name?: string;
  propertyName: string;
  constraints?: unknown[];
  each: boolean;
}

/** The class-validator checks on each property of a DTO class (its ancestors' included). */
export function validatorsOf(dto: Type): Map<string, ValidationMetadata[]> {
  const byProperty = new Map<string, ValidationMetadata[]>();
  const storage = getMetadataStorage();
  for (const meta of storage.getTargetValidationMetadatas(
    dto,
    '',
    false,
    false,
  ) as ValidationMetadata[]) {
    const list = byProperty.get(meta.propertyName) ?? [];
    list.push(meta);
    byProperty.set(meta.propertyName, list);
  }
  return byProperty;
}

const PLAIN: unknown[] = [String, Number, Boolean, Object, Array];

/** The DTO class a nested property holds, as its ApiProperty declares it (`type: X` or `[X]`). */
export function nestedClassOf(dto: Type, property: string): Type | undefined {
  const meta = Reflect.getMetadata(
    DECORATORS.API_MODEL_PROPERTIES,
    dto.prototype as object,
    property,
  ) as { type?: unknown } | undefined;
  const type = meta?.type;
  return typeof type === 'function' && !PLAIN.includes(type) ? (type as Type) : undefined;
}

/** The name a check is known by (`isInt`, `max`, `nestedValidation`, …). */
export const checkName = (meta: ValidationMetadata): string => meta.name ?? meta.type;

const isRef = (value: object | undefined): value is ReferenceObject =>
  Boolean(value && '$ref' in value);

function resolve(
  document: OpenAPIObject,
  schema: SchemaObject | ReferenceObject | undefined,
): SchemaObject | undefined {
  if (!schema) return undefined;
  if (isRef(schema)) {
    return document.components?.schemas?.[schema.$ref.split('/').pop() ?? ''] as
      SchemaObject | undefined;
  }
  if (schema.allOf?.length === 1) return resolve(document, schema.allOf[0]);
  return schema;
}

/**
 * Writes what the validators of one property enforce into its schema: integer type, bounds,
 * lengths, enums and array sizes. Checks with `each` describe the items of an array.
 */
export function applyChecks(schema: SchemaObject, checks: ValidationMetadata[]): void {
  // `each` checks describe the items; items that are other schemas ($ref) are left alone.
  const itemsOf = (): SchemaObject | undefined => {
    if (!schema.items) schema.items = {};
    return isRef(schema.items) ? undefined : schema.items;
  };
  for (const meta of checks) {
    const [first] = meta.constraints ?? [];
    const name = checkName(meta);
    if (name === 'arrayMinSize') schema.minItems = first as number;
    else if (name === 'arrayMaxSize') schema.maxItems = first as number;
    else if (name === 'arrayUnique') schema.uniqueItems = true;
    if (!ITEM_CHECKS.has(name)) continue;
    const target = meta.each ? itemsOf() : schema;
    if (!target) continue;
    if (name === 'isInt') target.type = 'integer';
    else if (name === 'min') target.minimum = first as number;
    else if (name === 'max') target.maximum = first as number;
    else if (name === 'minLength') target.minLength = first as number;
    else if (name === 'maxLength') target.maxLength = first as number;
    else if (name === 'isIn') target.enum = [...(first as unknown[])];
    else if (name === 'isNotEmpty' && target.type === 'string') target.minLength ??= 1;
  }
}

const ITEM_CHECKS = new Set([
  'isInt',
  'min',
  'max',
  'minLength',
  'maxLength',
  'isIn',
  'isNotEmpty',
]);

/**
 * Makes the document say exactly what the validation pipe enforces on every body and query DTO
 * a route takes, including nested DTOs: the ApiProperty options then only carry descriptions,
 * examples and defaults, and cannot drift from the checks.
 */
export function applyValidationToDocument(
  document: OpenAPIObject,
  routes: Map<string, CatalogRoute>,
  operationsOf: (document: OpenAPIObject) => [string, string, { operationId?: string } & object][],
): void {
  const done = new Set<Type>();
  const describeClass = (dto: Type, schema: SchemaObject | undefined): void => {
    if (!schema?.properties || done.has(dto)) return;
    done.add(dto);
    for (const [property, checks] of validatorsOf(dto)) {
      const propertySchema = schema.properties[property];
      if (!propertySchema || isRef(propertySchema)) continue;
      const target = propertySchema.allOf ? undefined : propertySchema;
      if (target) applyChecks(target, checks);
      const nested = nestedClassOf(dto, property);
      if (nested && checks.some((c) => checkName(c) === 'nestedValidation')) {
        describeClass(nested, resolve(document, propertySchema.items ?? propertySchema));
      }
    }
  };
  for (const [, , operation] of operationsOf(document)) {
    const route = operation.operationId ? routes.get(operation.operationId) : undefined;
    if (!route) continue;
    const op = operation as {
      parameters?: (ParameterObject | ReferenceObject)[];
      requestBody?: { content?: Record<string, { schema?: SchemaObject | ReferenceObject }> };
    };
    for (const param of route.params) {
      if (!param.type || param.name) continue;
      if (param.kind === 'query') {
        for (const [property, checks] of validatorsOf(param.type)) {
          const parameter = op.parameters?.find(
            (p): p is ParameterObject => !isRef(p) && p.in === 'query' && p.name === property,
          );
          if (parameter?.schema && !isRef(parameter.schema)) applyChecks(parameter.schema, checks);
        }
      } else if (param.kind === 'body') {
        const schema = op.requestBody?.content?.['application/json']?.schema;
        describeClass(param.type, resolve(document, schema));
      }
    }
  }
}
