/**
 * The LLM provider layer end to end: every provider configured the way an operator does it
 * (`<PREFIX>_API_KEY`, `<PREFIX>_BASE_URL`, `<PREFIX>_MODELS`) against test/fakes' fake LLM
 * server, driven through POST /prompts/{id}/execute on the real API with its PostgreSQL cache.
 * Checks answers, usage, prices, the wire request each vendor SDK makes, retries (Retry-After),
 * terminal errors, the response cache with in-flight sharing, and model-config validation.
 * Streaming and embeddings are not exposed over HTTP, so they are checked on LlmClient itself,
 * built from the same settings the API got.
 */
import { randomBytes } from 'node:crypto';
import type { Response } from 'supertest';
import {
  LlmClient,
  LlmError,
  llmErrorToDomain,
  type ChatMessage,
  type LlmProviderId,
  type ModelConfig,
} from '@ps/llm';
import { DomainError } from '@ps/common';
import prices from '../../libs/llm/src/prices.json';
import {
  countTokens,
  fakeEmbedding,
  startFakeLlm,
  type FakeFailure,
  type FakeLlmServer,
  type FakeProtocol,
  type FakeRequest,
} from '../fakes';
import { BASE, startTestApp, type TestApp } from '../support/test-app';

type ProviderId = Exclude<LlmProviderId, 'mock'>;

interface ProviderCase {
  id: ProviderId;
  /** Environment prefix, as in .env.example. */
  prefix: string;
  /** What the provider's client needs: OpenAI-style SDKs want the `/v1` root. */
  baseUrl: (url: string) => string;
  /** A model of the provider, priced in prices.json where the vendor publishes a price. */
  model: string;
  /** The wire protocol the fake must see. */
  protocol: FakeProtocol;
  /** The API key exactly as the request must carry it. */
  auth: (headers: FakeRequest['headers'], key: string) => boolean;
}

const bearer = (headers: FakeRequest['headers'], key: string) =>
  headers.authorization === `Bearer ${key}`;
const v1 = (url: string) => `${url}/v1`;
const root = (url: string) => url;

const openAiStyle = (id: ProviderId, prefix: string, model: string): ProviderCase => ({
  id,
  prefix,
  baseUrl: v1,
  model,
  protocol: 'openai',
  auth: bearer,
});

/**
 * Each vendor's word for a natural end, where it is not OpenAI's `stop`. LangChain's Mistral
 * client streams when given an abort signal (every call has one) and its chunks carry no reason.
 */
const FINISH_REASON: Record<string, string | null> = {
  anthropic: 'end_turn',
  gemini: 'STOP',
  cohere: 'COMPLETE',
  mistral: null,
};

const PROVIDER_CASES: ProviderCase[] = [
  openAiStyle('openai', 'OPENAI', 'gpt-4o-mini'),
  {
    id: 'azure_openai',
    prefix: 'AZURE_OPENAI',
    baseUrl: root,
    model: 'prod-gpt-4o',
    protocol: 'azure',
    auth: (h, key) => h['api-key'] === key,
  },
  {
    id: 'anthropic',
    prefix: 'ANTHROPIC',
    baseUrl: root,
    model: 'claude-haiku-4-5',
    protocol: 'anthropic',
    auth: (h, key) => h['x-api-key'] === key,
  },
  {
    id: 'gemini',
    prefix: 'GEMINI',
    baseUrl: root,
    model: 'gemini-2.5-flash',
    protocol: 'gemini',
    auth: (h, key) => h['x-goog-api-key'] === key,
  },
  {
    id: 'mistral',
    prefix: 'MISTRAL',
    baseUrl: root,
    model: 'mistral-small-latest',
    protocol: 'mistral',
    auth: bearer,
  },
  openAiStyle('groq', 'GROQ', 'llama-3.1-8b-instant'),
  {
    id: 'cohere',
    prefix: 'COHERE',
    baseUrl: root,
    model: 'command-r-08-2024',
    protocol: 'cohere',
    auth: bearer,
  },
  openAiStyle('deepseek', 'DEEPSEEK', 'deepseek-chat'),
  openAiStyle('xai', 'XAI', 'grok-3-mini'),
  openAiStyle('openrouter', 'OPENROUTER', 'openai/gpt-4o-mini'),
  openAiStyle('together', 'TOGETHER', 'meta-llama/Llama-3.3-70B-Instruct-Turbo'),
  openAiStyle('fireworks', 'FIREWORKS', 'accounts/fireworks/models/llama-v3p3-70b-instruct'),
  openAiStyle('perplexity', 'PERPLEXITY', 'sonar'),
  {
    id: 'ollama',
    prefix: 'OLLAMA',
    baseUrl: root,
    model: 'llama3.2',
    protocol: 'ollama',
    auth: bearer,
  },
  openAiStyle('openai_compatible', 'OPENAI_COMPATIBLE', 'qwen2.5-7b-instruct'),
];

const caseOf = (id: ProviderId) => PROVIDER_CASES.find((c) => c.id === id)!;

/** Random per run, so "the key never shows up" cannot pass by accident. */
const KEYS = Object.fromEntries(
  PROVIDER_CASES.map((c) => [c.id, `sk-${c.id}-${randomBytes(12).toString('hex')}`]),
) as Record<ProviderId, string>;

/** The price table the product ships, read independently of Pricing. */
const PRICE_TABLE = prices as unknown as Record<string, Record<string, [number, number]>>;

function expectedCost(provider: string, model: string, input: number, output: number) {
  const price = PRICE_TABLE[provider]?.[model];
  return price ? (input * price[0] + output * price[1]) / 1_000_000 : null;
}

const SYSTEM = 'You answer in one short sentence';
const USER_TEMPLATE = 'Tell me about {topic}';
/** Retries in these tests: 3 (4 attempts); backoff without a vendor hint stays tiny. */
const MAX_RETRIES = 3;

interface Execution {
  output: string;
  finish_reason: string | null;
  usage: { input: number; output: number; total: number };
  cost: number | null;
  latency_ms: number;
  cached: boolean;
  attempts: number;
  messages: ChatMessage[];
  model_config: ModelConfig;
}

interface Problem {
  status: number;
  code: string;
  detail: string;
  kind?: string;
  attempts?: number;
  upstream_status?: number;
  errors?: { field: string; message: string }[];
}

interface ProviderInfo {
  id: string;
  configured: boolean;
  key_present: boolean;
  missing: string | null;
  base_url: string;
  models: string[];
}

describe('LLM provider layer', () => {
  let fake: FakeLlmServer;
  let t: TestApp;
  let promptId: number;
  /** The failure the fake injects for the current test (undefined: every request succeeds). */
  let failWith: ((req: FakeRequest) => FakeFailure | undefined) | undefined;
  let counter = 0;

  /** A topic no other test uses: distinct inputs keep the shared response cache out of the way. */
  const topic = (label: string) => `${label} ${process.pid} ${++counter}`;

  function providerEnv(url: string): Record<string, string> {
    const env: Record<string, string> = {};
    for (const c of PROVIDER_CASES) {
      env[`${c.prefix}_API_KEY`] = KEYS[c.id];
      env[`${c.prefix}_BASE_URL`] = c.baseUrl(url);
    }
    // Azure models are deployment names, which the operator lists.
    env.AZURE_OPENAI_MODELS = 'prod-gpt-4o,prod-embed';
    return env;
  }

  beforeAll(async () => {
    fake = await startFakeLlm({ fail: (req) => failWith?.(req) });
    t = await startTestApp({
      env: {
        ...providerEnv(fake.url),
        LLM_MAX_RETRIES: String(MAX_RETRIES),
        LLM_RETRY_BASE_MS: '20',
        LLM_CACHE_ENABLED: 'true',
      },
    });
    const project = await t
      .http()
      .post(`${BASE}/projects/create`)
      .send({ name: `llm-providers ${process.pid}` })
      .expect(201);
    const prompt = await t
      .http()
      .post(`${BASE}/prompts/create`)
      .send({
        project_id: project.body.id,
        name: 'provider probe',
        system_prompt: SYSTEM,
        user_prompt: USER_TEMPLATE,
      })
      .expect(201);
    promptId = prompt.body.id as number;
  }, 30_000);

  afterAll(async () => {
    await t?.close();
    await fake?.close();
  });

  beforeEach(() => {
    fake.reset();
    fake.setOptions({ latencyMs: 0 });
    failWith = undefined;
  });

  async function execute(
    modelConfig: Record<string, unknown>,
    inputs: Record<string, unknown>,
    extra: Record<string, unknown> = {},
  ): Promise<Response> {
    return await t
      .http()
      .post(`${BASE}/prompts/${promptId}/execute`)
      .send({ inputs, model_config: modelConfig, ...extra });
  }

  async function executeOk(
    modelConfig: Record<string, unknown>,
    inputs: Record<string, unknown>,
    extra: Record<string, unknown> = {},
  ): Promise<Execution> {
    const res = await execute(modelConfig, inputs, extra);
    if (res.status !== 200) throw new Error(`expected HTTP 200, got ${res.status}: ${res.text}`);
    return res.body as Execution;
  }

  function expectProblem(res: Response, status: number, code: string): Problem {
    if (res.status !== status) {
      throw new Error(`expected HTTP ${status}, got ${res.status}: ${res.text}`);
    }
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    const body = JSON.parse(res.text) as Problem;
    expect(body).toMatchObject({ status, code });
    return body;
  }

  /** Exactly what the fake's word count makes of the rendered prompt and its echo answer. */
  function expectedUsage(question: string) {
    const input = countTokens(SYSTEM) + countTokens(question);
    const output = countTokens(`echo: ${question}`);
    return { input, output, total: input + output };
  }

  describe('each provider, configured from the environment against the fake', () => {
    it.each(PROVIDER_CASES.map((c) => [c.id, c] as const))(
      '%s: answer, usage, cost and the request on the wire',
      async (_id, c) => {
        const subject = topic(`${c.id} probe`);
        const question = `Tell me about ${subject}`;
        const result = await executeOk({ provider: c.id, model: c.model }, { topic: subject });

        const usage = expectedUsage(question);
        expect(result).toMatchObject({
          output: `echo: ${question}`,
          usage,
          cached: false,
          attempts: 1,
          model_config: { provider: c.id, model: c.model, parameters: {} },
        });
        // Why the model stopped, in the vendor's own word, read from the answer's metadata.
        expect(result.finish_reason).toBe(c.id in FINISH_REASON ? FINISH_REASON[c.id] : 'stop');
        expect(result.messages).toEqual([
          { role: 'system', content: SYSTEM },
          { role: 'user', content: question },
        ]);
        const cost = expectedCost(c.id, c.model, usage.input, usage.output);
        if (cost === null) expect(result.cost).toBeNull();
        else expect(result.cost).toBeCloseTo(cost, 12);
        // Every model but the self-hosted/router ones has a price: a silent null would hide a gap.
        if (!['azure_openai', 'openrouter', 'ollama', 'openai_compatible'].includes(c.id)) {
          expect(cost).not.toBeNull();
        }

        expect(fake.requests).toHaveLength(1);
        const [req] = fake.requests;
        expect(req).toMatchObject({
          protocol: c.protocol,
          kind: 'chat',
          model: c.model,
          messages: [
            { role: 'system', content: SYSTEM },
            { role: 'user', content: question },
          ],
        });
        expect(c.auth(req.headers, KEYS[c.id])).toBe(true);
        // No other provider's key travels with the request.
        const sent = JSON.stringify(req.headers);
        for (const other of PROVIDER_CASES) {
          if (other.id !== c.id) expect(sent).not.toContain(KEYS[other.id]);
        }
      },
    );

    it('azure_openai: the deployment is in the path and the API version in the query', async () => {
      await executeOk({ provider: 'azure_openai', model: 'prod-gpt-4o' }, { topic: topic('az') });
      expect(fake.requests[0].path).toBe(
        `/openai/deployments/prod-gpt-4o/chat/completions?api-version=${t.config.llm.azureApiVersion}`,
      );
    });

    it('mock: answers offline from the price table, without any request', async () => {
      const subject = topic('mock');
      const question = `Tell me about ${subject}`;
      const result = await executeOk({ provider: 'mock', model: 'mock-echo' }, { topic: subject });
      const input = countTokens(SYSTEM) + countTokens(question);
      const output = countTokens(question);
      expect(result).toMatchObject({
        output: question,
        usage: { input, output, total: input + output },
        cached: false,
        attempts: 1,
      });
      expect(result.cost).toBeCloseTo(expectedCost('mock', 'mock-echo', input, output)!, 12);
      expect(fake.requests).toHaveLength(0);
    });

    it('GET /providers/list shows every provider configured with its key present, never the key', async () => {
      const res = await t.http().get(`${BASE}/providers/list`).expect(200);
      const items = (res.body as { items: ProviderInfo[] }).items;
      expect(items.map((p) => p.id).sort()).toEqual(
        [...PROVIDER_CASES.map((c) => c.id), 'mock'].sort(),
      );
      for (const c of PROVIDER_CASES) {
        const info = items.find((p) => p.id === c.id)!;
        expect(info).toMatchObject({
          configured: true,
          key_present: true,
          missing: null,
          base_url: c.baseUrl(fake.url),
        });
      }
      expect(items.find((p) => p.id === 'azure_openai')!.models).toEqual([
        'prod-gpt-4o',
        'prod-embed',
      ]);
      expect(items.find((p) => p.id === 'mock')).toMatchObject({
        configured: true,
        key_present: false,
      });
      for (const key of Object.values(KEYS)) expect(res.text).not.toContain(key);
    });
  });

  describe('streaming and embeddings (LlmClient with the API settings)', () => {
    /** The API's settings, without the cache (no store) and without retries. */
    const client = () => new LlmClient({ settings: { ...t.config.llm, maxRetries: 0 } });
    const messages = (question: string): ChatMessage[] => [
      { role: 'system', content: SYSTEM },
      { role: 'user', content: question },
    ];

    it.each(
      (
        ['openai', 'anthropic', 'azure_openai', 'gemini', 'mistral', 'cohere', 'ollama'] as const
      ).map((id) => [id] as const),
    )('%s: onToken streams the same text the plain call returns', async (id) => {
      const c = caseOf(id);
      const llm = client();
      const question = `Stream a few words about ${topic(id)} please`;
      const plain = await llm.chat({ provider: id, model: c.model }, messages(question));
      const tokens: string[] = [];
      const streamed = await llm.chat({ provider: id, model: c.model }, messages(question), {
        onToken: (piece) => tokens.push(piece),
      });
      expect(plain.text).toBe(`echo: ${question}`);
      expect(streamed.text).toBe(plain.text);
      expect(tokens.join('')).toBe(plain.text);
      // Word-sized deltas from the fake: several tokens, not one final blob.
      expect(tokens.length).toBeGreaterThan(3);
      expect(streamed.usage).toEqual(plain.usage);
      // LangChain's Mistral and Ollama classes stream even for a plain call; only the streamed
      // call is sure to ask for a stream.
      expect(fake.requests.map((r) => r.protocol)).toEqual([c.protocol, c.protocol]);
      expect(fake.requests[1].stream).toBe(true);
    });

    it.each([
      ['openai', 'text-embedding-3-small'],
      ['azure_openai', 'prod-embed'],
      ['gemini', 'gemini-embedding-001'],
      ['mistral', 'mistral-embed'],
      ['cohere', 'embed-v4.0'],
      ['ollama', 'nomic-embed-text'],
    ] as const)('%s: embed returns the vendor vectors in order', async (id, model) => {
      const texts = [`alpha ${topic(id)}`, 'beta gamma', 'delta'];
      const result = await client().embed({ provider: id, model }, texts);
      expect(result.cached).toBe(false);
      expect(result.vectors).toHaveLength(texts.length);
      const dims = result.vectors[0].length;
      expect(result.vectors).toEqual(texts.map((text) => fakeEmbedding(text, dims)));
      expect(fake.requests.length).toBeGreaterThan(0);
      expect(fake.requests.every((r) => r.kind === 'embed' && r.model === model)).toBe(true);
      expect(fake.requests.flatMap((r) => r.texts)).toEqual(texts);
      expect(caseOf(id).auth(fake.requests[0].headers, KEYS[id])).toBe(true);
    });

    it('a call slower than its time limit fails as timeout (provider_timeout over HTTP)', async () => {
      fake.setOptions({ latencyMs: 2_000 });
      const error = await client()
        .chat({ provider: 'openai', model: 'gpt-4o-mini' }, messages(topic('slow')), {
          timeoutMs: 200,
        })
        .catch((err: unknown) => err);
      expect(error).toBeInstanceOf(LlmError);
      expect((error as LlmError).kind).toBe('timeout');
      const domain = llmErrorToDomain(error);
      expect(domain).toBeInstanceOf(DomainError);
      expect((domain as DomainError).code).toBe('provider_timeout');
    });
  });

  describe('rate limits and retries', () => {
    const openai = { provider: 'openai', model: 'gpt-4o-mini' };

    it('429 with Retry-After: 1 twice, then success: 3 attempts, ≥ 2 s, usage counted once', async () => {
      const seenAt: number[] = [];
      failWith = (req) => {
        seenAt.push(performance.now());
        return req.n <= 2 ? { status: 429, headers: { 'retry-after': '1' } } : undefined;
      };
      const subject = topic('retry-after');
      const started = performance.now();
      const result = await executeOk(openai, { topic: subject });
      const elapsed = performance.now() - started;

      const usage = expectedUsage(`Tell me about ${subject}`);
      expect(result).toMatchObject({ attempts: 3, cached: false, usage });
      expect(result.output).toBe(`echo: Tell me about ${subject}`);
      expect(result.cost).toBeCloseTo(
        expectedCost('openai', 'gpt-4o-mini', usage.input, usage.output)!,
        12,
      );
      expect(elapsed).toBeGreaterThanOrEqual(2_000);
      expect(fake.count('chat')).toBe(3);
      // Each retry waited the full second the vendor asked for.
      expect(seenAt[1] - seenAt[0]).toBeGreaterThanOrEqual(990);
      expect(seenAt[2] - seenAt[1]).toBeGreaterThanOrEqual(990);
      expect(result.latency_ms).toBeGreaterThanOrEqual(2_000);
    }, 15_000);

    it('honours retry-after-ms (300 ms) over a longer Retry-After', async () => {
      const seenAt: number[] = [];
      failWith = (req) => {
        seenAt.push(performance.now());
        // Real OpenAI sends both; the millisecond one is the precise one and wins.
        return req.n === 1
          ? { status: 429, headers: { 'retry-after-ms': '300', 'retry-after': '30' } }
          : undefined;
      };
      const started = performance.now();
      const result = await executeOk(openai, { topic: topic('retry-after-ms') });
      const elapsed = performance.now() - started;
      expect(result.attempts).toBe(2);
      expect(seenAt[1] - seenAt[0]).toBeGreaterThanOrEqual(290);
      expect(elapsed).toBeLessThan(5_000);
    }, 15_000);

    // Each SDK surfaces a 429 differently (see test/fakes/fake-llm.ts); all must be retried after
    // the wait the vendor asked for. Ollama's client exposes no headers: plain backoff there.
    it.each(
      (['anthropic', 'azure_openai', 'gemini', 'mistral', 'cohere', 'ollama'] as const).map(
        (id) => [id] as const,
      ),
    )(
      '%s: a 429 is retried and succeeds',
      async (id) => {
        const c = caseOf(id);
        const seenAt: number[] = [];
        failWith = (req) => {
          seenAt.push(performance.now());
          return req.n === 1 ? { status: 429, headers: { 'retry-after': '1' } } : undefined;
        };
        const result = await executeOk({ provider: id, model: c.model }, { topic: topic(id) });
        expect(result.attempts).toBe(2);
        expect(fake.count('chat')).toBe(2);
        if (id !== 'ollama') expect(seenAt[1] - seenAt[0]).toBeGreaterThanOrEqual(990);
      },
      15_000,
    );

    it.each([
      [401, 'auth'],
      [403, 'auth'],
      [404, 'not_found'],
    ] as const)('%i fails at once as %s, after exactly one request', async (status, kind) => {
      failWith = () => ({ status });
      const res = await execute(openai, { topic: topic(`terminal ${status}`) });
      const problem = expectProblem(res, 502, 'provider_error');
      expect(problem).toMatchObject({ kind, attempts: 1, upstream_status: status });
      expect(fake.count('chat')).toBe(1);
    });

    it.each(PROVIDER_CASES.filter((c) => c.protocol !== 'openai' || c.id === 'openai'))(
      '$id: a 401 is classified as auth whatever the SDK',
      async (c) => {
        failWith = () => ({ status: 401 });
        const res = await execute({ provider: c.id, model: c.model }, { topic: topic('401') });
        expect(expectProblem(res, 502, 'provider_error')).toMatchObject({
          kind: 'auth',
          attempts: 1,
        });
        expect(fake.count('chat')).toBe(1);
      },
    );

    it(`500 is retried LLM_MAX_RETRIES (${MAX_RETRIES}) times, then provider_error kind server`, async () => {
      failWith = () => ({ status: 500 });
      const res = await execute(openai, { topic: topic('server') });
      const problem = expectProblem(res, 502, 'provider_error');
      expect(problem).toMatchObject({
        kind: 'server',
        attempts: MAX_RETRIES + 1,
        upstream_status: 500,
      });
      expect(fake.count('chat')).toBe(MAX_RETRIES + 1);
    });
  });

  describe('response cache', () => {
    const openai = { provider: 'openai', model: 'gpt-4o-mini' };

    it('answers a second identical call from the cache: no request, cost 0', async () => {
      const inputs = { topic: topic('cache') };
      const first = await executeOk(openai, inputs);
      const second = await executeOk(openai, inputs);
      expect(first).toMatchObject({ cached: false, attempts: 1 });
      expect(first.cost).toBeGreaterThan(0);
      expect(second).toMatchObject({
        cached: true,
        cost: 0,
        attempts: 0,
        output: first.output,
        usage: first.usage,
      });
      expect(fake.count('chat')).toBe(1);
    });

    it('20 concurrent identical calls make exactly one upstream request', async () => {
      // Long enough for all 20 to arrive while the first is still waiting for the model.
      fake.setOptions({ latencyMs: 300 });
      const inputs = { topic: topic('concurrent') };
      const responses = await Promise.all(
        Array.from({ length: 20 }, () => execute(openai, inputs)),
      );
      expect(responses.map((r) => r.status)).toEqual(Array(20).fill(200));
      const bodies = responses.map((r) => r.body as Execution);
      expect(new Set(bodies.map((b) => b.output))).toEqual(
        new Set([`echo: Tell me about ${inputs.topic}`]),
      );
      expect(bodies.filter((b) => !b.cached)).toHaveLength(1);
      expect(fake.count('chat')).toBe(1);
    });

    it('never caches a failure: the next identical call goes upstream again', async () => {
      const inputs = { topic: topic('no-error-cache') };
      failWith = () => ({ status: 401 });
      expectProblem(await execute(openai, inputs), 502, 'provider_error');
      failWith = undefined;
      const after = await executeOk(openai, inputs);
      expect(after).toMatchObject({ cached: false, attempts: 1 });
      expect(fake.count('chat')).toBe(2);
      // And the success is cached from then on.
      expect(await executeOk(openai, inputs)).toMatchObject({ cached: true });
      expect(fake.count('chat')).toBe(2);
    });

    it('bypass_cache forces a call even when the answer is cached', async () => {
      const inputs = { topic: topic('bypass') };
      await executeOk(openai, inputs);
      const forced = await executeOk(openai, inputs, { bypass_cache: true });
      expect(forced).toMatchObject({ cached: false, attempts: 1 });
      expect(forced.cost).toBeGreaterThan(0);
      expect(fake.count('chat')).toBe(2);
    });

    it('different parameters are a different request', async () => {
      const inputs = { topic: topic('params') };
      await executeOk(openai, inputs);
      const warmer = await executeOk({ ...openai, parameters: { temperature: 0.7 } }, inputs);
      expect(warmer.cached).toBe(false);
      expect(fake.count('chat')).toBe(2);
      expect(fake.requests[1].params).toMatchObject({ temperature: 0.7 });
    });
  });

  describe('model config validation', () => {
    async function expectInvalid(modelConfig: Record<string, unknown>, field: string) {
      const res = await execute(modelConfig, { topic: topic('invalid') });
      const problem = expectProblem(res, 400, 'validation_failed');
      const error = problem.errors?.find((e) => e.field === field);
      if (!error) throw new Error(`no error for ${field}: ${res.text}`);
      expect(fake.requests).toHaveLength(0);
      return error.message;
    }

    it('an unknown provider names the choices', async () => {
      const message = await expectInvalid(
        { provider: 'watsonx', model: 'granite' },
        'model_config.provider',
      );
      for (const id of [...PROVIDER_CASES.map((c) => c.id), 'mock']) {
        expect(message).toContain(id);
      }
    });

    it("an unknown model lists the provider's models", async () => {
      const message = await expectInvalid(
        { provider: 'openai', model: 'gpt-0-imaginary' },
        'model_config.model',
      );
      expect(message).toContain('gpt-0-imaginary');
      expect(message).toContain('gpt-4o-mini');
      expect(message).toContain('gpt-4.1');
    });

    it('a model outside <PREFIX>_MODELS is refused even for an open provider', async () => {
      const message = await expectInvalid(
        { provider: 'azure_openai', model: 'someone-elses-deployment' },
        'model_config.model',
      );
      expect(message).toContain('prod-gpt-4o');
    });

    it('an unaccepted parameter names model_config.parameters.<name>', async () => {
      const message = await expectInvalid(
        { provider: 'openai', model: 'gpt-4o-mini', parameters: { x: 1 } },
        'model_config.parameters.x',
      );
      expect(message).toContain('temperature');
    });

    it('a parameter out of the provider range names it', async () => {
      // Anthropic's temperature stops at 1.
      await expectInvalid(
        { provider: 'anthropic', model: 'claude-haiku-4-5', parameters: { temperature: 1.5 } },
        'model_config.parameters.temperature',
      );
    });
  });
});

describe('LLM provider layer: a deployment with one provider configured', () => {
  let t: TestApp;
  const openAiKey = `sk-only-${randomBytes(8).toString('hex')}`;

  beforeAll(async () => {
    // Nothing listens on the URL: these tests never reach a model.
    t = await startTestApp({
      env: { OPENAI_API_KEY: openAiKey, OPENAI_BASE_URL: 'http://127.0.0.1:9/v1' },
    });
  }, 30_000);

  afterAll(async () => {
    await t?.close();
  });

  it('refuses an unconfigured provider, naming the environment variable to set', async () => {
    const project = await t.http().post(`${BASE}/projects/create`).send({ name: 'one' });
    const prompt = await t
      .http()
      .post(`${BASE}/prompts/create`)
      .send({ project_id: project.body.id, name: 'p', user_prompt: 'Hi {x}' })
      .expect(201);
    for (const [provider, model, variable] of [
      ['anthropic', 'claude-haiku-4-5', 'ANTHROPIC_API_KEY'],
      ['gemini', 'gemini-2.5-flash', 'GEMINI_API_KEY'],
      ['azure_openai', 'dep', 'AZURE_OPENAI_API_KEY'],
    ]) {
      const res = await t
        .http()
        .post(`${BASE}/prompts/${prompt.body.id}/execute`)
        .send({ inputs: { x: 'y' }, model_config: { provider, model } });
      expect(res.status).toBe(400);
      const problem = JSON.parse(res.text) as Problem;
      expect(problem.code).toBe('validation_failed');
      const error = problem.errors?.find((e) => e.field === 'model_config.provider');
      expect(error?.message).toContain(variable);
    }
  });

  it('lists unconfigured providers with what is missing and no key', async () => {
    const res = await t.http().get(`${BASE}/providers/list`).expect(200);
    const items = (res.body as { items: ProviderInfo[] }).items;
    expect(items.find((p) => p.id === 'openai')).toMatchObject({
      configured: true,
      key_present: true,
      missing: null,
    });
    expect(items.find((p) => p.id === 'anthropic')).toMatchObject({
      configured: false,
      key_present: false,
      missing: 'set ANTHROPIC_API_KEY',
    });
    // Ollama needs no key: configured with its default URL.
    expect(items.find((p) => p.id === 'ollama')).toMatchObject({
      configured: true,
      key_present: false,
    });
    expect(res.text).not.toContain(openAiKey);
  });
});
