import { randomBytes } from 'node:crypto';
import type { Response } from 'supertest';
import type { FakeLlmServer } from '../fakes/fake-llm';
import {
  createNullWorld,
  createRuleWorld,
  type ScriptedWorld,
  startWorldServer,
} from '../fakes/worlds';
import { BASE, type TestApp } from '../support/test-app';
import { expectStatus, until as untilDone, WorkerHarness } from '../support/worker-harness';

/**
 * Optimizations through the API, the queue and a worker process, against scripted task worlds
 * behind the OpenAI wire-protocol fake (driven by the real LangChain client): a run learns the
 * hidden rule and saves the winner as a new version; a null world is never "improved"; the
 * budget holds at the fake; every candidate's lineage is recorded; cancel keeps the best; a
 * worker killed mid-run is replaced and no finished upstream call is made again.
 */

jest.setTimeout(300_000);

const API_KEY = 'sk-test-optimizations';
const MODEL = { provider: 'openai', model: 'gpt-4o-mini' };

type Json = Response['body'];

/** Optimizations take longer than most runs: a longer default wait, polled less often. */
const until = <T>(probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 120_000) =>
  untilDone(probe, done, timeoutMs, 100);

describe('optimizations (API + worker process + scripted worlds)', () => {
  let h: WorkerHarness;
  let t: TestApp;

  beforeAll(async () => {
    h = await WorkerHarness.start({ name: 'opt', apiKey: API_KEY });
    t = h.t;
  });

  afterEach(() => h.afterEach());

  afterAll(() => h?.close());

  const worldServer = async (world: ScriptedWorld, on = h) =>
    on.track(await startWorldServer(world));

  const startWorker = (fake: FakeLlmServer, on = h) => on.startWorker(fake);

  let app: TestApp;
  const post = (path: string, body: object) => (app ?? t).http().post(`${BASE}${path}`).send(body);
  const get = (path: string) => (app ?? t).http().get(`${BASE}${path}`);

  /** A project holding the world's case pool and a prompt at the world's seed. */
  async function setup(world: ScriptedWorld, golden = 0) {
    const project = await post('/projects/create', {
      name: `opt ${randomBytes(4).toString('hex')}`,
    });
    expectStatus(project, 201);
    const projectId: number = project.body.id;
    const cases = await post('/test-cases/bulk', {
      project_id: projectId,
      test_cases: world.pool.map((c, i) => ({
        name: c.id,
        inputs: c.inputs,
        expected_outputs: c.expected,
        is_golden: i < golden,
      })),
    });
    expectStatus(cases, 201);
    const prompt = await post('/prompts/create', {
      project_id: projectId,
      name: `world ${world.name}`,
      system_prompt: world.seed.systemPrompt,
      user_prompt: world.seed.userPrompt,
      model_config: MODEL,
    });
    expectStatus(prompt, 201);
    return {
      projectId,
      promptId: prompt.body.id as number,
      caseIds: cases.body.items.map((c: { id: number }) => c.id) as number[],
    };
  }

  const optimization = (id: number) => get(`/optimizations/${id}`).then((r) => r.body);
  const ended = (o: Json) => ['completed', 'failed', 'cancelled'].includes(o.status);

  async function allCandidates(id: number): Promise<Json[]> {
    const rows: Json[] = [];
    for (let page = 1; ; page++) {
      const res = await get(`/optimizations/${id}/candidates?per_page=100&page=${page}`);
      expectStatus(res, 200);
      rows.push(...res.body.items);
      if (rows.length >= res.body.total) return rows;
    }
  }

  it('lists the strategies with their parameters; the route is not taken for an id', async () => {
    const res = await get('/optimizations/strategies');
    expectStatus(res, 200);
    const names = res.body.items.map((s: Json) => s.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'iterative',
        'bootstrap',
        'mipro',
        'hyperparameter',
        'genetic',
        'mcts',
      ]),
    );
    for (const strategy of res.body.items) {
      expect(strategy.default_max_llm_calls).toBeGreaterThan(0);
      expect(strategy.parameters.length).toBeGreaterThan(0);
      for (const p of strategy.parameters) {
        expect(p).toEqual(
          expect.objectContaining({ name: expect.any(String), type: expect.any(String) }),
        );
      }
    }
    // MCTS is off unless enabled: listed, with how to enable it.
    const mcts = res.body.items.find((s: Json) => s.name === 'mcts');
    expect(mcts.enabled).toBe(false);
    expect(mcts.enable_hint).toContain('PROMPT_STUDIO_ENABLE_MCTS');
    expect(names).not.toContain('random_rewrite');
  });

  it('answers 400 naming the field for invalid requests, per strategy', async () => {
    const world = createRuleWorld({ poolSize: 20, sealedSize: 0 });
    const { promptId } = await setup(world);
    const bad = async (body: object, field: string) => {
      const res = await post('/optimizations/create', { prompt_id: promptId, ...body });
      expectStatus(res, 400);
      const fields = res.body.errors.map((e: Json) => e.field);
      expect(fields).toContain(field);
      return res.body;
    };
    await bad({ strategy: 'nope' }, 'strategy');
    const mcts = await bad({ strategy: 'mcts' }, 'strategy');
    expect(JSON.stringify(mcts)).toContain('PROMPT_STUDIO_ENABLE_MCTS');
    await bad(
      { strategy: 'iterative', strategy_params: { patience: -1 } },
      'strategy_params.patience',
    );
    await bad(
      { strategy: 'iterative', strategy_params: { unknown_knob: 1 } },
      'strategy_params.unknown_knob',
    );
    await bad(
      { strategy: 'bootstrap', strategy_params: { selection_strategy: 'best-ish' } },
      'strategy_params.selection_strategy',
    );
    await bad(
      { strategy: 'genetic', strategy_params: { population_size: 100000 } },
      'strategy_params.population_size',
    );
    await bad(
      { strategy: 'mipro', strategy_params: { num_candidates: 0 } },
      'strategy_params.num_candidates',
    );
    await bad(
      {
        strategy: 'hyperparameter',
        strategy_params: {
          search: 'grid',
          grid_points: 10,
          tune: ['temperature', 'top_p', 'max_tokens'],
        },
        budget: { max_llm_calls: 50 },
      },
      'strategy_params.grid_points',
    );
    await bad({ strategy: 'iterative', budget: { max_llm_calls: 0 } }, 'budget.max_llm_calls');
    await bad({ strategy: 'iterative', budget: { max_tokens: 2 ** 60 } }, 'budget.max_tokens');
    await bad({ strategy: 'iterative', validation_case_ids: [999999999] }, 'validation_case_ids.0');
    await bad({ strategy: 'iterative', metrics: [{ name: 'nope' }] }, 'metrics.0.name');
    await bad(
      { strategy: 'iterative', proposer_model_config: { provider: 'nope', model: 'x' } },
      'proposer_model_config.provider',
    );
    const missing = await post('/optimizations/create', {
      prompt_id: 2 ** 50,
      strategy: 'iterative',
    });
    expectStatus(missing, 404);
  });

  it('estimates a run with the same code that enforces its budget', async () => {
    const world = createRuleWorld({ poolSize: 20, sealedSize: 0 });
    const { promptId } = await setup(world);
    const res = await post('/optimizations/estimate', {
      prompt_id: promptId,
      strategy: 'iterative',
      budget: { max_llm_calls: 40 },
    });
    expectStatus(res, 200);
    expect(res.body.budget.max_llm_calls).toBe(40);
    expect(res.body.expected.llm_calls).toBeGreaterThan(0);
    expect(res.body.expected.llm_calls).toBeLessThanOrEqual(40);
    expect(res.body.maximum.llm_calls).toBeLessThanOrEqual(40);
    expect(res.body.train_cases + res.body.validation_cases).toBe(20);
  });

  it('learns the hidden rule: winner saved as a new version, budget held at the fake, lineage recorded', async () => {
    // 80 cases: a 30% holdout of 24 validation cases, enough for a real gain to be provable at
    // the claim's level (one-sided 1% over the finalists).
    const world = createRuleWorld({ poolSize: 80, sealedSize: 0, seed: 7 });
    const fake = await worldServer(world);
    await startWorker(fake);
    const { promptId, caseIds } = await setup(world);
    // Genetic: the strategy that learns this world most reliably at this budget (9 of 10 seeds
    // in bench/optimizer-efficiency), so the test is about the pipeline, not one seed's luck.
    const budget = 600;
    const created = await post('/optimizations/create', {
      prompt_id: promptId,
      strategy: 'genetic',
      budget: { max_llm_calls: budget },
      seed: 3,
      auto_promote: true,
    });
    expectStatus(created, 202);
    expect(created.body.status).toBe('pending');
    expect(created.body.estimate.maximum.llm_calls).toBeLessThanOrEqual(budget);
    const done = await until(() => optimization(created.body.id), ended, 240_000);
    expect({ status: done.status, error: done.error }).toEqual({
      status: 'completed',
      error: null,
    });
    expect(fake.requests.length).toBeLessThanOrEqual(budget);
    expect(done.usage.llm_calls).toBeLessThanOrEqual(budget);
    expect(done.baseline.validation.mean).not.toBeNull();
    expect({
      improvement: done.improvement,
      best: done.best,
      baseline: done.baseline,
      usage: done.usage,
    }).toMatchObject({ improvement: { improved: true } });
    expect(done.improvement.ci95[0]).toBeGreaterThan(0);
    expect(done.best.validation.mean).toBeGreaterThan(done.baseline.validation.mean);
    // The winner is a new version, current because auto_promote and improved.
    expect(done.optimized_version_id).not.toBeNull();
    const prompt = await get(`/prompts/${promptId}`);
    expect(prompt.body.current_version.id).toBe(done.optimized_version_id);
    expect(prompt.body.current_version.source).toBe('optimization');
    expect(prompt.body.current_version.change_description).toContain('genetic');
    // Lineage: the seed is candidate 0; every other candidate names existing parents.
    const candidates = await allCandidates(done.id);
    expect(candidates.length).toBe(done.candidate_count);
    const ids = new Set(candidates.map((c) => c.candidate_id));
    expect(candidates[0]).toMatchObject({ candidate_id: 0, parent_ids: [], operator: 'seed' });
    for (const c of candidates.slice(1)) {
      expect(c.parent_ids.length).toBeGreaterThan(0);
      for (const p of c.parent_ids) expect(ids.has(p)).toBe(true);
      expect(c.operator).not.toBe('seed');
    }
    expect(candidates.some((c) => c.status === 'winner')).toBe(true);
    // The split: every case on exactly one side, a 30% holdout by default.
    expect(done.split.method).toBe('holdout');
    expect([...done.split.train_case_ids, ...done.split.validation_case_ids].sort()).toEqual(
      [...caseIds].sort(),
    );
    expect(done.split.validation_case_ids).toHaveLength(24);
    const listed = await get(`/optimizations/list?prompt_id=${promptId}`);
    expect(listed.body.items.map((o: Json) => o.id)).toContain(done.id);
  });

  it('never claims an improvement in a world where nothing helps', async () => {
    const world = createNullWorld({ poolSize: 40, sealedSize: 0, seed: 11 });
    const fake = await worldServer(world);
    await startWorker(fake);
    const { promptId } = await setup(world);
    const created = await post('/optimizations/create', {
      prompt_id: promptId,
      strategy: 'iterative',
      budget: { max_llm_calls: 120 },
      seed: 5,
      auto_promote: true,
    });
    expectStatus(created, 202);
    const done = await until(() => optimization(created.body.id), ended, 240_000);
    expect({ status: done.status, error: done.error }).toEqual({
      status: 'completed',
      error: null,
    });
    expect(done.improvement.improved).toBe(false);
    expect(done.improvement.verdict).toMatch(/no significant improvement/i);
    expect(done.optimized_version_id).toBeNull();
    expect(fake.requests.length).toBeLessThanOrEqual(120);
  });

  it('cancels a running optimization within an iteration and keeps the best so far', async () => {
    const world = createRuleWorld({ poolSize: 40, sealedSize: 0, seed: 13 });
    const fake = await worldServer(world);
    fake.setOptions({ latencyMs: 30 });
    await startWorker(fake);
    const { promptId } = await setup(world);
    const created = await post('/optimizations/create', {
      prompt_id: promptId,
      strategy: 'iterative',
      budget: { max_llm_calls: 400 },
      seed: 2,
    });
    expectStatus(created, 202);
    await until(
      () => optimization(created.body.id),
      (o) => o.status === 'running' && o.candidate_count > 1,
    );
    const cancelled = await post(`/optimizations/${created.body.id}/cancel`, {});
    expectStatus(cancelled, 200);
    const done = await until(() => optimization(created.body.id), ended, 60_000);
    expect(done.status).toBe('cancelled');
    const calls = fake.requests.length;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(fake.requests.length).toBe(calls);
    expect(calls).toBeLessThan(400);
    expect(done.best.train).not.toBeNull();
    const again = await post(`/optimizations/cancel/${created.body.id}`, {});
    expectStatus(again, 409);
  });

  it('resumes on another worker after SIGKILL without repeating a finished upstream call', async () => {
    // The same run twice, each on a fresh database (so a fresh response cache): once
    // uninterrupted for reference, once with its worker killed mid-run. The run is deterministic
    // for its seed, so the killed run asks the reference run's calls: the only ones asked twice
    // are those in flight at the kill, whose answers never reached the cache.
    const budget = 120;
    const body = { strategy: 'iterative', budget: { max_llm_calls: budget }, seed: 4 };
    const runOnce = async (kill: boolean) => {
      const run = await WorkerHarness.start({
        name: 'opt',
        apiKey: API_KEY,
        prefix: `${h.prefix}-${kill ? 'kill' : 'ref'}`,
      });
      app = run.t;
      try {
        const world = createRuleWorld({ poolSize: 40, sealedSize: 0, seed: 17 });
        const fake = await worldServer(world, run);
        fake.setOptions({ latencyMs: 20 });
        const first = await startWorker(fake, run);
        const { promptId } = await setup(world);
        const created = await post('/optimizations/create', { prompt_id: promptId, ...body });
        expectStatus(created, 202);
        let atKill = 0;
        if (kill) {
          await until(
            () => Promise.resolve(fake.requests.length),
            (n) => n >= 40,
          );
          await first.stop('SIGKILL');
          atKill = fake.requests.length;
          await startWorker(fake, run);
        }
        const done = await until(() => optimization(created.body.id), ended, 240_000);
        const job = await get(`/jobs/${done.job_id}`);
        return {
          done,
          atKill,
          attempts: job.body.attempts as number,
          bodies: fake.requests.map((r) => JSON.stringify(r.body)),
        };
      } finally {
        await run.close();
        app = undefined as unknown as TestApp;
      }
    };
    const reference = await runOnce(false);
    const killed = await runOnce(true);
    expect(killed.done.status).toBe('completed');
    expect(killed.attempts).toBeGreaterThanOrEqual(2);
    expect(killed.atKill).toBeGreaterThan(0);
    expect(killed.atKill).toBeLessThan(reference.bodies.length);
    // Same run: same verdict, same winner, same spend.
    expect(killed.done.improvement).toEqual(reference.done.improvement);
    expect(killed.done.best).toEqual(reference.done.best);
    expect(killed.done.usage.llm_calls).toBe(reference.done.usage.llm_calls);
    // Every reference call was asked, and at most the calls in flight at the kill (the run's
    // concurrency, 4) were asked twice.
    const left = new Map<string, number>();
    for (const b of killed.bodies) left.set(b, (left.get(b) ?? 0) + 1);
    for (const b of reference.bodies) left.set(b, (left.get(b) ?? 0) - 1);
    const extra = [...left.values()].filter((n) => n > 0).reduce((a, n) => a + n, 0);
    const missing = [...left.values()].filter((n) => n < 0).length;
    expect(missing).toBe(0);
    expect(extra).toBeLessThanOrEqual(4);
    expect(killed.bodies.length).toBeLessThanOrEqual(budget + 4);
  });
});
