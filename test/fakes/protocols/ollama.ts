import type { ChatEndpoint, ChatReply, EmbedEndpoint, JsonObject, ParsedCall } from '../types';
import { BadRequest } from '../types';
import {
  asPositiveInt,
  asString,
  isRecord,
  NdjsonWriter,
  paramsFrom,
  requireArray,
  requireString,
  sendJson,
  textOf,
} from '../wire';

/**
 * Ollama's native API. `/api/chat` streams newline-delimited JSON unless the body says
 * `stream: false` (the HTTP API defaults to streaming, and ChatOllama always streams, even for
 * invoke()). Usage is `prompt_eval_count` / `eval_count` on the final `done: true` object.
 */

/** Durations are reported in nanoseconds; fixed values keep responses reproducible. */
const FAKE_DURATION_NS = 1_000_000;

function createdAt(): string {
  return new Date().toISOString();
}

export const ollamaChat: ChatEndpoint = {
  kind: 'chat',
  protocolOf: () => 'ollama',
  parse(ctx): ParsedCall {
    const messages = requireArray(ctx.body, 'messages').map((m) => {
      if (!isRecord(m)) throw new BadRequest("'messages' must contain objects");
      return { role: asString(m.role) ?? 'user', content: textOf(m.content) };
    });
    const options = isRecord(ctx.body.options) ? ctx.body.options : {};
    return {
      protocol: 'ollama',
      model: requireString(ctx.body, 'model'),
      messages,
      texts: [],
      params: {
        ...paramsFrom(ctx.body, ['model', 'messages', 'stream', 'options']),
        ...paramsFrom(options, []),
      },
      stream: ctx.body.stream !== false,
    };
  },
  reply(res, reply) {
    if (!reply.req.stream) {
      sendJson(res, 200, finalObject(reply, reply.answer));
      return;
    }
    const out = new NdjsonWriter(res, 'application/x-ndjson');
    for (const content of reply.pieces) {
      out.line({
        model: reply.req.model,
        created_at: createdAt(),
        message: { role: 'assistant', content },
        done: false,
      });
    }
    out.line(finalObject(reply, '')).end();
  },
};

function finalObject(reply: ChatReply, content: string): JsonObject {
  return {
    model: reply.req.model,
    created_at: createdAt(),
    message: { role: 'assistant', content },
    done: true,
    done_reason: 'stop',
    total_duration: 3 * FAKE_DURATION_NS,
    load_duration: FAKE_DURATION_NS,
    prompt_eval_count: reply.usage.input,
    prompt_eval_duration: FAKE_DURATION_NS,
    eval_count: reply.usage.output,
    eval_duration: FAKE_DURATION_NS,
  };
}

/** `/api/embed` takes `input` (string or list); the legacy `/api/embeddings` takes `prompt`. */
export function ollamaEmbed(legacy: boolean): EmbedEndpoint {
  return {
    kind: 'embed',
    protocolOf: () => 'ollama',
    parse(ctx): ParsedCall {
      return {
        protocol: 'ollama',
        model: requireString(ctx.body, 'model'),
        messages: [],
        texts: legacy ? [requireString(ctx.body, 'prompt')] : embedInputs(ctx.body),
        params: paramsFrom(ctx.body, ['model', 'input', 'prompt']),
        stream: false,
      };
    },
    requestedDims: (ctx) => asPositiveInt(ctx.body.dimensions),
    reply(res, { req, vectors, inputTokens }) {
      if (legacy) {
        sendJson(res, 200, { embedding: vectors[0] ?? [] });
        return;
      }
      sendJson(res, 200, {
        model: req.model,
        embeddings: vectors,
        total_duration: 2 * FAKE_DURATION_NS,
        load_duration: FAKE_DURATION_NS,
        prompt_eval_count: inputTokens,
      });
    },
  };
}

function embedInputs(body: JsonObject): string[] {
  if (typeof body.input === 'string') return [body.input];
  return requireArray(body, 'input').map((t) => {
    if (typeof t !== 'string') throw new BadRequest("'input' must contain strings");
    return t;
  });
}
