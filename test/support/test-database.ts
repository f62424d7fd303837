import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

export interface TestDatabase {
  kind: 'postgres' | 'pglite';
  /** Set for PostgreSQL: a database made for this test file alone. */
  url?: string;
  /** Set for PGlite: an in-memory database. */
  dataDir?: string;
  drop(): Promise<void>;
}

const ADMIN_URL =
  process.env.PS_TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function adminQuery(sql: string): Promise<void> {
  const client = new Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * A fresh database for one test file: a new PostgreSQL database when the server is reachable,
 * otherwise an in-memory PGlite, unless PS_REQUIRE_SERVICES=1 (CI), where an unreachable server
 * fails the run instead. `kind: 'pglite'` asks for PGlite explicitly.
 */
export async function createTestDatabase(kind?: 'pglite'): Promise<TestDatabase> {
  if (kind !== 'pglite' && process.env.PS_E2E_DATABASE !== 'pglite') {
    const name = `ps_e2e_${process.pid}_${randomBytes(4).toString('hex')}`;
    try {
      await adminQuery(`CREATE DATABASE ${name}`);
      return {
        kind: 'postgres',
        url: withDatabase(ADMIN_URL, name),
        drop: () => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
      };
    } catch (err) {
      if (process.env.PS_REQUIRE_SERVICES === '1') {
        throw new Error(
          `PostgreSQL is required (PS_REQUIRE_SERVICES=1) but ${ADMIN_URL} failed: ${String(err)}`,
        );
      }
      console.warn(`PostgreSQL unreachable (${String(err)}); this suite runs on PGlite.`);
    }
  }
  return {
    kind: 'pglite',
    dataDir: `memory://e2e-${randomBytes(4).toString('hex')}`,
    drop: () => Promise.resolve(),
  };
}
