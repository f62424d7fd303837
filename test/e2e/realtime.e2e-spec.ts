import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { io, type Socket as IoClient } from 'socket.io-client';
import WebSocket from 'ws';
import { ApiConfig } from '@ps/config';
import { DataSource } from '@ps/database';
import {
  EVENT_BUS,
  type EventBus,
  type EventType,
  type JobEventData,
  makeEvent,
  type StudioEvent,
} from '@ps/events';
import { createKey } from '../../apps/api/src/admin/admin-commands';
import { ApiModule } from '../../apps/api/src/api.module';
import { configureApp } from '../../apps/api/src/configure-app';
import { RealtimeHub } from '../../apps/api/src/realtime/realtime-hub.service';
import { freePort, type RunningProcess, startProcess, waitForHttp } from '../support/processes';
import { BASE, startTestApp, type TestApp } from '../support/test-app';

/**
 * Live events over the three transports (Socket.IO, plain WebSocket, Server-Sent Events):
 * delivery by room, tenancy, authentication, protocol errors, heartbeats, clean-up, and the
 * Redis bus carrying an event from one API process to a client of another.
 */

const REDIS_URL = process.env.PS_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const unique = () => randomBytes(6).toString('hex');

/** What a client received, and a way to wait for a matching item. */
class Inbox<T> {
  readonly items: T[] = [];
  private readonly waiters = new Set<() => void>();

  push(item: T): void {
    this.items.push(item);
    for (const waiter of [...this.waiters]) waiter();
  }

  waitFor(predicate: (item: T) => boolean, timeoutMs = 5_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const found = this.items.find(predicate);
        if (found === undefined) return false;
        cleanup();
        resolve(found);
        return true;
      };
      const waiter = () => void check();
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`Timed out; received ${JSON.stringify(this.items)}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
      };
      if (!check()) this.waiters.add(waiter);
    });
  }
}

interface SseFrame {
  id?: string;
  event?: string;
  data?: string;
  comment?: string;
}

/** Everything a test opened, closed after each test. */
const opened: (() => void)[] = [];
afterEach(() => {
  for (const close of opened.splice(0)) close();
});

function connectIo(
  port: number,
  options: { auth?: Record<string, string>; headers?: Record<string, string> } = {},
): Promise<{ socket: IoClient; inbox: Inbox<{ name: string; payload: unknown }> }> {
  const socket = io(`http://127.0.0.1:${port}/prompt-studio`, {
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    auth: options.auth ?? {},
    extraHeaders: options.headers,
  });
  opened.push(() => socket.disconnect());
  const inbox = new Inbox<{ name: string; payload: unknown }>();
  socket.onAny((name: string, payload: unknown) => inbox.push({ name, payload }));
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve({ socket, inbox }));
    socket.once('connect_error', reject);
  });
}

const ioSubscribe = (socket: IoClient, entity_type: string, entity_id: unknown) =>
  socket.timeout(5_000).emitWithAck('subscribe', { entity_type, entity_id });

type WsError = Error & { status?: number; body?: string };

function openWs(
  port: number,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ ws: WebSocket; inbox: Inbox<Record<string, unknown>> }> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, { headers });
  opened.push(() => ws.terminate());
  const inbox = new Inbox<Record<string, unknown>>();
  ws.on('message', (data: Buffer) => inbox.push(JSON.parse(data.toString('utf8'))));
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws, inbox }));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () =>
        reject(
          Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode, body }),
        ),
      );
    });
    // Also swallows the error a later terminate() of a refused handshake emits.
    ws.on('error', reject);
  });
}

const wsSend = (ws: WebSocket, message: unknown) =>
  ws.send(typeof message === 'string' ? message : JSON.stringify(message));

/** An SSE request read with fetch; frames land in the inbox as they arrive. */
async function openSse(port: number, query: string, key?: string) {
  const controller = new AbortController();
  opened.push(() => controller.abort());
  const res = await fetch(`http://127.0.0.1:${port}${BASE}/events?${query}`, {
    headers: key ? { 'x-api-key': key } : {},
    signal: controller.signal,
  });
  const inbox = new Inbox<SseFrame>();
  if (res.ok && res.body) {
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    void (async () => {
      let buffer = '';
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return;
          buffer += decoder.decode(value, { stream: true });
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const frame: SseFrame = {};
            for (const line of buffer.slice(0, end).split('\n')) {
              if (line.startsWith(':')) frame.comment = line.slice(1).trim();
              const match = /^(id|event|data): ?(.*)$/.exec(line);
              if (match) frame[match[1] as 'id' | 'event' | 'data'] = match[2];
            }
            buffer = buffer.slice(end + 2);
            inbox.push(frame);
          }
        }
      } catch {
        // Aborted by the test.
      }
    })();
  }
  return { res, inbox, close: () => controller.abort() };
}

const jobData = (jobId: number, status: JobEventData['status'], progress: number) => ({
  job_id: jobId,
  queue: 'evaluation',
  type: 'run-evaluation',
  entity_type: null,
  entity_id: null,
  status,
  progress,
  attempts: 1,
});

const JOB_SEQUENCE: [EventType, JobEventData['status'], number][] = [
  ['job_started', 'processing', 0],
  ['job_progress', 'processing', 50],
  ['job_completed', 'completed', 100],
];

async function insertJob(dataSource: DataSource, projectId: number): Promise<number> {
  const rows: { id: string }[] = await dataSource.query(
    `INSERT INTO jobs (workspace_id, project_id, queue, type, entity_type, entity_id, status,
                       priority, attempts, max_attempts, progress, payload, cancel_requested)
     SELECT p.workspace_id, p.id, 'evaluation', 'run-evaluation', NULL, NULL, 'queued',
            5, 0, 3, 0, '{}'::jsonb, false
       FROM projects p WHERE p.id = $1
     RETURNING id`,
    [projectId],
  );
  return Number(rows[0].id);
}

async function workspaceOf(dataSource: DataSource, projectId: number): Promise<number> {
  const rows: { workspace_id: string }[] = await dataSource.query(
    'SELECT workspace_id FROM projects WHERE id = $1',
    [projectId],
  );
  return Number(rows[0].workspace_id);
}

const portOf = (app: NestExpressApplication) =>
  (app.getHttpServer() as { address(): AddressInfo }).address().port;

describe('realtime events in one API process', () => {
  let t: TestApp;
  let port: number;
  let bus: EventBus;
  let dataSource: DataSource;
  let ownerKey: string;
  let otherKey: string;
  let workspaceId: number;
  let otherWorkspaceId: number;
  let projectA: number;
  let projectB: number;
  let otherProject: number;
  let jobA: number;
  let jobB: number;

  const publish = (workspace: number, event: StudioEvent) =>
    bus.publish({ workspace_id: workspace, event });

  const createProject = async (key: string) => {
    const res = await t
      .anonymous()
      .post(`${BASE}/projects/create`)
      .set('X-API-Key', key)
      .send({ name: `rt ${unique()}` })
      .expect(201);
    return res.body.id as number;
  };

  beforeAll(async () => {
    t = await startTestApp({ env: { SSE_HEARTBEAT_SECONDS: '1' } });
    await t.app.listen(0, '127.0.0.1');
    port = portOf(t.app);
    bus = t.app.get<EventBus>(EVENT_BUS);
    dataSource = t.app.get(DataSource);
    ownerKey = t.ownerKey;
    const other = await createKey(dataSource, { workspace: 'other', role: 'owner' });
    otherKey = other.key;
    otherWorkspaceId = other.workspaceId;
    projectA = await createProject(ownerKey);
    projectB = await createProject(ownerKey);
    otherProject = await createProject(otherKey);
    workspaceId = await workspaceOf(dataSource, projectA);
    jobA = await insertJob(dataSource, projectA);
    jobB = await insertJob(dataSource, projectB);
    expect(workspaceId).not.toBe(otherWorkspaceId);
  });

  afterAll(async () => {
    await t.close();
  });

  it('delivers a job’s events to Socket.IO, WebSocket and SSE clients subscribed to it', async () => {
    const ioClient = await connectIo(port, { auth: { apiKey: ownerKey } });
    expect(await ioSubscribe(ioClient.socket, 'job', jobA)).toEqual({
      ok: true,
      room: `job:${jobA}`,
    });

    const wsClient = await openWs(port, '/ws/prompt-studio', { 'x-api-key': ownerKey });
    wsSend(wsClient.ws, { type: 'subscribe', entity_type: 'job', entity_id: jobA });
    expect(await wsClient.inbox.waitFor((m) => m.type !== undefined)).toEqual({
      type: 'subscribed',
      data: { entity_type: 'job', entity_id: jobA },
    });

    const sse = await openSse(port, `entity_type=job&entity_id=${jobA}`, ownerKey);
    expect(sse.res.status).toBe(200);
    await sse.inbox.waitFor((f) => f.event === 'subscribed');

    const sent = JOB_SEQUENCE.map(([type, status, progress]) =>
      makeEvent(type, jobData(jobA, status, progress), projectA),
    );
    for (const event of sent) await publish(workspaceId, event);

    const isLast = (type: unknown) => type === 'job_completed';
    await ioClient.inbox.waitFor((m) => isLast(m.name));
    await wsClient.inbox.waitFor((m) => isLast(m.type));
    await sse.inbox.waitFor((f) => isLast(f.event));

    // Socket.IO: each event under its type name, the whole wire event as payload.
    expect(ioClient.inbox.items).toEqual(sent.map((e) => ({ name: e.type, payload: e })));
    // WebSocket: `{type, data, project_id, timestamp}`, never the workspace wrapper.
    expect(wsClient.inbox.items.slice(1)).toEqual(sent);
    for (const m of wsClient.inbox.items) expect(m).not.toHaveProperty('workspace_id');
    // SSE: numbered frames named by type with the event as JSON data.
    const frames = sse.inbox.items.filter((f) => f.event !== undefined);
    expect(frames.map((f) => f.event)).toEqual([
      'subscribed',
      'job_started',
      'job_progress',
      'job_completed',
    ]);
    expect(frames.slice(1).map((f) => JSON.parse(f.data!))).toEqual(sent);
    const ids = frames.map((f) => Number(f.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('delivers by project too, once per client even when several of its rooms match', async () => {
    const ioClient = await connectIo(port, { auth: { token: ownerKey } });
    expect(await ioSubscribe(ioClient.socket, 'project', String(projectA))).toEqual({
      ok: true,
      room: `project:${projectA}`,
    });
    expect((await ioSubscribe(ioClient.socket, 'job', jobA)).ok).toBe(true);

    const wsClient = await openWs(port, `/ws/prompt_studio?client_id=x&api_key=${ownerKey}`);
    wsSend(wsClient.ws, { type: 'subscribe', entity_type: 'project', entity_id: projectA });
    wsSend(wsClient.ws, { type: 'subscribe', entity_type: 'job', entity_id: jobA });
    // Both acknowledgements, in whichever order the two subscriptions complete.
    for (const kind of ['project', 'job']) {
      await wsClient.inbox.waitFor(
        (m) => m.type === 'subscribed' && (m.data as { entity_type: string }).entity_type === kind,
      );
    }

    const progress = makeEvent('job_progress', jobData(jobA, 'processing', 10), projectA);
    const evaluation = makeEvent(
      'evaluation_progress',
      { evaluation_id: 77, completed: 1, total: 2, progress: 50 },
      projectA,
    );
    await publish(workspaceId, progress);
    await publish(workspaceId, evaluation);
    await ioClient.inbox.waitFor((m) => m.name === 'evaluation_progress');
    await wsClient.inbox.waitFor((m) => m.type === 'evaluation_progress');

    expect(ioClient.inbox.items).toEqual([
      { name: 'job_progress', payload: progress },
      { name: 'evaluation_progress', payload: evaluation },
    ]);
    expect(wsClient.inbox.items.filter((m) => m.type !== 'subscribed')).toEqual([
      progress,
      evaluation,
    ]);
  });

  it('never delivers events of rooms a client did not subscribe to, or left', async () => {
    const ioClient = await connectIo(port, { headers: { 'x-api-key': ownerKey } });
    expect((await ioSubscribe(ioClient.socket, 'job', jobA)).ok).toBe(true);
    expect((await ioSubscribe(ioClient.socket, 'project', projectB)).ok).toBe(true);
    expect(
      await ioClient.socket
        .timeout(5_000)
        .emitWithAck('unsubscribe', { entity_type: 'job', entity_id: jobA }),
    ).toEqual({ ok: true, room: `job:${jobA}` });

    const wsClient = await openWs(port, '/ws/prompt-studio', {
      authorization: `Bearer ${ownerKey}`,
    });
    wsSend(wsClient.ws, { type: 'subscribe', entity_type: 'job', entity_id: jobB });
    await wsClient.inbox.waitFor((m) => m.type === 'subscribed');

    const sse = await openSse(port, `entity_type=project&entity_id=${projectB}`, ownerKey);
    await sse.inbox.waitFor((f) => f.event === 'subscribed');

    // Not for them: the job the Socket.IO client left, another project, another job.
    await publish(workspaceId, makeEvent('job_progress', jobData(jobA, 'processing', 1), projectA));
    await publish(
      workspaceId,
      makeEvent('optimization_started', { optimization_id: 5, strategy: 'gepa' }, projectA),
    );
    await publish(workspaceId, makeEvent('job_started', jobData(jobA, 'processing', 0), null));
    // For all three: project B's room and job B's room.
    const marker = makeEvent('job_completed', jobData(jobB, 'completed', 100), projectB);
    await publish(workspaceId, marker);

    await ioClient.inbox.waitFor((m) => m.name === 'job_completed');
    await wsClient.inbox.waitFor((m) => m.type === 'job_completed');
    await sse.inbox.waitFor((f) => f.event === 'job_completed');
    expect(ioClient.inbox.items).toEqual([{ name: 'job_completed', payload: marker }]);
    expect(wsClient.inbox.items.filter((m) => m.type !== 'subscribed')).toEqual([marker]);
    expect(
      sse.inbox.items.filter((f) => f.event !== undefined && f.event !== 'subscribed'),
    ).toEqual([expect.objectContaining({ event: 'job_completed', data: JSON.stringify(marker) })]);
  });

  it('keeps another workspace out: not_found on subscribe, and none of the events', async () => {
    const ioOther = await connectIo(port, { auth: { apiKey: otherKey } });
    for (const [type, id] of [
      ['job', jobA],
      ['project', projectA],
    ] as const) {
      expect(await ioSubscribe(ioOther.socket, type, id)).toEqual({
        ok: false,
        code: 'not_found',
        detail: expect.stringMatching(/was not found/),
      });
    }
    expect(await ioSubscribe(ioOther.socket, 'project', otherProject)).toEqual({
      ok: true,
      room: `project:${otherProject}`,
    });

    const wsOther = await openWs(port, `/ws/prompt-studio?token=${otherKey}`);
    wsSend(wsOther.ws, { type: 'subscribe', entity_type: 'job', entity_id: jobA });
    expect(await wsOther.inbox.waitFor((m) => m.type === 'error')).toEqual({
      type: 'error',
      data: expect.objectContaining({ code: 'not_found', entity_type: 'job', entity_id: jobA }),
    });
    wsSend(wsOther.ws, { type: 'subscribe', entity_type: 'project', entity_id: otherProject });
    await wsOther.inbox.waitFor((m) => m.type === 'subscribed');

    for (const query of [
      `entity_type=job&entity_id=${jobA}`,
      `entity_type=project&entity_id=${projectA}`,
    ]) {
      const refused = await openSse(port, query, otherKey);
      expect(refused.res.status).toBe(404);
      expect(refused.res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(await refused.res.json()).toMatchObject({ code: 'not_found', status: 404 });
    }
    const sseOther = await openSse(port, `entity_type=project&entity_id=${otherProject}`, otherKey);
    await sseOther.inbox.waitFor((f) => f.event === 'subscribed');

    for (const [type, status, progress] of JOB_SEQUENCE) {
      await publish(workspaceId, makeEvent(type, jobData(jobA, status, progress), projectA));
    }
    // A publisher that named the other workspace's project id by mistake still cannot reach
    // it: rooms are per workspace.
    await publish(workspaceId, makeEvent('job_failed', jobData(jobA, 'failed', 0), otherProject));
    const marker = makeEvent('test_cases_generated', { count: 3 }, otherProject);
    await publish(otherWorkspaceId, marker);

    await ioOther.inbox.waitFor((m) => m.name === 'test_cases_generated');
    await wsOther.inbox.waitFor((m) => m.type === 'test_cases_generated');
    await sseOther.inbox.waitFor((f) => f.event === 'test_cases_generated');
    expect(ioOther.inbox.items).toEqual([{ name: 'test_cases_generated', payload: marker }]);
    expect(
      wsOther.inbox.items.filter((m) => !['subscribed', 'error'].includes(m.type as string)),
    ).toEqual([marker]);
    expect(
      sseOther.inbox.items.filter((f) => f.event !== undefined && f.event !== 'subscribed'),
    ).toEqual([expect.objectContaining({ event: 'test_cases_generated' })]);
  });

  describe('refuses unauthenticated clients', () => {
    it('Socket.IO: connect_error naming the problem code', async () => {
      await expect(connectIo(port)).rejects.toMatchObject({
        message: 'unauthenticated',
        data: { code: 'unauthenticated', detail: expect.any(String) },
      });
      await expect(
        connectIo(port, { auth: { apiKey: 'pstudio_notarealkey_0123456789abcdef' } }),
      ).rejects.toMatchObject({ message: 'invalid_credentials' });
      await expect(connectIo(port, { auth: { token: 'not-a-jwt' } })).rejects.toMatchObject({
        data: { code: 'invalid_credentials' },
      });
    });

    it('WebSocket: an HTTP 401 problem instead of the upgrade', async () => {
      const missing = (await openWs(port, '/ws/prompt-studio').catch((e: unknown) => e)) as WsError;
      expect(missing.status).toBe(401);
      expect(JSON.parse(missing.body!)).toMatchObject({ code: 'unauthenticated', status: 401 });
      const wrong = (await openWs(
        port,
        '/ws/prompt-studio?api_key=pstudio_wrongwrongwrongwrongwrong',
      ).catch((e: unknown) => e)) as WsError;
      expect(wrong.status).toBe(401);
      expect(JSON.parse(wrong.body!)).toMatchObject({ code: 'invalid_credentials' });
    });

    it('WebSocket: 403 for a browser page of a foreign origin, even with a key', async () => {
      const foreign = (await openWs(port, `/ws/prompt-studio?api_key=${ownerKey}`, {
        origin: 'https://evil.example',
      }).catch((e: unknown) => e)) as WsError;
      expect(foreign.status).toBe(403);
      expect(JSON.parse(foreign.body!)).toMatchObject({ code: 'forbidden' });
    });

    it('drops upgrades on paths nobody serves, and still serves Socket.IO and WebSocket', async () => {
      const stray = (await openWs(port, `/ws/elsewhere?api_key=${ownerKey}`).catch(
        (e: unknown) => e,
      )) as WsError;
      expect(String(stray)).toMatch(/socket hang up|ECONNRESET/);
      expect(stray.status).toBeUndefined();
      await openWs(port, `/ws/prompt-studio?api_key=${ownerKey}`);
      await connectIo(port, { auth: { apiKey: ownerKey } });
    });

    it('SSE: 401 before any stream', async () => {
      const res = await openSse(port, `entity_type=job&entity_id=${jobA}`);
      expect(res.res.status).toBe(401);
      expect(await res.res.json()).toMatchObject({ code: 'unauthenticated' });
    });
  });

  it('WebSocket: answers malformed messages with errors and keeps the connection usable', async () => {
    const { ws, inbox } = await openWs(port, '/ws/prompt-studio', { 'x-api-key': ownerKey });
    wsSend(ws, '{not json');
    expect(await inbox.waitFor((m) => m.type === 'error')).toEqual({
      type: 'error',
      data: { code: 'invalid_json', detail: expect.any(String) },
    });
    wsSend(ws, { type: 'dance' });
    wsSend(ws, { type: 'subscribe', entity_type: 'prompt', entity_id: 1 });
    wsSend(ws, { type: 'subscribe', entity_type: 'job', entity_id: -4 });
    wsSend(ws, { type: 'ping' });
    await inbox.waitFor((m) => m.type === 'pong');
    expect(inbox.items.map((m) => (m.data as { code?: string } | undefined)?.code)).toEqual([
      'invalid_json',
      'validation_failed',
      'validation_failed',
      'validation_failed',
      undefined,
    ]);
    expect(ws.readyState).toBe(WebSocket.OPEN);
    wsSend(ws, { type: 'subscribe', entity_type: 'job', entity_id: jobA });
    await inbox.waitFor((m) => m.type === 'subscribed');
    const event = makeEvent('job_progress', jobData(jobA, 'processing', 99), projectA);
    await publish(workspaceId, event);
    expect(await inbox.waitFor((m) => m.type === 'job_progress')).toEqual(event);
  });

  it('SSE: stream headers, a first `subscribed` event and heartbeats', async () => {
    const sse = await openSse(port, `entity_type=project&entity_id=${projectA}`, ownerKey);
    expect(sse.res.status).toBe(200);
    expect(sse.res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(sse.res.headers.get('cache-control')).toMatch(/no-cache/);
    expect(sse.res.headers.get('x-accel-buffering')).toBe('no');
    expect(sse.res.headers.get('content-encoding')).toBeNull();
    const first = await sse.inbox.waitFor(() => true);
    expect(first).toEqual({
      id: expect.stringMatching(/^\d+$/),
      event: 'subscribed',
      data: JSON.stringify({ entity_type: 'project', entity_id: projectA }),
    });
    // SSE_HEARTBEAT_SECONDS=1 in this app.
    await sse.inbox.waitFor((f) => f.comment === 'heartbeat', 3_000);
  });

  it('SSE: validates the query and accepts the legacy base path', async () => {
    for (const query of ['entity_type=prompt&entity_id=1', 'entity_type=job&entity_id=0', '']) {
      const res = await t.http().get(`${BASE}/events?${query}`).expect(400);
      expect(res.body.code).toBe('validation_failed');
    }
    const controller = new AbortController();
    opened.push(() => controller.abort());
    const legacy = await fetch(
      `http://127.0.0.1:${port}/api/v1/prompt_studio/events?entity_type=job&entity_id=${jobA}`,
      { headers: { 'x-api-key': ownerKey }, signal: controller.signal },
    );
    expect(legacy.status).toBe(200);
  });

  it('forgets clients that disconnect, on every transport', async () => {
    const hub = t.app.get(RealtimeHub);
    const waitForCount = async (n: number) => {
      const deadline = Date.now() + 5_000;
      while (hub.clientCount !== n && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(hub.clientCount).toBe(n);
    };
    await waitForCount(0);
    const ioClient = await connectIo(port, { auth: { apiKey: ownerKey } });
    expect((await ioSubscribe(ioClient.socket, 'job', jobA)).ok).toBe(true);
    const wsClient = await openWs(port, '/ws/prompt-studio', { 'x-api-key': ownerKey });
    const sse = await openSse(port, `entity_type=job&entity_id=${jobA}`, ownerKey);
    await sse.inbox.waitFor((f) => f.event === 'subscribed');
    await waitForCount(3);
    ioClient.socket.disconnect();
    wsClient.ws.close();
    sse.close();
    await waitForCount(0);
  });
});

describe('realtime events across API processes sharing Redis', () => {
  let a: TestApp;
  let b: NestExpressApplication | undefined;

  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('delivers an event published on one process to a client of the other', async () => {
    const env = { REDIS_URL, REDIS_KEY_PREFIX: `ps-e2e-rt-${unique()}` };
    a = await startTestApp({ env });
    if (!a.database.url) {
      throw new Error('Two API instances need PostgreSQL: they cannot share a PGlite database.');
    }
    // The second instance is built as startTestApp builds the first, on the same database.
    const config = ApiConfig.fromEnv({
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      AUTH_MODE: 'single_user',
      PROMPT_STUDIO_API_KEY: a.ownerKey,
      RATE_LIMIT_ENABLED: 'false',
      DATABASE_URL: a.database.url,
      ...env,
    });
    b = await NestFactory.create<NestExpressApplication>(ApiModule.forRoot(config), {
      bodyParser: false,
      logger: false,
    });
    configureApp(b, config);
    await b.listen(0, '127.0.0.1');

    const created = await a
      .http()
      .post(`${BASE}/projects/create`)
      .send({ name: 'shared' })
      .expect(201);
    const projectId = created.body.id as number;
    const dataSource = a.app.get(DataSource);
    const jobId = await insertJob(dataSource, projectId);
    const workspaceId = await workspaceOf(dataSource, projectId);

    const { ws, inbox } = await openWs(portOf(b), '/ws/prompt-studio', { 'x-api-key': a.ownerKey });
    wsSend(ws, { type: 'subscribe', entity_type: 'job', entity_id: jobId });
    await inbox.waitFor((m) => m.type === 'subscribed');

    const sent = JOB_SEQUENCE.map(([type, status, progress]) =>
      makeEvent(type, jobData(jobId, status, progress), projectId),
    );
    const busA = a.app.get<EventBus>(EVENT_BUS);
    for (const event of sent) await busA.publish({ workspace_id: workspaceId, event });
    await inbox.waitFor((m) => m.type === 'job_completed');
    expect(inbox.items.slice(1)).toEqual(sent);
  });
});

describe('a real ping job, run by a worker process, seen live on all three transports', () => {
  let t: TestApp;
  let port: number;
  let otherKey: string;
  let otherProject: number;
  let worker: RunningProcess | undefined;
  const prefix = `ps-rt-${unique()}`;

  beforeAll(async () => {
    t = await startTestApp({
      env: { REDIS_URL, REDIS_KEY_PREFIX: prefix, JOB_PROGRESS_EVENT_MS: '0' },
    });
    if (!t.database.url) throw new Error('This suite needs PostgreSQL.');
    await t.app.listen(0, '127.0.0.1');
    port = portOf(t.app);
    otherKey = (await createKey(t.app.get(DataSource), { workspace: 'elsewhere', role: 'owner' }))
      .key;
    otherProject = (
      await t
        .anonymous()
        .post(`${BASE}/projects/create`)
        .set('X-API-Key', otherKey)
        .send({ name: 'theirs' })
    ).body.id as number;
  }, 30_000);

  afterAll(async () => {
    await worker?.stop();
    await t.close();
  }, 30_000);

  it('delivers job_started, job_progress and job_completed, and nothing to another workspace', async () => {
    // Queue the job first, subscribe every client, then start the worker: no event can be missed.
    const job = (await t.http().post(`${BASE}/jobs/ping`).send({ steps: 2 }).expect(202)).body
      .id as number;

    const ioClient = await connectIo(port, { auth: { apiKey: t.ownerKey } });
    expect(await ioSubscribe(ioClient.socket, 'job', job)).toMatchObject({ ok: true });
    const wsClient = await openWs(port, `/ws/prompt-studio?api_key=${t.ownerKey}`);
    wsSend(wsClient.ws, { type: 'subscribe', entity_type: 'job', entity_id: job });
    await wsClient.inbox.waitFor((m) => m.type === 'subscribed');
    const sse = await openSse(port, `entity_type=job&entity_id=${job}`, t.ownerKey);
    await sse.inbox.waitFor((f) => f.event === 'subscribed');

    const stranger = await connectIo(port, { auth: { apiKey: otherKey } });
    expect(await ioSubscribe(stranger.socket, 'job', job)).toMatchObject({
      ok: false,
      code: 'not_found',
    });
    expect(await ioSubscribe(stranger.socket, 'project', otherProject)).toMatchObject({ ok: true });
    const strangerWs = await openWs(port, `/ws/prompt-studio?api_key=${otherKey}`);
    wsSend(strangerWs.ws, { type: 'subscribe', entity_type: 'project', entity_id: otherProject });
    await strangerWs.inbox.waitFor((m) => m.type === 'subscribed');

    const workerPort = await freePort();
    worker = startProcess('worker', {
      DATABASE_URL: t.database.url!,
      DATA_DIR: mkdtempSync(join(tmpdir(), 'ps-worker-')),
      DB_MIGRATIONS_RUN: 'false',
      REDIS_URL,
      REDIS_KEY_PREFIX: prefix,
      JOB_PROGRESS_EVENT_MS: '0',
      WORKER_PORT: String(workerPort),
    });
    await waitForHttp(`http://127.0.0.1:${workerPort}/health/ready`, worker);

    for (const type of ['job_started', 'job_progress', 'job_completed']) {
      const io = await ioClient.inbox.waitFor((m) => m.name === type, 15_000);
      expect(io.payload).toMatchObject({ type, data: { job_id: job } });
      const ws = await wsClient.inbox.waitFor((m) => m.type === type, 15_000);
      expect(ws).toMatchObject({ data: { job_id: job } });
      const frame = await sse.inbox.waitFor((f) => f.event === type, 15_000);
      expect(JSON.parse(frame.data!)).toMatchObject({ type, data: { job_id: job } });
    }
    const completed = await t.http().get(`${BASE}/jobs/${job}`).expect(200);
    expect(completed.body.status).toBe('completed');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(stranger.inbox.items.filter((m) => m.name.startsWith('job_'))).toEqual([]);
    expect(strangerWs.inbox.items.filter((m) => String(m.type).startsWith('job_'))).toEqual([]);
  }, 60_000);
});
