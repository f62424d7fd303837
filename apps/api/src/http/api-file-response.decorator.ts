import { ApiOkResponse } from '@nestjs/swagger';
import type {
  ReferenceObject,
  SchemaObject,
} from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';

/** A text file (CSV, Markdown, HTML, JSON lines) in a media type's content. */
export const TEXT_FILE: SchemaObject = { type: 'string' };
/** A binary file (PDF). */
export const BINARY_FILE: SchemaObject = { type: 'string', format: 'binary' };

/**
 * Documents a 200 whose body is a file in one of several media types, each with its own schema
 * (JSON variants typed, text and binary ones as strings). `@ApiProduces` alone leaves a response
 * without a schema out of the document's content, so clients could not tell what they get.
 */
export const ApiFileResponse = (
  description: string,
  content: Record<string, SchemaObject | ReferenceObject>,
) =>
  ApiOkResponse({
    description,
    content: Object.fromEntries(
      Object.entries(content).map(([type, schema]) => [type, { schema }]),
    ),
  });
