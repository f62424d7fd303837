import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BASE, startTestApp, type TestApp } from '../support/test-app';

describe('platform: health, OpenAPI, conventions', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });

  afterAll(async () => {
    await t.close();
  });

  it('reports liveness and readiness with a database check', async () => {
    await t.http().get('/health/live').expect(200, { status: 'ok' });
    const ready = await t.http().get('/health/ready').expect(200);
    expect(ready.body).toMatchObject({ status: 'ok', checks: { database: { status: 'up' } } });
  });

  it('serves the OpenAPI document and Swagger UI', async () => {
    const doc = await t.http().get('/openapi.json').expect(200);
    expect(doc.body.openapi).toMatch(/^3\./);
    expect(doc.body.paths[`${BASE}/projects/create`].post.operationId).toBe('createProject');
    await t.http().get('/docs').redirects(1).expect(200).expect('content-type', /html/);
  });

  it('serves the same document as the committed openapi/openapi.json', async () => {
    const committed: unknown = JSON.parse(
      readFileSync(join(__dirname, '../../openapi/openapi.json'), 'utf8'),
    );
    const live = await t.http().get('/openapi.json').expect(200);
    expect(live.body).toEqual(committed);
  });

  it('echoes a sane X-Request-ID and makes one otherwise', async () => {
    const echoed = await t.http().get('/health/live').set('X-Request-ID', 'abc-123').expect(200);
    expect(echoed.headers['x-request-id']).toBe('abc-123');
    const made = await t.http().get('/health/live').set('X-Request-ID', 'bad id with spaces');
    expect(made.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers unknown routes with a problem document', async () => {
    const res = await t.http().get(`${BASE}/nothing-here`).expect(404);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 404, code: 'route_not_found' });
  });
});
