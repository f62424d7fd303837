import type { Response } from 'supertest';
import { BASE, startTestApp, type TestApp } from '../support/test-app';

/** A JSON response body, as supertest types it. */
type Json = Response['body'];

/**
 * Test cases through the real HTTP stack on a database of this file's own. Every test makes its
 * own project, so the tests do not depend on each other or on order.
 */
describe('test cases', () => {
  let t: TestApp;
  /** Every 5xx any request of the current test got; each test ends by asserting there were none. */
  let serverErrors: string[] = [];
  let counter = 0;

  beforeAll(async () => {
    // The per-project limit tests fill a project to it: a small one keeps them fast.
    t = await startTestApp({ env: { MAX_TEST_CASES_PER_PROJECT: '1000' } });
  });

  afterAll(async () => {
    await t?.close();
  });

  beforeEach(() => {
    serverErrors = [];
  });

  afterEach(() => {
    expect(serverErrors).toEqual([]);
  });

  const unique = (prefix: string) => `${prefix} ${process.pid}-${Date.now()}-${++counter}`;

  function record(method: string, url: string, res: Response): Response {
    if (res.status >= 500) serverErrors.push(`${method} ${url} -> ${res.status} ${res.text}`);
    return res;
  }

  /** Requests by full URL, for the alias paths. */
  async function request(
    method: 'get' | 'post' | 'put' | 'delete',
    url: string,
    body?: unknown,
  ): Promise<Response> {
    const req = t.http()[method](url);
    return record(method, url, await (body === undefined ? req : req.send(body as object)));
  }

  const post = (path: string, body?: unknown) => request('post', `${BASE}${path}`, body);
  const put = (path: string, body: unknown) => request('put', `${BASE}${path}`, body);
  const get = (path: string) => request('get', `${BASE}${path}`);
  const del = (path: string) => request('delete', `${BASE}${path}`);

  /** Asserts the status, showing the body when it differs. */
  function expectStatus(res: Response, status: number): void {
    if (res.status !== status) {
      throw new Error(`expected HTTP ${status}, got ${res.status}: ${res.text.slice(0, 2000)}`);
    }
  }

  /** An RFC 9457 problem document with the product's code; validation problems list fields. */
  function expectProblem(res: Response, status: number, code: string, fields: string[] = []) {
    expectStatus(res, status);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    const body = JSON.parse(res.text) as {
      type: string;
      title: string;
      status: number;
      detail: string;
      code: string;
      errors?: { field: string; message: string }[];
      [extension: string]: unknown;
    };
    expect(body).toMatchObject({
      type: `urn:prompt-studio:problem:${code}`,
      title: expect.any(String),
      status,
      detail: expect.any(String),
      code,
    });
    if (code === 'validation_failed') {
      expect(Array.isArray(body.errors)).toBe(true);
      expect(body.errors!.length).toBeGreaterThan(0);
    }
    for (const error of body.errors ?? []) {
      expect(error).toEqual({ field: expect.any(String), message: expect.any(String) });
      expect(error.message.length).toBeGreaterThan(0);
    }
    if (fields.length) {
      expect((body.errors ?? []).map((e) => e.field)).toEqual(expect.arrayContaining(fields));
    }
    return body;
  }

  async function createProject(extra: Json = {}): Promise<number> {
    const res = await post('/projects/create', { name: unique('cases-project'), ...extra });
    expectStatus(res, 201);
    return res.body.id as number;
  }

  async function createCase(projectId: number, extra: Json = {}): Promise<Json> {
    const res = await post('/test-cases/create', {
      project_id: projectId,
      inputs: { text: 'hello' },
      ...extra,
    });
    expectStatus(res, 201);
    return res.body;
  }

  async function createSignature(projectId: number): Promise<number> {
    const res = await post('/signatures/create', {
      project_id: projectId,
      name: unique('qa'),
      input_schema: [
        { name: 'question', type: 'string', required: true },
        { name: 'max_words', type: 'integer', required: false },
      ],
      output_schema: [{ name: 'answer', type: 'string' }],
    });
    expectStatus(res, 201);
    return res.body.id as number;
  }

  async function list(projectId: number, query = ''): Promise<Json> {
    const res = await get(`/test-cases/list?project_id=${projectId}${query}`);
    expectStatus(res, 200);
    return res.body;
  }

  async function total(projectId: number): Promise<number> {
    return (await list(projectId, '&per_page=1')).total as number;
  }

  const many = (count: number, prefix = 'bulk') =>
    Array.from({ length: count }, (_, i) => ({ name: `${prefix}-${i}`, inputs: { i } }));

  describe('create', () => {
    it('creates a case with defaults and a generated name', async () => {
      const projectId = await createProject();
      const res = await post('/test-cases/create', {
        project_id: projectId,
        inputs: { text: 'Long news article text', max_words: 100 },
      });
      expectStatus(res, 201);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.body).toEqual({
        id: expect.any(Number),
        uuid: expect.stringMatching(/^[0-9a-f-]{36}$/),
        project_id: projectId,
        signature_id: null,
        name: expect.stringMatching(/^case-[0-9a-f]{8}$/),
        description: null,
        inputs: { text: 'Long news article text', max_words: 100 },
        expected_outputs: {},
        tags: [],
        is_golden: false,
        is_generated: false,
        created_at: expect.any(String),
        updated_at: expect.any(String),
      });

      const another = await createCase(projectId);
      expect(another.name).toMatch(/^case-[0-9a-f]{8}$/);
      expect(another.name).not.toBe(res.body.name);
    });

    it('keeps every field it is given', async () => {
      const projectId = await createProject();
      const created = await createCase(projectId, {
        name: '  News article test  ',
        description: 'A long article',
        inputs: { text: 'Article', nested: { list: [1, 2, { deep: true }] } },
        expected_outputs: { summary: 'Short' },
        tags: ['regression', 'news'],
        is_golden: true,
      });
      expect(created).toMatchObject({
        name: 'News article test',
        description: 'A long article',
        inputs: { text: 'Article', nested: { list: [1, 2, { deep: true }] } },
        expected_outputs: { summary: 'Short' },
        tags: ['regression', 'news'],
        is_golden: true,
        is_generated: false,
      });
      const fetched = await get(`/test-cases/${created.id}`);
      expectStatus(fetched, 200);
      expect(fetched.body).toEqual(created);
    });

    it('rejects inputs that are not a JSON object', async () => {
      const projectId = await createProject();
      for (const inputs of ['text', 42, [1, 2], null, true]) {
        expectProblem(
          await post('/test-cases/create', { project_id: projectId, inputs }),
          400,
          'validation_failed',
          ['inputs'],
        );
      }
      expectProblem(
        await post('/test-cases/create', { project_id: projectId }),
        400,
        'validation_failed',
        ['inputs'],
      );
      expect(await total(projectId)).toBe(0);
    });

    it('lists every bad field and rejects unknown ones', async () => {
      const projectId = await createProject();
      const res = await post('/test-cases/create', {
        project_id: 'x',
        name: '',
        inputs: [],
        expected_outputs: 'nope',
        tags: ['ok', 3],
        is_golden: 'yes',
        priority: 'high',
      });
      expectProblem(res, 400, 'validation_failed', [
        'project_id',
        'name',
        'inputs',
        'expected_outputs',
        'tags',
        'is_golden',
        'priority',
      ]);
      expectProblem(
        await post('/test-cases/create', [{ project_id: projectId, inputs: {} }]),
        400,
        'validation_failed',
        ['body'],
      );
      expect(await total(projectId)).toBe(0);
    });

    it('answers 404 naming project_id for a missing project', async () => {
      expectProblem(
        await post('/test-cases/create', { project_id: 987_654_321, inputs: {} }),
        404,
        'not_found',
        ['project_id'],
      );
    });

    it("checks inputs against the signature's input schema", async () => {
      const projectId = await createProject();
      const signatureId = await createSignature(projectId);

      const bad = await post('/test-cases/create', {
        project_id: projectId,
        signature_id: signatureId,
        inputs: { max_words: 'ten' },
      });
      expectProblem(bad, 400, 'validation_failed', ['inputs.question', 'inputs.max_words']);

      const wrongType = await post('/test-cases/create', {
        project_id: projectId,
        signature_id: signatureId,
        inputs: { question: 42 },
      });
      const body = expectProblem(wrongType, 400, 'validation_failed', ['inputs.question']);
      expect(body.errors!.map((e) => e.field)).not.toContain('inputs.max_words');
      expect(await total(projectId)).toBe(0);

      const good = await createCase(projectId, {
        signature_id: signatureId,
        inputs: { question: 'Why?', max_words: 5, extra: 'allowed' },
      });
      expect(good.signature_id).toBe(signatureId);

      const foreign = await createSignature(await createProject());
      expectProblem(
        await post('/test-cases/create', {
          project_id: projectId,
          signature_id: foreign,
          inputs: { question: 'Why?' },
        }),
        400,
        'validation_failed',
        ['signature_id'],
      );
      expectProblem(
        await post('/test-cases/create', {
          project_id: projectId,
          signature_id: 987_654_321,
          inputs: { question: 'Why?' },
        }),
        404,
        'not_found',
        ['signature_id'],
      );
      expect(await total(projectId)).toBe(1);
    });

    it('rejects a duplicate name, case-insensitively, with 409 naming name', async () => {
      const projectId = await createProject();
      await createCase(projectId, { name: 'Capital of France' });

      for (const name of ['Capital of France', 'CAPITAL OF FRANCE', '  capital of france ']) {
        const res = await post('/test-cases/create', {
          project_id: projectId,
          name,
          inputs: {},
        });
        expectProblem(res, 409, 'conflict', ['name']);
      }
      expect(await total(projectId)).toBe(1);

      // Names are unique per project only.
      await createCase(await createProject(), { name: 'Capital of France' });
    });

    it('lets a soft-deleted name be used again', async () => {
      const projectId = await createProject();
      const first = await createCase(projectId, { name: 'Reusable' });
      expectStatus(await del(`/test-cases/${first.id}`), 204);
      const second = await createCase(projectId, { name: 'reusable' });
      expect(second.id).not.toBe(first.id);
      expect(second.name).toBe('reusable');
      expect(await total(projectId)).toBe(1);
    });

    it('lets exactly one of several concurrent creates with the same name win', async () => {
      const projectId = await createProject();
      const results = await Promise.all(
        [1, 2, 3, 4, 5].map((i) =>
          post('/test-cases/create', { project_id: projectId, name: 'Contested', inputs: { i } }),
        ),
      );
      expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409]);
      for (const res of results.filter((r) => r.status === 409))
        expectProblem(res, 409, 'conflict');
      expect(await total(projectId)).toBe(1);
    });
  });

  describe('bulk create', () => {
    it('creates all the cases of a request', async () => {
      const projectId = await createProject();
      const res = await post('/test-cases/bulk', {
        project_id: projectId,
        test_cases: [
          { name: 'One', inputs: { n: 1 }, tags: ['a'], is_golden: true },
          { inputs: { n: 2 }, expected_outputs: { answer: '2' } },
          { name: 'Three', inputs: { n: 3 }, description: 'third' },
        ],
      });
      expectStatus(res, 201);
      expect(res.body.created).toBe(3);
      expect(res.body.items).toHaveLength(3);
      expect(res.body.items[0]).toMatchObject({
        name: 'One',
        inputs: { n: 1 },
        tags: ['a'],
        is_golden: true,
        project_id: projectId,
      });
      expect(res.body.items[1]).toMatchObject({
        name: expect.stringMatching(/^case-[0-9a-f]{8}$/),
        expected_outputs: { answer: '2' },
        is_golden: false,
      });
      expect(res.body.items[2]).toMatchObject({ name: 'Three', description: 'third' });
      expect(await total(projectId)).toBe(3);
    });

    it('creates nothing when two cases of the request share a name', async () => {
      const projectId = await createProject();
      const res = await post('/test-cases/bulk', {
        project_id: projectId,
        test_cases: [
          { name: 'Alpha', inputs: {} },
          { name: 'Beta', inputs: {} },
          { name: 'alpha', inputs: {} },
        ],
      });
      const body = expectProblem(res, 409, 'conflict', ['test_cases.2.name']);
      expect(body.errors!.map((e) => e.field)).toEqual(['test_cases.2.name']);
      expect(await total(projectId)).toBe(0);
    });

    it('creates nothing when a name clashes with an existing case', async () => {
      const projectId = await createProject();
      await createCase(projectId, { name: 'Existing' });
      const res = await post('/test-cases/bulk', {
        project_id: projectId,
        test_cases: [
          { name: 'Fresh', inputs: {} },
          { name: 'EXISTING', inputs: {} },
          { name: 'Also fresh', inputs: {} },
        ],
      });
      const body = expectProblem(res, 409, 'conflict', ['test_cases.1.name']);
      expect(body.errors!.map((e) => e.field)).toEqual(['test_cases.1.name']);
      expect(await total(projectId)).toBe(1);
      const names = (await list(projectId)).items.map((c: Json) => c.name);
      expect(names).toEqual(['Existing']);
    });

    it('names the bad fields of each item and creates nothing', async () => {
      const projectId = await createProject();
      const signatureId = await createSignature(projectId);

      const shape = await post('/test-cases/bulk', {
        project_id: projectId,
        test_cases: [{ inputs: {} }, { inputs: 'text' }, { inputs: {}, colour: 'red' }],
      });
      expectProblem(shape, 400, 'validation_failed', [
        'test_cases.1.inputs',
        'test_cases.2.colour',
      ]);

      const schema = await post('/test-cases/bulk', {
        project_id: projectId,
        test_cases: [
          { signature_id: signatureId, inputs: { question: 'ok' } },
          { signature_id: signatureId, inputs: { question: 1 } },
        ],
      });
      expectProblem(schema, 400, 'validation_failed', ['test_cases.1.inputs.question']);

      expectProblem(
        await post('/test-cases/bulk', { project_id: projectId, test_cases: [] }),
        400,
        'validation_failed',
        ['test_cases'],
      );
      expectProblem(
        await post('/test-cases/bulk', { project_id: projectId, test_cases: {} }),
        400,
        'validation_failed',
        ['test_cases'],
      );
      expectProblem(
        await post('/test-cases/bulk', { project_id: 987_654_321, test_cases: [{ inputs: {} }] }),
        404,
        'not_found',
        ['project_id'],
      );
      expect(await total(projectId)).toBe(0);
    });
  });

  describe('per-project limit', () => {
    it('takes a bulk of 1,000 and then refuses one more', async () => {
      const projectId = await createProject();
      const res = await post('/test-cases/bulk', {
        project_id: projectId,
        test_cases: many(1000),
      });
      expectStatus(res, 201);
      expect(res.body.created).toBe(1000);
      expect(res.body.items).toHaveLength(1000);
      expect(new Set(res.body.items.map((c: Json) => c.id)).size).toBe(1000);
      expect(await total(projectId)).toBe(1000);

      const one = await post('/test-cases/create', { project_id: projectId, inputs: {} });
      const body = expectProblem(one, 400, 'limit_exceeded');
      expect(body.detail).toMatch(/1000/);

      expectProblem(
        await post('/test-cases/bulk', { project_id: projectId, test_cases: [{ inputs: {} }] }),
        400,
        'limit_exceeded',
      );
      expect(await total(projectId)).toBe(1000);

      // Soft-deleted cases free their place.
      const first = (await list(projectId, '&per_page=1')).items[0];
      expectStatus(await del(`/test-cases/${first.id}`), 204);
      await createCase(projectId, { name: 'the last place' });
      expectProblem(
        await post('/test-cases/create', { project_id: projectId, inputs: {} }),
        400,
        'limit_exceeded',
      );
      expect(await total(projectId)).toBe(1000);
    });

    it('refuses a bulk that would cross the limit, creating nothing', async () => {
      const projectId = await createProject();
      expectStatus(
        await post('/test-cases/bulk', { project_id: projectId, test_cases: many(999) }),
        201,
      );
      const res = await post('/test-cases/bulk', {
        project_id: projectId,
        test_cases: many(2, 'over'),
      });
      const body = expectProblem(res, 400, 'limit_exceeded', ['test_cases']);
      expect(body).toMatchObject({ limit: 1000, existing: 999, requested: 2 });
      expect(await total(projectId)).toBe(999);

      expectStatus(
        await post('/test-cases/bulk', { project_id: projectId, test_cases: many(1, 'fits') }),
        201,
      );
      expect(await total(projectId)).toBe(1000);
    });

    it('refuses a single request of more than 1,000 cases', async () => {
      const projectId = await createProject();
      const res = await post('/test-cases/bulk', {
        project_id: projectId,
        test_cases: many(1001),
      });
      expectProblem(res, 400, 'limit_exceeded', ['test_cases']);
      expect(await total(projectId)).toBe(0);
    });

    it("lowers the limit with the project's config.max_test_cases", async () => {
      const projectId = await createProject({ config: { max_test_cases: 3 } });
      await createCase(projectId);
      await createCase(projectId);

      const crossing = await post('/test-cases/bulk', {
        project_id: projectId,
        test_cases: many(2),
      });
      const body = expectProblem(crossing, 400, 'limit_exceeded', ['test_cases']);
      expect(body).toMatchObject({ limit: 3, existing: 2, requested: 2 });
      expect(await total(projectId)).toBe(2);

      await createCase(projectId);
      const fourth = await post('/test-cases/create', { project_id: projectId, inputs: {} });
      const fourthBody = expectProblem(fourth, 400, 'limit_exceeded', ['project_id']);
      expect(fourthBody.detail).toMatch(/\b3\b/);
      expect(await total(projectId)).toBe(3);

      // The project's config cannot raise the install-wide limit.
      const big = await createProject({ config: { max_test_cases: 5000 } });
      expectStatus(
        await post('/test-cases/bulk', { project_id: big, test_cases: many(1000) }),
        201,
      );
      expectProblem(
        await post('/test-cases/create', { project_id: big, inputs: {} }),
        400,
        'limit_exceeded',
      );
    });
  });

  describe('list', () => {
    async function seed(projectId: number) {
      const res = await post('/test-cases/bulk', {
        project_id: projectId,
        test_cases: [
          {
            name: 'Charlie',
            inputs: { q: 1 },
            tags: ['a', 'b'],
            is_golden: true,
            description: 'about 50% off',
          },
          { name: 'alpha', inputs: { q: 2 }, tags: ['a'], description: 'First letter' },
          { name: 'Bravo', inputs: { q: 3 }, tags: ['b', 'c'], is_golden: true },
          { name: 'Delta', inputs: { q: 4 }, tags: ['a', 'b', 'c'] },
          { name: 'Echo 50 items', inputs: { q: 5 } },
        ],
      });
      expectStatus(res, 201);
      // Another project's cases never show up.
      await post('/test-cases/bulk', {
        project_id: await createProject(),
        test_cases: [{ name: 'Charlie', inputs: {}, tags: ['a', 'b'], is_golden: true }],
      });
    }

    const names = (page: Json) => (page.items as Json[]).map((c) => c.name);

    it('pages through the cases in creation order by default', async () => {
      const projectId = await createProject();
      await seed(projectId);
      const all = await list(projectId);
      expect(all).toMatchObject({ total: 5, page: 1, per_page: 20 });
      expect(names(all)).toEqual(['Charlie', 'alpha', 'Bravo', 'Delta', 'Echo 50 items']);

      const page2 = await list(projectId, '&per_page=2&page=2');
      expect(page2).toMatchObject({ total: 5, page: 2, per_page: 2 });
      expect(names(page2)).toEqual(['Bravo', 'Delta']);
      const page3 = await list(projectId, '&per_page=2&page=3');
      expect(names(page3)).toEqual(['Echo 50 items']);
      const beyond = await list(projectId, '&per_page=2&page=4');
      expect(beyond).toMatchObject({ items: [], total: 5 });
    });

    it('filters by golden flag', async () => {
      const projectId = await createProject();
      await seed(projectId);
      const golden = await list(projectId, '&is_golden=true');
      expect(golden.total).toBe(2);
      expect(names(golden)).toEqual(['Charlie', 'Bravo']);
      const plain = await list(projectId, '&is_golden=false');
      expect(plain.total).toBe(3);
      expect(names(plain)).toEqual(['alpha', 'Delta', 'Echo 50 items']);
      expectProblem(
        await get(`/test-cases/list?project_id=${projectId}&is_golden=maybe`),
        400,
        'validation_failed',
        ['is_golden'],
      );
    });

    it('filters by tags, keeping cases that carry all of them', async () => {
      const projectId = await createProject();
      await seed(projectId);
      expect(names(await list(projectId, '&tags=a'))).toEqual(['Charlie', 'alpha', 'Delta']);
      const ab = await list(projectId, '&tags=a,b');
      expect(ab.total).toBe(2);
      expect(names(ab)).toEqual(['Charlie', 'Delta']);
      expect(names(await list(projectId, '&tags=a&tags=b'))).toEqual(['Charlie', 'Delta']);
      expect(names(await list(projectId, '&tags=a,b,c'))).toEqual(['Delta']);
      expect(names(await list(projectId, '&tags=b&is_golden=true'))).toEqual(['Charlie', 'Bravo']);
      expect((await list(projectId, '&tags=zzz')).total).toBe(0);
    });

    it('searches names and descriptions, case-insensitively and literally', async () => {
      const projectId = await createProject();
      await seed(projectId);
      expect(names(await list(projectId, '&search=ALPHA'))).toEqual(['alpha']);
      expect(names(await list(projectId, '&search=letter'))).toEqual(['alpha']);
      // % is a literal character, not a wildcard.
      expect(names(await list(projectId, `&search=${encodeURIComponent('50%')}`))).toEqual([
        'Charlie',
      ]);
      expect(names(await list(projectId, '&search=_'))).toEqual([]);
    });

    it('sorts by name or dates', async () => {
      const projectId = await createProject();
      await seed(projectId);
      // Case-insensitively, whatever the database collation.
      expect(names(await list(projectId, '&sort=name'))).toEqual([
        'alpha',
        'Bravo',
        'Charlie',
        'Delta',
        'Echo 50 items',
      ]);
      expect(names(await list(projectId, '&sort=-name'))).toEqual([
        'Echo 50 items',
        'Delta',
        'Charlie',
        'Bravo',
        'alpha',
      ]);
      expect(names(await list(projectId, '&sort=-created_at'))).toEqual([
        'Echo 50 items',
        'Delta',
        'Bravo',
        'alpha',
        'Charlie',
      ]);
      const bravo = (await list(projectId, '&search=Bravo')).items[0];
      expectStatus(await put(`/test-cases/${bravo.id}`, { description: 'touched' }), 200);
      expect(names(await list(projectId, '&sort=-updated_at'))[0]).toBe('Bravo');
    });

    it('hides soft-deleted cases and rejects bad queries', async () => {
      const projectId = await createProject();
      await seed(projectId);
      const alpha = (await list(projectId, '&search=alpha')).items[0];
      expectStatus(await del(`/test-cases/${alpha.id}`), 204);
      expect((await list(projectId)).total).toBe(4);
      expect((await list(projectId, '&tags=a')).total).toBe(2);

      expectProblem(await get('/test-cases/list'), 400, 'validation_failed', ['project_id']);
      for (const query of ['&sort=bogus', '&per_page=0', '&per_page=101', '&page=0', '&color=1']) {
        expectProblem(
          await get(`/test-cases/list?project_id=${projectId}${query}`),
          400,
          'validation_failed',
        );
      }
      expectProblem(await get('/test-cases/list?project_id=987654321'), 404, 'not_found', [
        'project_id',
      ]);
    });
  });

  describe('alias paths', () => {
    it('accepts /test_cases and /api/v1/prompt_studio like the documented paths', async () => {
      const projectId = await createProject();
      const created = await request('post', `${BASE}/test_cases/create`, {
        project_id: projectId,
        name: 'Via underscore segment',
        inputs: {},
      });
      expectStatus(created, 201);

      const viaBase = await request('post', '/api/v1/prompt_studio/test-cases/create', {
        project_id: projectId,
        name: 'Via underscore base',
        inputs: {},
      });
      expectStatus(viaBase, 201);

      const bulk = await request('post', '/api/v1/prompt_studio/test_cases/bulk', {
        project_id: projectId,
        test_cases: [{ name: 'Via both', inputs: {} }],
      });
      expectStatus(bulk, 201);

      const fetched = await request('get', `/api/v1/prompt_studio/test_cases/${created.body.id}`);
      expectStatus(fetched, 200);
      expect(fetched.body).toEqual(created.body);

      const listed = await request(
        'get',
        `/api/v1/prompt_studio/test_cases/list?project_id=${projectId}&sort=name`,
      );
      expectStatus(listed, 200);
      expect(listed.body.items.map((c: Json) => c.name)).toEqual([
        'Via both',
        'Via underscore base',
        'Via underscore segment',
      ]);

      const updated = await request('put', `${BASE}/test_cases/${created.body.id}`, {
        is_golden: true,
      });
      expectStatus(updated, 200);
      expect(updated.body.is_golden).toBe(true);

      const missing = await request('get', '/api/v1/prompt_studio/test_cases/987654321');
      expectProblem(missing, 404, 'not_found');

      expectStatus(
        await request('delete', `/api/v1/prompt_studio/test_cases/${created.body.id}`),
        204,
      );
      expectProblem(await get(`/test-cases/${created.body.id}`), 404, 'not_found');
    });
  });

  describe('get, update and delete', () => {
    it('updates the fields it is given and keeps the others', async () => {
      const projectId = await createProject();
      const created = await createCase(projectId, {
        name: 'Original',
        description: 'desc',
        inputs: { a: 1 },
        expected_outputs: { b: 2 },
        tags: ['x'],
      });
      const res = await put(`/test-cases/${created.id}`, {
        name: 'Renamed',
        tags: ['y', 'z'],
        is_golden: true,
        inputs: { a: 2, more: [1] },
      });
      expectStatus(res, 200);
      expect(res.body).toMatchObject({
        id: created.id,
        uuid: created.uuid,
        name: 'Renamed',
        description: 'desc',
        inputs: { a: 2, more: [1] },
        expected_outputs: { b: 2 },
        tags: ['y', 'z'],
        is_golden: true,
        created_at: created.created_at,
      });
      expect(Date.parse(res.body.updated_at as string)).toBeGreaterThanOrEqual(
        Date.parse(created.updated_at as string),
      );

      const cleared = await put(`/test-cases/${created.id}`, {
        description: null,
        expected_outputs: {},
      });
      expectStatus(cleared, 200);
      expect(cleared.body).toMatchObject({ description: null, expected_outputs: {} });
      expect((await get(`/test-cases/${created.id}`)).body).toEqual(cleared.body);

      // Changing only the case of its own name is fine.
      const recased = await put(`/test-cases/${created.id}`, { name: 'RENAMED' });
      expectStatus(recased, 200);
      expect(recased.body.name).toBe('RENAMED');
    });

    it('rejects a rename to an existing name with 409', async () => {
      const projectId = await createProject();
      await createCase(projectId, { name: 'Taken' });
      const other = await createCase(projectId, { name: 'Mine' });
      const body = expectProblem(
        await put(`/test-cases/${other.id}`, { name: 'taken' }),
        409,
        'conflict',
        ['name'],
      );
      expect(body.detail).toMatch(/taken/);
      expect((await get(`/test-cases/${other.id}`)).body.name).toBe('Mine');

      // A soft-deleted case's name is free.
      const gone = await createCase(projectId, { name: 'Gone' });
      expectStatus(await del(`/test-cases/${gone.id}`), 204);
      const renamed = await put(`/test-cases/${other.id}`, { name: 'Gone' });
      expectStatus(renamed, 200);
      expect(renamed.body.name).toBe('Gone');
    });

    it('validates updates', async () => {
      const projectId = await createProject();
      const signatureId = await createSignature(projectId);
      const created = await createCase(projectId, {
        signature_id: signatureId,
        inputs: { question: 'Why?' },
      });

      expectProblem(await put(`/test-cases/${created.id}`, {}), 400, 'validation_failed', ['body']);
      expectProblem(
        await put(`/test-cases/${created.id}`, { inputs: 'text' }),
        400,
        'validation_failed',
        ['inputs'],
      );
      expectProblem(
        await put(`/test-cases/${created.id}`, { inputs: { question: 5 } }),
        400,
        'validation_failed',
        ['inputs.question'],
      );
      expectProblem(
        await put(`/test-cases/${created.id}`, { project_id: 1 }),
        400,
        'validation_failed',
        ['project_id'],
      );
      expectProblem(
        await put(`/test-cases/${created.id}`, { name: '   ' }),
        400,
        'validation_failed',
        ['name'],
      );
      const foreign = await createSignature(await createProject());
      expectProblem(
        await put(`/test-cases/${created.id}`, { signature_id: foreign }),
        400,
        'validation_failed',
        ['signature_id'],
      );
      expectProblem(
        await put(`/test-cases/${created.id}`, { signature_id: 987_654_321 }),
        404,
        'not_found',
        ['signature_id'],
      );
      expect((await get(`/test-cases/${created.id}`)).body).toEqual(created);

      // Detaching the signature lifts the schema check.
      const detached = await put(`/test-cases/${created.id}`, {
        signature_id: null,
        inputs: { anything: true },
      });
      expectStatus(detached, 200);
      expect(detached.body).toMatchObject({ signature_id: null, inputs: { anything: true } });
    });

    it('keeps both of two concurrent updates of different fields', async () => {
      const projectId = await createProject();
      for (let round = 0; round < 5; round++) {
        const created = await createCase(projectId, { name: `Round ${round}`, tags: [] });
        const [tags, golden, description] = await Promise.all([
          put(`/test-cases/${created.id}`, { tags: ['t'] }),
          put(`/test-cases/${created.id}`, { is_golden: true }),
          put(`/test-cases/${created.id}`, { description: 'd' }),
        ]);
        for (const res of [tags, golden, description]) expectStatus(res, 200);
        const after = await get(`/test-cases/${created.id}`);
        expect(after.body).toMatchObject({ tags: ['t'], is_golden: true, description: 'd' });
      }
    });

    it('answers 404 for missing ids and 400 for malformed ones', async () => {
      expectProblem(await get('/test-cases/987654321'), 404, 'not_found');
      expectProblem(await put('/test-cases/987654321', { name: 'x' }), 404, 'not_found');
      expectProblem(await del('/test-cases/987654321'), 404, 'not_found');
      expectProblem(await del('/test-cases/987654321?permanent=true'), 404, 'not_found');
      expectProblem(await get('/test-cases/abc'), 400, 'validation_failed', ['id']);
      expectProblem(await put('/test-cases/-1', { name: 'x' }), 400, 'validation_failed', ['id']);
    });

    it('soft-deletes and deletes permanently', async () => {
      const projectId = await createProject();
      const soft = await createCase(projectId);
      const res = await del(`/test-cases/${soft.id}`);
      expectStatus(res, 204);
      expect(res.text).toBe('');
      expectProblem(await get(`/test-cases/${soft.id}`), 404, 'not_found');
      expectProblem(await put(`/test-cases/${soft.id}`, { name: 'x' }), 404, 'not_found');
      expectProblem(await del(`/test-cases/${soft.id}`), 404, 'not_found');
      expect(await total(projectId)).toBe(0);

      // A soft-deleted case can still be removed for good, once.
      expectStatus(await del(`/test-cases/${soft.id}?permanent=true`), 204);
      expectProblem(await del(`/test-cases/${soft.id}?permanent=true`), 404, 'not_found');

      const live = await createCase(projectId, { name: 'Live' });
      expectStatus(await del(`/test-cases/${live.id}?permanent=true`), 204);
      expectProblem(await get(`/test-cases/${live.id}`), 404, 'not_found');
      expectProblem(await del(`/test-cases/${live.id}`), 404, 'not_found');
      expect(await total(projectId)).toBe(0);
      await createCase(projectId, { name: 'Live' });

      expectProblem(
        await del(`/test-cases/${live.id}?permanent=yes-please`),
        400,
        'validation_failed',
        ['permanent'],
      );
    });

    it('hides the cases of a deleted project', async () => {
      const projectId = await createProject();
      const created = await createCase(projectId);
      expectStatus(await del(`/projects/${projectId}`), 204);
      expectProblem(await get(`/test-cases/${created.id}`), 404, 'not_found');
      expectProblem(
        await post('/test-cases/create', { project_id: projectId, inputs: {} }),
        404,
        'not_found',
        ['project_id'],
      );
    });
  });
});
