// Queue throughput through the full distributed path:
//   HTTP POST /jobs/ping -> API -> Redis (Bull) -> worker process(es) -> PostgreSQL -> job events
// Measures jobs per second with 1 and 2 workers, and the latency from the enqueue answer to the
// job_completed event (p50, p95), measured from the moment the enqueue request is sent. Needs PostgreSQL and Redis; run with `npm run bench:queue`.
//   BENCH_JOBS (default 1000), BENCH_CLIENTS (concurrent enqueuers, default 16),
//   BENCH_WORKER_CONCURRENCY (maintenance-queue concurrency per worker, default 16).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import pg from 'pg';

const JOBS = Number(process.env.BENCH_JOBS ?? 1000);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 16);
const WORKER_CONCURRENCY = process.env.BENCH_WORKER_CONCURRENCY ?? '16';
const ADMIN_URL =
  process.env.PS_TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.PS_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const ROOT = new URL('..', import.meta.url).pathname;

const freePort = () =>
  new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

function start(app, env) {
  const child = spawn(process.execPath, [join(ROOT, 'dist/apps', app, 'src/main.js')], {
    env: { PATH: process.env.PATH, NODE_ENV: 'production', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return child;
}

async function ready(url) {
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} never became ready`);
}

const percentile = (sorted, p) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

const phase = (label, since) =>
  console.error(`  ${label}: ${Math.round(performance.now() - since)} ms`);

async function run(workerCount) {
  const t0 = performance.now();
  const db = `ps_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${db}`);
  phase('created database', t0);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${db}`;
  const prefix = `ps-bench-${randomBytes(4).toString('hex')}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'ps-bench-'));
  const env = {
    DATABASE_URL: url.toString(),
    DATA_DIR: dataDir,
    REDIS_URL,
    REDIS_KEY_PREFIX: prefix,
    RATE_LIMIT_ENABLED: 'false',
    JOB_PROGRESS_EVENT_MS: '1000',
  };
  const apiPort = await freePort();
  const api = start('api', { ...env, PORT: String(apiPort) });
  const workers = [];
  try {
    await ready(`http://127.0.0.1:${apiPort}/health/ready`);
    for (let i = 0; i < workerCount; i++) {
      const port = await freePort();
      workers.push(
        start('worker', {
          ...env,
          DB_MIGRATIONS_RUN: 'false',
          WORKER_PORT: String(port),
          QUEUE_CONCURRENCY_MAINTENANCE: WORKER_CONCURRENCY,
        }),
      );
      await ready(`http://127.0.0.1:${port}/health/ready`);
    }
    phase(`started API and ${workerCount} worker(s)`, t0);
    const key = readFileSync(join(dataDir, 'owner-api-key'), 'utf8').trim();
    const enqueuedAt = new Map();
    const completedAt = new Map();
    const subscriber = new Redis(REDIS_URL);
    await subscriber.subscribe(`${prefix}:events`);
    let resolveAll;
    const allDone = new Promise((resolve) => (resolveAll = resolve));
    subscriber.on('message', (_channel, message) => {
      const { event } = JSON.parse(message);
      if (event.type === 'job_completed') {
        completedAt.set(event.data.job_id, performance.now());
        if (completedAt.size === JOBS) resolveAll();
      }
    });
    const started = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        while (next < JOBS) {
          next++;
          const sentAt = performance.now();
          const res = await fetch(`http://127.0.0.1:${apiPort}/api/v1/prompt-studio/jobs/ping`, {
            method: 'POST',
            headers: { 'x-api-key': key, 'content-type': 'application/json' },
            body: JSON.stringify({ steps: 1 }),
          });
          if (res.status !== 202)
            throw new Error(`enqueue answered ${res.status}: ${await res.text()}`);
          enqueuedAt.set((await res.json()).id, sentAt);
        }
      }),
    );
    const enqueueSeconds = (performance.now() - started) / 1000;
    let timer;
    await Promise.race([
      allDone,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('jobs did not all complete')), 300_000);
      }),
    ]).finally(() => clearTimeout(timer));
    phase('enqueued and completed all jobs', started);
    const totalSeconds = (Math.max(...completedAt.values()) - started) / 1000;
    const latencies = [...enqueuedAt]
      .map(([id, at]) => completedAt.get(id) - at)
      .sort((a, b) => a - b);
    await subscriber.quit();
    return {
      workers: workerCount,
      jobs: JOBS,
      enqueue_rate_per_s: Math.round(JOBS / enqueueSeconds),
      throughput_jobs_per_s: Math.round(JOBS / totalSeconds),
      latency_ms: {
        p50: Math.round(percentile(latencies, 50)),
        p95: Math.round(percentile(latencies, 95)),
        max: Math.round(latencies[latencies.length - 1]),
      },
    };
  } finally {
    const stopping = performance.now();
    await Promise.all(
      [...workers, api].map(
        (child) =>
          new Promise((resolve) => {
            child.once('exit', resolve);
            child.kill('SIGTERM');
          }),
      ),
    );
    phase('stopped processes', stopping);
    const dropping = performance.now();
    await admin.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
    await admin.end();
    phase('dropped database', dropping);
  }
}

const results = [];
for (const workers of [1, 2]) {
  const result = await run(workers);
  results.push(result);
  console.log(JSON.stringify(result));
}
mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
writeFileSync(
  join(ROOT, 'bench/results/queue-throughput.json'),
  `${JSON.stringify(results, null, 2)}\n`,
);
