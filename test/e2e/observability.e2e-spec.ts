import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io } from 'socket.io-client';
import type { Response } from 'supertest';
import { countTokens, type FakeLlmServer, startFakeLlm } from '../fakes/fake-llm';
import { freePort, type RunningProcess, startProcess, waitForHttp } from '../support/processes';
import { metricValue, type Sample, scrape } from '../support/prometheus';
import { BASE, startTestApp, type TestApp } from '../support/test-app';

/**
 * What an operator sees of one evaluation in the distributed mode: the API (in this process) and
 * a worker process each expose Prometheus /metrics, whose numbers must equal what happened
 * (requests the OpenAI fake received, tokens and cost of the run, cache hits of a rerun, jobs
 * waiting before a worker came), and the worker's JSON logs carry the job and request ids.
 */

jest.setTimeout(180_000);

const REDIS_URL = process.env.PS_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const API_KEY = 'sk-test-observability-0123456789';
const CASES = 12;
/** prices.json: gpt-4o-mini costs 0.15 and 0.60 USD per million input and output tokens. */
const USD_PER_TOKEN = { input: 0.15 / 1e6, output: 0.6 / 1e6 };
const SYSTEM_PROMPT = 'Classify the review.';

type Json = Response['body'];

async function until<T>(probe: () => Promise<T>, done: (v: T) => boolean, ms = 60_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`Timed out; last: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('observability: /metrics of the API and the worker, and job logs', () => {
  let t: TestApp;
  let apiUrl: string;
  let fake: FakeLlmServer;
  let worker: (RunningProcess & { url: string }) | undefined;
  const prefix = `ps-obs-${randomBytes(4).toString('hex')}`;
  const scratch = mkdtempSync(join(tmpdir(), 'ps-obs-'));

  beforeAll(async () => {
    // The first request the fake sees is refused with a 429 (Retry-After: 0): one vendor
    // rate-limit wait, then the retry succeeds.
    fake = await startFakeLlm({
      latencyMs: 5,
      answer: (req) => (/#(\d+)/.exec(req.messages.at(-1)?.content ?? '')?.[1] ?? '') + ' ok',
      fail: (req) => (req.n === 1 ? { status: 429, headers: { 'retry-after': '0' } } : undefined),
    });
    t = await startTestApp({
      env: {
        REDIS_URL,
        REDIS_KEY_PREFIX: prefix,
        OPENAI_API_KEY: API_KEY,
        OPENAI_BASE_URL: 'http://127.0.0.1:9/v1',
      },
    });
    if (!t.database.url) throw new Error('The distributed mode needs PostgreSQL.');
    await t.app.listen(0, '127.0.0.1');
    apiUrl = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await worker?.stop('SIGTERM');
    await t?.close();
    await fake?.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  async function startWorker() {
    const port = await freePort();
    const proc = startProcess('worker', {
      DATABASE_URL: t.database.url!,
      DATA_DIR: mkdtempSync(join(scratch, 'worker-')),
      DB_MIGRATIONS_RUN: 'false',
      REDIS_URL,
      REDIS_KEY_PREFIX: prefix,
      OPENAI_API_KEY: API_KEY,
      OPENAI_BASE_URL: `${fake.url}/v1`,
      LLM_RETRY_BASE_MS: '1',
      WORKER_PORT: String(port),
    });
    await waitForHttp(`http://127.0.0.1:${port}/health/ready`, proc);
    return Object.assign(proc, { url: `http://127.0.0.1:${port}` });
  }

  const post = (path: string, body: object, requestId?: string) => {
    const req = t.http().post(`${BASE}${path}`);
    if (requestId) void req.set('X-Request-ID', requestId);
    return req.send(body);
  };
  const get = (path: string) => t.http().get(`${BASE}${path}`);
  const finished = (e: Json) => ['completed', 'failed', 'cancelled'].includes(e.status);

  it('exposes HTTP, queue, job, LLM, cache, rate-limit and Socket.IO series matching one evaluation and its rerun', async () => {
    const project = await post('/projects/create', { name: `obs ${prefix}` }).expect(201);
    const cases = await post('/test-cases/bulk', {
      project_id: project.body.id,
      test_cases: Array.from({ length: CASES }, (_, n) => ({
        name: `case ${n}`,
        inputs: { n },
        expected_outputs: { response: `${n} ok` },
      })),
    }).expect(201);
    expect(cases.body.items).toHaveLength(CASES);
    const prompt = await post('/prompts/create', {
      project_id: project.body.id,
      name: `obs ${prefix}`,
      system_prompt: SYSTEM_PROMPT,
      user_prompt: `Review #{n} [${prefix}]`,
      model_config: { provider: 'openai', model: 'gpt-4o-mini' },
    }).expect(201);

    // A Socket.IO client is counted while it is connected.
    const socket = io(`${apiUrl}/prompt-studio`, {
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      auth: { apiKey: t.ownerKey },
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });
    const connected = await scrape(apiUrl);
    expect(metricValue(connected, 'prompt_studio_socketio_connections')).toBe(1);

    // No worker yet: the job waits in Redis, and both views of the queue say so.
    const requestId = `obs-${randomBytes(4).toString('hex')}`;
    const body = { prompt_id: prompt.body.id, metrics: [{ name: 'exact_match' }], concurrency: 3 };
    const first = await post('/evaluations/create', body, requestId).expect(202);
    const waiting = await scrape(apiUrl);
    expect(
      metricValue(waiting, 'prompt_studio_queue_jobs', { queue: 'evaluation', state: 'waiting' }),
    ).toBe(1);

    worker = await startWorker();
    const done = await until(
      () => get(`/evaluations/${first.body.id}`).then((r) => r.body),
      finished,
    );
    expect(done).toMatchObject({ status: 'completed', summary: { total: CASES, passed: CASES } });
    // The same run again: every answer comes from the response cache.
    const second = await post('/evaluations/create', body).expect(202);
    const again = await until(
      () => get(`/evaluations/${second.body.id}`).then((r) => r.body),
      finished,
    );
    expect(again).toMatchObject({ status: 'completed', summary: { total: CASES, cached: CASES } });

    // The fake saw one request per case plus the retry after its 429.
    expect(fake.count('chat')).toBe(CASES + 1);
    const w = await until(
      () => scrape(worker!.url),
      // Job metrics are recorded right after the job's last write: wait for both runs.
      (s: Sample[]) =>
        metricValue(s, 'prompt_studio_jobs_finished_total', { outcome: 'completed' }) === 2,
    );
    const openai = { provider: 'openai', model: 'gpt-4o-mini' };
    expect(metricValue(w, 'prompt_studio_llm_upstream_requests_total', openai)).toBe(
      fake.count('chat'),
    );
    expect(metricValue(w, 'prompt_studio_llm_calls_total', { ...openai, outcome: 'ok' })).toBe(
      CASES,
    );
    expect(metricValue(w, 'prompt_studio_llm_calls_total', { ...openai, outcome: 'cached' })).toBe(
      CASES,
    );
    expect(
      metricValue(w, 'prompt_studio_llm_cache_lookups_total', {
        provider: 'openai',
        result: 'miss',
      }),
    ).toBe(CASES);
    expect(
      metricValue(w, 'prompt_studio_llm_cache_lookups_total', {
        provider: 'openai',
        result: 'hit',
      }),
    ).toBe(CASES);
    expect(
      metricValue(w, 'prompt_studio_llm_rate_limit_waits_total', {
        provider: 'openai',
        source: 'vendor',
      }),
    ).toBe(1);
    // Tokens and cost: what the first run reported (the rerun was free), case by case.
    const tokensIn = Array.from(
      { length: CASES },
      (_, n) => countTokens(SYSTEM_PROMPT) + countTokens(`Review #${n} [${prefix}]`),
    ).reduce((a, b) => a + b, 0);
    const tokensOut = Array.from({ length: CASES }, (_, n) => countTokens(`${n} ok`)).reduce(
      (a, b) => a + b,
      0,
    );
    expect(done.summary.tokens).toMatchObject({ input: tokensIn, output: tokensOut });
    expect(
      metricValue(w, 'prompt_studio_llm_tokens_total', { ...openai, direction: 'input' }),
    ).toBe(tokensIn);
    expect(
      metricValue(w, 'prompt_studio_llm_tokens_total', { ...openai, direction: 'output' }),
    ).toBe(tokensOut);
    const cost = tokensIn * USD_PER_TOKEN.input + tokensOut * USD_PER_TOKEN.output;
    expect(metricValue(w, 'prompt_studio_llm_cost_usd_total', openai)).toBeCloseTo(cost, 12);
    expect(done.summary.cost).toBeCloseTo(cost, 12);
    expect(metricValue(w, 'prompt_studio_llm_call_duration_seconds_count', openai)).toBe(CASES);
    // Two evaluation jobs ran here, timed and counted; none is left in the queue.
    const job = { queue: 'evaluation', type: 'evaluation.run' };
    expect(metricValue(w, 'prompt_studio_job_duration_seconds_count', job)).toBe(2);
    expect(
      metricValue(w, 'prompt_studio_jobs_finished_total', { ...job, outcome: 'completed' }),
    ).toBe(2);
    expect(metricValue(w, 'prompt_studio_jobs_active', { queue: 'evaluation' })).toBe(0);
    for (const state of ['waiting', 'active', 'delayed']) {
      expect(metricValue(w, 'prompt_studio_queue_jobs', { queue: 'evaluation', state })).toBe(0);
    }
    // The worker's own HTTP: the readiness probes the test made.
    expect(
      metricValue(w, 'prompt_studio_http_requests_total', {
        method: 'GET',
        route: '/health/ready',
        status: '200',
      }),
    ).toBeGreaterThanOrEqual(1);
    expect(metricValue(w, 'prompt_studio_process_resident_memory_bytes')).toBeGreaterThan(0);

    // The API: requests by route template (ids never appear in labels) and status.
    const a = await scrape(apiUrl);
    const create = { method: 'POST', route: `/${BASE.slice(1)}/evaluations/create` };
    expect(metricValue(a, 'prompt_studio_http_requests_total', { ...create, status: '202' })).toBe(
      2,
    );
    expect(
      metricValue(a, 'prompt_studio_http_request_duration_seconds_count', {
        ...create,
        status: '202',
      }),
    ).toBe(2);
    const byId = { method: 'GET', route: `/${BASE.slice(1)}/evaluations/:id`, status: '200' };
    expect(metricValue(a, 'prompt_studio_http_requests_total', byId)).toBeGreaterThanOrEqual(2);
    expect(a.some((s) => /evaluations\/\d/.test(s.labels.route ?? ''))).toBe(false);
    expect(
      metricValue(a, 'prompt_studio_queue_jobs', { queue: 'evaluation', state: 'waiting' }),
    ).toBe(0);
    socket.disconnect();
    await until(
      () => scrape(apiUrl),
      (s: Sample[]) => metricValue(s, 'prompt_studio_socketio_connections') === 0,
    );

    // JSON logs: every line of the job carries its id, the request id travels with it, and the
    // retry warning written deep in the LLM client is one of them. No key is ever logged.
    const lines = worker
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const jobId = done.job_id as number;
    const retry = lines.find((l) => String(l.msg).includes('retrying in'));
    expect(retry).toMatchObject({ job_id: jobId, request_id: requestId });
    expect(lines.filter((l) => l.msg === 'job finished' && l.job_id === jobId)).toHaveLength(1);
    expect(worker.output()).not.toContain(API_KEY);
  });
});
