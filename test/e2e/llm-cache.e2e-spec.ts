import { DataSource } from '@ps/database';
import { ExpiryPurge } from '../../apps/api/src/http/expiry-purge.service';
import { BASE, startTestApp, type TestApp } from '../support/test-app';

/** The response cache in PostgreSQL: TTL, expiry and purge, seen through POST /prompts/{id}/execute. */
describe('LLM response cache in the database', () => {
  let t: TestApp;
  let promptId: number;

  beforeAll(async () => {
    t = await startTestApp({ env: { LLM_CACHE_TTL_SECONDS: '3600' } });
    const project = await t
      .http()
      .post(`${BASE}/projects/create`)
      .send({ name: 'cache' })
      .expect(201);
    const prompt = await t
      .http()
      .post(`${BASE}/prompts/create`)
      .send({
        project_id: project.body.id,
        name: 'echo',
        user_prompt: '{text}',
        model_config: { provider: 'mock', model: 'mock-echo' },
      })
      .expect(201);
    promptId = prompt.body.id;
  });

  afterAll(async () => {
    await t?.close();
  });

  const execute = (text: string) =>
    t.http().post(`${BASE}/prompts/${promptId}/execute`).send({ inputs: { text } }).expect(200);

  it('keeps an entry for LLM_CACHE_TTL_SECONDS, counts hits, and forgets it once expired', async () => {
    const first = await execute('ttl check');
    expect(first.body).toMatchObject({ cached: false, attempts: 1 });
    const second = await execute('ttl check');
    expect(second.body).toMatchObject({ cached: true, attempts: 0, cost: 0, output: 'ttl check' });

    const db = t.app.get(DataSource);
    const [row] = await db.query(
      `SELECT hit_count, extract(epoch FROM expires_at - created_at)::int AS ttl FROM llm_cache`,
    );
    expect(row).toEqual({ hit_count: 1, ttl: 3600 });

    await db.query(`UPDATE llm_cache SET expires_at = now() - interval '1 second'`);
    expect((await execute('ttl check')).body.cached).toBe(false);

    await db.query(`UPDATE llm_cache SET expires_at = now() - interval '1 second'`);
    expect((await t.app.get(ExpiryPurge).purge()).llm_cache).toBe(1);
    expect(await db.query(`SELECT 1 FROM llm_cache`)).toHaveLength(0);
  });

  it('never stores the API key or the request in the cache row, only the response', async () => {
    await execute('privacy check');
    const rows = await t.app
      .get(DataSource)
      .query(`SELECT key, response::text, usage::text FROM llm_cache`);
    const stored = JSON.stringify(rows);
    expect(stored).toContain('privacy check'); // the answer (the mock echoes)
    expect(stored).not.toContain(t.ownerKey);
    for (const row of rows) expect(row.key).toMatch(/^[0-9a-f]{64}$/);
  });
});
