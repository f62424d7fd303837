import { randomBytes } from 'node:crypto';
import type { Response } from 'supertest';
import { DataSource } from 'typeorm';
import { BASE, startTestApp, type TestApp } from '../support/test-app';

/**
 * Projects over HTTP: every route, its success shape and its problem documents. Each test makes
 * its own projects with unique names, so tests are independent of each other and of order.
 */

const PROBLEM = /^application\/problem\+json/;
const JSON_TYPE = /^application\/json/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const PROJECT_KEYS = [
  'config',
  'created_at',
  'description',
  'id',
  'metadata',
  'name',
  'status',
  'tags',
  'updated_at',
  'uuid',
];
/** Far above any id this database hands out, but still a valid path id (15 digits at most). */
const MISSING_ID = 999_999_999_999;

type Method = 'get' | 'post' | 'put' | 'delete';
type FieldError = { field: string; message: string };

describe('projects', () => {
  let t: TestApp;
  const serverErrors: string[] = [];
  let counter = 0;

  beforeAll(async () => {
    t = await startTestApp();
  });

  afterAll(async () => {
    await t.close();
  });

  /** Alphanumeric, unique in this run: safe inside names and as a search term. */
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

  /** Asserts a problem document: status, content type, stable code and its URN type. */
  function expectProblem(res: Response, status: number, code: string): void {
    expect({ status: res.status, body: res.body }).toMatchObject({
      status,
      body: { status, code, type: `urn:prompt-studio:problem:${code}` },
    });
    expect(res.headers['content-type']).toMatch(PROBLEM);
    expect(typeof res.body.title).toBe('string');
    expect(typeof res.body.detail).toBe('string');
    expect(String(res.body.instance).startsWith(`${BASE}/`)).toBe(true);
    expect(res.body.instance).not.toContain('?');
  }

  /** A 400 validation_failed whose `errors` name every given field (each with a message). */
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

  function expectProjectShape(body: Record<string, unknown>): void {
    expect(Object.keys(body).sort()).toEqual(PROJECT_KEYS);
    expect(body.id).toEqual(expect.any(Number));
    expect(Number.isInteger(body.id)).toBe(true);
    expect(body.uuid).toMatch(UUID);
    expect(body.created_at).toMatch(ISO);
    expect(body.updated_at).toMatch(ISO);
  }

  async function createProject(values: Record<string, unknown> = {}) {
    const res = await call('post', '/projects/create', { name: `Project ${token()}`, ...values });
    expect({ status: res.status, body: res.body }).toMatchObject({ status: 201 });
    return res.body as { id: number; name: string; updated_at: string } & Record<string, unknown>;
  }

  async function list(query: string) {
    const res = await call('get', `/projects/list?${query}`);
    expect({ status: res.status, body: res.body }).toMatchObject({ status: 200 });
    return res.body as {
      items: { id: number; name: string; status: string }[];
      total: number;
      page: number;
      per_page: number;
    };
  }

  const db = () => t.app.get(DataSource);
  async function countRows(table: string, column: string, id: number): Promise<number> {
    const [row] = await db().query<{ n: string }[]>(
      `SELECT count(*) AS n FROM ${table} WHERE ${column} = $1`,
      [id],
    );
    return Number(row.n);
  }

  const BAD_IDS = ['abc', '0', '-1', '1.5', '1e3', '12345678901234567', '%20'];

  describe('POST /projects/create', () => {
    it('creates a project with defaults and returns the resource itself', async () => {
      const name = `Support bot ${token()}`;
      const res = await call('post', '/projects/create', { name: `  ${name}  ` });
      expect(res.status).toBe(201);
      expect(res.headers['content-type']).toMatch(JSON_TYPE);
      expectProjectShape(res.body);
      expect(res.body).toMatchObject({
        name,
        description: null,
        status: 'active',
        tags: [],
        metadata: {},
        config: {},
      });
      expect(res.body.created_at).toBe(res.body.updated_at);
      expect(Math.abs(Date.parse(res.body.created_at) - Date.now())).toBeLessThan(60_000);

      const got = await call('get', `/projects/${res.body.id}`);
      expect(got.status).toBe(200);
      expect(got.body).toEqual(res.body);
    });

    it('stores every optional field as sent', async () => {
      const body = {
        name: `Full ${token()}`,
        description: 'Answers support tickets. Ünïcödé and emoji 🚀 are fine.',
        status: 'draft',
        tags: ['production', 'support'],
        metadata: { owner: 'team-a', nested: { depth: [1, 2, { x: null }] } },
        config: { default_model: 'gpt-4o-mini', max_test_cases: 100 },
      };
      const res = await call('post', '/projects/create', body);
      expect(res.status).toBe(201);
      expectProjectShape(res.body);
      expect(res.body).toMatchObject(body);
    });

    it('gives each project its own id and uuid', async () => {
      const a = await createProject();
      const b = await createProject();
      expect(b.id).not.toBe(a.id);
      expect(b.uuid).not.toBe(a.uuid);
    });

    it.each([
      ['missing name', {}, ['name']],
      ['empty name', { name: '' }, ['name']],
      ['whitespace-only name', { name: '   ' }, ['name']],
      ['null name', { name: null }, ['name']],
      ['name not a string', { name: 42 }, ['name']],
      ['name over 200 characters', { name: 'x'.repeat(201) }, ['name']],
      ['description not a string', { name: 'ok', description: 5 }, ['description']],
      [
        'description over 10,000 characters',
        { name: 'ok', description: 'd'.repeat(10_001) },
        ['description'],
      ],
      ['unknown status', { name: 'ok', status: 'deleted' }, ['status']],
      ['tags not an array', { name: 'ok', tags: 'a,b' }, ['tags']],
      ['tags holding a number', { name: 'ok', tags: ['a', 1] }, ['tags']],
      ['an empty tag', { name: 'ok', tags: [''] }, ['tags']],
      ['a tag over 50 characters', { name: 'ok', tags: ['t'.repeat(51)] }, ['tags']],
      [
        'more than 50 tags',
        { name: 'ok', tags: Array.from({ length: 51 }, (_, i) => `t${i}`) },
        ['tags'],
      ],
      ['metadata an array', { name: 'ok', metadata: [1, 2] }, ['metadata']],
      ['metadata a string', { name: 'ok', metadata: 'x' }, ['metadata']],
      ['config a number', { name: 'ok', config: 3 }, ['config']],
      [
        'several bad fields at once',
        { name: 1, status: 'x', config: [] },
        ['name', 'status', 'config'],
      ],
    ])('answers 400 for %s, naming the field', async (_label, body, fields) => {
      const res = await call('post', '/projects/create', body);
      const errors = expectValidation(res, fields);
      expect(errors.every((e) => fields.includes(e.field))).toBe(true);
    });

    it('answers 400 for an unknown field, naming it', async () => {
      const res = await call('post', '/projects/create', { name: 'ok', owner_id: 7 });
      const errors = expectValidation(res, ['owner_id']);
      expect(errors).toEqual([{ field: 'owner_id', message: 'owner_id is not a known field.' }]);
    });

    it('answers 400 for a body that is not a JSON object', async () => {
      const res = await call('post', '/projects/create', [{ name: 'x' }]);
      expect(expectValidation(res, ['body'])).toEqual([
        { field: 'body', message: 'The request body must be a JSON object.' },
      ]);
    });

    it('answers 409 conflict for a duplicate name, ignoring case and surrounding spaces', async () => {
      const name = `Dup Name ${token()}`;
      await createProject({ name });
      for (const variant of [name, name.toUpperCase(), name.toLowerCase(), `  ${name} `]) {
        const res = await call('post', '/projects/create', { name: variant });
        expectProblem(res, 409, 'conflict');
        expect(res.body.errors).toEqual([{ field: 'name', message: expect.any(String) }]);
        expect(res.body.detail).toContain(variant.trim());
      }
      expect((await list(`search=${encodeURIComponent(name)}`)).total).toBe(1);
    });

    it('lets a soft-deleted project free its name', async () => {
      const name = `Reusable ${token()}`;
      const first = await createProject({ name });
      expect((await call('delete', `/projects/${first.id}`)).status).toBe(204);
      const second = await call('post', '/projects/create', { name: name.toUpperCase() });
      expect(second.status).toBe(201);
      expect(second.body.id).not.toBe(first.id);
      expect(second.body.name).toBe(name.toUpperCase());
    });

    it('creates exactly one of several concurrent creates with the same name', async () => {
      const name = `Race ${token()}`;
      const results = await Promise.all(
        Array.from({ length: 6 }, () => call('post', '/projects/create', { name })),
      );
      const statuses = results.map((r) => r.status).sort();
      expect(statuses).toEqual([201, 409, 409, 409, 409, 409]);
      for (const res of results.filter((r) => r.status === 409))
        expectProblem(res, 409, 'conflict');
      expect((await list(`search=${encodeURIComponent(name)}`)).total).toBe(1);
    });
  });

  describe('GET /projects/:id', () => {
    it('returns the project', async () => {
      const project = await createProject({ tags: ['x'], description: 'about' });
      const res = await call('get', `/projects/${project.id}`);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(JSON_TYPE);
      expectProjectShape(res.body);
      expect(res.body).toEqual(project);
    });

    it('answers 404 not_found for an id that does not exist', async () => {
      const res = await call('get', `/projects/${MISSING_ID}`);
      expectProblem(res, 404, 'not_found');
      expect(res.body.detail).toContain(String(MISSING_ID));
    });

    it('answers 404 for a soft-deleted project', async () => {
      const project = await createProject();
      await call('delete', `/projects/${project.id}`);
      expectProblem(await call('get', `/projects/${project.id}`), 404, 'not_found');
    });

    it.each(BAD_IDS)('answers 400 for the path id %j, naming id', async (bad) => {
      const res = await call('get', `/projects/${bad}`);
      expect(expectValidation(res, ['id'])).toEqual([{ field: 'id', message: expect.any(String) }]);
    });

    it('answers 404 route_not_found for an unknown sub-route', async () => {
      const project = await createProject();
      expectProblem(await call('get', `/projects/${project.id}/nothing`), 404, 'route_not_found');
    });
  });

  describe('GET /projects/list', () => {
    it('answers a page envelope, newest first by default', async () => {
      const tok = token();
      const a = await createProject({ name: `${tok} a` });
      const b = await createProject({ name: `${tok} b` });
      const c = await createProject({ name: `${tok} c` });
      const res = await call('get', `/projects/list?search=${tok}`);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(JSON_TYPE);
      expect(Object.keys(res.body).sort()).toEqual(['items', 'page', 'per_page', 'total']);
      expect(res.body).toMatchObject({ total: 3, page: 1, per_page: 20 });
      expect(res.body.items.map((p: { id: number }) => p.id)).toEqual([c.id, b.id, a.id]);
      for (const item of res.body.items) expectProjectShape(item);
      expect(res.body.items[0]).toEqual(c);
    });

    it('lists without any query', async () => {
      await createProject();
      const page = await list('');
      expect(page.page).toBe(1);
      expect(page.per_page).toBe(20);
      expect(page.total).toBeGreaterThanOrEqual(1);
      expect(page.items.length).toBe(Math.min(page.total, 20));
    });

    it('sorts by name ascending and descending', async () => {
      const tok = token();
      for (const suffix of ['bravo', 'alpha', 'delta', 'charlie']) {
        await createProject({ name: `${tok} ${suffix}` });
      }
      const asc = await list(`search=${tok}&sort=name`);
      expect(asc.items.map((p) => p.name)).toEqual(
        ['alpha', 'bravo', 'charlie', 'delta'].map((s) => `${tok} ${s}`),
      );
      const desc = await list(`search=${tok}&sort=-name`);
      expect(desc.items.map((p) => p.name)).toEqual(
        ['delta', 'charlie', 'bravo', 'alpha'].map((s) => `${tok} ${s}`),
      );
    });

    it('sorts by created_at and updated_at', async () => {
      const tok = token();
      const first = await createProject({ name: `${tok} 1` });
      const second = await createProject({ name: `${tok} 2` });
      const third = await createProject({ name: `${tok} 3` });
      const asc = await list(`search=${tok}&sort=created_at`);
      expect(asc.items.map((p) => p.id)).toEqual([first.id, second.id, third.id]);
      const desc = await list(`search=${tok}&sort=-created_at`);
      expect(desc.items.map((p) => p.id)).toEqual([third.id, second.id, first.id]);

      await call('put', `/projects/${first.id}`, { description: 'touched' });
      const recent = await list(`search=${tok}&sort=-updated_at`);
      expect(recent.items[0].id).toBe(first.id);
      const oldest = await list(`search=${tok}&sort=updated_at`);
      expect(oldest.items[oldest.items.length - 1].id).toBe(first.id);
    });

    it('searches names and descriptions case-insensitively', async () => {
      const tok = token();
      const byName = await createProject({ name: `${tok}MiXeD Case` });
      const byDescription = await createProject({ description: `About ${tok.toUpperCase()}` });
      await createProject({ name: `Unrelated ${token()}` });
      const both = [byName.id, byDescription.id].sort((x, y) => x - y);
      const ids = async (term: string) =>
        (await list(`search=${encodeURIComponent(term)}`)).items
          .map((p) => p.id)
          .sort((x, y) => x - y);
      expect(await ids(tok)).toEqual(both);
      expect(await ids(tok.toUpperCase())).toEqual(both);
      expect(await ids(`  ${tok}  `)).toEqual(both);
      expect(await ids(`${tok}mixed CASE`)).toEqual([byName.id]);
      expect(await ids(`about ${tok}`)).toEqual([byDescription.id]);
    });

    it('treats %, _ and \\ in search as literal characters', async () => {
      const tok = token();
      const percent = await createProject({ name: `${tok} 50% off` });
      await createProject({ name: `${tok} 500 off` });
      const underscore = await createProject({ name: `${tok} a_b` });
      await createProject({ name: `${tok} axb` });
      const backslash = await createProject({ name: `${tok} c\\d` });
      await createProject({ name: `${tok} cd` });

      const only = async (term: string) =>
        (await list(`search=${encodeURIComponent(`${tok} ${term}`)}`)).items.map((p) => p.id);
      expect(await only('50%')).toEqual([percent.id]);
      expect(await only('a_b')).toEqual([underscore.id]);
      expect(await only('c\\d')).toEqual([backslash.id]);
      // As wildcards these would match "500 off", "axb" and "cd" too.
      expect(await only('5_0')).toEqual([]);
      expect(await only('a%b')).toEqual([]);
      expect(await only('c%')).toEqual([]);
      expect((await list(`search=${tok}`)).total).toBe(6);
    });

    it('filters by status', async () => {
      const tok = token();
      const draft = await createProject({ name: `${tok} d`, status: 'draft' });
      const active = await createProject({ name: `${tok} a` });
      const archived = await createProject({ name: `${tok} r` });
      await call('post', `/projects/${archived.id}/archive`);
      const ids = async (status: string) =>
        (await list(`search=${tok}&status=${status}`)).items.map((p) => p.id);
      expect(await ids('draft')).toEqual([draft.id]);
      expect(await ids('active')).toEqual([active.id]);
      expect(await ids('archived')).toEqual([archived.id]);
      expect((await list(`search=${tok}`)).total).toBe(3);
    });

    it('filters by tag (whole tag, not a substring) and combines filters', async () => {
      const tag = token();
      const both = await createProject({ tags: [tag, 'shared'], status: 'draft' });
      const one = await createProject({ tags: ['other', tag] });
      await createProject({ tags: [`${tag}x`, 'other'] });
      const tagged = await list(`tag=${tag}`);
      expect(tagged.total).toBe(2);
      expect(tagged.items.map((p) => p.id).sort((x, y) => x - y)).toEqual(
        [both.id, one.id].sort((x, y) => x - y),
      );
      expect((await list(`tag=${tag}&status=draft`)).items.map((p) => p.id)).toEqual([both.id]);
      expect((await list(`tag=${tag}&status=archived`)).total).toBe(0);
      expect((await list(`tag=${token()}`)).total).toBe(0);
    });

    it('answers an empty page with the right total past the end', async () => {
      const tok = token();
      for (let i = 0; i < 3; i++) await createProject({ name: `${tok} ${i}` });
      const res = await call('get', `/projects/list?search=${tok}&page=5&per_page=2`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ items: [], total: 3, page: 5, per_page: 2 });
      const last = await list(`search=${tok}&page=2&per_page=2`);
      expect(last.items).toHaveLength(1);
      expect(last.total).toBe(3);
    });

    it('walks every project exactly once with per_page=1', async () => {
      const tok = token();
      const created: number[] = [];
      for (let i = 0; i < 5; i++) created.push((await createProject({ name: `${tok} ${i}` })).id);
      const seen: number[] = [];
      for (let page = 1; page <= 5; page++) {
        const res = await list(`search=${tok}&per_page=1&page=${page}&sort=name`);
        expect(res).toMatchObject({ total: 5, page, per_page: 1 });
        expect(res.items).toHaveLength(1);
        seen.push(res.items[0].id);
      }
      expect(seen).toEqual(created);
      expect((await list(`search=${tok}&per_page=1&page=6`)).items).toEqual([]);
    });

    it('accepts per_page at its bounds, 1 and 100', async () => {
      expect((await list('per_page=1')).per_page).toBe(1);
      expect((await list('per_page=100')).per_page).toBe(100);
    });

    it('leaves out soft-deleted projects and keeps archived ones', async () => {
      const tok = token();
      const kept = await createProject({ name: `${tok} kept` });
      const gone = await createProject({ name: `${tok} gone` });
      const archived = await createProject({ name: `${tok} archived` });
      await call('post', `/projects/${archived.id}/archive`);
      await call('delete', `/projects/${gone.id}`);
      const page = await list(`search=${tok}&sort=name`);
      expect(page.total).toBe(2);
      expect(page.items.map((p) => p.id)).toEqual([archived.id, kept.id]);
    });

    it.each([
      ['per_page=0', 'per_page'],
      ['per_page=101', 'per_page'],
      ['per_page=-5', 'per_page'],
      ['per_page=abc', 'per_page'],
      ['per_page=1.5', 'per_page'],
      ['page=0', 'page'],
      ['page=-1', 'page'],
      ['page=two', 'page'],
      ['sort=size', 'sort'],
      ['sort=NAME', 'sort'],
      ['sort=name&sort=-name', 'sort'],
      ['status=deleted', 'status'],
      ['status=', 'status'],
      [`search=${'s'.repeat(201)}`, 'search'],
      [`tag=${'t'.repeat(51)}`, 'tag'],
      ['search[a]=b', 'search'],
    ])('answers 400 for %s, naming %s', async (query, field) => {
      const res = await call('get', `/projects/list?${query}`);
      expect(expectValidation(res, [field]).map((e) => e.field)).toEqual(
        expect.arrayContaining([field]),
      );
    });

    it('names an unknown query parameter', async () => {
      const res = await call('get', '/projects/list?owner=me');
      expect(expectValidation(res, ['owner'])).toEqual([
        { field: 'owner', message: 'owner is not a known field.' },
      ]);
    });
  });

  describe('PUT /projects/:id', () => {
    it('changes the fields sent and keeps the others', async () => {
      const project = await createProject({
        description: 'before',
        tags: ['a'],
        metadata: { k: 1 },
        config: { model: 'x' },
      });
      await new Promise((resolve) => setTimeout(resolve, 5));
      const res = await call('put', `/projects/${project.id}`, {
        description: 'after',
        tags: ['b', 'c'],
      });
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(JSON_TYPE);
      expectProjectShape(res.body);
      expect(res.body).toMatchObject({
        id: project.id,
        uuid: project.uuid,
        name: project.name,
        description: 'after',
        status: 'active',
        tags: ['b', 'c'],
        metadata: { k: 1 },
        config: { model: 'x' },
        created_at: project.created_at,
      });
      expect(Date.parse(res.body.updated_at)).toBeGreaterThan(Date.parse(project.updated_at));
      expect((await call('get', `/projects/${project.id}`)).body).toEqual(res.body);
    });

    it('replaces name, status, metadata and config', async () => {
      const project = await createProject({ metadata: { old: true }, config: { a: 1 } });
      const name = `Renamed ${token()}`;
      const res = await call('put', `/projects/${project.id}`, {
        name: ` ${name} `,
        status: 'draft',
        metadata: { new: true },
        config: {},
      });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        name,
        status: 'draft',
        metadata: { new: true },
        config: {},
      });
    });

    it('replaces the description, including with an empty string', async () => {
      const project = await createProject({ description: 'something' });
      const changed = await call('put', `/projects/${project.id}`, { description: 'other' });
      expect(changed.status).toBe(200);
      expect(changed.body.description).toBe('other');
      const emptied = await call('put', `/projects/${project.id}`, { description: '' });
      expect(emptied.status).toBe(200);
      expect(emptied.body.description).toBe('');
    });

    it('lets a project change the case of its own name', async () => {
      const project = await createProject({ name: `case ${token()}` });
      const res = await call('put', `/projects/${project.id}`, {
        name: project.name.toUpperCase(),
      });
      expect(res.status).toBe(200);
      expect(res.body.name).toBe(project.name.toUpperCase());
    });

    it('answers 409 when renaming to another live project name, ignoring case', async () => {
      const taken = await createProject();
      const project = await createProject();
      const res = await call('put', `/projects/${project.id}`, { name: taken.name.toLowerCase() });
      expectProblem(res, 409, 'conflict');
      expect(res.body.errors).toEqual([{ field: 'name', message: expect.any(String) }]);
      expect((await call('get', `/projects/${project.id}`)).body.name).toBe(project.name);
    });

    it('allows renaming to the name of a soft-deleted project', async () => {
      const deleted = await createProject();
      await call('delete', `/projects/${deleted.id}`);
      const project = await createProject();
      const res = await call('put', `/projects/${project.id}`, { name: deleted.name });
      expect(res.status).toBe(200);
      expect(res.body.name).toBe(deleted.name);
    });

    it('answers 400 for an empty body, naming the body', async () => {
      const project = await createProject();
      const res = await call('put', `/projects/${project.id}`, {});
      expect(expectValidation(res, ['body'])).toEqual([
        { field: 'body', message: expect.any(String) },
      ]);
    });

    it.each([
      ['unknown field', { colour: 'red' }, 'colour'],
      ['empty name', { name: '' }, 'name'],
      ['whitespace-only name', { name: '  ' }, 'name'],
      ['name not a string', { name: ['x'] }, 'name'],
      ['name over 200 characters', { name: 'n'.repeat(201) }, 'name'],
      ['unknown status', { status: 'paused' }, 'status'],
      ['tags not strings', { tags: [true] }, 'tags'],
      ['metadata an array', { metadata: [] }, 'metadata'],
      ['config a string', { config: 'x' }, 'config'],
      ['null name', { name: null }, 'name'],
      ['null status', { status: null }, 'status'],
      ['null tags', { tags: null }, 'tags'],
      ['null metadata', { metadata: null }, 'metadata'],
      ['null config', { config: null }, 'config'],
    ])('answers 400 for %s, naming the field', async (_label, body, field) => {
      const project = await createProject();
      const res = await call('put', `/projects/${project.id}`, body);
      expectValidation(res, [field]);
      expect((await call('get', `/projects/${project.id}`)).body).toEqual(project);
    });

    it('names an unknown field in the update body', async () => {
      const project = await createProject();
      const res = await call('put', `/projects/${project.id}`, { name: 'ok', workspace_id: 2 });
      expect(expectValidation(res, ['workspace_id'])).toEqual([
        { field: 'workspace_id', message: 'workspace_id is not a known field.' },
      ]);
    });

    it('answers 404 for a missing or soft-deleted project', async () => {
      expectProblem(await call('put', `/projects/${MISSING_ID}`, { name: 'x' }), 404, 'not_found');
      const project = await createProject();
      await call('delete', `/projects/${project.id}`);
      expectProblem(await call('put', `/projects/${project.id}`, { name: 'y' }), 404, 'not_found');
    });

    it.each(BAD_IDS)('answers 400 for the path id %j', async (bad) => {
      expectValidation(await call('put', `/projects/${bad}`, { name: 'x' }), ['id']);
    });
  });

  describe('DELETE /projects/:id', () => {
    it('soft-deletes: 204, then 404 everywhere and gone from lists', async () => {
      const tok = token();
      const project = await createProject({ name: `${tok} soft` });
      const res = await call('delete', `/projects/${project.id}`);
      expect(res.status).toBe(204);
      expect(res.text).toBe('');

      expectProblem(await call('get', `/projects/${project.id}`), 404, 'not_found');
      expectProblem(await call('put', `/projects/${project.id}`, { name: 'x' }), 404, 'not_found');
      expectProblem(await call('get', `/projects/${project.id}/stats`), 404, 'not_found');
      expectProblem(await call('post', `/projects/${project.id}/archive`), 404, 'not_found');
      expectProblem(await call('post', `/projects/${project.id}/unarchive`), 404, 'not_found');
      expectProblem(await call('delete', `/projects/${project.id}`), 404, 'not_found');
      expect((await list(`search=${tok}`)).total).toBe(0);

      // The row is kept, only marked.
      const [row] = await db().query<{ deleted_at: Date | null }[]>(
        'SELECT deleted_at FROM projects WHERE id = $1',
        [project.id],
      );
      expect(row.deleted_at).toBeInstanceOf(Date);
    });

    it('treats permanent=false as a soft delete', async () => {
      const project = await createProject();
      expect((await call('delete', `/projects/${project.id}?permanent=false`)).status).toBe(204);
      expectProblem(await call('get', `/projects/${project.id}`), 404, 'not_found');
      expect(await countRows('projects', 'id', project.id)).toBe(1);
    });

    it('hides the signatures of a soft-deleted project', async () => {
      const project = await createProject();
      const signature = await call('post', '/signatures/create', {
        project_id: project.id,
        name: 'QA',
        input_schema: [{ name: 'question', type: 'string' }],
        output_schema: [{ name: 'answer', type: 'string' }],
      });
      expect(signature.status).toBe(201);
      await call('delete', `/projects/${project.id}`);
      expectProblem(await call('get', `/signatures/${signature.body.id}`), 404, 'not_found');
      expectProblem(
        await call('get', `/signatures/list?project_id=${project.id}`),
        404,
        'not_found',
      );
    });

    it('with permanent=true removes the project and everything under it', async () => {
      const project = await createProject();
      const signature = await call('post', '/signatures/create', {
        project_id: project.id,
        name: 'Summarize',
        input_schema: [{ name: 'text', type: 'string' }],
        output_schema: [{ name: 'summary', type: 'string' }],
      });
      expect(signature.status).toBe(201);
      const prompt = await call('post', '/prompts/create', {
        project_id: project.id,
        name: 'Summarizer',
        user_prompt: 'Summarize: {text}',
        signature_id: signature.body.id,
      });
      expect(prompt.status).toBe(201);
      expect(
        (await call('put', `/prompts/${prompt.body.id}`, { user_prompt: 'Briefly: {text}' }))
          .status,
      ).toBe(200);
      const testCase = await call('post', '/test-cases/create', {
        project_id: project.id,
        inputs: { text: 'hello' },
        signature_id: signature.body.id,
        is_golden: true,
      });
      expect(testCase.status).toBe(201);

      const res = await call('delete', `/projects/${project.id}?permanent=true`);
      expect(res.status).toBe(204);

      expectProblem(await call('get', `/projects/${project.id}`), 404, 'not_found');
      expectProblem(await call('get', `/signatures/${signature.body.id}`), 404, 'not_found');
      expectProblem(await call('get', `/prompts/${prompt.body.id}`), 404, 'not_found');
      expectProblem(await call('get', `/test-cases/${testCase.body.id}`), 404, 'not_found');
      expect(await countRows('projects', 'id', project.id)).toBe(0);
      expect(await countRows('signatures', 'project_id', project.id)).toBe(0);
      expect(await countRows('prompts', 'project_id', project.id)).toBe(0);
      expect(await countRows('prompt_versions', 'prompt_id', prompt.body.id)).toBe(0);
      expect(await countRows('test_cases', 'project_id', project.id)).toBe(0);
      expectProblem(
        await call('delete', `/projects/${project.id}?permanent=true`),
        404,
        'not_found',
      );
    });

    it('permanently deletes a project that was already soft-deleted', async () => {
      const project = await createProject();
      const signature = await call('post', '/signatures/create', {
        project_id: project.id,
        name: 'S',
        input_schema: [],
        output_schema: [],
      });
      await call('delete', `/projects/${project.id}`);
      expect(await countRows('projects', 'id', project.id)).toBe(1);
      expect((await call('delete', `/projects/${project.id}?permanent=1`)).status).toBe(204);
      expect(await countRows('projects', 'id', project.id)).toBe(0);
      expect(await countRows('signatures', 'id', signature.body.id)).toBe(0);
    });

    it('leaves other projects alone', async () => {
      const keep = await createProject();
      const signature = await call('post', '/signatures/create', {
        project_id: keep.id,
        name: 'Kept',
        input_schema: [],
        output_schema: [],
      });
      const drop = await createProject();
      await call('delete', `/projects/${drop.id}?permanent=true`);
      expect((await call('get', `/projects/${keep.id}`)).status).toBe(200);
      expect((await call('get', `/signatures/${signature.body.id}`)).status).toBe(200);
    });

    it('answers 404 for a missing project, soft or permanent', async () => {
      expectProblem(await call('delete', `/projects/${MISSING_ID}`), 404, 'not_found');
      expectProblem(
        await call('delete', `/projects/${MISSING_ID}?permanent=true`),
        404,
        'not_found',
      );
    });

    it('answers 400 for a permanent flag that is not a boolean', async () => {
      const project = await createProject();
      const res = await call('delete', `/projects/${project.id}?permanent=maybe`);
      expectValidation(res, ['permanent']);
      expect((await call('get', `/projects/${project.id}`)).status).toBe(200);
    });

    it('answers 400 for an unknown query parameter', async () => {
      const project = await createProject();
      expectValidation(await call('delete', `/projects/${project.id}?force=true`), ['force']);
      expect((await call('get', `/projects/${project.id}`)).status).toBe(200);
    });

    it.each(BAD_IDS)('answers 400 for the path id %j', async (bad) => {
      expectValidation(await call('delete', `/projects/${bad}`), ['id']);
    });
  });

  describe('POST /projects/:id/archive and /unarchive', () => {
    it('archives an active project and is idempotent', async () => {
      const project = await createProject();
      await new Promise((resolve) => setTimeout(resolve, 5));
      const first = await call('post', `/projects/${project.id}/archive`);
      expect(first.status).toBe(200);
      expect(first.headers['content-type']).toMatch(JSON_TYPE);
      expectProjectShape(first.body);
      expect(first.body).toMatchObject({ id: project.id, status: 'archived' });
      expect(Date.parse(first.body.updated_at)).toBeGreaterThan(Date.parse(project.updated_at));

      const again = await call('post', `/projects/${project.id}/archive`);
      expect(again.status).toBe(200);
      expect(again.body).toEqual(first.body);
      expect((await call('get', `/projects/${project.id}`)).body.status).toBe('archived');
    });

    it('unarchives an archived project back to active and is idempotent', async () => {
      const project = await createProject();
      await call('post', `/projects/${project.id}/archive`);
      const first = await call('post', `/projects/${project.id}/unarchive`);
      expect(first.status).toBe(200);
      expectProjectShape(first.body);
      expect(first.body).toMatchObject({ id: project.id, status: 'active' });
      const again = await call('post', `/projects/${project.id}/unarchive`);
      expect(again.status).toBe(200);
      expect(again.body).toEqual(first.body);
    });

    it('unarchive of an active project that was never archived is a no-op', async () => {
      const project = await createProject();
      const res = await call('post', `/projects/${project.id}/unarchive`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual(project);
    });

    it('archives a draft project', async () => {
      const project = await createProject({ status: 'draft' });
      const res = await call('post', `/projects/${project.id}/archive`);
      expect(res.status).toBe(200);
      expect(res.body.status).toBe('archived');
      expect((await call('post', `/projects/${project.id}/unarchive`)).body.status).toBe('active');
    });

    it('answers 409 invalid_state when unarchiving a draft project', async () => {
      const project = await createProject({ status: 'draft' });
      const res = await call('post', `/projects/${project.id}/unarchive`);
      expectProblem(res, 409, 'invalid_state');
      expect(res.body.detail).toContain(String(project.id));
      expect((await call('get', `/projects/${project.id}`)).body.status).toBe('draft');
    });

    it('keeps an archived project readable and updatable', async () => {
      const project = await createProject();
      await call('post', `/projects/${project.id}/archive`);
      expect((await call('get', `/projects/${project.id}`)).status).toBe(200);
      const res = await call('put', `/projects/${project.id}`, { description: 'still here' });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ status: 'archived', description: 'still here' });
    });

    it('answers 404 for a missing or soft-deleted project', async () => {
      for (const action of ['archive', 'unarchive']) {
        expectProblem(await call('post', `/projects/${MISSING_ID}/${action}`), 404, 'not_found');
      }
      const project = await createProject();
      await call('delete', `/projects/${project.id}`);
      for (const action of ['archive', 'unarchive']) {
        expectProblem(await call('post', `/projects/${project.id}/${action}`), 404, 'not_found');
      }
    });

    it.each(['abc', '0', '-3'])('answers 400 for the path id %j', async (bad) => {
      expectValidation(await call('post', `/projects/${bad}/archive`), ['id']);
      expectValidation(await call('post', `/projects/${bad}/unarchive`), ['id']);
    });

    it('has no GET form', async () => {
      const project = await createProject();
      expectProblem(await call('get', `/projects/${project.id}/archive`), 404, 'route_not_found');
    });
  });

  describe('GET /projects/:id/stats', () => {
    const STATS_KEYS = [
      'completed_evaluations',
      'evaluations',
      'golden_test_cases',
      'last_evaluation_at',
      'optimizations',
      'project_id',
      'prompt_versions',
      'prompts',
      'signatures',
      'test_cases',
    ];

    async function stats(id: number) {
      const res = await call('get', `/projects/${id}/stats`);
      expect({ status: res.status, body: res.body }).toMatchObject({ status: 200 });
      expect(res.headers['content-type']).toMatch(JSON_TYPE);
      expect(Object.keys(res.body).sort()).toEqual(STATS_KEYS);
      return res.body as Record<string, unknown>;
    }

    async function createSignature(projectId: number, name: string) {
      const res = await call('post', '/signatures/create', {
        project_id: projectId,
        name,
        input_schema: [{ name: 'q', type: 'string' }],
        output_schema: [{ name: 'a', type: 'string' }],
      });
      expect(res.status).toBe(201);
      return res.body as { id: number };
    }

    async function createPrompt(projectId: number, name: string) {
      const res = await call('post', '/prompts/create', {
        project_id: projectId,
        name,
        user_prompt: `Answer {q} (${name})`,
      });
      expect(res.status).toBe(201);
      return res.body as { id: number };
    }

    async function createTestCase(projectId: number, isGolden: boolean) {
      const res = await call('post', '/test-cases/create', {
        project_id: projectId,
        inputs: { q: 'why?' },
        is_golden: isGolden,
      });
      expect(res.status).toBe(201);
      return res.body as { id: number };
    }

    it('counts nothing for a new project', async () => {
      const project = await createProject();
      expect(await stats(project.id)).toEqual({
        project_id: project.id,
        signatures: 0,
        prompts: 0,
        prompt_versions: 0,
        test_cases: 0,
        golden_test_cases: 0,
        evaluations: 0,
        completed_evaluations: 0,
        optimizations: 0,
        last_evaluation_at: null,
      });
    });

    it('counts signatures, prompts, versions, test cases and golden cases', async () => {
      const project = await createProject();
      const other = await createProject();

      await createSignature(project.id, 'one');
      await createSignature(project.id, 'two');
      const first = await createPrompt(project.id, 'first');
      await createPrompt(project.id, 'second');
      // Two content changes make versions 2 and 3; an identical body makes no version.
      expect((await call('put', `/prompts/${first.id}`, { user_prompt: 'v2 {q}' })).status).toBe(
        200,
      );
      expect((await call('put', `/prompts/${first.id}`, { user_prompt: 'v3 {q}' })).status).toBe(
        200,
      );
      expect((await call('put', `/prompts/${first.id}`, { user_prompt: 'v3 {q}' })).status).toBe(
        200,
      );
      await createTestCase(project.id, true);
      await createTestCase(project.id, false);
      const bulk = await call('post', '/test-cases/bulk', {
        project_id: project.id,
        test_cases: [
          { inputs: { q: 'a' }, is_golden: true },
          { inputs: { q: 'b' } },
          { inputs: { q: 'c' }, is_golden: false },
        ],
      });
      expect(bulk.status).toBe(201);

      // Noise in another project must not count.
      await createSignature(other.id, 'one');
      await createPrompt(other.id, 'first');
      await createTestCase(other.id, true);

      expect(await stats(project.id)).toMatchObject({
        project_id: project.id,
        signatures: 2,
        prompts: 2,
        prompt_versions: 4,
        test_cases: 5,
        golden_test_cases: 2,
        evaluations: 0,
        completed_evaluations: 0,
        optimizations: 0,
        last_evaluation_at: null,
      });
      expect(await stats(other.id)).toMatchObject({
        signatures: 1,
        prompts: 1,
        prompt_versions: 1,
        test_cases: 1,
        golden_test_cases: 1,
      });
    });

    it('stops counting soft-deleted signatures, prompts and test cases', async () => {
      const project = await createProject();
      const signature = await createSignature(project.id, 'sig');
      await createSignature(project.id, 'sig2');
      const prompt = await createPrompt(project.id, 'p');
      await call('put', `/prompts/${prompt.id}`, { user_prompt: 'changed {q}' });
      await createPrompt(project.id, 'p2');
      const golden = await createTestCase(project.id, true);
      await createTestCase(project.id, false);
      expect(await stats(project.id)).toMatchObject({
        signatures: 2,
        prompts: 2,
        prompt_versions: 3,
        test_cases: 2,
        golden_test_cases: 1,
      });

      expect((await call('delete', `/signatures/${signature.id}`)).status).toBe(204);
      expect((await call('delete', `/prompts/${prompt.id}`)).status).toBe(204);
      expect((await call('delete', `/test-cases/${golden.id}`)).status).toBe(204);
      expect(await stats(project.id)).toMatchObject({
        signatures: 1,
        prompts: 1,
        prompt_versions: 1,
        test_cases: 1,
        golden_test_cases: 0,
      });
    });

    it('answers 404 for a missing or soft-deleted project', async () => {
      expectProblem(await call('get', `/projects/${MISSING_ID}/stats`), 404, 'not_found');
      const project = await createProject();
      await call('delete', `/projects/${project.id}`);
      expectProblem(await call('get', `/projects/${project.id}/stats`), 404, 'not_found');
    });

    it.each(['abc', '0', '1.0'])('answers 400 for the path id %j', async (bad) => {
      expectValidation(await call('get', `/projects/${bad}/stats`), ['id']);
    });
  });

  it('never answered any request with a 5xx', () => {
    expect(serverErrors).toEqual([]);
  });
});
