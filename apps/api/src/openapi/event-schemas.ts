import type {
  ReferenceObject,
  SchemaObject,
} from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { EVENT_PAYLOAD_SCHEMAS, EVENT_TYPES, type EventType } from '@ps/events';
import { z } from 'zod';

/** `evaluation_progress` → `EvaluationProgressEvent`. */
export function eventSchemaName(type: EventType): string {
  return `${type.replace(/(^|_)([a-z])/g, (_m, _sep, c: string) => c.toUpperCase())}Event`;
}

/** The `StudioEvent` union (by `type`) in the document's components. */
export const STUDIO_EVENT_SCHEMA = 'StudioEvent';

/**
 * One schema per event, `{type, data, project_id, timestamp}` with its payload, plus the union
 * of all of them: the payloads come from the same zod schemas the publishers are typed by.
 */
export function eventSchemas(): Record<string, SchemaObject> {
  const out: Record<string, SchemaObject> = {};
  const refs: ReferenceObject[] = [];
  const mapping: Record<string, string> = {};
  for (const type of EVENT_TYPES) {
    const {
      description,
      $schema: _dialect,
      ...data
    } = z.toJSONSchema(EVENT_PAYLOAD_SCHEMAS[type], {
      target: 'openapi-3.0',
    }) as SchemaObject & { $schema?: string };
    const name = eventSchemaName(type);
    const ref = `#/components/schemas/${name}`;
    out[name] = {
      type: 'object',
      description: `\`${type}\`: ${description ?? ''}`.trim(),
      properties: {
        type: { type: 'string', enum: [type] },
        data,
        project_id: {
          type: 'integer',
          nullable: true,
          description: 'The project it belongs to (its room is project:<id>).',
        },
        timestamp: { type: 'string', format: 'date-time' },
      },
      required: ['type', 'data', 'project_id', 'timestamp'],
      additionalProperties: false,
    };
    refs.push({ $ref: ref });
    mapping[type] = ref;
  }
  out[STUDIO_EVENT_SCHEMA] = {
    description:
      'Any live event, as delivered over Socket.IO, WebSocket and Server-Sent Events ' +
      '(GET /events); `type` says which.',
    oneOf: refs,
    discriminator: { propertyName: 'type', mapping },
  };
  return out;
}
