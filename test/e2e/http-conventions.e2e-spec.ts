import { DataSource } from '@ps/database';
import { ExpiryPurge } from '../../apps/api/src/http/expiry-purge.service';
import { BASE, startTestApp, type TestApp } from '../support/test-app';

const PROBLEM = /application\/problem\+json/;

describe('HTTP conventions: problem documents, body handling, aliases', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ env: { BODY_LIMIT: '2kb' } });
  });

  afterAll(async () => {
    await t.close();
  });

  it('answers malformed JSON with 400 invalid_json and the request id', async () => {
    const res = await t
      .http()
      .post(`${BASE}/projects/create`)
      .set('content-type', 'application/json')
      .set('X-Request-ID', 'req-json-1')
      .send('{"name": ')
      .expect(400);
    expect(res.headers['content-type']).toMatch(PROBLEM);
    expect(res.body).toMatchObject({
      type: 'urn:prompt-studio:problem:invalid_json',
      status: 400,
      code: 'invalid_json',
      request_id: 'req-json-1',
      instance: `${BASE}/projects/create`,
    });
  });

  it('answers an oversized body with 413 payload_too_large', async () => {
    const res = await t
      .http()
      .post(`${BASE}/projects/create`)
      .send({ name: 'big', description: 'x'.repeat(4000) })
      .expect(413);
    expect(res.body).toMatchObject({ code: 'payload_too_large', status: 413 });
  });

  it('answers a non-JSON body with 415', async () => {
    const res = await t
      .http()
      .post(`${BASE}/projects/create`)
      .set('content-type', 'text/plain')
      .send('name=x')
      .expect(415);
    expect(res.body).toMatchObject({ code: 'unsupported_media_type' });
  });

  it('rejects a JSON array where an object is expected, naming the body', async () => {
    const res = await t
      .http()
      .post(`${BASE}/projects/create`)
      .send([{ name: 'x' }])
      .expect(400);
    expect(res.body.errors).toEqual([
      { field: 'body', message: 'The request body must be a JSON object.' },
    ]);
  });

  it('treats a missing body as an empty object', async () => {
    const res = await t.http().post(`${BASE}/projects/create`).expect(400);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain('name');
    const project = await t.http().post(`${BASE}/projects/create`).send({ name: 'No body' });
    const prompt = await t
      .http()
      .post(`${BASE}/prompts/create`)
      .send({ project_id: project.body.id, name: 'p', user_prompt: 'Hi {who}' })
      .expect(201);
    const preview = await t.http().post(`${BASE}/prompts/${prompt.body.id}/preview`).expect(200);
    expect(preview.body.missing_variables).toEqual(['who']);
  });

  it('rejects the NUL character anywhere in a body or query, naming the field', async () => {
    const body = await t
      .http()
      .post(`${BASE}/projects/create`)
      .send({ name: 'a\u0000b', metadata: { 'k\u0000': 'v', nested: ['\u0000'] } })
      .expect(400);
    expect(body.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'metadata.k\u0000',
      'metadata.nested.0',
      'name',
    ]);
    const query = await t.http().get(`${BASE}/projects/list?search=a%00b`).expect(400);
    expect(query.body.errors[0].field).toBe('search');
  });

  it('clears nullable text fields with null', async () => {
    const project = await t
      .http()
      .post(`${BASE}/projects/create`)
      .send({ name: 'Clear me', description: 'temporary' })
      .expect(201);
    const cleared = await t
      .http()
      .put(`${BASE}/projects/${project.body.id}`)
      .send({ description: null })
      .expect(200);
    expect(cleared.body.description).toBeNull();
    const signature = await t
      .http()
      .post(`${BASE}/signatures/create`)
      .send({
        project_id: project.body.id,
        name: 'S',
        instruction: 'temporary',
        input_schema: [],
        output_schema: [],
      })
      .expect(201);
    const updated = await t
      .http()
      .put(`${BASE}/signatures/${signature.body.id}`)
      .send({ instruction: null })
      .expect(200);
    expect(updated.body.instruction).toBeNull();
  });

  it('keeps concurrent updates of different fields of one row', async () => {
    // One tags update races 20 description updates; none of them may write back stale tags.
    for (let round = 0; round < 3; round++) {
      const project = await t
        .http()
        .post(`${BASE}/projects/create`)
        .send({ name: `Race ${round}` });
      const id = project.body.id;
      await Promise.all([
        ...Array.from({ length: 10 }, (_, i) =>
          t
            .http()
            .put(`${BASE}/projects/${id}`)
            .send({ description: `d${i}` }),
        ),
        t
          .http()
          .put(`${BASE}/projects/${id}`)
          .send({ tags: ['new'] }),
        ...Array.from({ length: 10 }, (_, i) =>
          t
            .http()
            .put(`${BASE}/projects/${id}`)
            .send({ description: `e${i}` }),
        ),
      ]);
      const after = await t.http().get(`${BASE}/projects/${id}`).expect(200);
      expect(after.body.tags).toEqual(['new']);
    }
  });

  it('lists every bad field at once', async () => {
    const res = await t
      .http()
      .post(`${BASE}/projects/create`)
      .send({ name: 42, status: 'gone', tags: [1], extra: true })
      .expect(400);
    const fields = res.body.errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['name', 'status', 'tags', 'extra']));
    expect(res.body.errors.find((e: { field: string }) => e.field === 'extra').message).toBe(
      'extra is not a known field.',
    );
  });

  it('answers an unknown method on a known path with 404 route_not_found', async () => {
    const res = await t.http().patch(`${BASE}/projects/1`).send({}).expect(404);
    expect(res.body.code).toBe('route_not_found');
  });

  it('accepts the underscore base path and the test_cases segment as aliases', async () => {
    const project = await t
      .http()
      .post('/api/v1/prompt_studio/projects/create')
      .send({ name: 'Alias project' })
      .expect(201);
    await t
      .http()
      .post('/api/v1/prompt_studio/test_cases/create')
      .send({ project_id: project.body.id, name: 'via alias', inputs: { q: 1 } })
      .expect(201);
    const list = await t
      .http()
      .get(`${BASE}/test_cases/list`)
      .query({ project_id: project.body.id })
      .expect(200);
    expect(list.body.items.map((c: { name: string }) => c.name)).toEqual(['via alias']);
  });
});

describe('Idempotency-Key on creates', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });

  afterAll(async () => {
    await t.close();
  });

  const countProjects = async (search: string) =>
    (await t.http().get(`${BASE}/projects/list`).query({ search }).expect(200)).body.total;

  it('replays the first answer for a repeated key and body', async () => {
    const first = await t
      .http()
      .post(`${BASE}/projects/create`)
      .set('Idempotency-Key', 'replay-1')
      .send({ name: 'Replay me' })
      .expect(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const second = await t
      .http()
      .post(`${BASE}/projects/create`)
      .set('Idempotency-Key', 'replay-1')
      .send({ name: 'Replay me' })
      .expect(201);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.body).toEqual(first.body);
    expect(await countProjects('Replay me')).toBe(1);
  });

  it('treats the same body with keys in another order as the same request', async () => {
    await t
      .http()
      .post(`${BASE}/projects/create`)
      .set('Idempotency-Key', 'order-1')
      .send({ name: 'Order', description: 'd' })
      .expect(201);
    await t
      .http()
      .post(`${BASE}/projects/create`)
      .set('Idempotency-Key', 'order-1')
      .send({ description: 'd', name: 'Order' })
      .expect(201);
    expect(await countProjects('Order')).toBe(1);
  });

  it('creates one row for 8 concurrent identical requests, and all 8 answers name it', async () => {
    const responses = await Promise.all(
      Array.from({ length: 8 }, () =>
        t
          .http()
          .post(`${BASE}/projects/create`)
          .set('Idempotency-Key', 'concurrent-8')
          .send({ name: 'Concurrent project' }),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(8).fill(201));
    const ids = new Set(responses.map((r) => r.body.id));
    expect(ids.size).toBe(1);
    expect(await countProjects('Concurrent project')).toBe(1);
  });

  it('makes concurrent bulk test-case creates with one key insert the cases once', async () => {
    const project = await t.http().post(`${BASE}/projects/create`).send({ name: 'Bulk idem' });
    const body = {
      project_id: project.body.id,
      test_cases: Array.from({ length: 20 }, (_, i) => ({ name: `case ${i}`, inputs: { i } })),
    };
    const responses = await Promise.all(
      Array.from({ length: 8 }, () =>
        t.http().post(`${BASE}/test-cases/bulk`).set('Idempotency-Key', 'bulk-8').send(body),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(8).fill(201));
    const list = await t
      .http()
      .get(`${BASE}/test-cases/list`)
      .query({ project_id: project.body.id, per_page: 100 })
      .expect(200);
    expect(list.body.total).toBe(20);
    expect(
      new Set(responses.map((r) => JSON.stringify(r.body.items.map((i: { id: number }) => i.id))))
        .size,
    ).toBe(1);
  });

  it('answers 422 when a key is reused with a different body', async () => {
    await t
      .http()
      .post(`${BASE}/projects/create`)
      .set('Idempotency-Key', 'reuse-1')
      .send({ name: 'First body' })
      .expect(201);
    const res = await t
      .http()
      .post(`${BASE}/projects/create`)
      .set('Idempotency-Key', 'reuse-1')
      .send({ name: 'Second body' })
      .expect(422);
    expect(res.body).toMatchObject({ code: 'idempotency_key_reused', status: 422 });
    expect(await countProjects('Second body')).toBe(0);
  });

  it('scopes keys by route', async () => {
    const project = await t
      .http()
      .post(`${BASE}/projects/create`)
      .set('Idempotency-Key', 'shared-key')
      .send({ name: 'Route scope' })
      .expect(201);
    const signature = await t
      .http()
      .post(`${BASE}/signatures/create`)
      .set('Idempotency-Key', 'shared-key')
      .send({ project_id: project.body.id, name: 'S', input_schema: [], output_schema: [] })
      .expect(201);
    expect(signature.body.project_id).toBe(project.body.id);
  });

  it('does not burn a key on a failed request', async () => {
    await t.http().post(`${BASE}/projects/create`).send({ name: 'Taken name' }).expect(201);
    await t
      .http()
      .post(`${BASE}/projects/create`)
      .set('Idempotency-Key', 'after-failure')
      .send({ name: 'Taken name' })
      .expect(409);
    const existing = await t
      .http()
      .get(`${BASE}/projects/list`)
      .query({ search: 'Taken name' })
      .expect(200);
    await t.http().delete(`${BASE}/projects/${existing.body.items[0].id}`).expect(204);
    const retried = await t
      .http()
      .post(`${BASE}/projects/create`)
      .set('Idempotency-Key', 'after-failure')
      .send({ name: 'Taken name' })
      .expect(201);
    expect(retried.headers['idempotent-replayed']).toBeUndefined();
  });

  it('forgets a key after it expires, so the same key may start a new request', async () => {
    const first = await t
      .http()
      .post(`${BASE}/projects/create`)
      .set('Idempotency-Key', 'expiring')
      .send({ name: 'Expiring one' })
      .expect(201);
    const dataSource = t.app.get(DataSource);
    await dataSource.query(
      `UPDATE idempotency_keys SET expires_at = now() - interval '1 second' WHERE key = 'expiring'`,
    );
    expect((await t.app.get(ExpiryPurge).purge()).idempotency_keys).toBeGreaterThanOrEqual(1);
    const rows = await dataSource.query(`SELECT 1 FROM idempotency_keys WHERE key = 'expiring'`);
    expect(rows).toHaveLength(0);
    const second = await t
      .http()
      .post(`${BASE}/projects/create`)
      .set('Idempotency-Key', 'expiring')
      .send({ name: 'Expiring two' })
      .expect(201);
    expect(second.body.id).not.toBe(first.body.id);
  });

  it('rejects malformed keys naming the header', async () => {
    const res = await t
      .http()
      .post(`${BASE}/projects/create`)
      .set('Idempotency-Key', 'x'.repeat(300))
      .send({ name: 'Bad key' })
      .expect(400);
    expect(res.body.errors[0].field).toBe('Idempotency-Key');
    expect(await countProjects('Bad key')).toBe(0);
  });
});
