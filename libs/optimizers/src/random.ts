import { mulberry32 } from '@ps/metrics';
import type { Rng } from './types';

/**
 * A seeded random source over mulberry32 (the generator the statistics use). The same seed gives
 * the same stream, which is what lets a resumed run replay a strategy's decisions exactly.
 */
export function createRng(seed: number): Rng {
  const next = mulberry32(seed);
  const int = (minInclusive: number, maxExclusive: number): number => {
    if (!(maxExclusive > minInclusive)) {
      throw new RangeError(`Empty range [${minInclusive}, ${maxExclusive}).`);
    }
    return minInclusive + Math.floor(next() * (maxExclusive - minInclusive));
  };
  const shuffle = <T>(items: readonly T[]): T[] => {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = int(0, i + 1);
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  };
  return {
    next,
    int,
    pick<T>(items: readonly T[]): T {
      if (items.length === 0) throw new RangeError('Cannot pick from an empty list.');
      return items[int(0, items.length)];
    },
    shuffle,
    sample<T>(items: readonly T[], k: number): T[] {
      // Partial Fisher–Yates: only the first k positions are drawn.
      const out = [...items];
      const n = Math.min(Math.max(0, Math.floor(k)), out.length);
      for (let i = 0; i < n; i++) {
        const j = int(i, out.length);
        [out[i], out[j]] = [out[j], out[i]];
      }
      return out.slice(0, n);
    },
  };
}

/** A seed derived from a parent seed and a label, so sub-streams stay independent and stable. */
export function deriveSeed(seed: number, label: string): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  for (let i = 0; i < label.length; i++) {
    h = Math.imul(h ^ label.charCodeAt(i), 0x01000193) >>> 0;
  }
  return h;
}
