import { randomBytes } from 'node:crypto';
import type { Response } from 'supertest';
import { type FakeRequest, type FakeLlmServer, startFakeLlm } from '../fakes/fake-llm';
import { BASE, startTestApp, type TestApp } from '../support/test-app';

/**
 * Evaluations over HTTP in the all-in-one mode (the API runs the jobs in-process) against the
 * OpenAI wire-protocol fake: validation, case selection, wait=true, results paging and filters,
 * cancellation, comparisons, repeats, signature prompts with parse errors, and report states.
 * The run by a separate worker process is covered by evaluation-worker.e2e-spec.ts.
 */

jest.setTimeout(120_000);

const MODEL = { provider: 'openai', model: 'gpt-4o-mini' };
type Json = Response['body'];

/** The last user message of a fake request: what the prompt rendered for the case. */
const lastUser = (req: FakeRequest) =>
  [...req.messages].reverse().find((m) => m.role === 'user')?.content ?? '';

/** `#<n>` in the rendered prompt: every prompt of this file puts the case number there. */
const caseNumber = (req: FakeRequest) => Number(/#(\d+)/.exec(lastUser(req))?.[1] ?? -1);

const label = (n: number) => (n % 2 === 0 ? 'positive' : 'negative');

async function until<T>(
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`Timed out; last: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('evaluations (all-in-one API, OpenAI fake)', () => {
  let fake: FakeLlmServer;
  let t: TestApp;

  beforeAll(async () => {
    fake = await startFakeLlm();
    t = await startTestApp({
      env: {
        OPENAI_API_KEY: 'sk-test-evaluations',
        OPENAI_BASE_URL: `${fake.url}/v1`,
        LLM_MAX_RETRIES: '0',
        LLM_RETRY_BASE_MS: '1',
        EVALUATION_WAIT_SECONDS: '60',
        EVALUATION_MAX_CONCURRENCY: '16',
        // Two evaluations at once: compare with prompt_ids runs both side by side.
        QUEUE_CONCURRENCY_EVALUATION: '2',
      },
    });
  });

  afterAll(async () => {
    await t?.close();
    await fake?.close();
  });

  beforeEach(() => {
    // Each test says how the model answers; the default is right for every case.
    fake.setOptions({
      latencyMs: 0,
      fail: undefined,
      answer: (req) => label(caseNumber(req)),
    });
  });

  const post = (path: string, body: object) => t.http().post(`${BASE}${path}`).send(body);
  const get = (path: string) => t.http().get(`${BASE}${path}`);

  function expectStatus(res: Response, status: number): void {
    if (res.status !== status) {
      throw new Error(`expected ${status}, got ${res.status}: ${JSON.stringify(res.body)}`);
    }
  }

  /** A 400 naming exactly these fields. */
  function expectFields(res: Response, fields: string[]): void {
    expectStatus(res, 400);
    expect(res.body.code).toBe('validation_failed');
    expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(
      [...fields].sort(),
    );
  }

  async function project(): Promise<number> {
    const res = await post('/projects/create', { name: `eval ${randomBytes(4).toString('hex')}` });
    expectStatus(res, 201);
    return res.body.id;
  }

  interface CaseSpec {
    n: number;
    tags?: string[];
    is_golden?: boolean;
    expected?: Record<string, unknown>;
  }

  /** Creates cases `#n` expecting label(n), in one bulk call; ids in the order given. */
  async function cases(projectId: number, specs: CaseSpec[]): Promise<number[]> {
    const res = await post('/test-cases/bulk', {
      project_id: projectId,
      test_cases: specs.map((s) => ({
        name: `case ${s.n}`,
        inputs: { n: s.n, text: `sample ${s.n}` },
        expected_outputs: s.expected ?? { response: label(s.n) },
        tags: s.tags ?? [],
        is_golden: s.is_golden ?? false,
      })),
    });
    expectStatus(res, 201);
    return res.body.items.map((c: { id: number }) => c.id);
  }

  const range = (count: number, from = 0) => Array.from({ length: count }, (_, i) => from + i);

  /**
   * A prompt over `{n}` and `{text}`. A random tag ends the template: the response cache is
   * content-addressed, and every test must reach the fake rather than answers cached by another.
   */
  async function prompt(
    projectId: number,
    userPrompt = 'Review #{n}: {text}',
    extra: Record<string, unknown> = {},
  ): Promise<number> {
    const tag = randomBytes(4).toString('hex');
    const res = await post('/prompts/create', {
      project_id: projectId,
      name: `prompt ${tag}`,
      user_prompt: `${userPrompt} [${tag}]`,
      model_config: MODEL,
      ...extra,
    });
    expectStatus(res, 201);
    return res.body.id;
  }

  /** A project with `count` cases and a prompt over them. */
  async function setup(count: number) {
    const projectId = await project();
    const caseIds = await cases(
      projectId,
      range(count).map((n) => ({ n })),
    );
    const promptId = await prompt(projectId);
    return { projectId, caseIds, promptId };
  }

  const evaluation = (id: number) => get(`/evaluations/${id}`).then((r) => r.body);
  const finished = (e: Json) => ['completed', 'failed', 'cancelled'].includes(e.status);

  async function runToEnd(body: object): Promise<Json> {
    const res = await post('/evaluations/create?wait=true', body);
    expectStatus(res, 200);
    return res.body;
  }

  describe('validation', () => {
    let projectId: number;
    let promptId: number;

    beforeAll(async () => {
      ({ projectId, promptId } = await setup(3));
    });

    it('names the unknown metric and the bad option', async () => {
      expectFields(
        await post('/evaluations/create', { prompt_id: promptId, metrics: [{ name: 'nope' }] }),
        ['metrics.0.name'],
      );
      expectFields(
        await post('/evaluations/create', {
          prompt_id: promptId,
          metrics: [{ name: 'exact_match', options: { x: 1 } }],
        }),
        ['metrics.0.options.x'],
      );
      // The second metric is the bad one: the index follows it.
      expectFields(
        await post('/evaluations/create', {
          prompt_id: promptId,
          metrics: [{ name: 'exact_match' }, { name: 'bleu', options: { max_n: 0 } }],
        }),
        ['metrics.1.options.max_n'],
      );
    });

    it('names an unknown provider and a model the provider does not serve', async () => {
      expectFields(
        await post('/evaluations/create', {
          prompt_id: promptId,
          model_config: { provider: 'nope', model: 'x' },
        }),
        ['model_config.provider'],
      );
      expectFields(
        await post('/evaluations/create', {
          prompt_id: promptId,
          model_config: { provider: 'openai', model: 'not-a-model' },
        }),
        ['model_config.model'],
      );
    });

    it('refuses an empty selection, cases of another project and too much concurrency', async () => {
      expectFields(
        await post('/evaluations/create', { prompt_id: promptId, tags: ['no-such-tag'] }),
        ['test_case_ids'],
      );
      const otherProject = await project();
      const [foreign] = await cases(otherProject, [{ n: 1 }]);
      const mixed = await post('/evaluations/create', {
        prompt_id: promptId,
        test_case_ids: [foreign],
      });
      expectFields(mixed, ['test_case_ids']);
      expect(mixed.body.errors[0].message).toContain(String(foreign));
      expectFields(await post('/evaluations/create', { prompt_id: promptId, concurrency: 17 }), [
        'concurrency',
      ]);
      expectFields(
        await post('/evaluations/create', {
          prompt_id: promptId,
          golden_only: true,
          tags: ['a'],
        }),
        ['test_case_ids'],
      );
      // Nothing was stored or started by any of the refused requests.
      const list = await get(`/evaluations/list?project_id=${projectId}`);
      expect(list.body.total).toBe(0);
    });

    it('404s an unknown prompt', async () => {
      const res = await post('/evaluations/create', { prompt_id: 999_999_999 });
      expectStatus(res, 404);
    });
  });

  it('selects golden cases only, or cases by tag', async () => {
    const projectId = await project();
    const ids = await cases(projectId, [
      { n: 0, is_golden: true, tags: ['billing'] },
      { n: 1, tags: ['billing', 'refund'] },
      { n: 2, is_golden: true },
      { n: 3, tags: ['refund'] },
      { n: 4 },
    ]);
    const promptId = await prompt(projectId);
    const golden = await runToEnd({ prompt_id: promptId, golden_only: true });
    expect(golden).toMatchObject({ status: 'completed', test_case_count: 2 });
    const goldenRows = await get(`/evaluations/${golden.id}/results`);
    expect(goldenRows.body.items.map((r: Json) => r.test_case_id)).toEqual([ids[0], ids[2]]);

    // Any of the tags.
    const tagged = await runToEnd({ prompt_id: promptId, tags: ['refund', 'billing'] });
    expect(tagged.test_case_count).toBe(3);
    const taggedRows = await get(`/evaluations/${tagged.id}/results`);
    expect(taggedRows.body.items.map((r: Json) => r.test_case_id)).toEqual([
      ids[0],
      ids[1],
      ids[3],
    ]);

    // Default: every case of the project; explicit ids: those.
    const all = await runToEnd({ prompt_id: promptId });
    expect(all.test_case_count).toBe(5);
    const some = await runToEnd({ prompt_id: promptId, test_case_ids: [ids[4], ids[1]] });
    expect(some.test_case_count).toBe(2);
  });

  it('answers wait=true with 200 and the completed summary; without wait, 202', async () => {
    const { projectId, promptId } = await setup(8);
    // Cases 3 and 7 are answered wrongly.
    fake.setOptions({
      answer: (req) => {
        const n = caseNumber(req);
        return n % 4 === 3 ? `not ${label(n)}` : label(n);
      },
    });
    const done = await runToEnd({
      prompt_id: promptId,
      name: 'waited',
      metrics: [{ name: 'exact_match' }],
    });
    expect(done).toMatchObject({
      name: 'waited',
      status: 'completed',
      progress: 100,
      test_case_count: 8,
      project_id: projectId,
      prompt_id: promptId,
      version_number: 1,
      model_config: { provider: 'openai', model: 'gpt-4o-mini' },
      error: null,
    });
    expect(done.summary).toMatchObject({
      total: 8,
      counts: { ok: 8, infra_error: 0, parse_error: 0, timeout: 0 },
      passed: 6,
      failed: 2,
      pass_rate: 0.75,
      score: { count: 8, mean: 0.75, min: 0, max: 1 },
      metrics: { exact_match: { count: 8, mean: 0.75 } },
      histogram: { bins: [2, 0, 0, 0, 0, 0, 0, 0, 0, 6] },
    });
    expect(done.total_tokens).toBe(done.summary.tokens.total);
    expect(done.total_tokens).toBeGreaterThan(0);
    expect(done.completed_at).toEqual(expect.any(String));
    // The job mirror has it too.
    const job = await get(`/jobs/${done.job_id}`);
    expect(job.body).toMatchObject({ status: 'completed', type: 'evaluation.run' });

    const accepted = await post('/evaluations/create', { prompt_id: promptId });
    expectStatus(accepted, 202);
    expect(['pending', 'running', 'completed']).toContain(accepted.body.status);
    expect(accepted.body.job_id).toEqual(expect.any(Number));
    const later = await until(() => evaluation(accepted.body.id), finished);
    expect(later.status).toBe('completed');
    // The same prompt on the same cases and model again: every answer comes from the cache,
    // nothing is paid, and the quality numbers do not change.
    const calls = fake.count('chat');
    expect(later.summary).toMatchObject({
      cached: 8,
      cost: 0,
      passed: 6,
      tokens: done.summary.tokens,
    });
    expect(fake.count('chat')).toBe(calls);
  });

  it('never sends a case whose inputs lack a template variable: render_error, counted apart', async () => {
    const projectId = await project();
    await cases(
      projectId,
      range(4).map((n) => ({ n })),
    );
    // Two more cases without `text`: the prompt cannot be rendered for them.
    const broken = await post('/test-cases/bulk', {
      project_id: projectId,
      test_cases: [10, 11].map((n) => ({
        name: `broken ${n}`,
        inputs: { n },
        expected_outputs: { response: label(n) },
      })),
    });
    expectStatus(broken, 201);
    const promptId = await prompt(projectId);
    const strict = await post('/evaluations/create', { prompt_id: promptId, strict_inputs: true });
    expectFields(strict, ['test_case_ids']);
    expect(strict.body.errors[0].message).toContain('2 of 6');
    const before = fake.count('chat');
    const done = await runToEnd({ prompt_id: promptId, metrics: [{ name: 'exact_match' }] });
    expect(done.input_warnings).toEqual({ cases_missing_variables: 2, variables: ['n', 'text'] });
    expect(fake.count('chat') - before).toBe(4);
    expect(done.summary).toMatchObject({
      total: 6,
      counts: { ok: 4, render_error: 2 },
      passed: 4,
      pass_rate: 1,
    });
    const rows = await get(`/evaluations/${done.id}/results?status=render_error`);
    expectStatus(rows, 200);
    expect(rows.body.total).toBe(2);
    for (const row of rows.body.items) {
      expect(row).toMatchObject({
        status: 'render_error',
        output: null,
        score: null,
        passed: null,
      });
      expect(row.error).toContain('text');
    }
  });

  it('does not score reference metrics on a case without expected value, and keeps parsed_output clean', async () => {
    const projectId = await project();
    await cases(projectId, [{ n: 0 }, { n: 1 }, { n: 2, expected: {} }, { n: 3, expected: {} }]);
    const promptId = await prompt(projectId);
    const done = await runToEnd({
      prompt_id: promptId,
      metrics: [{ name: 'exact_match' }, { name: 'regex_match', options: { pattern: 'tive$' } }],
    });
    // Cases 2 and 3 are scored by regex_match alone; nothing counts them as failures.
    expect(done.summary).toMatchObject({
      counts: { ok: 4 },
      pass_rate: 1,
      not_scored: { cases: 0, metrics: { exact_match: 2 } },
      metrics: { exact_match: { count: 2, mean: 1 }, regex_match: { count: 4, mean: 1 } },
    });
    const results = await get(`/evaluations/${done.id}/results?per_page=10`);
    const unscored = results.body.items.filter((r: Json) => r.scores.exact_match === null);
    expect(unscored).toHaveLength(2);
    for (const row of unscored) {
      expect(row.passed).toBe(true);
      expect(row.parsed_output).toBeNull();
      expect(row.details.exact_match.not_scored).toMatch(/no expected value/);
    }
    // Only the reference metric: such a case has no score at all and is left out of the pass rate.
    const only = await runToEnd({ prompt_id: promptId, metrics: [{ name: 'exact_match' }] });
    expect(only.summary).toMatchObject({
      pass_rate: 1,
      passed: 2,
      failed: 0,
      not_scored: { cases: 2 },
    });
  });

  it('pages results and filters them by passed and status', async () => {
    const { caseIds, promptId } = await setup(25);
    // Every fifth case wrong: 5 failures.
    fake.setOptions({
      answer: (req) => (caseNumber(req) % 5 === 0 ? 'wrong' : label(caseNumber(req))),
    });
    const done = await runToEnd({ prompt_id: promptId });
    expect(done.summary).toMatchObject({ passed: 20, failed: 5 });

    const page2 = await get(`/evaluations/${done.id}/results?page=2&per_page=10`);
    expectStatus(page2, 200);
    expect(page2.body).toMatchObject({ total: 25, page: 2, per_page: 10 });
    expect(page2.body.items.map((r: Json) => r.test_case_id)).toEqual(caseIds.slice(10, 20));
    const row = page2.body.items[1];
    expect(row).toMatchObject({
      status: 'ok',
      repeat_index: 0,
      output: label(11),
      scores: { exact_match: 1 },
      score: 1,
      passed: true,
      error: null,
      cached: false,
      tokens_out: 1,
    });
    expect(row.cost).toBeGreaterThan(0);

    const failedRows = await get(`/evaluations/${done.id}/results?passed=false&per_page=100`);
    expect(failedRows.body.total).toBe(5);
    expect(failedRows.body.items.map((r: Json) => r.test_case_id)).toEqual(
      [0, 5, 10, 15, 20].map((n) => caseIds[n]),
    );
    expect(failedRows.body.items.every((r: Json) => r.output === 'wrong')).toBe(true);
    const passedRows = await get(`/evaluations/${done.id}/results?passed=true&per_page=1`);
    expect(passedRows.body.total).toBe(20);
    const okRows = await get(`/evaluations/${done.id}/results?status=ok&per_page=1`);
    expect(okRows.body.total).toBe(25);
    const infraRows = await get(`/evaluations/${done.id}/results?status=infra_error`);
    expect(infraRows.body.total).toBe(0);
    // Worst first.
    const worst = await get(`/evaluations/${done.id}/results?order=score&per_page=5`);
    expect(worst.body.items.every((r: Json) => r.score === 0)).toBe(true);

    const bad = await get(`/evaluations/${done.id}/results?status=great&passed=maybe`);
    expectFields(bad, ['passed', 'status']);
  });

  it('cancels a slow run: the evaluation and its job end cancelled', async () => {
    const { promptId } = await setup(40);
    fake.setOptions({ latencyMs: 300 });
    const created = await post('/evaluations/create', { prompt_id: promptId, concurrency: 1 });
    expectStatus(created, 202);
    const id: number = created.body.id;
    await until(
      () => get(`/evaluations/${id}/results?per_page=1`).then((r) => r.body.total as number),
      (n) => n >= 2,
    );
    const cancelled = await post(`/evaluations/cancel/${id}`, {});
    expectStatus(cancelled, 200);
    const ended = await until(() => evaluation(id), finished, 15_000);
    expect(ended.status).toBe('cancelled');
    expect(ended.summary).toBeNull();
    const job = await until(
      () => get(`/jobs/${ended.job_id}`).then((r) => r.body),
      (j) => j.status === 'cancelled',
    );
    expect(job.status).toBe('cancelled');
    const rows = await get(`/evaluations/${id}/results?per_page=1`);
    expect(rows.body.total).toBeGreaterThanOrEqual(2);
    expect(rows.body.total).toBeLessThan(40);
    // Ended runs cannot be cancelled again, and have no report.
    expectStatus(await post(`/evaluations/cancel/${id}`, {}), 409);
    const report = await get(`/evaluations/${id}/report`);
    expectStatus(report, 409);
    expect(report.body.code).toBe('invalid_state');
    const listed = await get(`/evaluations/list?status=cancelled`);
    expect(listed.body.items.map((e: Json) => e.id)).toContain(id);
  });

  it('cancels a run still waiting for a slot: it never starts', async () => {
    const { promptId } = await setup(20);
    fake.setOptions({ latencyMs: 300 });
    // QUEUE_CONCURRENCY_EVALUATION=2: two slow runs hold both slots, the third one waits.
    const busy = await Promise.all(
      [1, 2].map(() => post('/evaluations/create', { prompt_id: promptId, concurrency: 1 })),
    );
    for (const res of busy) expectStatus(res, 202);
    await Promise.all(
      busy.map((res) =>
        until(
          () => evaluation(res.body.id),
          (e) => e.status === 'running',
        ),
      ),
    );
    const waiting = await post('/evaluations/create', { prompt_id: promptId, concurrency: 1 });
    expectStatus(waiting, 202);
    expect(waiting.body.status).toBe('pending');
    const cancelled = await post(`/evaluations/cancel/${waiting.body.id}`, {});
    expectStatus(cancelled, 200);
    // Ended at once, by the API: no runner was there to do it.
    expect(cancelled.body.status).toBe('cancelled');
    const job = await get(`/jobs/${waiting.body.job_id}`);
    expect(job.body).toMatchObject({ status: 'cancelled', attempts: 0 });
    for (const res of busy) expectStatus(await post(`/evaluations/cancel/${res.body.id}`, {}), 200);
    await Promise.all(busy.map((res) => until(() => evaluation(res.body.id), finished, 15_000)));
    const rows = await get(`/evaluations/${waiting.body.id}/results`);
    expect(rows.body.total).toBe(0);
    expect((await evaluation(waiting.body.id)).started_at).toBeNull();
  });

  it('answers 409 for the report of a run that has not completed', async () => {
    const { promptId } = await setup(10);
    fake.setOptions({ latencyMs: 200 });
    const created = await post('/evaluations/create', { prompt_id: promptId, concurrency: 1 });
    expectStatus(created, 202);
    for (const format of ['json', 'csv', 'md', 'html', 'pdf']) {
      const res = await get(`/evaluations/${created.body.id}/report?format=${format}`);
      expect({ format, status: res.status }).toEqual({ format, status: 409 });
      expect(res.body.code).toBe('invalid_state');
    }
    expectStatus(await post(`/evaluations/cancel/${created.body.id}`, {}), 200);
    await until(() => evaluation(created.body.id), finished, 15_000);
  });

  describe('comparisons', () => {
    let projectId: number;
    let caseIds: number[];
    let weak: number;
    let strong: number;

    beforeAll(async () => {
      projectId = await project();
      caseIds = await cases(
        projectId,
        range(30).map((n) => ({ n })),
      );
      weak = await prompt(projectId, 'Review #{n}: {text}');
      strong = await prompt(projectId, 'Think carefully. Review #{n}: {text}');
    });

    /** The strong prompt is always right; the weak one misses every third case. */
    const answer = (req: FakeRequest) => {
      const n = caseNumber(req);
      if (lastUser(req).startsWith('Think carefully') || n % 3 !== 0) return label(n);
      return 'unsure';
    };

    it('compares two finished evaluations: delta, wins and losses, McNemar, verdict', async () => {
      fake.setOptions({ answer });
      const a = await runToEnd({ prompt_id: weak });
      const b = await runToEnd({ prompt_id: strong });
      expect(a.summary.pass_rate).toBeCloseTo(20 / 30, 12);
      expect(b.summary.pass_rate).toBe(1);
      const res = await post('/evaluations/compare', { evaluation_ids: [a.id, b.id] });
      expectStatus(res, 200);
      expect(res.body).toMatchObject({ evaluation_ids: [a.id, b.id], status: 'completed' });
      const c = res.body.comparison;
      expect(c).toMatchObject({
        shared: 30,
        wins: 10,
        ties: 20,
        losses: 0,
        metrics: { exact_match: { mean_b: 1 } },
        mcnemar: { b: 0, c: 10 },
        verdict: { significant: true, better: 'b' },
      });
      expect(c.mean_a).toBeCloseTo(20 / 30, 12);
      expect(c.mean_b).toBe(1);
      expect(c.delta).toBeCloseTo(10 / 30, 12);
      expect(c.ci95[0]).toBeGreaterThan(0);
      expect(c.mcnemar.p_value).toBeLessThan(0.05);
      expect(c.verdict.text).toContain('B scores higher by 0.333 on average over 30 shared cases');
      expect(c.verdict.text).toContain('B wins 10, ties 20, loses 0');
      expect(c.verdict.text).toContain('B is better');
      // The biggest differences come first: the cases the weak prompt missed.
      expect(c.cases.slice(0, 10).map((x: Json) => x.delta)).toEqual(Array(10).fill(1));
      const missed = new Set([0, 3, 6, 9, 12, 15, 18, 21, 24, 27].map((n) => `${caseIds[n]}:0`));
      expect(new Set(c.cases.slice(0, 10).map((x: Json) => x.key))).toEqual(missed);

      // The other way round: A is better.
      const reversed = await post('/evaluations/compare', { evaluation_ids: [b.id, a.id] });
      expect(reversed.body.comparison).toMatchObject({
        wins: 0,
        losses: 10,
        verdict: { better: 'a' },
      });

      // The comparison report names both runs and the verdict.
      const md = await get(`/evaluations/${a.id}/report?format=md&compare_to=${b.id}`);
      expectStatus(md, 200);
      expect(md.text).toContain(`#${a.id}`);
      expect(md.text).toContain(`#${b.id}`);
      const csv = await get(`/evaluations/${a.id}/report?format=csv&compare_to=${b.id}`);
      expectStatus(csv, 200);
      expect(csv.text.trimEnd().split('\r\n')).toHaveLength(31);
    });

    it('refuses to compare runs that have not completed, and bad requests', async () => {
      fake.setOptions({ latencyMs: 200, answer });
      const finishedRun = await runToEnd({ prompt_id: weak, test_case_ids: caseIds.slice(0, 2) });
      const slow = await post('/evaluations/create', { prompt_id: strong, concurrency: 1 });
      const res = await post('/evaluations/compare', {
        evaluation_ids: [finishedRun.id, slow.body.id],
      });
      expectStatus(res, 409);
      await post(`/evaluations/cancel/${slow.body.id}`, {});
      await until(() => evaluation(slow.body.id), finished, 15_000);
      expectFields(await post('/evaluations/compare', {}), ['evaluation_ids']);
      expectFields(
        await post('/evaluations/compare', { evaluation_ids: [1, 2], prompt_ids: [1, 2] }),
        ['evaluation_ids'],
      );
      expectStatus(
        await post('/evaluations/compare', { evaluation_ids: [finishedRun.id, 999_999_999] }),
        404,
      );
    });

    it('runs both prompts with prompt_ids and compares them', async () => {
      fake.setOptions({ answer });
      const before = (await get(`/evaluations/list?project_id=${projectId}&per_page=1`)).body
        .total as number;
      const res = await post('/evaluations/compare', { prompt_ids: [weak, strong] });
      expectStatus(res, 200);
      expect(res.body.status).toBe('completed');
      expect(res.body.comparison).toMatchObject({
        shared: 30,
        wins: 10,
        losses: 0,
        verdict: { better: 'b' },
      });
      const [ea, eb] = await Promise.all(
        res.body.evaluation_ids.map((id: number) => evaluation(id)),
      );
      expect(ea).toMatchObject({ status: 'completed', prompt_id: weak, test_case_count: 30 });
      expect(eb).toMatchObject({ status: 'completed', prompt_id: strong, test_case_count: 30 });
      expect(ea.name).toBe('compare: version 1');
      const after = (await get(`/evaluations/list?project_id=${projectId}&per_page=1`)).body.total;
      expect(after).toBe(before + 2);
      // Listing by prompt finds each run under its own prompt.
      const byPrompt = await get(`/evaluations/list?prompt_id=${strong}&per_page=100`);
      expect(byPrompt.body.items.map((e: Json) => e.id)).toContain(eb.id);
      expect(byPrompt.body.items.map((e: Json) => e.id)).not.toContain(ea.id);
    });
  });

  it('runs each case 3 times with repeats=3: summary.repeats and cases × 3 rows', async () => {
    const { promptId } = await setup(6);
    // Odd cases flip on their third call (a model with temperature): 2 of 3 runs pass.
    const calls = new Map<number, number>();
    fake.setOptions({
      answer: (req) => {
        const n = caseNumber(req);
        const call = (calls.get(n) ?? 0) + 1;
        calls.set(n, call);
        return n % 2 === 1 && call === 3 ? 'flip' : label(n);
      },
    });
    const done = await runToEnd({
      prompt_id: promptId,
      repeats: 3,
      model_config: { ...MODEL, parameters: { temperature: 1 } },
    });
    expect(done).toMatchObject({ status: 'completed', test_case_count: 18 });
    // Every repeat reached the model: repeats bypass the response cache.
    expect([...calls.values()]).toEqual(Array(6).fill(3));
    expect(done.summary).toMatchObject({ total: 18, passed: 15, failed: 3, cached: 0 });
    expect(done.summary.repeats).toMatchObject({
      runs_per_case: 3,
      cases: 6,
      inconsistent_cases: 3,
    });
    expect(done.summary.repeats.mean_pass_rate).toBeCloseTo((3 * 1 + 3 * (2 / 3)) / 6, 12);
    expect(done.summary.repeats.mean_variance).toBeGreaterThan(0);
    const rows = await get(`/evaluations/${done.id}/results?per_page=100`);
    expect(rows.body.total).toBe(18);
    expect(rows.body.items.map((r: Json) => r.repeat_index)).toEqual(
      range(6).flatMap(() => [0, 1, 2]),
    );
    // The request carried the temperature.
    expect(fake.requests.at(-1)?.params.temperature).toBe(1);

    // The mock provider is deterministic: three identical runs, nothing inconsistent.
    const mock = await runToEnd({
      prompt_id: promptId,
      repeats: 3,
      model_config: { provider: 'mock', model: 'mock-hash', parameters: { choices: ['a', 'b'] } },
    });
    expect(mock.summary.repeats).toMatchObject({
      runs_per_case: 3,
      cases: 6,
      inconsistent_cases: 0,
      mean_variance: 0,
    });
    expect(mock.summary.total).toBe(18);
  });

  it('parses signature outputs from a ```json fence, scores a field, and counts parse errors apart', async () => {
    const projectId = await project();
    const signature = await post('/signatures/create', {
      project_id: projectId,
      name: 'Sentiment',
      input_schema: [
        { name: 'n', type: 'integer' },
        { name: 'text', type: 'string' },
      ],
      output_schema: [
        { name: 'label', type: 'string' },
        { name: 'confidence', type: 'number' },
      ],
    });
    expectStatus(signature, 201);
    const caseIds = await cases(
      projectId,
      range(6).map((n) => ({ n, expected: { label: label(n) } })),
    );
    const promptId = await prompt(projectId, 'Review #{n}: {text}\nAnswer in JSON.', {
      signature_id: signature.body.id,
    });
    fake.setOptions({
      answer: (req) => {
        const n = caseNumber(req);
        if (n === 5) return 'I would rather not say.';
        // Case 4 is labelled wrongly.
        const value = { label: n === 4 ? 'neutral' : label(n), confidence: 0.9 };
        return `Here you go:\n\`\`\`json\n${JSON.stringify(value)}\n\`\`\``;
      },
    });
    const done = await runToEnd({
      prompt_id: promptId,
      metrics: [{ name: 'exact_match', field: 'label' }],
    });
    expect(done.summary).toMatchObject({
      total: 6,
      counts: { ok: 5, infra_error: 0, parse_error: 1, timeout: 0 },
      passed: 4,
      failed: 1,
      pass_rate: 0.8,
      score: { count: 5, mean: 0.8 },
      metrics: { 'exact_match:label': { count: 5, mean: 0.8 } },
    });
    const rows = await get(`/evaluations/${done.id}/results`);
    const byCase = new Map<number, Json>(rows.body.items.map((r: Json) => [r.test_case_id, r]));
    expect(byCase.get(caseIds[0])).toMatchObject({
      status: 'ok',
      parsed_output: { label: 'positive', confidence: 0.9 },
      scores: { 'exact_match:label': 1 },
      passed: true,
    });
    expect(byCase.get(caseIds[4])).toMatchObject({
      status: 'ok',
      parsed_output: { label: 'neutral', confidence: 0.9 },
      scores: { 'exact_match:label': 0 },
      passed: false,
    });
    const unparsed = byCase.get(caseIds[5])!;
    expect(unparsed).toMatchObject({
      status: 'parse_error',
      output: 'I would rather not say.',
      scores: {},
      score: null,
      passed: null,
    });
    expect(unparsed.error).toBe('no JSON object or field lines found');
    const parseErrors = await get(`/evaluations/${done.id}/results?status=parse_error`);
    expect(parseErrors.body.items.map((r: Json) => r.test_case_id)).toEqual([caseIds[5]]);
    // A parse error is not a quality failure.
    const failed = await get(`/evaluations/${done.id}/results?passed=false`);
    expect(failed.body.items.map((r: Json) => r.test_case_id)).toEqual([caseIds[4]]);
  });
});
