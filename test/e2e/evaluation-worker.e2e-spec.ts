import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Response } from 'supertest';
import { extractText, getDocumentProxy } from 'unpdf';
import {
  countTokens,
  type FakeFailure,
  type FakeLlmOptions,
  type FakeLlmServer,
  type FakeRequest,
  startFakeLlm,
} from '../fakes/fake-llm';
import { MIN_SCREENSHOT_BYTES, screenshotHtml } from '../support/chromium';
import { BASE, type TestApp } from '../support/test-app';
import { expectStatus, until, WorkerHarness } from '../support/worker-harness';

/**
 * Evaluations in the distributed mode: the API (in this process) stores the run and enqueues it
 * on Redis, a separate worker process (the built dist/ app) runs it against the OpenAI
 * wire-protocol fake and writes the results to PostgreSQL, and the events come back through Redis
 * to a Socket.IO client of the API. Covers exact summary numbers, live progress, the five report
 * formats, a worker killed mid-run, provider errors counted apart, and a run stopped by a bad key.
 */

jest.setTimeout(240_000);

const API_KEY = 'sk-test-evaluation-worker';
const MODEL = { provider: 'openai', model: 'gpt-4o-mini' };
/** prices.json: gpt-4o-mini costs 0.15 and 0.60 USD per million input and output tokens. */
const NANO_USD_PER_TOKEN = { input: 150, output: 600 };
const SYSTEM_PROMPT = 'You are a sentiment classifier.';

type Json = Response['body'];

const lastUser = (req: FakeRequest) =>
  [...req.messages].reverse().find((m) => m.role === 'user')?.content ?? '';
const caseNumber = (req: FakeRequest) => Number(/#(\d+)/.exec(lastUser(req))?.[1] ?? -1);
const label = (n: number) => (n % 2 === 0 ? 'positive' : 'negative');
/** Three of four cases are answered right; the others get a near miss (token overlap 2/3). */
const isRight = (n: number) => n % 4 !== 3;
const answerFor = (n: number) => (isRight(n) ? label(n) : `not ${label(n)}`);
const range = (count: number) => Array.from({ length: count }, (_, i) => i);
const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0);

/** RFC 4180 records (quoted fields may hold commas, quotes and line breaks). */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      record.push(field);
      field = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i++;
    } else field += ch;
  }
  if (field !== '' || record.length) records.push([...record, field]);
  return records;
}

/** Socket.IO events of the API's /prompt-studio namespace, as received. */
interface Received {
  name: string;
  payload: { type: string; data: Json; project_id: number | null };
}

describe('evaluations run by a worker process (Redis + PostgreSQL)', () => {
  let h: WorkerHarness;
  let t: TestApp;
  const scratch = mkdtempSync(join(tmpdir(), 'ps-eval-worker-'));

  beforeAll(async () => {
    h = await WorkerHarness.start({
      name: 'eval',
      apiKey: API_KEY,
      listen: true,
      env: { MAX_TEST_CASES_PER_PROJECT: '5000' },
    });
    t = h.t;
  });

  afterEach(() => h.afterEach());

  afterAll(async () => {
    await h?.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  const fakeLlm = async (options: FakeLlmOptions) => h.track(await startFakeLlm(options));

  /** A worker process on `fake`, ready to take evaluation jobs. */
  const startWorker = (fake: FakeLlmServer, extra: Record<string, string> = {}) =>
    h.startWorker(fake, { QUEUE_CONCURRENCY_EVALUATION: '1', ...extra });

  const post = (path: string, body: object) => t.http().post(`${BASE}${path}`).send(body);
  const get = (path: string) => t.http().get(`${BASE}${path}`);

  const evaluation = (id: number) => get(`/evaluations/${id}`).then((r) => r.body);
  const finished = (e: Json) => ['completed', 'failed', 'cancelled'].includes(e.status);
  const resultCount = (id: number) =>
    get(`/evaluations/${id}/results?per_page=1`).then((r) => r.body.total as number);

  async function allResults(id: number): Promise<Json[]> {
    const rows: Json[] = [];
    for (let page = 1; ; page++) {
      const res = await get(`/evaluations/${id}/results?per_page=100&page=${page}`);
      expectStatus(res, 200);
      rows.push(...res.body.items);
      if (rows.length >= res.body.total) return rows;
    }
  }

  /** A project with cases `#0`…`#count-1` (bulk, 1000 a call) and a system + user prompt. */
  async function setup(count: number) {
    const project = await post('/projects/create', {
      name: `worker ${randomBytes(4).toString('hex')}`,
    });
    expectStatus(project, 201);
    const projectId: number = project.body.id;
    const caseIds: number[] = [];
    for (let from = 0; from < count; from += 1000) {
      const res = await post('/test-cases/bulk', {
        project_id: projectId,
        test_cases: range(Math.min(1000, count - from)).map((i) => ({
          name: `case ${from + i}`,
          inputs: { n: from + i, text: `sample text ${from + i}` },
          expected_outputs: { response: label(from + i) },
        })),
      });
      expectStatus(res, 201);
      caseIds.push(...res.body.items.map((c: { id: number }) => c.id));
    }
    // A random tag makes the rendered prompts unique to this test: the response cache (in
    // PostgreSQL, shared by every worker) must not answer for another test's run.
    const tag = randomBytes(4).toString('hex');
    const name = `Sentiment ${tag}`;
    const prompt = await post('/prompts/create', {
      project_id: projectId,
      name,
      system_prompt: SYSTEM_PROMPT,
      user_prompt: `Review #{n}: {text} [${tag}]`,
      model_config: MODEL,
    });
    expectStatus(prompt, 201);
    const userText = (n: number) => `Review #${n}: sample text ${n} [${tag}]`;
    return { projectId, caseIds, promptId: prompt.body.id as number, promptName: name, userText };
  }

  /** The project's live events, by evaluation and event name. */
  async function listen(projectId: number) {
    const received = (await h.listen(projectId)) as Received[];
    const of = (evaluationId: number, name: string) =>
      received
        .filter((r) => r.name === name && r.payload.data.evaluation_id === evaluationId)
        .map((r) => r.payload.data);
    return { received, of };
  }

  it('runs 200 cases to exact numbers, streams progress over Socket.IO, and reports in 5 formats', async () => {
    const { projectId, caseIds, promptId, promptName, userText } = await setup(200);
    const fake = await fakeLlm({ latencyMs: 20, answer: (req) => answerFor(caseNumber(req)) });
    const live = await listen(projectId);
    await startWorker(fake);

    const created = await post('/evaluations/create', {
      prompt_id: promptId,
      metrics: [{ name: 'exact_match' }, { name: 'token_overlap' }, { name: 'accuracy' }],
      concurrency: 4,
    });
    expectStatus(created, 202);
    const id: number = created.body.id;
    await until(
      () => Promise.resolve(live.of(id, 'evaluation_completed')),
      (events) => events.length > 0,
    );
    const done = await evaluation(id);
    expect(done).toMatchObject({ status: 'completed', progress: 100, test_case_count: 200 });

    // Expected numbers, worked out case by case.
    const right = range(200).filter(isRight).length;
    expect(right).toBe(150);
    // A near miss: exact_match 0, token overlap F1 of "not x" against "x" = 2/3, score 1/3.
    const nearMiss = { exact: 0, overlap: 2 / 3, score: (0 + 2 / 3) / 2 };
    const scores = range(200).map((n) => (isRight(n) ? 1 : nearMiss.score));
    const tokensIn = range(200).map((n) => countTokens(SYSTEM_PROMPT) + countTokens(userText(n)));
    const tokensOut = range(200).map((n) => countTokens(answerFor(n)));
    const costs = range(200).map(
      (n) =>
        (tokensIn[n] * NANO_USD_PER_TOKEN.input + tokensOut[n] * NANO_USD_PER_TOKEN.output) / 1e9,
    );
    const s = done.summary;
    expect(s).toMatchObject({
      total: 200,
      counts: { ok: 200, infra_error: 0, parse_error: 0, timeout: 0 },
      passed: 150,
      failed: 50,
      pass_rate: 0.75,
      cached: 0,
      tokens: {
        input: sum(tokensIn),
        output: sum(tokensOut),
        total: sum(tokensIn) + sum(tokensOut),
      },
      histogram: { bins: [0, 0, 0, 50, 0, 0, 0, 0, 0, 150] },
    });
    expect(s.tokens).toEqual({ input: 2200, output: 250, total: 2450 });
    expect(s.score).toMatchObject({ count: 200, median: 1, max: 1 });
    expect(s.score.min).toBeCloseTo(1 / 3, 12);
    expect(s.score.mean).toBeCloseTo(sum(scores) / 200, 12);
    expect(s.score.mean).toBeCloseTo((150 + 50 / 3) / 200, 12);
    expect(s.score.ci95[0]).toBeLessThan(s.score.mean);
    expect(s.score.ci95[1]).toBeGreaterThan(s.score.mean);
    expect(s.metrics.exact_match).toMatchObject({ count: 200, mean: 0.75, min: 0, max: 1 });
    expect(s.metrics.token_overlap.count).toBe(200);
    expect(s.metrics.token_overlap.mean).toBeCloseTo((150 + 50 * nearMiss.overlap) / 200, 12);
    // accuracy is a dataset metric: the share of exactly right labels, no per-case spread.
    expect(s.metrics.accuracy).toMatchObject({ count: 200, mean: 0.75, median: null, std: null });
    expect(s.cost).toBeCloseTo(sum(costs), 15);
    expect(s.cost).toBeCloseTo((2200 * 150 + 250 * 600) / 1e9, 15);
    expect(done.total_tokens).toBe(2450);
    expect(done.total_cost).toBeCloseTo(s.cost, 8);
    expect(s.latency_ms.p50).toBeGreaterThanOrEqual(20);

    // One model call per case, with the key, model, system prompt and rendered case.
    expect(fake.count('chat')).toBe(200);
    expect(new Set(fake.requests.map((r) => caseNumber(r)))).toEqual(new Set(range(200)));
    expect(fake.requests.every((r) => r.model === 'gpt-4o-mini')).toBe(true);
    expect(fake.requests[0].headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(fake.requests[0].messages[0]).toEqual({ role: 'system', content: SYSTEM_PROMPT });

    // Exactly one result per case.
    const rows = await allResults(id);
    expect(rows).toHaveLength(200);
    expect(rows.map((r) => r.test_case_id)).toEqual(caseIds);
    rows.forEach((r, n) => {
      expect(r).toMatchObject({
        status: 'ok',
        output: answerFor(n),
        passed: isRight(n),
        tokens_in: tokensIn[n],
        tokens_out: tokensOut[n],
        cached: false,
      });
      expect(r.cost).toBeCloseTo(costs[n], 12);
    });

    // Live events: progress with a growing count, then one completion.
    const progress = live.of(id, 'evaluation_progress');
    expect(progress.length).toBeGreaterThanOrEqual(3);
    const counts = progress.map((p) => p.completed as number);
    // Each progress event once: every event reports more than the one before.
    for (let i = 1; i < counts.length; i++) expect(counts[i]).toBeGreaterThan(counts[i - 1]);
    expect(counts[0]).toBe(0);
    expect(counts.at(-1)).toBe(200);
    expect(new Set(counts).size).toBeGreaterThanOrEqual(3);
    expect(progress.every((p) => p.total === 200)).toBe(true);
    expect(progress.at(-1)!.progress).toBe(100);
    const completed = live.of(id, 'evaluation_completed');
    expect(completed).toHaveLength(1);
    expect(completed[0]).toMatchObject({ status: 'completed', pass_rate: 0.75 });
    expect(completed[0].mean_score).toBeCloseTo(s.score.mean, 12);
    expect(live.of(id, 'evaluation_started')).toEqual([{ evaluation_id: id, total: 200 }]);
    const jobEvents = live.received
      .filter((r) => r.name.startsWith('job_') && r.payload.data.entity_id === id)
      .map((r) => r.name);
    expect(jobEvents).toContain('job_completed');

    // JSON: the stored summary, the run's header, the 20 worst cases.
    const json = await get(`/evaluations/${id}/report?format=json`);
    expectStatus(json, 200);
    const report = JSON.parse(json.text);
    expect(report.kind).toBe('evaluation');
    expect(report.summary).toEqual(s);
    expect(report.evaluation).toMatchObject({
      id,
      status: 'completed',
      prompt: { id: promptId, name: promptName, version_number: 1 },
      model_config: MODEL,
    });
    expect(report.worst_cases).toHaveLength(20);
    expect(report.worst_cases.every((c: Json) => c.passed === false)).toBe(true);

    // CSV: a header and one record per result.
    const csv = await get(`/evaluations/${id}/report?format=csv`);
    expectStatus(csv, 200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.text.split('\r\n').filter(Boolean)).toHaveLength(201);
    const records = parseCsv(csv.text);
    expect(records).toHaveLength(201);
    const header = records[0];
    expect(header.slice(0, 8)).toEqual([
      'test_case_id',
      'name',
      'repeat_index',
      'status',
      'passed',
      'score',
      'exact_match',
      'token_overlap',
    ]);
    const col = (name: string) => header.indexOf(name);
    expect(records.slice(1).every((r) => r.length === header.length)).toBe(true);
    expect(records.slice(1).map((r) => Number(r[col('test_case_id')]))).toEqual(caseIds);
    expect(records.slice(1).filter((r) => r[col('passed')] === 'true')).toHaveLength(150);
    expect(records[4][col('output')]).toBe(answerFor(3));
    expect(JSON.parse(records[4][col('inputs')])).toEqual({ n: 3, text: 'sample text 3' });

    // Markdown: the mean score as the other formats print it.
    const mean = s.score.mean.toFixed(3);
    expect(mean).toBe('0.833');
    const md = await get(`/evaluations/${id}/report?format=md`);
    expectStatus(md, 200);
    expect(md.text).toContain(`Evaluation #${id}: ${promptName} v1`);
    expect(md.text).toMatch(new RegExp(`Mean score[^\\n]*${mean.replace('.', '\\.')}`));
    expect(md.text).toContain('75.0%');

    // HTML, rendered by headless Chromium.
    const html = await get(`/evaluations/${id}/report?format=html`);
    expectStatus(html, 200);
    expect(html.headers['content-type']).toMatch(/^text\/html/);
    const png = join(scratch, `evaluation-${id}.png`);
    await screenshotHtml(html.text, png);
    expect(readFileSync(png).length).toBeGreaterThan(MIN_SCREENSHOT_BYTES);

    // PDF, parsed back to text.
    const pdf = await get(`/evaluations/${id}/report?format=pdf`)
      .buffer(true)
      .parse((res, callback) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => callback(null, Buffer.concat(chunks)));
      });
    expectStatus(pdf, 200);
    const bytes = pdf.body as Buffer;
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const { text } = await extractText(await getDocumentProxy(new Uint8Array(bytes)), {
      mergePages: true,
    });
    expect(text).toContain(`Evaluation #${id}: ${promptName} v1`);
    expect(text).toContain(mean);
    expect(text).toContain('75.0%');
  });

  it('finishes the run of a worker killed mid-run on another worker, as if uninterrupted', async () => {
    const { caseIds, promptId } = await setup(500);
    const fake = await fakeLlm({ latencyMs: 20, answer: (req) => answerFor(caseNumber(req)) });
    // No response cache: a rerun must call the model again, so the uninterrupted run below
    // pays the same costs as the interrupted one.
    const env = { LLM_CACHE_ENABLED: 'false' };
    const body = {
      prompt_id: promptId,
      metrics: [{ name: 'exact_match' }, { name: 'token_overlap' }, { name: 'f1_score' }],
      concurrency: 4,
    };
    const a = await startWorker(fake, env);
    const created = await post('/evaluations/create', body);
    expectStatus(created, 202);
    const id: number = created.body.id;
    const atKill = await until(
      () => resultCount(id),
      (n) => n >= 150,
      60_000,
      10,
    );
    await a.stop('SIGKILL');
    expect(atKill).toBeGreaterThanOrEqual(150);
    expect(atKill).toBeLessThanOrEqual(300);
    const afterKill = await resultCount(id);
    expect(afterKill).toBeLessThanOrEqual(300);
    expect((await evaluation(id)).status).toBe('running');

    // The lease lapses (JOB_LEASE_SECONDS=5) and another worker takes the job over.
    await startWorker(fake, env);
    const done = await until(() => evaluation(id), finished, 90_000, 200);
    expect(done.status).toBe('completed');
    const rows = await allResults(id);
    expect(rows).toHaveLength(500);
    expect(rows.map((r) => r.test_case_id)).toEqual(caseIds);
    const job = await get(`/jobs/${done.job_id}`);
    expect(job.body).toMatchObject({ status: 'completed', attempts: 2 });
    // Cases in flight when A died were asked again, and so were finished ones still in A's
    // unwritten batch (results are written 50 at a time); everything written was kept.
    expect(fake.count('chat')).toBeGreaterThanOrEqual(500);
    expect(fake.count('chat')).toBeLessThanOrEqual(500 + 50 + 4);

    // The same evaluation run once, without interruption.
    const again = await post('/evaluations/create?wait=true', body);
    expectStatus(again, 200);
    expect(again.body.status).toBe('completed');
    const withoutTimings = (summary: Json) => {
      const { latency_ms: _latency, cached: _cached, ...rest } = summary;
      return rest;
    };
    expect(withoutTimings(done.summary)).toEqual(withoutTimings(again.body.summary));
    expect(done.summary).toMatchObject({ total: 500, passed: 375, pass_rate: 0.75 });
    expect(done.total_tokens).toBe(again.body.total_tokens);
    expect(done.total_cost).toBe(again.body.total_cost);
  });

  it('counts provider errors apart (infra_error) and rates quality over ok cases only', async () => {
    const { promptId } = await setup(100);
    const failing = (n: number) => n % 10 === 0;
    const serverError: FakeFailure = { status: 500 };
    const fake = await fakeLlm({
      answer: (req) => answerFor(caseNumber(req)),
      // By input, on every attempt: the retry cannot help.
      fail: (req) => (failing(caseNumber(req)) ? serverError : undefined),
    });
    await startWorker(fake, { LLM_MAX_RETRIES: '1', LLM_RETRY_BASE_MS: '1' });
    const created = await post('/evaluations/create', { prompt_id: promptId, concurrency: 8 });
    expectStatus(created, 202);
    const done = await until(() => evaluation(created.body.id), finished);
    expect(done.status).toBe('completed');

    const ok = range(100).filter((n) => !failing(n));
    const passed = ok.filter(isRight).length;
    expect(passed).toBe(65);
    expect(done.summary).toMatchObject({
      total: 100,
      counts: { ok: 90, infra_error: 10, parse_error: 0, timeout: 0 },
      passed,
      // Failed counts quality failures of ok cases; the 10 errors are not among them.
      failed: 90 - passed,
      score: { count: 90 },
      metrics: { exact_match: { count: 90 } },
    });
    expect(done.summary.pass_rate).toBeCloseTo(passed / 90, 12);
    expect(done.summary.metrics.exact_match.mean).toBeCloseTo(passed / 90, 12);
    // Each failing case was tried twice (LLM_MAX_RETRIES=1), the others once.
    expect(fake.count('chat')).toBe(90 + 10 * 2);

    const errors = await get(`/evaluations/${created.body.id}/results?status=infra_error`);
    expect(errors.body.total).toBe(10);
    for (const row of errors.body.items) {
      expect(row).toMatchObject({ output: null, score: null, passed: null, tokens_in: 0 });
      expect(row.error).toMatch(/^server: /);
    }
    const failed = await get(`/evaluations/${created.body.id}/results?passed=false&per_page=1`);
    expect(failed.body.total).toBe(90 - passed);
  });

  it('stops the whole run at a 401: failed, naming auth, after a single request', async () => {
    const { projectId, promptId } = await setup(20);
    const fake = await fakeLlm({ fail: () => ({ status: 401 }) });
    const live = await listen(projectId);
    await startWorker(fake, { LLM_MAX_RETRIES: '3', LLM_RETRY_BASE_MS: '1' });
    const created = await post('/evaluations/create', { prompt_id: promptId });
    expectStatus(created, 202);
    const done = await until(() => evaluation(created.body.id), finished);
    expect(done.status).toBe('failed');
    expect(done.error).toMatch(/^auth: /);
    expect(done.summary).toBeNull();
    // No retry of the call, no other case tried, no second attempt of the job.
    expect(fake.count('chat')).toBe(1);
    const job = await until(
      () => get(`/jobs/${done.job_id}`).then((r) => r.body),
      (j) => j.status === 'failed',
    );
    expect(job.attempts).toBe(1);
    expect(job.error).toMatch(/auth/);
    expect(await resultCount(created.body.id)).toBe(0);
    await until(
      () => Promise.resolve(live.of(created.body.id, 'evaluation_completed')),
      (events) => events.length > 0,
    );
    expect(live.of(created.body.id, 'evaluation_completed')).toEqual([
      { evaluation_id: created.body.id, status: 'failed', error: done.error },
    ]);
  });
});
