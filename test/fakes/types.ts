import type { IncomingHttpHeaders, ServerResponse } from 'node:http';

/** Public types of the fake LLM server (re-exported from fake-llm.ts). */

export type FakeProtocol =
  'openai' | 'azure' | 'anthropic' | 'gemini' | 'cohere' | 'mistral' | 'ollama';

export type FakeKind = 'chat' | 'embed';

export interface FakeMessage {
  role: string;
  content: string;
}

export interface FakeRequest {
  protocol: FakeProtocol;
  kind: FakeKind;
  /** The request target as received, query string included (Azure's `api-version` lives there). */
  path: string;
  model: string;
  /** Normalised to user/assistant/system/tool; the system prompt is included as role 'system'. */
  messages: FakeMessage[];
  /** Inputs of an embedding request, in order. */
  texts: string[];
  /** Generation parameters as sent (Gemini's generationConfig and Ollama's options are flattened in). */
  params: Record<string, unknown>;
  stream: boolean;
  headers: Record<string, string | string[] | undefined>;
  /** The parsed JSON body, untouched. */
  body: unknown;
  /** 1-based index of this request on the server (restarts at 1 after reset()). */
  n: number;
}

export interface FakeFailure {
  status: number;
  headers?: Record<string, string>;
  /** Default: the vendor's error JSON. A string is sent verbatim as text/plain. */
  body?: unknown;
}

export interface FakeLlmOptions {
  /** Delay before answering, in milliseconds (default 0). */
  latencyMs?: number;
  /** Default: defaultAnswer(req). */
  answer?: (req: FakeRequest) => string;
  /** Token usage reported for a chat answer. Default: words of the messages and of the answer. */
  usage?: (req: FakeRequest, answer: string) => TokenUsage;
  /** Injected failure for this request; undefined lets the request succeed. */
  fail?: (req: FakeRequest) => FakeFailure | undefined;
  /** Default 8; a dimension requested in the body (OpenAI `dimensions`, ...) wins. */
  embeddingDims?: number;
  /** Default 0 (a random free port). */
  port?: number;
}

export interface FakeLlmServer {
  /** http://127.0.0.1:PORT, no trailing slash. */
  url: string;
  port: number;
  /** Every chat/embed request received, including the ones answered with an injected failure. */
  requests: FakeRequest[];
  count(kind?: FakeKind): number;
  reset(): void;
  setOptions(patch: Partial<FakeLlmOptions>): void;
  close(): Promise<void>;
}

/* ----------------------------- internal types ----------------------------- */

export type JsonObject = Record<string, unknown>;

/** What the router knows about a request before a protocol module reads it. */
export interface RequestContext {
  method: string;
  /** Path without the query string. */
  pathname: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: JsonObject;
  /** Capture groups of the matched route (deployment, model, task...). */
  pathParams: string[];
}

/** The protocol-specific part of a FakeRequest, produced by an endpoint's parse(). */
export interface ParsedCall {
  protocol: FakeProtocol;
  model: string;
  messages: FakeMessage[];
  texts: string[];
  params: Record<string, unknown>;
  stream: boolean;
}

export interface TokenUsage {
  input: number;
  output: number;
}

export interface ChatReply {
  req: FakeRequest;
  answer: string;
  /** The answer cut into streaming deltas; joined they give `answer` back exactly. */
  pieces: string[];
  usage: TokenUsage;
}

export interface EmbedReply {
  req: FakeRequest;
  vectors: number[][];
  inputTokens: number;
}

interface EndpointBase {
  /** Vendor of the route, used for error bodies when the request cannot be parsed. */
  protocolOf(ctx: Pick<RequestContext, 'headers'>): FakeProtocol;
  /** Throws BadRequest when the body does not have the vendor's shape. */
  parse(ctx: RequestContext): ParsedCall;
  /** Dimension asked for in the request, if the vendor supports one. */
  requestedDims?(ctx: RequestContext): number | undefined;
}

export interface ChatEndpoint extends EndpointBase {
  kind: 'chat';
  reply(res: ServerResponse, reply: ChatReply, ctx: RequestContext): void;
}

export interface EmbedEndpoint extends EndpointBase {
  kind: 'embed';
  reply(res: ServerResponse, reply: EmbedReply, ctx: RequestContext): void;
}

export type Endpoint = ChatEndpoint | EmbedEndpoint;

/** Thrown by parse() for a body that is JSON but not what the vendor accepts. */
export class BadRequest extends Error {}
