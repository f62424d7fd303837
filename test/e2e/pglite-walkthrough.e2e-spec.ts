import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { ApiConfig } from '@ps/config';
import { ApiModule } from '../../apps/api/src/api.module';
import { configureApp } from '../../apps/api/src/configure-app';
import { BASE } from '../support/test-app';

/**
 * The all-in-one mode: the core API on the embedded PGlite database persisted under DATA_DIR,
 * following the README's walkthrough, then restarted on the same directory.
 */
describe('core API on embedded PGlite (all-in-one mode)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ps-pglite-'));
  let app: NestExpressApplication;

  async function start(): Promise<void> {
    // single_user mode with no configured key: the first start generates the owner key and
    // saves it under DATA_DIR; the restart below must find and keep it.
    const config = ApiConfig.fromEnv({
      LOG_LEVEL: 'silent',
      DATA_DIR: dataDir,
      RATE_LIMIT_ENABLED: 'false',
    });
    app = await NestFactory.create<NestExpressApplication>(ApiModule.forRoot(config), {
      bodyParser: false,
      logger: false,
    });
    configureApp(app, config);
    await app.init();
  }
  const ownerKey = () => readFileSync(join(dataDir, 'owner-api-key'), 'utf8').trim();
  const server = () => app.getHttpServer() as Parameters<typeof request>[0];
  const http = () => request.agent(server()).set('X-API-Key', ownerKey());

  beforeAll(start);

  afterAll(async () => {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  let projectId: number;
  let promptId: number;

  it('walks through project, signature, prompt versions, revert and bulk test cases', async () => {
    const project = await http()
      .post(`${BASE}/projects/create`)
      .send({ name: 'Customer Support Bot', tags: ['support'] })
      .expect(201);
    projectId = project.body.id;

    const signature = await http()
      .post(`${BASE}/signatures/create`)
      .send({
        project_id: projectId,
        name: 'SupportResponse',
        input_schema: [{ name: 'customer_query', type: 'string' }],
        output_schema: [{ name: 'response', type: 'string' }],
      })
      .expect(201);

    const prompt = await http()
      .post(`${BASE}/prompts/create`)
      .send({
        project_id: projectId,
        signature_id: signature.body.id,
        name: 'Support answer',
        system_prompt: 'You are a friendly support agent.',
        user_prompt: 'Customer query: {customer_query}',
      })
      .expect(201);
    promptId = prompt.body.id;
    expect(prompt.body.current_version.version_number).toBe(1);

    for (const text of [
      'Query: {customer_query}\nBe brief.',
      'Query: {{customer_query}}\nBe kind.',
    ]) {
      await http().put(`${BASE}/prompts/${promptId}`).send({ user_prompt: text }).expect(200);
    }
    const reverted = await http()
      .post(`${BASE}/prompts/${promptId}/revert`)
      .send({ version: 1 })
      .expect(200);
    expect(reverted.body.current_version).toMatchObject({
      version_number: 4,
      source: 'revert',
      change_description: 'Reverted to version 1',
      user_prompt: 'Customer query: {customer_query}',
    });

    const versions = await http().get(`${BASE}/prompts/${promptId}/versions`).expect(200);
    expect(versions.body.items.map((v: { version_number: number }) => v.version_number)).toEqual([
      4, 3, 2, 1,
    ]);

    const bulk = await http()
      .post(`${BASE}/test-cases/bulk`)
      .send({
        project_id: projectId,
        test_cases: [
          { name: 'refund', inputs: { customer_query: 'I want a refund' }, is_golden: true },
          { name: 'shipping', inputs: { customer_query: 'Where is my parcel?' } },
        ],
      })
      .expect(201);
    expect(bulk.body.created).toBe(2);

    const preview = await http()
      .post(`${BASE}/prompts/${promptId}/preview`)
      .send({ inputs: { customer_query: 'Hello' } })
      .expect(200);
    expect(preview.body.user_prompt).toBe('Customer query: Hello');
  });

  it('executes and evaluates in-process (in-process queue, response cache and results on PGlite)', async () => {
    const model = { provider: 'mock', model: 'mock-echo' };
    const run = await http()
      .post(`${BASE}/prompts/${promptId}/execute`)
      .send({ inputs: { customer_query: 'Hi' }, model_config: model })
      .expect(200);
    expect(run.body).toMatchObject({ output: 'Customer query: Hi', cached: false });
    const again = await http()
      .post(`${BASE}/prompts/${promptId}/execute`)
      .send({ inputs: { customer_query: 'Hi' }, model_config: model })
      .expect(200);
    expect(again.body.cached).toBe(true);

    const evaluation = await http()
      .post(`${BASE}/evaluations/create?wait=true`)
      .send({ prompt_id: promptId, model_config: model, metrics: [{ name: 'contains' }] })
      .expect(200);
    expect(evaluation.body).toMatchObject({ status: 'completed', test_case_count: 2 });
    expect(evaluation.body.summary.counts.ok).toBe(2);
    const results = await http()
      .get(`${BASE}/evaluations/${evaluation.body.id}/results`)
      .expect(200);
    expect(results.body.total).toBe(2);
    const report = await http()
      .get(`${BASE}/evaluations/${evaluation.body.id}/report?format=csv`)
      .expect(200);
    expect(report.text.trim().split('\r\n')).toHaveLength(3);
  });

  it('keeps idempotent creates atomic on the single embedded connection', async () => {
    const responses = await Promise.all(
      Array.from({ length: 8 }, () =>
        http()
          .post(`${BASE}/projects/create`)
          .set('Idempotency-Key', 'pglite-8')
          .send({ name: 'Embedded concurrency' }),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(8).fill(201));
    expect(new Set(responses.map((r) => r.body.id)).size).toBe(1);
  });

  it('generated the owner key at first start, readable by its owner only', () => {
    expect(ownerKey()).toMatch(/^pstudio_[A-Za-z0-9_-]{43}$/);
    expect(statSync(join(dataDir, 'owner-api-key')).mode & 0o777).toBe(0o600);
  });

  it('refuses requests without the key', async () => {
    const res = await request(server()).get(`${BASE}/projects/list`).expect(401);
    expect(res.body.code).toBe('unauthenticated');
  });

  it('keeps everything, the owner key included, across a restart on the same DATA_DIR', async () => {
    const keyBefore = ownerKey();
    await app.close();
    await start();
    expect(ownerKey()).toBe(keyBefore);
    const stats = await http().get(`${BASE}/projects/${projectId}/stats`).expect(200);
    expect(stats.body).toMatchObject({
      signatures: 1,
      prompts: 1,
      prompt_versions: 4,
      test_cases: 2,
      golden_test_cases: 1,
    });
    const prompt = await http().get(`${BASE}/prompts/${promptId}`).expect(200);
    expect(prompt.body.current_version.version_number).toBe(4);
  });
});
