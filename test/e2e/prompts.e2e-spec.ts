import type { Response } from 'supertest';
import { BASE, startTestApp, type TestApp } from '../support/test-app';

/** A JSON response body, as supertest types it. */
type Json = Response['body'];

/**
 * Prompts and their immutable versions, through the real HTTP stack on a database of this file's
 * own. Every test makes its own project, so the tests do not depend on each other or on order.
 */
describe('prompts', () => {
  let t: TestApp;
  /** Every 5xx any request of the current test got; each test ends by asserting there were none. */
  let serverErrors: string[] = [];
  let counter = 0;

  beforeAll(async () => {
    t = await startTestApp();
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

  function record(method: string, path: string, res: Response): Response {
    if (res.status >= 500) serverErrors.push(`${method} ${path} -> ${res.status} ${res.text}`);
    return res;
  }

  async function post(path: string, body?: unknown): Promise<Response> {
    const req = t.http().post(`${BASE}${path}`);
    return record('POST', path, await (body === undefined ? req : req.send(body as object)));
  }

  async function put(path: string, body: unknown): Promise<Response> {
    return record(
      'PUT',
      path,
      await t
        .http()
        .put(`${BASE}${path}`)
        .send(body as object),
    );
  }

  async function get(path: string): Promise<Response> {
    return record('GET', path, await t.http().get(`${BASE}${path}`));
  }

  async function del(path: string): Promise<Response> {
    return record('DELETE', path, await t.http().delete(`${BASE}${path}`));
  }

  /** Asserts the status, showing the body when it differs. */
  function expectStatus(res: Response, status: number): void {
    if (res.status !== status) {
      throw new Error(`expected HTTP ${status}, got ${res.status}: ${res.text}`);
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

  async function createProject(extra: Record<string, unknown> = {}): Promise<number> {
    const res = await post('/projects/create', { name: unique('prompts-project'), ...extra });
    expectStatus(res, 201);
    return res.body.id as number;
  }

  async function createPrompt(
    projectId: number,
    extra: Record<string, unknown> = {},
  ): Promise<Json> {
    const res = await post('/prompts/create', {
      project_id: projectId,
      name: unique('prompt'),
      user_prompt: 'Answer: {question}',
      ...extra,
    });
    expectStatus(res, 201);
    return res.body;
  }

  async function createSignature(projectId: number): Promise<number> {
    const res = await post('/signatures/create', {
      project_id: projectId,
      name: unique('qa'),
      instruction: 'Answer the question.',
      input_schema: [
        { name: 'question', type: 'string', required: true },
        { name: 'max_words', type: 'integer', required: false },
      ],
      output_schema: [{ name: 'answer', type: 'string' }],
    });
    expectStatus(res, 201);
    return res.body.id as number;
  }

  async function versionsOf(promptId: number, query = ''): Promise<Json> {
    const res = await get(`/prompts/${promptId}/versions${query}`);
    expectStatus(res, 200);
    return res.body;
  }

  describe('create', () => {
    it('creates version 1 from a manual source and lists its template variables', async () => {
      const projectId = await createProject();
      const res = await post('/prompts/create', {
        project_id: projectId,
        name: '  Support Answerer  ',
        description: 'Answers support questions',
        system_prompt: 'You are a {role}. Reply as JSON like {"answer": "..."}.',
        user_prompt:
          'Question: {{ question }}\nContext: {context}\nAgain: {{question}} {doc.title}',
      });
      expectStatus(res, 201);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      const prompt = res.body;
      expect(prompt).toMatchObject({
        id: expect.any(Number),
        uuid: expect.stringMatching(/^[0-9a-f-]{36}$/),
        project_id: projectId,
        name: 'Support Answerer',
        description: 'Answers support questions',
        signature_id: null,
        created_at: expect.any(String),
        updated_at: expect.any(String),
      });
      expect(prompt.current_version).toMatchObject({
        id: expect.any(Number),
        uuid: expect.stringMatching(/^[0-9a-f-]{36}$/),
        prompt_id: prompt.id,
        version_number: 1,
        system_prompt: 'You are a {role}. Reply as JSON like {"answer": "..."}.',
        user_prompt:
          'Question: {{ question }}\nContext: {context}\nAgain: {{question}} {doc.title}',
        few_shot_examples: [],
        model_config: null,
        parent_version_id: null,
        change_description: 'Initial version',
        source: 'manual',
        optimization_id: null,
        created_at: expect.any(String),
      });
      expect(prompt.current_version.variables).toEqual([
        'role',
        'question',
        'context',
        'doc.title',
      ]);
      expect(new Date(prompt.created_at as string).toISOString()).toBe(prompt.created_at);
    });

    it('keeps few-shot examples, model config and a custom change description', async () => {
      const projectId = await createProject();
      const prompt = await createPrompt(projectId, {
        few_shot_examples: [{ inputs: { question: '2+2?' }, outputs: { answer: '4' } }],
        model_config: {
          provider: 'openai',
          model: 'gpt-4o-mini',
          parameters: { temperature: 0.2, max_tokens: 64 },
        },
        change_description: 'Imported from the old system',
      });
      expect(prompt.current_version).toMatchObject({
        version_number: 1,
        change_description: 'Imported from the old system',
        few_shot_examples: [{ inputs: { question: '2+2?' }, outputs: { answer: '4' } }],
        model_config: {
          provider: 'openai',
          model: 'gpt-4o-mini',
          parameters: { temperature: 0.2, max_tokens: 64 },
        },
      });
    });

    it('accepts content as an alias of user_prompt', async () => {
      const projectId = await createProject();
      const aliased = await createPrompt(projectId, {
        user_prompt: undefined,
        content: 'Summarise: {text}',
      });
      expect(aliased.current_version.user_prompt).toBe('Summarise: {text}');
      expect(aliased.current_version.variables).toEqual(['text']);

      const both = await createPrompt(projectId, {
        user_prompt: 'Same {x}',
        content: 'Same {x}',
      });
      expect(both.current_version.user_prompt).toBe('Same {x}');
    });

    it('rejects content and user_prompt that differ', async () => {
      const projectId = await createProject();
      const name = unique('conflicting');
      const res = await post('/prompts/create', {
        project_id: projectId,
        name,
        user_prompt: 'One {x}',
        content: 'Another {x}',
      });
      expectProblem(res, 400, 'validation_failed', ['content']);
      const list = await get(`/prompts/list?project_id=${projectId}`);
      expect(list.body.total).toBe(0);
    });

    it('requires user_prompt (or content) and names it', async () => {
      const projectId = await createProject();
      const res = await post('/prompts/create', { project_id: projectId, name: unique('empty') });
      const body = expectProblem(res, 400, 'validation_failed', ['user_prompt']);
      expect(body.errors!.find((e) => e.field === 'user_prompt')!.message).toMatch(/required/);

      const blank = await post('/prompts/create', {
        project_id: projectId,
        name: unique('blank'),
        user_prompt: '',
      });
      expectProblem(blank, 400, 'validation_failed', ['user_prompt']);
    });

    it('lists every bad field of an invalid body at once', async () => {
      const res = await post('/prompts/create', { user_prompt: 42, project_id: 'one' });
      expectProblem(res, 400, 'validation_failed', ['project_id', 'name', 'user_prompt']);
    });

    it('rejects a body that is not a JSON object', async () => {
      const res = await post('/prompts/create', [{ name: 'x' }]);
      expectProblem(res, 400, 'validation_failed', ['body']);
    });

    it('caps prompt text at MAX_PROMPT_CHARS (50,000 by default)', async () => {
      const projectId = await createProject();
      const longest = 'x'.repeat(50_000);
      const tooLong = 'x'.repeat(50_001);

      const ok = await createPrompt(projectId, { user_prompt: longest, system_prompt: longest });
      expect(ok.current_version.user_prompt).toHaveLength(50_000);
      expect(ok.current_version.system_prompt).toHaveLength(50_000);

      const user = await post('/prompts/create', {
        project_id: projectId,
        name: unique('too long'),
        user_prompt: tooLong,
      });
      const userBody = expectProblem(user, 400, 'validation_failed', ['user_prompt']);
      expect(userBody.errors!.find((e) => e.field === 'user_prompt')!.message).toMatch(/50000/);

      const system = await post('/prompts/create', {
        project_id: projectId,
        name: unique('too long'),
        system_prompt: tooLong,
        user_prompt: 'fine',
      });
      expectProblem(system, 400, 'validation_failed', ['system_prompt']);

      const content = await post('/prompts/create', {
        project_id: projectId,
        name: unique('too long'),
        content: tooLong,
      });
      expectProblem(content, 400, 'validation_failed', ['content']);

      const list = await get(`/prompts/list?project_id=${projectId}`);
      expect(list.body.total).toBe(1);
    });

    it('rejects unknown fields, at the top level and nested', async () => {
      const projectId = await createProject();
      const res = await post('/prompts/create', {
        project_id: projectId,
        name: unique('unknown'),
        user_prompt: 'Hi {name}',
        temperature: 0.3,
      });
      const body = expectProblem(res, 400, 'validation_failed', ['temperature']);
      expect(body.errors!.find((e) => e.field === 'temperature')!.message).toMatch(/not a known/);

      const nested = await post('/prompts/create', {
        project_id: projectId,
        name: unique('unknown'),
        user_prompt: 'Hi {name}',
        model_config: { provider: 'openai', model: 'gpt-4o-mini', api_key: 'sk-nope' },
      });
      expectProblem(nested, 400, 'validation_failed', ['model_config.api_key']);

      const list = await get(`/prompts/list?project_id=${projectId}`);
      expect(list.body.total).toBe(0);
    });

    it('rejects a signature of another project with 400 and a missing one with 404', async () => {
      const projectId = await createProject();
      const otherProjectId = await createProject();
      const foreignSignature = await createSignature(otherProjectId);

      const foreign = await post('/prompts/create', {
        project_id: projectId,
        name: unique('foreign'),
        user_prompt: 'Q: {question}',
        signature_id: foreignSignature,
      });
      expectProblem(foreign, 400, 'validation_failed', ['signature_id']);

      const missing = await post('/prompts/create', {
        project_id: projectId,
        name: unique('missing'),
        user_prompt: 'Q: {question}',
        signature_id: 987_654_321,
      });
      expectProblem(missing, 404, 'not_found', ['signature_id']);

      const own = await createPrompt(projectId, {
        signature_id: await createSignature(projectId),
      });
      expect(own.signature_id).toEqual(expect.any(Number));

      const list = await get(`/prompts/list?project_id=${projectId}`);
      expect(list.body.total).toBe(1);
    });

    it('answers 404 naming project_id for a missing project', async () => {
      const res = await post('/prompts/create', {
        project_id: 987_654_321,
        name: 'orphan',
        user_prompt: 'Hi',
      });
      expectProblem(res, 404, 'not_found', ['project_id']);
    });

    it('rejects a duplicate name in a project (case-insensitively) with 409', async () => {
      const projectId = await createProject();
      const name = unique('Duplicate');
      await createPrompt(projectId, { name });

      const again = await post('/prompts/create', {
        project_id: projectId,
        name,
        user_prompt: 'Other',
      });
      expectProblem(again, 409, 'conflict', ['name']);

      const upper = await post('/prompts/create', {
        project_id: projectId,
        name: name.toUpperCase(),
        user_prompt: 'Other',
      });
      expectProblem(upper, 409, 'conflict', ['name']);

      // The same name is fine in another project.
      await createPrompt(await createProject(), { name });

      const list = await get(`/prompts/list?project_id=${projectId}`);
      expect(list.body.total).toBe(1);
    });

    it('lets exactly one of several concurrent creates with the same name win', async () => {
      const projectId = await createProject();
      const name = unique('Contested');
      const results = await Promise.all(
        [1, 2, 3, 4, 5].map((i) =>
          post('/prompts/create', { project_id: projectId, name, user_prompt: `Take ${i}` }),
        ),
      );
      const statuses = results.map((r) => r.status).sort();
      expect(statuses).toEqual([201, 409, 409, 409, 409]);
      for (const res of results.filter((r) => r.status === 409)) {
        expectProblem(res, 409, 'conflict', ['name']);
      }
      const list = await get(`/prompts/list?project_id=${projectId}`);
      expect(list.body.total).toBe(1);
    });

    it('replays a create sent again with the same Idempotency-Key', async () => {
      const projectId = await createProject();
      const body = { project_id: projectId, name: unique('idem'), user_prompt: 'Hi {name}' };
      const key = `prompt-${process.pid}-${++counter}`;
      const first = await t
        .http()
        .post(`${BASE}/prompts/create`)
        .set('Idempotency-Key', key)
        .send(body);
      expectStatus(first, 201);
      const second = await t
        .http()
        .post(`${BASE}/prompts/create`)
        .set('Idempotency-Key', key)
        .send(body);
      expectStatus(second, 201);
      expect(second.headers['idempotent-replayed']).toBe('true');
      expect(second.body.id).toBe(first.body.id);

      const changed = await t
        .http()
        .post(`${BASE}/prompts/create`)
        .set('Idempotency-Key', key)
        .send({ ...body, user_prompt: 'Different' });
      expectProblem(changed, 422, 'idempotency_key_reused');

      const list = await get(`/prompts/list?project_id=${projectId}`);
      expect(list.body.total).toBe(1);
    });
  });

  describe('list and get', () => {
    it('requires a valid project_id', async () => {
      expectProblem(await get('/prompts/list'), 400, 'validation_failed', ['project_id']);
      expectProblem(await get('/prompts/list?project_id=abc'), 400, 'validation_failed', [
        'project_id',
      ]);
      expectProblem(await get('/prompts/list?project_id=987654321'), 404, 'not_found', [
        'project_id',
      ]);
    });

    it("lists a project's prompts with their current versions, paginated", async () => {
      const projectId = await createProject();
      const otherProjectId = await createProject();
      await createPrompt(otherProjectId, { name: 'Elsewhere' });
      const a = await createPrompt(projectId, { name: 'Alpha', description: 'first of all' });
      await createPrompt(projectId, { name: 'beta' });
      await createPrompt(projectId, { name: 'Gamma' });
      expectStatus(await put(`/prompts/${a.id}`, { user_prompt: 'Alpha v2 {question}' }), 200);

      const all = await get(`/prompts/list?project_id=${projectId}&sort=name`);
      expectStatus(all, 200);
      expect(all.body).toMatchObject({ total: 3, page: 1, per_page: 20 });
      // Case-insensitively, whatever the database collation.
      expect(all.body.items.map((p: Json) => p.name)).toEqual(['Alpha', 'beta', 'Gamma']);
      const alpha = all.body.items[0];
      expect(alpha.current_version).toMatchObject({
        version_number: 2,
        user_prompt: 'Alpha v2 {question}',
      });
      for (const item of all.body.items) expect(item.project_id).toBe(projectId);

      const desc = await get(`/prompts/list?project_id=${projectId}&sort=-name`);
      expect(desc.body.items.map((p: Json) => p.name)).toEqual(['Gamma', 'beta', 'Alpha']);

      const page2 = await get(`/prompts/list?project_id=${projectId}&sort=name&per_page=2&page=2`);
      expect(page2.body).toMatchObject({ total: 3, page: 2, per_page: 2 });
      expect(page2.body.items.map((p: Json) => p.name)).toEqual(['Gamma']);

      const search = await get(`/prompts/list?project_id=${projectId}&search=FIRST`);
      expect(search.body.items.map((p: Json) => p.name)).toEqual(['Alpha']);

      // Recently updated first by default.
      const byDefault = await get(`/prompts/list?project_id=${projectId}`);
      expect(byDefault.body.items[0].name).toBe('Alpha');

      expectProblem(
        await get(`/prompts/list?project_id=${projectId}&sort=bogus`),
        400,
        'validation_failed',
        ['sort'],
      );
      expectProblem(
        await get(`/prompts/list?project_id=${projectId}&per_page=101`),
        400,
        'validation_failed',
        ['per_page'],
      );
    });

    it('gets a prompt with its current version', async () => {
      const projectId = await createProject();
      const created = await createPrompt(projectId, { system_prompt: 'Be brief.' });
      const res = await get(`/prompts/${created.id}`);
      expectStatus(res, 200);
      expect(res.body).toEqual(created);
    });

    it('answers 404 for a missing prompt and 400 for a malformed id', async () => {
      expectProblem(await get('/prompts/987654321'), 404, 'not_found');
      expectProblem(await get('/prompts/abc'), 400, 'validation_failed', ['id']);
      expectProblem(await get('/prompts/0'), 400, 'validation_failed', ['id']);
    });
  });

  describe('update', () => {
    it('makes a new version for new content, whose parent is the previous current version', async () => {
      const projectId = await createProject();
      const created = await createPrompt(projectId, {
        system_prompt: 'You are helpful.',
        user_prompt: 'v1 {question}',
        few_shot_examples: [{ inputs: { question: 'a' }, outputs: 'b' }],
        model_config: { provider: 'mock', model: 'echo' },
      });
      const v1 = created.current_version;

      const second = await put(`/prompts/${created.id}`, {
        user_prompt: 'v2 {question}',
        change_description: 'Tighter wording',
      });
      expectStatus(second, 200);
      const v2 = second.body.current_version;
      expect(v2).toMatchObject({
        version_number: 2,
        parent_version_id: v1.id,
        user_prompt: 'v2 {question}',
        // Fields not sent carry over from the current version.
        system_prompt: 'You are helpful.',
        few_shot_examples: [{ inputs: { question: 'a' }, outputs: 'b' }],
        model_config: { provider: 'mock', model: 'echo' },
        change_description: 'Tighter wording',
        source: 'manual',
      });
      expect(v2.id).not.toBe(v1.id);

      const third = await put(`/prompts/${created.id}`, { content: 'v3 {question} {extra}' });
      expectStatus(third, 200);
      const v3 = third.body.current_version;
      expect(v3).toMatchObject({
        version_number: 3,
        parent_version_id: v2.id,
        user_prompt: 'v3 {question} {extra}',
        variables: ['question', 'extra'],
        source: 'manual',
      });

      const fourth = await put(`/prompts/${created.id}`, { system_prompt: null });
      expectStatus(fourth, 200);
      expect(fourth.body.current_version).toMatchObject({
        version_number: 4,
        parent_version_id: v3.id,
        system_prompt: null,
        user_prompt: 'v3 {question} {extra}',
      });

      const fetched = await get(`/prompts/${created.id}`);
      expect(fetched.body.current_version.version_number).toBe(4);
      // Older versions are immutable.
      const old = await get(`/prompts/${created.id}/versions/1`);
      expect(old.body).toEqual(v1);
    });

    it('changes metadata in place without a new version', async () => {
      const projectId = await createProject();
      const created = await createPrompt(projectId);
      const res = await put(`/prompts/${created.id}`, {
        name: 'Renamed prompt',
        description: 'Now described',
      });
      expectStatus(res, 200);
      expect(res.body).toMatchObject({
        id: created.id,
        name: 'Renamed prompt',
        description: 'Now described',
      });
      expect(res.body.current_version).toEqual(created.current_version);
      expect((await versionsOf(created.id as number)).total).toBe(1);

      const cleared = await put(`/prompts/${created.id}`, { description: null });
      expect(cleared.body.description).toBeNull();
      expect((await versionsOf(created.id as number)).total).toBe(1);
    });

    it('attaches and detaches a signature of the same project only', async () => {
      const projectId = await createProject();
      const created = await createPrompt(projectId);
      const signatureId = await createSignature(projectId);
      const attached = await put(`/prompts/${created.id}`, { signature_id: signatureId });
      expectStatus(attached, 200);
      expect(attached.body.signature_id).toBe(signatureId);

      const foreign = await createSignature(await createProject());
      expectProblem(
        await put(`/prompts/${created.id}`, { signature_id: foreign }),
        400,
        'validation_failed',
        ['signature_id'],
      );
      expectProblem(
        await put(`/prompts/${created.id}`, { signature_id: 987_654_321 }),
        404,
        'not_found',
        ['signature_id'],
      );

      const detached = await put(`/prompts/${created.id}`, { signature_id: null });
      expect(detached.body.signature_id).toBeNull();
      expect((await versionsOf(created.id as number)).total).toBe(1);
    });

    it('makes no new version when the content sent is identical', async () => {
      const projectId = await createProject();
      const content = {
        system_prompt: 'System {role}',
        user_prompt: 'User {question}',
        few_shot_examples: [
          {
            inputs: { question: 'Capital of France?', max_words: 3 },
            outputs: { answer: 'Paris' },
          },
        ],
        model_config: {
          provider: 'openai',
          model: 'gpt-4o-mini',
          parameters: { temperature: 0.2, max_tokens: 512, top_p: 1 },
        },
      };
      const created = await createPrompt(projectId, content);

      const same = await put(`/prompts/${created.id}`, content);
      expectStatus(same, 200);
      expect(same.body.current_version).toEqual(created.current_version);

      const aliased = await put(`/prompts/${created.id}`, { content: 'User {question}' });
      expectStatus(aliased, 200);
      expect(aliased.body.current_version.version_number).toBe(1);

      const renamedSame = await put(`/prompts/${created.id}`, {
        name: 'New name',
        user_prompt: 'User {question}',
      });
      expectStatus(renamedSame, 200);
      expect(renamedSame.body.name).toBe('New name');
      expect(renamedSame.body.current_version.version_number).toBe(1);

      expect((await versionsOf(created.id as number)).total).toBe(1);
    });

    it('validates updates like creates', async () => {
      const projectId = await createProject();
      const created = await createPrompt(projectId);
      const other = await createPrompt(projectId);

      expectProblem(await put(`/prompts/${created.id}`, {}), 400, 'validation_failed', ['body']);
      expectProblem(
        await put(`/prompts/${created.id}`, { user_prompt: 'a', content: 'b' }),
        400,
        'validation_failed',
        ['content'],
      );
      expectProblem(
        await put(`/prompts/${created.id}`, { user_prompt: 'x'.repeat(50_001) }),
        400,
        'validation_failed',
        ['user_prompt'],
      );
      expectProblem(
        await put(`/prompts/${created.id}`, { user_prompt: 'ok', colour: 'blue' }),
        400,
        'validation_failed',
        ['colour'],
      );
      expectProblem(
        await put(`/prompts/${created.id}`, { name: (other.name as string).toLowerCase() }),
        409,
        'conflict',
        ['name'],
      );
      expectProblem(await put('/prompts/987654321', { name: 'x' }), 404, 'not_found');

      const after = await get(`/prompts/${created.id}`);
      expect(after.body).toEqual(created);
      expect((await versionsOf(created.id as number)).total).toBe(1);
    });

    it('gives concurrent content updates consecutive version numbers', async () => {
      const projectId = await createProject();
      const created = await createPrompt(projectId);
      const results = await Promise.all(
        [1, 2, 3, 4, 5].map((i) => put(`/prompts/${created.id}`, { user_prompt: `Edit ${i}` })),
      );
      for (const res of results) expectStatus(res, 200);
      const numbers = results.map((r) => r.body.current_version.version_number as number);
      expect([...numbers].sort((a, b) => a - b)).toEqual([2, 3, 4, 5, 6]);

      const history = await versionsOf(created.id as number, '?order=asc');
      expect(history.total).toBe(6);
      const versions = history.items as Json[];
      expect(versions.map((v) => v.version_number)).toEqual([1, 2, 3, 4, 5, 6]);
      // A linear chain: each version's parent is the one before it.
      for (let i = 1; i < versions.length; i++) {
        expect(versions[i].parent_version_id).toBe(versions[i - 1].id);
      }
      expect(new Set(versions.slice(1).map((v) => v.user_prompt)).size).toBe(5);

      const current = await get(`/prompts/${created.id}`);
      expect(current.body.current_version.id).toBe(versions[5].id);
    });

    it('keeps the newest version current when renames race with content updates', async () => {
      const projectId = await createProject();
      const created = await createPrompt(projectId);
      const requests = [];
      const ROUNDS = 12;
      for (let i = 1; i <= ROUNDS; i++) {
        requests.push(put(`/prompts/${created.id}`, { user_prompt: `Edit ${i}` }));
        requests.push(put(`/prompts/${created.id}`, { name: `Racing name ${i}` }));
      }
      const results = await Promise.all(requests);
      for (const res of results) expectStatus(res, 200);

      const history = await versionsOf(created.id as number);
      expect(history.total).toBe(1 + ROUNDS);
      const current = await get(`/prompts/${created.id}`);
      expect(current.body.current_version.version_number).toBe(1 + ROUNDS);
      expect(current.body.current_version.id).toBe(history.items[0].id);
    });
  });

  describe('versions', () => {
    async function promptWithVersions(count: number) {
      const projectId = await createProject();
      const created = await createPrompt(projectId, { user_prompt: 'Version 1 {q}' });
      for (let n = 2; n <= count; n++) {
        expectStatus(await put(`/prompts/${created.id}`, { user_prompt: `Version ${n} {q}` }), 200);
      }
      return created;
    }

    it('lists the history newest first, or oldest first with order=asc, paginated', async () => {
      const prompt = await promptWithVersions(5);

      const newest = await versionsOf(prompt.id as number);
      expect(newest).toMatchObject({ total: 5, page: 1, per_page: 20 });
      expect(newest.items.map((v: Json) => v.version_number)).toEqual([5, 4, 3, 2, 1]);
      expect(newest.items[4].user_prompt).toBe('Version 1 {q}');
      for (const v of newest.items) expect(v.prompt_id).toBe(prompt.id);

      const oldest = await versionsOf(prompt.id as number, '?order=asc');
      expect(oldest.items.map((v: Json) => v.version_number)).toEqual([1, 2, 3, 4, 5]);

      const page2 = await versionsOf(prompt.id as number, '?per_page=2&page=2');
      expect(page2).toMatchObject({ total: 5, page: 2, per_page: 2 });
      expect(page2.items.map((v: Json) => v.version_number)).toEqual([3, 2]);

      const page3asc = await versionsOf(prompt.id as number, '?per_page=2&page=3&order=asc');
      expect(page3asc.items.map((v: Json) => v.version_number)).toEqual([5]);

      const beyond = await versionsOf(prompt.id as number, '?per_page=2&page=9');
      expect(beyond).toMatchObject({ items: [], total: 5 });

      for (const query of ['?order=sideways', '?per_page=0', '?per_page=101', '?page=x']) {
        expectProblem(
          await get(`/prompts/${prompt.id}/versions${query}`),
          400,
          'validation_failed',
        );
      }
      expectProblem(await get('/prompts/987654321/versions'), 404, 'not_found');
    });

    it('gets one version by number and answers 404 for a missing number', async () => {
      const prompt = await promptWithVersions(2);
      const v1 = await get(`/prompts/${prompt.id}/versions/1`);
      expectStatus(v1, 200);
      expect(v1.body).toEqual(prompt.current_version);
      const v2 = await get(`/prompts/${prompt.id}/versions/2`);
      expect(v2.body).toMatchObject({ version_number: 2, user_prompt: 'Version 2 {q}' });

      const missing = expectProblem(
        await get(`/prompts/${prompt.id}/versions/3`),
        404,
        'not_found',
        ['version'],
      );
      expect(missing.detail).toMatch(/3/);
      expectProblem(await get(`/prompts/${prompt.id}/versions/0`), 400, 'validation_failed', [
        'version',
      ]);
      expectProblem(await get(`/prompts/${prompt.id}/versions/x`), 400, 'validation_failed', [
        'version',
      ]);
      expectProblem(await get('/prompts/987654321/versions/1'), 404, 'not_found');
    });
  });

  describe('revert', () => {
    it('copies an older version into a new current version', async () => {
      const projectId = await createProject();
      const created = await createPrompt(projectId, {
        system_prompt: 'Original system',
        user_prompt: 'Original {question}',
        few_shot_examples: [{ inputs: { question: 'q' }, outputs: { answer: 'a' } }],
        model_config: { provider: 'mock', model: 'echo', parameters: { temperature: 0 } },
      });
      const v1 = created.current_version;
      await put(`/prompts/${created.id}`, {
        system_prompt: 'Changed system',
        user_prompt: 'Changed {question}',
        few_shot_examples: [],
        model_config: null,
      });
      const v3res = await put(`/prompts/${created.id}`, { user_prompt: 'Third {question}' });
      const v3 = v3res.body.current_version;
      expect(v3.version_number).toBe(3);

      const res = await post(`/prompts/${created.id}/revert`, { version: 1 });
      expectStatus(res, 200);
      expect(res.body.id).toBe(created.id);
      expect(res.body.current_version).toMatchObject({
        version_number: 4,
        parent_version_id: v3.id,
        change_description: 'Reverted to version 1',
        source: 'revert',
        system_prompt: v1.system_prompt,
        user_prompt: v1.user_prompt,
        few_shot_examples: v1.few_shot_examples,
        model_config: v1.model_config,
        variables: v1.variables,
      });
      expect(res.body.current_version.id).not.toBe(v1.id);

      const fetched = await get(`/prompts/${created.id}`);
      expect(fetched.body.current_version.version_number).toBe(4);
      const history = await versionsOf(created.id as number);
      expect(history.total).toBe(4);
      expect(history.items[0]).toEqual(res.body.current_version);
      // History is not rewritten.
      expect(history.items[3]).toEqual(v1);

      const custom = await post(`/prompts/${created.id}/revert`, {
        version: 3,
        change_description: 'Back to the third',
      });
      expectStatus(custom, 200);
      expect(custom.body.current_version).toMatchObject({
        version_number: 5,
        parent_version_id: res.body.current_version.id,
        change_description: 'Back to the third',
        source: 'revert',
        user_prompt: 'Third {question}',
      });
    });

    it('answers 404 naming version for a version that does not exist, creating nothing', async () => {
      const projectId = await createProject();
      const created = await createPrompt(projectId);
      const body = expectProblem(
        await post(`/prompts/${created.id}/revert`, { version: 42 }),
        404,
        'not_found',
        ['version'],
      );
      expect(body.detail).toMatch(/[Vv]ersion 42/);
      expect(body.errors!.find((e) => e.field === 'version')!.message).toMatch(/42/);
      expect((await versionsOf(created.id as number)).total).toBe(1);
      expectProblem(await post('/prompts/987654321/revert', { version: 1 }), 404, 'not_found');
    });

    it('rejects a version that is not a positive integer', async () => {
      const projectId = await createProject();
      const created = await createPrompt(projectId);
      for (const version of [0, -1, 'x', 1.5, null]) {
        expectProblem(
          await post(`/prompts/${created.id}/revert`, { version }),
          400,
          'validation_failed',
          ['version'],
        );
      }
      expectProblem(await post(`/prompts/${created.id}/revert`, {}), 400, 'validation_failed', [
        'version',
      ]);
      expectProblem(
        await post(`/prompts/${created.id}/revert`, { version: 1, extra: true }),
        400,
        'validation_failed',
        ['extra'],
      );
      expect((await versionsOf(created.id as number)).total).toBe(1);
    });
  });

  describe('preview', () => {
    it('renders {name}, {{name}} and dotted paths and reports missing and unused inputs', async () => {
      const projectId = await createProject();
      const created = await createPrompt(projectId, {
        system_prompt: 'You are {persona}. Keep {{ missing_rule }} in mind.',
        user_prompt:
          'Hello {name}! Again {{name}} and {{ name }}. Title: {doc.title}. ' +
          'Unknown: {{ nowhere }} and {absent.path}. JSON: {"k": 1}',
      });
      const res = await post(`/prompts/${created.id}/preview`, {
        inputs: {
          persona: 'a pirate',
          name: 'Ada',
          doc: { title: 'Notes', body: 'ignored' },
          spare: 1,
          other: 'x',
        },
      });
      expectStatus(res, 200);
      expect(res.body).toEqual({
        version_number: 1,
        system_prompt: 'You are a pirate. Keep {{ missing_rule }} in mind.',
        user_prompt:
          'Hello Ada! Again Ada and Ada. Title: Notes. ' +
          'Unknown: {{ nowhere }} and {absent.path}. JSON: {"k": 1}',
        messages: [
          { role: 'system', content: 'You are a pirate. Keep {{ missing_rule }} in mind.' },
          {
            role: 'user',
            content:
              'Hello Ada! Again Ada and Ada. Title: Notes. ' +
              'Unknown: {{ nowhere }} and {absent.path}. JSON: {"k": 1}',
          },
        ],
        variables: ['persona', 'missing_rule', 'name', 'doc.title', 'nowhere', 'absent.path'],
        missing_variables: ['missing_rule', 'nowhere', 'absent.path'],
        unused_inputs: ['spare', 'other'],
        input_errors: [],
      });
    });

    it('renders non-string inputs and works without inputs', async () => {
      const projectId = await createProject();
      const created = await createPrompt(projectId, {
        user_prompt: 'n={n} ok={ok} list={list} obj={obj} nothing={nil}',
      });
      const res = await post(`/prompts/${created.id}/preview`, {
        inputs: { n: 3, ok: false, list: [1, 'a'], obj: { a: 1 }, nil: null },
      });
      expectStatus(res, 200);
      expect(res.body.user_prompt).toBe('n=3 ok=false list=[1,"a"] obj={"a":1} nothing=');
      expect(res.body.missing_variables).toEqual([]);

      const bare = await post(`/prompts/${created.id}/preview`, {});
      expectStatus(bare, 200);
      expect(bare.body.user_prompt).toBe('n={n} ok={ok} list={list} obj={obj} nothing={nil}');
      expect(bare.body.missing_variables).toEqual(['n', 'ok', 'list', 'obj', 'nil']);
      expect(bare.body.system_prompt).toBeNull();
      expect(bare.body.messages).toEqual([
        { role: 'user', content: 'n={n} ok={ok} list={list} obj={obj} nothing={nil}' },
      ]);
    });

    it('turns few-shot examples into user/assistant message pairs', async () => {
      const projectId = await createProject();
      const created = await createPrompt(projectId, {
        system_prompt: 'Answer briefly.',
        user_prompt: 'Q: {question}',
        few_shot_examples: [
          { inputs: { question: '2+2?' }, outputs: { answer: '4' } },
          { inputs: { question: 'Capital of France?' }, outputs: 'Paris' },
        ],
      });
      const res = await post(`/prompts/${created.id}/preview`, {
        inputs: { question: 'Largest planet?' },
      });
      expectStatus(res, 200);
      expect(res.body.messages).toEqual([
        { role: 'system', content: 'Answer briefly.' },
        { role: 'user', content: 'Q: 2+2?' },
        { role: 'assistant', content: '{"answer":"4"}' },
        { role: 'user', content: 'Q: Capital of France?' },
        { role: 'assistant', content: 'Paris' },
        { role: 'user', content: 'Q: Largest planet?' },
      ]);
      expect(res.body.user_prompt).toBe('Q: Largest planet?');
      expect(res.body.missing_variables).toEqual([]);
      expect(res.body.unused_inputs).toEqual([]);
    });

    it('renders an older version when asked', async () => {
      const projectId = await createProject();
      const created = await createPrompt(projectId, { user_prompt: 'Old {x}' });
      await put(`/prompts/${created.id}`, { user_prompt: 'New {x} {y}' });

      const current = await post(`/prompts/${created.id}/preview`, { inputs: { x: 1 } });
      expect(current.body).toMatchObject({
        version_number: 2,
        user_prompt: 'New 1 {y}',
        missing_variables: ['y'],
      });

      const old = await post(`/prompts/${created.id}/preview`, { inputs: { x: 1 }, version: 1 });
      expectStatus(old, 200);
      expect(old.body).toMatchObject({
        version_number: 1,
        user_prompt: 'Old 1',
        missing_variables: [],
        unused_inputs: [],
      });

      expectProblem(
        await post(`/prompts/${created.id}/preview`, { version: 7 }),
        404,
        'not_found',
        ['version'],
      );
      expectProblem(
        await post(`/prompts/${created.id}/preview`, { version: 0 }),
        400,
        'validation_failed',
        ['version'],
      );
      expectProblem(
        await post(`/prompts/${created.id}/preview`, { inputs: 'text' }),
        400,
        'validation_failed',
        ['inputs'],
      );
      expectProblem(
        await post(`/prompts/${created.id}/preview`, { inputs: [1] }),
        400,
        'validation_failed',
        ['inputs'],
      );
      expectProblem(
        await post(`/prompts/${created.id}/preview`, { input: {} }),
        400,
        'validation_failed',
        ['input'],
      );
      expectProblem(await post('/prompts/987654321/preview', {}), 404, 'not_found');
    });

    it('renders and runs an unsaved draft without storing a version', async () => {
      const projectId = await createProject();
      const created = await createPrompt(projectId, {
        system_prompt: 'Stored system',
        user_prompt: 'Stored {x}',
        model_config: { provider: 'mock', model: 'mock-echo' },
      });
      const draft = {
        system_prompt: null,
        user_prompt: 'Draft {x} and {y}',
        few_shot_examples: [{ inputs: { x: 0, y: 0 }, outputs: 'zero' }],
      };
      const preview = await post(`/prompts/${created.id}/preview`, {
        inputs: { x: 1 },
        draft,
      });
      expectStatus(preview, 200);
      expect(preview.body).toMatchObject({
        version_number: 1,
        system_prompt: null,
        user_prompt: 'Draft 1 and {y}',
        missing_variables: ['y'],
      });

      // Execute refuses the draft's missing variable like a stored one, then runs it.
      expectProblem(
        await post(`/prompts/${created.id}/execute`, { inputs: { x: 1 }, draft }),
        400,
        'validation_failed',
        ['inputs.y'],
      );
      const ran = await post(`/prompts/${created.id}/execute`, {
        inputs: { x: 1, y: 2 },
        draft: { user_prompt: 'Draft {x} and {y}' },
      });
      expectStatus(ran, 200);
      expect(ran.body).toMatchObject({ version_number: 1, draft: true });
      // Only the fields sent are replaced: the stored system prompt still goes first.
      expect(ran.body.messages).toEqual([
        { role: 'system', content: 'Stored system' },
        { role: 'user', content: 'Draft 1 and 2' },
      ]);
      const stored = await post(`/prompts/${created.id}/execute`, { inputs: { x: 1 } });
      expect(stored.body).toMatchObject({ draft: false });
      expect(stored.body.messages.at(-1)).toEqual({ role: 'user', content: 'Stored 1' });

      const versions = await get(`/prompts/${created.id}/versions`);
      expect(versions.body.total).toBe(1);

      expectProblem(
        await post(`/prompts/${created.id}/execute`, { draft: { user_prompt: '' } }),
        400,
        'validation_failed',
        ['draft.user_prompt'],
      );
      expectProblem(
        await post(`/prompts/${created.id}/preview`, { draft: { user_prompt: 'x', extra: 1 } }),
        400,
        'validation_failed',
        ['draft.extra'],
      );
      expectProblem(
        await post(`/prompts/${created.id}/preview`, { draft: { few_shot_examples: [1] } }),
        400,
        'validation_failed',
      );
    });

    it("reports input_errors against the prompt's signature", async () => {
      const projectId = await createProject();
      const signatureId = await createSignature(projectId);
      const created = await createPrompt(projectId, {
        signature_id: signatureId,
        user_prompt: 'Q: {question} in {max_words} words',
      });

      const bad = await post(`/prompts/${created.id}/preview`, { inputs: { max_words: 'ten' } });
      expectStatus(bad, 200);
      const fields = (bad.body.input_errors as { field: string; message: string }[]).map(
        (e) => e.field,
      );
      expect(fields).toEqual(expect.arrayContaining(['inputs.question', 'inputs.max_words']));
      for (const error of bad.body.input_errors) {
        expect(error).toEqual({ field: expect.any(String), message: expect.any(String) });
      }
      expect(bad.body.missing_variables).toEqual(['question']);

      const good = await post(`/prompts/${created.id}/preview`, {
        inputs: { question: 'Why?', max_words: 10 },
      });
      expectStatus(good, 200);
      expect(good.body.input_errors).toEqual([]);
      expect(good.body.user_prompt).toBe('Q: Why? in 10 words');
    });
  });

  describe('delete', () => {
    it('soft-deletes a prompt: it disappears and its name is free again', async () => {
      const projectId = await createProject();
      const created = await createPrompt(projectId, { name: 'Short lived' });
      await put(`/prompts/${created.id}`, { user_prompt: 'second {q}' });

      const res = await del(`/prompts/${created.id}`);
      expectStatus(res, 204);
      expect(res.text).toBe('');

      expectProblem(await get(`/prompts/${created.id}`), 404, 'not_found');
      expectProblem(await get(`/prompts/${created.id}/versions`), 404, 'not_found');
      expectProblem(await get(`/prompts/${created.id}/versions/1`), 404, 'not_found');
      expectProblem(await put(`/prompts/${created.id}`, { name: 'x' }), 404, 'not_found');
      expectProblem(await post(`/prompts/${created.id}/revert`, { version: 1 }), 404, 'not_found');
      expectProblem(await post(`/prompts/${created.id}/preview`, {}), 404, 'not_found');
      expectProblem(await del(`/prompts/${created.id}`), 404, 'not_found');

      const list = await get(`/prompts/list?project_id=${projectId}`);
      expect(list.body.total).toBe(0);

      const reborn = await createPrompt(projectId, { name: 'short LIVED' });
      expect(reborn.id).not.toBe(created.id);
      expect(reborn.current_version.version_number).toBe(1);
    });

    it('hides the prompts of a deleted project', async () => {
      const projectId = await createProject();
      const prompt = await createPrompt(projectId);
      expectStatus(await del(`/projects/${projectId}`), 204);
      expectProblem(await get(`/prompts/${prompt.id}`), 404, 'not_found');
      expectProblem(await get(`/prompts/list?project_id=${projectId}`), 404, 'not_found', [
        'project_id',
      ]);
      expectProblem(
        await post('/prompts/create', { project_id: projectId, name: 'late', user_prompt: 'x' }),
        404,
        'not_found',
        ['project_id'],
      );
    });

    it('deletes permanently, live or already soft-deleted', async () => {
      const projectId = await createProject();
      const live = await createPrompt(projectId);
      await put(`/prompts/${live.id}`, { user_prompt: 'v2' });
      await post(`/prompts/${live.id}/revert`, { version: 1 });

      expectStatus(await del(`/prompts/${live.id}?permanent=true`), 204);
      expectProblem(await get(`/prompts/${live.id}`), 404, 'not_found');
      expectProblem(await del(`/prompts/${live.id}?permanent=true`), 404, 'not_found');

      const soft = await createPrompt(projectId);
      expectStatus(await del(`/prompts/${soft.id}`), 204);
      expectStatus(await del(`/prompts/${soft.id}?permanent=true`), 204);
      expectProblem(await del(`/prompts/${soft.id}?permanent=true`), 404, 'not_found');

      expectProblem(await del('/prompts/987654321'), 404, 'not_found');
      expectProblem(await del(`/prompts/${soft.id}?permanent=maybe`), 400, 'validation_failed', [
        'permanent',
      ]);
      const list = await get(`/prompts/list?project_id=${projectId}`);
      expect(list.body.total).toBe(0);
    });
  });
});
