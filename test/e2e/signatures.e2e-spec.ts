import { randomBytes } from 'node:crypto';
import type { Response } from 'supertest';
import { DataSource } from 'typeorm';
import { BASE, startTestApp, type TestApp } from '../support/test-app';

/**
 * Signatures over HTTP: typed input/output schemas, their validation, listing per project, soft
 * and permanent delete, and POST /signatures/{id}/validate. Each test makes its own project(s).
 */

const PROBLEM = /^application\/problem\+json/;
const JSON_TYPE = /^application\/json/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SIGNATURE_KEYS = [
  'constraints',
  'created_at',
  'id',
  'input_schema',
  'instruction',
  'name',
  'output_schema',
  'project_id',
  'updated_at',
  'uuid',
];
const MISSING_ID = 999_999_999_999;
const BAD_IDS = ['abc', '0', '-1', '2.5', '1e2', '12345678901234567'];

type Method = 'get' | 'post' | 'put' | 'delete';
type FieldError = { field: string; message: string };
type Field = { name: string; type: string; description?: string; required?: boolean };
type Signature = {
  id: number;
  uuid: string;
  project_id: number;
  name: string;
  instruction: string | null;
  input_schema: Field[];
  output_schema: Field[];
  constraints: Record<string, unknown>;
  created_at: string;
  updated_at: string;
};

const QA_INPUTS: Field[] = [
  { name: 'question', type: 'string', description: 'What the user asks.' },
  { name: 'context', type: 'string', required: false },
];
const QA_OUTPUTS: Field[] = [{ name: 'answer', type: 'string' }];

describe('signatures', () => {
  let t: TestApp;
  const serverErrors: string[] = [];
  let counter = 0;

  beforeAll(async () => {
    t = await startTestApp();
  });

  afterAll(async () => {
    await t.close();
  });

  const token = () => `tk${++counter}${randomBytes(4).toString('hex')}`;

  /** Calls the API; any 5xx fails the calling test at once (and is recorded for the last test). */
  async function call(method: Method, path: string, body?: unknown): Promise<Response> {
    const req = t.http()[method](`${BASE}${path}`);
    const res = body === undefined ? await req : await req.send(body as object);
    if (res.status >= 500) {
      serverErrors.push(`${method.toUpperCase()} ${path} -> ${res.status}`);
      throw new Error(`${method.toUpperCase()} ${path} answered ${res.status}: ${res.text}`);
    }
    return res;
  }

  function expectProblem(res: Response, status: number, code: string): void {
    expect({ status: res.status, body: res.body }).toMatchObject({
      status,
      body: { status, code, type: `urn:prompt-studio:problem:${code}` },
    });
    expect(res.headers['content-type']).toMatch(PROBLEM);
    expect(typeof res.body.title).toBe('string');
    expect(typeof res.body.detail).toBe('string');
    expect(String(res.body.instance).startsWith(`${BASE}/`)).toBe(true);
  }

  function expectValidation(res: Response, fields: string[]): FieldError[] {
    expectProblem(res, 400, 'validation_failed');
    const errors = res.body.errors as FieldError[];
    expect(Array.isArray(errors)).toBe(true);
    for (const error of errors) {
      expect(typeof error.field).toBe('string');
      expect(typeof error.message).toBe('string');
      expect(error.message.length).toBeGreaterThan(0);
    }
    expect(errors.map((e) => e.field)).toEqual(expect.arrayContaining(fields));
    return errors;
  }

  function expectSignatureShape(body: Record<string, unknown>): void {
    expect(Object.keys(body).sort()).toEqual(SIGNATURE_KEYS);
    expect(Number.isInteger(body.id)).toBe(true);
    expect(body.uuid).toMatch(UUID);
    expect(body.created_at).toMatch(ISO);
    expect(body.updated_at).toMatch(ISO);
  }

  async function createProject(): Promise<{ id: number }> {
    const res = await call('post', '/projects/create', { name: `Project ${token()}` });
    expect(res.status).toBe(201);
    return res.body;
  }

  async function createSignature(projectId: number, values: Record<string, unknown> = {}) {
    const res = await call('post', '/signatures/create', {
      project_id: projectId,
      name: `Sig ${token()}`,
      input_schema: QA_INPUTS,
      output_schema: QA_OUTPUTS,
      ...values,
    });
    expect({ status: res.status, body: res.body }).toMatchObject({ status: 201 });
    return res.body as Signature;
  }

  async function list(query: string) {
    const res = await call('get', `/signatures/list?${query}`);
    expect({ status: res.status, body: res.body }).toMatchObject({ status: 200 });
    return res.body as { items: Signature[]; total: number; page: number; per_page: number };
  }

  const db = () => t.app.get(DataSource);
  async function rowExists(table: string, id: number): Promise<boolean> {
    const rows = await db().query<unknown[]>(`SELECT 1 FROM ${table} WHERE id = $1`, [id]);
    return rows.length === 1;
  }

  describe('POST /signatures/create', () => {
    it('creates a signature; fields are required unless they say otherwise', async () => {
      const project = await createProject();
      const name = `QuestionAnswer ${token()}`;
      const res = await call('post', '/signatures/create', {
        project_id: project.id,
        name: `  ${name} `,
        input_schema: QA_INPUTS,
        output_schema: [
          { name: 'answer', type: 'string', required: true },
          { name: 'confidence', type: 'number', required: false, description: '0..1' },
        ],
      });
      expect(res.status).toBe(201);
      expect(res.headers['content-type']).toMatch(JSON_TYPE);
      expectSignatureShape(res.body);
      expect(res.body).toEqual({
        id: expect.any(Number),
        uuid: expect.any(String),
        project_id: project.id,
        name,
        instruction: null,
        input_schema: [
          { name: 'question', type: 'string', description: 'What the user asks.', required: true },
          { name: 'context', type: 'string', required: false },
        ],
        output_schema: [
          { name: 'answer', type: 'string', required: true },
          { name: 'confidence', type: 'number', description: '0..1', required: false },
        ],
        constraints: {},
        created_at: expect.any(String),
        updated_at: expect.any(String),
      });
      expect(res.body.created_at).toBe(res.body.updated_at);

      const got = await call('get', `/signatures/${res.body.id}`);
      expect(got.status).toBe(200);
      expect(got.body).toEqual(res.body);
    });

    it('stores instruction and constraints, and accepts every field type', async () => {
      const project = await createProject();
      const types = ['string', 'integer', 'number', 'boolean', 'array', 'object'];
      const res = await call('post', '/signatures/create', {
        project_id: project.id,
        name: 'AllTypes',
        instruction: 'Answer the question based on context.',
        input_schema: types.map((type) => ({ name: `f_${type}`, type })),
        output_schema: [{ name: '_out1', type: 'object', required: false }],
        constraints: { max_words: 50, tone: ['friendly'] },
      });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        instruction: 'Answer the question based on context.',
        constraints: { max_words: 50, tone: ['friendly'] },
        input_schema: types.map((type) => ({ name: `f_${type}`, type, required: true })),
        output_schema: [{ name: '_out1', type: 'object', required: false }],
      });
    });

    it('accepts field names that differ only in case', async () => {
      const project = await createProject();
      const signature = await createSignature(project.id, {
        input_schema: [
          { name: 'Name', type: 'string' },
          { name: 'name', type: 'string' },
        ],
      });
      expect(signature.input_schema.map((f) => f.name)).toEqual(['Name', 'name']);
    });

    it('answers 400 naming input_schema.1.name for a duplicate input field', async () => {
      const project = await createProject();
      const res = await call('post', '/signatures/create', {
        project_id: project.id,
        name: 'Dup',
        input_schema: [
          { name: 'question', type: 'string' },
          { name: 'question', type: 'integer' },
        ],
        output_schema: QA_OUTPUTS,
      });
      expect(expectValidation(res, ['input_schema.1.name'])).toEqual([
        { field: 'input_schema.1.name', message: expect.stringContaining('question') },
      ]);
      expect((await list(`project_id=${project.id}`)).total).toBe(0);
    });

    it('names every duplicate, in the input and the output schema', async () => {
      const project = await createProject();
      const res = await call('post', '/signatures/create', {
        project_id: project.id,
        name: 'Dups',
        input_schema: [
          { name: 'a', type: 'string' },
          { name: 'b', type: 'string' },
          { name: 'a', type: 'string' },
          { name: 'b', type: 'string' },
        ],
        output_schema: [
          { name: 'x', type: 'string' },
          { name: 'x', type: 'string' },
        ],
      });
      expect(expectValidation(res, []).map((e) => e.field)).toEqual([
        'input_schema.2.name',
        'input_schema.3.name',
        'output_schema.1.name',
      ]);
    });

    it.each([
      ['an unknown field type', [{ name: 'q', type: 'text' }], 'input_schema.0.type'],
      ['a missing field type', [{ name: 'q' }], 'input_schema.0.type'],
      ['a name starting with a digit', [{ name: '1q', type: 'string' }], 'input_schema.0.name'],
      ['a name with a space', [{ name: 'my field', type: 'string' }], 'input_schema.0.name'],
      ['a name with a dash', [{ name: 'my-field', type: 'string' }], 'input_schema.0.name'],
      ['a name with a dot', [{ name: 'a.b', type: 'string' }], 'input_schema.0.name'],
      ['an empty name', [{ name: '', type: 'string' }], 'input_schema.0.name'],
      ['a missing name', [{ type: 'string' }], 'input_schema.0.name'],
      [
        'a name over 64 characters',
        [{ name: 'n'.repeat(65), type: 'string' }],
        'input_schema.0.name',
      ],
      [
        'a non-boolean required',
        [{ name: 'q', type: 'string', required: 'yes' }],
        'input_schema.0.required',
      ],
      [
        'a non-string description',
        [{ name: 'q', type: 'string', description: 5 }],
        'input_schema.0.description',
      ],
      [
        'an unknown key in a field',
        [{ name: 'q', type: 'string', default: 'x' }],
        'input_schema.0.default',
      ],
      ['a field that is not an object', ['question'], 'input_schema.0'],
      [
        'a bad second field',
        [
          { name: 'ok', type: 'string' },
          { name: 'ok2', type: 'float' },
        ],
        'input_schema.1.type',
      ],
      ['a schema that is not an array', { question: 'string' }, 'input_schema'],
      [
        'more than 100 fields',
        Array.from({ length: 101 }, (_, i) => ({ name: `f${i}`, type: 'string' })),
        'input_schema',
      ],
    ])('answers 400 for %s, naming %s', async (_label, inputSchema, field) => {
      const project = await createProject();
      const res = await call('post', '/signatures/create', {
        project_id: project.id,
        name: 'Bad',
        input_schema: inputSchema,
        output_schema: QA_OUTPUTS,
      });
      expectValidation(res, [field]);
    });

    it('names a bad output field by its output_schema path', async () => {
      const project = await createProject();
      const res = await call('post', '/signatures/create', {
        project_id: project.id,
        name: 'BadOut',
        input_schema: QA_INPUTS,
        output_schema: [
          { name: 'answer', type: 'string' },
          { name: 'score', type: 'decimal' },
        ],
      });
      expect(expectValidation(res, ['output_schema.1.type']).map((e) => e.field)).toEqual([
        'output_schema.1.type',
      ]);
    });

    it('answers 400 naming every missing required field', async () => {
      const res = await call('post', '/signatures/create', {});
      expectValidation(res, ['project_id', 'name', 'input_schema', 'output_schema']);
    });

    it.each([
      ['project_id as a string', { project_id: '1' }, 'project_id'],
      ['project_id zero', { project_id: 0 }, 'project_id'],
      ['project_id fractional', { project_id: 1.5 }, 'project_id'],
      ['name empty', { name: '' }, 'name'],
      ['name not a string', { name: 12 }, 'name'],
      ['name over 200 characters', { name: 'n'.repeat(201) }, 'name'],
      ['instruction not a string', { instruction: ['x'] }, 'instruction'],
      ['constraints an array', { constraints: [1] }, 'constraints'],
      ['output_schema null', { output_schema: null }, 'output_schema'],
      ['an unknown field', { version: 2 }, 'version'],
    ])('answers 400 for %s', async (_label, override, field) => {
      const project = await createProject();
      const res = await call('post', '/signatures/create', {
        project_id: project.id,
        name: 'Fine',
        input_schema: QA_INPUTS,
        output_schema: QA_OUTPUTS,
        ...override,
      });
      expectValidation(res, [field]);
    });

    it('names an unknown top-level field', async () => {
      const project = await createProject();
      const res = await call('post', '/signatures/create', {
        project_id: project.id,
        name: 'Fine',
        input_schema: [],
        output_schema: [],
        examples: [],
      });
      expect(expectValidation(res, ['examples'])).toEqual([
        { field: 'examples', message: 'examples is not a known field.' },
      ]);
    });

    it('answers 404 naming project_id for a missing project, 400 past the largest id', async () => {
      for (const [projectId, status, code] of [
        [MISSING_ID, 404, 'not_found'],
        [1e20, 400, 'validation_failed'],
      ] as const) {
        const res = await call('post', '/signatures/create', {
          project_id: projectId,
          name: 'Orphan',
          input_schema: QA_INPUTS,
          output_schema: QA_OUTPUTS,
        });
        expectProblem(res, status, code);
        expect(res.body.errors).toEqual([{ field: 'project_id', message: expect.any(String) }]);
      }
    });

    it('answers 404 for a soft-deleted project', async () => {
      const project = await createProject();
      await call('delete', `/projects/${project.id}`);
      const res = await call('post', '/signatures/create', {
        project_id: project.id,
        name: 'Late',
        input_schema: QA_INPUTS,
        output_schema: QA_OUTPUTS,
      });
      expectProblem(res, 404, 'not_found');
      expect(res.body.errors).toEqual([{ field: 'project_id', message: expect.any(String) }]);
    });

    it('answers 409 for a duplicate name in the project, ignoring case', async () => {
      const project = await createProject();
      const first = await createSignature(project.id, { name: 'Summarize Text' });
      for (const name of ['Summarize Text', 'SUMMARIZE TEXT', ' summarize text ']) {
        const res = await call('post', '/signatures/create', {
          project_id: project.id,
          name,
          input_schema: [],
          output_schema: [],
        });
        expectProblem(res, 409, 'conflict');
        expect(res.body.errors).toEqual([{ field: 'name', message: expect.any(String) }]);
      }
      expect((await list(`project_id=${project.id}`)).items.map((s) => s.id)).toEqual([first.id]);
    });

    it('allows the same name in another project', async () => {
      const one = await createProject();
      const two = await createProject();
      await createSignature(one.id, { name: 'Shared' });
      const res = await createSignature(two.id, { name: 'shared' });
      expect(res.project_id).toBe(two.id);
    });

    it('lets a soft-deleted signature free its name', async () => {
      const project = await createProject();
      const first = await createSignature(project.id, { name: 'Again' });
      expect((await call('delete', `/signatures/${first.id}`)).status).toBe(204);
      const second = await createSignature(project.id, { name: 'again' });
      expect(second.id).not.toBe(first.id);
    });
  });

  describe('GET /signatures/:id', () => {
    it('returns the signature', async () => {
      const project = await createProject();
      const signature = await createSignature(project.id, { instruction: 'Be brief.' });
      const res = await call('get', `/signatures/${signature.id}`);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(JSON_TYPE);
      expectSignatureShape(res.body);
      expect(res.body).toEqual(signature);
    });

    it('answers 404 for a missing or soft-deleted signature', async () => {
      expectProblem(await call('get', `/signatures/${MISSING_ID}`), 404, 'not_found');
      const project = await createProject();
      const signature = await createSignature(project.id);
      await call('delete', `/signatures/${signature.id}`);
      const res = await call('get', `/signatures/${signature.id}`);
      expectProblem(res, 404, 'not_found');
      expect(res.body.detail).toContain(String(signature.id));
    });

    it('answers 404 once its project is soft-deleted', async () => {
      const project = await createProject();
      const signature = await createSignature(project.id);
      await call('delete', `/projects/${project.id}`);
      expectProblem(await call('get', `/signatures/${signature.id}`), 404, 'not_found');
    });

    it.each(BAD_IDS)('answers 400 for the path id %j, naming id', async (bad) => {
      expect(expectValidation(await call('get', `/signatures/${bad}`), ['id'])).toEqual([
        { field: 'id', message: expect.any(String) },
      ]);
    });
  });

  describe('GET /signatures/list', () => {
    it('lists the signatures of one project, by name by default', async () => {
      const project = await createProject();
      const other = await createProject();
      const b = await createSignature(project.id, { name: 'bravo' });
      const a = await createSignature(project.id, { name: 'alpha' });
      const c = await createSignature(project.id, { name: 'charlie' });
      await createSignature(other.id, { name: 'aardvark' });
      const res = await call('get', `/signatures/list?project_id=${project.id}`);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(JSON_TYPE);
      expect(Object.keys(res.body).sort()).toEqual(['items', 'page', 'per_page', 'total']);
      expect(res.body).toMatchObject({ total: 3, page: 1, per_page: 20 });
      expect(res.body.items.map((s: Signature) => s.id)).toEqual([a.id, b.id, c.id]);
      for (const item of res.body.items) expectSignatureShape(item);
      expect(res.body.items[0]).toEqual(a);
    });

    it('sorts by -name, created_at and -created_at', async () => {
      const project = await createProject();
      const first = await createSignature(project.id, { name: 'm' });
      const second = await createSignature(project.id, { name: 'z' });
      const third = await createSignature(project.id, { name: 'a' });
      const ids = async (sort: string) =>
        (await list(`project_id=${project.id}&sort=${sort}`)).items.map((s) => s.id);
      expect(await ids('-name')).toEqual([second.id, first.id, third.id]);
      expect(await ids('name')).toEqual([third.id, first.id, second.id]);
      expect(await ids('created_at')).toEqual([first.id, second.id, third.id]);
      expect(await ids('-created_at')).toEqual([third.id, second.id, first.id]);
    });

    it('searches name and instruction case-insensitively, with % and _ literal', async () => {
      const project = await createProject();
      const byName = await createSignature(project.id, { name: 'Classify_Sentiment' });
      const byInstruction = await createSignature(project.id, {
        name: 'Other',
        instruction: 'Give a 100% SENTIMENT score.',
      });
      await createSignature(project.id, { name: 'ClassifyXSentiment' });
      await createSignature(project.id, { name: 'Plain', instruction: 'Give a 1000 score' });
      const ids = async (search: string) =>
        (await list(`project_id=${project.id}&search=${encodeURIComponent(search)}`)).items
          .map((s) => s.id)
          .sort((x, y) => x - y);
      expect(await ids('sentiment')).toHaveLength(3);
      expect(await ids('y_s')).toEqual([byName.id]);
      expect(await ids('CLASSIFY_')).toEqual([byName.id]);
      expect(await ids('100%')).toEqual([byInstruction.id]);
      expect(await ids('%')).toEqual([byInstruction.id]);
      expect(await ids('nothing like this')).toEqual([]);
    });

    it('pages: per_page=1 walks all, past the end is empty with the right total', async () => {
      const project = await createProject();
      const made: number[] = [];
      for (const name of ['a', 'b', 'c', 'd'])
        made.push((await createSignature(project.id, { name })).id);
      const seen: number[] = [];
      for (let page = 1; page <= 4; page++) {
        const res = await list(`project_id=${project.id}&per_page=1&page=${page}`);
        expect(res).toMatchObject({ total: 4, page, per_page: 1 });
        expect(res.items).toHaveLength(1);
        seen.push(res.items[0].id);
      }
      expect(seen).toEqual(made);
      expect(await list(`project_id=${project.id}&per_page=3&page=9`)).toEqual({
        items: [],
        total: 4,
        page: 9,
        per_page: 3,
      });
    });

    it('answers an empty page for a project without signatures', async () => {
      const project = await createProject();
      expect(await list(`project_id=${project.id}`)).toEqual({
        items: [],
        total: 0,
        page: 1,
        per_page: 20,
      });
    });

    it('leaves out soft-deleted signatures', async () => {
      const project = await createProject();
      const kept = await createSignature(project.id, { name: 'kept' });
      const gone = await createSignature(project.id, { name: 'gone' });
      await call('delete', `/signatures/${gone.id}`);
      const page = await list(`project_id=${project.id}`);
      expect(page.total).toBe(1);
      expect(page.items.map((s) => s.id)).toEqual([kept.id]);
    });

    it('answers 400 without project_id, naming it', async () => {
      const res = await call('get', '/signatures/list');
      expectValidation(res, ['project_id']);
      expect(res.body.errors.every((e: FieldError) => e.field === 'project_id')).toBe(true);
    });

    it('answers 404 naming project_id for a missing or soft-deleted project', async () => {
      for (const [id, status, code] of [
        [String(MISSING_ID), 404, 'not_found'],
        ['100000000000000000000', 400, 'validation_failed'],
      ] as const) {
        const res = await call('get', `/signatures/list?project_id=${id}`);
        expectProblem(res, status, code);
        expect(res.body.errors).toEqual([{ field: 'project_id', message: expect.any(String) }]);
      }
      const project = await createProject();
      await createSignature(project.id);
      await call('delete', `/projects/${project.id}`);
      expectProblem(
        await call('get', `/signatures/list?project_id=${project.id}`),
        404,
        'not_found',
      );
    });

    it.each([
      ['project_id=abc', 'project_id'],
      ['project_id=0', 'project_id'],
      ['project_id=1.5', 'project_id'],
      ['project_id=1&project_id=2', 'project_id'],
      ['per_page=0', 'per_page'],
      ['per_page=101', 'per_page'],
      ['page=0', 'page'],
      ['sort=updated_at', 'sort'],
      ['sort=random', 'sort'],
      [`search=${'q'.repeat(201)}`, 'search'],
      ['status=active', 'status'],
    ])('answers 400 for %s, naming %s', async (query, field) => {
      const project = await createProject();
      const res = await call('get', `/signatures/list?project_id=${project.id}&${query}`);
      expectValidation(res, [field]);
    });
  });

  describe('PUT /signatures/:id', () => {
    it('changes name, instruction and constraints and keeps the schemas', async () => {
      const project = await createProject();
      const signature = await createSignature(project.id, { constraints: { a: 1 } });
      await new Promise((resolve) => setTimeout(resolve, 5));
      const res = await call('put', `/signatures/${signature.id}`, {
        name: ' Renamed ',
        instruction: 'New instruction',
        constraints: { b: 2 },
      });
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(JSON_TYPE);
      expectSignatureShape(res.body);
      expect(res.body).toMatchObject({
        id: signature.id,
        uuid: signature.uuid,
        project_id: project.id,
        name: 'Renamed',
        instruction: 'New instruction',
        constraints: { b: 2 },
        input_schema: signature.input_schema,
        output_schema: signature.output_schema,
        created_at: signature.created_at,
      });
      expect(Date.parse(res.body.updated_at)).toBeGreaterThan(Date.parse(signature.updated_at));
      expect((await call('get', `/signatures/${signature.id}`)).body).toEqual(res.body);
    });

    it('replaces the input schema, applying required defaults', async () => {
      const project = await createProject();
      const signature = await createSignature(project.id);
      const res = await call('put', `/signatures/${signature.id}`, {
        input_schema: [
          { name: 'text', type: 'string' },
          { name: 'max_words', type: 'integer', required: false, description: 'Limit' },
        ],
      });
      expect(res.status).toBe(200);
      expect(res.body.input_schema).toEqual([
        { name: 'text', type: 'string', required: true },
        { name: 'max_words', type: 'integer', description: 'Limit', required: false },
      ]);
      expect(res.body.output_schema).toEqual(signature.output_schema);
      expect(res.body.name).toBe(signature.name);
    });

    it('replaces the output schema alone', async () => {
      const project = await createProject();
      const signature = await createSignature(project.id);
      const res = await call('put', `/signatures/${signature.id}`, {
        output_schema: [{ name: 'summary', type: 'string', required: false }],
      });
      expect(res.status).toBe(200);
      expect(res.body.output_schema).toEqual([
        { name: 'summary', type: 'string', required: false },
      ]);
      expect(res.body.input_schema).toEqual(signature.input_schema);
    });

    it('answers 400 naming duplicate fields in an updated schema and changes nothing', async () => {
      const project = await createProject();
      const signature = await createSignature(project.id);
      const res = await call('put', `/signatures/${signature.id}`, {
        output_schema: [
          { name: 'answer', type: 'string' },
          { name: 'answer', type: 'string' },
        ],
      });
      expect(expectValidation(res, ['output_schema.1.name']).map((e) => e.field)).toEqual([
        'output_schema.1.name',
      ]);
      expect((await call('get', `/signatures/${signature.id}`)).body).toEqual(signature);
    });

    it.each([
      ['an empty body', {}, 'body'],
      ['an unknown field', { owner: 'x' }, 'owner'],
      ['moving to another project', { project_id: 1 }, 'project_id'],
      ['an empty name', { name: ' ' }, 'name'],
      ['a non-string name', { name: 1 }, 'name'],
      ['a null name', { name: null }, 'name'],
      ['null constraints', { constraints: null }, 'constraints'],
      ['constraints an array', { constraints: [] }, 'constraints'],
      ['a null input schema', { input_schema: null }, 'input_schema'],
      ['an input schema that is not an array', { input_schema: 'x' }, 'input_schema'],
      [
        'an invalid field type',
        { input_schema: [{ name: 'q', type: 'date' }] },
        'input_schema.0.type',
      ],
      [
        'a field name that is no identifier',
        { output_schema: [{ name: 'a b', type: 'string' }] },
        'output_schema.0.name',
      ],
    ])('answers 400 for %s, naming %s', async (_label, body, field) => {
      const project = await createProject();
      const signature = await createSignature(project.id);
      const res = await call('put', `/signatures/${signature.id}`, body);
      expectValidation(res, [field]);
      expect((await call('get', `/signatures/${signature.id}`)).body).toEqual(signature);
    });

    it('answers 409 for a name taken in the project, ignoring case', async () => {
      const project = await createProject();
      await createSignature(project.id, { name: 'Taken' });
      const signature = await createSignature(project.id, { name: 'Free' });
      const res = await call('put', `/signatures/${signature.id}`, { name: 'TAKEN' });
      expectProblem(res, 409, 'conflict');
      expect(res.body.errors).toEqual([{ field: 'name', message: expect.any(String) }]);
    });

    it('allows its own name in another case, and a name used in another project', async () => {
      const project = await createProject();
      const other = await createProject();
      await createSignature(other.id, { name: 'Elsewhere' });
      const signature = await createSignature(project.id, { name: 'mine' });
      expect((await call('put', `/signatures/${signature.id}`, { name: 'MINE' })).body.name).toBe(
        'MINE',
      );
      expect(
        (await call('put', `/signatures/${signature.id}`, { name: 'Elsewhere' })).body.name,
      ).toBe('Elsewhere');
    });

    it('answers 404 for a missing, soft-deleted, or orphaned signature', async () => {
      expectProblem(
        await call('put', `/signatures/${MISSING_ID}`, { name: 'x' }),
        404,
        'not_found',
      );
      const project = await createProject();
      const deleted = await createSignature(project.id);
      await call('delete', `/signatures/${deleted.id}`);
      expectProblem(
        await call('put', `/signatures/${deleted.id}`, { name: 'x' }),
        404,
        'not_found',
      );
      const orphan = await createSignature(project.id);
      await call('delete', `/projects/${project.id}`);
      expectProblem(await call('put', `/signatures/${orphan.id}`, { name: 'x' }), 404, 'not_found');
    });

    it.each(BAD_IDS)('answers 400 for the path id %j', async (bad) => {
      expectValidation(await call('put', `/signatures/${bad}`, { name: 'x' }), ['id']);
    });
  });

  describe('DELETE /signatures/:id', () => {
    it('soft-deletes: 204, then 404 for every route and the row is kept', async () => {
      const project = await createProject();
      const signature = await createSignature(project.id);
      const res = await call('delete', `/signatures/${signature.id}`);
      expect(res.status).toBe(204);
      expect(res.text).toBe('');
      expectProblem(await call('get', `/signatures/${signature.id}`), 404, 'not_found');
      expectProblem(
        await call('put', `/signatures/${signature.id}`, { name: 'x' }),
        404,
        'not_found',
      );
      expectProblem(
        await call('post', `/signatures/${signature.id}/validate`, { inputs: {} }),
        404,
        'not_found',
      );
      expectProblem(await call('delete', `/signatures/${signature.id}`), 404, 'not_found');
      expect((await list(`project_id=${project.id}`)).total).toBe(0);
      expect(await rowExists('signatures', signature.id)).toBe(true);
    });

    it('with permanent=true removes the row, also after a soft delete', async () => {
      const project = await createProject();
      const live = await createSignature(project.id);
      expect((await call('delete', `/signatures/${live.id}?permanent=true`)).status).toBe(204);
      expect(await rowExists('signatures', live.id)).toBe(false);
      expectProblem(await call('get', `/signatures/${live.id}`), 404, 'not_found');

      const soft = await createSignature(project.id);
      await call('delete', `/signatures/${soft.id}`);
      expect((await call('delete', `/signatures/${soft.id}?permanent=true`)).status).toBe(204);
      expect(await rowExists('signatures', soft.id)).toBe(false);
      expectProblem(
        await call('delete', `/signatures/${soft.id}?permanent=true`),
        404,
        'not_found',
      );
    });

    it('permanently deleting a signature detaches the prompts and test cases using it', async () => {
      const project = await createProject();
      const signature = await createSignature(project.id);
      const prompt = await call('post', '/prompts/create', {
        project_id: project.id,
        name: 'Uses signature',
        user_prompt: 'Q: {question}',
        signature_id: signature.id,
      });
      expect(prompt.status).toBe(201);
      const testCase = await call('post', '/test-cases/create', {
        project_id: project.id,
        inputs: { question: 'why?' },
        signature_id: signature.id,
      });
      expect(testCase.status).toBe(201);
      expect((await call('delete', `/signatures/${signature.id}?permanent=true`)).status).toBe(204);
      const promptAfter = await call('get', `/prompts/${prompt.body.id}`);
      expect(promptAfter.status).toBe(200);
      expect(promptAfter.body.signature_id).toBeNull();
      const caseAfter = await call('get', `/test-cases/${testCase.body.id}`);
      expect(caseAfter.status).toBe(200);
      expect(caseAfter.body.signature_id).toBeNull();
    });

    it('is gone with its project when the project is deleted permanently', async () => {
      const project = await createProject();
      const signature = await createSignature(project.id);
      expect((await call('delete', `/projects/${project.id}?permanent=true`)).status).toBe(204);
      expect(await rowExists('signatures', signature.id)).toBe(false);
      expectProblem(await call('get', `/signatures/${signature.id}`), 404, 'not_found');
    });

    it('answers 404 for a missing signature or one in a soft-deleted project', async () => {
      expectProblem(await call('delete', `/signatures/${MISSING_ID}`), 404, 'not_found');
      expectProblem(
        await call('delete', `/signatures/${MISSING_ID}?permanent=true`),
        404,
        'not_found',
      );
      const project = await createProject();
      const signature = await createSignature(project.id);
      await call('delete', `/projects/${project.id}`);
      expectProblem(await call('delete', `/signatures/${signature.id}`), 404, 'not_found');
    });

    it('answers 400 for a permanent flag that is not a boolean', async () => {
      const project = await createProject();
      const signature = await createSignature(project.id);
      expectValidation(await call('delete', `/signatures/${signature.id}?permanent=yes`), [
        'permanent',
      ]);
      expect((await call('get', `/signatures/${signature.id}`)).status).toBe(200);
    });

    it.each(BAD_IDS)('answers 400 for the path id %j', async (bad) => {
      expectValidation(await call('delete', `/signatures/${bad}`), ['id']);
    });
  });

  describe('POST /signatures/:id/validate', () => {
    const INPUTS: Field[] = [
      { name: 'question', type: 'string' },
      { name: 'count', type: 'integer' },
      { name: 'ratio', type: 'number', required: false },
      { name: 'strict', type: 'boolean', required: false },
      { name: 'tags', type: 'array', required: false },
      { name: 'meta', type: 'object', required: false },
    ];
    const OUTPUTS: Field[] = [
      { name: 'answer', type: 'string' },
      { name: 'score', type: 'number', required: false },
    ];

    async function typed(): Promise<Signature> {
      const project = await createProject();
      return createSignature(project.id, { input_schema: INPUTS, output_schema: OUTPUTS });
    }

    async function validate(id: number, body: unknown) {
      const res = await call('post', `/signatures/${id}/validate`, body);
      expect({ status: res.status, body: res.body }).toMatchObject({ status: 200 });
      expect(res.headers['content-type']).toMatch(JSON_TYPE);
      expect(Object.keys(res.body).sort()).toEqual(['errors', 'unknown_fields', 'valid']);
      return res.body as { valid: boolean; errors: FieldError[]; unknown_fields: string[] };
    }

    it('accepts valid inputs', async () => {
      const signature = await typed();
      expect(await validate(signature.id, { inputs: { question: 'Why?', count: 3 } })).toEqual({
        valid: true,
        errors: [],
        unknown_fields: [],
      });
      expect(
        await validate(signature.id, {
          inputs: {
            question: '',
            count: -2,
            ratio: 2,
            strict: false,
            tags: ['a', 1],
            meta: { any: 'thing' },
          },
        }),
      ).toEqual({ valid: true, errors: [], unknown_fields: [] });
    });

    it('reports a missing required input', async () => {
      const signature = await typed();
      expect(await validate(signature.id, { inputs: { count: 1 } })).toEqual({
        valid: false,
        errors: [{ field: 'inputs.question', message: 'question is required.' }],
        unknown_fields: [],
      });
      const none = await validate(signature.id, { inputs: {} });
      expect(none.valid).toBe(false);
      expect(none.errors.map((e) => e.field).sort()).toEqual(['inputs.count', 'inputs.question']);
    });

    it.each([
      ['an integer field given a string', { count: 'three' }, 'inputs.count', 'integer'],
      ['an integer field given a fraction', { count: 1.5 }, 'inputs.count', 'integer'],
      ['a string field given a number', { question: 42 }, 'inputs.question', 'string'],
      ['a string field given null', { question: null }, 'inputs.question', 'string'],
      ['a number field given a string', { ratio: '0.5' }, 'inputs.ratio', 'number'],
      ['a boolean field given a string', { strict: 'true' }, 'inputs.strict', 'boolean'],
      ['an array field given an object', { tags: { a: 1 } }, 'inputs.tags', 'array'],
      ['an object field given an array', { meta: [1] }, 'inputs.meta', 'object'],
    ])('reports %s', async (_label, override, field, type) => {
      const signature = await typed();
      const result = await validate(signature.id, {
        inputs: { question: 'q', count: 1, ...override },
      });
      expect(result).toEqual({
        valid: false,
        errors: [{ field, message: expect.stringContaining(type) }],
        unknown_fields: [],
      });
    });

    it('lists every input error at once', async () => {
      const signature = await typed();
      const result = await validate(signature.id, {
        inputs: { count: 'x', strict: 1, meta: 'y' },
      });
      expect(result.valid).toBe(false);
      expect(result.errors.map((e) => e.field).sort()).toEqual([
        'inputs.count',
        'inputs.meta',
        'inputs.question',
        'inputs.strict',
      ]);
    });

    it('reports unknown keys in unknown_fields without failing', async () => {
      const signature = await typed();
      expect(
        await validate(signature.id, {
          inputs: { question: 'q', count: 1, extra: true, Question: 'case matters' },
        }),
      ).toEqual({
        valid: true,
        errors: [],
        unknown_fields: ['inputs.extra', 'inputs.Question'],
      });
    });

    it('checks outputs when they are given', async () => {
      const signature = await typed();
      const inputs = { question: 'q', count: 1 };
      expect(
        await validate(signature.id, { inputs, outputs: { answer: 'because', score: 0.9 } }),
      ).toEqual({ valid: true, errors: [], unknown_fields: [] });
      expect(await validate(signature.id, { inputs, outputs: { score: 1 } })).toEqual({
        valid: false,
        errors: [{ field: 'outputs.answer', message: 'answer is required.' }],
        unknown_fields: [],
      });
      expect(
        await validate(signature.id, { inputs, outputs: { answer: 'a', score: 'high' } }),
      ).toEqual({
        valid: false,
        errors: [{ field: 'outputs.score', message: expect.stringContaining('number') }],
        unknown_fields: [],
      });
      expect(await validate(signature.id, { inputs, outputs: { answer: 'a', note: 'x' } })).toEqual(
        { valid: true, errors: [], unknown_fields: ['outputs.note'] },
      );
    });

    it('reports input and output problems together', async () => {
      const signature = await typed();
      const result = await validate(signature.id, {
        inputs: { count: 2, extra: 1 },
        outputs: { answer: 5, more: 2 },
      });
      expect(result).toEqual({
        valid: false,
        errors: [
          { field: 'inputs.question', message: 'question is required.' },
          { field: 'outputs.answer', message: expect.stringContaining('string') },
        ],
        unknown_fields: ['inputs.extra', 'outputs.more'],
      });
    });

    it('does not check outputs when they are left out', async () => {
      const signature = await typed();
      expect(await validate(signature.id, { inputs: { question: 'q', count: 1 } })).toEqual({
        valid: true,
        errors: [],
        unknown_fields: [],
      });
    });

    it('treats every key as unknown for a signature without input fields', async () => {
      const project = await createProject();
      const signature = await createSignature(project.id, { input_schema: [], output_schema: [] });
      expect(await validate(signature.id, { inputs: { a: 1 } })).toEqual({
        valid: true,
        errors: [],
        unknown_fields: ['inputs.a'],
      });
    });

    it('validates against the schema as last updated', async () => {
      const signature = await typed();
      const inputs = { question: 'q', count: 1 };
      expect((await validate(signature.id, { inputs })).valid).toBe(true);
      await call('put', `/signatures/${signature.id}`, {
        input_schema: [{ name: 'document', type: 'string' }],
      });
      expect(await validate(signature.id, { inputs })).toEqual({
        valid: false,
        errors: [{ field: 'inputs.document', message: 'document is required.' }],
        unknown_fields: ['inputs.question', 'inputs.count'],
      });
    });

    it.each([
      ['missing inputs', {}, 'inputs'],
      ['inputs an array', { inputs: [] }, 'inputs'],
      ['inputs a string', { inputs: 'question=q' }, 'inputs'],
      ['inputs null', { inputs: null }, 'inputs'],
      ['outputs an array', { inputs: {}, outputs: ['a'] }, 'outputs'],
      ['outputs null', { inputs: {}, outputs: null }, 'outputs'],
      ['an unknown field', { inputs: {}, expected: {} }, 'expected'],
    ])('answers 400 for %s, naming %s', async (_label, body, field) => {
      const signature = await typed();
      const res = await call('post', `/signatures/${signature.id}/validate`, body);
      expectValidation(res, [field]);
    });

    it('answers 404 for a missing, soft-deleted or orphaned signature', async () => {
      expectProblem(
        await call('post', `/signatures/${MISSING_ID}/validate`, { inputs: {} }),
        404,
        'not_found',
      );
      const project = await createProject();
      const deleted = await createSignature(project.id);
      await call('delete', `/signatures/${deleted.id}`);
      expectProblem(
        await call('post', `/signatures/${deleted.id}/validate`, { inputs: {} }),
        404,
        'not_found',
      );
      const orphan = await createSignature(project.id);
      await call('delete', `/projects/${project.id}`);
      expectProblem(
        await call('post', `/signatures/${orphan.id}/validate`, { inputs: {} }),
        404,
        'not_found',
      );
    });

    it.each(BAD_IDS)('answers 400 for the path id %j', async (bad) => {
      expectValidation(await call('post', `/signatures/${bad}/validate`, { inputs: {} }), ['id']);
    });

    it('has no GET form', async () => {
      const signature = await typed();
      expectProblem(
        await call('get', `/signatures/${signature.id}/validate`),
        404,
        'route_not_found',
      );
    });
  });

  it('never answered any request with a 5xx', () => {
    expect(serverErrors).toEqual([]);
  });
});
