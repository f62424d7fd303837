import { createHash } from 'node:crypto';

/**
 * Deterministic randomness for the scripted worlds. Answers draw from a hash of the request, so
 * the same request always gets the same answer (the LLM cache semantics hold) while a different
 * prompt, parameter or sample salt gets an independent draw. Case pools draw from a seeded
 * generator, so a world built with the same seed has the same cases.
 */

/** A number in [0, 1) from SHA-256 of the parts (48 bits of the digest). */
export function hashUnit(...parts: string[]): number {
  const digest = createHash('sha256').update(parts.join('\u0000')).digest();
  return digest.readUIntBE(0, 6) / 2 ** 48;
}

/** mulberry32: a small seeded generator, enough for building case pools. */
export function seededDraws(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Picks an index by weight with one uniform draw u in [0, 1). */
export function weightedIndex(weights: readonly number[], u: number): number {
  const total = weights.reduce((s, w) => s + w, 0);
  let acc = 0;
  for (let i = 0; i < weights.length; i++) {
    acc += weights[i] / total;
    if (u < acc) return i;
  }
  return weights.length - 1;
}

/** k distinct integers from [lo, hi), in draw order. */
export function distinctInts(next: () => number, k: number, lo: number, hi: number): number[] {
  if (hi - lo < k) throw new RangeError(`Cannot draw ${k} distinct values from [${lo}, ${hi}).`);
  const seen = new Set<number>();
  while (seen.size < k) seen.add(lo + Math.floor(next() * (hi - lo)));
  return [...seen];
}
