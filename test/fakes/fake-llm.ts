/**
 * A local HTTP server that speaks the real wire protocols of the LLM vendors our LangChain
 * clients call (OpenAI, Azure OpenAI, Anthropic, Gemini, Cohere, Mistral, Ollama), so tests can
 * drive the real SDKs end to end: paths, request bodies, JSON and streaming responses (SSE,
 * NDJSON), token usage and error bodies. One instance serves every protocol; the path decides.
 *
 * Answers are deterministic: defaultAnswer() echoes the last user message, usage counts words
 * (countTokens) and embeddings are hashes of the text (fakeEmbedding).
 *
 * Pointing the LangChain clients at the fake (`url` = server.url):
 * - ChatOpenAI / OpenAIEmbeddings: `configuration: { baseURL: url + '/v1' }`.
 * - AzureChatOpenAI: `azureOpenAIEndpoint: url` or `azureOpenAIBasePath: url +
 *   '/openai/deployments'`, plus key, `azureOpenAIApiVersion` and deployment name.
 *   AzureOpenAIEmbeddings only understands `azureOpenAIBasePath` (no endpoint option).
 * - ChatAnthropic: `anthropicApiUrl: url` (the SDK appends /v1/messages).
 * - ChatGoogleGenerativeAI / GoogleGenerativeAIEmbeddings: `baseUrl: url` (SDK adds /v1beta).
 * - ChatMistralAI / MistralAIEmbeddings: `serverURL: url` (SDK adds /v1/...).
 * - ChatCohere / CohereEmbeddings: `client: new CohereClient({ token, environment: url })`
 *   (`baseUrl` works too; the SDK adds /v1/chat, /v1/embed).
 * - ChatOllama / OllamaEmbeddings: `baseUrl: url` (SDK adds /api/...).
 *
 * How each SDK exposes an HTTP error (verified against the installed versions by
 * test/e2e/llm-fakes.e2e-spec.ts; the product's error classifier relies on this):
 *
 * - openai 6.x (ChatOpenAI, AzureChatOpenAI, OpenAIEmbeddings): `APIError` subclasses
 *   (`RateLimitError` for 429, ...). `err.status: number`, `err.headers: Headers` (WHATWG, so
 *   `err.headers.get('retry-after')`), `err.error` = the body's `error` object, `err.code`,
 *   `err.type`, `err.requestID` (x-request-id). LangChain rethrows the same object after adding
 *   `lc_error_code` (e.g. 'MODEL_RATE_LIMIT') and a troubleshooting URL to `message`.
 * - @anthropic-ai/sdk (ChatAnthropic): `APIError` subclasses, `err.status`, `err.headers: Headers`,
 *   `err.error` = the whole body `{type:'error', error:{type,message}}`, `err.type` = the inner
 *   error type (e.g. 'rate_limit_error'), `err.requestID` (request-id header).
 * - @google/generative-ai (ChatGoogleGenerativeAI, GoogleGenerativeAIEmbeddings):
 *   `GoogleGenerativeAIFetchError` with `err.status`, `err.statusText`, `err.errorDetails` (the
 *   body's `error.details`). Response headers are NOT exposed; a wait is only visible as a
 *   google.rpc.RetryInfo detail (`retryDelay: '7s'`), which this fake adds for Retry-After.
 *   Note embedDocuments() swallows batch failures and returns [] per text instead of throwing.
 * - @mistralai/mistralai 2.x (ChatMistralAI, MistralAIEmbeddings): `SDKError` (extends
 *   `MistralError`) with `err.statusCode`, `err.headers: Headers`, `err.body` (raw text),
 *   `err.contentType`, `err.rawResponse`. There is no `status` (LangChain sets `status = 400`
 *   only for 400s).
 * - cohere-ai 7.x (ChatCohere, CohereEmbeddings): `CohereError` subclasses
 *   (`TooManyRequestsError` for 429) with `err.statusCode`, `err.body` (parsed JSON) and
 *   `err.rawResponse.headers: Headers`. LangChain copies `statusCode` into `err.status`.
 * - ollama 0.6 (ChatOllama, OllamaEmbeddings): `ResponseError` with `err.status_code` and
 *   `err.error` (= message, from the body's `error`). Headers are NOT exposed.
 *
 * Retries: LangChain wraps every call in its AsyncCaller (default 6 retries, honouring 429s);
 * pass `maxRetries: 0` to the model / embeddings class. The openai and Anthropic SDK clients
 * LangChain builds already have maxRetries 0; the Mistral SDK does not retry by default;
 * cohere-ai's own client retries 408/429/5xx twice (waiting for Retry-After) unless it is
 * built with `new CohereClient({ ..., maxRetries: 0 })`. ChatOllama's chat calls bypass the
 * AsyncCaller entirely (OllamaEmbeddings does use it).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { defaultErrorMessage, vendorErrorBody } from './errors';
import { infoResponse, matchApiRoute, type RouteMatch } from './routes';
import { countTokens, defaultAnswer, fakeEmbedding, splitIntoPieces } from './text';
import type {
  ChatReply,
  EmbedReply,
  FakeFailure,
  FakeKind,
  FakeLlmOptions,
  FakeLlmServer,
  FakeProtocol,
  FakeRequest,
  ParsedCall,
  RequestContext,
} from './types';
import { BadRequest } from './types';
import { BodyTooLarge, gone, parseJsonObject, readBody, sendJson, sendText } from './wire';

export type {
  FakeFailure,
  FakeKind,
  FakeLlmOptions,
  FakeLlmServer,
  FakeMessage,
  FakeProtocol,
  FakeRequest,
} from './types';
export { countTokens, defaultAnswer, fakeEmbedding } from './text';

const DEFAULT_EMBEDDING_DIMS = 8;

export async function startFakeLlm(options: FakeLlmOptions = {}): Promise<FakeLlmServer> {
  const fake = new FakeLlm(options);
  await fake.listen(options.port ?? 0);
  return fake;
}

class FakeLlm implements FakeLlmServer {
  url = '';
  port = 0;
  readonly requests: FakeRequest[] = [];
  private received = 0;
  private closing: Promise<void> | undefined;
  /** Wake-up calls of requests sleeping out `latencyMs`, so close() need not wait for them. */
  private readonly sleepers = new Set<() => void>();
  private readonly server: Server;

  constructor(private options: FakeLlmOptions) {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => this.crash(res, err));
    });
  }

  listen(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        this.port = (this.server.address() as AddressInfo).port;
        this.url = `http://127.0.0.1:${this.port}`;
        resolve();
      });
    });
  }

  count(kind?: FakeKind): number {
    return this.requests.filter((r) => kind === undefined || r.kind === kind).length;
  }

  /** Empties `requests` in place (callers may hold the array) and restarts `n` at 1. */
  reset(): void {
    this.requests.splice(0);
    this.received = 0;
  }

  setOptions(patch: Partial<FakeLlmOptions>): void {
    this.options = { ...this.options, ...patch };
  }

  /**
   * Idempotent. Drops open connections (keep-alive or still waiting for an answer) so the caller
   * neither waits for them to idle nor for a long `latencyMs` to run out.
   */
  close(): Promise<void> {
    this.closing ??= new Promise((resolve, reject) => {
      this.server.close((err) => (err ? reject(err) : resolve()));
      this.server.closeAllConnections();
      for (const wake of [...this.sleepers]) wake();
    });
    return this.closing;
  }

  private sleep(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleepers.add(wake);
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // A client that hangs up mid-answer makes writes fail; that must not crash the test run.
    res.on('error', () => undefined);
    const method = req.method ?? 'GET';
    const { pathname, searchParams } = new URL(req.url ?? '/', 'http://fake.invalid');
    const info = infoResponse(method, pathname, (p) => this.modelsSeen(p));
    if (info !== undefined) return sendJson(res, 200, info);
    const route = matchApiRoute(method, pathname);
    if (!route) {
      const message = `No fake LLM route for ${method} ${pathname}`;
      return sendJson(res, 404, { error: { message, type: 'not_found' } });
    }
    const { pathParams } = route;
    const head = { method, pathname, query: searchParams, headers: req.headers, pathParams };
    const ctx = await this.withBody(req, res, route, { ...head, body: {} });
    const parsed = ctx && this.parse(res, route, ctx);
    if (!ctx || !parsed) return;
    await this.answer(res, route, ctx, this.record(req, route, ctx, parsed));
  }

  /** Reads the JSON body; answers 400/413 in the vendor's format and returns undefined. */
  private async withBody(
    req: IncomingMessage,
    res: ServerResponse,
    route: RouteMatch,
    ctx: RequestContext,
  ): Promise<RequestContext | undefined> {
    try {
      return { ...ctx, body: parseJsonObject(await readBody(req)) };
    } catch (err) {
      if (err instanceof BodyTooLarge) this.vendorError(res, route, ctx, 413, 'body too large');
      else if (err instanceof BadRequest) this.badRequest(res, route, ctx, err.message);
      else this.badRequest(res, route, ctx, `invalid JSON body: ${String(err)}`);
      return undefined;
    }
  }

  /** The vendor-specific reading of the body; a 400 when it lacks the vendor's fields. */
  private parse(
    res: ServerResponse,
    route: RouteMatch,
    ctx: RequestContext,
  ): ParsedCall | undefined {
    try {
      return route.endpoint.parse(ctx);
    } catch (err) {
      if (!(err instanceof BadRequest)) throw err;
      this.badRequest(res, route, ctx, err.message);
      return undefined;
    }
  }

  private badRequest(res: ServerResponse, route: RouteMatch, ctx: RequestContext, msg: string) {
    this.vendorError(res, route, ctx, 400, msg);
  }

  private vendorError(
    res: ServerResponse,
    route: RouteMatch,
    ctx: RequestContext,
    status: number,
    message: string,
  ): void {
    const protocol = route.endpoint.protocolOf(ctx);
    sendJson(res, status, vendorErrorBody(protocol, status, message));
  }

  /** Stores the request before any latency or failure, so failed requests are counted too. */
  private record(
    req: IncomingMessage,
    route: RouteMatch,
    ctx: RequestContext,
    parsed: ParsedCall,
  ): FakeRequest {
    const fakeReq: FakeRequest = {
      ...parsed,
      kind: route.endpoint.kind,
      path: req.url ?? ctx.pathname,
      headers: { ...req.headers },
      body: ctx.body,
      n: ++this.received,
    };
    this.requests.push(fakeReq);
    return fakeReq;
  }

  private async answer(
    res: ServerResponse,
    route: RouteMatch,
    ctx: RequestContext,
    req: FakeRequest,
  ): Promise<void> {
    await this.sleep(this.options.latencyMs ?? 0);
    if (gone(res)) return;
    // Both ids are set: the openai SDK reads x-request-id, the Anthropic SDK request-id.
    res.setHeader('x-request-id', `req_fake_${req.n}`);
    res.setHeader('request-id', `req_fake_${req.n}`);
    const failure = this.options.fail?.(req);
    if (failure) return this.sendFailure(res, req.protocol, failure);
    const { endpoint } = route;
    if (endpoint.kind === 'chat') endpoint.reply(res, this.chatReply(req), ctx);
    else endpoint.reply(res, this.embedReply(req, endpoint.requestedDims?.(ctx)), ctx);
  }

  private chatReply(req: FakeRequest): ChatReply {
    const answer = (this.options.answer ?? defaultAnswer)(req);
    const usage = this.options.usage?.(req, answer) ?? {
      input: req.messages.reduce((sum, m) => sum + countTokens(m.content), 0),
      output: countTokens(answer),
    };
    return { req, answer, pieces: splitIntoPieces(answer), usage };
  }

  /** A dimension asked for in the request wins over the `embeddingDims` option. */
  private embedReply(req: FakeRequest, requestedDims: number | undefined): EmbedReply {
    const dims = requestedDims ?? this.options.embeddingDims ?? DEFAULT_EMBEDDING_DIMS;
    const vectors = req.texts.map((t) => fakeEmbedding(t, dims));
    const inputTokens = req.texts.reduce((sum, t) => sum + countTokens(t), 0);
    return { req, vectors, inputTokens };
  }

  private sendFailure(res: ServerResponse, protocol: FakeProtocol, failure: FakeFailure): void {
    const { status, headers = {}, body } = failure;
    if (typeof body === 'string') return sendText(res, status, body, headers);
    const payload = body ?? vendorErrorBody(protocol, status, defaultErrorMessage(status), headers);
    sendJson(res, status, payload, headers);
  }

  private modelsSeen(protocol: 'openai' | 'ollama'): string[] {
    return this.requests.filter((r) => r.protocol === protocol).map((r) => r.model);
  }

  /** A bug in a callback (answer/fail) or here: answer 500 rather than kill the test run. */
  private crash(res: ServerResponse, err: unknown): void {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const message = `fake LLM server error: ${err instanceof Error ? err.message : String(err)}`;
    sendJson(res, 500, { error: { message, type: 'fake_server_error' } });
  }
}
