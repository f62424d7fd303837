import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, ROOT, startProcess, waitForHttp } from '../support/processes';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { randomApiKey } from '../support/test-app';
import { SignJWT } from 'jose';

/** A clean stop closes the database connections and exits with code 0. */
function expectGracefulExit(
  exit: { code: number | null; signal: NodeJS.Signals | null },
  output: string,
): void {
  expect(exit).toEqual({ code: 0, signal: null });
  expect(output).toContain('Received SIGTERM: shutting down.');
  expect(output).toContain('Database connections closed.');
  expect(output).toContain('Shut down cleanly.');
  // Every queue shares one Redis client: that is by design, and must not read as a leak.
  expect(output).not.toContain('MaxListenersExceededWarning');
}

describe('API and worker as separate processes', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
  });

  afterAll(async () => {
    await database.drop();
  });

  /** The database plus a DATA_DIR of its own, where single_user mode saves the owner key. */
  const databaseEnv = (url = database.url): Record<string, string> => ({
    DATA_DIR: mkdtempSync(join(tmpdir(), 'ps-')),
    ...(url ? { DATABASE_URL: url } : {}),
    RATE_LIMIT_ENABLED: 'false',
  });
  const ownerKey = (env: Record<string, string>) =>
    readFileSync(join(env.DATA_DIR, 'owner-api-key'), 'utf8').trim();

  it('runs the API and a worker side by side on one database, both ready, both stop on SIGTERM', async () => {
    const env = databaseEnv();
    const apiPort = await freePort();
    const workerPort = await freePort();
    const api = startProcess('api', { ...env, PORT: String(apiPort) });
    try {
      await waitForHttp(`http://127.0.0.1:${apiPort}/health/ready`, api);
      // The worker starts after the API has migrated the database, as a deployment would.
      const worker = startProcess('worker', {
        ...env,
        WORKER_PORT: String(workerPort),
        DB_MIGRATIONS_RUN: 'false',
        REDIS_URL: process.env.PS_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
        REDIS_KEY_PREFIX: `ps-test-${process.pid}-${Date.now()}`,
      });
      try {
        const ready = await waitForHttp(`http://127.0.0.1:${workerPort}/health/ready`, worker);
        expect(await ready.json()).toMatchObject({
          status: 'ok',
          checks: { database: { status: 'up' }, queue: { status: 'up' } },
        });
        await waitForHttp(`http://127.0.0.1:${workerPort}/health/live`, worker);
        // The worker never serves the public API.
        const api404 = await fetch(
          `http://127.0.0.1:${workerPort}/api/v1/prompt-studio/projects/list`,
        );
        expect(api404.status).toBe(404);
      } finally {
        expectGracefulExit(await worker.stop('SIGTERM'), worker.output());
      }
      const created = await fetch(
        `http://127.0.0.1:${apiPort}/api/v1/prompt-studio/projects/create`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': ownerKey(env) },
          body: JSON.stringify({ name: 'From a real process' }),
        },
      );
      expect(created.status).toBe(201);
    } finally {
      expectGracefulExit(await api.stop('SIGTERM'), api.output());
    }
  });

  it('runs the README walkthrough as printed against a fresh install', async () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const script = /## Walkthrough[\s\S]*?```bash\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(script).toBeDefined();
    const fresh = await createTestDatabase();
    const port = await freePort();
    const env = databaseEnv(fresh.url);
    const api = startProcess('api', { ...env, PORT: String(port) });
    try {
      await waitForHttp(`http://127.0.0.1:${port}/health/ready`, api);
      const output = execFileSync(
        'bash',
        [
          '-euo',
          'pipefail',
          '-c',
          script!.replaceAll(':8000', `:${port}`).replaceAll('./data/', `${env.DATA_DIR}/`),
        ],
        {
          encoding: 'utf8',
        },
      );
      expect(output).not.toContain('"code":');
      expect(output).toContain('"change_description":"Reverted to version 1"');
      expect(output).toContain('"user_prompt":"Customer query: Where is my parcel?');
      expect(output).toContain(
        '"signatures":1,"prompts":1,"prompt_versions":4,"test_cases":2,"golden_test_cases":1',
      );
      expect(output).toContain('"output":"Customer query: Where is my parcel?');
      expect(output).toContain('"status":"completed"');
      // The shipping case has no expected value: not scored (not failed), so 1 of 1 passes.
      expect(output).toContain('"pass_rate":1');
      expect(output).toContain(
        '"not_scored":{"cases":1,"metrics":{"contains":1,"token_overlap":1}}',
      );
      expect(output).toContain('# Evaluation');
    } finally {
      await api.stop();
      await fresh.drop();
    }
  });

  it('never writes API keys or tokens to its logs, even at trace level with SQL logging', async () => {
    const env = databaseEnv();
    const key = randomApiKey();
    const secret = 'log-test-secret-that-is-long-enough-0123456789';
    const port = await freePort();
    const api = startProcess('api', {
      ...env,
      PORT: String(port),
      LOG_LEVEL: 'trace',
      DB_LOGGING: 'true',
      PROMPT_STUDIO_API_KEY: key,
      JWT_SECRET: secret,
    });
    try {
      await waitForHttp(`http://127.0.0.1:${port}/health/ready`, api);
      const token = await new SignJWT({ workspace: 'default' })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('someone')
        .setExpirationTime('5m')
        .sign(new TextEncoder().encode(secret));
      const wrongKey = randomApiKey();
      const url = `http://127.0.0.1:${port}/api/v1/prompt-studio/projects/list`;
      const statuses = [];
      const attempts: Record<string, string>[] = [
        { 'x-api-key': key },
        { 'x-api-key': wrongKey },
        { authorization: `Bearer ${key}` },
        { authorization: `Bearer ${token}` },
        { authorization: `Bearer ${token}x` },
      ];
      for (const headers of attempts) {
        statuses.push((await fetch(url, { headers })).status);
      }
      const created = await fetch(`http://127.0.0.1:${port}/api/v1/prompt-studio/api-keys/create`, {
        method: 'POST',
        headers: { 'x-api-key': key, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'logged?' }),
      });
      const newKey = ((await created.json()) as { key: string }).key;
      statuses.push(created.status);
      expect(statuses).toEqual([200, 401, 200, 401, 401, 201]);
      await api.stop();
      const output = api.output();
      expect(output.length).toBeGreaterThan(1000);
      for (const secretText of [key, wrongKey, token, secret, newKey]) {
        expect(output).not.toContain(secretText);
      }
    } finally {
      await api.stop();
    }
  });

  it('refuses to start with a bad environment and names every bad variable', async () => {
    const api = startProcess('api', { PORT: 'eighty', DATABASE_URL: 'mysql://nope' });
    expect((await api.exited).code).toBe(1);
    expect(api.output()).toContain('Invalid environment for api');
    expect(api.output()).toContain('PORT');
    expect(api.output()).toContain('DATABASE_URL');

    const worker = startProcess('worker', { WORKER_PORT: '-1' });
    expect((await worker.exited).code).toBe(1);
    expect(worker.output()).toContain('WORKER_PORT');

    const noRedis = startProcess('worker', { WORKER_PORT: String(await freePort()) });
    expect((await noRedis.exited).code).toBe(1);
    expect(noRedis.output()).toContain('REDIS_URL: is required');
  });

  it('fails fast when the worker cannot reach its database', async () => {
    if (!database.url) return; // PGlite has no server to lose
    const port = await freePort();
    const worker = startProcess('worker', {
      DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none',
      REDIS_URL: 'redis://127.0.0.1:6379',
      WORKER_PORT: String(port),
    });
    const exit = await worker.exited;
    expect(exit.code).toBe(1);
    expect(worker.output()).toMatch(/ECONNREFUSED|connect/);
  });
});
