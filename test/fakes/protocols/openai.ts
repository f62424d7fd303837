import type {
  ChatEndpoint,
  ChatReply,
  EmbedEndpoint,
  FakeMessage,
  FakeProtocol,
  JsonObject,
  ParsedCall,
  RequestContext,
} from '../types';
import { BadRequest } from '../types';
import { float32Base64 } from '../text';
import {
  asPositiveInt,
  asString,
  isRecord,
  nowSeconds,
  paramsFrom,
  requireArray,
  sendJson,
  SseWriter,
  textOf,
} from '../wire';

/**
 * OpenAI chat completions and embeddings, also spoken by Azure OpenAI (deployment in the path)
 * and Mistral (same paths and a compatible body). One response shape satisfies both the openai
 * SDK and the Mistral SDK's zod schemas (`id`, `object`, `model`, integer `created`, `usage`,
 * `finish_reason` present on every choice). The only behavioural difference is where streamed
 * usage goes: OpenAI sends it in an extra chunk with `choices: []` and only when asked through
 * `stream_options.include_usage`; Mistral always attaches it to the chunk that carries
 * `finish_reason`, and LangChain's ChatMistralAI ignores chunks without choices.
 */

type Family = 'openai' | 'azure';

/** The Mistral SDK (Speakeasy) always sends its user agent; its body has Mistral-only fields. */
function isMistral(ctx: Pick<RequestContext, 'headers'> & { body?: JsonObject }): boolean {
  const agent = String(ctx.headers['user-agent'] ?? '').toLowerCase();
  const body = ctx.body ?? {};
  return agent.includes('mistral') || 'safe_prompt' in body || 'random_seed' in body;
}

function protocolFor(family: Family, ctx: Pick<RequestContext, 'headers'>): FakeProtocol {
  if (family === 'azure') return 'azure';
  return isMistral(ctx) ? 'mistral' : 'openai';
}

/** Azure carries the model as the deployment segment of the path, OpenAI in the body. */
function modelFor(family: Family, ctx: RequestContext): string {
  return family === 'azure' ? (ctx.pathParams[0] ?? '') : (asString(ctx.body.model) ?? '');
}

/** o1-style models get `developer` instead of `system`; both are the system prompt. */
function normaliseRole(role: unknown): string {
  const name = asString(role) ?? 'user';
  return name === 'developer' ? 'system' : name;
}

function parseMessages(body: JsonObject): FakeMessage[] {
  return requireArray(body, 'messages').map((m) => {
    if (!isRecord(m)) throw new BadRequest("'messages' must contain objects");
    return { role: normaliseRole(m.role), content: textOf(m.content) };
  });
}

export function openAiChat(family: Family): ChatEndpoint {
  return {
    kind: 'chat',
    protocolOf: (ctx) => protocolFor(family, ctx),
    parse(ctx): ParsedCall {
      return {
        protocol: protocolFor(family, ctx),
        model: modelFor(family, ctx),
        messages: parseMessages(ctx.body),
        texts: [],
        params: paramsFrom(ctx.body, ['model', 'messages', 'stream', 'stream_options']),
        stream: ctx.body.stream === true,
      };
    },
    reply(res, reply, ctx) {
      if (!reply.req.stream) {
        sendJson(res, 200, completion(reply));
        return;
      }
      streamCompletion(new SseWriter(res), reply, wantsUsageChunk(ctx.body));
    },
  };
}

function wantsUsageChunk(body: JsonObject): boolean {
  return isRecord(body.stream_options) && body.stream_options.include_usage === true;
}

function usageOf({ usage }: ChatReply): JsonObject {
  return {
    prompt_tokens: usage.input,
    completion_tokens: usage.output,
    total_tokens: usage.input + usage.output,
  };
}

function completion(reply: ChatReply): JsonObject {
  return {
    id: `chatcmpl-fake-${reply.req.n}`,
    object: 'chat.completion',
    created: nowSeconds(),
    model: reply.req.model,
    system_fingerprint: 'fp_fake',
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: reply.answer },
        logprobs: null,
        finish_reason: 'stop',
      },
    ],
    usage: usageOf(reply),
  };
}

function streamCompletion(sse: SseWriter, reply: ChatReply, usageChunk: boolean): void {
  const mistral = reply.req.protocol === 'mistral';
  const base = {
    id: `chatcmpl-fake-${reply.req.n}`,
    object: 'chat.completion.chunk',
    created: nowSeconds(),
    model: reply.req.model,
    system_fingerprint: 'fp_fake',
  };
  const choice = (delta: JsonObject, finish: string | null) => ({
    ...base,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
  });
  sse.event(choice({ role: 'assistant', content: '' }, null));
  for (const piece of reply.pieces) sse.event(choice({ content: piece }, null));
  const last = choice({}, 'stop');
  sse.event(mistral ? { ...last, usage: usageOf(reply) } : last);
  if (usageChunk && !mistral) sse.event({ ...base, choices: [], usage: usageOf(reply) });
  sse.done().end();
}

/** `input` may be a string, a list of strings, or token ids; ids are keyed by their JSON. */
function embeddingTexts(body: JsonObject): string[] {
  const input = body.input;
  if (typeof input === 'string') return [input];
  if (!Array.isArray(input)) throw new BadRequest("'input' must be a string or an array");
  if (input.length > 0 && input.every((x) => typeof x === 'number')) return [JSON.stringify(input)];
  return input.map((x) => (typeof x === 'string' ? x : JSON.stringify(x)));
}

export function openAiEmbeddings(family: Family): EmbedEndpoint {
  return {
    kind: 'embed',
    protocolOf: (ctx) => protocolFor(family, ctx),
    parse(ctx): ParsedCall {
      return {
        protocol: protocolFor(family, ctx),
        model: modelFor(family, ctx),
        messages: [],
        texts: embeddingTexts(ctx.body),
        params: paramsFrom(ctx.body, ['model', 'input']),
        stream: false,
      };
    },
    // OpenAI calls it `dimensions`, Mistral `output_dimension`.
    requestedDims: (ctx) =>
      asPositiveInt(ctx.body.dimensions) ?? asPositiveInt(ctx.body.output_dimension),
    reply(res, { req, vectors, inputTokens }, ctx) {
      // The openai SDK asks for base64 unless the caller chose a format, then decodes float32.
      const base64 = ctx.body.encoding_format === 'base64';
      sendJson(res, 200, {
        id: `embd-fake-${req.n}`,
        object: 'list',
        data: vectors.map((v, index) => ({
          object: 'embedding',
          index,
          embedding: base64 ? float32Base64(v) : v,
        })),
        model: req.model,
        usage: { prompt_tokens: inputTokens, total_tokens: inputTokens },
      });
    },
  };
}
