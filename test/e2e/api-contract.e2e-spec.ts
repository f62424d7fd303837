import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Response } from 'supertest';
import { freePort, startProcess, waitForHttp } from '../support/processes';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { BASE, randomApiKey, startTestApp, type TestApp } from '../support/test-app';

/**
 * The contract the OpenAPI document states, held against the running API by walking the
 * document itself: every integer parameter and body field is bounded (400 naming it, never a
 * 500), every route refuses a body field it does not know, each bad field gets one message,
 * credentials are declared, and no credential sent in a URL reaches a log.
 */

interface Schema {
  type?: string;
  minimum?: number;
  maximum?: number;
  items?: Schema & { $ref?: string };
  $ref?: string;
  allOf?: Schema[];
  properties?: Record<string, Schema>;
}

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema?: Schema;
}

interface Operation {
  operationId: string;
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: Schema }> };
  security?: Record<string, string[]>[];
}

interface Document {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema>; securitySchemes?: Record<string, unknown> };
}

type Method = 'get' | 'post' | 'put' | 'delete' | 'patch';

interface Field {
  field: string;
  message: string;
}

/** Past what any integer column holds: 99999999999999999999 (1e20). */
const HUGE = '99999999999999999999';

describe('API contract', () => {
  let t: TestApp;
  let doc: Document;
  let ops: { path: string; method: Method; op: Operation }[];

  beforeAll(async () => {
    t = await startTestApp();
    doc = (await t.http().get('/openapi.json').expect(200)).body as Document;
    ops = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.entries(item).map(([method, op]) => ({ path, method: method as Method, op })),
    );
  });

  afterAll(async () => {
    await t?.close();
  });

  const resolve = (schema: Schema | undefined): Schema | undefined => {
    if (!schema) return undefined;
    if (schema.$ref) return doc.components.schemas[schema.$ref.split('/').pop()!];
    if (schema.allOf?.length === 1) return resolve(schema.allOf[0]);
    return schema;
  };

  /** The path with every parameter set to 1, or to `value` for the one named. */
  const fill = (path: string, name?: string, value?: string) =>
    path.replace(/\{(\w+)\}/g, (_m, p: string) => (p === name ? value! : '1'));

  const call = (method: Method, url: string, body?: unknown) => {
    const req = t.http()[method](url);
    return body === undefined ? req : req.send(body as object);
  };

  function expectFieldProblem(res: Response, field: string, where: string): void {
    if (res.status !== 400) {
      throw new Error(`${where}: expected 400, got ${res.status} ${JSON.stringify(res.body)}`);
    }
    expect(res.body.code).toBe('validation_failed');
    const fields = (res.body.errors as Field[]).map((e) => e.field);
    if (!fields.some((f) => f === field || f.startsWith(`${field}.`))) {
      throw new Error(`${where}: errors do not name ${field}: ${JSON.stringify(res.body.errors)}`);
    }
  }

  describe('integers', () => {
    it('answers 400 naming the parameter for every integer path and query parameter past its maximum', async () => {
      let checked = 0;
      for (const { path, method, op } of ops) {
        for (const param of op.parameters ?? []) {
          if (param.schema?.type !== 'integer' || param.in === 'header') continue;
          expect(param.schema.maximum).toBeLessThanOrEqual(Number.MAX_SAFE_INTEGER);
          const values = [HUGE, String(param.schema.maximum! + 1)];
          for (const value of values) {
            const url =
              param.in === 'path'
                ? fill(path, param.name, value)
                : `${fill(path)}?${param.name}=${value}`;
            const where = `${method.toUpperCase()} ${url}`;
            expectFieldProblem(await call(method, url), param.name, where);
            checked++;
          }
        }
      }
      // ids on every resource route, page and per_page on every list, version, compare_to, …
      expect(checked).toBeGreaterThan(80);
    });

    it('answers 400 naming the field for every integer body field past its maximum', async () => {
      const checked: string[] = [];
      for (const { path, method, op } of ops) {
        const schema = resolve(op.requestBody?.content['application/json']?.schema);
        for (const [name, raw] of Object.entries(schema?.properties ?? {})) {
          const property = resolve(raw);
          const integer =
            property?.type === 'integer'
              ? property
              : property?.items?.type === 'integer'
                ? property.items
                : undefined;
          if (!integer) continue;
          expect(integer.maximum).toBeLessThanOrEqual(Number.MAX_SAFE_INTEGER);
          for (const n of [1e20, 2 ** 60, integer.maximum! + 1]) {
            const value = property?.type === 'array' ? [n, n] : n;
            const url = fill(path);
            const res = await call(method, url, { [name]: value });
            expectFieldProblem(res, name, `${method.toUpperCase()} ${url} {${name}: ${n}}`);
          }
          checked.push(`${op.operationId}.${name}`);
        }
      }
      expect(checked).toEqual(
        expect.arrayContaining([
          'createPrompt.project_id',
          'revertPrompt.version',
          'previewPrompt.version',
          'executePrompt.version',
          'createEvaluation.priority',
          'createEvaluation.test_case_ids',
          'compareEvaluations.evaluation_ids',
          'createPingJob.priority',
        ]),
      );
    });

    it('accepts the largest value of each bound (then the row is simply not there)', async () => {
      const project = await t.http().post(`${BASE}/projects/create`).send({ name: 'Bounds' });
      const prompt = await t
        .http()
        .post(`${BASE}/prompts/create`)
        .send({ project_id: project.body.id, name: 'p', user_prompt: 'Hi {who}' })
        .expect(201);
      const id = prompt.body.id as number;
      await t.http().get(`${BASE}/projects/${Number.MAX_SAFE_INTEGER}`).expect(404);
      await t.http().get(`${BASE}/prompts/${id}/versions/2147483647`).expect(404);
      await t
        .http()
        .post(`${BASE}/prompts/${id}/preview`)
        .send({ version: 2147483647 })
        .expect(404);
      expectFieldProblem(
        await t.http().post(`${BASE}/prompts/${id}/preview`).send({ version: 2147483648 }),
        'version',
        'preview',
      );
      const page = await t.http().get(`${BASE}/projects/list?page=1000000&per_page=100`);
      expect(page.status).toBe(200);
      expect(page.body.items).toEqual([]);
      expectFieldProblem(
        await t.http().get(`${BASE}/evaluations/1/report?compare_to=${HUGE}`),
        'compare_to',
        'report',
      );
    });
  });

  describe('one message per field', () => {
    it('says a missing field is required, once', async () => {
      const res = await t.http().post(`${BASE}/projects/create`).send({}).expect(400);
      expect(res.body.errors).toEqual([{ field: 'name', message: 'name is required.' }]);
    });

    it('reports the type before the length, and the length alone when the type is right', async () => {
      const wrongType = await t.http().post(`${BASE}/projects/create`).send({ name: 5 });
      expect(wrongType.body.errors).toEqual([{ field: 'name', message: 'name must be a string' }]);
      const tooLong = await t
        .http()
        .post(`${BASE}/projects/create`)
        .send({ name: 'x'.repeat(201) });
      expect(tooLong.body.errors).toEqual([
        { field: 'name', message: 'name must be shorter than or equal to 200 characters' },
      ]);
      const empty = await t.http().post(`${BASE}/projects/create`).send({ name: '   ' });
      expect(empty.body.errors).toEqual([{ field: 'name', message: 'name should not be empty' }]);
    });

    it('gives every bad field of a request, nested ones included, one message each', async () => {
      const res = await t
        .http()
        .post(`${BASE}/test-cases/bulk`)
        .send({
          project_id: 0,
          test_cases: [{ inputs: { q: 'ok' } }, { name: 7, tags: 'x' }],
        })
        .expect(400);
      const errors = res.body.errors as Field[];
      const fields = errors.map((e) => e.field);
      expect(new Set(fields).size).toBe(fields.length);
      expect(errors).toEqual(
        expect.arrayContaining([
          { field: 'project_id', message: 'project_id must not be less than 1' },
          { field: 'test_cases.1.name', message: 'name must be a string' },
          { field: 'test_cases.1.inputs', message: 'inputs is required.' },
          { field: 'test_cases.1.tags', message: 'tags must be an array' },
        ]),
      );
    });
  });

  describe('unknown body fields', () => {
    const UNKNOWN = 'zz_not_a_field';

    it('are refused by every route that takes a JSON body, naming the field', async () => {
      const walked: string[] = [];
      for (const { path, method, op } of ops) {
        if (!op.requestBody?.content['application/json']) continue;
        const url = fill(path);
        const res = await call(method, url, { [UNKNOWN]: true });
        expectFieldProblem(res, UNKNOWN, `${method.toUpperCase()} ${url}`);
        expect(res.body.errors).toContainEqual({
          field: UNKNOWN,
          message: `${UNKNOWN} is not a known field.`,
        });
        walked.push(op.operationId);
      }
      expect(walked.length).toBeGreaterThanOrEqual(15);
    });

    it('are refused by every route that takes no body at all', async () => {
      const walked: string[] = [];
      for (const { path, method, op } of ops) {
        if (method === 'get' || op.requestBody) continue;
        const url = fill(path);
        const res = await call(method, url, { [UNKNOWN]: 1 });
        expectFieldProblem(res, UNKNOWN, `${method.toUpperCase()} ${url}`);
        walked.push(op.operationId);
      }
      expect(walked).toEqual(
        expect.arrayContaining(['renderEvaluationReport', 'deleteProject', 'cancelJob']),
      );
    });

    it('no longer lets POST /evaluations/{id}/report ignore {"format": "pdf"}', async () => {
      const res = await t
        .http()
        .post(`${BASE}/evaluations/1/report`)
        .send({ format: 'pdf' })
        .expect(400);
      expect(res.body.errors).toEqual([
        { field: 'format', message: 'format is not a known field.' },
      ]);
      // The same refusal for a body that is not an object.
      const list = await t.http().post(`${BASE}/evaluations/1/report`).send([1]).expect(400);
      expect(list.body.errors).toEqual([
        { field: 'body', message: 'This route takes no request body.' },
      ]);
    });
  });

  describe('credentials in the document', () => {
    it('declares the API key header and bearer tokens on every protected operation', () => {
      expect(doc.components.securitySchemes).toEqual({
        api_key: expect.objectContaining({ type: 'apiKey', in: 'header', name: 'X-API-Key' }),
        bearer: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
      });
      for (const { path, op } of ops) {
        if (path.startsWith('/health/')) expect(op.security).toBeUndefined();
        else expect(op.security).toEqual([{ api_key: [] }, { bearer: [] }]);
      }
    });

    it('lets Swagger UI authorize and try operations out with either scheme', async () => {
      const init = await t.anonymous().get('/docs/swagger-ui-init.js').expect(200);
      expect(init.text).toContain('"securitySchemes"');
      expect(init.text).toContain('"persistAuthorization": true');
      // What "Try it out" sends after Authorize: the header named by each scheme.
      const url = `${BASE}/projects/list`;
      await t.anonymous().get(url).expect(401);
      await t.anonymous().get(url).set('X-API-Key', t.ownerKey).expect(200);
      await t.anonymous().get(url).set('Authorization', `Bearer ${t.ownerKey}`).expect(200);
    });
  });

  describe('user regular expressions', () => {
    const evil = `${'a'.repeat(40)}b`;

    it('stops a catastrophic pattern in /metrics/compute, answers quickly and keeps serving', async () => {
      const started = Date.now();
      const compute = t
        .http()
        .post(`${BASE}/metrics/compute`)
        .send({
          metric: 'regex_match',
          options: { pattern: '(a+)+$' },
          pairs: [
            { output: 'aaaa', expected: null },
            ...Array.from({ length: 6 }, () => ({ output: evil, expected: null })),
          ],
        })
        .then((res) => ({ res, at: Date.now() }));
      // Another request while the first is stopping its matches (past its authentication).
      await new Promise((r) => setTimeout(r, 250));
      const health = await t
        .anonymous()
        .get('/health/live')
        .then((res) => ({ res, at: Date.now() }));
      const { res, at } = await compute;
      expect(res.status).toBe(200);
      // Six matches stopped at 100 ms each, not minutes.
      expect(at - started).toBeLessThan(5000);
      expect(health.res.status).toBe(200);
      expect(health.at).toBeLessThan(at);
      expect(res.body.scores).toEqual([1, null, null, null, null, null, null]);
      expect(res.body.value).toBe(1);
      expect(res.body.details[1].error).toMatch(/^Not scored: The pattern ran longer than \d+ ms/);
    });

    it('refuses a pattern that is not a regular expression, naming options.pattern', async () => {
      const res = await t
        .http()
        .post(`${BASE}/metrics/compute`)
        .send({ metric: 'regex_match', options: { pattern: '(a+' }, pairs: [{ output: 'a' }] })
        .expect(400);
      expect((res.body.errors as Field[]).map((e) => e.field)).toEqual(['options.pattern']);
    });
  });

  describe('credentials in URLs', () => {
    it('keeps them out of the audit log', async () => {
      await t
        .http()
        .post(`${BASE}/projects/create?api_key=audit-secret-123&note=kept`)
        .send({ name: 'Audited with a key in the URL' })
        .expect(201);
      const audit = await t.http().get(`${BASE}/audit/list?action=project.create`).expect(200);
      const text = JSON.stringify(audit.body);
      expect(text).not.toContain('audit-secret-123');
      expect(audit.body.items).toContainEqual(
        expect.objectContaining({
          details: expect.objectContaining({ query: { api_key: '[REDACTED]', note: 'kept' } }),
        }),
      );
    });
  });
});

describe('request logs of the API and worker processes', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
  });

  afterAll(async () => {
    await database?.drop();
  });

  it('redact credential query parameters from every logged URL', async () => {
    const key = randomApiKey();
    const secrets = ['s3cret-api-key-value', 'tok-value-123', 'pw-value-456', 'sig-value-789'];
    const query = `api_key=${secrets[0]}&access_token=${secrets[1]}&password=${secrets[2]}&signature=${secrets[3]}&page=2`;
    const env = {
      DATA_DIR: mkdtempSync(join(tmpdir(), 'ps-')),
      ...(database.url ? { DATABASE_URL: database.url } : {}),
      RATE_LIMIT_ENABLED: 'false',
      PROMPT_STUDIO_API_KEY: key,
    };
    const apiPort = await freePort();
    const api = startProcess('api', { ...env, PORT: String(apiPort) });
    try {
      await waitForHttp(`http://127.0.0.1:${apiPort}/health/ready`, api);
      const base = `http://127.0.0.1:${apiPort}${BASE}`;
      const ok = await fetch(`${base}/projects/list?${query}`, { headers: { 'x-api-key': key } });
      expect(ok.status).toBe(400); // unknown query fields; logged all the same
      const missing = await fetch(`${base}/nowhere?${query}`, { headers: { 'x-api-key': key } });
      expect(missing.status).toBe(404);
      await fetch(`${base}/projects/list?token=${secrets[1]}`); // 401, logged too
    } finally {
      await api.stop();
    }
    const apiLog = api.output();
    expect(apiLog).toContain('api_key=[REDACTED]&access_token=[REDACTED]');
    expect(apiLog).toContain('password=[REDACTED]&signature=[REDACTED]&page=2');
    expect(apiLog).toContain('/projects/list?token=[REDACTED]');
    for (const secret of [...secrets, key]) expect(apiLog).not.toContain(secret);

    if (!database.url) return; // the worker needs PostgreSQL and Redis
    const workerPort = await freePort();
    const worker = startProcess('worker', {
      ...env,
      WORKER_PORT: String(workerPort),
      DB_MIGRATIONS_RUN: 'false',
      REDIS_URL: process.env.PS_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
      REDIS_KEY_PREFIX: `ps-test-${process.pid}-${Date.now()}`,
    });
    try {
      await waitForHttp(`http://127.0.0.1:${workerPort}/health/ready`, worker);
      const res = await fetch(`http://127.0.0.1:${workerPort}/nowhere?${query}`);
      expect(res.status).toBe(404);
    } finally {
      await worker.stop();
    }
    const workerLog = worker.output();
    expect(workerLog).toContain('/nowhere?api_key=[REDACTED]&access_token=[REDACTED]');
    for (const secret of secrets) expect(workerLog).not.toContain(secret);
  });
});
