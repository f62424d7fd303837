import type { ChatEndpoint, ChatReply, EmbedEndpoint, FakeMessage, JsonObject } from '../types';
import { BadRequest } from '../types';
import { countTokens } from '../text';
import {
  asPositiveInt,
  asString,
  isRecord,
  paramsFrom,
  requireArray,
  sendJson,
  SseWriter,
  textOf,
} from '../wire';

/**
 * Gemini (Generative Language API), as @google/generative-ai calls it:
 * `POST /{version}/models/{model}:{task}`, version `v1beta` unless the caller sets apiVersion.
 * Route capture groups: [version, model, task].
 */

const ROLES: Record<string, string> = { model: 'assistant', function: 'tool' };

/** A Content object (`{role, parts: [{text}]}`) as plain text. */
function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  return isRecord(content) ? textOf(content.parts) : '';
}

function parseMessages(body: JsonObject): FakeMessage[] {
  const system: FakeMessage[] =
    body.systemInstruction === undefined
      ? []
      : [{ role: 'system', content: contentText(body.systemInstruction) }];
  const turns = requireArray(body, 'contents').map((c) => {
    if (!isRecord(c)) throw new BadRequest("'contents' must contain objects");
    const role = asString(c.role) ?? 'user';
    return { role: ROLES[role] ?? role, content: contentText(c) };
  });
  return [...system, ...turns];
}

export const geminiGenerate: ChatEndpoint = {
  kind: 'chat',
  protocolOf: () => 'gemini',
  parse(ctx) {
    const config = isRecord(ctx.body.generationConfig) ? ctx.body.generationConfig : {};
    return {
      protocol: 'gemini',
      model: ctx.pathParams[1] ?? '',
      messages: parseMessages(ctx.body),
      texts: [],
      params: {
        ...paramsFrom(ctx.body, ['contents', 'systemInstruction', 'generationConfig']),
        ...paramsFrom(config, []),
      },
      stream: ctx.pathParams[2] === 'streamGenerateContent',
    };
  },
  reply(res, reply, ctx) {
    if (!reply.req.stream) {
      sendJson(res, 200, response(reply, reply.answer, true, reply.usage.output));
      return;
    }
    const chunks = streamChunks(reply);
    // Without alt=sse the API streams one JSON array; the SDK always asks for SSE.
    if (ctx.query.get('alt') !== 'sse') {
      sendJson(res, 200, chunks);
      return;
    }
    const sse = new SseWriter(res);
    for (const chunk of chunks) sse.event(chunk);
    sse.end();
  },
};

function response(reply: ChatReply, text: string, last: boolean, outputSoFar: number): JsonObject {
  return {
    candidates: [
      {
        content: { role: 'model', parts: [{ text }] },
        ...(last ? { finishReason: 'STOP' } : {}),
        index: 0,
      },
    ],
    usageMetadata: {
      promptTokenCount: reply.usage.input,
      candidatesTokenCount: outputSoFar,
      totalTokenCount: reply.usage.input + outputSoFar,
    },
    modelVersion: reply.req.model,
    responseId: `gemini-fake-${reply.req.n}`,
  };
}

/**
 * Like the real API every chunk carries cumulative usageMetadata; LangChain turns the running
 * totals into per-chunk deltas, which add up to the final counts.
 */
function streamChunks(reply: ChatReply): JsonObject[] {
  const pieces = reply.pieces.length > 0 ? reply.pieces : [''];
  let soFar = '';
  return pieces.map((piece, i) => {
    soFar += piece;
    return response(reply, piece, i === pieces.length - 1, countTokens(soFar));
  });
}

export const geminiEmbed: EmbedEndpoint = {
  kind: 'embed',
  protocolOf: () => 'gemini',
  parse(ctx) {
    return {
      protocol: 'gemini',
      model: ctx.pathParams[1] ?? '',
      messages: [],
      texts: embedRequests(ctx.pathParams[2], ctx.body).map((r) => contentText(r.content)),
      params: paramsFrom(ctx.body, ['content', 'requests', 'model']),
      stream: false,
    };
  },
  requestedDims: (ctx) =>
    asPositiveInt(embedRequests(ctx.pathParams[2], ctx.body)[0]?.outputDimensionality),
  reply(res, { vectors }, ctx) {
    if (ctx.pathParams[2] === 'embedContent') {
      sendJson(res, 200, { embedding: { values: vectors[0] ?? [] } });
    } else {
      sendJson(res, 200, { embeddings: vectors.map((values) => ({ values })) });
    }
  },
};

/** embedContent's body is one request; batchEmbedContents wraps several in `requests`. */
function embedRequests(task: string | undefined, body: JsonObject): JsonObject[] {
  if (task === 'embedContent') return [body];
  return requireArray(body, 'requests').map((r) => {
    if (!isRecord(r)) throw new BadRequest("'requests' must contain objects");
    return r;
  });
}
