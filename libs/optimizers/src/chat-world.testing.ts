/**
 * In-line task worlds at the chat port, for unit tests of the runner and the strategies through
 * the real evaluation engine (render → chat → parse → exact_match). No network.
 *
 * The case world: inputs are words and numbers, the expected answer is the input in upper case
 * (numbers are their own upper case, so they pass from the start). The task model answers in
 * upper case only when its messages carry the rule (the word "uppercase") or show at least two
 * demonstrations answered in capitals; otherwise it echoes the input. The proposer model learns
 * the rule only from evidence: a record whose Expected is the upper case of its Input. In the null
 * world the answer is right or wrong by a hash of the whole request, whatever the prompt says.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '@ps/common';
import type { ChatAnswer, ChatPort, ChatRequest, EngineCase, ScoringPlan } from '@ps/evaluation';
import { parseScoringPlan } from '@ps/evaluation';
import { parseProposalRequest } from './proposer/proposal-format';
import type { SplitCase } from './split';
import type { Candidate, Evidence } from './types';

const WORDS = [
  'apple',
  'river',
  'stone',
  'cloud',
  'maple',
  'tiger',
  'ocean',
  'piano',
  'lemon',
  'candle',
  'forest',
  'silver',
  'garden',
  'planet',
  'rocket',
  'castle',
  'window',
  'bridge',
  'desert',
  'falcon',
  'harbor',
  'island',
  'jungle',
  'kettle',
  'ladder',
  'meadow',
  'needle',
  'orchid',
  'pepper',
  'quartz',
];

/** `words` word cases and `numbers` number cases (which pass without the rule). */
export function worldCases(words: number, numbers: number, golden = 0): SplitCase[] {
  const out: SplitCase[] = [];
  for (let i = 0; i < words; i++) {
    const word = `${WORDS[i % WORDS.length]}${i >= WORDS.length ? i : ''}`;
    out.push({
      id: `w${String(i).padStart(2, '0')}`,
      inputs: { text: word },
      expected: { answer: word.toUpperCase() },
    });
  }
  for (let i = 0; i < numbers; i++) {
    const n = String(100 + i * 7);
    out.push({
      id: `n${String(i).padStart(2, '0')}`,
      inputs: { text: n },
      expected: { answer: n },
    });
  }
  for (let i = 0; i < golden && i < out.length; i++) out[out.length - 1 - i].golden = true;
  return out;
}

export function worldPlan(): ScoringPlan {
  const parsed = parseScoringPlan({ metrics: [{ name: 'exact_match' }], pass_threshold: 0.5 });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.plan;
}

export const TASK_MODEL = { provider: 'fake', model: 'task', parameters: { max_tokens: 16 } };
export const PROPOSER_MODEL = {
  provider: 'fake',
  model: 'proposer',
  parameters: { max_tokens: 400 },
};

export function seedCandidate(overrides: Partial<Candidate> = {}): Candidate {
  return {
    systemPrompt: 'Repeat the word you are given.',
    userPrompt: '{text}',
    fewShotExamples: [],
    model: TASK_MODEL,
    ...overrides,
  };
}

function hash01(text: string): number {
  return createHash('sha256').update(text).digest().readUInt32BE(0) / 2 ** 32;
}

function answer(text: string, request: ChatRequest): ChatAnswer {
  // As a tokenizer roughly counts English: a token per four characters, three per message for the role markers.
  const input = request.messages.reduce((n, m) => n + Math.ceil(m.content.length / 4) + 3, 0);
  const output = Math.max(1, Math.ceil(text.length / 4));
  const cost = (input * WORLD_PRICE[0] + output * WORLD_PRICE[1]) / 1_000_000;
  return {
    text,
    usage: { input, output },
    cost,
    listCost: cost,
    latencyMs: 1,
    cached: false,
  };
}

/** Whether the evidence reveals the rule: an expected answer that is its input in capitals. */
function revealsRule(examples: readonly Evidence[] | undefined): boolean {
  return (examples ?? []).some(
    (e) => e.expected !== e.input && e.expected === e.input.toUpperCase() && /[a-z]/.test(e.input),
  );
}

/** USD per million tokens [input, output], as the price table gives them. */
export const WORLD_PRICE: readonly [number, number] = [0.15, 0.6];

export const RULE = 'Answer with the word in uppercase.';

export interface WorldOptions {
  /** The task ignores the prompt: right or wrong by a hash of the request. */
  null?: boolean;
  /** Probability of a right answer in the null world. Default 0.5. */
  nullRate?: number;
  /** Inputs the task model already answers in capitals without the rule. */
  knownWhen?: RegExp;
}

export interface World {
  chat: ChatPort;
  /** Calls that reached the model, by role. */
  calls: { task: number; proposer: number; judge: number };
}

/** The world's task and proposer models behind one chat port (no cache). */
export function createWorld(options: WorldOptions = {}): World {
  const calls = { task: 0, proposer: 0, judge: 0 };
  const chat: ChatPort = async (request) => {
    calls[request.role]++;
    await Promise.resolve();
    if (request.role === 'proposer') return answer(proposerAnswer(request), request);
    const last = request.messages[request.messages.length - 1]?.content ?? '';
    // The input is the text in [brackets] when the template has them, else the last word.
    const bracketed = [...last.matchAll(/\[([^\]]+)\]/g)].at(-1)?.[1];
    const input = bracketed ?? last.trim().split(/\s+/).at(-1) ?? '';
    if (options.null) {
      const right =
        hash01(canonicalJson({ m: request.messages, s: request.cacheSalt ?? '' })) <
        (options.nullRate ?? 0.5);
      return answer(right ? input.toUpperCase() : `${input}?`, request);
    }
    const demos = request.messages.filter(
      (m) => m.role === 'assistant' && /^[A-Z]{3,}\d*$/.test(m.content.trim()),
    ).length;
    const knows = request.messages.some(
      (m) => m.role !== 'assistant' && /uppercase/i.test(m.content),
    );
    const known = options.knownWhen?.test(input) ?? false;
    return answer(knows || demos >= 2 || known ? input.toUpperCase() : input, request);
  };
  return { chat, calls };
}

/** The scripted proposer: learns the rule only from evidence or from a context that states it. */
function proposerAnswer(request: ChatRequest): string {
  const parsed = parseProposalRequest(request.messages);
  if (!parsed) return 'I do not understand.';
  const learned =
    revealsRule(parsed.examples) ||
    /uppercase|capital/i.test(parsed.context ?? '') ||
    /uppercase/i.test(parsed.otherPrompt ?? '');
  if (parsed.op === 'critique' || parsed.op === 'summarize_data') {
    return learned
      ? '<critique>The expected answers are the input words written in capitals (uppercase).</critique>'
      : '<critique>The inputs are short texts; no pattern is visible.</critique>';
  }
  const n = parsed.n ?? 1;
  const base = parsed.currentPrompt;
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    // A sample: deterministic in the request and its salt, as a cached model answer is.
    const tag = hash01(`${canonicalJson(request.messages)}:${request.cacheSalt ?? ''}:${i}`)
      .toString(36)
      .slice(2, 7);
    if (learned && !/uppercase/i.test(base)) out.push(`${base} ${RULE} (${tag})`);
    else out.push(`${base} (variant ${tag})`);
  }
  return out.map((p) => `<prompt>${p}</prompt>`).join('\n');
}

/** A response cache keyed like the LLM layer's (model + messages + salt), over a shared map. */
export function cachedChat(
  inner: ChatPort,
  store: Map<string, ChatAnswer>,
): { chat: ChatPort; stats: { hits: number; misses: number } } {
  const stats = { hits: 0, misses: 0 };
  const chat: ChatPort = async (request) => {
    const key = createHash('sha256')
      .update(
        canonicalJson({
          provider: request.model.provider,
          model: request.model.model,
          parameters: request.model.parameters ?? {},
          messages: request.messages,
          salt: request.cacheSalt ?? null,
        }),
      )
      .digest('hex');
    const hit = request.bypassCache ? undefined : store.get(key);
    if (hit) {
      stats.hits++;
      return { ...hit, cost: 0, cached: true };
    }
    stats.misses++;
    const fresh = await inner(request);
    store.set(key, fresh);
    return fresh;
  };
  return { chat, stats };
}

/** The cases of a world without their split flags. */
export function plainCases(cases: readonly SplitCase[]): EngineCase[] {
  return cases.map((c) => ({ id: c.id, inputs: c.inputs, expected: c.expected }));
}
