import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { freePort, type RunningProcess, startProcess, waitForHttp } from '../support/processes';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

/**
 * The owner key of single_user mode is made once per database, not once per DATA_DIR: API
 * processes started with empty DATA_DIRs (a container without a volume, restarted; replicas
 * starting together) find the key the database already holds and make no other. The key itself
 * never reaches the logs: they say where it was saved.
 */

jest.setTimeout(180_000);

describe('owner API key at first start (single_user, PostgreSQL)', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'ps-owner-'));
  const databases: TestDatabase[] = [];

  afterAll(async () => {
    await Promise.all(databases.map((d) => d.drop()));
    rmSync(scratch, { recursive: true, force: true });
  });

  async function freshDatabase(): Promise<string> {
    const database = await createTestDatabase();
    databases.push(database);
    if (!database.url) throw new Error('These checks need PostgreSQL.');
    return database.url;
  }

  async function keysIn(url: string) {
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query<{ prefix: string; scopes: string[]; name: string }>(
        `SELECT k.prefix, k.scopes, k.name FROM api_keys k
         JOIN workspaces w ON w.id = k.workspace_id WHERE w.slug = 'default'`,
      );
      return rows;
    } finally {
      await client.end();
    }
  }

  /** An API process on `url` with a DATA_DIR of its own, empty; resolves once it is ready. */
  async function startApi(
    url: string,
  ): Promise<RunningProcess & { dataDir: string; baseUrl: string }> {
    const dataDir = mkdtempSync(join(scratch, 'data-'));
    const port = await freePort();
    const api = startProcess('api', {
      DATABASE_URL: url,
      DATA_DIR: dataDir,
      PORT: String(port),
      NODE_ENV: 'production',
    });
    await waitForHttp(`http://127.0.0.1:${port}/health/ready`, api, 200, 60_000);
    return Object.assign(api, { dataDir, baseUrl: `http://127.0.0.1:${port}` });
  }

  const keyFile = (dataDir: string) => join(dataDir, 'owner-api-key');

  it('three starts with empty DATA_DIRs make exactly one key, saved once and never logged', async () => {
    const url = await freshDatabase();
    const first = await startApi(url);
    await first.stop();
    expect(existsSync(keyFile(first.dataDir))).toBe(true);
    const key = readFileSync(keyFile(first.dataDir), 'utf8').trim();
    expect(key).toMatch(/^pstudio_/);
    expect(statSync(keyFile(first.dataDir)).mode & 0o777).toBe(0o600);
    expect(first.output()).not.toContain(key);
    expect(first.output()).toContain(`saved to ${keyFile(first.dataDir)}`);

    for (const _ of [2, 3]) {
      const again = await startApi(url);
      // The one key opens every process on this database.
      const res = await fetch(`${again.baseUrl}/api/v1/prompt-studio/projects/list`, {
        headers: { 'x-api-key': key },
      });
      expect(res.status).toBe(200);
      await again.stop();
      expect(existsSync(keyFile(again.dataDir))).toBe(false);
      expect(again.output()).toContain(`the database already holds one (${key.slice(0, 16)}`);
      expect(again.output()).toContain('create-key --workspace default --role owner');
      expect(again.output()).not.toContain(key);
    }
    const keys = await keysIn(url);
    expect(keys).toEqual([
      {
        prefix: key.slice(0, 16),
        scopes: ['read', 'write', 'admin'],
        name: 'Owner key (generated at first start)',
      },
    ]);
  });

  it('two API processes starting at once on a new database make one key between them', async () => {
    const url = await freshDatabase();
    // Both migrate the empty database and bootstrap auth at the same moment.
    const [a, b] = await Promise.all([startApi(url), startApi(url)]);
    await Promise.all([a.stop(), b.stop()]);
    const saved = [a, b].filter((p) => existsSync(keyFile(p.dataDir)));
    expect(saved).toHaveLength(1);
    const keys = await keysIn(url);
    expect(keys).toHaveLength(1);
    const key = readFileSync(keyFile(saved[0].dataDir), 'utf8').trim();
    expect(keys[0].prefix).toBe(key.slice(0, 16));
    for (const p of [a, b]) expect(p.output()).not.toContain(key);
  });
});
