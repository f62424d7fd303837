import type { IncomingMessage } from 'node:http';
import { DataSource } from '@ps/database';
import { createKey } from '../../apps/api/src/admin/admin-commands';
import { BASE, startTestApp, type TestApp } from '../support/test-app';

/**
 * Every route, every role. The table below must name every operation of the OpenAPI document:
 * a new route that is missing here fails the first test, so it cannot ship unchecked.
 */
type Permission = 'public' | 'read' | 'write' | 'delete' | 'manage';
type Role = 'viewer' | 'editor' | 'admin' | 'owner';

interface Call {
  method: 'get' | 'post' | 'put' | 'delete';
  path: string;
  body?: object;
  /** An endless event stream: read up to its first event, then hang up. */
  stream?: boolean;
}

/** Parses a problem document whole, but an event stream only up to its first event. */
function untilFirstEvent(res: IncomingMessage, done: (err: Error | null, body: unknown) => void) {
  const stream = String(res.headers['content-type']).startsWith('text/event-stream');
  let text = '';
  let finished = false;
  const finish = (body: () => unknown) => {
    if (finished) return;
    finished = true;
    try {
      done(null, body());
    } catch (err) {
      done(err as Error, null);
    }
  };
  res.setEncoding('utf8');
  res.on('data', (chunk: string) => {
    text += chunk;
    if (stream && text.includes('\n\n')) {
      finish(() => text);
      res.destroy();
    }
  });
  res.on('end', () => finish(() => (stream ? text : JSON.parse(text))));
}

/** Resources of the first workspace, made fresh for each call (deletes consume them). */
interface Fixture {
  projectId: number;
  signatureId: number;
  promptId: number;
  testCaseId: number;
  memberId: number;
  apiKeyId: number;
  /** A long ping job (cancellable: 100 ms steps). */
  jobId: number;
  /** A completed evaluation (made once: nothing consumes it). */
  evaluationId: number;
  /** A running evaluation (a slow mock model), for cancel. */
  runningEvaluationId: number;
  /** A report rendered by a report job (made once). */
  reportId: number;
  /** A completed optimization (made once). */
  optimizationId: number;
  /** An optimization that has not ended (a slow mock model), for cancel. */
  runningOptimizationId: number;
}

interface RouteCase {
  permission: Permission;
  call: (f: Fixture) => Call;
  /** Whether the call names a resource of the first workspace (then another workspace gets 404). */
  scoped: boolean;
}

/** The offline mock model: answers with the prompt it was sent. */
const MOCK = { provider: 'mock', model: 'mock-echo' };

const unique = () => `${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;

const ROUTES: Record<string, RouteCase> = {
  getLiveness: {
    permission: 'public',
    scoped: false,
    call: () => ({ method: 'get', path: '/health/live' }),
  },
  getReadiness: {
    permission: 'public',
    scoped: false,
    call: () => ({ method: 'get', path: '/health/ready' }),
  },
  createProject: {
    permission: 'write',
    scoped: false,
    call: () => ({
      method: 'post',
      path: `${BASE}/projects/create`,
      body: { name: `p ${unique()}` },
    }),
  },
  listProjects: {
    permission: 'read',
    scoped: false,
    call: () => ({ method: 'get', path: `${BASE}/projects/list` }),
  },
  getProjectStats: {
    permission: 'read',
    scoped: true,
    call: (f) => ({ method: 'get', path: `${BASE}/projects/${f.projectId}/stats` }),
  },
  archiveProject: {
    permission: 'write',
    scoped: true,
    call: (f) => ({ method: 'post', path: `${BASE}/projects/${f.projectId}/archive` }),
  },
  unarchiveProject: {
    permission: 'write',
    scoped: true,
    call: (f) => ({ method: 'post', path: `${BASE}/projects/${f.projectId}/unarchive` }),
  },
  getProject: {
    permission: 'read',
    scoped: true,
    call: (f) => ({ method: 'get', path: `${BASE}/projects/${f.projectId}` }),
  },
  updateProject: {
    permission: 'write',
    scoped: true,
    call: (f) => ({
      method: 'put',
      path: `${BASE}/projects/${f.projectId}`,
      body: { description: 'x' },
    }),
  },
  deleteProject: {
    permission: 'delete',
    scoped: true,
    call: (f) => ({ method: 'delete', path: `${BASE}/projects/${f.projectId}` }),
  },
  createSignature: {
    permission: 'write',
    scoped: true,
    call: (f) => ({
      method: 'post',
      path: `${BASE}/signatures/create`,
      body: { project_id: f.projectId, name: `s ${unique()}`, input_schema: [], output_schema: [] },
    }),
  },
  listSignatures: {
    permission: 'read',
    scoped: true,
    call: (f) => ({ method: 'get', path: `${BASE}/signatures/list?project_id=${f.projectId}` }),
  },
  validateSignatureInputs: {
    permission: 'read',
    scoped: true,
    call: (f) => ({
      method: 'post',
      path: `${BASE}/signatures/${f.signatureId}/validate`,
      body: { inputs: { q: 'x' } },
    }),
  },
  getSignature: {
    permission: 'read',
    scoped: true,
    call: (f) => ({ method: 'get', path: `${BASE}/signatures/${f.signatureId}` }),
  },
  updateSignature: {
    permission: 'write',
    scoped: true,
    call: (f) => ({
      method: 'put',
      path: `${BASE}/signatures/${f.signatureId}`,
      body: { instruction: 'i' },
    }),
  },
  deleteSignature: {
    permission: 'delete',
    scoped: true,
    call: (f) => ({ method: 'delete', path: `${BASE}/signatures/${f.signatureId}` }),
  },
  createPrompt: {
    permission: 'write',
    scoped: true,
    call: (f) => ({
      method: 'post',
      path: `${BASE}/prompts/create`,
      body: { project_id: f.projectId, name: `pr ${unique()}`, user_prompt: 'Q: {q}' },
    }),
  },
  listPrompts: {
    permission: 'read',
    scoped: true,
    call: (f) => ({ method: 'get', path: `${BASE}/prompts/list?project_id=${f.projectId}` }),
  },
  listPromptVersions: {
    permission: 'read',
    scoped: true,
    call: (f) => ({ method: 'get', path: `${BASE}/prompts/${f.promptId}/versions` }),
  },
  getPromptVersion: {
    permission: 'read',
    scoped: true,
    call: (f) => ({ method: 'get', path: `${BASE}/prompts/${f.promptId}/versions/1` }),
  },
  revertPrompt: {
    permission: 'write',
    scoped: true,
    call: (f) => ({
      method: 'post',
      path: `${BASE}/prompts/${f.promptId}/revert`,
      body: { version: 1 },
    }),
  },
  previewPrompt: {
    permission: 'read',
    scoped: true,
    call: (f) => ({
      method: 'post',
      path: `${BASE}/prompts/${f.promptId}/preview`,
      body: { inputs: { q: 'x' } },
    }),
  },
  getPrompt: {
    permission: 'read',
    scoped: true,
    call: (f) => ({ method: 'get', path: `${BASE}/prompts/${f.promptId}` }),
  },
  updatePrompt: {
    permission: 'write',
    scoped: true,
    call: (f) => ({
      method: 'put',
      path: `${BASE}/prompts/${f.promptId}`,
      body: { user_prompt: `Q2 ${unique()}: {q}` },
    }),
  },
  deletePrompt: {
    permission: 'delete',
    scoped: true,
    call: (f) => ({ method: 'delete', path: `${BASE}/prompts/${f.promptId}` }),
  },
  createTestCase: {
    permission: 'write',
    scoped: true,
    call: (f) => ({
      method: 'post',
      path: `${BASE}/test-cases/create`,
      body: { project_id: f.projectId, inputs: { q: 1 } },
    }),
  },
  bulkCreateTestCases: {
    permission: 'write',
    scoped: true,
    call: (f) => ({
      method: 'post',
      path: `${BASE}/test-cases/bulk`,
      body: { project_id: f.projectId, test_cases: [{ inputs: { q: 1 } }, { inputs: { q: 2 } }] },
    }),
  },
  importTestCases: {
    permission: 'write',
    scoped: true,
    call: (f) => ({
      method: 'post',
      path: `${BASE}/test-cases/import`,
      body: {
        project_id: f.projectId,
        format: 'csv',
        content: 'input.q\nimported\n',
        on_conflict: 'rename',
      },
    }),
  },
  exportTestCases: {
    permission: 'read',
    scoped: true,
    call: (f) => ({
      method: 'post',
      path: `${BASE}/test-cases/export/${f.projectId}`,
      body: { format: 'json' },
    }),
  },
  getTestCaseTemplate: {
    permission: 'read',
    scoped: false,
    call: () => ({ method: 'get', path: `${BASE}/test-cases/template?format=json` }),
  },
  generateTestCases: {
    permission: 'write',
    scoped: true,
    call: (f) => ({
      method: 'post',
      path: `${BASE}/test-cases/generate`,
      body: {
        project_id: f.projectId,
        signature_id: f.signatureId,
        num_cases: 1,
        generator: 'deterministic',
      },
    }),
  },
  listTestCases: {
    permission: 'read',
    scoped: true,
    call: (f) => ({ method: 'get', path: `${BASE}/test-cases/list?project_id=${f.projectId}` }),
  },
  getTestCase: {
    permission: 'read',
    scoped: true,
    call: (f) => ({ method: 'get', path: `${BASE}/test-cases/${f.testCaseId}` }),
  },
  updateTestCase: {
    permission: 'write',
    scoped: true,
    call: (f) => ({
      method: 'put',
      path: `${BASE}/test-cases/${f.testCaseId}`,
      body: { is_golden: true },
    }),
  },
  deleteTestCase: {
    permission: 'delete',
    scoped: true,
    call: (f) => ({ method: 'delete', path: `${BASE}/test-cases/${f.testCaseId}` }),
  },
  createApiKey: {
    permission: 'manage',
    scoped: false,
    call: () => ({
      method: 'post',
      path: `${BASE}/api-keys/create`,
      body: { name: 'k', scopes: ['read'] },
    }),
  },
  listApiKeys: {
    permission: 'manage',
    scoped: false,
    call: () => ({ method: 'get', path: `${BASE}/api-keys/list` }),
  },
  revokeApiKey: {
    permission: 'manage',
    scoped: true,
    call: (f) => ({ method: 'post', path: `${BASE}/api-keys/${f.apiKeyId}/revoke` }),
  },
  getCurrentWorkspace: {
    permission: 'read',
    scoped: false,
    call: () => ({ method: 'get', path: `${BASE}/workspaces/current` }),
  },
  listMembers: {
    permission: 'read',
    scoped: false,
    call: () => ({ method: 'get', path: `${BASE}/members/list` }),
  },
  addMember: {
    permission: 'manage',
    scoped: false,
    call: () => ({
      method: 'post',
      path: `${BASE}/members/create`,
      body: { email: `m-${unique()}@example.com`, role: 'viewer' },
    }),
  },
  updateMember: {
    permission: 'manage',
    scoped: true,
    call: (f) => ({
      method: 'put',
      path: `${BASE}/members/${f.memberId}`,
      body: { role: 'editor' },
    }),
  },
  removeMember: {
    permission: 'manage',
    scoped: true,
    call: (f) => ({ method: 'delete', path: `${BASE}/members/${f.memberId}` }),
  },
  listAuditEvents: {
    permission: 'manage',
    scoped: false,
    call: () => ({ method: 'get', path: `${BASE}/audit/list` }),
  },
  listProviders: {
    permission: 'read',
    scoped: false,
    call: () => ({ method: 'get', path: `${BASE}/providers/list` }),
  },
  executePrompt: {
    permission: 'write',
    scoped: true,
    call: (f) => ({
      method: 'post',
      path: `${BASE}/prompts/${f.promptId}/execute`,
      body: { inputs: { q: 'x' }, model_config: { provider: 'mock', model: 'mock-echo' } },
    }),
  },
  createEvaluation: {
    permission: 'write',
    scoped: false,
    call: (f) => ({
      method: 'post',
      path: `${BASE}/evaluations/create`,
      body: { prompt_id: f.promptId, model_config: { provider: 'mock', model: 'mock-echo' } },
    }),
  },
  compareEvaluations: {
    permission: 'write',
    scoped: true,
    call: (f) => ({
      method: 'post',
      path: `${BASE}/evaluations/compare`,
      body: { evaluation_ids: [f.evaluationId, f.evaluationId] },
    }),
  },
  listEvaluations: {
    permission: 'read',
    scoped: false,
    call: () => ({ method: 'get', path: `${BASE}/evaluations/list` }),
  },
  cancelEvaluation: {
    permission: 'write',
    scoped: true,
    call: (f) => ({ method: 'post', path: `${BASE}/evaluations/cancel/${f.runningEvaluationId}` }),
  },
  getEvaluation: {
    permission: 'read',
    scoped: true,
    call: (f) => ({ method: 'get', path: `${BASE}/evaluations/${f.evaluationId}` }),
  },
  listEvaluationResults: {
    permission: 'read',
    scoped: true,
    call: (f) => ({ method: 'get', path: `${BASE}/evaluations/${f.evaluationId}/results` }),
  },
  getEvaluationReport: {
    permission: 'read',
    scoped: true,
    call: (f) => ({
      method: 'get',
      path: `${BASE}/evaluations/${f.evaluationId}/report?format=md`,
    }),
  },
  renderEvaluationReport: {
    permission: 'read',
    scoped: true,
    call: (f) => ({
      method: 'post',
      path: `${BASE}/evaluations/${f.evaluationId}/report?format=md`,
    }),
  },
  getRenderedEvaluationReport: {
    permission: 'read',
    scoped: true,
    call: (f) => ({ method: 'get', path: `${BASE}/evaluations/reports/${f.reportId}` }),
  },
  createOptimization: {
    permission: 'write',
    scoped: false,
    call: (f) => ({
      method: 'post',
      path: `${BASE}/optimizations/create`,
      body: {
        prompt_id: f.promptId,
        strategy: 'iterative',
        model_config: MOCK,
        budget: { max_llm_calls: 4 },
      },
    }),
  },
  estimateOptimization: {
    permission: 'read',
    scoped: false,
    call: (f) => ({
      method: 'post',
      path: `${BASE}/optimizations/estimate`,
      body: {
        prompt_id: f.promptId,
        strategy: 'iterative',
        model_config: MOCK,
        budget: { max_llm_calls: 20 },
      },
    }),
  },
  listOptimizationStrategies: {
    permission: 'read',
    scoped: false,
    call: () => ({ method: 'get', path: `${BASE}/optimizations/strategies` }),
  },
  listOptimizations: {
    permission: 'read',
    scoped: false,
    call: () => ({ method: 'get', path: `${BASE}/optimizations/list` }),
  },
  getOptimization: {
    permission: 'read',
    scoped: true,
    call: (f) => ({ method: 'get', path: `${BASE}/optimizations/${f.optimizationId}` }),
  },
  listOptimizationCandidates: {
    permission: 'read',
    scoped: true,
    call: (f) => ({ method: 'get', path: `${BASE}/optimizations/${f.optimizationId}/candidates` }),
  },
  cancelOptimization: {
    permission: 'write',
    scoped: true,
    call: (f) => ({
      method: 'post',
      path: `${BASE}/optimizations/${f.runningOptimizationId}/cancel`,
    }),
  },
  cancelOptimizationLegacy: {
    permission: 'write',
    scoped: true,
    call: (f) => ({
      method: 'post',
      path: `${BASE}/optimizations/cancel/${f.runningOptimizationId}`,
    }),
  },
  listMetrics: {
    permission: 'read',
    scoped: false,
    call: () => ({ method: 'get', path: `${BASE}/metrics/list` }),
  },
  computeMetric: {
    permission: 'read',
    scoped: false,
    call: () => ({
      method: 'post',
      path: `${BASE}/metrics/compute`,
      body: { metric: 'exact_match', pairs: [{ output: 'a', expected: 'a' }] },
    }),
  },
  createPingJob: {
    permission: 'write',
    scoped: false,
    call: () => ({ method: 'post', path: `${BASE}/jobs/ping`, body: { message: 'authz' } }),
  },
  listJobs: {
    permission: 'read',
    scoped: false,
    call: () => ({ method: 'get', path: `${BASE}/jobs/list` }),
  },
  getJob: {
    permission: 'read',
    scoped: true,
    call: (f) => ({ method: 'get', path: `${BASE}/jobs/${f.jobId}` }),
  },
  cancelJob: {
    permission: 'write',
    scoped: true,
    call: (f) => ({ method: 'post', path: `${BASE}/jobs/cancel/${f.jobId}` }),
  },
  getJobQueueStatus: {
    permission: 'read',
    scoped: false,
    call: () => ({ method: 'get', path: `${BASE}/status` }),
  },
  streamEvents: {
    permission: 'read',
    scoped: true,
    call: (f) => ({
      method: 'get',
      path: `${BASE}/events?entity_type=project&entity_id=${f.projectId}`,
      stream: true,
    }),
  },
};

const GRANTS: Record<Role, Permission[]> = {
  viewer: ['public', 'read'],
  editor: ['public', 'read', 'write'],
  admin: ['public', 'read', 'write', 'delete', 'manage'],
  owner: ['public', 'read', 'write', 'delete', 'manage'],
};
const ROLES: Role[] = ['viewer', 'editor', 'admin', 'owner'];

describe('authorization over every route', () => {
  let t: TestApp;
  const keys = {} as Record<Role, string>;
  let otherOwnerKey: string;

  const send = (call: Call, key?: string) => {
    let req = t.anonymous()[call.method](call.path);
    if (key) req = req.set('X-API-Key', key);
    if (call.stream) {
      // superagent hands parsers the IncomingMessage, whatever its typings say.
      req = req
        .buffer(true)
        .parse((res, done) => untilFirstEvent(res as unknown as IncomingMessage, done));
    }
    return call.body ? req.send(call.body) : req;
  };

  let completedEvaluationId: number | undefined;
  let completedOptimizationId: number | undefined;
  let storedReportId: number | undefined;

  async function fixture(): Promise<Fixture> {
    const owner = keys.owner;
    const ok = async (call: Call) => {
      const res = await send(call, owner);
      if (res.status >= 300) throw new Error(`fixture ${call.path}: ${res.status} ${res.text}`);
      return res.body;
    };
    const project = await ok({
      method: 'post',
      path: `${BASE}/projects/create`,
      body: { name: `fx ${unique()}` },
    });
    const signature = await ok({
      method: 'post',
      path: `${BASE}/signatures/create`,
      body: { project_id: project.id, name: 'sig', input_schema: [], output_schema: [] },
    });
    const prompt = await ok({
      method: 'post',
      path: `${BASE}/prompts/create`,
      body: { project_id: project.id, name: 'prompt', user_prompt: 'Q: {q}' },
    });
    const testCase = await ok({
      method: 'post',
      path: `${BASE}/test-cases/create`,
      body: { project_id: project.id, inputs: { q: 1 } },
    });
    // Optimizations need two cases or more.
    await ok({
      method: 'post',
      path: `${BASE}/test-cases/create`,
      body: { project_id: project.id, inputs: { q: 2 }, expected_outputs: { response: 'Q: 2' } },
    });
    const member = await ok({
      method: 'post',
      path: `${BASE}/members/create`,
      body: { email: `fx-${unique()}@example.com`, role: 'viewer' },
    });
    const apiKey = await ok({
      method: 'post',
      path: `${BASE}/api-keys/create`,
      body: { name: 'fixture key', user_id: member.user_id, scopes: ['read'] },
    });
    const job = await ok({
      method: 'post',
      path: `${BASE}/jobs/ping`,
      body: { duration_ms: 60_000, steps: 600 },
    });
    if (completedOptimizationId === undefined) {
      const created = await ok({
        method: 'post',
        path: `${BASE}/optimizations/create`,
        body: {
          prompt_id: prompt.id,
          strategy: 'iterative',
          model_config: MOCK,
          budget: { max_llm_calls: 6 },
        },
      });
      for (let i = 0; i < 200 && completedOptimizationId === undefined; i++) {
        const state = await ok({ method: 'get', path: `${BASE}/optimizations/${created.id}` });
        if (['completed', 'failed', 'cancelled'].includes(state.status as string))
          completedOptimizationId = created.id as number;
        else await new Promise((resolve) => setTimeout(resolve, 100));
      }
      if (completedOptimizationId === undefined)
        throw new Error('fixture optimization never ended');
    }
    const runningOptimization = await ok({
      method: 'post',
      path: `${BASE}/optimizations/create`,
      body: {
        prompt_id: prompt.id,
        strategy: 'iterative',
        model_config: { provider: 'mock', model: 'mock-echo', parameters: { delay_ms: 60_000 } },
      },
    });
    const running = await ok({
      method: 'post',
      path: `${BASE}/evaluations/create`,
      body: {
        prompt_id: prompt.id,
        model_config: { provider: 'mock', model: 'mock-echo', parameters: { delay_ms: 60_000 } },
      },
    });
    if (completedEvaluationId === undefined) {
      const done = await ok({
        method: 'post',
        path: `${BASE}/evaluations/create?wait=true`,
        body: { prompt_id: prompt.id, model_config: { provider: 'mock', model: 'mock-echo' } },
      });
      if (done.status !== 'completed') throw new Error(`fixture evaluation is ${done.status}`);
      completedEvaluationId = done.id as number;
      const job = await ok({
        method: 'post',
        path: `${BASE}/evaluations/${completedEvaluationId}/report?format=md`,
      });
      for (let i = 0; i < 100 && storedReportId === undefined; i++) {
        const state = await ok({ method: 'get', path: `${BASE}/jobs/${job.id}` });
        if (state.status === 'completed') storedReportId = state.result.report_id as number;
        else await new Promise((resolve) => setTimeout(resolve, 100));
      }
      if (storedReportId === undefined) throw new Error('fixture report job did not complete');
    }
    return {
      evaluationId: completedEvaluationId,
      reportId: storedReportId!,
      runningEvaluationId: running.id,
      optimizationId: completedOptimizationId,
      runningOptimizationId: runningOptimization.id,
      jobId: job.id,
      projectId: project.id,
      signatureId: signature.id,
      promptId: prompt.id,
      testCaseId: testCase.id,
      memberId: member.user_id,
      apiKeyId: apiKey.id,
    };
  }

  beforeAll(async () => {
    t = await startTestApp();
    keys.owner = t.ownerKey;
    for (const role of ['viewer', 'editor', 'admin'] as const) {
      const member = await send(
        {
          method: 'post',
          path: `${BASE}/members/create`,
          body: { email: `${role}@example.com`, role },
        },
        t.ownerKey,
      ).expect(201);
      const key = await send(
        {
          method: 'post',
          path: `${BASE}/api-keys/create`,
          body: { name: role, user_id: member.body.user_id, scopes: ['read', 'write', 'admin'] },
        },
        t.ownerKey,
      ).expect(201);
      keys[role] = key.body.key;
    }
    // A second workspace, made the way an operator makes one: with the admin CLI's command.
    otherOwnerKey = (await createKey(t.app.get(DataSource), { workspace: 'second', role: 'owner' }))
      .key;
  });

  afterAll(async () => {
    // Stop the fixtures' long ping jobs so shutdown need not wait for them.
    await t.app.get(DataSource).query(`UPDATE jobs SET cancel_requested = true`);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await t.close();
  }, 30_000);

  it('has a row for every operation in the OpenAPI document, and none extra', async () => {
    const doc = await t.anonymous().get('/openapi.json').expect(200);
    const operations = Object.values(
      doc.body.paths as Record<string, Record<string, { operationId: string }>>,
    )
      .flatMap((item) => Object.values(item).map((op) => op.operationId))
      .sort();
    expect(Object.keys(ROUTES).sort()).toEqual(operations);
  });

  describe.each(Object.entries(ROUTES))('%s', (_operation, route) => {
    it('answers 401 without credentials (unless public)', async () => {
      const res = await send(route.call(await fixture()));
      if (route.permission === 'public') {
        expect(res.status).toBe(200);
      } else {
        expect(res.status).toBe(401);
        expect(res.body.code).toBe('unauthenticated');
      }
    });

    it.each(ROLES)('answers %s by the role table', async (role) => {
      const res = await send(route.call(await fixture()), keys[role]);
      if (GRANTS[role].includes(route.permission)) {
        expect(res.status).toBeGreaterThanOrEqual(200);
        expect(res.status).toBeLessThan(300);
      } else {
        expect(res.status).toBe(403);
        expect(res.body.code).toBe('forbidden');
      }
    });

    if (route.scoped) {
      it("answers 404 to another workspace's owner", async () => {
        const res = await send(route.call(await fixture()), otherOwnerKey);
        expect(res.status).toBe(404);
        expect(res.body.code).toBe('not_found');
      });
    }
  });

  it("never shows one workspace's rows in another's lists, counts or audit log", async () => {
    const mine = await fixture();
    const other = (call: Call) => send(call, otherOwnerKey).expect(200);
    const projects = await other({ method: 'get', path: `${BASE}/projects/list?per_page=100` });
    expect(projects.body.items.map((p: { id: number }) => p.id)).not.toContain(mine.projectId);
    expect(projects.body.total).toBe(0);
    const members = await other({ method: 'get', path: `${BASE}/members/list` });
    expect(members.body.total).toBe(1);
    const apiKeys = await other({ method: 'get', path: `${BASE}/api-keys/list` });
    expect(apiKeys.body.total).toBe(1);
    const audit = await other({ method: 'get', path: `${BASE}/audit/list` });
    expect(audit.body.total).toBe(0);
    const current = await other({ method: 'get', path: `${BASE}/workspaces/current` });
    expect(current.body.slug).toBe('second');
  });
});
