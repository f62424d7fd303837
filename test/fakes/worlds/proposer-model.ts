import { type EvidenceRecord, type ProposerCall, promptBlocks } from './proposer-format';

/**
 * The scripted proposer model, shared by every world. What it can learn is a world's knowledge:
 * clauses (key → value, such as keyword → queue) stated in a canonical sentence. It reads clauses
 * already stated anywhere in the request (the current prompt, a second parent, a critique, a data
 * summary), infers new ones only from the evidence records the request shows, and writes prompts
 * that keep the current text and state the clauses it believes. Like a real model it is lossy
 * (a clause it was shown survives a rewrite with probability KEEP) and, asked to mutate or
 * paraphrase, it may guess a clause from its prior (right only by chance).
 */
export interface Knowledge {
  /** Clauses stated in a text, in order of appearance. */
  read(text: string): [string, string][];
  /** The text without its clause sentences. */
  strip(text: string): string;
  write(key: string, value: string): string;
  /** Clauses the evidence supports (nothing unless it shows enough). */
  infer(records: EvidenceRecord[]): Map<string, string>;
  /** What the model could guess without evidence: topics and answers it knows exist. */
  prior: { keys: string[]; values: string[] } | null;
}

/** A clause stated in the request survives a rewrite with this probability. */
export const KEEP = 0.95;
/** An inferred clause makes it into a given variant with this probability. */
export const ADOPT = 0.9;
/** Chance that a mutate / paraphrase / crossover adds one guessed clause from the prior. */
export const GUESS = 0.5;

/** Wording the model varies between rewrites; the task models ignore these lines. */
export const STYLE_LINES = [
  'Answer precisely.',
  'Be concise.',
  'Read the input carefully.',
  'Think before answering.',
  'Follow the instructions exactly.',
  'Give only the final answer.',
  'Double-check the answer format.',
  'Use the stated rules.',
];

const EXPLORING_OPS = new Set(['mutate', 'paraphrase', 'crossover']);

export function scriptedProposer(knowledge: Knowledge) {
  return (call: ProposerCall, draw: (label: string) => number): string => {
    const inferred = knowledge.infer(call.examples);
    const current = call.currentPrompt ?? '';
    const currentClauses = new Map(knowledge.read(current));
    if (call.op === 'critique') {
      const news = [...inferred].filter(([k, v]) => currentClauses.get(k) !== v);
      const body = news.length
        ? `The prompt misses rules the failures show:\n${news.map(([k, v]) => knowledge.write(k, v)).join('\n')}`
        : 'The failures show no pattern I can name from these examples.';
      return `<critique>\n${body}\n</critique>`;
    }
    if (call.op === 'summarize_data') {
      const lines = [...inferred].map(([k, v]) => knowledge.write(k, v));
      const summary = [`The data hold ${call.examples.length} examples.`, ...lines].join('\n');
      return `<critique>\n${summary}\n</critique>`;
    }
    // Clauses stated anywhere in the request, per key every distinct value (crossover parents,
    // a critique to apply, a grounding summary).
    const stated = new Map<string, string[]>();
    for (const [k, v] of knowledge.read(call.text)) {
      const values = stated.get(k) ?? [];
      if (!values.includes(v)) values.push(v);
      stated.set(k, values);
    }
    const base = stripStyle(knowledge.strip(current));
    const prompts: string[] = [];
    for (let variant = 0; variant < call.n; variant++) {
      const d = (label: string) => draw(`${variant}:${label}`);
      const clauses = new Map<string, string>();
      for (const [k, values] of stated) {
        if (d(`keep:${k}`) >= KEEP) continue;
        clauses.set(k, values[Math.floor(d(`pick:${k}`) * values.length)]);
      }
      for (const [k, v] of inferred) if (d(`adopt:${k}`) < ADOPT) clauses.set(k, v);
      if (knowledge.prior && call.op !== null && EXPLORING_OPS.has(call.op) && d('guess') < GUESS) {
        const { keys, values } = knowledge.prior;
        const key = keys[Math.floor(d('guess-key') * keys.length)];
        if (!inferred.has(key))
          clauses.set(key, values[Math.floor(d('guess-value') * values.length)]);
      }
      const style = STYLE_LINES[Math.floor(d('style') * STYLE_LINES.length)];
      const lines = [base, style, ...[...clauses].map(([k, v]) => knowledge.write(k, v))];
      prompts.push(lines.filter((l) => l.trim() !== '').join('\n'));
    }
    return promptBlocks(prompts);
  };
}

function stripStyle(text: string): string {
  return text
    .split('\n')
    .filter((line) => !STYLE_LINES.includes(line.trim()))
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** Lower-case words of a text. */
export function wordsOf(text: string): Set<string> {
  return new Set(text.toLowerCase().match(/[a-z]+/g) ?? []);
}

/** The answer text of an Expected line: the value inside a one-field JSON object, or the text. */
export function expectedValue(expected: string): string {
  try {
    const value: unknown = JSON.parse(expected);
    if (typeof value === 'string' || typeof value === 'number') return String(value);
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      const values = Object.values(value);
      if (values.length === 1) return String(values[0]);
    }
  } catch {
    // Not JSON: the text itself.
  }
  return expected.trim();
}
