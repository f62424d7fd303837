import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createEvaluation,
  createOptimization,
  createProject,
  createPrompt,
  createSignature,
  exportTestCases,
  getEvaluationReport,
  getLiveness,
  importTestCases,
  listOptimizationCandidates,
  StudioApiError,
  StudioClient,
  StudioEventStream,
  type StudioEventMap,
  unwrap,
} from '@ps/sdk';
import { ROOT } from '../support/processes';
import { startStudioStack, type StudioStack } from '../support/studio-stack';

/**
 * The complete workflow through the SDK alone, against the API and a worker running as separate
 * processes (the mock provider: no vendor involved): project, signature, prompt, CSV import,
 * baseline evaluation with live events, a MIPRO optimization, the optimized version's
 * evaluation, HTML and PDF reports, export; errors arrive as problem documents.
 */

jest.setTimeout(300_000);

const MOCK = { provider: 'mock' as const, model: 'mock-echo' };

describe('SDK workflow (API and worker processes)', () => {
  let stack: StudioStack;
  let studio: StudioClient;

  beforeAll(async () => {
    stack = await startStudioStack();
    studio = new StudioClient({ baseUrl: stack.url, apiKey: stack.apiKey });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('authenticates with an API key or a bearer token and reports problems as errors', async () => {
    expect((await unwrap(getLiveness({ client: studio.client }))).status).toBe('ok');
    const bearer = new StudioClient({ baseUrl: stack.url, token: stack.apiKey });
    const project = await unwrap(
      createProject({ client: bearer.client, body: { name: 'bearer project' } }),
    );
    expect(project.id).toBeGreaterThan(0);

    const anonymous = new StudioClient({ baseUrl: stack.url });
    const refused = await unwrap(
      createProject({ client: anonymous.client, body: { name: 'nope' } }),
    ).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(StudioApiError);
    expect(refused).toMatchObject({ status: 401, problem: { code: 'unauthenticated' } });

    const invalid = await unwrap(
      createProject({ client: studio.client, body: { name: '' } }),
    ).catch((err: unknown) => err as StudioApiError);
    expect(invalid).toMatchObject({ status: 400 });
    expect(JSON.stringify((invalid as StudioApiError).problem?.errors)).toContain('name');
  });

  it('runs the complete workflow: import, baseline, MIPRO, optimized evaluation, reports', async () => {
    const c = studio.client;
    const project = await unwrap(
      createProject({ client: c, body: { name: 'Customer support (SDK)' } }),
    );
    const signature = await unwrap(
      createSignature({
        client: c,
        body: {
          project_id: project.id,
          name: 'support reply',
          input_schema: [{ name: 'customer_query', type: 'string', required: true }],
          output_schema: [{ name: 'response', type: 'string' }],
        },
      }),
    );
    const prompt = await unwrap(
      createPrompt({
        client: c,
        body: {
          project_id: project.id,
          signature_id: signature.id,
          name: 'support reply',
          system_prompt: 'You answer customer support questions.',
          user_prompt: '{customer_query}',
          model_config: MOCK,
        },
      }),
    );

    const csv = readFileSync(join(ROOT, 'examples/data/customer-support.csv'), 'utf8');
    const imported = await unwrap(
      importTestCases({
        client: c,
        body: { project_id: project.id, format: 'csv', content: csv, filename: 'support.csv' },
      }),
    );
    expect(imported).toMatchObject({ rows: 5, imported: 5, rejected: 0 });

    // Baseline, followed live over Socket.IO while the SDK waits for the end.
    const events = await StudioEventStream.connect({ baseUrl: stack.url, apiKey: stack.apiKey });
    const seen: Array<StudioEventMap['evaluation_progress' | 'evaluation_completed']> = [];
    try {
      await events.subscribe({ entity_type: 'project', entity_id: project.id });
      events.handle({
        evaluation_progress: (e) => seen.push(e),
        evaluation_completed: (e) => seen.push(e),
      });
      const created = await unwrap(
        createEvaluation({
          client: c,
          body: { prompt_id: prompt.id, metrics: [{ name: 'exact_match' }] },
        }),
      );
      const updates: number[] = [];
      const baseline = await studio.waitForEvaluation(created.id, {
        intervalMs: 100,
        onUpdate: (e) => updates.push(e.progress),
      });
      expect(baseline).toMatchObject({ status: 'completed', progress: 100, test_case_count: 5 });
      // mock-echo answers the query itself: exactly two rows expect that.
      expect(baseline.summary?.pass_rate).toBeCloseTo(0.4, 5);
      expect(updates.at(-1)).toBe(100);
      const deadline = Date.now() + 10_000;
      while (!seen.some((e) => e.type === 'evaluation_completed') && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const completed = seen.find((e) => e.type === 'evaluation_completed');
      expect(completed?.data).toMatchObject({ evaluation_id: created.id, status: 'completed' });
      expect(completed?.project_id).toBe(project.id);

      const optimizationCreated = await unwrap(
        createOptimization({
          client: c,
          body: {
            prompt_id: prompt.id,
            strategy: 'mipro',
            metrics: [{ name: 'exact_match' }],
            budget: { max_llm_calls: 120 },
            seed: 7,
          },
        }),
      );
      const optimization = await studio.waitForOptimization(optimizationCreated.id, {
        intervalMs: 200,
      });
      expect(optimization.status).toBe('completed');
      expect(optimization.strategy).toBe('mipro');
      const candidates = await unwrap(
        listOptimizationCandidates({
          client: c,
          path: { id: optimization.id },
          query: { per_page: 100 },
        }),
      );
      expect(candidates.total).toBeGreaterThan(0);

      // The optimized version when there is one, else the current version again.
      const finalCreated = await unwrap(
        createEvaluation({
          client: c,
          body: { prompt_id: prompt.id, metrics: [{ name: 'exact_match' }] },
        }),
      );
      const final = await studio.waitForEvaluation(finalCreated.id, { intervalMs: 100 });
      expect(final.status).toBe('completed');
      expect(final.summary?.pass_rate).toEqual(expect.any(Number));

      // parseAs: text: the document as sent (the response type names the JSON format's).
      const html = (await unwrap(
        getEvaluationReport({
          client: c,
          path: { id: final.id },
          query: { format: 'html', compare_to: baseline.id },
          parseAs: 'text',
        }),
      )) as unknown as string;
      expect(html).toMatch(/<html/i);
      const pdf = await unwrap(
        getEvaluationReport({
          client: c,
          path: { id: final.id },
          query: { format: 'pdf' },
          parseAs: 'arrayBuffer',
        }),
      );
      expect(
        Buffer.from(pdf as unknown as ArrayBuffer)
          .subarray(0, 5)
          .toString(),
      ).toBe('%PDF-');

      const exported = (await unwrap(
        exportTestCases({
          client: c,
          path: { project_id: project.id },
          body: { format: 'csv' },
          parseAs: 'text',
        }),
      )) as unknown as string;
      expect(exported).toContain('Password reset');
    } finally {
      events.close();
    }
  });
});
