import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type {
  OperationObject,
  ParameterObject,
  SchemaObject,
} from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { DependencyCheckDto } from '@ps/common';
import { modelParametersSchema } from '@ps/llm';
import { z } from 'zod';
import { problemResponse } from '../http/api-problems.decorator';
import { IntParamPipe } from '../http/id-param.pipe';
import { FieldErrorDto, ProblemDto } from '../http/problem.dto';
import { type CatalogRoute, routeCatalog } from './route-catalog';
import { JSON_VALUE, JSON_VALUE_SCHEMA } from '../http/dto/json-value';
import { MODEL_PARAMETERS } from '../modules/prompts/dto/prompt-parts.dto';
import { eventSchemas } from './event-schemas';
import { applyValidationToDocument } from './validation-schema';

export const API_TITLE = 'Prompt Studio API';
export const API_VERSION = '0.1.0';

/** Names of the security schemes; every operation that needs credentials lists both. */
export const API_KEY_SCHEME = 'api_key';
export const BEARER_SCHEME = 'bearer';

/** The tags operations are grouped by (each controller's @ApiTags), in the order docs show them. */
export const API_TAGS: Record<string, string> = {
  projects: 'Projects: the unit that holds signatures, prompts, test cases and runs.',
  signatures: 'Typed inputs and outputs (DSPy-style) that prompts and test cases follow.',
  prompts: 'Prompts and their immutable versions; render, execute, revert.',
  'test-cases': 'Test sets: create, bulk, import, export, templates and generation.',
  evaluations: 'Evaluation runs (jobs), their results, reports and paired comparisons.',
  optimizations: 'Optimizer runs (jobs) over a prompt, their candidates and strategies.',
  metrics: 'The metric catalogue, and one metric computed on one pair.',
  providers: 'The model providers and models this install can use (never their keys).',
  jobs: 'The jobs mirror: background work, its progress, and queue status.',
  realtime:
    'Live events as Server-Sent Events (Socket.IO and WebSocket are described in the README).',
  'api-keys': 'API keys of the workspace: created, listed and revoked.',
  workspace: 'The current workspace and its members.',
  audit: 'The audit log of every change.',
  health: 'Liveness and readiness probes (no credentials).',
};

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
    .addApiKey(
      {
        type: 'apiKey',
        in: 'header',
        name: 'X-API-Key',
        description: 'An API key (`pstudio_…`), from the first start or POST /api-keys/create.',
      },
      API_KEY_SCHEME,
    )
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
        description: 'A JWT from the configured issuer (an API key is accepted here too).',
      },
      BEARER_SCHEME,
    );
  for (const [name, description] of Object.entries(API_TAGS)) config.addTag(name, description);
  const document = SwaggerModule.createDocument(app, config.build(), {
    operationIdFactory: (_controllerKey, methodKey) => methodKey,
    extraModels: [ProblemDto, FieldErrorDto, DependencyCheckDto],
  });
  assertUniqueOperationIds(document);
  const routes = routeCatalog(app);
  for (const [, , operation] of operations(document)) {
    const route = operation.operationId ? routes.get(operation.operationId) : undefined;
    if (route) describeFromRoute(operation, route);
  }
  applyValidationToDocument(document, routes, operations);
  describeUploadBodies(document);
  describeBodyProblems(document);
  document.components = {
    ...document.components,
    schemas: {
      ...document.components?.schemas,
      [JSON_VALUE]: JSON_VALUE_SCHEMA,
      [MODEL_PARAMETERS]: modelParametersDocument(),
      ...eventSchemas(),
    },
  };
  tidySchemas(document);
  closeObjectSchemas(document);
  return document;
}

/** Marks a streaming upload route (see ApiUploadBody). */
export const UPLOAD_EXTENSION = 'x-upload';

interface UploadExtension {
  /** The multipart part that holds the file. */
  field: string;
  /** Properties of the JSON body that carry the file itself (not form fields). */
  jsonOnly: string[];
}

/**
 * A streaming upload route takes three bodies: the JSON DTO (file inline), a multipart form (the
 * DTO's options as fields, then the file part) and a raw file with the options in the query.
 * Swagger gives every declared media type the JSON schema; this gives each its own.
 */
function describeUploadBodies(document: OpenAPIObject): void {
  for (const [, , operation] of operations(document)) {
    const upload = (operation as unknown as Record<string, unknown>)[UPLOAD_EXTENSION] as
      UploadExtension | undefined;
    if (!upload) continue;
    delete (operation as unknown as Record<string, unknown>)[UPLOAD_EXTENSION];
    const content = (operation.requestBody as { content: Record<string, { schema: unknown }> })
      .content;
    const ref = (content['application/json'].schema as { $ref: string }).$ref;
    const dto = document.components!.schemas![ref.split('/').pop()!] as SchemaObject;
    const properties = Object.fromEntries(
      Object.entries(dto.properties ?? {}).filter(([name]) => !upload.jsonOnly.includes(name)),
    );
    for (const type of Object.keys(content)) {
      if (type === 'application/json') continue;
      // Swagger shares one media object between the types: give each its own.
      content[type] = {
        schema:
          type === 'multipart/form-data'
            ? {
                type: 'object',
                description: 'The options as form fields, before the file part.',
                required: [...(dto.required ?? []), upload.field],
                properties: { ...properties, [upload.field]: { type: 'string', format: 'binary' } },
              }
            : { type: 'string', format: 'binary', description: 'The file; options in the query.' },
      };
    }
  }
}

/** Methods whose requests may carry a body: the body parser answers for them before any route. */
const WRITE_METHODS = new Set(['post', 'put', 'patch']);

/**
 * A write request can be refused before its route runs: a body that is not JSON (415) or over
 * BODY_LIMIT (413), also on routes that take no body. Those answers are documented on every
 * write operation of the API, in order among its other responses.
 */
function describeBodyProblems(document: OpenAPIObject): void {
  for (const [path, method, operation] of operations(document)) {
    if (!WRITE_METHODS.has(method) || !path.startsWith('/api/')) continue;
    const responses: OperationObject['responses'] = { ...operation.responses };
    for (const status of [413, 415]) responses[String(status)] ??= problemResponse(status);
    operation.responses = Object.fromEntries(
      Object.entries(responses).sort(([a], [b]) => a.localeCompare(b)),
    );
  }
}

/** Every operation of the document with its path and method. */
export function operations(document: OpenAPIObject): [string, string, OperationObject][] {
  const out: [string, string, OperationObject][] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      if (operation && typeof operation === 'object' && 'responses' in operation) {
        out.push([path, method, operation as OperationObject]);
      }
    }
  }
  return out;
}

function intPipeOf(pipes: CatalogRoute['params'][number]['pipes']): IntParamPipe | undefined {
  for (const pipe of pipes) {
    if (pipe instanceof IntParamPipe) return pipe;
    if (typeof pipe === 'function' && pipe.prototype instanceof IntParamPipe) {
      return new (pipe as unknown as new () => IntParamPipe)();
    }
  }
  return undefined;
}

/**
 * What the decorators cannot say: the credentials an operation needs (none for @Public routes)
 * and the bounds the path pipes enforce on path integers.
 */
function describeFromRoute(operation: OperationObject, route: CatalogRoute): void {
  if (!route.isPublic) operation.security = [{ [API_KEY_SCHEME]: [] }, { [BEARER_SCHEME]: [] }];
  for (const param of route.params) {
    if (param.kind !== 'param' || !param.name) continue;
    const pipe = intPipeOf(param.pipes);
    const parameter = (operation.parameters ?? []).find(
      (p): p is ParameterObject => 'in' in p && p.in === 'path' && p.name === param.name,
    );
    if (!pipe || !parameter) continue;
    parameter.schema = { type: 'integer', minimum: 1, maximum: pipe.max };
  }
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

/** The parameters a model config may carry, from the schemas libs/llm validates them with. */
function modelParametersDocument(): SchemaObject {
  const { $schema: _dialect, ...schema } = z.toJSONSchema(modelParametersSchema(), {
    target: 'openapi-3.0',
  }) as SchemaObject & { $schema?: string };
  return schema;
}

/**
 * Design types leave `type: object` beside a `oneOf` or `allOf` given in ApiProperty (a field
 * typed `unknown` holding any JSON value, say), which would contradict the alternatives.
 */
function tidySchemas(document: OpenAPIObject): void {
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== 'object') return;
    const schema = node as SchemaObject;
    if ((schema.oneOf || schema.allOf) && schema.type === 'object' && !schema.properties) {
      delete schema.type;
    }
    nullableAlternative(schema);
    Object.values(schema).forEach(visit);
  };
  visit(document.components?.schemas);
  visit(document.paths);
}

/**
 * The validation pipe refuses unknown fields at every level of a body (forbidNonWhitelisted), and
 * responses carry only what their DTOs declare: every object schema with declared properties is
 * closed. Free-form objects say `additionalProperties: true` and stay open.
 */
function closeObjectSchemas(document: OpenAPIObject): void {
  for (const schema of Object.values(document.components?.schemas ?? {}) as SchemaObject[]) {
    if (schema.properties && schema.additionalProperties === undefined) {
      schema.additionalProperties = false;
    }
  }
}

/** The null value, as OpenAPI 3.0.3 can say it (`nullable` only counts beside a `type`). */
export const NULL_SCHEMA: SchemaObject = { type: 'object', nullable: true, enum: [null] };

/**
 * OpenAPI 3.0 ignores `nullable` without a `type`, so `{nullable, allOf: [$ref]}` (what Swagger
 * writes for a nullable nested DTO) and a nullable `oneOf` do not admit null to validators and
 * example checkers. Null becomes an explicit alternative instead.
 */
function nullableAlternative(schema: SchemaObject): void {
  if (schema.nullable !== true || schema.type !== undefined) return;
  if (schema.allOf?.length === 1 && !schema.oneOf && !schema.anyOf) {
    schema.anyOf = [schema.allOf[0], NULL_SCHEMA];
    delete schema.allOf;
  } else if (schema.oneOf && !schema.allOf && !schema.anyOf) {
    schema.oneOf = [...schema.oneOf, NULL_SCHEMA];
  } else {
    return;
  }
  delete schema.nullable;
}
