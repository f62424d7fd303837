import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export interface LlmCacheRecord {
  response: Record<string, unknown>;
  usage: Record<string, unknown>;
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

  async put(entry: {
    key: string;
    provider: string;
    model: string;
    response: Record<string, unknown>;
    usage: Record<string, unknown>;
    ttlSeconds: number;
  }): Promise<void> {
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

  async purgeExpired(): Promise<number> {
    const result = await this.dataSource.query<[unknown[], number]>(
      `DELETE FROM llm_cache WHERE expires_at IS NOT NULL AND expires_at <= now()`,
    );
    return Array.isArray(result) && typeof result[1] === 'number' ? result[1] : 0;
  }
}
