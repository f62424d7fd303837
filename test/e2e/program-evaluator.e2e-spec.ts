import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Response } from 'supertest';
import { type FakeLlmServer, type FakeRequest, startFakeLlm } from '../fakes/fake-llm';
import { freePort, type RunningProcess, startProcess, waitForHttp } from '../support/processes';
import { BASE, startTestApp, type TestApp } from '../support/test-app';

/**
 * The program evaluator end to end: the API stores evaluations of test cases marked
 * `runner: python`, a separate worker process runs them against the OpenAI wire-protocol fake
 * (which answers each case with a scripted program) and runs each answer's code in its sandbox.
 * Covers the program scores of a 50-case run, the worker's memory after it, a project without
 * code evaluation (heuristic, and the results say so), the API's all-in-one mode (which never
 * runs code) and POST /metrics/compute.
 */

jest.setTimeout(300_000);

const REDIS_URL = process.env.PS_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const API_KEY = 'sk-test-program-evaluator';
const MODEL = { provider: 'openai', model: 'gpt-4o-mini' };
/** Worker RSS may end at most this far above its baseline after the 50-case run. */
const RSS_TOLERANCE_KB = 24 * 1024;

type Json = Response['body'];
const fence = '```';

/**
 * Five kinds of case, by case number modulo 5, each with its answer and the score the README's
 * reward mapping gives it (score = reward / 10; a finished run earns 1 + 9 × quality).
 */
interface Kind {
  expected: Record<string, unknown>;
  code: string;
  score: number;
}

const ADD_TESTS = [
  { call: 'add(2, 2)', expect: 4 },
  { call: 'add(2, 3)', expect: 5 },
];
const KINDS: Kind[] = [
  // Both tests pass: reward 10.
  { expected: { tests: ADD_TESTS }, code: 'def add(a, b):\n    return a + b', score: 1 },
  // add(2, 2) passes, add(2, 3) = 6 fails: quality 0.5, reward 5.5.
  { expected: { tests: ADD_TESTS }, code: 'def add(a, b):\n    return a * b', score: 0.55 },
  // 7.5 of the way from 0 to 10: quality 0.75, reward 7.75.
  {
    expected: { objective: 'maximize', metric_var: 'best', target: 10, baseline: 0 },
    code: 'import statistics\nbest = statistics.mean([5, 10])',
    score: 0.775,
  },
  // One of two constraints holds: quality 0.5, reward 5.5.
  {
    expected: { constraints: ['x + y == 25', 'y < x'] },
    code: 'x = 5\ny = 20\nprint(x + y)',
    score: 0.55,
  },
  // An escape attempt, refused before running: reward -1, score 0.
  {
    expected: { tests: ADD_TESTS },
    code: "import os\nos.system('cat /etc/passwd')\ndef add(a, b):\n    return a + b",
    score: 0,
  },
];
/** Cases ending in an endless loop: stopped at the time limit, reward 0. */
const LOOPING = new Set([24, 49]);

const caseNumber = (req: FakeRequest) =>
  Number(/#(\d+)/.exec(req.messages.at(-1)?.content ?? '')?.[1] ?? -1);
const codeFor = (n: number) => (LOOPING.has(n) ? 'while True:\n    pass' : KINDS[n % 5].code);
const scoreFor = (n: number) => (LOOPING.has(n) ? 0 : KINDS[n % 5].score);
const range = (count: number) => Array.from({ length: count }, (_, i) => i);

function rssKb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)![1]);
}

async function until<T>(
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 120_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`Timed out; last: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function expectStatus(res: Response, status: number): void {
  if (res.status !== status) {
    throw new Error(`expected ${status}, got ${res.status}: ${JSON.stringify(res.body)}`);
  }
}

/** A project with `count` runner cases `#0…`, a prompt unique to this test, on `t`. */
async function setup(t: TestApp, count: number, config: Record<string, unknown> = {}) {
  const post = (path: string, body: object) => t.http().post(`${BASE}${path}`).send(body);
  const project = await post('/projects/create', {
    name: `programs ${randomBytes(4).toString('hex')}`,
    config,
  });
  expectStatus(project, 201);
  const projectId: number = project.body.id;
  const cases = await post('/test-cases/bulk', {
    project_id: projectId,
    test_cases: range(count).map((n) => ({
      name: `program ${n}`,
      inputs: { prompt: `Write the program for case #${n}.`, runner: 'python' },
      expected_outputs: { runner: 'python', ...KINDS[n % 5].expected },
    })),
  });
  expectStatus(cases, 201);
  // The response cache is shared by every test: a random tag keeps these prompts apart.
  const tag = randomBytes(4).toString('hex');
  const prompt = await post('/prompts/create', {
    project_id: projectId,
    name: `Coder ${tag}`,
    system_prompt: 'Answer with a Python program in a fenced code block.',
    user_prompt: `{prompt} [${tag}]`,
    model_config: MODEL,
  });
  expectStatus(prompt, 201);
  return { projectId, promptId: prompt.body.id as number };
}

async function allResults(t: TestApp, id: number): Promise<Json[]> {
  const rows: Json[] = [];
  for (let page = 1; ; page++) {
    const res = await t.http().get(`${BASE}/evaluations/${id}/results?per_page=100&page=${page}`);
    expectStatus(res, 200);
    rows.push(...res.body.items);
    if (rows.length >= res.body.total) return rows;
  }
}

async function evaluate(t: TestApp, promptId: number, timeoutMs?: number): Promise<Json> {
  const created = await t
    .http()
    .post(`${BASE}/evaluations/create`)
    .send({ prompt_id: promptId, metrics: [{ name: 'program' }], concurrency: 4 });
  expectStatus(created, 202);
  const id: number = created.body.id;
  return until(
    () =>
      t
        .http()
        .get(`${BASE}/evaluations/${id}`)
        .then((r) => r.body),
    (e) => ['completed', 'failed', 'cancelled'].includes(e.status),
    timeoutMs,
  );
}

describe('the program evaluator in a worker process', () => {
  let t: TestApp;
  let fake: FakeLlmServer;
  let worker: RunningProcess;
  const prefix = `ps-programs-${randomBytes(4).toString('hex')}`;
  const scratch = mkdtempSync(join(tmpdir(), 'ps-programs-'));

  beforeAll(async () => {
    t = await startTestApp({
      env: {
        REDIS_URL,
        REDIS_KEY_PREFIX: prefix,
        JOB_LEASE_SECONDS: '10',
        OPENAI_API_KEY: API_KEY,
        OPENAI_BASE_URL: 'http://127.0.0.1:9/v1',
      },
    });
    if (!t.database.url) throw new Error('The distributed mode needs PostgreSQL.');
    fake = await startFakeLlm({
      answer: (req) =>
        `Here is the program:\n${fence}python\n${codeFor(caseNumber(req))}\n${fence}`,
    });
    const port = await freePort();
    worker = startProcess('worker', {
      DATABASE_URL: t.database.url,
      DATA_DIR: mkdtempSync(join(scratch, 'worker-')),
      DB_MIGRATIONS_RUN: 'false',
      REDIS_URL,
      REDIS_KEY_PREFIX: prefix,
      JOB_LEASE_SECONDS: '10',
      QUEUE_CONCURRENCY_EVALUATION: '1',
      OPENAI_API_KEY: API_KEY,
      OPENAI_BASE_URL: `${fake.url}/v1`,
      WORKER_PORT: String(port),
      // Off by default: only the project that asks for it runs programs.
      PROMPT_STUDIO_ENABLE_CODE_EVAL: 'false',
      PROMPT_STUDIO_CODE_EVAL_TIMEOUT_MS: '2000',
      PROMPT_STUDIO_CODE_EVAL_CONCURRENCY: '2',
    });
    await waitForHttp(`http://127.0.0.1:${port}/health/ready`, worker);
  });

  afterAll(async () => {
    await worker?.stop('SIGKILL');
    await fake?.close();
    await t?.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('runs 50 runner: python cases to their program scores, and the worker’s memory returns to its baseline', async () => {
    const { promptId } = await setup(t, 50, { enable_code_eval: true });
    const pid = worker.child.pid!;

    // A warm-up run loads the sandbox and its code paths; the baseline is taken after it.
    const warm = await setup(t, 10, { enable_code_eval: true });
    expect((await evaluate(t, warm.promptId)).status).toBe('completed');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const baseline = rssKb(pid);

    const done = await evaluate(t, promptId);
    expect(done).toMatchObject({ status: 'completed', progress: 100, test_case_count: 50 });
    const rows = await allResults(t, done.id);
    expect(rows).toHaveLength(50);
    const byCase = new Map<number, Json>();
    const cases = await t
      .http()
      .get(`${BASE}/test-cases/list?project_id=${done.project_id}&per_page=100`);
    expectStatus(cases, 200);
    for (const c of cases.body.items as Json[]) {
      const n = Number(/#(\d+)/.exec(c.inputs.prompt)![1]);
      byCase.set(c.id, { n });
    }
    for (const row of rows) {
      const { n } = byCase.get(row.test_case_id)!;
      expect(row.status).toBe('ok');
      expect(row.scores.program).toBeCloseTo(scoreFor(n), 10);
      expect(row.score).toBeCloseTo(scoreFor(n), 10);
      expect(row.details.program.code_eval).toBe('enabled');
      const outcome = LOOPING.has(n) ? 'timeout' : n % 5 === 4 ? 'refused' : 'ok';
      expect(row.details.program.outcome).toBe(outcome);
    }
    const expectedMean = range(50).reduce((s, n) => s + scoreFor(n), 0) / 50;
    expect(done.summary.metrics.program.count).toBe(50);
    expect(done.summary.metrics.program.mean).toBeCloseTo(expectedMean, 10);
    expect(done.summary.score.mean).toBeCloseTo(expectedMean, 10);
    // Passed (score ≥ 0.5): kinds 0–3, except the two loops.
    expect(done.summary.passed).toBe(range(50).filter((n) => scoreFor(n) >= 0.5).length);
    expect(fake.requests.filter((r) => r.kind === 'chat').length).toBeGreaterThanOrEqual(60);

    // Memory: within the tolerance of the baseline once the run is over (children are gone).
    const after = await until(
      () => Promise.resolve(rssKb(pid)),
      (kb) => kb <= baseline + RSS_TOLERANCE_KB,
      15_000,
    ).catch(() => rssKb(pid));
    process.stdout.write(
      `worker RSS: baseline ${Math.round(baseline / 1024)} MB, after 50 programs ${Math.round(after / 1024)} MB\n`,
    );
    expect(after).toBeLessThanOrEqual(baseline + RSS_TOLERANCE_KB);
    expect(worker.child.exitCode).toBeNull();
  });

  it('scores with the heuristic and says so when the project has not turned code evaluation on', async () => {
    const { promptId } = await setup(t, 5);
    const done = await evaluate(t, promptId);
    expect(done.status).toBe('completed');
    const rows = await allResults(t, done.id);
    expect(rows).toHaveLength(5);
    for (const row of rows) {
      expect(row.details.program).toMatchObject({
        code_eval: 'disabled',
        heuristic: true,
        reason: expect.stringContaining('PROMPT_STUDIO_ENABLE_CODE_EVAL=true'),
      });
      expect(row.details.program).not.toHaveProperty('tests');
    }
    // The heuristic cannot tell the buggy add from the right one: both define add.
    const scores = rows.map((r) => r.scores.program as number);
    expect(scores.filter((s) => s === 1)).toHaveLength(4);
  });

  it('refuses program in POST /metrics/compute: the API never runs code', async () => {
    const res = await t
      .http()
      .post(`${BASE}/metrics/compute`)
      .send({ metric: 'program', pairs: [{ output: 'print(1)', expected: null }] });
    expectStatus(res, 400);
    expect(res.body.errors).toEqual([
      { field: 'metric', message: expect.stringContaining('only in a worker process') },
    ]);
  });
});

describe('the API in all-in-one mode (no worker)', () => {
  let t: TestApp;
  let fake: FakeLlmServer;

  beforeAll(async () => {
    fake = await startFakeLlm({
      answer: (req) => `${fence}python\n${codeFor(caseNumber(req))}\n${fence}`,
    });
    t = await startTestApp({
      env: {
        OPENAI_API_KEY: API_KEY,
        OPENAI_BASE_URL: `${fake.url}/v1`,
        // Ignored by the API, which never runs code: the variable is the worker's.
        PROMPT_STUDIO_ENABLE_CODE_EVAL: 'true',
      },
    });
  });

  afterAll(async () => {
    await t?.close();
    await fake?.close();
  });

  it('runs the evaluation itself but never the programs, and the results say why', async () => {
    const { promptId } = await setup(t, 5, { enable_code_eval: true });
    const done = await evaluate(t, promptId);
    expect(done.status).toBe('completed');
    const rows = await allResults(t, done.id);
    expect(rows).toHaveLength(5);
    for (const row of rows) {
      expect(row.details.program).toMatchObject({
        code_eval: 'disabled',
        reason: expect.stringContaining('only in a worker process'),
      });
    }
  });
});
