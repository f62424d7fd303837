import { getSchemaPath } from '@nestjs/swagger';
import type {
  ReferenceObject,
  SchemaObject,
} from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';

/** The name of the any-JSON-value schema in the document's components. */
export const JSON_VALUE = 'JsonValue';

/**
 * Any JSON value, defined by recursion rather than `additionalProperties: true`, so a generated
 * client gets a real type for values the user decides (model outputs, metric inputs).
 */
export const JSON_VALUE_SCHEMA: SchemaObject = {
  description: 'Any JSON value.',
  nullable: true,
  oneOf: [
    { type: 'string' },
    { type: 'number' },
    { type: 'boolean' },
    { type: 'array', items: { $ref: getSchemaPath(JSON_VALUE) } },
    { type: 'object', additionalProperties: { $ref: getSchemaPath(JSON_VALUE) } },
  ],
};

export const jsonValueRef = (): ReferenceObject => ({ $ref: getSchemaPath(JSON_VALUE) });
