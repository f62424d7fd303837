// Evaluation throughput through the full distributed path:
//   HTTP POST /evaluations/create -> API process -> Redis (Bull) -> worker process -> model
//   (the OpenAI wire-protocol fake, fixed latency) -> PostgreSQL
// For each concurrency (default 8 and 64) it starts a worker and runs N cases (default 2000)
// three times on it: on the fresh worker against the model; again against the model with a new
// prompt (nothing cached) on the now warmed worker; and once more identically to the first, every
// answer from the response cache. It reports wall time against the ideal
// N × latency / concurrency, the worker's CPU time per case (utime + stime from /proc/<pid>/stat,
// every thread of the process) and its peak RSS during the run (VmHWM from /proc/<pid>/status,
// reset before each run). A fresh worker's first run also pays V8's one-time optimizing
// compilation of the hot path (1.5–2 s of CPU on background threads, whatever N); the
// warmed run is the per-case cost a long-running worker pays. Needs PostgreSQL and Redis (a
// scratch database is created and dropped) and Linux /proc; run with `npm run bench:evaluation`.
//   BENCH_CASES (default 2000), BENCH_LATENCY_MS (default 50),
//   BENCH_CONCURRENCY (comma-separated, default "8,64"),
//   BENCH_REPEATS (default 1: how many workers, each with its three runs, per concurrency; above 1
//   a second table gives each kind of run's median and range, the machine's noise being ±15%),
//   BENCH_WORKER_NODE_OPTIONS (NODE_OPTIONS of the worker, e.g. --max-old-space-size=128 to tell
//   memory the run keeps from garbage V8 has not collected yet),
//   BENCH_WORKER_NODE_ARGS (node flags of the worker that NODE_OPTIONS refuses, e.g.
//   "--cpu-prof --cpu-prof-dir=/tmp/prof" to profile where its CPU goes, or "--trace-opt" to see
//   what V8 compiles and how long each compilation takes),
//   BENCH_POLL_MS (poll GET /evaluations/{id} at this interval instead of creating the run with
//   wait=true; earlier figures in the README polled every 20 ms, which loads the API and
//   PostgreSQL on the same cores),
//   BENCH_API_NODE_ARGS (the same for the API, e.g. to profile what it spends during a run),
//   BENCH_WORKER_STDOUT (a file the workers' log is appended to; dropped by default),
//   BENCH_WORKER_LOG_LEVEL (the workers' LOG_LEVEL, default warn; info logs each job's start and
//   end, which tells the runs apart in a trace).
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import Redis from 'ioredis';
import { Client } from 'pg';
import { p50 } from '../libs/metrics/src/stats';
import { type FakeLlmServer, type FakeRequest, startFakeLlm } from '../test/fakes/fake-llm';
import { cpuMs, freePort, memoryMb, ready, ROOT, sleep, start, stop } from './bench-support';

const CASES = Number(process.env.BENCH_CASES ?? 2000);
const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 50);
const CONCURRENCIES = (process.env.BENCH_CONCURRENCY ?? '8,64').split(',').map(Number);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 1);
const POLL_MS = Number(process.env.BENCH_POLL_MS ?? 0);
const ENDED = ['completed', 'failed', 'cancelled'];
const ADMIN_URL =
  process.env.PS_TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.PS_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const RUN_TIMEOUT_MS = 600_000;

/** A parsed JSON body: `any`, as JSON.parse returns it. */
type Json = ReturnType<typeof JSON.parse>;

type WorkerState = 'fresh' | 'warmed';

interface RunResult {
  concurrency: number;
  /** fresh: the worker's first run, JIT compilation included; warmed: after one such run. */
  worker: WorkerState;
  cache: 'cold' | 'warm';
  cases: number;
  wall_s: number;
  /** From the create request to the worker starting the run (API, Redis, job pick-up). */
  pickup_s: number;
  ideal_s: number | null;
  efficiency: number | null;
  cases_per_s: number;
  worker_cpu_ms_per_case: number;
  worker_peak_rss_mb: number;
  worker_idle_rss_mb: number;
  /** Per-case model call time as the worker measured it (cache look-up included). */
  call_p50_ms: number | null;
  call_p95_ms: number | null;
  model_calls: number;
  cached: number;
  pass_rate: number | null;
}

class Api {
  constructor(
    readonly base: string,
    private readonly key: string,
  ) {}

  async call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<Json> {
    const res = await fetch(`${this.base}/api/v1/prompt-studio${path}`, {
      method,
      headers: { 'x-api-key': this.key, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (res.status >= 300) throw new Error(`${method} ${path} answered ${res.status}: ${text}`);
    return JSON.parse(text);
  }
}

const caseNumber = (req: FakeRequest) => {
  const last = [...req.messages].reverse().find((m) => m.role === 'user')?.content ?? '';
  return Number(/#(\d+)/.exec(last)?.[1] ?? -1);
};
const label = (n: number) => (n % 2 === 0 ? 'positive' : 'negative');

async function main(): Promise<void> {
  if (process.platform !== 'linux') throw new Error('This benchmark reads /proc: Linux only.');
  if (!Number.isInteger(REPEATS) || REPEATS < 1)
    throw new Error(`BENCH_REPEATS must be a whole number of at least 1, not ${REPEATS}`);
  // Nine of ten answers are right, so scoring and pass/fail have real work to do.
  const fake: FakeLlmServer = await startFakeLlm({
    latencyMs: LATENCY_MS,
    answer: (req) => (caseNumber(req) % 10 === 9 ? 'unsure' : label(caseNumber(req))),
  });
  const db = `ps_bench_eval_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${db}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${db}`;
  const prefix = `ps-bench-eval-${randomBytes(4).toString('hex')}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'ps-bench-eval-'));
  const env: Record<string, string> = {
    DATABASE_URL: url.toString(),
    DATA_DIR: dataDir,
    REDIS_URL,
    REDIS_KEY_PREFIX: prefix,
    RATE_LIMIT_ENABLED: 'false',
    MAX_TEST_CASES_PER_PROJECT: String(Math.max(1000, CASES)),
    OPENAI_API_KEY: 'sk-bench',
    OPENAI_BASE_URL: `${fake.url}/v1`,
    JOB_PROGRESS_EVENT_MS: '1000',
  };
  const apiPort = await freePort();
  const api = start(
    'api',
    { ...env, PORT: String(apiPort) },
    (process.env.BENCH_API_NODE_ARGS ?? '').split(' ').filter(Boolean),
  );
  const results: RunResult[] = [];
  try {
    await ready(`http://127.0.0.1:${apiPort}/health/ready`);
    const http = new Api(
      `http://127.0.0.1:${apiPort}`,
      readFileSync(join(dataDir, 'owner-api-key'), 'utf8').trim(),
    );
    const project = await http.call('POST', '/projects/create', { name: 'evaluation bench' });
    const made = performance.now();
    for (let from = 0; from < CASES; from += 1000) {
      await http.call('POST', '/test-cases/bulk', {
        project_id: project.id,
        test_cases: Array.from({ length: Math.min(1000, CASES - from) }, (_, i) => ({
          name: `case ${from + i}`,
          inputs: { n: from + i, text: `review text number ${from + i}` },
          expected_outputs: { response: label(from + i) },
        })),
      });
    }
    console.error(`created ${CASES} cases in ${Math.round(performance.now() - made)} ms`);

    for (const concurrency of CONCURRENCIES) {
      for (let repeat = 1; repeat <= REPEATS; repeat++) {
        // Prompts of their own per worker, so a cold run finds nothing in the response cache.
        const prompt = (run: string) =>
          http.call('POST', '/prompts/create', {
            project_id: project.id,
            name: `bench c=${concurrency} #${repeat} ${run}`,
            system_prompt: 'You are a sentiment classifier. Answer positive or negative.',
            user_prompt: `Review #{n}: {text} (c=${concurrency}, #${repeat}, ${run})`,
            model_config: { provider: 'openai', model: 'gpt-4o-mini' },
          }) as Promise<{ id: number }>;
        const [first, second] = [await prompt('first'), await prompt('second')];
        const worker = await startWorker(env);
        try {
          for (const [promptId, state, cache] of [
            [first.id, 'fresh', 'cold'],
            [second.id, 'warmed', 'cold'],
            [first.id, 'warmed', 'warm'],
          ] as const) {
            const result = await run(http, worker, fake, promptId, concurrency, state, cache);
            results.push(result);
            console.error(JSON.stringify(result));
          }
        } finally {
          await stop(worker);
        }
      }
    }
  } finally {
    await stop(api);
    await fake.close();
    await admin.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
    await admin.end();
    await dropRedisKeys(prefix);
    rmSync(dataDir, { recursive: true, force: true });
  }
  printTable(results);
  if (REPEATS > 1) printSpread(results);
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  writeFileSync(
    join(ROOT, 'bench/results/evaluation-throughput.json'),
    `${JSON.stringify({ cases: CASES, latency_ms: LATENCY_MS, repeats: REPEATS, results }, null, 2)}\n`,
  );
}

/** A worker of its own for the benchmark, ready to take jobs. */
async function startWorker(env: Record<string, string>): Promise<ChildProcess> {
  const port = await freePort();
  const worker = start(
    'worker',
    {
      ...env,
      DB_MIGRATIONS_RUN: 'false',
      WORKER_PORT: String(port),
      QUEUE_CONCURRENCY_EVALUATION: '1',
      ...(process.env.BENCH_WORKER_LOG_LEVEL
        ? { LOG_LEVEL: process.env.BENCH_WORKER_LOG_LEVEL }
        : {}),
      ...(process.env.BENCH_WORKER_NODE_OPTIONS
        ? { NODE_OPTIONS: process.env.BENCH_WORKER_NODE_OPTIONS }
        : {}),
    },
    (process.env.BENCH_WORKER_NODE_ARGS ?? '').split(' ').filter(Boolean),
    process.env.BENCH_WORKER_STDOUT || undefined,
  );
  try {
    await ready(`http://127.0.0.1:${port}/health/ready`);
  } catch (err) {
    await stop(worker);
    throw err;
  }
  return worker;
}

/** Starts peak RSS (VmHWM) again from the current RSS, so a run's peak is its own. */
function resetPeakRss(pid: number): void {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
  } catch {
    // Not permitted here: the peak then counts from the worker's start.
  }
}

/** One evaluation of every case on the given worker; measures it from request to completion. */
async function run(
  http: Api,
  worker: ChildProcess,
  fake: FakeLlmServer,
  promptId: number,
  concurrency: number,
  state: WorkerState,
  cache: 'cold' | 'warm',
): Promise<RunResult> {
  const pid = worker.pid!;
  resetPeakRss(pid);
  const idleRss = memoryMb(pid, 'VmRSS');
  const cpuBefore = cpuMs(pid);
  const callsBefore = fake.count('chat');
  const started = performance.now();
  const sentAt = Date.now();
  // By default the create request waits for the run (wait=true: the API answers when the run's
  // completion event arrives), as a client of the product would; BENCH_POLL_MS polls instead.
  const created = await http.call('POST', `/evaluations/create${POLL_MS ? '' : '?wait=true'}`, {
    prompt_id: promptId,
    metrics: [{ name: 'exact_match' }, { name: 'token_overlap' }],
    concurrency,
  });
  let evaluation: Json = created;
  while (!ENDED.includes(evaluation.status)) {
    if (performance.now() - started > RUN_TIMEOUT_MS) throw new Error('the run did not end');
    // A run longer than the API's wait answered 202: poll from then on.
    await sleep(POLL_MS || 250);
    evaluation = await http.call('GET', `/evaluations/${created.id}`);
  }
  const wall = (performance.now() - started) / 1000;
  // The stored run, with its summary (read after the clock stopped).
  evaluation = await http.call('GET', `/evaluations/${created.id}`);
  if (evaluation.status !== 'completed') {
    throw new Error(`evaluation ${evaluation.status}: ${evaluation.error}`);
  }
  const cpu = cpuMs(pid) - cpuBefore;
  const summary = evaluation.summary;
  const ideal = cache === 'cold' ? (CASES * LATENCY_MS) / concurrency / 1000 : null;
  return {
    concurrency,
    worker: state,
    cache,
    cases: summary.total,
    wall_s: round(wall, 2),
    pickup_s: round((Date.parse(evaluation.started_at) - sentAt) / 1000, 2),
    ideal_s: ideal === null ? null : round(ideal, 2),
    efficiency: ideal === null ? null : round(ideal / wall, 2),
    cases_per_s: Math.round(summary.total / wall),
    worker_cpu_ms_per_case: round(cpu / summary.total, 3),
    worker_peak_rss_mb: round(memoryMb(pid, 'VmHWM'), 1),
    worker_idle_rss_mb: round(idleRss, 1),
    call_p50_ms: nullableRound(summary.latency_ms.p50),
    call_p95_ms: nullableRound(summary.latency_ms.p95),
    model_calls: fake.count('chat') - callsBefore,
    cached: summary.cached,
    pass_rate: summary.pass_rate,
  };
}

async function dropRedisKeys(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;
const nullableRound = (x: number | null) => (x === null ? null : Math.round(x));

function printTable(results: RunResult[]): void {
  const headers = [
    'concurrency',
    'worker',
    'cache',
    'cases',
    'wall s',
    'pick-up s',
    'ideal s',
    'ideal/wall',
    'cases/s',
    'CPU ms/case',
    'peak RSS MB',
    'idle RSS MB',
    'call p50/p95 ms',
    'model calls',
    'cached',
  ];
  const rows = results.map((r) => [
    String(r.concurrency),
    r.worker,
    r.cache,
    String(r.cases),
    r.wall_s.toFixed(2),
    r.pickup_s.toFixed(2),
    r.ideal_s === null ? '-' : r.ideal_s.toFixed(2),
    r.efficiency === null ? '-' : r.efficiency.toFixed(2),
    String(r.cases_per_s),
    r.worker_cpu_ms_per_case.toFixed(3),
    r.worker_peak_rss_mb.toFixed(1),
    r.worker_idle_rss_mb.toFixed(1),
    `${r.call_p50_ms ?? '-'}/${r.call_p95_ms ?? '-'}`,
    String(r.model_calls),
    String(r.cached),
  ]);
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padStart(widths[i])).join(' | ')} |`;
  console.log(
    `\nEvaluation throughput: ${CASES} cases, model latency ${LATENCY_MS} ms (OpenAI fake), 1 worker\n`,
  );
  console.log(line(headers));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const row of rows) console.log(line(row));
}

/** Median and range of each kind of run (concurrency, worker, cache) over the repeats. */
function printSpread(results: RunResult[]): void {
  const groups = new Map<string, RunResult[]>();
  for (const r of results) {
    const key = `${r.concurrency} ${r.worker} ${r.cache}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const spread = (values: number[], digits: number) =>
    `${p50(values)!.toFixed(digits)} (${Math.min(...values).toFixed(digits)}–${Math.max(
      ...values,
    ).toFixed(digits)})`;
  console.log(`\nOver ${REPEATS} workers per concurrency: median (min–max)\n`);
  console.log('| concurrency | worker | cache | wall s | ideal/wall | CPU ms/case |');
  console.log('|---|---|---|---|---|---|');
  for (const [key, runs] of groups) {
    const [concurrency, worker, cache] = key.split(' ');
    const efficiency = runs.map((r) => r.efficiency).filter((e): e is number => e !== null);
    console.log(
      `| ${concurrency} | ${worker} | ${cache} | ${spread(
        runs.map((r) => r.wall_s),
        2,
      )} | ${efficiency.length ? spread(efficiency, 2) : '-'} | ${spread(
        runs.map((r) => r.worker_cpu_ms_per_case),
        3,
      )} |`,
    );
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
