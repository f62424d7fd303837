import { createHash } from 'node:crypto';
import {
  BaseChatModel,
  type BaseChatModelParams,
} from '@langchain/core/language_models/chat_models';
import { AIMessage, AIMessageChunk, type BaseMessage } from '@langchain/core/messages';
import { ChatGenerationChunk, type ChatResult } from '@langchain/core/outputs';
import { sleep } from '../retry';
import type { ModelParameters } from '../types';

/** Deterministic stand-in for word counting; the mock reports it as its token usage. */
export function mockTokens(text: string): number {
  const words = text.trim().split(/\s+/).filter(Boolean);
  return words.length;
}

const textOf = (message: BaseMessage): string =>
  typeof message.content === 'string'
    ? message.content
    : message.content.map((part) => ('text' in part ? String(part.text) : '')).join('');

/**
 * The answer of a mock model, by its name:
 * - `mock-echo`: the last user message, unchanged.
 * - `mock-map`: `parameters.responses[<last user message, trimmed>]`; unmatched messages are echoed.
 * - `mock-hash`: `parameters.choices[h % n]` where h is the first 4 bytes of sha256(all messages);
 *   without choices, `mock-<first 8 hex digits of the hash>`.
 * - `mock-json`: `{"answer": <last user message>}`, for prompts with an output signature.
 * `delay_ms` waits that long before answering (simulated latency).
 * `max_tokens` cuts the answer to that many words; `stop` cuts it before the first stop string.
 */
export function mockAnswer(
  model: string,
  messages: { role: string; content: string }[],
  params: ModelParameters,
): string {
  const lastUser = [...messages].reverse().find((m) => m.role === 'user')?.content ?? '';
  let answer: string;
  switch (model) {
    case 'mock-map':
      answer = params.responses?.[lastUser.trim()] ?? lastUser;
      break;
    case 'mock-hash': {
      const digest = createHash('sha256')
        .update(JSON.stringify(messages.map((m) => [m.role, m.content])))
        .digest();
      answer = params.choices?.length
        ? params.choices[digest.readUInt32BE(0) % params.choices.length]
        : `mock-${digest.toString('hex').slice(0, 8)}`;
      break;
    }
    case 'mock-json':
      answer = JSON.stringify({ answer: lastUser });
      break;
    default:
      answer = lastUser;
  }
  for (const stop of params.stop ?? []) {
    const at = answer.indexOf(stop);
    if (at >= 0) answer = answer.slice(0, at);
  }
  if (params.max_tokens !== undefined) {
    const words = answer.split(/(\s+)/);
    let kept = 0;
    const out: string[] = [];
    for (const piece of words) {
      if (piece.trim()) {
        if (kept === params.max_tokens) break;
        kept++;
      }
      out.push(piece);
    }
    answer = out.join('').trimEnd();
  }
  return answer;
}

export interface MockChatModelInput extends BaseChatModelParams {
  model: string;
  parameters: ModelParameters;
}

/** The `mock` provider as a LangChain chat model, so it runs through exactly the same path. */
export class MockChatModel extends BaseChatModel {
  readonly model: string;
  readonly parameters: ModelParameters;

  constructor(input: MockChatModelInput) {
    super(input);
    this.model = input.model;
    this.parameters = input.parameters;
  }

  _llmType(): string {
    return 'prompt-studio-mock';
  }

  private answer(messages: BaseMessage[]) {
    const plain = messages.map((m) => ({
      role: m.getType() === 'human' ? 'user' : m.getType(),
      content: textOf(m),
    }));
    const text = mockAnswer(this.model, plain, this.parameters);
    const input = plain.reduce((sum, m) => sum + mockTokens(m.content), 0);
    const output = mockTokens(text);
    return {
      text,
      usage: { input_tokens: input, output_tokens: output, total_tokens: input + output },
    };
  }

  /** Simulated latency (`delay_ms`), cut short when the call is aborted. */
  private async delay(signal?: AbortSignal): Promise<void> {
    const ms = this.parameters.delay_ms ?? 0;
    if (ms > 0) await sleep(ms, signal);
  }

  async _generate(
    messages: BaseMessage[],
    options: this['ParsedCallOptions'],
  ): Promise<ChatResult> {
    await this.delay(options.signal);
    const { text, usage } = this.answer(messages);
    const message = new AIMessage({
      content: text,
      usage_metadata: usage,
      response_metadata: { finish_reason: 'stop' },
    });
    return Promise.resolve({ generations: [{ text, message }] });
  }

  override async *_streamResponseChunks(
    messages: BaseMessage[],
  ): AsyncGenerator<ChatGenerationChunk> {
    const { text, usage } = this.answer(messages);
    const pieces = text.split(/(?<=\s)/);
    for (const [i, piece] of pieces.entries()) {
      const last = i === pieces.length - 1;
      yield new ChatGenerationChunk({
        text: piece,
        message: new AIMessageChunk({ content: piece, ...(last ? { usage_metadata: usage } : {}) }),
      });
    }
    if (pieces.length === 0) {
      yield new ChatGenerationChunk({
        text: '',
        message: new AIMessageChunk({ content: '', usage_metadata: usage }),
      });
    }
    await Promise.resolve();
  }
}
