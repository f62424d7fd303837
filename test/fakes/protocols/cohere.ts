import type {
  ChatEndpoint,
  ChatReply,
  EmbedEndpoint,
  FakeMessage,
  JsonObject,
  ParsedCall,
} from '../types';
import { BadRequest } from '../types';
import {
  asString,
  isRecord,
  NdjsonWriter,
  paramsFrom,
  requireArray,
  sendJson,
  SseWriter,
  textOf,
} from '../wire';

/**
 * Cohere. LangChain's ChatCohere / CohereEmbeddings (1.0.x) use the v1 client: `POST /v1/chat`
 * (streaming is newline-delimited JSON, not SSE) and `POST /v1/embed`. The v2 API (`/v2/chat`
 * with an SSE stream, `/v2/embed`) is served too for code that uses CohereClientV2 directly.
 * Token usage goes where Cohere reports it: `meta.{billed_units,tokens}` in v1, `usage` in v2.
 */

const V1_ROLES: Record<string, string> = {
  USER: 'user',
  CHATBOT: 'assistant',
  SYSTEM: 'system',
  TOOL: 'tool',
};

function v1Messages(body: JsonObject): FakeMessage[] {
  const preamble = asString(body.preamble);
  const history = Array.isArray(body.chat_history) ? body.chat_history : [];
  const message = asString(body.message);
  if (message === undefined) throw new BadRequest("'message' must be a string");
  return [
    ...(preamble === undefined ? [] : [{ role: 'system', content: preamble }]),
    ...history.filter(isRecord).map((m) => {
      const role = asString(m.role) ?? 'USER';
      return { role: V1_ROLES[role] ?? role.toLowerCase(), content: textOf(m.message) };
    }),
    // Empty when the turn only carries tool results.
    ...(message === '' ? [] : [{ role: 'user', content: message }]),
  ];
}

function usage(reply: ChatReply): JsonObject {
  const units = { input_tokens: reply.usage.input, output_tokens: reply.usage.output };
  return { billed_units: units, tokens: units };
}

export const cohereChatV1: ChatEndpoint = {
  kind: 'chat',
  protocolOf: () => 'cohere',
  parse(ctx): ParsedCall {
    return {
      protocol: 'cohere',
      model: asString(ctx.body.model) ?? '',
      messages: v1Messages(ctx.body),
      texts: [],
      params: paramsFrom(ctx.body, ['model', 'message', 'chat_history', 'preamble', 'stream']),
      stream: ctx.body.stream === true,
    };
  },
  reply(res, reply) {
    if (!reply.req.stream) {
      sendJson(res, 200, v1Response(reply));
      return;
    }
    const out = new NdjsonWriter(res, 'application/stream+json');
    const generation_id = `gen-fake-${reply.req.n}`;
    out.line({ is_finished: false, event_type: 'stream-start', generation_id });
    for (const text of reply.pieces) {
      out.line({ is_finished: false, event_type: 'text-generation', text });
    }
    out.line({
      is_finished: true,
      event_type: 'stream-end',
      finish_reason: 'COMPLETE',
      response: v1Response(reply),
    });
    out.end();
  },
};

function v1Response(reply: ChatReply): JsonObject {
  return {
    response_id: `resp-fake-${reply.req.n}`,
    text: reply.answer,
    generation_id: `gen-fake-${reply.req.n}`,
    finish_reason: 'COMPLETE',
    meta: { api_version: { version: '1' }, ...usage(reply) },
  };
}

export const cohereChatV2: ChatEndpoint = {
  kind: 'chat',
  protocolOf: () => 'cohere',
  parse(ctx): ParsedCall {
    const messages = requireArray(ctx.body, 'messages').map((m) => {
      if (!isRecord(m)) throw new BadRequest("'messages' must contain objects");
      return { role: asString(m.role) ?? 'user', content: textOf(m.content) };
    });
    return {
      protocol: 'cohere',
      model: asString(ctx.body.model) ?? '',
      messages,
      texts: [],
      params: paramsFrom(ctx.body, ['model', 'messages', 'stream']),
      stream: ctx.body.stream === true,
    };
  },
  reply(res, reply) {
    if (reply.req.stream) streamV2(new SseWriter(res), reply);
    else {
      sendJson(res, 200, {
        id: `resp-fake-${reply.req.n}`,
        finish_reason: 'COMPLETE',
        message: { role: 'assistant', content: [{ type: 'text', text: reply.answer }] },
        usage: usage(reply),
      });
    }
  },
};

function streamV2(sse: SseWriter, reply: ChatReply): void {
  const send = (data: JsonObject) => sse.event(data, String(data.type));
  send({
    id: `resp-fake-${reply.req.n}`,
    type: 'message-start',
    delta: { message: { role: 'assistant', content: [], tool_plan: '', tool_calls: [] } },
  });
  send({
    type: 'content-start',
    index: 0,
    delta: { message: { content: { type: 'text', text: '' } } },
  });
  for (const text of reply.pieces) {
    send({ type: 'content-delta', index: 0, delta: { message: { content: { text } } } });
  }
  send({ type: 'content-end', index: 0 });
  send({ type: 'message-end', delta: { finish_reason: 'COMPLETE', usage: usage(reply) } });
  sse.end();
}

/** v1 and v2 embed share a body: `texts`, `input_type`, optional `embedding_types`. */
export function cohereEmbed(version: 'v1' | 'v2'): EmbedEndpoint {
  return {
    kind: 'embed',
    protocolOf: () => 'cohere',
    parse(ctx): ParsedCall {
      const texts = requireArray(ctx.body, 'texts').map((t) => {
        if (typeof t !== 'string') throw new BadRequest("'texts' must contain strings");
        return t;
      });
      return {
        protocol: 'cohere',
        model: asString(ctx.body.model) ?? '',
        messages: [],
        texts,
        params: paramsFrom(ctx.body, ['model', 'texts']),
        stream: false,
      };
    },
    // Only float vectors are produced; int8/binary/... requests still get `float`.
    reply(res, { req, vectors, inputTokens }, ctx) {
      const byType = version === 'v2' || Array.isArray(ctx.body.embedding_types);
      sendJson(res, 200, {
        id: `embed-fake-${req.n}`,
        response_type: byType ? 'embeddings_by_type' : 'embeddings_floats',
        embeddings: byType ? { float: vectors } : vectors,
        texts: req.texts,
        meta: {
          api_version: { version: version === 'v1' ? '1' : '2' },
          billed_units: { input_tokens: inputTokens },
        },
      });
    },
  };
}
