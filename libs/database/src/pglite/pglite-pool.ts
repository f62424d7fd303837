import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import { PGlite, types, type Results } from '@electric-sql/pglite';

/**
 * A minimal node-postgres-compatible `Pool` over one embedded PGlite database, handed to
 * TypeORM's postgres driver through its `driver` option.
 *
 * PGlite is a single connection. Sharing it freely between concurrent TypeORM query runners
 * would interleave their transactions (one request's COMMIT ending another's work), so this pool
 * leases the connection exclusively: `connect()` waits until the previous holder releases it.
 * That serialises transactions exactly as PostgreSQL isolation would require for one connection.
 */

type Callback<T> = (err: Error | null, value?: T) => void;

interface PgLikeResult {
  rows: Record<string, unknown>[];
  rowCount: number;
  command: string;
  fields: { name: string; dataTypeID: number }[];
}

const LEADING_COMMAND = /^\s*(?:--[^\n]*\n\s*|\/\*[\s\S]*?\*\/\s*)*([A-Za-z]+)/;

function toPgResult(result: Results | undefined, sql: string): PgLikeResult {
  const rows = (result?.rows ?? []) as Record<string, unknown>[];
  const command = (result?.command ?? LEADING_COMMAND.exec(sql)?.[1] ?? '').toUpperCase();
  return {
    rows,
    rowCount: result?.rowCount ?? result?.affectedRows ?? rows.length,
    command,
    fields: result?.fields ?? [],
  };
}

/** Booleans may arrive as strings or 0/1 from ORM layers; PostgreSQL wants TRUE/FALSE. */
function serializeBoolean(value: unknown): string {
  if (value === true || value === 'true' || value === 1 || value === 't') return 'TRUE';
  if (value === false || value === 'false' || value === 0 || value === 'f') return 'FALSE';
  return String(value);
}

class Lease {
  private queue: (() => void)[] = [];
  private held = false;

  async acquire(timeoutMs: number): Promise<void> {
    if (!this.held) {
      this.held = true;
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const grant = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.queue = this.queue.filter((waiter) => waiter !== grant);
        reject(
          new Error(
            `Timed out after ${timeoutMs} ms waiting for the embedded database connection ` +
              '(a query outside a running transaction on the same request would cause this).',
          ),
        );
      }, timeoutMs);
      this.queue.push(grant);
    });
  }

  release(): void {
    const next = this.queue.shift();
    if (next) next();
    else this.held = false;
  }
}

export interface PGlitePoolOptions {
  dataDir: string;
  /** How long `connect()` waits for the single connection before failing. */
  acquireTimeoutMs?: number;
}

export function createPGliteDriver(options: PGlitePoolOptions): { Pool: unknown } {
  let database: Promise<PGlite> | null = null;
  const lease = new Lease();
  const acquireTimeoutMs = options.acquireTimeoutMs ?? 30_000;

  const open = (): Promise<PGlite> => {
    if (!database) {
      if (!options.dataDir.startsWith('memory://')) mkdirSync(options.dataDir, { recursive: true });
      database = PGlite.create({
        dataDir: options.dataDir,
        serializers: { [types.BOOL]: serializeBoolean },
      });
    }
    return database;
  };

  const run = async (sql: string, params?: unknown[]): Promise<PgLikeResult> => {
    const db = await open();
    if (params && params.length > 0) return toPgResult(await db.query(sql, params), sql);
    // Without parameters the simple protocol runs multi-statement scripts (migrations); like
    // node-postgres, answer with the last statement's result.
    const results = await db.exec(sql);
    return toPgResult(results[results.length - 1], sql);
  };

  class PGliteClient extends EventEmitter {
    query(sql: string, paramsOrCallback?: unknown, callback?: Callback<PgLikeResult>) {
      const params = Array.isArray(paramsOrCallback) ? (paramsOrCallback as unknown[]) : undefined;
      const cb =
        typeof paramsOrCallback === 'function'
          ? (paramsOrCallback as Callback<PgLikeResult>)
          : callback;
      const promise = run(sql, params);
      if (cb) {
        promise.then(
          (result) => cb(null, result),
          (err: Error) => cb(err),
        );
        return undefined;
      }
      return promise;
    }
  }

  class PGlitePool extends EventEmitter {
    constructor(_options?: unknown) {
      super();
    }

    connect(callback: (err: Error | null, client?: PGliteClient, release?: () => void) => void) {
      const acquired = lease.acquire(acquireTimeoutMs).then(() => open());
      acquired.then(
        () => {
          let released = false;
          const release = () => {
            if (released) return;
            released = true;
            lease.release();
          };
          callback(null, new PGliteClient(), release);
        },
        (err: Error) => callback(err),
      );
    }

    async query(sql: string, params?: unknown[]): Promise<PgLikeResult> {
      await lease.acquire(acquireTimeoutMs);
      try {
        return await run(sql, params);
      } finally {
        lease.release();
      }
    }

    end(callback?: (err?: Error | null) => void) {
      const closing = database ? database.then((db) => db.close()) : Promise.resolve();
      database = null;
      closing.then(
        () => callback?.(null),
        (err: Error) => callback?.(err),
      );
    }
  }

  return { Pool: PGlitePool };
}
