import type { ChatMessage } from '@ps/common';
import {
  BudgetExhaustedError,
  CallFailedError,
  type ChatPort,
  type EngineModelConfig,
} from '@ps/evaluation';
import type { ProposalRequest, Proposer } from '../types';
import { answerTag, parseProposalAnswer, renderProposalRequest } from './proposal-format';

export interface ProposerStats {
  /** Proposals asked for (each is one or two calls). */
  requests: number;
  calls: number;
  /** Answers that were malformed (each retried once). */
  malformed: number;
  /** Proposals that gave nothing: malformed twice, or the call failed. */
  skipped: number;
}

/**
 * The proposer over a chat model (role `proposer`). Each proposal gets its own cache salt
 * (`[prefix]proposal:<n>`, n counting the proposals of the run) so asking the same thing twice
 * gives two samples, while a replay of the run after a crash asks the same n and hits the cache.
 * A malformed answer is shown back with the reason and asked once more; a second malformed
 * answer, or a call that failed for the infrastructure, gives [] (never scored).
 */
export class LlmProposer implements Proposer {
  private counter = 0;
  readonly stats: ProposerStats = { requests: 0, calls: 0, malformed: 0, skipped: 0 };

  constructor(
    private readonly chat: ChatPort,
    private readonly model: EngineModelConfig,
    /** Prefix of the salts (the run's seed), so runs with other seeds get their own samples. */
    private readonly saltPrefix = '',
  ) {}

  async propose(request: ProposalRequest, signal?: AbortSignal): Promise<string[]> {
    const salt = `${this.saltPrefix}proposal:${this.counter++}`;
    this.stats.requests++;
    const messages: ChatMessage[] = renderProposalRequest(request);
    for (let attempt = 0; attempt < 2; attempt++) {
      let text: string;
      try {
        this.stats.calls++;
        const answer = await this.chat({
          model: this.model,
          messages,
          role: 'proposer',
          cacheSalt: salt,
          ...(signal ? { signal } : {}),
        });
        text = answer.text;
      } catch (err) {
        if (err instanceof BudgetExhaustedError || signal?.aborted) throw err;
        if (err instanceof CallFailedError && !err.terminal) {
          this.stats.skipped++;
          return [];
        }
        throw err;
      }
      const parsed = parseProposalAnswer(text, request);
      if (parsed.ok) return parsed.texts;
      this.stats.malformed++;
      const tag = answerTag(request.op);
      messages.push(
        { role: 'assistant', content: text },
        {
          role: 'user',
          content: `That answer cannot be used: ${parsed.reason} Answer again, following <format> exactly, with each text inside <${tag}>...</${tag}>.`,
        },
      );
    }
    this.stats.skipped++;
    return [];
  }
}
