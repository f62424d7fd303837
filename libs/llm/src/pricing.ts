import { readFileSync } from 'node:fs';
import { z } from 'zod';
import builtIn from './prices.json';
import type { TokenUsage } from './types';

/** provider → model → [input, output] USD per million tokens. */
export type PriceTable = Record<string, Record<string, [number, number]>>;

const priceFileSchema = z.record(
  z.string(),
  z.record(z.string(), z.tuple([z.number().min(0), z.number().min(0)])),
);

function tableOf(raw: unknown, source: string): PriceTable {
  // Keys starting with `$` are notes (`$comment`), not providers.
  const entries =
    raw && typeof raw === 'object' && !Array.isArray(raw)
      ? Object.fromEntries(Object.entries(raw).filter(([key]) => !key.startsWith('$')))
      : raw;
  const parsed = priceFileSchema.safeParse(entries);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${source}: ${issue.path.join('.')}: ${issue.message}`);
  }
  const table: PriceTable = {};
  for (const [provider, models] of Object.entries(parsed.data)) {
    if (typeof models === 'string') continue; // "$comment"
    table[provider] = models;
  }
  return table;
}

/** Token prices: the table in the repository, with LLM_PRICES_FILE merged over it per model. */
export class Pricing {
  private readonly table: PriceTable;

  constructor(overrideFile?: string) {
    this.table = tableOf(builtIn, 'prices.json');
    if (overrideFile) {
      let raw: unknown;
      try {
        raw = JSON.parse(readFileSync(overrideFile, 'utf8'));
      } catch (err) {
        throw new Error(`LLM_PRICES_FILE ${overrideFile}: ${(err as Error).message}`);
      }
      for (const [provider, models] of Object.entries(
        tableOf(raw, `LLM_PRICES_FILE ${overrideFile}`),
      )) {
        this.table[provider] = { ...this.table[provider], ...models };
      }
    }
  }

  price(provider: string, model: string): [number, number] | undefined {
    return this.table[provider]?.[model];
  }

  /** USD for a usage, rounded to 1e-9 so sums stay stable; null when the model has no price. */
  cost(provider: string, model: string, usage: TokenUsage): number | null {
    const price = this.price(provider, model);
    if (!price) return null;
    const usd = (usage.input * price[0] + usage.output * price[1]) / 1_000_000;
    return Math.round(usd * 1e9) / 1e9;
  }
}
