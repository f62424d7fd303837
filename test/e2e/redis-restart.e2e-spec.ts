import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EVENT_BUS, type EventBus, type ScopedEvent } from '@ps/events';
import { freePort, type RunningProcess, startProcess, waitForHttp } from '../support/processes';
import { BASE, startTestApp, type TestApp } from '../support/test-app';

/**
 * Redis goes away in the middle of a run and comes back empty: the API and the worker reconnect
 * on their own and later jobs complete. A private redis-server keeps the shared one untouched.
 */
describe('Redis restart', () => {
  let redisPort: number;
  let redis: ChildProcess;
  let t: TestApp;
  let worker: RunningProcess;
  let workerPort: number;
  const events: ScopedEvent[] = [];

  const startRedis = async () => {
    redis = spawn(
      'redis-server',
      ['--port', String(redisPort), '--save', '', '--appendonly', 'no'],
      {
        stdio: 'ignore',
      },
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
  };

  beforeAll(async () => {
    redisPort = await freePort();
    await startRedis();
    const redisUrl = `redis://127.0.0.1:${redisPort}`;
    t = await startTestApp({ env: { REDIS_URL: redisUrl, JOB_PROGRESS_EVENT_MS: '0' } });
    if (!t.database.url) throw new Error('This suite needs PostgreSQL.');
    t.app.get<EventBus>(EVENT_BUS).subscribe((event) => events.push(event));
    workerPort = await freePort();
    worker = startProcess('worker', {
      DATABASE_URL: t.database.url,
      DATA_DIR: mkdtempSync(join(tmpdir(), 'ps-worker-')),
      DB_MIGRATIONS_RUN: 'false',
      REDIS_URL: redisUrl,
      WORKER_PORT: String(workerPort),
    });
    await waitForHttp(`http://127.0.0.1:${workerPort}/health/ready`, worker);
  }, 30_000);

  afterAll(async () => {
    await worker.stop('SIGKILL');
    await t.close();
    redis.kill('SIGKILL');
  }, 30_000);

  const completes = async (label: string) => {
    const created = await t.http().post(`${BASE}/jobs/ping`).send({ message: label }).expect(202);
    const deadline = Date.now() + 30_000;
    for (;;) {
      const job = await t.http().get(`${BASE}/jobs/${created.body.id}`).expect(200);
      const seen = events.some(
        (e) =>
          e.event.type === 'job_completed' &&
          (e.event.data as { job_id: number }).job_id === created.body.id,
      );
      if (job.body.status === 'completed' && seen) return job.body;
      if (Date.now() > deadline)
        throw new Error(`job ${label} did not complete: ${JSON.stringify(job.body)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  it('completes jobs before and after Redis restarts', async () => {
    await completes('before');
    redis.kill('SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    // While Redis is down the worker says it is not ready, and enqueueing is refused cleanly.
    const down = await fetch(`http://127.0.0.1:${workerPort}/health/ready`);
    expect(down.status).toBe(503);
    const refused = await t.http().post(`${BASE}/jobs/ping`).send({});
    expect(refused.status).toBe(503);
    expect(refused.body.code).toBe('service_unavailable');
    await startRedis();
    await waitForHttp(`http://127.0.0.1:${workerPort}/health/ready`, worker, 200, 30_000);
    const after = await completes('after');
    expect(after.result).toMatchObject({ message: 'after', pong: true });
  }, 90_000);
});
