// Local aliases: looking up the global Math in a hot loop is slow inside vm contexts (Jest).
const { imul } = Math;

/** Seed used when the caller gives none, so every summary is reproducible. */
export const DEFAULT_SEED = 42;

/**
 * A small seeded PRNG (mulberry32): 32-bit state, returns floats in [0, 1). Not for
 * cryptography; fine for bootstrap resampling, and the same seed always gives the same stream.
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = imul(t ^ (t >>> 15), t | 1);
    t ^= t + imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
