import { canonicalJson } from '@ps/common';

/**
 * Near-duplicate detection for test-case inputs. Two inputs are the same case when they are
 * equal after normalisation (strings case-folded, Unicode-normalised, whitespace collapsed,
 * leading and trailing sentence punctuation trimmed; object keys in any order), or when their
 * non-text values are equal and their text is nearly the same (token Jaccard similarity of at
 * least 0.85 over 8 or more distinct tokens: one word changed in twelve).
 */

/** Jaccard similarity at or above which two long texts are the same case. */
export const NEAR_DUPLICATE_SIMILARITY = 0.85;
/** Texts shorter than this (in tokens) must match exactly after normalisation. */
const MIN_TOKENS_FOR_SIMILARITY = 8;

function normaliseText(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^[\s.,;:!?]+|[\s.,;:!?]+$/g, '');
}

function normaliseValue(value: unknown): unknown {
  if (typeof value === 'string') return normaliseText(value);
  if (Array.isArray(value)) return value.map(normaliseValue);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, normaliseValue(v)]),
    );
  }
  return value;
}

/** The key two inputs share exactly when they are the same after normalisation. */
export function normalisedKey(inputs: Record<string, unknown>): string {
  return canonicalJson(normaliseValue(inputs));
}

/** Strings are replaced by a marker: what is left are the values that must match exactly. */
function skeleton(value: unknown): unknown {
  if (typeof value === 'string') return '\u0000';
  if (Array.isArray(value)) return value.map(skeleton);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, skeleton(v)]),
    );
  }
  return value;
}

function collectText(value: unknown, out: string[]): void {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) collectText(v, out);
  else if (value !== null && typeof value === 'object') {
    for (const key of Object.keys(value).sort()) {
      collectText((value as Record<string, unknown>)[key], out);
    }
  }
}

function tokens(inputs: Record<string, unknown>): Set<string> {
  const texts: string[] = [];
  collectText(inputs, texts);
  return new Set(
    texts
      .join(' ')
      .normalize('NFKC')
      .toLowerCase()
      .split(/[^\p{L}\p{N}]+/u)
      .filter(Boolean),
  );
}

function jaccard(a: Set<string>, b: Set<string>): number {
  let shared = 0;
  for (const t of a) if (b.has(t)) shared++;
  const union = a.size + b.size - shared;
  return union === 0 ? 1 : shared / union;
}

interface Entry {
  tokens: Set<string>;
}

/** The inputs seen so far; `add` keeps a new one and says whether it was new. */
export class CaseDeduper {
  private readonly keys = new Set<string>();
  /** Long texts by skeleton (non-text values), for the similarity check. */
  private readonly bySkeleton = new Map<string, Entry[]>();

  constructor(initial: Iterable<Record<string, unknown>> = []) {
    for (const inputs of initial) this.add(inputs);
  }

  get size(): number {
    return this.keys.size;
  }

  /** True when the inputs are a near-duplicate of one already seen. */
  has(inputs: Record<string, unknown>): boolean {
    if (this.keys.has(normalisedKey(inputs))) return true;
    const words = tokens(inputs);
    if (words.size < MIN_TOKENS_FOR_SIMILARITY) return false;
    const peers = this.bySkeleton.get(canonicalJson(skeleton(inputs))) ?? [];
    return peers.some((p) => jaccard(p.tokens, words) >= NEAR_DUPLICATE_SIMILARITY);
  }

  /** Keeps the inputs unless they are a near-duplicate; returns whether they were kept. */
  add(inputs: Record<string, unknown>): boolean {
    if (this.has(inputs)) return false;
    this.keys.add(normalisedKey(inputs));
    const words = tokens(inputs);
    if (words.size >= MIN_TOKENS_FOR_SIMILARITY) {
      const shape = canonicalJson(skeleton(inputs));
      const peers = this.bySkeleton.get(shape) ?? [];
      peers.push({ tokens: words });
      this.bySkeleton.set(shape, peers);
    }
    return true;
  }
}
