import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type {
  OpenAPIObject,
  OperationObject,
  ParameterObject,
  ReferenceObject,
  RequestBodyObject,
  ResponseObject,
  SchemaObject,
} from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { JSONSchemaFaker as jsf } from 'json-schema-faker';
import { ROOT } from '../support/processes';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * Fuzzing from the committed OpenAPI document: for every operation, requests generated from its
 * own schemas by json-schema-faker (valid ones, ids pointed at real rows most of the time, and
 * every documented example) and deliberately broken ones (wrong types, missing required fields,
 * huge strings, unknown fields, bodies that are not objects or not JSON, bad path and query
 * values, no credentials), sent over HTTP to the real API. Every answer must be a status the
 * operation declares, never a 500, with a body of a declared media type that validates (objects
 * closed: no undeclared keys) against the declared schema; broken requests must be refused (4xx)
 * and documented examples accepted (2xx). Seeded (PS_FUZZ_SEED) so a failure replays exactly.
 */

jest.setTimeout(120_000);

const SEED = Number(process.env.PS_FUZZ_SEED ?? 162_024);
const VALID_PER_OPERATION = 3;
const BODY_LIMIT_BYTES = 256 * 1024;
/** Project creates per window: fewer than the fuzzing sends, so 429 answers are checked too. */
const PROJECT_CREATES_ALLOWED = 8;
const DOCUMENT = JSON.parse(
  readFileSync(join(ROOT, 'openapi/openapi.json'), 'utf8'),
) as OpenAPIObject;
const SCHEMAS = DOCUMENT.components!.schemas! as Record<string, SchemaObject>;
/**
 * What json-schema-faker generates from: the document's schemas with every `$ref` inlined (its
 * own reference handling keeps state between calls, which breaks reproducibility), and the
 * recursive JsonValue one level deep.
 */
const GENERATION_SCHEMAS: Record<string, SchemaObject> = {
  ...SCHEMAS,
  JsonValue: {
    oneOf: [
      { type: 'string' },
      { type: 'number' },
      { type: 'boolean' },
      { type: 'array', items: { type: 'string' } },
      { type: 'object', additionalProperties: { type: 'string' } },
    ],
  },
};

function inlineRefs(node: unknown, depth = 0): unknown {
  if (Array.isArray(node)) return node.map((n) => inlineRefs(n, depth));
  if (!node || typeof node !== 'object') return node;
  if (isRef(node)) {
    if (depth > 8) throw new Error(`schema nests deeper than 8 references at ${node.$ref}`);
    return inlineRefs(GENERATION_SCHEMAS[node.$ref.split('/').pop()!], depth + 1);
  }
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, inlineRefs(v, depth)]));
}

/** mulberry32: small, seedable, good enough to pick test inputs. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const isRef = (value: unknown): value is ReferenceObject =>
  Boolean(value && typeof value === 'object' && '$ref' in value);

function resolve<T extends object>(value: T | ReferenceObject | undefined): T | undefined {
  if (!value) return undefined;
  if (isRef(value)) return SCHEMAS[value.$ref.split('/').pop()!] as T;
  return value;
}

/** The object schema behind a body schema (`$ref`, or a single `allOf`). */
function objectSchema(
  schema: SchemaObject | ReferenceObject | undefined,
): SchemaObject | undefined {
  const resolved = resolve<SchemaObject>(schema);
  if (resolved?.allOf?.length === 1) return objectSchema(resolved.allOf[0]);
  return resolved;
}

// ---------------------------------------------------------------------------------------------
// Response validation: Ajv over the document's schemas, every object closed.

function responseValidator(): (schema: SchemaObject | ReferenceObject) => ValidateFunction {
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
  const local = (schema: unknown) =>
    JSON.parse(JSON.stringify(schema).replaceAll('#/components/schemas/', '')) as object;
  const schemas = structuredClone(SCHEMAS);
  close(schemas);
  const ajv = addFormats(new Ajv({ strict: false, allErrors: true }));
  for (const [name, schema] of Object.entries(schemas)) ajv.addSchema(local(schema), name);
  const cache = new Map<string, ValidateFunction>();
  return (schema) => {
    const key = JSON.stringify(schema);
    let validate = cache.get(key);
    if (!validate) {
      const copy = structuredClone(schema);
      close(copy);
      validate = ajv.compile(local(copy));
      cache.set(key, validate);
    }
    return validate;
  };
}

// ---------------------------------------------------------------------------------------------
// Operations and the rows their ids should point at.

interface Operation {
  id: string;
  method: string;
  path: string;
  op: OperationObject;
  parameters: ParameterObject[];
  /** The JSON body schema, when the operation takes one. */
  body?: SchemaObject;
  bodyRequired: boolean;
  examples: Record<string, unknown>;
}

function operationsOf(document: OpenAPIObject): Operation[] {
  const out: Operation[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, op] of Object.entries(item) as [string, OperationObject][]) {
      if (!op || typeof op !== 'object' || !('responses' in op)) continue;
      const requestBody = resolve<RequestBodyObject>(op.requestBody);
      const json = requestBody?.content?.['application/json'];
      out.push({
        id: op.operationId!,
        method: method.toUpperCase(),
        path,
        op,
        parameters: (op.parameters ?? []).map((p) => resolve<ParameterObject>(p)!),
        body: json?.schema ? objectSchema(json.schema) : undefined,
        bodyRequired: Boolean(requestBody?.required),
        examples: Object.fromEntries(
          Object.entries(json?.examples ?? {}).map(([name, ex]) => [
            name,
            (resolve(ex) as { value: unknown }).value,
          ]),
        ),
      });
    }
  }
  return out;
}

interface Fixtures {
  project: number;
  signature: number;
  prompt: number;
  testCases: number[];
  evaluations: number[];
  optimization: number;
  job: number;
  apiKey: number;
  member: number;
  user: number;
  report: number;
  versions: number[];
  /** Runs that are still going when the cancel operations come (slow mock model). */
  running: { job: number; evaluation: number; optimizations: [number, number] };
}

/** Body and query fields that hold ids, and the fixture they should name. */
const ID_FIELDS: Partial<Record<string, (f: Fixtures) => number | number[] | string>> = {
  project_id: (f) => f.project,
  signature_id: (f) => f.signature,
  prompt_id: (f) => f.prompt,
  user_id: (f) => f.user,
  actor_user_id: (f) => f.user,
  test_case_ids: (f) => f.testCases,
  train_case_ids: (f) => f.testCases.slice(0, 4),
  validation_case_ids: (f) => f.testCases.slice(4),
  evaluation_ids: (f) => f.evaluations,
  prompt_ids: (f) => [f.prompt, f.prompt],
  version_ids: (f) => f.versions,
  compare_to: (f) => f.evaluations[1],
  entity_type: () => 'project',
  entity_id: (f) => f.project,
  version: () => 1,
};

/** The fixture a path id names, by the resource the path is under. */
function pathId(path: string, name: string, f: Fixtures): number {
  if (name === 'version') return 1;
  if (name === 'project_id') return f.project;
  if (name === 'reportId') return f.report;
  if (/^\/api\/v1\/prompt-studio\/jobs\/cancel\//.test(path)) return f.running.job;
  if (path.includes('/evaluations/cancel/')) return f.running.evaluation;
  if (path.includes('/optimizations/cancel/')) return f.running.optimizations[0];
  if (/\/optimizations\/\{id\}\/cancel$/.test(path)) return f.running.optimizations[1];
  const resource = path.replace('/api/v1/prompt-studio/', '').split('/')[0];
  const byResource: Record<string, number> = {
    projects: f.project,
    signatures: f.signature,
    prompts: f.prompt,
    'test-cases': f.testCases[0],
    evaluations: f.evaluations[0],
    optimizations: f.optimization,
    jobs: f.job,
    'api-keys': f.apiKey,
    members: f.member,
  };
  return byResource[resource] ?? 1;
}

// ---------------------------------------------------------------------------------------------
// Probes: one request each, and what its answer must be.

interface Probe {
  operation: Operation;
  variant: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body?: string;
  anonymous?: boolean;
  /** `refused`: must be a 4xx; `accepted`: must be a 2xx; `any`: any declared status. */
  expect: 'any' | 'refused' | 'accepted';
}

class ProbeMaker {
  constructor(
    private readonly random: () => number,
    private readonly fixtures: Fixtures,
  ) {
    jsf.option({
      random,
      alwaysFakeOptionals: false,
      optionalsProbability: 0.5,
      fixedProbabilities: true,
      useDefaultValue: false,
      useExamplesValue: false,
      failOnInvalidFormat: false,
      failOnInvalidTypes: false,
      minItems: 0,
      maxItems: 3,
      maxLength: 40,
      refDepthMax: 3,
    });
  }

  private pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.random() * list.length)];
  }

  private chance(p: number): boolean {
    return this.random() < p;
  }

  /** A value for `schema`, from json-schema-faker. */
  generate(schema: SchemaObject | ReferenceObject): unknown {
    return jsf.generate(inlineRefs(schema) as never);
  }

  /** Points id fields at real rows (probability p each), recursively. */
  private pointIds(value: unknown, p: number): unknown {
    if (Array.isArray(value)) return value.map((v) => this.pointIds(v, p));
    if (!value || typeof value !== 'object') return value;
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      const fixture = ID_FIELDS[key];
      out[key] = fixture && this.chance(p) ? fixture(this.fixtures) : this.pointIds(v, p);
    }
    return out;
  }

  private concretePath(operation: Operation, override?: Record<string, string>): string {
    return operation.path.replace(/\{(\w+)\}/g, (_m, name: string) =>
      encodeURIComponent(override?.[name] ?? String(pathId(operation.path, name, this.fixtures))),
    );
  }

  private query(operation: Operation, p = 0.75): Record<string, string> {
    const query: Record<string, string> = {};
    for (const parameter of operation.parameters) {
      if (parameter.in !== 'query') continue;
      if (!parameter.required && this.chance(0.5)) continue;
      const fixture = ID_FIELDS[parameter.name];
      const value =
        fixture && this.chance(p) ? fixture(this.fixtures) : this.generate(parameter.schema!);
      query[parameter.name] = Array.isArray(value) ? value.join(',') : String(value);
    }
    return query;
  }

  private headers(operation: Operation): Record<string, string> {
    const headers: Record<string, string> = {};
    for (const parameter of operation.parameters) {
      if (parameter.in === 'header' && this.chance(0.3)) {
        headers[parameter.name] = `fuzz-${Math.floor(this.random() * 1e9)}`;
      }
    }
    return headers;
  }

  private validBody(operation: Operation): Record<string, unknown> {
    return this.pointIds(this.generate(operation.body!), 0.75) as Record<string, unknown>;
  }

  private base(operation: Operation, variant: string): Probe {
    return {
      operation,
      variant,
      path: this.concretePath(operation),
      query: this.query(operation),
      headers: this.headers(operation),
      expect: 'any',
    };
  }

  probes(operation: Operation): Probe[] {
    const out: Probe[] = [];
    const json = (value: unknown) => JSON.stringify(value);
    for (let i = 0; i < VALID_PER_OPERATION; i++) {
      out.push({
        ...this.base(operation, `valid #${i + 1}`),
        body: operation.body ? json(this.validBody(operation)) : undefined,
      });
    }
    for (const [name, value] of Object.entries(operation.examples)) {
      out.push({
        ...this.base(operation, `example ${name}`),
        query: {},
        headers: {},
        body: json(this.pointIds(value, 1)),
        expect: 'accepted',
      });
    }
    if (!operation.path.startsWith('/health/')) {
      out.push({ ...this.base(operation, 'no credentials'), anonymous: true, expect: 'refused' });
    }
    out.push(...this.brokenBodies(operation), ...this.brokenParameters(operation));
    return out;
  }

  private brokenBodies(operation: Operation): Probe[] {
    const out: Probe[] = [];
    const refused = (variant: string, body: string, contentType?: string): Probe => ({
      ...this.base(operation, variant),
      body,
      headers: contentType ? { 'content-type': contentType } : {},
      expect: 'refused',
    });
    if (!operation.body) {
      // A route that takes no body refuses one.
      if (operation.method !== 'GET' && operation.method !== 'DELETE') {
        out.push(
          refused('unexpected body', JSON.stringify({ fuzz: 1 })),
          refused('unexpected text/plain body', 'fuzz', 'text/plain'),
        );
      }
      return out;
    }
    const schema = operation.body;
    const properties = Object.entries(schema.properties ?? {}).map(
      ([name, s]) => [name, resolve<SchemaObject>(s)!] as const,
    );
    const required = schema.required ?? [];
    if (required.length) {
      const body = this.validBody(operation);
      const missing = this.pick(required);
      delete body[missing];
      out.push(refused(`missing required ${missing}`, JSON.stringify(body)));
    }
    const typed = properties.filter(([, s]) => s.type);
    if (typed.length) {
      const [name, s] = this.pick(typed);
      const wrong: Record<string, unknown> = {
        string: 12345,
        integer: 'not a number',
        number: 'not a number',
        boolean: 'maybe',
        array: { not: 'an array' },
        object: 'not an object',
      };
      const body = { ...this.validBody(operation), [name]: wrong[s.type as string] };
      out.push(refused(`wrong type for ${name} (${s.type})`, JSON.stringify(body)));
    }
    const bounded = properties.filter(([, s]) => s.type === 'string' && s.maxLength);
    if (bounded.length) {
      const [name, s] = this.pick(bounded);
      const body = {
        ...this.validBody(operation),
        [name]: 'x'.repeat(Math.max(s.maxLength! + 1, 100_000)),
      };
      out.push(refused(`huge string in ${name}`, JSON.stringify(body)));
    }
    out.push(
      refused(
        'unknown field',
        JSON.stringify({ ...this.validBody(operation), fuzz_unknown_field: 1 }),
      ),
      refused('body is an array', '[]'),
      refused('body is a string', '"fuzz"'),
      refused('body is null', 'null'),
      refused('body is not JSON', '{"fuzz": '),
      refused('body is text/plain', 'fuzz', 'text/plain'),
      refused('body over the limit', JSON.stringify({ fuzz: 'x'.repeat(BODY_LIMIT_BYTES + 1024) })),
    );
    return out;
  }

  private brokenParameters(operation: Operation): Probe[] {
    const out: Probe[] = [];
    const pathParams = operation.parameters.filter((p) => p.in === 'path');
    for (const parameter of pathParams) {
      for (const bad of ['abc', '0', '-5', '1.5', '9007199254740993']) {
        out.push({
          ...this.base(operation, `path ${parameter.name}=${bad}`),
          path: this.concretePath(operation, { [parameter.name]: bad }),
          body: operation.body ? JSON.stringify(this.validBody(operation)) : undefined,
          expect: 'refused',
        });
      }
    }
    const queryParams = operation.parameters.filter((p) => p.in === 'query');
    if (queryParams.length) {
      const parameter = this.pick(queryParams);
      const schema = resolve<SchemaObject>(parameter.schema)!;
      const bad: Record<string, string> = {
        integer: 'abc',
        number: 'abc',
        boolean: 'maybe',
      };
      const value = schema.enum ? 'not-a-choice' : bad[schema.type as string];
      if (value !== undefined) {
        out.push({
          ...this.base(operation, `query ${parameter.name}=${value}`),
          query: { ...this.query(operation, 1), [parameter.name]: value },
          body: operation.body ? JSON.stringify(this.validBody(operation)) : undefined,
          expect: 'refused',
        });
      }
      const required = queryParams.filter((p) => p.required);
      if (required.length) {
        const query = this.query(operation, 1);
        const dropped = this.pick(required).name;
        delete query[dropped];
        out.push({
          ...this.base(operation, `query without ${dropped}`),
          query,
          body: operation.body ? JSON.stringify(this.validBody(operation)) : undefined,
          expect: 'refused',
        });
      }
    }
    // Query DTOs are validated like bodies: an unknown parameter is refused. (Routes that declare
    // no query parameter do not read the query string at all.)
    if (queryParams.length) {
      out.push({
        ...this.base(operation, 'unknown query parameter'),
        query: { ...this.query(operation, 1), fuzz_unknown: '1' },
        body: operation.body ? JSON.stringify(this.validBody(operation)) : undefined,
        expect: 'refused',
      });
    }
    return out;
  }
}

// ---------------------------------------------------------------------------------------------

/**
 * Runs destructive operations last, so the rows the others point at still exist: the project's
 * own delete after its contents'.
 */
function order(operation: Operation): number {
  if (operation.id === 'deleteProject') return 4;
  if (operation.method === 'DELETE') return 3;
  if (/^(revoke|cancel|archive|unarchive)/.test(operation.id)) return 2;
  return 1;
}

describe('OpenAPI fuzz: every operation, generated and broken requests', () => {
  let t: TestApp;
  let url: string;
  let fixtures: Fixtures;
  const validate = responseValidator();

  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { 'X-API-Key': t.ownerKey, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as Record<string, unknown> & { id: number };
  };

  const waitFor = async (path: string, done: (r: Record<string, unknown>) => boolean) => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const row = await call('GET', path);
      if (done(row)) return row;
      if (Date.now() > deadline) throw new Error(`${path} did not finish: ${JSON.stringify(row)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  beforeAll(async () => {
    t = await startTestApp({
      env: {
        BODY_LIMIT: `${BODY_LIMIT_BYTES / 1024}kb`,
        EVALUATION_WAIT_SECONDS: '1',
        PROMPT_STUDIO_ENABLE_MCTS: 'true',
        // Rate limits on, high, except project creation: its last requests meet a 429.
        RATE_LIMIT_ENABLED: 'true',
        RATE_LIMIT_WINDOW_SECONDS: '600',
        RATE_LIMIT_CREATE_PROJECT: String(PROJECT_CREATES_ALLOWED),
        RATE_LIMIT_DEFAULT: '10000',
        RATE_LIMIT_OPTIMIZE: '10000',
        RATE_LIMIT_EVALUATE: '10000',
        RATE_LIMIT_GENERATE: '10000',
      },
    });
    await t.app.listen(0, '127.0.0.1');
    url = (await t.app.getUrl()).replace('[::1]', '127.0.0.1');

    const P = '/api/v1/prompt-studio';
    const project = await call('POST', `${P}/projects/create`, { name: 'fuzz fixtures' });
    const signature = await call('POST', `${P}/signatures/create`, {
      project_id: project.id,
      name: 'support',
      input_schema: [{ name: 'customer_query', type: 'string' }],
      output_schema: [{ name: 'response', type: 'string' }],
    });
    const prompt = await call('POST', `${P}/prompts/create`, {
      project_id: project.id,
      signature_id: signature.id,
      name: 'support',
      user_prompt: '{customer_query}',
      model_config: { provider: 'mock', model: 'mock-echo' },
    });
    const cases = (await call('POST', `${P}/test-cases/bulk`, {
      project_id: project.id,
      test_cases: ['a', 'b', 'c', 'd', 'e', 'f'].map((q, i) => ({
        name: `fixture ${q}`,
        inputs: { customer_query: q },
        expected_outputs: { response: i % 2 ? q : 'other' },
        is_golden: i >= 4,
      })),
    })) as unknown as { items: { id: number }[] };
    const evaluations: number[] = [];
    for (let i = 0; i < 2; i++) {
      const evaluation = await call('POST', `${P}/evaluations/create`, { prompt_id: prompt.id });
      await waitFor(`${P}/evaluations/${evaluation.id}`, (e) => e.status === 'completed');
      evaluations.push(evaluation.id);
    }
    const optimization = await call('POST', `${P}/optimizations/create`, {
      prompt_id: prompt.id,
      strategy: 'iterative',
      budget: { max_llm_calls: 30 },
    });
    await waitFor(`${P}/optimizations/${optimization.id}`, (o) =>
      ['completed', 'failed', 'cancelled'].includes(o.status as string),
    );
    const reportJob = await call('POST', `${P}/evaluations/${evaluations[0]}/report?format=md`);
    const report = await waitFor(`${P}/jobs/${reportJob.id}`, (j) => j.status === 'completed');
    const member = (await call('POST', `${P}/members/create`, {
      email: 'fuzz-member@example.com',
      role: 'editor',
    })) as unknown as { user_id: number };
    const apiKey = await call('POST', `${P}/api-keys/create`, { name: 'fuzz key' });
    // Runs that outlast the fuzzing (minutes: the mock model waits 5 s a call, one at a time),
    // for the cancel operations to stop; afterAll cancels what is left.
    const slow = { provider: 'mock', model: 'mock-echo', parameters: { delay_ms: 5000 } };
    const runningJob = await call('POST', `${P}/jobs/ping`, { duration_ms: 600_000, steps: 60 });
    const runningEvaluation = await call('POST', `${P}/evaluations/create`, {
      prompt_id: prompt.id,
      model_config: slow,
      concurrency: 1,
      repeats: 10,
    });
    const runningOptimizations: number[] = [];
    for (let i = 0; i < 2; i++) {
      const run = await call('POST', `${P}/optimizations/create`, {
        prompt_id: prompt.id,
        strategy: 'iterative',
        model_config: slow,
        budget: { max_llm_calls: 50 },
      });
      runningOptimizations.push(run.id);
    }
    const workspace = (await call('GET', `${P}/workspaces/current`)) as unknown as {
      user_id?: number;
    };
    await call('PUT', `${P}/prompts/${prompt.id}`, { user_prompt: 'Query: {customer_query}' });
    const versions = (await call('GET', `${P}/prompts/${prompt.id}/versions`)) as unknown as {
      items: { id: number }[];
    };
    fixtures = {
      project: project.id,
      signature: signature.id,
      prompt: prompt.id,
      testCases: cases.items.map((c) => c.id),
      evaluations,
      optimization: optimization.id,
      job: reportJob.id,
      apiKey: apiKey.id,
      member: member.user_id,
      user: workspace.user_id ?? member.user_id,
      report: (report.result as { report_id: number }).report_id,
      versions: versions.items.map((v) => v.id),
      running: {
        job: runningJob.id,
        evaluation: runningEvaluation.id,
        optimizations: [runningOptimizations[0], runningOptimizations[1]],
      },
    };
  });

  afterAll(async () => {
    if (!t) return;
    // Stop whatever the fuzzing queued (ping jobs, evaluations, optimizations) before closing.
    try {
      const P = '/api/v1/prompt-studio';
      for (const status of ['queued', 'processing']) {
        const page = (await call('GET', `${P}/jobs/list?status=${status}&per_page=100`)) as {
          items?: { id: number }[];
        };
        for (const job of page.items ?? []) {
          await fetch(`${url}${P}/jobs/cancel/${job.id}`, {
            method: 'POST',
            headers: { 'X-API-Key': t.ownerKey },
          });
        }
      }
    } finally {
      await t.close();
    }
  });

  /** What is wrong with one answer, or nothing. */
  async function check(probe: Probe): Promise<{ problems: string[]; status: number }> {
    const { operation } = probe;
    const search = new URLSearchParams(probe.query).toString();
    const headers: Record<string, string> = {
      ...(probe.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...probe.headers,
      ...(probe.anonymous ? {} : { 'X-API-Key': t.ownerKey }),
    };
    let res: Response;
    try {
      res = await fetch(`${url}${probe.path}${search ? `?${search}` : ''}`, {
        method: operation.method,
        headers,
        body: probe.body,
        redirect: 'manual',
        signal: AbortSignal.timeout(20_000),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code ?? String(err);
      return {
        problems: [
          `${operation.method} ${operation.path} [${probe.variant}] → no answer (${cause})`,
        ],
        status: 0,
      };
    }
    const contentType = (res.headers.get('content-type') ?? '').split(';')[0].trim();
    // An event stream never ends: its status and type are the answer.
    const text = contentType === 'text/event-stream' ? '' : await res.text();
    if (contentType === 'text/event-stream') await res.body?.cancel();
    const problems: string[] = [];
    const say = (what: string) =>
      problems.push(
        `${operation.method} ${operation.path} [${probe.variant}] → ${res.status}: ${what}` +
          `\n    body: ${text.slice(0, 300)}`,
      );
    if (res.status >= 500 && res.status !== 503) say('server error');
    const declared = resolve<ResponseObject>(
      operation.op.responses[String(res.status)] ?? operation.op.responses.default,
    );
    if (!declared) {
      say(`status not declared (declared: ${Object.keys(operation.op.responses).join(', ')})`);
      return { problems, status: res.status };
    }
    if (probe.expect === 'refused' && (res.status < 400 || res.status >= 500)) {
      say('a broken request was not refused with a 4xx');
    }
    if (probe.expect === 'accepted' && (res.status < 200 || res.status >= 300)) {
      say('a documented example was not accepted');
    }
    const hasBody = text.length > 0 || contentType !== '';
    if (!hasBody) {
      if (declared.content && res.status !== 204) say('empty body, but a body is declared');
      return { problems, status: res.status };
    }
    const media = declared.content?.[contentType];
    if (!media) {
      say(
        `media type ${contentType || '(none)'} not declared ` +
          `(declared: ${Object.keys(declared.content ?? {}).join(', ') || 'no body'})`,
      );
      return { problems, status: res.status };
    }
    // A text file may be empty (an export with no case); a JSON body may not.
    if (/^application\/([\w.-]+\+)?json$/.test(contentType) && media.schema) {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        say('body is not JSON');
        return { problems, status: res.status };
      }
      const validateBody = validate(media.schema);
      if (!validateBody(value)) {
        const errors = (validateBody.errors ?? [])
          .slice(0, 5)
          .map((e) => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`);
        say(`body does not match the schema: ${errors.join('; ')}`);
      }
    }
    return { problems, status: res.status };
  }

  /**
   * Every documented example first (they expect the fixtures as made, before generated updates
   * change them), then each operation's generated and broken requests.
   */
  function plan(seed: number): Probe[] {
    const maker = new ProbeMaker(seededRandom(seed), fixtures);
    const probes = operationsOf(DOCUMENT)
      .sort((a, b) => order(a) - order(b))
      .flatMap((operation) => maker.probes(operation));
    return [
      ...probes.filter((p) => p.expect === 'accepted'),
      ...probes.filter((p) => p.expect !== 'accepted'),
    ];
  }

  // Found by the fuzzing: the JSON Lines export went out as application/octet-stream.
  it('serves every export format with the media type the document declares for it', async () => {
    const declared = operationsOf(DOCUMENT).find((o) => o.id === 'exportTestCases')!.op.responses[
      '200'
    ] as ResponseObject;
    const expected = { csv: 'text/csv', json: 'application/json', jsonl: 'application/x-ndjson' };
    for (const [format, type] of Object.entries(expected)) {
      const res = await fetch(`${url}/api/v1/prompt-studio/test-cases/export/${fixtures.project}`, {
        method: 'POST',
        headers: { 'X-API-Key': t.ownerKey, 'content-type': 'application/json' },
        body: JSON.stringify({ format }),
      });
      expect({ format, status: res.status, type: res.headers.get('content-type') }).toEqual({
        format,
        status: 200,
        type: expect.stringMatching(new RegExp(`^${type.replace('/', '\\/')}(;|$)`)),
      });
      expect(Object.keys(declared.content!)).toContain(type);
      await res.text();
    }
  });

  it('generates the same requests from the same seed', () => {
    const strip = (probes: Probe[]) =>
      probes.map(({ operation, ...rest }) => ({ id: operation.id, ...rest }));
    expect(strip(plan(SEED))).toEqual(strip(plan(SEED)));
    expect(strip(plan(SEED))).not.toEqual(strip(plan(SEED + 1)));
  });

  it('answers every request with a declared status and a body matching its schema', async () => {
    const probes = plan(SEED);
    const operations = new Set(probes.map((p) => p.operation.id));
    expect(operations.size).toBe(operationsOf(DOCUMENT).length);
    const problems: string[] = [];
    const statuses = new Set<number>();
    const succeeded = new Set<string>();
    const started = Date.now();
    for (const probe of probes) {
      const { problems: found, status } = await check(probe);
      problems.push(...found);
      statuses.add(status);
      if (status >= 200 && status < 300) succeeded.add(probe.operation.id);
    }
    const neverSucceeded = [...operations].filter((id) => !succeeded.has(id));
    console.log(
      `openapi fuzz (seed ${SEED}): ${probes.length} requests over ${operations.size} operations ` +
        `in ${Date.now() - started} ms; ${problems.length} problems; operations never ` +
        `answered 2xx: ${neverSucceeded.join(', ') || 'none'}`,
    );
    expect(problems).toEqual([]);
    // Generated requests reach the handlers, not only the validation pipe.
    expect(neverSucceeded).toEqual([]);
    // Refusals of every kind were among the answers (and their problem documents validated).
    for (const status of [400, 401, 404, 409, 413, 415, 429]) expect(statuses).toContain(status);
  });
});
