import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { io } from 'socket.io-client';
import type { Response } from 'supertest';
import { type ActiveJob, BullQueueAdapter, type JobEnvelope, type QueueListener } from '@ps/queue';
import { type FakeLlmServer, startFakeLlm } from '../fakes/fake-llm';
import {
  freePort,
  ROOT,
  type RunningProcess,
  startProcess,
  waitForHttp,
} from '../support/processes';
import { createTestDatabase } from '../support/test-database';
import { BASE, startTestApp, type TestApp } from '../support/test-app';

/**
 * Stopping and starting processes without losing work: a worker told to stop (SIGTERM) in the
 * middle of an evaluation either finishes it before exiting or hands it back to the queue, where
 * another worker completes it, with every result written exactly once; the API stops accepting
 * connections but answers the requests it has; and a worker is not ready until the database's
 * migrations are applied.
 */

jest.setTimeout(240_000);

const REDIS_URL = process.env.PS_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const API_KEY = 'sk-test-shutdown';
type Json = Response['body'];

async function until<T>(probe: () => Promise<T>, done: (v: T) => boolean, ms = 90_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`Timed out; last: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const finished = (e: Json) => ['completed', 'failed', 'cancelled'].includes(e.status);
const workerIdOf = (proc: RunningProcess) => `worker:${hostname()}:${proc.child.pid}`;

describe('Bull adapter close: stop taking jobs, drain, hand back the rest', () => {
  const adapters: BullQueueAdapter[] = [];
  let prefix: string;
  let nextId = 1;
  const envelope = (): JobEnvelope => ({
    job_id: nextId++,
    workspace_id: 1,
    project_id: null,
    request_id: null,
    timeout_ms: 60_000,
    payload: {},
  });
  const enqueueOptions = { priority: 5, attempts: 1, backoffMs: 10 };

  beforeEach(() => {
    prefix = `ps-close-${randomBytes(4).toString('hex')}`;
  });

  afterEach(async () => {
    await Promise.all(adapters.splice(0).map((a) => a.close(0)));
  });

  /** An adapter on this test's queue (1 s leases), with what its listener heard. */
  function adapter() {
    const a = new BullQueueAdapter({ redisUrl: REDIS_URL, prefix, leaseSeconds: 1 });
    adapters.push(a);
    const heard: string[] = [];
    const listener: QueueListener = {
      onActive: (job: ActiveJob) => void heard.push(`active ${job.id}`),
      onCompleted: (job: ActiveJob) => void heard.push(`completed ${job.id}`),
      onFailed: (job: ActiveJob) => void heard.push(`failed ${job.id}`),
      onReleased: (job: ActiveJob) => void heard.push(`released ${job.id}`),
    };
    a.listen(listener);
    return { a, heard };
  }

  it('takes no job once closing, though it was waiting on Redis for one', async () => {
    const consumer = adapter();
    const producer = adapter();
    const ran: number[] = [];
    consumer.a.process('maintenance', 1, (job) => {
      ran.push(job.id);
      return Promise.resolve(null);
    });
    const first = envelope();
    await producer.a.enqueue('maintenance', 'ping', first, enqueueOptions);
    await until(
      () => Promise.resolve(ran.length),
      (n) => n === 1,
    );
    // Idle, blocked on Redis for its next job, it is told to close; a job arrives just after.
    const closing = consumer.a.close(5000);
    await new Promise((resolve) => setTimeout(resolve, 30));
    const second = envelope();
    await producer.a.enqueue('maintenance', 'ping', second, enqueueOptions);
    await closing;
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(ran).toEqual([first.job_id]);
    expect(await producer.a.counts('maintenance')).toMatchObject({ waiting: 1, active: 0 });
  });

  it('lets a running job finish within the drain time, and reports it completed', async () => {
    const consumer = adapter();
    const producer = adapter();
    consumer.a.process('maintenance', 1, async () => {
      await new Promise((resolve) => setTimeout(resolve, 1500));
      return { done: true };
    });
    const job = envelope();
    await producer.a.enqueue('maintenance', 'ping', job, enqueueOptions);
    await until(
      () => Promise.resolve(consumer.heard.length),
      (n) => n === 1,
    );
    const began = Date.now();
    await consumer.a.close(10_000);
    expect(Date.now() - began).toBeGreaterThanOrEqual(1000);
    expect(consumer.heard).toEqual([`active ${job.job_id}`, `completed ${job.job_id}`]);
    expect(await producer.a.counts('maintenance')).toMatchObject({ waiting: 0, active: 0 });
  });

  it('hands a job still running after the drain time to another consumer, which completes it', async () => {
    const leaving = adapter();
    const staying = adapter();
    const producer = adapter();
    leaving.a.process('maintenance', 1, () => new Promise(() => undefined)); // never ends
    const job = envelope();
    await producer.a.enqueue('maintenance', 'ping', job, enqueueOptions);
    await until(
      () => Promise.resolve(leaving.heard.length),
      (n) => n === 1,
    );
    staying.a.process('maintenance', 1, () => Promise.resolve({ by: 'staying' }));
    const began = Date.now();
    await leaving.a.close(300);
    expect(Date.now() - began).toBeLessThan(3000);
    // Released: this attempt neither completed nor failed.
    expect(leaving.heard).toEqual([`active ${job.job_id}`, `released ${job.job_id}`]);
    // The next stalled-job check (within two 1 s leases) gives it to the other consumer.
    await until(
      () => Promise.resolve(staying.heard),
      (heard) => heard.includes(`completed ${job.job_id}`),
      15_000,
    );
    expect(staying.heard).toEqual([`active ${job.job_id}`, `completed ${job.job_id}`]);
  });
});

describe('worker shutdown in the middle of a job (Redis + PostgreSQL)', () => {
  let t: TestApp;
  let fake: FakeLlmServer;
  const prefix = `ps-stop-${randomBytes(4).toString('hex')}`;
  const workers: RunningProcess[] = [];
  const scratch = mkdtempSync(join(tmpdir(), 'ps-stop-'));

  beforeAll(async () => {
    // Slow answers: a run of N cases at concurrency 1 takes about N × 150 ms.
    fake = await startFakeLlm({ latencyMs: 150 });
    t = await startTestApp({
      env: {
        REDIS_URL,
        REDIS_KEY_PREFIX: prefix,
        OPENAI_API_KEY: API_KEY,
        OPENAI_BASE_URL: 'http://127.0.0.1:9/v1',
      },
    });
    if (!t.database.url) throw new Error('The distributed mode needs PostgreSQL.');
  });

  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.stop('SIGKILL')));
    fake.reset();
  });

  afterAll(async () => {
    await t?.close();
    await fake?.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  async function startWorker(graceSeconds: number) {
    const port = await freePort();
    const worker = startProcess('worker', {
      DATABASE_URL: t.database.url!,
      DATA_DIR: mkdtempSync(join(scratch, 'worker-')),
      DB_MIGRATIONS_RUN: 'false',
      REDIS_URL,
      REDIS_KEY_PREFIX: prefix,
      JOB_LEASE_SECONDS: '5',
      QUEUE_CONCURRENCY_EVALUATION: '1',
      SHUTDOWN_GRACE_SECONDS: String(graceSeconds),
      // Every call reaches the fake, so its request count says what was done twice.
      LLM_CACHE_ENABLED: 'false',
      OPENAI_API_KEY: API_KEY,
      OPENAI_BASE_URL: `${fake.url}/v1`,
      WORKER_PORT: String(port),
    });
    workers.push(worker);
    await waitForHttp(`http://127.0.0.1:${port}/health/ready`, worker);
    return worker;
  }

  const post = (path: string, body: object) => t.http().post(`${BASE}${path}`).send(body);
  const get = (path: string) => t.http().get(`${BASE}${path}`);
  const evaluation = (id: number) => get(`/evaluations/${id}`).then((r) => r.body);
  const job = (id: number) => get(`/jobs/${id}`).then((r) => r.body);
  const resultCount = (id: number) =>
    get(`/evaluations/${id}/results?per_page=1`).then((r) => r.body.total as number);

  async function allResults(id: number): Promise<Json[]> {
    const rows: Json[] = [];
    for (let page = 1; ; page++) {
      const res = await get(`/evaluations/${id}/results?per_page=100&page=${page}`);
      rows.push(...res.body.items);
      if (rows.length >= res.body.total) return rows;
    }
  }

  /** A prompt over `count` new cases; returns its id and the case ids. */
  async function setup(count: number) {
    const tag = randomBytes(4).toString('hex');
    const project = await post('/projects/create', { name: `stop ${tag}` }).expect(201);
    const cases = await post('/test-cases/bulk', {
      project_id: project.body.id,
      test_cases: Array.from({ length: count }, (_, n) => ({ name: `c${n}`, inputs: { n } })),
    }).expect(201);
    const prompt = await post('/prompts/create', {
      project_id: project.body.id,
      name: `stop ${tag}`,
      user_prompt: `Case {n} [${tag}]`,
      model_config: { provider: 'openai', model: 'gpt-4o-mini' },
    }).expect(201);
    return {
      promptId: prompt.body.id as number,
      caseIds: (cases.body.items as { id: number }[]).map((c) => c.id),
    };
  }

  /** Starts an evaluation and waits until `results` of its cases are written. */
  async function startRun(promptId: number, results: number) {
    const created = await post('/evaluations/create', {
      prompt_id: promptId,
      concurrency: 1,
    }).expect(202);
    const id = created.body.id as number;
    await until(
      () => resultCount(id),
      (n) => n >= results,
    );
    return { id, jobId: created.body.job_id as number };
  }

  async function expectEveryResultOnce(id: number, caseIds: number[]) {
    const rows = await allResults(id);
    expect(rows.map((r) => r.test_case_id).sort((a, b) => a - b)).toEqual(
      [...caseIds].sort((a, b) => a - b),
    );
    expect(rows.every((r) => r.status === 'ok')).toBe(true);
  }

  it('finishes the running job before exiting, and takes no new one', async () => {
    const { promptId, caseIds } = await setup(30);
    const a = await startWorker(60);
    const run = await startRun(promptId, 3);
    // B comes up only now, so A holds the job; B is there to take what A must not.
    const b = await startWorker(60);
    expect((await job(run.jobId)).worker_id).toBe(workerIdOf(a));

    void a.stop('SIGTERM');
    // While A finishes its job, a new one goes to B.
    const other = await setup(2);
    const next = await post('/evaluations/create', { prompt_id: other.promptId }).expect(202);
    const exit = await a.exited;
    expect(exit).toEqual({ code: 0, signal: null });

    const done = await evaluation(run.id);
    expect(done.status).toBe('completed');
    await expectEveryResultOnce(run.id, caseIds);
    // Done once, by A, in one attempt: nothing was repeated.
    expect(await job(run.jobId)).toMatchObject({
      status: 'completed',
      attempts: 1,
      worker_id: workerIdOf(a),
    });
    expect(a.output()).toContain('Received SIGTERM: shutting down.');
    expect(a.output()).toContain('Shut down cleanly.');

    const second = await until(() => evaluation(next.body.id), finished);
    expect(second.status).toBe('completed');
    expect((await job(next.body.job_id)).worker_id).toBe(workerIdOf(b));
    expect(fake.count('chat')).toBe(30 + 2);
  });

  it('hands a job that cannot finish within the grace period to another worker: nothing lost, nothing twice', async () => {
    const { promptId, caseIds } = await setup(80);
    // 8 s of grace: 3 s to drain, far less than the ~12 s left of the run.
    const a = await startWorker(8);
    const run = await startRun(promptId, 3);
    const b = await startWorker(60);
    expect((await job(run.jobId)).worker_id).toBe(workerIdOf(a));

    const signalled = Date.now();
    const exit = await a.stop('SIGTERM');
    const stopMs = Date.now() - signalled;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(stopMs).toBeLessThan(8000);
    expect(a.output()).toContain('handed back to the queue for another worker');
    const written = await resultCount(run.id);
    expect(written).toBeLessThan(80);
    // The mirror shows it queued again until a worker takes it.
    const released = await job(run.jobId);
    expect(['queued', 'processing']).toContain(released.status);

    const done = await until(() => evaluation(run.id), finished);
    expect(done.status).toBe('completed');
    await expectEveryResultOnce(run.id, caseIds);
    expect(await job(run.jobId)).toMatchObject({
      status: 'completed',
      attempts: 2,
      worker_id: workerIdOf(b),
    });
    expect(done.summary).toMatchObject({ total: 80, counts: { ok: 80 } });
    // Cases finished by A but not yet written were asked again; nothing else.
    expect(fake.count('chat')).toBeGreaterThanOrEqual(80);
    expect(fake.count('chat')).toBeLessThanOrEqual(80 + 50 + 1);
  });
});

describe('API shutdown and start-up readiness', () => {
  it('on SIGTERM stops accepting connections, answers the request in flight and disconnects Socket.IO clients', async () => {
    const fake = await startFakeLlm({ latencyMs: 400 });
    const database = await createTestDatabase();
    const dataDir = mkdtempSync(join(tmpdir(), 'ps-api-stop-'));
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const ownerKey = `pstudio_${randomBytes(24).toString('base64url')}`;
    const api = startProcess('api', {
      ...(database.url ? { DATABASE_URL: database.url } : {}),
      DATA_DIR: dataDir,
      PORT: String(port),
      RATE_LIMIT_ENABLED: 'false',
      PROMPT_STUDIO_API_KEY: ownerKey,
      OPENAI_API_KEY: API_KEY,
      OPENAI_BASE_URL: `${fake.url}/v1`,
    });
    const call = async (path: string, body: object) => {
      const res = await fetch(`${url}${BASE}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': ownerKey },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as Json };
    };
    try {
      await waitForHttp(`${url}/health/ready`, api);
      const project = await call('/projects/create', { name: 'stopping' });
      await call('/test-cases/bulk', {
        project_id: project.body.id,
        test_cases: Array.from({ length: 8 }, (_, n) => ({ name: `c${n}`, inputs: { n } })),
      });
      const prompt = await call('/prompts/create', {
        project_id: project.body.id,
        name: 'stopping',
        user_prompt: 'Case {n}',
        model_config: { provider: 'openai', model: 'gpt-4o-mini' },
      });
      expect(prompt.status).toBe(201);
      const socket = io(`${url}/prompt-studio`, {
        transports: ['websocket'],
        reconnection: false,
        forceNew: true,
        auth: { apiKey: ownerKey },
      });
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('connect_error', reject);
      });
      const disconnected = new Promise<string>((resolve) => socket.once('disconnect', resolve));

      // A run of 8 × 400 ms, answered when it ends (all-in-one: the API runs the job).
      const inFlight = call('/evaluations/create?wait=true', {
        prompt_id: prompt.body.id,
        concurrency: 1,
      });
      await until(
        () => Promise.resolve(fake.count('chat')),
        (n) => n >= 1,
      );
      api.child.kill('SIGTERM');
      await until(
        () => Promise.resolve(api.output()),
        (out) => out.includes('Received SIGTERM'),
      );
      // No new connections...
      await expect(fetch(`${url}/health/live`)).rejects.toThrow();
      // ...but the request already running gets its answer, and clients are told goodbye.
      const answered = await inFlight;
      expect(answered.status).toBe(200);
      expect(answered.body).toMatchObject({ status: 'completed', summary: { total: 8 } });
      expect(await disconnected).toBe('io server disconnect');
      expect(await api.exited).toEqual({ code: 0, signal: null });
      expect(api.output()).toContain('Shut down cleanly.');
      expect(fake.count('chat')).toBe(8);
    } finally {
      await api.stop('SIGKILL');
      await fake.close();
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('keeps a worker unready until the database is migrated', async () => {
    const database = await createTestDatabase();
    if (!database.url) return; // a worker needs PostgreSQL
    const port = await freePort();
    const worker = startProcess('worker', {
      DATABASE_URL: database.url,
      DB_MIGRATIONS_RUN: 'false',
      REDIS_URL,
      REDIS_KEY_PREFIX: `ps-ready-${randomBytes(4).toString('hex')}`,
      WORKER_PORT: String(port),
    });
    try {
      const unready = await waitForHttp(`http://127.0.0.1:${port}/health/ready`, worker, 503);
      const body = (await unready.json()) as Json;
      expect(body).toMatchObject({
        status: 'unavailable',
        checks: { database: { status: 'down' }, queue: { status: 'up' } },
      });
      expect(body.checks.database.error).toMatch(/migration\(s\) not applied yet/);
      // Liveness is another matter: the process is up.
      expect((await fetch(`http://127.0.0.1:${port}/health/live`)).status).toBe(200);

      execFileSync(
        process.execPath,
        [join(ROOT, 'dist/apps/api/src/admin-cli.js'), 'migration:run'],
        {
          env: { PATH: process.env.PATH ?? '', DATABASE_URL: database.url },
          stdio: 'pipe',
        },
      );
      await waitForHttp(`http://127.0.0.1:${port}/health/ready`, worker, 200);
    } finally {
      await worker.stop('SIGKILL');
      await database.drop();
    }
  });
});
