import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The OpenAPI ruleset (.spectral.yaml, run by `npm run lint:openapi`) has teeth: a small document
 * that follows every rule lints clean, and each planted mistake fails with the rule that names
 * it. The committed document is linted in the same run.
 */

const ROOT = join(__dirname, '../../../..');
const SPECTRAL = join(ROOT, 'node_modules/.bin/spectral');

const problem = (description: string) => ({
  description,
  content: {
    'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemDto' } },
  },
});
const errors = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((s) => [String(s), problem(`HTTP ${s}`)]));
const SECURITY = [{ api_key: [] }, { bearer: [] }];
const body = (schema: string, examples: Record<string, unknown>) => ({
  required: true,
  content: {
    'application/json': {
      schema: { $ref: `#/components/schemas/${schema}` },
      examples: Object.fromEntries(
        Object.entries(examples).map(([name, value]) => [name, { summary: name, value }]),
      ),
    },
  },
});
const created = (schema: string) => ({
  description: 'Created.',
  content: { 'application/json': { schema: { $ref: `#/components/schemas/${schema}` } } },
});

/** A document that follows every rule. */
function validDocument() {
  const operation = (
    operationId: string,
    tag: string,
    extra: Record<string, unknown>,
    responses: Record<string, unknown>,
  ) => ({
    operationId,
    summary: `Do ${operationId}`,
    description: `What ${operationId} does.`,
    tags: [tag],
    security: SECURITY,
    ...extra,
    responses: {
      ...responses,
      ...errors(400, 401, 429, 500),
      ...(extra.requestBody ? errors(413, 415) : {}),
    },
  });
  return {
    openapi: '3.0.0',
    info: {
      title: 'Planted',
      version: '1.0.0',
      description: 'A document for the lint tests.',
      contact: { name: 'Prompt Studio' },
    },
    tags: [
      { name: 'projects', description: 'Projects.' },
      { name: 'test-cases', description: 'Test cases.' },
      { name: 'optimizations', description: 'Optimizations.' },
    ],
    paths: {
      '/api/v1/projects/create': {
        post: operation(
          'createProject',
          'projects',
          { requestBody: body('Project', { support: { name: 'Support' } }) },
          { '201': created('Project') },
        ),
      },
      '/api/v1/projects/{id}': {
        get: operation(
          'getProject',
          'projects',
          {
            parameters: [
              { name: 'id', in: 'path', required: true, schema: { type: 'integer', minimum: 1 } },
            ],
          },
          { '200': created('Project'), ...errors(404) },
        ),
      },
      '/api/v1/test-cases/create': {
        post: operation(
          'createTestCase',
          'test-cases',
          {
            requestBody: body('TestCase', {
              program: { name: 'add', expected_outputs: { runner: 'python', tests: [] } },
            }),
          },
          { '201': created('TestCase') },
        ),
      },
      '/api/v1/optimizations/create': {
        post: operation(
          'createOptimization',
          'optimizations',
          {
            requestBody: body('Optimization', {
              mipro: { strategy: 'mipro' },
              mcts: { strategy: 'mcts' },
            }),
          },
          { '202': created('Optimization') },
        ),
      },
      '/health/live': {
        get: {
          operationId: 'getLiveness',
          summary: 'Liveness',
          description: 'Whether the process runs.',
          tags: ['projects'],
          responses: { '200': created('Project') },
        },
      },
    },
    components: {
      securitySchemes: {
        api_key: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
      },
      schemas: {
        ProblemDto: {
          type: 'object',
          properties: { title: { type: 'string' }, status: { type: 'integer' } },
          required: ['title', 'status'],
        },
        Project: {
          type: 'object',
          properties: { name: { type: 'string', minLength: 1 } },
          required: ['name'],
        },
        TestCase: {
          type: 'object',
          properties: {
            name: { type: 'string' },
            expected_outputs: { type: 'object', additionalProperties: true },
          },
        },
        Optimization: {
          type: 'object',
          properties: { strategy: { type: 'string' } },
          required: ['strategy'],
        },
      },
    },
  };
}

type Json = Record<string, unknown>;

/** The object at a path of keys inside a document. */
const at = (node: Json, ...keys: string[]): Json => keys.reduce((n, k) => n[k] as Json, node);
const GET_PROJECT = ['paths', '/api/v1/projects/{id}', 'get'];
const CREATE_PROJECT = ['paths', '/api/v1/projects/create', 'post'];
const JSON_BODY = ['requestBody', 'content', 'application/json'];

/** Each planted mistake and the rule that must catch it (and `also`, what else it breaks). */
const MISTAKES: Record<string, { rule: string; also?: string[]; plant: (doc: Json) => void }> = {
  'missing-operation-id': {
    rule: 'ps-operation-id',
    plant: (d) => delete at(d, ...GET_PROJECT).operationId,
  },
  'snake-case-operation-id': {
    rule: 'ps-operation-id',
    plant: (d) => (at(d, ...GET_PROJECT).operationId = 'get_project'),
  },
  'missing-summary': {
    rule: 'ps-operation-summary',
    plant: (d) => delete at(d, ...GET_PROJECT).summary,
  },
  'missing-tags': {
    rule: 'ps-operation-tags',
    plant: (d) => (at(d, ...GET_PROJECT).tags = []),
  },
  'undeclared-tag': {
    rule: 'operation-tag-defined',
    plant: (d) => (at(d, ...GET_PROJECT).tags = ['elsewhere']),
  },
  'error-as-plain-json': {
    rule: 'ps-error-responses-are-problems',
    plant: (d) =>
      (at(d, ...GET_PROJECT, 'responses')['404'] = {
        description: 'Not found.',
        content: { 'application/json': { schema: { $ref: '#/components/schemas/ProblemDto' } } },
      }),
  },
  'server-error-without-problem': {
    rule: 'ps-error-responses-are-problems',
    plant: (d) => (at(d, ...CREATE_PROJECT, 'responses')['500'] = { description: 'Oops.' }),
  },
  'missing-400': {
    rule: 'ps-error-responses-documented',
    plant: (d) => delete at(d, ...CREATE_PROJECT, 'responses')['400'],
  },
  'missing-415': {
    rule: 'ps-body-problems-documented',
    plant: (d) => delete at(d, ...CREATE_PROJECT, 'responses')['415'],
  },
  'missing-401': {
    rule: 'ps-unauthorized-documented',
    plant: (d) => delete at(d, ...CREATE_PROJECT, 'responses')['401'],
  },
  'missing-404': {
    rule: 'ps-not-found-documented',
    plant: (d) => delete at(d, ...GET_PROJECT, 'responses')['404'],
  },
  'create-without-examples': {
    rule: 'ps-create-body-examples',
    plant: (d) => delete at(d, ...CREATE_PROJECT, ...JSON_BODY).examples,
  },
  'optimization-without-mcts-example': {
    rule: 'ps-mcts-optimization-example',
    plant: (d) =>
      delete at(d, 'paths', '/api/v1/optimizations/create', 'post', ...JSON_BODY, 'examples').mcts,
  },
  'test-case-without-program-example': {
    rule: 'ps-program-evaluator-example',
    plant: (d) =>
      (at(
        d,
        'paths',
        '/api/v1/test-cases/create',
        'post',
        ...JSON_BODY,
        'examples',
        'program',
      ).value = { name: 'plain', expected_outputs: {} }),
  },
  'example-against-schema': {
    rule: 'oas3-valid-media-example',
    plant: (d) =>
      (at(d, ...CREATE_PROJECT, ...JSON_BODY, 'examples', 'support').value = { name: 42 }),
  },
  'missing-bearer-scheme': {
    rule: 'ps-security-schemes',
    // Operations then name only the API key: the per-operation rule fires too.
    also: ['ps-operation-security'],
    plant: (d) => {
      delete at(d, 'components', 'securitySchemes').bearer;
      for (const item of Object.values(at(d, 'paths')) as Json[]) {
        for (const op of Object.values(item) as Json[]) {
          if (op.security) op.security = [{ api_key: [] }];
        }
      }
    },
  },
  'operation-with-one-scheme': {
    rule: 'ps-operation-security',
    plant: (d) => (at(d, ...GET_PROJECT).security = [{ api_key: [] }]),
  },
};

interface SpectralResult {
  code: string;
  source: string;
  severity: number;
  path: (string | number)[];
}

let results: SpectralResult[];
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ps-spectral-'));
  const files = [join(ROOT, 'openapi/openapi.json'), join(dir, 'valid.json')];
  writeFileSync(files[1], JSON.stringify(validDocument(), null, 2));
  for (const [name, mistake] of Object.entries(MISTAKES)) {
    const doc = validDocument() as Json;
    mistake.plant(doc);
    files.push(join(dir, `${name}.json`));
    writeFileSync(files.at(-1)!, JSON.stringify(doc, null, 2));
  }
  // One Spectral run over every file: its start-up is most of the cost.
  const run = spawnSync(
    SPECTRAL,
    ['lint', ...files, '--ruleset', join(ROOT, '.spectral.yaml'), '--format', 'json', '--quiet'],
    { cwd: ROOT, encoding: 'utf8', timeout: 120_000 },
  );
  if (run.error) throw run.error;
  results = JSON.parse(run.stdout) as SpectralResult[];
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const findingsOf = (file: string) =>
  results.filter((r) => r.source === file).map((r) => `${r.code} at ${r.path.join('.')}`);

describe('OpenAPI lint (.spectral.yaml)', () => {
  it('passes the committed document without a finding', () => {
    expect(findingsOf(join(ROOT, 'openapi/openapi.json'))).toEqual([]);
  });

  it('passes a small document that follows every rule', () => {
    expect(findingsOf(join(dir, 'valid.json'))).toEqual([]);
  });

  const planted = Object.entries(MISTAKES).map(([name, { rule }]) => [name, rule]);
  it.each(planted)('fails %s with %s', (name, rule) => {
    const file = join(dir, `${name}.json`);
    const codes = new Set(results.filter((r) => r.source === file).map((r) => r.code));
    expect([...codes].sort()).toEqual([rule, ...(MISTAKES[name].also ?? [])].sort());
    // An error, so `--fail-severity warn` (and any stricter setting) fails the lint.
    expect(results.find((r) => r.source === file && r.code === rule)?.severity).toBe(0);
  });
});
