import type { ChatEndpoint, ChatReply, FakeMessage, JsonObject, ParsedCall } from '../types';
import { BadRequest } from '../types';
import { asString, isRecord, paramsFrom, requireArray, sendJson, SseWriter, textOf } from '../wire';

/** Anthropic Messages API: `POST /v1/messages`, JSON or a named-event SSE stream. */

function parseMessages(body: JsonObject): FakeMessage[] {
  const system: FakeMessage[] =
    body.system === undefined ? [] : [{ role: 'system', content: textOf(body.system) }];
  const turns = requireArray(body, 'messages').map((m) => {
    if (!isRecord(m)) throw new BadRequest("'messages' must contain objects");
    return { role: asString(m.role) ?? 'user', content: textOf(m.content) };
  });
  return [...system, ...turns];
}

export const anthropicMessages: ChatEndpoint = {
  kind: 'chat',
  protocolOf: () => 'anthropic',
  parse(ctx): ParsedCall {
    return {
      protocol: 'anthropic',
      model: asString(ctx.body.model) ?? '',
      messages: parseMessages(ctx.body),
      texts: [],
      params: paramsFrom(ctx.body, ['model', 'messages', 'system', 'stream']),
      stream: ctx.body.stream === true,
    };
  },
  reply(res, reply) {
    if (reply.req.stream) streamMessage(new SseWriter(res), reply);
    else sendJson(res, 200, message(reply, reply.answer, reply.usage.output));
  },
};

function message(reply: ChatReply, text: string | undefined, outputTokens: number): JsonObject {
  return {
    id: `msg_fake_${reply.req.n}`,
    type: 'message',
    role: 'assistant',
    model: reply.req.model,
    content: text === undefined ? [] : [{ type: 'text', text }],
    stop_reason: text === undefined ? null : 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: reply.usage.input, output_tokens: outputTokens },
  };
}

/**
 * The real API reports a small provisional output count in message_start and the cumulative
 * count in message_delta. LangChain adds the two, so the fake reports 0 up front to keep the
 * total equal to countTokens(answer).
 */
function streamMessage(sse: SseWriter, reply: ChatReply): void {
  const send = (data: JsonObject) => sse.event(data, String(data.type));
  send({ type: 'message_start', message: message(reply, undefined, 0) });
  send({ type: 'ping' });
  send({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } });
  for (const text of reply.pieces) {
    send({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } });
  }
  send({ type: 'content_block_stop', index: 0 });
  send({
    type: 'message_delta',
    delta: { stop_reason: 'end_turn', stop_sequence: null },
    usage: { output_tokens: reply.usage.output },
  });
  send({ type: 'message_stop' });
  sse.end();
}
