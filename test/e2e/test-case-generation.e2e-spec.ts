import { randomBytes } from 'node:crypto';
import type { Response } from 'supertest';
import {
  type FakeLlmOptions,
  type FakeLlmServer,
  type FakeRequest,
  startFakeLlm,
} from '../fakes/fake-llm';
import { BASE, startTestApp, type TestApp } from '../support/test-app';
import { expectStatus, until, WorkerHarness } from '../support/worker-harness';

/**
 * Test-case generation end to end: POST /test-cases/generate (API, this process) enqueues a
 * `generation` job on Redis, a separate worker process has the OpenAI wire fake (through the real
 * LLM layer and LangChain) or the typed generator write the cases, stores them in PostgreSQL and
 * announces `test_cases_generated`, which reaches a Socket.IO client of the API. Also: bad model
 * answers are asked again within the call budget and never stored, the all-in-one mode (PGlite,
 * jobs run in the API) generates without any provider, and bad requests are 400s naming the field.
 */

jest.setTimeout(180_000);

const API_KEY = 'sk-test-generation';
const MODEL = { provider: 'openai', model: 'gpt-4o-mini' };

type Json = Response['body'];

const REVIEW_SIGNATURE = {
  name: 'Review sentiment',
  instruction: 'Classify the sentiment of a product review.',
  input_schema: [
    { name: 'review', type: 'string', description: 'The review text.', required: true },
    { name: 'stars', type: 'integer', required: true },
  ],
  output_schema: [{ name: 'sentiment', type: 'string', required: true }],
};

const TYPED_SIGNATURE = {
  name: 'Every type',
  input_schema: [
    { name: 'text', type: 'string', required: true },
    { name: 'count', type: 'integer', required: true },
    { name: 'ratio', type: 'number', required: false },
    { name: 'flag', type: 'boolean', required: true },
    { name: 'items', type: 'array', required: false },
    { name: 'meta', type: 'object', required: true },
  ],
  output_schema: [{ name: 'answer', type: 'string', required: true }],
};

/** How many cases a generation request asks for (its first user message says). */
const askedFor = (req: FakeRequest) =>
  Number(
    /Write exactly (\d+) new case/.exec(req.messages.find((m) => m.role === 'user')!.content)?.[1],
  );

/** A model writing `asked` good review cases, numbered on from `counter.n`. */
function goodCases(req: FakeRequest, counter: { n: number }): string {
  return JSON.stringify({
    cases: Array.from({ length: askedFor(req) }, () => {
      const n = counter.n++;
      return {
        name: `Review ${n % 3 === 0 ? 'case' : n}`,
        category: ['typical', 'edge', 'boundary', 'adversarial'][n % 4],
        description: `Generated review ${n}.`,
        inputs: {
          review: `Review ${n}: the kettle ${['works', 'leaks', 'is loud'][n % 3]}`,
          stars: (n % 5) + 1,
        },
        expected_outputs: { sentiment: n % 3 === 0 ? 'positive' : 'negative' },
      };
    }),
  });
}

const typeOf = (v: unknown) =>
  Array.isArray(v) ? 'array' : v === null ? 'null' : Number.isInteger(v) ? 'integer' : typeof v;

describe('test-case generation (API + worker process + OpenAI fake)', () => {
  let h: WorkerHarness;
  let t: TestApp;

  beforeAll(async () => {
    h = await WorkerHarness.start({
      name: 'gen',
      apiKey: API_KEY,
      listen: true,
      env: { EVALUATION_WAIT_SECONDS: '60' },
    });
    t = h.t;
  });

  afterEach(() => h.afterEach());

  afterAll(() => h?.close());

  const fakeLlm = async (options: FakeLlmOptions) => h.track(await startFakeLlm(options));

  const startWorker = (fake: FakeLlmServer) =>
    h.startWorker(fake, { QUEUE_CONCURRENCY_GENERATION: '1', LLM_MAX_RETRIES: '0' });

  const post = (path: string, body: object) => t.http().post(`${BASE}${path}`).send(body);
  const get = (path: string) => t.http().get(`${BASE}${path}`);

  const job = (id: number) => get(`/jobs/${id}`).then((r) => r.body);
  const ended = (j: Json) => ['completed', 'failed', 'cancelled'].includes(j.status);

  async function project(body: object = {}) {
    const res = await post('/projects/create', {
      name: `generation ${randomBytes(4).toString('hex')}`,
      ...body,
    });
    expectStatus(res, 201);
    return res.body.id as number;
  }

  async function signature(projectId: number, spec: object) {
    const res = await post('/signatures/create', { project_id: projectId, ...spec });
    expectStatus(res, 201);
    return res.body.id as number;
  }

  async function casesOf(projectId: number, tags?: string): Promise<Json[]> {
    const items: Json[] = [];
    for (let page = 1; ; page++) {
      const res = await get(
        `/test-cases/list?project_id=${projectId}&per_page=100&page=${page}&sort=created_at` +
          (tags ? `&tags=${encodeURIComponent(tags)}` : ''),
      );
      expectStatus(res, 200);
      items.push(...res.body.items);
      if (items.length >= res.body.total) return items;
    }
  }

  const listen = (projectId: number) => h.listen(projectId);

  it('has the model write exactly the requested number of valid, distinct cases and announces them', async () => {
    const projectId = await project();
    const signatureId = await signature(projectId, REVIEW_SIGNATURE);
    const existing = await post('/test-cases/create', {
      project_id: projectId,
      signature_id: signatureId,
      name: 'Review case',
      inputs: { review: 'An existing review of the kettle', stars: 3 },
      is_golden: true,
    });
    expectStatus(existing, 201);
    const counter = { n: 0 };
    const fake = await fakeLlm({
      answer: (req) => {
        const good = JSON.parse(goodCases(req, counter)) as { cases: Json[] };
        // Amid the good ones: the project's own case (shouted) and one with a wrong type.
        if (req.n === 1) {
          good.cases.push(
            {
              inputs: { review: 'AN EXISTING REVIEW OF THE KETTLE.', stars: 3 },
              expected_outputs: { sentiment: 'x' },
            },
            {
              inputs: { review: 'Stars as text', stars: 'five' },
              expected_outputs: { sentiment: 'x' },
            },
          );
        }
        return JSON.stringify(good);
      },
    });
    const live = await listen(projectId);
    await startWorker(fake);

    const res = await post('/test-cases/generate', {
      project_id: projectId,
      signature_id: signatureId,
      num_cases: 23,
      strategy: 'diverse',
      with_expected: true,
      model_config: MODEL,
    });
    expectStatus(res, 202);
    const jobId: number = res.body.id;
    expect(res.body).toMatchObject({
      queue: 'generation',
      type: 'test-cases.generate',
      project_id: projectId,
      status: 'queued',
      generation: {
        strategy: 'diverse',
        generator: 'llm',
        model_config: { provider: 'openai', model: 'gpt-4o-mini' },
        num_cases: 23,
        max_model_calls: 6,
        input_fields_from: 'signature',
        input_fields: ['review', 'stars'],
      },
    });

    const event = await until(
      () => Promise.resolve(live.find((m) => m.name === 'test_cases_generated')),
      (m) => m !== undefined,
    );
    const done = await until(() => job(jobId), ended);
    expect(done).toMatchObject({
      status: 'completed',
      progress: 100,
      result: {
        requested: 23,
        created: 23,
        generator: 'llm',
        strategy: 'diverse',
        stopped: 'done',
        rejected: { invalid_answers: 0, invalid_cases: 1, duplicates: 1, over_limit: 0 },
      },
    });
    expect(done.result.model_calls).toBeLessThanOrEqual(6);
    expect(fake.count('chat')).toBe(done.result.model_calls);
    expect(event!.payload).toMatchObject({
      type: 'test_cases_generated',
      project_id: projectId,
      data: { count: 23, job_id: jobId, requested: 23, strategy: 'diverse', generator: 'llm' },
    });
    expect([...event!.payload.data.test_case_ids].sort()).toEqual(
      [...done.result.test_case_ids].sort(),
    );

    // The model saw the task and the input fields.
    const firstUser = fake.requests[0].messages.find((m) => m.role === 'user')!.content;
    expect(firstUser).toContain('Instruction: Classify the sentiment of a product review.');
    expect(firstUser).toContain('- review (string, required): The review text.');
    // The project's case is listed as already covered.
    expect(firstUser).toContain('An existing review of the kettle');

    const generated = await casesOf(projectId, `generation:${jobId}`);
    expect(generated).toHaveLength(23);
    expect(generated.map((c) => c.id).sort()).toEqual([...done.result.test_case_ids].sort());
    const all = await casesOf(projectId);
    expect(all).toHaveLength(24);
    const keys = new Set(all.map((c) => JSON.stringify(c.inputs).toLowerCase()));
    expect(keys.size).toBe(24);
    const names = new Set(all.map((c) => c.name.toLowerCase()));
    expect(names.size).toBe(24);
    for (const c of generated) {
      expect(c).toMatchObject({ is_generated: true, is_golden: false, signature_id: signatureId });
      expect(Object.keys(c.inputs).sort()).toEqual(['review', 'stars']);
      expect(typeOf(c.inputs.review)).toBe('string');
      expect(typeOf(c.inputs.stars)).toBe('integer');
      expect(typeof c.expected_outputs.sentiment).toBe('string');
      expect(c.tags).toEqual(
        expect.arrayContaining([
          'generated',
          'strategy:diverse',
          `generation:${jobId}`,
          'unreviewed',
        ]),
      );
      expect(c.tags.some((tag: string) => tag.startsWith('kind:'))).toBe(true);
    }
    // "Review case" was taken by the existing case: the generated ones got suffixes.
    expect(generated.map((c) => c.name)).toContain('Review case (2)');
  });

  it('asks again after an answer that is not JSON and one with wrong fields, and stores nothing broken', async () => {
    const projectId = await project();
    const signatureId = await signature(projectId, REVIEW_SIGNATURE);
    const counter = { n: 0 };
    const fake = await fakeLlm({
      answer: (req) => {
        if (req.n === 1)
          return 'Sure! Here are five great test cases:\n1. A happy review\n2. An angry one';
        if (req.n === 2) {
          return JSON.stringify({
            cases: [
              { inputs: { text: 'wrong field name', stars: 4 } },
              { inputs: { review: 'Stars as a word', stars: 'four' } },
              { inputs: { review: 'Missing stars' } },
            ],
          });
        }
        return goodCases(req, counter);
      },
    });
    await startWorker(fake);

    const res = await post('/test-cases/generate?wait=true', {
      project_id: projectId,
      signature_id: signatureId,
      num_cases: 5,
      strategy: 'edge_cases',
      model_config: MODEL,
    });
    expectStatus(res, 200);
    expect(res.body).toMatchObject({
      status: 'completed',
      generation: { max_model_calls: 4 },
      result: {
        created: 5,
        model_calls: 3,
        rejected: { invalid_answers: 1, invalid_cases: 3, duplicates: 0 },
        stopped: 'done',
      },
    });
    expect(res.body.result.problems[0]).toBe('call 1: The answer is not JSON.');
    expect(res.body.result.problems[1]).toContain('cases[0].inputs.text: text is not a field');

    // Each retry showed the model its answer and what was wrong with it.
    const second = fake.requests[1].messages;
    expect(second.at(-2)).toMatchObject({
      role: 'assistant',
      content: expect.stringContaining('Sure! Here are'),
    });
    expect(second.at(-1)!.content).toContain('The answer is not JSON.');
    const third = fake.requests[2].messages.at(-1)!.content;
    expect(third).toContain('cases[1].inputs.stars: stars must be integer.');
    expect(third).toContain('cases[2].inputs.stars: stars is required.');

    const stored = await casesOf(projectId);
    expect(stored).toHaveLength(5);
    for (const c of stored) {
      expect(Object.keys(c.inputs).sort()).toEqual(['review', 'stars']);
      expect(typeOf(c.inputs.stars)).toBe('integer');
      expect(c.tags).toEqual(expect.arrayContaining(['strategy:edge_cases']));
      // Expected outputs were not asked for: none stored, nothing unreviewed.
      expect(c.expected_outputs).toEqual({});
      expect(c.tags).not.toContain('unreviewed');
    }
  });

  it('ends a run whose model never answers usably with a clear error, the call budget kept and nothing stored', async () => {
    const projectId = await project();
    const signatureId = await signature(projectId, REVIEW_SIGNATURE);
    const fake = await fakeLlm({ answer: () => 'I am sorry, I cannot write test cases.' });
    const live = await listen(projectId);
    await startWorker(fake);

    const res = await post('/test-cases/generate', {
      project_id: projectId,
      signature_id: signatureId,
      num_cases: 12,
      model_config: MODEL,
    });
    expectStatus(res, 202);
    const done = await until(() => job(res.body.id), ended);
    expect(done.status).toBe('failed');
    expect(done.error).toContain('The model gave no valid new test case in 5 of at most 5 calls');
    expect(done.error).toContain('5 unusable answers');
    expect(done.error).toContain('The answer is not JSON.');
    expect(done.error).toContain('nothing was stored');
    // ceil(12 / 10) + 3 calls, and the failure is final: no queue retry asks again.
    expect(done.attempts).toBe(1);
    expect(fake.count('chat')).toBe(5);
    expect(await casesOf(projectId)).toEqual([]);
    expect(live.some((m) => m.name === 'test_cases_generated')).toBe(false);
    expect(live.some((m) => m.name === 'job_failed')).toBe(true);
  });

  it('generates valid, distinct typed cases without a model, reproducibly from the seed', async () => {
    const fake = await fakeLlm({});
    await startWorker(fake);
    const run = async () => {
      const projectId = await project();
      const signatureId = await signature(projectId, TYPED_SIGNATURE);
      const res = await post('/test-cases/generate?wait=true', {
        project_id: projectId,
        signature_id: signatureId,
        num_cases: 60,
        generator: 'deterministic',
        seed: 1234,
      });
      expectStatus(res, 200);
      expect(res.body).toMatchObject({
        status: 'completed',
        generation: {
          generator: 'deterministic',
          model_config: null,
          max_model_calls: 0,
          seed: 1234,
        },
        result: { created: 60, generator: 'deterministic', model_calls: 0, stopped: 'done' },
      });
      return casesOf(projectId);
    };
    const first = await run();
    expect(first).toHaveLength(60);
    const declared = new Map(TYPED_SIGNATURE.input_schema.map((f) => [f.name, f]));
    for (const c of first) {
      for (const [name, value] of Object.entries(c.inputs)) {
        const field = declared.get(name)!;
        expect({
          name,
          type: field.type === 'number' && Number.isInteger(value) ? 'number' : typeOf(value),
        }).toEqual({
          name,
          type: field.type,
        });
      }
      for (const f of TYPED_SIGNATURE.input_schema.filter((f) => f.required)) {
        expect(c.inputs).toHaveProperty(f.name);
      }
      expect(c.is_generated).toBe(true);
    }
    expect(new Set(first.map((c) => JSON.stringify(c.inputs))).size).toBe(60);
    const kinds = new Set(
      first.flatMap((c) => c.tags.filter((tag: string) => tag.startsWith('kind:'))),
    );
    expect(kinds).toEqual(
      new Set([
        'kind:typical',
        'kind:edge',
        'kind:boundary',
        'kind:adversarial',
        'kind:complex',
        'kind:minimal',
        'kind:maximal',
      ]),
    );
    // The same seed in another project gives the same cases; no model was called.
    const second = await run();
    expect(second.map((c) => c.inputs)).toEqual(first.map((c) => c.inputs));
    expect(fake.count()).toBe(0);
  });

  it('uses the configured provider when no model is named, and the prompt template as the task', async () => {
    const projectId = await project();
    const signatureId = await signature(projectId, REVIEW_SIGNATURE);
    const prompt = await post('/prompts/create', {
      project_id: projectId,
      name: 'Sentiment',
      signature_id: signatureId,
      system_prompt: 'You label reviews.',
      user_prompt: 'Review ({stars} stars): {review}',
    });
    expectStatus(prompt, 201);
    const counter = { n: 0 };
    const fake = await fakeLlm({ answer: (req) => goodCases(req, counter) });
    await startWorker(fake);
    const res = await post('/test-cases/generate?wait=true', {
      project_id: projectId,
      prompt_id: prompt.body.id,
      num_cases: 4,
      strategy: 'from_description',
      description: 'Reviews of kettles that mix praise and complaints.',
    });
    expectStatus(res, 200);
    expect(res.body).toMatchObject({
      status: 'completed',
      generation: {
        generator: 'llm',
        model_config: { provider: 'openai' },
        input_fields_from: 'signature',
      },
      result: { created: 4, model_calls: 1 },
    });
    expect(fake.requests[0].model).toBe(res.body.generation.model_config.model);
    const user = fake.requests[0].messages.find((m) => m.role === 'user')!.content;
    expect(user).toContain('User prompt template:\nReview ({stars} stars): {review}');
    expect(user).toContain('Description:\nReviews of kettles that mix praise and complaints.');
    // The prompt's signature was used for the cases.
    const stored = await casesOf(projectId);
    expect(stored.every((c) => c.signature_id === signatureId)).toBe(true);
  });

  it('replays the first answer for a repeated Idempotency-Key instead of starting a second job', async () => {
    const projectId = await project();
    const signatureId = await signature(projectId, REVIEW_SIGNATURE);
    const body = {
      project_id: projectId,
      signature_id: signatureId,
      num_cases: 3,
      generator: 'deterministic',
    };
    const key = `gen-${randomBytes(4).toString('hex')}`;
    const first = await t
      .http()
      .post(`${BASE}/test-cases/generate`)
      .set('Idempotency-Key', key)
      .send(body);
    expectStatus(first, 202);
    const again = await t
      .http()
      .post(`${BASE}/test-cases/generate`)
      .set('Idempotency-Key', key)
      .send(body);
    expect(again.status).toBe(202);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body.id).toBe(first.body.id);
    const jobs = await get(`/jobs/list?queue=generation&project_id=${projectId}`);
    expect(jobs.body.total).toBe(1);
  });

  describe('bad requests', () => {
    let projectId: number;
    let signatureId: number;
    let otherSignature: number;

    beforeAll(async () => {
      projectId = await project();
      signatureId = await signature(projectId, REVIEW_SIGNATURE);
      otherSignature = await signature(await project(), REVIEW_SIGNATURE);
    });

    async function expectField(body: object, field: string, message?: RegExp) {
      const res = await post('/test-cases/generate', {
        project_id: projectId,
        num_cases: 5,
        ...body,
      });
      if (res.status !== 400)
        throw new Error(`expected 400, got ${res.status}: ${JSON.stringify(res.body)}`);
      const errors = res.body.errors as { field: string; message: string }[];
      const named = errors.find((e) => e.field === field);
      if (!named) throw new Error(`errors do not name ${field}: ${JSON.stringify(errors)}`);
      if (message) expect(named.message).toMatch(message);
      return res.body;
    }

    it.each([
      ['num_cases 0', { num_cases: 0 }, 'num_cases'],
      ['num_cases 10^20', { num_cases: 1e20 }, 'num_cases'],
      ['num_cases 501', { num_cases: 501 }, 'num_cases'],
      ['num_cases 2.5', { num_cases: 2.5 }, 'num_cases'],
      ['no num_cases', { num_cases: undefined }, 'num_cases'],
      ['an unknown strategy', { strategy: 'random' }, 'strategy'],
      ['an unknown generator', { generator: 'magic' }, 'generator'],
      ['a negative seed', { seed: -1 }, 'seed'],
      ['a description of 10,001 characters', { description: 'x'.repeat(10_001) }, 'description'],
      ['project_id 10^20', { project_id: 1e20 }, 'project_id'],
      ['an unknown field', { surprise: true }, 'surprise'],
    ])('refuses %s naming the field', async (_what, body, field) => {
      await expectField({ signature_id: signatureId, ...body }, field);
    });

    it('refuses a signature of another project', async () => {
      await expectField(
        { signature_id: otherSignature },
        'signature_id',
        /belongs to another project/,
      );
    });

    it('refuses a request that cannot be done as asked, naming the field', async () => {
      await expectField({ signature_id: signatureId, strategy: 'from_description' }, 'description');
      await expectField(
        { signature_id: signatureId, strategy: 'from_examples' },
        'strategy',
        /has none/,
      );
      await expectField(
        { signature_id: signatureId, generator: 'deterministic', with_expected: true },
        'with_expected',
      );
      await expectField(
        {
          signature_id: signatureId,
          generator: 'deterministic',
          strategy: 'from_description',
          description: 'd',
        },
        'strategy',
        /needs a model/,
      );
      await expectField(
        { signature_id: signatureId, model_config: { provider: 'nope', model: 'x' } },
        'model_config.provider',
      );
      await expectField({ generator: 'deterministic' }, 'signature_id', /what the inputs are/);
    });

    it('refuses more cases than the project may hold', async () => {
      const small = await project({ config: { max_test_cases: 3 } });
      const sig = await signature(small, REVIEW_SIGNATURE);
      const res = await post('/test-cases/generate', {
        project_id: small,
        signature_id: sig,
        num_cases: 4,
        generator: 'deterministic',
      });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({
        code: 'limit_exceeded',
        errors: [{ field: 'num_cases', message: 'at most 3 more fit.' }],
      });
    });

    it('answers 404 naming the field for a project, signature or prompt that is not there', async () => {
      for (const [body, field] of [
        [{ project_id: 999_999 }, 'project_id'],
        [{ signature_id: 999_999 }, 'signature_id'],
        [{ prompt_id: 999_999 }, 'prompt_id'],
      ] as const) {
        const res = await post('/test-cases/generate', {
          project_id: projectId,
          num_cases: 5,
          ...body,
        });
        expect(res.status).toBe(404);
        expect(res.body.errors).toEqual([expect.objectContaining({ field })]);
      }
    });
  });
});

describe('test-case generation in the all-in-one mode (PGlite, jobs in the API, no provider)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ database: 'pglite', env: { EVALUATION_WAIT_SECONDS: '60' } });
  });

  afterAll(async () => {
    await t?.close();
  });

  it('uses the typed generator when no model is configured, with the prompt variables as inputs', async () => {
    const post = (path: string, body: object) => t.http().post(`${BASE}${path}`).send(body);
    const projectId = (await post('/projects/create', { name: 'All in one' }).expect(201)).body.id;
    const prompt = await post('/prompts/create', {
      project_id: projectId,
      name: 'Summarise',
      user_prompt: 'Summarise {article} in {style} style for {doc.audience}.',
    }).expect(201);
    const res = await post('/test-cases/generate?wait=true', {
      project_id: projectId,
      prompt_id: prompt.body.id,
      num_cases: 15,
      strategy: 'edge_cases',
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'completed',
      generation: {
        generator: 'deterministic',
        input_fields_from: 'prompt',
        input_fields: ['article', 'style', 'doc'],
      },
      result: { created: 15 },
    });
    const list = await t
      .http()
      .get(`${BASE}/test-cases/list?project_id=${projectId}&per_page=100`)
      .expect(200);
    expect(list.body.total).toBe(15);
    for (const c of list.body.items) {
      expect(typeof c.inputs.article).toBe('string');
      expect(typeof c.inputs.style).toBe('string');
      expect(typeOf(c.inputs.doc)).toBe('object');
      // The prompt reads {doc.audience}: every generated doc has it.
      expect(typeof c.inputs.doc.audience).toBe('string');
    }
    // Asking for a model where none is configured is refused up front.
    const llm = await post('/test-cases/generate', {
      project_id: projectId,
      prompt_id: prompt.body.id,
      num_cases: 5,
      generator: 'llm',
    });
    expect(llm.status).toBe(400);
    expect(llm.body.errors).toEqual([expect.objectContaining({ field: 'model_config' })]);
  });
});
