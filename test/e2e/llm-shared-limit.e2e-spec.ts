/**
 * LLM_RPM is one budget for the whole deployment, not per process: two API processes (the built
 * app, as deployed) on the same Redis and database share the requests-per-minute counter of a
 * provider, key and model. 100 concurrent calls over both processes with LLM_RPM=60 must let
 * exactly 60 reach the model within the minute, drawn from both processes; the other 40 wait for
 * the next window (and are abandoned when the test stops the processes).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeLlm, type FakeLlmServer } from '../fakes';
import { freePort, startProcess, waitForHttp, type RunningProcess } from '../support/processes';
import { BASE, randomApiKey } from '../support/test-app';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

const RPM = 60;
const CALLS_PER_PROCESS = 50;
/** How long the budget must hold: long past the moment the first 60 calls were answered. */
const OBSERVE_MS = 5_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Stops a process politely, then for good: calls stuck in the limiter must not hold the run. */
async function stopProcess(proc: RunningProcess): Promise<void> {
  const killer = setTimeout(() => proc.child.kill('SIGKILL'), 10_000);
  try {
    await proc.stop('SIGTERM');
  } finally {
    clearTimeout(killer);
  }
}

describe('LLM rate limit shared by API processes through Redis', () => {
  let database: TestDatabase;
  let fake: FakeLlmServer;
  const processes: RunningProcess[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    fake = await startFakeLlm();
  }, 30_000);

  afterAll(async () => {
    await Promise.all(processes.map(stopProcess));
    await fake?.close();
    await database?.drop();
  }, 30_000);

  it(`lets exactly LLM_RPM=${RPM} of ${2 * CALLS_PER_PROCESS} concurrent calls through, from both processes`, async () => {
    // Two processes cannot share an embedded PGlite; this test needs PostgreSQL.
    expect(database.url).toBeDefined();
    const ownerKey = randomApiKey();
    const env = (): Record<string, string> => ({
      DATABASE_URL: database.url!,
      DATA_DIR: mkdtempSync(join(tmpdir(), 'ps-llm-limit-')),
      AUTH_MODE: 'single_user',
      PROMPT_STUDIO_API_KEY: ownerKey,
      RATE_LIMIT_ENABLED: 'false',
      LOG_LEVEL: 'warn',
      REDIS_URL: process.env.PS_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
      // A prefix of this run's own: counters of earlier runs (60 s windows) must not count.
      REDIS_KEY_PREFIX: `ps-llm-limit-${process.pid}-${randomBytes(4).toString('hex')}`,
      OPENAI_API_KEY: `sk-limit-${randomBytes(8).toString('hex')}`,
      OPENAI_BASE_URL: `${fake.url}/v1`,
      LLM_RPM: String(RPM),
      LLM_MAX_RETRIES: '0',
    });
    const shared = env();

    const ports = [await freePort(), await freePort()];
    // The first process migrates the database; the second starts on the migrated schema.
    const first = startProcess('api', { ...shared, PORT: String(ports[0]) });
    processes.push(first);
    await waitForHttp(`http://127.0.0.1:${ports[0]}/health/ready`, first);
    const second = startProcess('api', {
      ...shared,
      DATA_DIR: mkdtempSync(join(tmpdir(), 'ps-llm-limit-')),
      PORT: String(ports[1]),
      DB_MIGRATIONS_RUN: 'false',
    });
    processes.push(second);
    await waitForHttp(`http://127.0.0.1:${ports[1]}/health/ready`, second);

    const api = (port: number, path: string, body: unknown, signal?: AbortSignal) =>
      fetch(`http://127.0.0.1:${port}${BASE}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': ownerKey },
        body: JSON.stringify(body),
        signal,
      });
    const project = await api(ports[0], '/projects/create', { name: 'shared limit' });
    expect(project.status).toBe(201);
    const projectId = ((await project.json()) as { id: number }).id;
    const prompt = await api(ports[0], '/prompts/create', {
      project_id: projectId,
      name: 'limited',
      user_prompt: 'Call {n}',
    });
    expect(prompt.status).toBe(201);
    const promptId = ((await prompt.json()) as { id: number }).id;

    // Distinct inputs: no answer can come from the cache or an identical in-flight call. The
    // process letter in the input tells which process made each upstream request.
    const abort = new AbortController();
    const answered: string[] = [];
    const failed: string[] = [];
    const calls = ports.flatMap((port, p) =>
      Array.from({ length: CALLS_PER_PROCESS }, (_, i) => {
        const label = `${'AB'[p]}-${i}`;
        return api(
          port,
          `/prompts/${promptId}/execute`,
          { inputs: { n: label }, model_config: { provider: 'openai', model: 'gpt-4o-mini' } },
          abort.signal,
        ).then(
          async (res) => {
            if (res.status === 200) answered.push(label);
            else failed.push(`${label}: ${res.status} ${await res.text()}`);
          },
          (err: unknown) => {
            if (!abort.signal.aborted) failed.push(`${label}: ${String(err)}`);
          },
        );
      }),
    );

    await sleep(OBSERVE_MS);
    try {
      expect(failed).toEqual([]);
      expect(fake.count('chat')).toBe(RPM);
      expect(answered).toHaveLength(RPM);
      const byProcess = { A: 0, B: 0 };
      for (const req of fake.requests) {
        const content = req.messages.find((m) => m.role === 'user')?.content ?? '';
        byProcess[content.startsWith('Call A-') ? 'A' : 'B']++;
      }
      // Both processes drew from the one budget; neither had 60 of its own.
      expect(byProcess.A).toBeGreaterThan(0);
      expect(byProcess.B).toBeGreaterThan(0);
      expect(byProcess.A + byProcess.B).toBe(RPM);
      // Every upstream request is a distinct call: no retries, no duplicates.
      const contents = fake.requests.map((r) => r.messages.at(-1)?.content);
      expect(new Set(contents).size).toBe(RPM);
    } finally {
      // The 40 calls still waiting for the next window are abandoned.
      abort.abort();
      await Promise.all(calls);
      await Promise.all(processes.splice(0).map(stopProcess));
    }
    // Nothing else got through while the processes shut down.
    expect(fake.count('chat')).toBe(RPM);
  }, 90_000);
});
