import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io, type Socket } from 'socket.io-client';
import type { Response } from 'supertest';
import { freePort, type RunningProcess, startProcess, waitForHttp } from './processes';
import { startTestApp, type TestApp } from './test-app';

const REDIS_URL = process.env.PS_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Something a test starts and the harness closes after it (a fake vendor server). */
interface Closable {
  close(): Promise<void>;
  url: string;
}

export type RunningWorker = RunningProcess & { port: number };

/** A Socket.IO event of the API's /prompt-studio namespace, as received. */
export interface ReceivedEvent<P = Response['body']> {
  name: string;
  payload: P;
}

/**
 * The distributed mode for one spec: the API in this process on PostgreSQL and a Redis key
 * prefix of its own, and worker processes (the built dist/ app) started per test against a fake
 * vendor. The model config is validated by the API with the OpenAI key `apiKey`; only workers
 * reach the fake. `afterEach` stops every worker (workers share the queue: none may take the
 * next test's jobs), socket and fake a test started.
 */
export class WorkerHarness {
  readonly prefix: string;
  private readonly workers: RunningProcess[] = [];
  private readonly fakes: Closable[] = [];
  private readonly sockets: Socket[] = [];
  private readonly scratch: string;
  private apiPort: number | undefined;

  private constructor(
    readonly t: TestApp,
    private readonly apiKey: string,
    prefix: string,
  ) {
    this.prefix = prefix;
    this.scratch = mkdtempSync(join(tmpdir(), `${prefix}-`));
  }

  /** The API (listening on a port when `listen`, for Socket.IO clients) with its own prefix. */
  static async start(options: {
    name: string;
    apiKey: string;
    env?: Record<string, string>;
    listen?: boolean;
    prefix?: string;
  }): Promise<WorkerHarness> {
    const prefix = options.prefix ?? `ps-${options.name}-${randomBytes(4).toString('hex')}`;
    const t = await startTestApp({
      env: {
        REDIS_URL,
        REDIS_KEY_PREFIX: prefix,
        JOB_LEASE_SECONDS: '5',
        JOB_PROGRESS_EVENT_MS: '0',
        // The API validates model configs; only the workers call the model.
        OPENAI_API_KEY: options.apiKey,
        OPENAI_BASE_URL: 'http://127.0.0.1:9/v1',
        ...options.env,
      },
    });
    if (!t.database.url) {
      await t.close();
      throw new Error('The distributed mode needs PostgreSQL.');
    }
    const harness = new WorkerHarness(t, options.apiKey, prefix);
    if (options.listen) {
      await t.app.listen(0, '127.0.0.1');
      harness.apiPort = (t.app.getHttpServer().address() as AddressInfo).port;
    }
    return harness;
  }

  /** Registers a fake vendor server so that it is closed after the test. */
  track<T extends Closable>(fake: T): T {
    this.fakes.push(fake);
    return fake;
  }

  /** A worker process calling `fake` for the OpenAI provider, ready to take jobs. */
  async startWorker(
    fake: { url: string },
    env: Record<string, string> = {},
  ): Promise<RunningWorker> {
    const port = await freePort();
    const worker = startProcess('worker', {
      DATABASE_URL: this.t.database.url!,
      DATA_DIR: mkdtempSync(join(this.scratch, 'worker-')),
      DB_MIGRATIONS_RUN: 'false',
      REDIS_URL,
      REDIS_KEY_PREFIX: this.prefix,
      JOB_LEASE_SECONDS: '5',
      JOB_PROGRESS_EVENT_MS: '0',
      OPENAI_API_KEY: this.apiKey,
      OPENAI_BASE_URL: `${fake.url}/v1`,
      WORKER_PORT: String(port),
      ...env,
    });
    this.workers.push(worker);
    await waitForHttp(`http://127.0.0.1:${port}/health/ready`, worker);
    return Object.assign(worker, { port });
  }

  /** A Socket.IO client of the API, authenticated with the owner key, in the project's room. */
  async listen(projectId: number): Promise<ReceivedEvent[]> {
    if (this.apiPort === undefined) throw new Error('Start the harness with listen: true.');
    const socket = io(`http://127.0.0.1:${this.apiPort}/prompt-studio`, {
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      auth: { apiKey: this.t.ownerKey },
    });
    this.sockets.push(socket);
    const received: ReceivedEvent[] = [];
    socket.onAny((name: string, payload: Response['body']) => received.push({ name, payload }));
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });
    const ack: unknown = await socket
      .timeout(5_000)
      .emitWithAck('subscribe', { entity_type: 'project', entity_id: projectId });
    const room = `project:${projectId}`;
    if (JSON.stringify(ack) !== JSON.stringify({ ok: true, room })) {
      throw new Error(`subscribe to ${room} refused: ${JSON.stringify(ack)}`);
    }
    return received;
  }

  /** Stops what the last test started: workers first (they hold jobs), then sockets and fakes. */
  async afterEach(): Promise<void> {
    await Promise.all(this.workers.splice(0).map((w) => w.stop('SIGKILL')));
    for (const socket of this.sockets.splice(0)) socket.disconnect();
    await Promise.all(this.fakes.splice(0).map((f) => f.close()));
  }

  async close(): Promise<void> {
    await this.afterEach();
    await this.t.close();
    rmSync(this.scratch, { recursive: true, force: true });
  }
}

/** Polls `probe` until `done` says so; the error names the last value seen. */
export async function until<T>(
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 60_000,
  intervalMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`Timed out; last: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Fails with the response body when the status is not the expected one. */
export function expectStatus(res: Response, status: number): void {
  if (res.status !== status) {
    throw new Error(`expected ${status}, got ${res.status}: ${JSON.stringify(res.body)}`);
  }
}
