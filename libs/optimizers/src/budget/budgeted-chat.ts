import type { ChatPort, ChatRequest, EngineModelConfig } from '@ps/evaluation';
import type { BudgetAccountant, CallEstimate } from './budget-accountant';

/** USD per million tokens, [input, output] (the shape of libs/llm's price table). */
export type PriceOf = (model: EngineModelConfig) => readonly [number, number] | undefined;

export interface EstimatorOptions {
  price?: PriceOf;
  /** Output allowance when the model sets no max_tokens. Default 1024. */
  defaultOutputTokens?: number;
}

/** Characters per token of the input estimate. */
const CHARS_PER_TOKEN = 4;
/** Tokens a chat format adds per message (role markers). */
const TOKENS_PER_MESSAGE = 4;

/** The model's output cap: `max_tokens` from its parameters, when it has a positive one. */
export function maxOutputTokens(model: EngineModelConfig): number | null {
  const value = model.parameters?.max_tokens;
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.ceil(value) : null;
}

/** Input tokens of a request as the estimate counts them: characters / 4 plus a few per message. */
export function estimateInputTokens(request: Pick<ChatRequest, 'messages'>): number {
  let chars = 0;
  for (const message of request.messages) chars += message.content.length;
  return Math.ceil(chars / CHARS_PER_TOKEN) + TOKENS_PER_MESSAGE * request.messages.length;
}

/**
 * The worst case of one call: its input (characters / 4) plus the model's max_tokens, or a
 * default output allowance; priced with the price table when the model has a price (else 0 USD,
 * and a money limit is enforced on the settled list cost only).
 */
export function chatEstimator(
  options: EstimatorOptions = {},
): (request: ChatRequest) => CallEstimate {
  const defaultOutput = options.defaultOutputTokens ?? 1024;
  return (request) => {
    const input = estimateInputTokens(request);
    const output = maxOutputTokens(request.model) ?? defaultOutput;
    const price = options.price?.(request.model);
    const usd = price ? (input * price[0] + output * price[1]) / 1_000_000 : 0;
    return { tokens: input + output, usd };
  };
}

/**
 * A ChatPort whose every call passes the accountant: the worst case is reserved before the call
 * (a call that would cross a limit is refused and never made) and the real usage settled after.
 * Cached answers count as calls and are charged their list cost, so a resumed run that replays
 * cached calls accounts exactly as the first attempt did. A failed call counts as a call.
 */
export function budgetedChat(
  accountant: BudgetAccountant,
  chat: ChatPort,
  estimate: (request: ChatRequest) => CallEstimate,
): ChatPort {
  return async (request) => {
    request.signal?.throwIfAborted();
    const reservation = accountant.reserve(estimate(request));
    let settled = false;
    try {
      const answer = await chat(request);
      accountant.settle(reservation, {
        tokens: answer.usage.input + answer.usage.output,
        usd: answer.listCost,
      });
      settled = true;
      return answer;
    } finally {
      if (!settled) accountant.settle(reservation, { tokens: 0, usd: 0 });
    }
  };
}
