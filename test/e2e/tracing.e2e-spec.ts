import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SpanKind } from '@opentelemetry/api';
import {
  InMemorySpanExporter,
  NodeTracerProvider,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-node';
import type { Response } from 'supertest';
import { type FakeLlmServer, startFakeLlm } from '../fakes/fake-llm';
import { freePort, startProcess, waitForHttp, waitForOutput } from '../support/processes';
import { BASE, startTestApp, type TestApp } from '../support/test-app';

/**
 * One evaluation is one trace: the API's request span, the job span (a child of the request
 * span through the W3C trace context carried in the job envelope, not through anything the
 * process shares) and a span per model call (children of the job span). Checked in-process with
 * an in-memory exporter, and across processes with a worker exporting OTLP/HTTP to a collector
 * stand-in.
 */

jest.setTimeout(180_000);

const REDIS_URL = process.env.PS_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const API_KEY = 'sk-test-tracing';
const CASES = 5;
type Json = Response['body'];

// The SDK as main.ts registers it when OTEL_EXPORTER_OTLP_ENDPOINT is set, with an in-memory
// exporter instead of the network.
const exporter = new InMemorySpanExporter();
new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }).register();

async function until<T>(probe: () => Promise<T>, done: (v: T) => boolean, ms = 60_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`Timed out; last: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const finished = (e: Json) => ['completed', 'failed', 'cancelled'].includes(e.status);
const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;
const ids = (span: ReadableSpan) => span.spanContext();

/** Creates a project with CASES cases and a prompt on OpenAI; returns the prompt id. */
async function setup(t: TestApp): Promise<number> {
  const post = (path: string, body: object) => t.http().post(`${BASE}${path}`).send(body);
  const tag = randomBytes(4).toString('hex');
  const project = await post('/projects/create', { name: `trace ${tag}` }).expect(201);
  await post('/test-cases/bulk', {
    project_id: project.body.id,
    test_cases: Array.from({ length: CASES }, (_, n) => ({ name: `c${n}`, inputs: { n } })),
  }).expect(201);
  const prompt = await post('/prompts/create', {
    project_id: project.body.id,
    name: `trace ${tag}`,
    user_prompt: `Case {n} [${tag}]`,
    model_config: { provider: 'openai', model: 'gpt-4o-mini' },
  }).expect(201);
  return prompt.body.id as number;
}

/** A stand-in for an OpenTelemetry collector: keeps the spans of OTLP/HTTP JSON exports. */
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  service: string;
}

async function startCollector(): Promise<{ url: string; spans: OtlpSpan[]; server: Server }> {
  const spans: OtlpSpan[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method === 'POST' && req.url === '/v1/traces') {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        for (const rs of body.resourceSpans ?? []) {
          const service = rs.resource?.attributes?.find(
            (a: { key: string }) => a.key === 'service.name',
          )?.value?.stringValue;
          for (const ss of rs.scopeSpans ?? []) {
            for (const span of ss.spans ?? []) spans.push({ ...span, service });
          }
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    spans,
    server,
  };
}

describe('tracing: API request, job and model calls in one trace', () => {
  let fake: FakeLlmServer;

  beforeAll(async () => {
    fake = await startFakeLlm({ latencyMs: 2 });
  });

  afterAll(async () => {
    await fake?.close();
  });

  it('links the request span, the job span (from the envelope) and each LLM span (in-process)', async () => {
    const t = await startTestApp({
      env: { OPENAI_API_KEY: API_KEY, OPENAI_BASE_URL: `${fake.url}/v1` },
    });
    try {
      const promptId = await setup(t);
      fake.reset();
      exporter.reset();
      const created = await t
        .http()
        .post(`${BASE}/evaluations/create`)
        .set('X-Request-ID', 'trace-me-1')
        .send({ prompt_id: promptId, concurrency: 2 })
        .expect(202);
      const done = await until(
        () =>
          t
            .http()
            .get(`${BASE}/evaluations/${created.body.id}`)
            .then((r) => r.body),
        finished,
      );
      expect(done.status).toBe('completed');
      expect(fake.count('chat')).toBe(CASES);

      const spans = exporter.getFinishedSpans();
      const request = spans.filter(
        (s) =>
          s.kind === SpanKind.SERVER && s.name === 'POST /api/v1/prompt-studio/evaluations/create',
      );
      expect(request).toHaveLength(1);
      expect(request[0].attributes).toMatchObject({
        'http.response.status_code': 202,
        'http.route': '/api/v1/prompt-studio/evaluations/create',
        'prompt_studio.request_id': 'trace-me-1',
      });
      const jobs = spans.filter((s) => s.kind === SpanKind.CONSUMER);
      expect(jobs.map((s) => s.name)).toEqual(['job evaluation.run']);
      const [job] = jobs;
      expect(ids(job).traceId).toBe(ids(request[0]).traceId);
      expect(parentOf(job)).toBe(ids(request[0]).spanId);
      expect(job.attributes).toMatchObject({
        'prompt_studio.job_id': done.job_id,
        'prompt_studio.request_id': 'trace-me-1',
        'messaging.destination.name': 'evaluation',
      });

      const calls = spans.filter((s) => s.kind === SpanKind.CLIENT);
      expect(calls).toHaveLength(CASES);
      for (const call of calls) {
        expect(call.name).toBe('chat gpt-4o-mini');
        expect(ids(call).traceId).toBe(ids(job).traceId);
        expect(parentOf(call)).toBe(ids(job).spanId);
        expect(call.attributes).toMatchObject({
          'gen_ai.provider.name': 'openai',
          'gen_ai.request.model': 'gpt-4o-mini',
          'prompt_studio.llm.cached': false,
        });
        expect(call.attributes['gen_ai.usage.input_tokens']).toBeGreaterThan(0);
        // Spans describe calls, never their content.
        expect(JSON.stringify(call.attributes)).not.toContain('Case ');
      }
      // Each span ends inside its parent.
      const end = (s: ReadableSpan) => s.endTime[0] * 1e9 + s.endTime[1];
      for (const call of calls) expect(end(call)).toBeLessThanOrEqual(end(job));
    } finally {
      await t.close();
    }
  });

  it('carries the trace from the API over Redis to a worker process exporting OTLP/HTTP', async () => {
    const collector = await startCollector();
    const prefix = `ps-trace-${randomBytes(4).toString('hex')}`;
    const scratch = mkdtempSync(join(tmpdir(), 'ps-trace-'));
    const t = await startTestApp({
      env: {
        REDIS_URL,
        REDIS_KEY_PREFIX: prefix,
        OPENAI_API_KEY: API_KEY,
        OPENAI_BASE_URL: 'http://127.0.0.1:9/v1',
      },
    });
    const port = await freePort();
    const worker = startProcess('worker', {
      DATABASE_URL: t.database.url!,
      DATA_DIR: scratch,
      DB_MIGRATIONS_RUN: 'false',
      REDIS_URL,
      REDIS_KEY_PREFIX: prefix,
      OPENAI_API_KEY: API_KEY,
      OPENAI_BASE_URL: `${fake.url}/v1`,
      WORKER_PORT: String(port),
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
    });
    try {
      if (!t.database.url) throw new Error('The distributed mode needs PostgreSQL.');
      await waitForHttp(`http://127.0.0.1:${port}/health/ready`, worker);
      await waitForOutput(worker, 'tracing: on');
      const promptId = await setup(t);
      fake.reset();
      exporter.reset();
      const created = await t
        .http()
        .post(`${BASE}/evaluations/create`)
        .send({ prompt_id: promptId })
        .expect(202);
      const done = await until(
        () =>
          t
            .http()
            .get(`${BASE}/evaluations/${created.body.id}`)
            .then((r) => r.body),
        finished,
      );
      expect(done.status).toBe('completed');
      // A clean stop flushes the worker's batched spans.
      expect((await worker.stop('SIGTERM')).code).toBe(0);

      const request = exporter
        .getFinishedSpans()
        .find((s) => s.name === 'POST /api/v1/prompt-studio/evaluations/create');
      expect(request).toBeDefined();
      const trace = collector.spans.filter((s) => s.traceId === ids(request!).traceId);
      const job = trace.find((s) => s.name === 'job evaluation.run');
      expect(job).toMatchObject({
        service: 'prompt-studio-worker',
        parentSpanId: ids(request!).spanId,
        kind: 5, // CONSUMER in OTLP's numbering
      });
      const calls = trace.filter((s) => s.name === 'chat gpt-4o-mini');
      expect(calls).toHaveLength(fake.count('chat'));
      expect(calls).toHaveLength(CASES);
      for (const call of calls) expect(call.parentSpanId).toBe(job!.spanId);
    } finally {
      await worker.stop('SIGKILL');
      await t.close();
      collector.server.close();
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});
