import type { ChatMessage } from '@ps/common';
import type { ChatPort, EngineModelConfig } from '@ps/evaluation';
import { CaseDeduper } from './case-dedupe';
import { generationMessages, retryMessages } from './generation-prompt';
import { parseGenerationAnswer, readGeneratedCase } from './generation-response';
import {
  emptyRejections,
  GENERATION_LIMITS,
  type GeneratedCase,
  type GenerationOutcome,
  type GenerationRequest,
  MAX_PROBLEMS,
  maxModelCalls,
} from './generation-types';

export interface ModelGenerationOptions {
  /** The chat port of the LLM layer (llmChatPort), or a scripted one in tests. */
  chat: ChatPort;
  model: EngineModelConfig;
  /** Default: maxModelCalls(numCases). */
  maxCalls?: number;
  signal?: AbortSignal;
  /**
   * Keeps this run's calls apart in the response cache (say, the job id): a rerun of the same job
   * is answered from the cache, another generation asks anew.
   */
  cacheSalt?: string;
  /** After each call: cases kept so far and calls made. */
  onProgress?: (kept: number, calls: number) => void | Promise<void>;
}

/**
 * Asks a model for cases in batches of up to 10, keeping each valid, new case. An answer that is
 * not JSON, or whose cases all fail the fields, is shown back to the model with what was wrong
 * and asked again; every ask counts against the call budget, so a model that never answers well
 * ends the run with what it gave and the reasons, never with a broken case. Errors of the LLM
 * layer (after its own retries) are thrown to the caller.
 */
export async function generateWithModel(
  request: GenerationRequest,
  options: ModelGenerationOptions,
): Promise<GenerationOutcome> {
  const target = request.numCases;
  const maxCalls = options.maxCalls ?? maxModelCalls(target);
  const existingInputs = request.existing.map((c) => c.inputs);
  const deduper = new CaseDeduper(existingInputs);
  const cases: GeneratedCase[] = [];
  const rejected = emptyRejections();
  const problems: string[] = [];
  const tokens = { input: 0, output: 0 };
  let cost = 0;
  let calls = 0;
  let retry: { asked: ChatMessage[]; answer: string; problems: string[] } | null = null;
  const note = (call: number, problem: string) => {
    if (problems.length < MAX_PROBLEMS) problems.push(`call ${call}: ${problem}`);
  };

  while (cases.length < target && calls < maxCalls) {
    if (options.signal?.aborted) break;
    const call = calls + 1;
    const asked: ChatMessage[] =
      retry?.asked ??
      generationMessages(request, {
        count: Math.min(GENERATION_LIMITS.casesPerCall, target - cases.length),
        call,
        // The newest cases first: they are the ones the model has not seen listed yet.
        covered: [...cases.map((c) => c.inputs).reverse(), ...existingInputs],
      });
    const messages = retry ? retryMessages(retry.asked, retry.answer, retry.problems) : asked;
    const answer = await options.chat({
      model: options.model,
      messages,
      role: 'proposer',
      ...(options.signal ? { signal: options.signal } : {}),
      cacheSalt: `${options.cacheSalt ?? 'generation'}:${call}`,
    });
    calls++;
    tokens.input += answer.usage.input;
    tokens.output += answer.usage.output;
    cost += answer.cost;

    const reading = parseGenerationAnswer(answer.text);
    if (!reading.ok) {
      rejected.invalid_answers++;
      note(call, reading.problem);
      retry = { asked, answer: answer.text, problems: [reading.problem] };
      await options.onProgress?.(cases.length, calls);
      continue;
    }
    const refused: string[] = [];
    let kept = 0;
    for (const [index, raw] of reading.cases.entries()) {
      if (cases.length >= target) break;
      const read = readGeneratedCase(raw, request, `cases[${index}]`);
      if (!read.ok) {
        rejected.invalid_cases++;
        refused.push(...read.problems);
        continue;
      }
      if (!deduper.add(read.case.inputs)) {
        rejected.duplicates++;
        continue;
      }
      cases.push(read.case);
      kept++;
    }
    if (refused.length) note(call, refused.slice(0, 3).join(' '));
    // Nothing usable and something wrong: show the model what. Otherwise ask afresh.
    retry = kept === 0 && refused.length ? { asked, answer: answer.text, problems: refused } : null;
    if (kept === 0 && !refused.length && reading.cases.length === 0) {
      rejected.invalid_answers++;
      note(call, 'The "cases" list is empty.');
    }
    await options.onProgress?.(cases.length, calls);
  }

  return {
    generator: 'llm',
    cases,
    calls,
    maxCalls,
    tokens,
    cost,
    rejected,
    problems,
    stopped: cases.length >= target ? 'done' : options.signal?.aborted ? 'cancelled' : 'budget',
  };
}
