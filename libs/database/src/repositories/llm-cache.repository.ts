import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export interface LlmCacheRecord {
  response: Record<string, unknown>;
  usage: Record<string, unknown>;
}

export interface LlmCacheEntry {
  key: string;
  provider: string;
  model: string;
  response: Record<string, unknown>;
  usage: Record<string, unknown>;
  ttlSeconds: number;
}

/** Model responses by content hash. Rows past `expires_at` are invisible and purged later. */
@Injectable()
export class LlmCacheRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The live entry for a key, counting the hit in the same statement. */
  async take(key: string): Promise<LlmCacheRecord | undefined> {
    const rows = await this.dataSource.query<LlmCacheRecord[]>(
      `UPDATE llm_cache SET hit_count = hit_count + 1
        WHERE key = $1 AND (expires_at IS NULL OR expires_at > now())
        RETURNING response, usage`,
      [key],
    );
    // The postgres driver answers UPDATE … RETURNING with [rows, count].
    const list = (Array.isArray(rows[0]) ? rows[0] : rows) as LlmCacheRecord[];
    return list[0];
  }

  async put(entry: LlmCacheEntry): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO llm_cache (key, provider, model, response, usage, hit_count, expires_at)
       VALUES ($1, $2, $3, $4, $5, 0,
               CASE WHEN $6::int > 0 THEN now() + make_interval(secs => $6::int) END)
       ON CONFLICT (key) DO UPDATE
         SET response = EXCLUDED.response, usage = EXCLUDED.usage,
             created_at = now(), expires_at = EXCLUDED.expires_at`,
      [entry.key, entry.provider, entry.model, entry.response, entry.usage, entry.ttlSeconds],
    );
  }

  /** The live entries of several keys in one statement, counting each hit. */
  async takeMany(keys: readonly string[]): Promise<Map<string, LlmCacheRecord>> {
    if (keys.length === 0) return new Map();
    const rows = await this.dataSource.query<(LlmCacheRecord & { key: string })[]>(
      `UPDATE llm_cache SET hit_count = hit_count + 1
        WHERE key = ANY($1::text[]) AND (expires_at IS NULL OR expires_at > now())
        RETURNING key, response, usage`,
      [[...new Set(keys)]],
    );
    const list = (Array.isArray(rows[0]) ? rows[0] : rows) as (LlmCacheRecord & { key: string })[];
    return new Map(list.map((r) => [r.key, { response: r.response, usage: r.usage }]));
  }

  /** Writes several entries in one statement (the last of a repeated key wins). */
  async putMany(entries: readonly LlmCacheEntry[]): Promise<void> {
    const unique = [...new Map(entries.map((e) => [e.key, e])).values()];
    if (unique.length === 0) return;
    const params: unknown[] = [];
    const tuples = unique.map((e) => {
      params.push(e.key, e.provider, e.model, e.response, e.usage, e.ttlSeconds);
      const n = params.length;
      return `($${n - 5}, $${n - 4}, $${n - 3}, $${n - 2}::jsonb, $${n - 1}::jsonb, 0,
               CASE WHEN $${n}::int > 0 THEN now() + make_interval(secs => $${n}::int) END)`;
    });
    await this.dataSource.query(
      `INSERT INTO llm_cache (key, provider, model, response, usage, hit_count, expires_at)
       VALUES ${tuples.join(', ')}
       ON CONFLICT (key) DO UPDATE
         SET response = EXCLUDED.response, usage = EXCLUDED.usage,
             created_at = now(), expires_at = EXCLUDED.expires_at`,
      params,
    );
  }

  async purgeExpired(): Promise<number> {
    const result = await this.dataSource.query<[unknown[], number]>(
      `DELETE FROM llm_cache WHERE expires_at IS NOT NULL AND expires_at <= now()`,
    );
    return Array.isArray(result) && typeof result[1] === 'number' ? result[1] : 0;
  }
}
