import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { DependencyCheckDto } from '@ps/common';
import { FieldErrorDto, ProblemDto } from '../http/problem.dto';

export const API_TITLE = 'Prompt Studio API';
export const API_VERSION = '0.1.0';

/**
 * Builds the OpenAPI document from the running app's routes. operationIds are the controller
 * method names (unique verb-nouns), which become the SDK's method names; a duplicate is a bug
 * and stops start-up.
 */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle(API_TITLE)
    .setDescription(
      'Version prompts, build test sets, evaluate prompts against metrics and models, and ' +
        'optimize them. Errors are RFC 9457 problem documents (application/problem+json) with a ' +
        'stable `code`. Every create accepts an `Idempotency-Key` header.',
    )
    .setVersion(API_VERSION)
    .build();
  const document = SwaggerModule.createDocument(app, config, {
    operationIdFactory: (_controllerKey, methodKey) => methodKey,
    extraModels: [ProblemDto, FieldErrorDto, DependencyCheckDto],
  });
  assertUniqueOperationIds(document);
  return document;
}

export function assertUniqueOperationIds(document: OpenAPIObject): void {
  const seen = new Map<string, string>();
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      const id = (operation as { operationId?: string } | undefined)?.operationId;
      if (!id) continue;
      const where = `${method.toUpperCase()} ${path}`;
      const previous = seen.get(id);
      if (previous) throw new Error(`Duplicate operationId "${id}": ${previous} and ${where}.`);
      seen.set(id, where);
    }
  }
}

/** Stable JSON for the committed file: two-space indent and a trailing newline. */
export function serializeOpenApi(document: OpenAPIObject): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}
