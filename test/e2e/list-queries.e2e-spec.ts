import { DataSource, type EntitySubscriberInterface } from 'typeorm';
import type { Response } from 'supertest';
import { BASE, startTestApp, type TestApp } from '../support/test-app';

/**
 * What a page costs the database: every list answers with a fixed number of SQL statements,
 * whatever the page size (no per-row lookups). Statements are counted at TypeORM (a subscriber's
 * beforeQuery sees each one). AUTH_MODE=none keeps authentication out of the count: with an API
 * key, each request adds the key and membership look-ups (3 statements) to these numbers.
 */

jest.setTimeout(300_000);

const N = 100;
/** The bar: a page of 100 evaluations with results costs at most this many statements. */
const MAX_QUERIES = 5;

describe('list endpoints cost a constant number of queries per page', () => {
  let t: TestApp;
  const recorded: string[] = [];
  let recording = false;
  let projectId: number;
  let promptId: number;

  const post = (path: string, body: object) => t.anonymous().post(`${BASE}${path}`).send(body);

  function expectStatus(res: Response, status: number): void {
    if (res.status !== status) {
      throw new Error(`expected ${status}, got ${res.status}: ${JSON.stringify(res.body)}`);
    }
  }

  /** The statements one GET issues, with its body. */
  async function measure(path: string): Promise<{ body: Response['body']; queries: string[] }> {
    recorded.length = 0;
    recording = true;
    const res = await t.anonymous().get(`${BASE}${path}`);
    recording = false;
    expectStatus(res, 200);
    return { body: res.body, queries: [...recorded] };
  }

  beforeAll(async () => {
    t = await startTestApp({ env: { AUTH_MODE: 'none', HOST: '127.0.0.1' } });
    const counter: EntitySubscriberInterface = {
      beforeQuery: (event) => {
        if (recording) recorded.push(event.query);
      },
    };
    t.app.get(DataSource).subscribers.push(counter);

    const project = await post('/projects/create', { name: 'queries' });
    expectStatus(project, 201);
    projectId = project.body.id;
    const prompt = await post('/prompts/create', {
      project_id: projectId,
      name: 'echo',
      user_prompt: 'Say {word}',
      model_config: { provider: 'mock', model: 'mock-echo' },
    });
    expectStatus(prompt, 201);
    promptId = prompt.body.id;
    const cases = await post('/test-cases/bulk', {
      project_id: projectId,
      test_cases: Array.from({ length: N }, (_, i) => ({
        name: `case ${i}`,
        inputs: { word: `w${i}` },
        expected_outputs: { response: `Say w${i}` },
      })),
    });
    expectStatus(cases, 201);
    for (let i = 0; i < N; i++) {
      // Each a new version of the prompt, so the versions list has a page of 100 too; each run
      // evaluates its own version on two cases.
      expectStatus(
        await t
          .anonymous()
          .put(`${BASE}/prompts/${promptId}`)
          .send({ user_prompt: `Say {word} (${i})` }),
        200,
      );
      const run = await post('/evaluations/create?wait=true', {
        prompt_id: promptId,
        test_case_ids: [cases.body.items[i].id, cases.body.items[(i + 1) % N].id],
      });
      expectStatus(run, 200);
      expect(run.body).toMatchObject({ status: 'completed', error: null });
      expectStatus(await post('/projects/create', { name: `project ${i}` }), 201);
      expectStatus(
        await post('/signatures/create', {
          project_id: projectId,
          name: `signature ${i}`,
          input_schema: [{ name: 'word', type: 'string' }],
          output_schema: [{ name: 'response', type: 'string' }],
        }),
        201,
      );
      expectStatus(
        await post('/prompts/create', {
          project_id: projectId,
          name: `prompt ${i}`,
          user_prompt: 'Hello {word}',
        }),
        201,
      );
    }
    // One run over every case, for a page of 100 results.
    expectStatus(
      await post('/evaluations/create?wait=true', { prompt_id: promptId, concurrency: 8 }),
      200,
    );
  });

  afterAll(async () => {
    await t?.close();
  });

  it(`lists a page of ${N} evaluations with results in at most ${MAX_QUERIES} queries`, async () => {
    const page = await measure(`/evaluations/list?per_page=${N}`);
    expect(page.body.items).toHaveLength(N);
    expect(page.body.total).toBe(N + 1);
    // Every row still carries its version and job, looked up for the whole page at once.
    for (const item of page.body.items) {
      expect(item).toMatchObject({ status: 'completed', prompt_id: promptId });
      expect(item.version_number).toBeGreaterThan(1);
      expect(item.job_id).toEqual(expect.any(Number));
      expect(item.summary.total).toBeGreaterThan(0);
    }
    expect(page.queries.length).toBeLessThanOrEqual(MAX_QUERIES);
    // The same statements for a page of 10: nothing grows with the rows.
    const small = await measure('/evaluations/list?per_page=10');
    expect(small.body.items).toHaveLength(10);
    expect(small.queries.length).toBe(page.queries.length);
    const filtered = await measure(`/evaluations/list?per_page=${N}&prompt_id=${promptId}`);
    expect(filtered.body.items).toHaveLength(N);
    expect(filtered.queries.length).toBe(page.queries.length);
  });

  it.each([
    ['projects', '/projects/list'],
    ['signatures', `/signatures/list?project_id={project}`],
    ['prompts', `/prompts/list?project_id={project}`],
    ['prompt versions', `/prompts/{prompt}/versions`],
    ['test cases', `/test-cases/list?project_id={project}`],
    ['evaluation results', '/evaluations/{evaluation}/results'],
    ['jobs', '/jobs/list'],
    ['audit events', '/audit/list'],
  ])('lists a page of %s in a constant number of queries', async (_name, template) => {
    const evaluations = await measure('/evaluations/list?per_page=1');
    const path = template
      .replace('{project}', String(projectId))
      .replace('{prompt}', String(promptId))
      .replace('{evaluation}', String(evaluations.body.items[0].id));
    const sep = path.includes('?') ? '&' : '?';
    const full = await measure(`${path}${sep}per_page=${N}`);
    expect(full.body.items).toHaveLength(N);
    const small = await measure(`${path}${sep}per_page=10`);
    expect(small.body.items).toHaveLength(10);
    expect(full.queries.length).toBeLessThanOrEqual(MAX_QUERIES);
    expect(full.queries.length).toBe(small.queries.length);
  });
});
