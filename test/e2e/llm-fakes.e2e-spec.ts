/**
 * Drives the real LangChain clients (and their vendor SDKs) against test/fakes' fake LLM server:
 * answers, token usage, streaming, embeddings and how a 429 surfaces on each SDK's error.
 * No external services are needed.
 */
import {
  countTokens,
  fakeEmbedding,
  startFakeLlm,
  type FakeLlmServer,
  type FakeRequest,
} from '../fakes';

/**
 * ts-jest compiles this file to CommonJS, where `import()` becomes `require()`, and Jest's
 * require cannot load ESM-only packages such as @mistralai/mistralai (pulled in by
 * @langchain/mistralai). An import() built at run time goes through Jest's ESM loader instead
 * (hence --experimental-vm-modules). Every client is loaded this way so that SDK error classes
 * and LangChain classes come from the same module instances.
 */
// eslint-disable-next-line @typescript-eslint/no-implied-eval
const esmImport = new Function('specifier', 'return import(specifier)') as <T>(
  specifier: string,
) => Promise<T>;

interface Clients {
  openai: typeof import('@langchain/openai');
  anthropic: typeof import('@langchain/anthropic');
  google: typeof import('@langchain/google-genai');
  mistral: typeof import('@langchain/mistralai');
  cohere: typeof import('@langchain/cohere');
  ollama: typeof import('@langchain/ollama');
  openaiSdk: typeof import('openai');
  anthropicSdk: typeof import('@anthropic-ai/sdk');
  googleSdk: typeof import('@google/generative-ai');
  cohereSdk: typeof import('cohere-ai');
}

/** One at a time: Jest's ESM loader races ("... is not in cache") on parallel imports. */
async function loadClients(): Promise<Clients> {
  return {
    openai: await esmImport('@langchain/openai'),
    anthropic: await esmImport('@langchain/anthropic'),
    google: await esmImport('@langchain/google-genai'),
    mistral: await esmImport('@langchain/mistralai'),
    cohere: await esmImport('@langchain/cohere'),
    ollama: await esmImport('@langchain/ollama'),
    openaiSdk: await esmImport('openai'),
    anthropicSdk: await esmImport('@anthropic-ai/sdk'),
    googleSdk: await esmImport('@google/generative-ai'),
    cohereSdk: await esmImport('cohere-ai'),
  };
}

const SYSTEM = 'You are a terse assistant';
const QUESTION = 'Say hello to the whole world';
const PROMPT: [string, string][] = [
  ['system', SYSTEM],
  ['human', QUESTION],
];
const EXPECTED = `echo: ${QUESTION}`;
const USAGE = {
  input_tokens: countTokens(SYSTEM) + countTokens(QUESTION),
  output_tokens: countTokens(EXPECTED),
  total_tokens: countTokens(SYSTEM) + countTokens(QUESTION) + countTokens(EXPECTED),
};
const NORMALISED = [
  { role: 'system', content: SYSTEM },
  { role: 'user', content: QUESTION },
];
const TEXTS = ['alpha beta gamma', 'delta'];
const RATE_LIMITED = () => ({ status: 429, headers: { 'retry-after': '7' } });

interface Usage {
  input_tokens: number;
  output_tokens: number;
  total_tokens: number;
}
interface MessageLike {
  content: unknown;
  usage_metadata?: Usage;
}
/** The part of a LangChain chat model these tests use (avoids CJS/ESM typing clashes). */
interface ChatLike {
  invoke(input: [string, string][]): Promise<MessageLike>;
  stream(input: [string, string][]): Promise<AsyncIterable<MessageLike>>;
}
interface EmbeddingsLike {
  embedQuery(text: string): Promise<number[]>;
  embedDocuments(texts: string[]): Promise<number[][]>;
}

let fake: FakeLlmServer;
let lc: Clients;

beforeAll(async () => {
  fake = await startFakeLlm();
  lc = await loadClients();
});

afterAll(() => fake.close());

beforeEach(() => {
  fake.reset();
  fake.setOptions({ fail: undefined, answer: undefined, latencyMs: 0, embeddingDims: undefined });
});

function lastRequest(): FakeRequest {
  const req = fake.requests.at(-1);
  if (!req) throw new Error('the fake received no request');
  return req;
}

/** The fields the SDKs put on their HTTP errors; each SDK sets a different subset. */
interface SdkError {
  name: string;
  status?: number;
  statusCode?: number;
  status_code?: number;
  statusText?: string;
  headers?: Headers;
  rawResponse?: { headers: Headers };
  code?: string;
  type?: string;
  requestID?: string;
  lc_error_code?: string;
  error?: unknown;
  errorDetails?: unknown;
  body?: unknown;
}

async function rejectionOf(promise: Promise<unknown>): Promise<SdkError> {
  try {
    await promise;
  } catch (err) {
    return err as SdkError;
  }
  throw new Error('expected the call to fail');
}

async function expectInvoke(model: ChatLike): Promise<void> {
  const message = await model.invoke(PROMPT);
  expect(message.content).toBe(EXPECTED);
  expect(message.usage_metadata).toMatchObject(USAGE);
  expect(lastRequest()).toMatchObject({ kind: 'chat', messages: NORMALISED, n: 1 });
}

/** Streams, checks the text really arrived in pieces, and adds up usage as LangChain's concat does. */
async function expectStream(model: ChatLike): Promise<void> {
  const texts: string[] = [];
  const usage = { input_tokens: 0, output_tokens: 0, total_tokens: 0 };
  for await (const chunk of await model.stream(PROMPT)) {
    if (typeof chunk.content === 'string' && chunk.content !== '') texts.push(chunk.content);
    usage.input_tokens += chunk.usage_metadata?.input_tokens ?? 0;
    usage.output_tokens += chunk.usage_metadata?.output_tokens ?? 0;
    usage.total_tokens += chunk.usage_metadata?.total_tokens ?? 0;
  }
  expect(texts.length).toBeGreaterThan(1);
  expect(texts.join('')).toBe(EXPECTED);
  expect(usage).toEqual(USAGE);
  expect(lastRequest()).toMatchObject({ kind: 'chat', stream: true, messages: NORMALISED });
}

async function expectEmbeddings(embeddings: EmbeddingsLike, dims = 8): Promise<void> {
  expect(await embeddings.embedDocuments(TEXTS)).toEqual(TEXTS.map((t) => fakeEmbedding(t, dims)));
  expect(lastRequest()).toMatchObject({ kind: 'embed', texts: TEXTS });
  expect(await embeddings.embedQuery('query text')).toEqual(fakeEmbedding('query text', dims));
}

/** Fails the next request with a 429 + Retry-After and returns what the client threw. */
async function rateLimitedError(call: () => Promise<unknown>): Promise<SdkError> {
  fake.setOptions({ fail: RATE_LIMITED });
  const err = await rejectionOf(call());
  // maxRetries: 0 everywhere, so exactly one request reached the fake.
  expect(fake.count()).toBe(1);
  return err;
}

describe('OpenAI (ChatOpenAI, OpenAIEmbeddings)', () => {
  const chat = () =>
    new lc.openai.ChatOpenAI({
      model: 'gpt-4o-mini',
      apiKey: 'sk-test',
      temperature: 0.25,
      maxRetries: 0,
      configuration: { baseURL: `${fake.url}/v1` },
    });
  const embeddings = (fields: { encodingFormat?: 'float' | 'base64'; dimensions?: number } = {}) =>
    new lc.openai.OpenAIEmbeddings({
      model: 'text-embedding-3-small',
      apiKey: 'sk-test',
      maxRetries: 0,
      configuration: { baseURL: `${fake.url}/v1` },
      ...fields,
    });

  it('invoke() returns the answer with prompt/completion token usage', async () => {
    await expectInvoke(chat());
    expect(lastRequest()).toMatchObject({
      protocol: 'openai',
      path: '/v1/chat/completions',
      model: 'gpt-4o-mini',
      stream: false,
      params: { temperature: 0.25 },
      headers: { authorization: 'Bearer sk-test' },
    });
  });

  it('stream() yields SSE deltas and the include_usage chunk', async () => {
    await expectStream(chat());
    expect(lastRequest().body).toMatchObject({ stream_options: { include_usage: true } });
  });

  it('embeddings decode from the base64 the SDK asks for by default', async () => {
    await expectEmbeddings(embeddings());
    expect(lastRequest()).toMatchObject({
      path: '/v1/embeddings',
      body: { encoding_format: 'base64' },
    });
  });

  it('embeddings honour encoding_format float and dimensions', async () => {
    await expectEmbeddings(embeddings({ encodingFormat: 'float', dimensions: 5 }), 5);
    expect(lastRequest().body).toMatchObject({ encoding_format: 'float', dimensions: 5 });
  });

  it('a 429 surfaces as RateLimitError with status and headers', async () => {
    const err = await rateLimitedError(() => chat().invoke(PROMPT));
    expect(err).toBeInstanceOf(lc.openaiSdk.RateLimitError);
    expect(err.status).toBe(429);
    expect(err.headers?.get('retry-after')).toBe('7');
    expect(err.code).toBe('rate_limit_exceeded');
    expect(err.requestID).toBe('req_fake_1');
    expect(err.lc_error_code).toBe('MODEL_RATE_LIMIT');
  });
});

describe('Azure OpenAI (AzureChatOpenAI, AzureOpenAIEmbeddings)', () => {
  const azure = {
    azureOpenAIApiKey: 'azure-key',
    azureOpenAIApiVersion: '2024-10-21',
    maxRetries: 0,
  };
  const chatPath = '/openai/deployments/my-gpt/chat/completions?api-version=2024-10-21';

  it('azureOpenAIEndpoint: invoke() reaches /openai/deployments/{deployment}', async () => {
    const model = new lc.openai.AzureChatOpenAI({
      ...azure,
      azureOpenAIApiDeploymentName: 'my-gpt',
      azureOpenAIEndpoint: fake.url,
    });
    await expectInvoke(model);
    expect(lastRequest()).toMatchObject({
      protocol: 'azure',
      path: chatPath,
      model: 'my-gpt',
      headers: { 'api-key': 'azure-key' },
    });
  });

  it('azureOpenAIBasePath (ending in /openai/deployments): stream() works too', async () => {
    const model = new lc.openai.AzureChatOpenAI({
      ...azure,
      azureOpenAIApiDeploymentName: 'my-gpt',
      azureOpenAIBasePath: `${fake.url}/openai/deployments`,
    });
    await expectStream(model);
    expect(lastRequest()).toMatchObject({ protocol: 'azure', path: chatPath });
  });

  // AzureOpenAIEmbeddings (1.5.8) has no azureOpenAIEndpoint option: only the base path (or an
  // instance name) works. Its batchSize defaults to 1 text per request.
  it('embeddings use the embeddings deployment under azureOpenAIBasePath', async () => {
    const model = new lc.openai.AzureOpenAIEmbeddings({
      ...azure,
      azureOpenAIApiEmbeddingsDeploymentName: 'my-embed',
      azureOpenAIBasePath: `${fake.url}/openai/deployments`,
      batchSize: 16,
    });
    await expectEmbeddings(model);
    expect(lastRequest()).toMatchObject({
      protocol: 'azure',
      model: 'my-embed',
      path: '/openai/deployments/my-embed/embeddings?api-version=2024-10-21',
    });
  });

  it('a 429 surfaces with status and headers', async () => {
    const model = new lc.openai.AzureChatOpenAI({
      ...azure,
      azureOpenAIApiDeploymentName: 'my-gpt',
      azureOpenAIEndpoint: fake.url,
    });
    const err = await rateLimitedError(() => model.invoke(PROMPT));
    expect(err.status).toBe(429);
    expect(err.headers?.get('retry-after')).toBe('7');
    expect(err.code).toBe('429');
  });
});

describe('Anthropic (ChatAnthropic)', () => {
  const chat = () =>
    new lc.anthropic.ChatAnthropic({
      model: 'claude-3-5-haiku-latest',
      apiKey: 'ant-key',
      anthropicApiUrl: fake.url,
      maxTokens: 256,
      maxRetries: 0,
    });

  it('invoke() returns the answer with input/output tokens', async () => {
    await expectInvoke(chat());
    expect(lastRequest()).toMatchObject({
      protocol: 'anthropic',
      path: '/v1/messages',
      model: 'claude-3-5-haiku-latest',
      params: { max_tokens: 256 },
      headers: { 'x-api-key': 'ant-key' },
    });
    expect(lastRequest().headers['anthropic-version']).toBeDefined();
  });

  it('stream() follows the message_start ... message_stop event sequence', async () => {
    await expectStream(chat());
  });

  it('a 429 surfaces as RateLimitError with status, headers and error type', async () => {
    const err = await rateLimitedError(() => chat().invoke(PROMPT));
    expect(err).toBeInstanceOf(lc.anthropicSdk.RateLimitError);
    expect(err.status).toBe(429);
    expect(err.headers?.get('retry-after')).toBe('7');
    expect(err.type).toBe('rate_limit_error');
    expect(err.error).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
    expect(err.requestID).toBe('req_fake_1');
  });
});

describe('Gemini (ChatGoogleGenerativeAI, GoogleGenerativeAIEmbeddings)', () => {
  const chat = () =>
    new lc.google.ChatGoogleGenerativeAI({
      model: 'gemini-2.0-flash',
      apiKey: 'g-key',
      baseUrl: fake.url,
      maxOutputTokens: 64,
      maxRetries: 0,
    });

  it('invoke() calls :generateContent and reports usageMetadata', async () => {
    await expectInvoke(chat());
    expect(lastRequest()).toMatchObject({
      protocol: 'gemini',
      path: '/v1beta/models/gemini-2.0-flash:generateContent',
      model: 'gemini-2.0-flash',
      params: { maxOutputTokens: 64 },
      headers: { 'x-goog-api-key': 'g-key' },
    });
  });

  it('stream() calls :streamGenerateContent?alt=sse', async () => {
    await expectStream(chat());
    expect(lastRequest().path).toBe(
      '/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse',
    );
  });

  it('embeddings use :embedContent and :batchEmbedContents', async () => {
    const model = new lc.google.GoogleGenerativeAIEmbeddings({
      model: 'text-embedding-004',
      apiKey: 'g-key',
      baseUrl: fake.url,
      maxRetries: 0,
    });
    await expectEmbeddings(model);
    const paths = fake.requests.map((r) => r.path);
    expect(paths).toEqual([
      '/v1beta/models/text-embedding-004:batchEmbedContents',
      '/v1beta/models/text-embedding-004:embedContent',
    ]);
  });

  it('a 429 surfaces as GoogleGenerativeAIFetchError with status and RetryInfo', async () => {
    const err = await rateLimitedError(() => chat().invoke(PROMPT));
    expect(err).toBeInstanceOf(lc.googleSdk.GoogleGenerativeAIFetchError);
    expect(err.status).toBe(429);
    expect(err.statusText).toBe('Too Many Requests');
    expect(err.errorDetails).toEqual([
      { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '7s' },
    ]);
    expect(err.headers).toBeUndefined();
  });

  it('embedDocuments() swallows a failed batch and returns empty vectors', async () => {
    const model = new lc.google.GoogleGenerativeAIEmbeddings({
      model: 'text-embedding-004',
      apiKey: 'g-key',
      baseUrl: fake.url,
      maxRetries: 0,
    });
    fake.setOptions({ fail: RATE_LIMITED });
    expect(await model.embedDocuments(TEXTS)).toEqual([[], []]);
  });
});

describe('Mistral (ChatMistralAI, MistralAIEmbeddings)', () => {
  const chat = () =>
    new lc.mistral.ChatMistralAI({
      model: 'mistral-small-latest',
      apiKey: 'm-key',
      serverURL: fake.url,
      maxRetries: 0,
    });

  it('invoke() passes the Mistral SDK response validation; protocol is told apart', async () => {
    await expectInvoke(chat());
    expect(lastRequest()).toMatchObject({
      protocol: 'mistral',
      path: '/v1/chat/completions',
      model: 'mistral-small-latest',
      headers: { authorization: 'Bearer m-key' },
    });
  });

  it('stream() gets usage on the finish chunk', async () => {
    await expectStream(chat());
    expect(lastRequest().protocol).toBe('mistral');
  });

  it('embeddings', async () => {
    const model = new lc.mistral.MistralAIEmbeddings({
      model: 'mistral-embed',
      apiKey: 'm-key',
      serverURL: fake.url,
      maxRetries: 0,
    });
    await expectEmbeddings(model);
    expect(lastRequest()).toMatchObject({ protocol: 'mistral', path: '/v1/embeddings' });
  });

  it('a 429 surfaces as SDKError with statusCode and headers', async () => {
    const err = await rateLimitedError(() => chat().invoke(PROMPT));
    expect(err.name).toBe('SDKError');
    expect(err.statusCode).toBe(429);
    expect(err.status).toBeUndefined();
    expect(err.headers?.get('retry-after')).toBe('7');
    expect(JSON.parse(String(err.body))).toMatchObject({ object: 'error', type: 'rate_limited' });
  });
});

describe('Cohere (ChatCohere, CohereEmbeddings, CohereClientV2)', () => {
  // cohere-ai retries 429/5xx twice on its own (sleeping for Retry-After) unless told not to.
  const client = () =>
    new lc.cohereSdk.CohereClient({ token: 'c-key', environment: fake.url, maxRetries: 0 });
  const chat = () =>
    new lc.cohere.ChatCohere({ model: 'command-r', client: client(), maxRetries: 0 });

  it('invoke() calls /v1/chat and reads meta.tokens', async () => {
    await expectInvoke(chat());
    expect(lastRequest()).toMatchObject({
      protocol: 'cohere',
      path: '/v1/chat',
      model: 'command-r',
      params: { temperature: 0.3 },
      headers: { authorization: 'Bearer c-key' },
    });
  });

  it('stream() reads the NDJSON event stream', async () => {
    await expectStream(chat());
  });

  it('embeddings', async () => {
    const model = new lc.cohere.CohereEmbeddings({
      model: 'embed-english-v3.0',
      client: client(),
      maxRetries: 0,
    });
    await expectEmbeddings(model);
    expect(lastRequest()).toMatchObject({
      path: '/v1/embed',
      body: { embedding_types: ['float'] },
    });
  });

  it('a 429 surfaces as TooManyRequestsError with statusCode and rawResponse headers', async () => {
    const err = await rateLimitedError(() => chat().invoke(PROMPT));
    expect(err).toBeInstanceOf(lc.cohereSdk.Cohere.TooManyRequestsError);
    expect(err).toBeInstanceOf(lc.cohereSdk.CohereError);
    expect(err.statusCode).toBe(429);
    expect(err.status).toBe(429); // copied by ChatCohere
    expect(err.rawResponse?.headers.get('retry-after')).toBe('7');
    expect(err.body).toMatchObject({ message: expect.any(String) });
  });

  it('the v2 API (CohereClientV2) chats, streams over SSE and embeds', async () => {
    const v2 = new lc.cohereSdk.CohereClientV2({
      token: 'c-key',
      environment: fake.url,
      maxRetries: 0,
    });
    const messages = [
      { role: 'system' as const, content: SYSTEM },
      { role: 'user' as const, content: QUESTION },
    ];
    const reply = await v2.chat({ model: 'command-a', messages });
    expect(reply.message.content).toEqual([{ type: 'text', text: EXPECTED }]);
    expect(reply.usage?.tokens).toEqual({
      inputTokens: USAGE.input_tokens,
      outputTokens: USAGE.output_tokens,
    });
    expect(lastRequest()).toMatchObject({ path: '/v2/chat', messages: NORMALISED });

    let streamed = '';
    let usage: unknown;
    for await (const event of await v2.chatStream({ model: 'command-a', messages })) {
      if (event.type === 'content-delta') streamed += event.delta?.message?.content?.text ?? '';
      if (event.type === 'message-end') usage = event.delta?.usage?.billedUnits;
    }
    expect(streamed).toBe(EXPECTED);
    expect(usage).toEqual({ inputTokens: USAGE.input_tokens, outputTokens: USAGE.output_tokens });

    const embedded = await v2.embed({
      model: 'embed-v4.0',
      texts: TEXTS,
      inputType: 'search_document',
      embeddingTypes: ['float'],
    });
    expect(embedded.embeddings.float).toEqual(TEXTS.map((t) => fakeEmbedding(t, 8)));
  });
});

describe('Ollama (ChatOllama, OllamaEmbeddings)', () => {
  const chat = () =>
    new lc.ollama.ChatOllama({ model: 'llama3.2', baseUrl: fake.url, temperature: 0.5 });

  it('invoke() streams NDJSON under the hood and sums prompt_eval_count/eval_count', async () => {
    await expectInvoke(chat());
    expect(lastRequest()).toMatchObject({
      protocol: 'ollama',
      path: '/api/chat',
      model: 'llama3.2',
      stream: true,
      params: { temperature: 0.5 },
    });
  });

  it('stream()', async () => {
    await expectStream(chat());
  });

  it('answers stream:false with one JSON object', async () => {
    const res = await fetch(`${fake.url}/api/chat`, {
      method: 'POST',
      body: JSON.stringify({
        model: 'llama3.2',
        messages: [{ role: 'user', content: QUESTION }],
        stream: false,
      }),
    });
    expect(await res.json()).toMatchObject({
      message: { role: 'assistant', content: EXPECTED },
      done: true,
      prompt_eval_count: countTokens(QUESTION),
      eval_count: USAGE.output_tokens,
    });
  });

  it('embeddings via /api/embed', async () => {
    const model = new lc.ollama.OllamaEmbeddings({
      model: 'nomic-embed-text',
      baseUrl: fake.url,
      maxRetries: 0,
    });
    await expectEmbeddings(model);
    expect(lastRequest()).toMatchObject({ path: '/api/embed', texts: ['query text'] });
  });

  it('a 429 surfaces as ResponseError with status_code (no headers)', async () => {
    const err = await rateLimitedError(() => chat().invoke(PROMPT));
    expect(err.name).toBe('ResponseError');
    expect(err.status_code).toBe(429);
    expect(err.status).toBeUndefined();
    expect(err.headers).toBeUndefined();
    expect(err.error).toContain('Rate limit exceeded');
  });

  it('lists models on /api/tags, including the ones used', async () => {
    await chat().invoke(PROMPT);
    const tags = (await (await fetch(`${fake.url}/api/tags`)).json()) as {
      models: { name: string }[];
    };
    expect(tags.models.map((m) => m.name)).toContain('llama3.2');
  });
});

describe('the fake server itself', () => {
  const post = (path: string, body: string, signal?: AbortSignal) =>
    fetch(`${fake.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      signal,
    });

  it('answers bad JSON with 400 in the vendor format and keeps serving', async () => {
    const res = await post('/v1/messages', '{"model":');
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      type: 'error',
      error: { type: 'invalid_request_error' },
    });
    const shapeless = await post('/v1/chat/completions', '{"model":"x"}');
    expect(shapeless.status).toBe(400);
    expect(await shapeless.json()).toMatchObject({
      error: { message: "'messages' must be an array" },
    });
    expect(fake.count()).toBe(0);
    expect((await post('/v1/chat/completions', '{"messages":[]}')).status).toBe(200);
  });

  it('rejects JSON that is not an object', async () => {
    const res = await post('/api/chat', '[1, 2]');
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'request body must be a JSON object' });
  });

  it('streams answers with odd whitespace back exactly', async () => {
    const answer = '  line one\n\nline   two\t';
    fake.setOptions({ answer: () => answer });
    const model = new lc.openai.ChatOpenAI({
      model: 'gpt-4o-mini',
      apiKey: 'sk-test',
      maxRetries: 0,
      configuration: { baseURL: `${fake.url}/v1` },
    });
    let text = '';
    for await (const chunk of await model.stream(PROMPT)) {
      text += typeof chunk.content === 'string' ? chunk.content : '';
    }
    expect(text).toBe(answer);
  });

  it('survives clients that hang up, and close() does not wait for latency', async () => {
    const slow = await startFakeLlm({ latencyMs: 60_000 });
    fake.setOptions({ latencyMs: 200 });
    const abort = new AbortController();
    const pending = post('/v1/chat/completions', '{"messages":[]}', abort.signal);
    setTimeout(() => abort.abort(), 20);
    await expect(pending).rejects.toThrow();
    fake.setOptions({ latencyMs: 0 });
    expect((await post('/v1/chat/completions', '{"messages":[]}')).status).toBe(200);

    const hanging = fetch(`${slow.url}/api/chat`, {
      method: 'POST',
      body: '{"model":"m","messages":[]}',
    });
    const settled = hanging.then(
      () => 'answered',
      () => 'dropped',
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = Date.now();
    await slow.close();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await settled).toBe('dropped');
    expect(slow.count()).toBe(1);
  });

  it('answers unknown paths with 404 JSON', async () => {
    const res = await post('/v1/nothing-here', '{}');
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { type: 'not_found' } });
  });

  it('lists OpenAI models', async () => {
    const models = await (await fetch(`${fake.url}/v1/models`)).json();
    expect(models).toMatchObject({
      object: 'list',
      data: expect.arrayContaining([expect.objectContaining({ object: 'model' })]),
    });
  });

  it('applies latency, custom answers and custom failure bodies; counts failed requests', async () => {
    fake.setOptions({ latencyMs: 150, answer: (req) => `#${req.n} ${req.model}` });
    const started = Date.now();
    const res = await post('/api/chat', '{"model":"m","messages":[],"stream":false}');
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(await res.json()).toMatchObject({ message: { content: '#1 m' } });

    fake.setOptions({
      latencyMs: 0,
      fail: (req) => (req.n === 2 ? { status: 503, body: 'upstream down' } : undefined),
    });
    const failed = await post('/v1/embed', '{"texts":["a"]}');
    expect(failed.status).toBe(503);
    expect(await failed.text()).toBe('upstream down');
    expect(fake.count()).toBe(2);
    expect(fake.count('embed')).toBe(1);
  });

  it('answers 500 when a callback throws', async () => {
    fake.setOptions({
      answer: () => {
        throw new Error('boom');
      },
    });
    const res = await post('/v1/chat/completions', '{"messages":[]}');
    expect(res.status).toBe(500);
    expect(await res.json()).toMatchObject({ error: { message: 'fake LLM server error: boom' } });
  });

  it('reset() empties requests in place and restarts n', async () => {
    const { requests } = fake;
    await post('/v1/chat/completions', '{"messages":[]}');
    fake.reset();
    expect(requests).toHaveLength(0);
    await post('/v1/chat/completions', '{"messages":[]}');
    expect(requests[0]?.n).toBe(1);
  });

  it('has deterministic helpers', () => {
    expect(countTokens('')).toBe(0);
    expect(countTokens('  one two\nthree ')).toBe(3);
    const v = fakeEmbedding('x', 16);
    expect(v).toHaveLength(16);
    expect(fakeEmbedding('x', 16)).toEqual(v);
    expect(fakeEmbedding('y', 16)).not.toEqual(v);
    expect(Math.hypot(...v)).toBeCloseTo(1, 6);
    expect(v.every((x) => Math.fround(x) === x)).toBe(true);
  });
});
