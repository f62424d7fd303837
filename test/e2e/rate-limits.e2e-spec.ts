import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { Redis } from 'ioredis';
import type { Response } from 'supertest';
import { freePort, type RunningProcess, startProcess, waitForHttp } from '../support/processes';
import { createTestDatabase } from '../support/test-database';
import { BASE, randomApiKey, startTestApp, type TestApp } from '../support/test-app';

/**
 * Per-user, per-operation rate limits: RateLimit-* headers on every authenticated request, 429
 * problem documents with Retry-After once a bucket is used up, separate buckets per operation
 * and per user, public routes never limited, and one shared count across API processes through
 * Redis.
 */

const REDIS_URL = process.env.PS_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const PROBLEM = /^application\/problem\+json/;
const WINDOW = 60;

const unique = () => randomBytes(6).toString('hex');

/** A header that must be an integer within [min, max]. */
function expectIntHeader(value: string | null | undefined, min: number, max: number): number {
  expect(value).toMatch(/^\d+$/);
  const n = Number(value);
  expect(n).toBeGreaterThanOrEqual(min);
  expect(n).toBeLessThanOrEqual(max);
  return n;
}

/** A 429 rate_limited problem document with consistent Retry-After and RateLimit-* headers. */
function expectRateLimited(res: Response, limit: number, operation: string): void {
  expect(res.status).toBe(429);
  expect(res.headers['content-type']).toMatch(PROBLEM);
  expect(res.body).toMatchObject({
    status: 429,
    code: 'rate_limited',
    type: 'urn:prompt-studio:problem:rate_limited',
  });
  const retryAfter = expectIntHeader(res.headers['retry-after'], 1, WINDOW);
  expect(res.body.retry_after).toBe(retryAfter);
  expect(res.body.detail).toBe(
    `Rate limit of ${limit} ${operation} requests per ${WINDOW} s reached; ` +
      `retry in ${retryAfter} s.`,
  );
  expect(res.headers['ratelimit-limit']).toBe(String(limit));
  expect(res.headers['ratelimit-remaining']).toBe('0');
  expect(res.headers['ratelimit-reset']).toBe(String(retryAfter));
}

describe('rate limits in one API process (in-memory counters)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ env: { RATE_LIMIT_ENABLED: 'true' } });
  });

  afterAll(async () => {
    await t.close();
  });

  const createProject = (key = t.ownerKey) =>
    t
      .anonymous()
      .post(`${BASE}/projects/create`)
      .set('X-API-Key', key)
      .send({ name: `rl-${unique()}` });

  /** Uses up the owner's create_project bucket, whatever earlier tests left in it. */
  async function exhaustOwnerCreates(): Promise<Response> {
    for (let i = 0; i <= 10; i++) {
      const res = await createProject();
      if (res.status === 429) return res;
      expect(res.status).toBe(201);
    }
    throw new Error('11 creates in a row were all accepted');
  }

  it('accepts 10 project creates per user and window, counting down, then answers 429', async () => {
    for (let i = 1; i <= 10; i++) {
      const res = await createProject();
      expect(res.status).toBe(201);
      expect(res.headers['ratelimit-limit']).toBe('10');
      expect(res.headers['ratelimit-remaining']).toBe(String(10 - i));
      expectIntHeader(res.headers['ratelimit-reset'], 1, WINDOW);
      expect(res.headers['retry-after']).toBeUndefined();
    }
    const refused = await createProject();
    expectRateLimited(refused, 10, 'create_project');

    // The refused request created nothing.
    const list = await t.http().get(`${BASE}/projects/list`).expect(200);
    expect(list.body.total).toBe(10);
    // Other operations of the same user count in their own bucket (default: 100).
    expect(list.headers['ratelimit-limit']).toBe('100');
    expect(Number(list.headers['ratelimit-remaining'])).toBeGreaterThanOrEqual(90);
    const workspace = await t.http().get(`${BASE}/workspaces/current`).expect(200);
    expect(workspace.headers['ratelimit-limit']).toBe('100');
    expect(Number(workspace.headers['ratelimit-remaining'])).toBe(
      Number(list.headers['ratelimit-remaining']) - 1,
    );
  });

  it('gives every user a bucket of their own', async () => {
    expectRateLimited(await exhaustOwnerCreates(), 10, 'create_project');

    const member = await t
      .http()
      .post(`${BASE}/members/create`)
      .send({ email: `rl-${unique()}@example.com`, role: 'editor' })
      .expect(201);
    const created = await t
      .http()
      .post(`${BASE}/api-keys/create`)
      .send({ name: 'rate-limit test', user_id: member.body.user_id, scopes: ['read', 'write'] })
      .expect(201);
    const editorKey = created.body.key as string;
    expect(editorKey).toMatch(/^pstudio_/);

    for (let i = 1; i <= 10; i++) {
      const res = await createProject(editorKey);
      expect(res.status).toBe(201);
      expect(res.headers['ratelimit-remaining']).toBe(String(10 - i));
    }
    expectRateLimited(await createProject(editorKey), 10, 'create_project');
    // The owner is still limited: the editor's creates neither reset nor share the owner's count.
    expectRateLimited(await createProject(), 10, 'create_project');
  });

  it('counts only authenticated requests: unauthenticated ones are refused with 401 first', async () => {
    for (let i = 0; i < 12; i++) {
      const res = await t
        .anonymous()
        .post(`${BASE}/projects/create`)
        .send({ name: `rl-${unique()}` });
      expect(res.status).toBe(401);
      expect(res.headers['ratelimit-limit']).toBeUndefined();
    }
  });
});

describe('rate limits of the default bucket', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ env: { RATE_LIMIT_ENABLED: 'true', RATE_LIMIT_DEFAULT: '3' } });
  });

  afterAll(async () => {
    await t.close();
  });

  it('limits routes without a @RateLimit bucket, and never public routes', async () => {
    for (let i = 1; i <= 3; i++) {
      const res = await t.http().get(`${BASE}/projects/list`).expect(200);
      expect(res.headers['ratelimit-limit']).toBe('3');
      expect(res.headers['ratelimit-remaining']).toBe(String(3 - i));
    }
    expectRateLimited(await t.http().get(`${BASE}/projects/list`), 3, 'default');
    // One bucket for every default route.
    expectRateLimited(await t.http().get(`${BASE}/workspaces/current`), 3, 'default');
    // create_project is a bucket of its own.
    const created = await t
      .http()
      .post(`${BASE}/projects/create`)
      .send({ name: `rl-${unique()}` })
      .expect(201);
    expect(created.headers['ratelimit-limit']).toBe('10');
    expect(created.headers['ratelimit-remaining']).toBe('9');

    // Public routes: no actor, no count, no headers, with or without credentials.
    for (let i = 0; i < 10; i++) {
      for (const req of [
        t.anonymous().get('/health/live'),
        t.http().get('/health/live'),
        t.http().get('/health/ready'),
      ]) {
        const res = await req;
        expect(res.status).toBe(200);
        expect(res.headers['ratelimit-limit']).toBeUndefined();
        expect(res.headers['retry-after']).toBeUndefined();
      }
    }
    // Still limited afterwards: the health checks did not reset anything either.
    expectRateLimited(await t.http().get(`${BASE}/projects/list`), 3, 'default');
  });
});

describe('rate limits switched off', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({
      env: { RATE_LIMIT_ENABLED: 'false', RATE_LIMIT_CREATE_PROJECT: '1' },
    });
  });

  afterAll(async () => {
    await t.close();
  });

  it('RATE_LIMIT_ENABLED=false limits nothing and sends no RateLimit headers', async () => {
    for (let i = 0; i < 3; i++) {
      const res = await t
        .http()
        .post(`${BASE}/projects/create`)
        .send({ name: `rl-${unique()}` });
      expect(res.status).toBe(201);
      expect(res.headers['ratelimit-limit']).toBeUndefined();
      expect(res.headers['ratelimit-remaining']).toBeUndefined();
    }
  });
});

describe('rate limits while Redis is unreachable', () => {
  let t: TestApp;
  let warn: jest.SpyInstance;

  beforeAll(async () => {
    warn = jest.spyOn(Logger.prototype, 'warn');
    // A port nothing listens on.
    const port = await freePort();
    t = await startTestApp({
      env: {
        RATE_LIMIT_ENABLED: 'true',
        RATE_LIMIT_CREATE_PROJECT: '2',
        REDIS_URL: `redis://127.0.0.1:${port}`,
        REDIS_KEY_PREFIX: `ps-e2e-${unique()}`,
      },
    });
  });

  afterAll(async () => {
    await t.close();
    warn.mockRestore();
  });

  it('falls back to per-process limits, with a warning, instead of failing requests', async () => {
    for (let i = 1; i <= 2; i++) {
      const res = await t
        .http()
        .post(`${BASE}/projects/create`)
        .send({ name: `rl-${unique()}` });
      expect(res.status).toBe(201);
      expect(res.headers['ratelimit-remaining']).toBe(String(2 - i));
    }
    expectRateLimited(
      await t
        .http()
        .post(`${BASE}/projects/create`)
        .send({ name: `rl-${unique()}` }),
      2,
      'create_project',
    );
    await t.http().get(`${BASE}/projects/list`).expect(200);
    const warnings = warn.mock.calls.map((args: unknown[]) => String(args[0]));
    expect(warnings.filter((m) => m.startsWith('Redis is unreachable'))).toHaveLength(1);
  });
});

describe('rate limits shared by two API processes through Redis', () => {
  it('counts creates sent to either process against one limit per user', async () => {
    const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
    expect(await redis.ping()).toBe('PONG');
    // A prefix of this run's own, so runs (and other suites) never share counters.
    const prefix = `ps-e2e-${unique()}`;
    const database = await createTestDatabase();
    const processes: RunningProcess[] = [];
    try {
      if (!database.url) {
        throw new Error('Two API processes need PostgreSQL: they cannot share a PGlite database.');
      }
      const ownerKey = randomApiKey();
      const common = {
        DATABASE_URL: database.url,
        PROMPT_STUDIO_API_KEY: ownerKey,
        REDIS_URL,
        REDIS_KEY_PREFIX: prefix,
        RATE_LIMIT_ENABLED: 'true',
      };
      const ports: number[] = [];
      while (ports.length < 2) {
        const port = await freePort();
        if (!ports.includes(port)) ports.push(port);
      }
      // One after the other, so the second finds the database migrated.
      for (const port of ports) {
        const api = startProcess('api', {
          ...common,
          DATA_DIR: mkdtempSync(join(tmpdir(), 'ps-rl-')),
          PORT: String(port),
        });
        processes.push(api);
        await waitForHttp(`http://127.0.0.1:${port}/health/ready`, api);
      }

      const call = (port: number, path: string, init: RequestInit = {}) =>
        fetch(`http://127.0.0.1:${port}${BASE}${path}`, {
          ...init,
          headers: { 'content-type': 'application/json', 'x-api-key': ownerKey },
        });
      const create = (port: number) =>
        call(port, '/projects/create', {
          method: 'POST',
          body: JSON.stringify({ name: `rl-${unique()}` }),
        });

      for (let i = 1; i <= 10; i++) {
        const res = await create(ports[i % 2]);
        expect(res.status).toBe(201);
        expect(res.headers.get('ratelimit-limit')).toBe('10');
        // The count is shared: each process sees the other's requests.
        expect(res.headers.get('ratelimit-remaining')).toBe(String(10 - i));
      }
      for (const port of ports) {
        const refused = await create(port);
        expect(refused.status).toBe(429);
        expect(refused.headers.get('content-type')).toMatch(PROBLEM);
        const retryAfter = expectIntHeader(refused.headers.get('retry-after'), 1, WINDOW);
        const body = (await refused.json()) as { code: string; retry_after: number };
        expect(body.code).toBe('rate_limited');
        expect(body.retry_after).toBe(retryAfter);
      }

      // The counter lives in Redis under the configured prefix, keyed by user.
      const me = await call(ports[0], '/workspaces/current');
      expect(me.status).toBe(200);
      const { user_id: userId } = (await me.json()) as { user_id: number };
      expect(await redis.get(`${prefix}:rl:create_project:${userId}`)).toBe('12');
      const ttl = await redis.ttl(`${prefix}:rl:create_project:${userId}`);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(WINDOW);
      for (const api of processes) expect(api.output()).not.toContain('Redis is unreachable');
    } finally {
      const exits = [];
      for (const api of processes.reverse()) exits.push(await api.stop('SIGTERM'));
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length) await redis.del(...keys);
      await redis.quit();
      await database.drop();
      // Both shut down cleanly, closing their Redis connections.
      for (const exit of exits) expect(exit).toEqual({ code: 0, signal: null });
    }
  }, 120_000);
});
