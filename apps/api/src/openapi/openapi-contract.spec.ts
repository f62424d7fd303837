import type { Type } from '@nestjs/common';
import type { OpenAPIObject } from '@nestjs/swagger';
import type {
  OperationObject,
  ParameterObject,
  ReferenceObject,
  SchemaObject,
} from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { isDeepStrictEqual as isEqual } from 'node:util';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { EVENT_PAYLOAD_SCHEMAS, EVENT_TYPES, makeEvent } from '@ps/events';
import {
  comparePaired,
  type CaseOutcome,
  SummaryBuilder,
  type EvaluationSummary,
} from '@ps/metrics';
import { MAX_ID, MAX_INT4 } from '../http/dto/integer-fields';
import { describeApi } from './export-openapi';
import { eventSchemaName } from './event-schemas';
import { NULL_SCHEMA, operations } from './openapi';
import type { CatalogRoute } from './route-catalog';
import {
  checkName,
  nestedClassOf,
  type ValidationMetadata,
  validatorsOf,
} from './validation-schema';

/**
 * The generated document held against the code it describes: operation names and summaries,
 * the bounds the validators and path pipes enforce, credentials, event schemas, and response
 * schemas that say what the API really returns.
 */

let document: OpenAPIObject;
let routes: Map<string, CatalogRoute>;

beforeAll(async () => {
  ({ document, routes } = await describeApi());
});

const isRef = (value: unknown): value is ReferenceObject =>
  Boolean(value && typeof value === 'object' && '$ref' in value);

function resolve(schema: SchemaObject | ReferenceObject | undefined): SchemaObject | undefined {
  if (!schema) return undefined;
  if (isRef(schema))
    return document.components!.schemas![schema.$ref.split('/').pop()!] as SchemaObject;
  if (schema.allOf?.length === 1) return resolve(schema.allOf[0]);
  // A nullable nested DTO: `anyOf: [$ref, null]`.
  const [first, second] = schema.anyOf ?? [];
  if (schema.anyOf?.length === 2 && isEqual(second, NULL_SCHEMA)) return resolve(first);
  return schema;
}

const VERBS = [
  'create',
  'bulkCreate',
  'list',
  'get',
  'update',
  'delete',
  'add',
  'remove',
  'archive',
  'unarchive',
  'revert',
  'preview',
  'execute',
  'validate',
  'revoke',
  'cancel',
  'compare',
  'compute',
  'render',
  'estimate',
  'stream',
  'generate',
  'import',
  'export',
];
const VERB_NOUN = new RegExp(`^(${VERBS.join('|')})[A-Z][A-Za-z]*$`);

describe('operations', () => {
  it('have unique verb-noun operationIds and a summary each', () => {
    const ids = operations(document).map(([, , op]) => op.operationId ?? '');
    expect(new Set(ids).size).toBe(ids.length);
    for (const [path, method, op] of operations(document)) {
      const where = `${method.toUpperCase()} ${path} (${op.operationId})`;
      expect({ where, id: op.operationId }).toEqual({
        where,
        id: expect.stringMatching(VERB_NOUN),
      });
      expect({ where, summary: op.summary }).toEqual({ where, summary: expect.any(String) });
      expect(op.summary!.length).toBeLessThanOrEqual(100);
    }
  });

  it('name what they return where the old names did not', () => {
    const ids = new Set(operations(document).map(([, , op]) => op.operationId));
    for (const id of ['listEvaluationResults', 'getEvaluationReport', 'renderEvaluationReport']) {
      expect(ids).toContain(id);
    }
    for (const id of ['listResults', 'getReport', 'renderReport', 'getStatus']) {
      expect(ids).not.toContain(id);
    }
  });

  it('declare both credentials on every protected operation and none on public ones', () => {
    expect(document.components?.securitySchemes).toMatchObject({
      api_key: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
      bearer: { type: 'http', scheme: 'bearer' },
    });
    for (const [path, method, op] of operations(document)) {
      const route = routes.get(op.operationId!)!;
      const expected = route.isPublic ? undefined : [{ api_key: [] }, { bearer: [] }];
      expect({ at: `${method} ${path}`, security: op.security }).toEqual({
        at: `${method} ${path}`,
        security: expected,
      });
    }
  });
});

describe('parameters and bodies say what the server enforces', () => {
  const param = (op: OperationObject, where: string, name: string) =>
    (op.parameters ?? []).find(
      (p): p is ParameterObject => !isRef(p) && p.in === where && p.name === name,
    );

  it('types every path id as an integer from 1 to 2^53 − 1 (versions to 2^31 − 1)', () => {
    let ids = 0;
    for (const [path, , op] of operations(document)) {
      for (const name of path.match(/\{(\w+)\}/g) ?? []) {
        const p = param(op, 'path', name.slice(1, -1))!;
        const max = p.name === 'version' ? MAX_INT4 : MAX_ID;
        expect({ path, schema: p.schema }).toEqual({
          path,
          schema: { type: 'integer', minimum: 1, maximum: max },
        });
        ids++;
      }
    }
    expect(ids).toBeGreaterThan(30);
  });

  it('bounds page and per_page on every list', () => {
    const lists = operations(document).filter(([, , op]) => param(op, 'query', 'per_page'));
    expect(lists.length).toBeGreaterThanOrEqual(10);
    for (const [, , op] of lists) {
      expect(param(op, 'query', 'page')!.schema).toMatchObject({
        type: 'integer',
        minimum: 1,
        maximum: 1_000_000,
      });
      expect(param(op, 'query', 'per_page')!.schema).toMatchObject({
        type: 'integer',
        minimum: 1,
        maximum: 100,
      });
    }
  });

  /** What one property's checks require of its schema (`each` checks: of its items). */
  function expectMatches(where: string, schema: SchemaObject, checks: ValidationMetadata[]): void {
    for (const check of checks) {
      const name = checkName(check);
      const [value] = check.constraints ?? [];
      const target = check.each ? (resolve(schema.items) ?? {}) : schema;
      const at = `${where} (${name}${check.each ? ', each' : ''})`;
      const seen = (key: keyof SchemaObject) => ({ at, [key]: target[key] });
      const want = (key: string, v: unknown) => ({ at, [key]: v });
      if (name === 'isInt') {
        expect(seen('type')).toEqual(want('type', 'integer'));
        expect(checks.some((c) => checkName(c) === 'max' && c.each === check.each)).toBe(true);
      }
      if (name === 'min') expect(seen('minimum')).toEqual(want('minimum', value));
      if (name === 'max') expect(seen('maximum')).toEqual(want('maximum', value));
      if (name === 'maxLength') expect(seen('maxLength')).toEqual(want('maxLength', value));
      if (name === 'minLength') expect(seen('minLength')).toEqual(want('minLength', value));
      if (name === 'isIn') expect(seen('enum')).toEqual(want('enum', [...(value as unknown[])]));
      if (name === 'arrayMaxSize') expect({ at, v: schema.maxItems }).toEqual({ at, v: value });
      if (name === 'arrayMinSize') expect({ at, v: schema.minItems }).toEqual({ at, v: value });
    }
  }

  it('matches every validator of every body and query DTO, nested DTOs included', () => {
    let checked = 0;
    const visited = new Set<Type>();
    const body = (dto: Type, schema: SchemaObject | undefined, where: string): void => {
      if (!schema || visited.has(dto)) return;
      visited.add(dto);
      for (const [property, checks] of validatorsOf(dto)) {
        const propertySchema = resolve(schema.properties?.[property]);
        if (!propertySchema) throw new Error(`${where}.${property} is not documented`);
        expectMatches(`${where}.${property}`, propertySchema, checks);
        checked++;
        const nested = nestedClassOf(dto, property);
        if (nested && checks.some((c) => checkName(c) === 'nestedValidation')) {
          const holder = schema.properties![property] as SchemaObject;
          body(nested, resolve(holder.items ?? holder), `${where}.${property}`);
        }
      }
    };
    for (const [path, method, op] of operations(document)) {
      const route = routes.get(op.operationId!)!;
      for (const p of route.params) {
        if (!p.type || p.name) continue;
        const where = `${method.toUpperCase()} ${path}`;
        if (p.kind === 'query') {
          for (const [property, checks] of validatorsOf(p.type)) {
            const parameter = param(op, 'query', property);
            if (!parameter) throw new Error(`${where} ?${property} is not documented`);
            expectMatches(`${where} ?${property}`, resolve(parameter.schema)!, checks);
            checked++;
          }
        } else if (p.kind === 'body') {
          const content = (op.requestBody as { content: Record<string, { schema: SchemaObject }> })
            .content;
          body(p.type, resolve(content['application/json'].schema), where);
        }
      }
    }
    expect(checked).toBeGreaterThan(150);
  });
});

describe('response schemas', () => {
  /** Every schema reachable from a response, with the path that reaches it. */
  function responseSchemas(): { where: string; schema: SchemaObject }[] {
    const out: { where: string; schema: SchemaObject }[] = [];
    const seenRefs = new Set<string>();
    const walk = (node: SchemaObject | ReferenceObject | undefined, where: string): void => {
      if (!node) return;
      if (isRef(node)) {
        if (seenRefs.has(node.$ref)) return;
        seenRefs.add(node.$ref);
        walk(resolve(node), node.$ref.split('/').pop()!);
        return;
      }
      out.push({ where, schema: node });
      for (const [name, child] of Object.entries(node.properties ?? {}))
        walk(child, `${where}.${name}`);
      if (node.items) walk(node.items, `${where}[]`);
      if (typeof node.additionalProperties === 'object')
        walk(node.additionalProperties, `${where}{}`);
      for (const list of [node.allOf, node.oneOf, node.anyOf]) {
        (list ?? []).forEach((child, i) => walk(child, `${where}|${i}`));
      }
    };
    for (const [path, method, op] of operations(document)) {
      for (const [status, response] of Object.entries(op.responses)) {
        for (const [type, media] of Object.entries(
          (response as { content?: Record<string, { schema?: SchemaObject }> }).content ?? {},
        )) {
          walk(media.schema, `${method.toUpperCase()} ${path} ${status} ${type}`);
        }
      }
    }
    return out;
  }

  it('allow free-form objects only where the description says so (user data)', () => {
    const free = responseSchemas().filter(({ schema }) => {
      const extra = schema.additionalProperties as unknown;
      return (
        extra === true ||
        (extra !== null && typeof extra === 'object' && !Object.keys(extra).length)
      );
    });
    const undocumented = free
      .filter(({ schema }) => !/free-form/i.test(schema.description ?? ''))
      .map(({ where }) => where);
    expect(undocumented).toEqual([]);
    // The places the user's own data goes, and nothing typed by the product.
    const places = free.map(({ where }) => where);
    expect(places).toEqual(
      expect.arrayContaining([
        'TestCaseResponseDto.inputs',
        'TestCaseResponseDto.expected_outputs',
      ]),
    );
    for (const typed of [
      'EvaluationResponseDto.settings',
      'EvaluationResponseDto.summary',
      'EvaluationResponseDto.model_config',
      'ModelConfigDto.parameters',
      'EvaluationResultDto.scores',
      'EvaluationResultDto.parsed_output',
      'PromptExecutionResponseDto.parsed_output',
      'ComparisonResponseDto.comparison',
    ]) {
      expect(places).not.toContain(typed);
    }
  });

  /** Ajv with every object closed, so a key the document does not declare fails too. */
  function strictValidator(name: string) {
    const schemas = structuredClone(document.components!.schemas!) as Record<string, SchemaObject>;
    const close = (node: unknown): void => {
      if (Array.isArray(node)) return node.forEach(close);
      if (!node || typeof node !== 'object') return;
      const s = node as SchemaObject;
      if (s.properties && s.additionalProperties === undefined) s.additionalProperties = false;
      // OpenAPI 3.0 writes `exclusiveMinimum: true` beside `minimum`; Ajv speaks draft 7.
      if (s.exclusiveMinimum === true) {
        (s as { exclusiveMinimum?: number }).exclusiveMinimum = s.minimum;
        delete s.minimum;
      }
      Object.values(s).forEach(close);
    };
    close(schemas);
    const ajv = addFormats(new Ajv({ strict: false, allErrors: true }));
    for (const [key, schema] of Object.entries(schemas)) {
      const local = JSON.stringify(schema).replaceAll('#/components/schemas/', '');
      ajv.addSchema(JSON.parse(local) as object, key);
    }
    return (value: unknown) => {
      const ok = ajv.validate(name, value);
      return ok ? [] : (ajv.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
    };
  }

  it('describe a real evaluation summary exactly', () => {
    const builder = new SummaryBuilder({ seed: 1 });
    builder.add({
      score: 0.8,
      status: 'ok',
      metrics: { exact_match: 1, contains: NaN },
      tokensIn: 10,
      tokensOut: 5,
      cost: 0.001,
      latencyMs: 120,
      cached: false,
    });
    builder.add({
      score: NaN,
      status: 'infra_error',
      metrics: {},
      tokensIn: 0,
      tokensOut: 0,
      cost: 0,
      latencyMs: NaN,
      cached: false,
    });
    const summary: EvaluationSummary & { repeats?: object } = {
      ...builder.build(0.5),
      repeats: {
        runs_per_case: 2,
        cases: 1,
        mean_pass_rate: 1,
        mean_variance: 0,
        inconsistent_cases: 0,
      },
    };
    expect(strictValidator('EvaluationSummaryDto')(JSON.parse(JSON.stringify(summary)))).toEqual(
      [],
    );
    expect(strictValidator('EvaluationSummaryDto')({ ...summary, invented: 1 })).not.toEqual([]);
  });

  it('describe a real paired comparison exactly', () => {
    const run = (scores: number[]) =>
      new Map<string, CaseOutcome>(
        scores.map((score, i) => [
          `${i}:0`,
          { score, passed: score >= 0.5, metrics: { m: score } },
        ]),
      );
    const comparison = comparePaired(run([0.2, 0.4, 0.9]), run([0.6, 0.5, 0.9]), { seed: 1 });
    expect(strictValidator('PairedComparisonDto')(JSON.parse(JSON.stringify(comparison)))).toEqual(
      [],
    );
  });

  it('describe stored scoring settings and model configs', () => {
    const validate = strictValidator('EvaluationSettingsDto');
    expect(
      validate({
        metrics: [{ name: 'regex_match', weight: 1, options: { pattern: '\\d+' } }],
        pass_threshold: 0.5,
        concurrency: 4,
        repeats: 1,
        judge_model_config: {
          provider: 'openai',
          model: 'gpt-4o-mini',
          parameters: { temperature: 0 },
        },
        seed: 1,
      }),
    ).toEqual([]);
    const config = strictValidator('ModelConfigDto');
    expect(
      config({
        provider: 'mock',
        model: 'mock-map',
        parameters: { responses: { a: 'b' }, delay_ms: 5 },
      }),
    ).toEqual([]);
    expect(
      config({ provider: 'openai', model: 'x', parameters: { temperature: 'hot' } }),
    ).not.toEqual([]);
    expect(config({ provider: 'openai', model: 'x', parameters: { warmth: 1 } })).not.toEqual([]);
  });
});

describe('event schemas', () => {
  it('has one per event, each accepting what makeEvent builds', () => {
    const schemas = document.components!.schemas!;
    expect(schemas.StudioEvent).toMatchObject({ discriminator: { propertyName: 'type' } });
    for (const type of EVENT_TYPES) {
      expect(schemas[eventSchemaName(type)]).toBeDefined();
    }
    expect(schemas.EvaluationProgressEvent).toMatchObject({
      properties: {
        type: { enum: ['evaluation_progress'] },
        data: {
          required: ['evaluation_id', 'completed', 'total', 'progress'],
          properties: { evaluation_id: { type: 'integer' }, progress: { maximum: 100 } },
        },
      },
    });
    const validate = addFormats(new Ajv({ strict: false })).compile(
      schemas.OptimizationIterationEvent,
    );
    const event = makeEvent(
      'optimization_iteration',
      EVENT_PAYLOAD_SCHEMAS.optimization_iteration.parse({
        optimization_id: 1,
        iteration: 2,
        max_iterations: 10,
        current_metric: 0.4,
        best_metric: 0.6,
        budget_used: { llm_calls: 12, tokens: 3400, usd: 0.01 },
      }),
      5,
    );
    expect(validate(JSON.parse(JSON.stringify(event)))).toBe(true);
  });
});
