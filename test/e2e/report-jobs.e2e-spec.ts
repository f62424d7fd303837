import { BASE, startTestApp, type TestApp } from '../support/test-app';

/**
 * Reports rendered by the `report` job: stored in the database and downloadable later, by any
 * API process. All-in-one mode runs the job in-process.
 */
describe('report jobs', () => {
  let t: TestApp;
  let evaluationId: number;
  let promptId: number;

  beforeAll(async () => {
    t = await startTestApp();
    const project = await t
      .http()
      .post(`${BASE}/projects/create`)
      .send({ name: 'reports' })
      .expect(201);
    const prompt = await t
      .http()
      .post(`${BASE}/prompts/create`)
      .send({ project_id: project.body.id, name: 'echo', user_prompt: '{text}' })
      .expect(201);
    await t
      .http()
      .post(`${BASE}/test-cases/bulk`)
      .send({
        project_id: project.body.id,
        test_cases: ['alpha', 'beta', 'gamma'].map((text, i) => ({
          name: `case ${i}`,
          inputs: { text },
          expected_outputs: { response: i === 2 ? 'other' : text },
        })),
      })
      .expect(201);
    const evaluation = await t
      .http()
      .post(`${BASE}/evaluations/create?wait=true`)
      .send({ prompt_id: prompt.body.id, model_config: { provider: 'mock', model: 'mock-echo' } })
      .expect(200);
    expect(evaluation.body.status).toBe('completed');
    evaluationId = evaluation.body.id;
    promptId = prompt.body.id;
  });

  afterAll(async () => {
    await t?.close();
  });

  async function render(
    query: string,
  ): Promise<{ reportId: number; result: Record<string, unknown> }> {
    const job = await t
      .http()
      .post(`${BASE}/evaluations/${evaluationId}/report?${query}`)
      .expect(202);
    expect(job.body).toMatchObject({ queue: 'report', type: 'report.render' });
    for (let i = 0; i < 100; i++) {
      const state = await t.http().get(`${BASE}/jobs/${job.body.id}`).expect(200);
      if (state.body.status === 'completed') {
        return { reportId: state.body.result.report_id, result: state.body.result };
      }
      expect(state.body.status).not.toBe('failed');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error('the report job did not complete');
  }

  it('stores a CSV of every result and serves it for download', async () => {
    const { reportId, result } = await render('format=csv');
    expect(result).toMatchObject({
      content_type: 'text/csv; charset=utf-8',
      filename: `evaluation-${evaluationId}-report.csv`,
    });
    const res = await t
      .http()
      .get(`${BASE}/evaluations/reports/${reportId}`)
      .buffer(true)
      .expect(200);
    expect(res.headers['content-type']).toContain('text/csv');
    expect(res.headers['content-disposition']).toContain(`evaluation-${evaluationId}-report.csv`);
    const lines = res.text.trim().split('\r\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^test_case_id,name,repeat_index,status,passed,score,exact_match/);
    expect(result.bytes).toBe(Buffer.byteLength(res.text));
  });

  it('stores a PDF', async () => {
    const { reportId } = await render('format=pdf');
    const res = await t
      .http()
      .get(`${BASE}/evaluations/reports/${reportId}`)
      .buffer(true)
      .parse((r, done) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => done(null, Buffer.concat(chunks)));
      })
      .expect(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect((res.body as Buffer).subarray(0, 5).toString()).toBe('%PDF-');
  });

  it('stores a comparison report', async () => {
    const { result } = await render(`format=md&compare_to=${evaluationId}`);
    expect(result.filename).toBe(`comparison-${evaluationId}-vs-${evaluationId}.md`);
  });

  it('refuses runs that have not completed, unknown runs and unknown reports', async () => {
    const slow = await t
      .http()
      .post(`${BASE}/evaluations/create`)
      .send({
        prompt_id: promptId,
        model_config: { provider: 'mock', model: 'mock-echo', parameters: { delay_ms: 30_000 } },
      })
      .expect(202);
    const refused = await t
      .http()
      .post(`${BASE}/evaluations/${slow.body.id}/report?format=md`)
      .expect(409);
    expect(refused.body.code).toBe('invalid_state');
    await t.http().post(`${BASE}/evaluations/cancel/${slow.body.id}`).expect(200);
    await t.http().post(`${BASE}/evaluations/999999/report?format=md`).expect(404);
    const missing = await t.http().get(`${BASE}/evaluations/reports/999999`).expect(404);
    expect(missing.body.code).toBe('not_found');
    const bad = await t
      .http()
      .post(`${BASE}/evaluations/${evaluationId}/report?format=docx`)
      .expect(400);
    expect(bad.body.errors[0].field).toBe('format');
  });
});
