import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { EVENT_BUS, type EventBus, type ScopedEvent } from '@ps/events';
import { freePort, type RunningProcess, startProcess, waitForHttp } from '../support/processes';
import { BASE, startTestApp, type TestApp } from '../support/test-app';

const REDIS_URL = process.env.PS_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

async function until<T>(
  probe: () => Promise<T>,
  done: (value: NoInfer<T>) => boolean,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting; last: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('jobs in the all-in-one mode (in-process queue)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ env: { QUEUE_CONCURRENCY_MAINTENANCE: '1' } });
  });

  afterAll(async () => {
    await t.close();
  });

  const job = (id: number) =>
    t
      .http()
      .get(`${BASE}/jobs/${id}`)
      .then((r) => r.body);
  const finished = (j: { status: string }) => !['queued', 'processing'].includes(j.status);

  it('runs a ping job to completion with progress, in the jobs mirror', async () => {
    const created = await t
      .http()
      .post(`${BASE}/jobs/ping`)
      .send({ message: 'hello', steps: 4 })
      .expect(202);
    expect(created.body).toMatchObject({
      queue: 'maintenance',
      type: 'ping',
      status: 'queued',
      attempts: 0,
    });
    const done = await until(() => job(created.body.id), finished);
    expect(done).toMatchObject({
      status: 'completed',
      attempts: 1,
      progress: 100,
      result: { message: 'hello', pong: true, attempt: 1 },
      error: null,
    });
    expect(done.lease_owner).toBeNull();
    // The API ran it itself (all-in-one), and the record keeps saying so after the lease ended.
    expect(done.worker_id).toBe(`api:${hostname()}:${process.pid}`);
    expect(done.request_id).toEqual(expect.any(String));
  });

  it('retries with backoff and then succeeds', async () => {
    const created = await t.http().post(`${BASE}/jobs/ping`).send({ fail_attempts: 2 }).expect(202);
    const done = await until(() => job(created.body.id), finished);
    expect(done).toMatchObject({ status: 'completed', attempts: 3, result: { attempt: 3 } });
    // Backoff 1 s then 2 s between the three attempts.
    expect(
      new Date(done.completed_at).getTime() - new Date(done.started_at).getTime(),
    ).toBeGreaterThanOrEqual(2900);
  });

  it('fails for good after the last attempt, with the error', async () => {
    const created = await t.http().post(`${BASE}/jobs/ping`).send({ fail_attempts: 5 }).expect(202);
    const done = await until(() => job(created.body.id), finished);
    expect(done).toMatchObject({ status: 'failed', attempts: 3 });
    expect(done.error).toContain('Failing attempt 3');
  }, 30_000);

  it('cancels a waiting job at once and a running one at its next step', async () => {
    const running = await t
      .http()
      .post(`${BASE}/jobs/ping`)
      .send({ duration_ms: 4000, steps: 40 })
      .expect(202);
    const waiting = await t.http().post(`${BASE}/jobs/ping`).send({}).expect(202);
    await until(
      () => job(running.body.id),
      (j) => j.status === 'processing',
    );
    const cancelledWaiting = await t
      .http()
      .post(`${BASE}/jobs/cancel/${waiting.body.id}`)
      .expect(200);
    expect(cancelledWaiting.body.status).toBe('cancelled');
    const flagged = await t.http().post(`${BASE}/jobs/cancel/${running.body.id}`).expect(200);
    expect(flagged.body.cancel_requested).toBe(true);
    const stopped = await until(() => job(running.body.id), finished, 5000);
    expect(stopped.status).toBe('cancelled');
    expect(stopped.progress).toBeLessThan(100);
    // The waiting job never ran.
    expect((await job(waiting.body.id)).attempts).toBe(0);
    const again = await t.http().post(`${BASE}/jobs/cancel/${running.body.id}`).expect(409);
    expect(again.body.code).toBe('invalid_state');
  });

  it('runs higher priorities first', async () => {
    const blocker = await t.http().post(`${BASE}/jobs/ping`).send({ duration_ms: 500 }).expect(202);
    await until(
      () => job(blocker.body.id),
      (j) => j.status === 'processing',
    );
    const low = await t.http().post(`${BASE}/jobs/ping`).send({ priority: 1 }).expect(202);
    const high = await t.http().post(`${BASE}/jobs/ping`).send({ priority: 10 }).expect(202);
    const [lowDone, highDone] = await Promise.all([
      until(() => job(low.body.id), finished),
      until(() => job(high.body.id), finished),
    ]);
    expect(new Date(highDone.started_at).getTime()).toBeLessThanOrEqual(
      new Date(lowDone.started_at).getTime(),
    );
  });

  it('lists, filters and summarises jobs; validates input', async () => {
    const list = await t.http().get(`${BASE}/jobs/list?type=ping&status=completed`).expect(200);
    expect(list.body.items.every((j: { status: string }) => j.status === 'completed')).toBe(true);
    const status = await t.http().get(`${BASE}/status`).expect(200);
    expect(status.body).toMatchObject({ queue_backend: 'in-process', stale_leases: 0 });
    const ping = status.body.by_type.find((r: { type: string }) => r.type === 'maintenance/ping');
    expect(ping.completed).toBeGreaterThanOrEqual(3);
    expect(ping.failed).toBeGreaterThanOrEqual(1);
    expect(status.body.success_rate).toBeGreaterThan(0);
    expect(status.body.success_rate).toBeLessThan(1);
    await t.http().get(`${BASE}/jobs/999999`).expect(404);
    const bad = await t
      .http()
      .post(`${BASE}/jobs/ping`)
      .send({ duration_ms: -1, priority: 11 })
      .expect(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'duration_ms',
      'priority',
    ]);
  });
});

describe('jobs in the distributed mode (Bull on Redis, separate worker processes)', () => {
  let t: TestApp;
  let bus: EventBus;
  const events: ScopedEvent[] = [];
  const workers: RunningProcess[] = [];
  const prefix = `ps-test-${randomBytes(4).toString('hex')}`;
  let workerEnv: Record<string, string>;

  const startWorker = async (extra: Record<string, string> = {}) => {
    const port = await freePort();
    const worker = startProcess('worker', { ...workerEnv, WORKER_PORT: String(port), ...extra });
    workers.push(worker);
    await waitForHttp(`http://127.0.0.1:${port}/health/ready`, worker);
    return Object.assign(worker, { port });
  };

  beforeAll(async () => {
    t = await startTestApp({
      env: {
        REDIS_URL,
        REDIS_KEY_PREFIX: prefix,
        JOB_LEASE_SECONDS: '5',
        JOB_PROGRESS_EVENT_MS: '0',
      },
    });
    if (!t.database.url) throw new Error('The distributed-mode suite needs PostgreSQL.');
    bus = t.app.get<EventBus>(EVENT_BUS);
    bus.subscribe((event) => events.push(event));
    workerEnv = {
      DATABASE_URL: t.database.url,
      DATA_DIR: mkdtempSync(join(tmpdir(), 'ps-worker-')),
      DB_MIGRATIONS_RUN: 'false',
      REDIS_URL,
      REDIS_KEY_PREFIX: prefix,
      JOB_LEASE_SECONDS: '5',
      JOB_PROGRESS_EVENT_MS: '0',
      QUEUE_CONCURRENCY_MAINTENANCE: '8',
    };
  });

  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop('SIGKILL')));
    await t.close();
  });

  const job = (id: number) =>
    t
      .http()
      .get(`${BASE}/jobs/${id}`)
      .then((r) => r.body);
  const eventsOf = (id: number) =>
    events
      .filter((e) => (e.event.data as { job_id?: number }).job_id === id)
      .map((e) => e.event.type);

  it('moves a ping job API -> Redis -> worker -> PostgreSQL, with events back through Redis', async () => {
    const worker = await startWorker();
    const created = await t.http().post(`${BASE}/jobs/ping`).send({ steps: 3 }).expect(202);
    const done = await until(
      () => job(created.body.id),
      (j) => j.status === 'completed',
    );
    expect(done.attempts).toBe(1);
    await until(
      () => Promise.resolve(eventsOf(created.body.id)),
      (types) => types.includes('job_completed'),
    );
    expect(eventsOf(created.body.id)).toEqual([
      'job_created',
      'job_started',
      'job_progress',
      'job_progress',
      'job_progress',
      'job_completed',
    ]);
    const status = await t.http().get(`${BASE}/status`).expect(200);
    expect(status.body.queue_backend).toBe('bull');
    const metrics = await (await fetch(`http://127.0.0.1:${worker.port}/metrics`)).text();
    expect(metrics).toContain(
      'prompt_studio_jobs_finished_total{queue="maintenance",type="ping",outcome="completed"} 1',
    );
    expect(metrics).toContain('prompt_studio_job_duration_seconds_bucket');
    await worker.stop();
  });

  it('logs the start and end of each attempt as JSON lines, and the job names its worker', async () => {
    const worker = await startWorker();
    const workerId = `worker:${hostname()}:${worker.child.pid}`;
    const created = await t
      .http()
      .post(`${BASE}/jobs/ping`)
      .send({ steps: 2, fail_attempts: 1 })
      .expect(202);
    const id: number = created.body.id;
    const done = await until(
      () => job(id),
      (j) => j.status === 'completed',
    );
    expect(done).toMatchObject({ attempts: 2, lease_owner: null, worker_id: workerId });
    const linesOf = () =>
      worker
        .output()
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .filter((line) => line.job_id === id);
    const lines = await until(
      () => Promise.resolve(linesOf()),
      (found) => found.length >= 4,
    );
    expect(lines.map((l) => [l.msg, l.attempt, l.outcome])).toEqual([
      ['job started', 1, undefined],
      ['job finished', 1, 'retrying'],
      ['job started', 2, undefined],
      ['job finished', 2, 'completed'],
    ]);
    for (const line of lines) {
      expect(line).toMatchObject({
        queue: 'maintenance',
        type: 'ping',
        max_attempts: 3,
        worker_id: workerId,
      });
    }
    expect(lines[1].error).toBe('Failing attempt 1 of 1 on request.');
    expect(lines[3].duration_ms).toEqual(expect.any(Number));
    expect(lines[3].error).toBeUndefined();
    await worker.stop();
  });

  it('lets a worker finish its running job on SIGTERM before it exits', async () => {
    const worker = await startWorker();
    const created = await t
      .http()
      .post(`${BASE}/jobs/ping`)
      .send({ duration_ms: 1500, steps: 3 })
      .expect(202);
    await until(
      () => job(created.body.id),
      (j) => j.status === 'processing',
    );
    const exit = await worker.stop('SIGTERM');
    expect(exit).toEqual({ code: 0, signal: null });
    const done = await job(created.body.id);
    expect(done).toMatchObject({ status: 'completed', attempts: 1 });
    expect(worker.output()).toContain('Shut down cleanly.');
  });

  it('hands the job of a killed worker to another, which finishes it (2 attempts)', async () => {
    const first = await startWorker();
    const created = await t
      .http()
      .post(`${BASE}/jobs/ping`)
      .send({ duration_ms: 3000, steps: 6 })
      .expect(202);
    const running = await until(
      () => job(created.body.id),
      (j) => j.status === 'processing' && j.progress > 0,
    );
    expect(running.lease_owner).toMatch(/^worker:/);
    await first.stop('SIGKILL');
    const second = await startWorker();
    try {
      const done = await until(
        () => job(created.body.id),
        (j) => j.status === 'completed',
        40_000,
      );
      expect(done.attempts).toBe(2);
      expect(done.lease_owner).toBeNull();
      // The record names the worker that finished it, not the one that died.
      expect(running.worker_id).toBe(`worker:${hostname()}:${first.child.pid}`);
      expect(done.worker_id).toBe(`worker:${hostname()}:${second.child.pid}`);
      // The event travels through Redis after the row is written: wait for it, then make sure
      // no second one follows.
      const completions = () =>
        eventsOf(created.body.id).filter((type) => type === 'job_completed').length;
      await until(
        () => Promise.resolve(completions()),
        (n) => n >= 1,
        10_000,
      );
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(completions()).toBe(1);
    } finally {
      // A worker left running would take the next test's jobs.
      await second.stop();
    }
  }, 60_000);

  it('shares 200 short jobs between two workers, each completed exactly once', async () => {
    const a = await startWorker();
    const b = await startWorker();
    const ids: number[] = [];
    for (let i = 0; i < 200; i++) {
      ids.push((await t.http().post(`${BASE}/jobs/ping`).send({ steps: 1 }).expect(202)).body.id);
    }
    await until(
      () =>
        t
          .http()
          .get(`${BASE}/jobs/list?type=ping&status=completed&per_page=1`)
          .then((r) => r.body.total),
      () => ids.every((id) => eventsOf(id).includes('job_completed')),
      60_000,
    );
    const rows = await Promise.all(ids.map((id) => job(id)));
    expect(rows.every((r) => r.status === 'completed' && r.attempts === 1)).toBe(true);
    for (const id of ids) {
      expect(eventsOf(id).filter((type) => type === 'job_completed')).toHaveLength(1);
    }
    // Both workers took part.
    const runners = new Set(rows.map((r) => (r.result as { worker: string }).worker));
    expect(runners.size).toBe(2);
    await Promise.all([a.stop(), b.stop()]);
  }, 90_000);
});
