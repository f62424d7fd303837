import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { IdempotencyKeyEntity } from '../entities/idempotency-key.entity';

export interface IdempotencyClaimInput {
  workspaceId: number;
  userId: number;
  route: string;
  key: string;
  requestHash: string;
  ttlHours: number;
}

export type IdempotencyClaim =
  { kind: 'owner'; id: number } | { kind: 'existing'; record: IdempotencyKeyEntity };

@Injectable()
export class IdempotencyRepository {
  constructor(private readonly dataSource: DataSource) {}

  private get repo() {
    return this.dataSource.getRepository(IdempotencyKeyEntity);
  }

  /**
   * Atomically claims a key: exactly one of any number of concurrent callers inserts the row and
   * becomes the owner; the others get the existing row. An expired row is replaced.
   */
  async claim(input: IdempotencyClaimInput): Promise<IdempotencyClaim> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const inserted = await this.dataSource.query<{ id: string }[]>(
        `INSERT INTO idempotency_keys (workspace_id, user_id, route, key, request_hash, expires_at)
         VALUES ($1, $2, $3, $4, $5, now() + make_interval(hours => $6::int))
         ON CONFLICT ON CONSTRAINT uq_idempotency_keys_user_route_key DO NOTHING
         RETURNING id`,
        [
          input.workspaceId,
          input.userId,
          input.route,
          input.key,
          input.requestHash,
          input.ttlHours,
        ],
      );
      if (inserted.length === 1) return { kind: 'owner', id: Number(inserted[0].id) };

      const record = await this.repo.findOneBy({
        userId: input.userId,
        route: input.route,
        key: input.key,
      });
      if (!record) continue; // released between our insert and read: try again
      if (record.expiresAt.getTime() < Date.now()) {
        await this.repo.delete({ id: record.id });
        continue;
      }
      return { kind: 'existing', record };
    }
    throw new Error('Could not claim the idempotency key after 3 attempts.');
  }

  async complete(id: number, status: number, body: unknown, entityId: number | null) {
    await this.repo.update(
      { id },
      { responseStatus: status, responseBody: body as object, entityId },
    );
  }

  /** Frees a key whose request failed, so the client can retry with the same key. */
  async release(id: number): Promise<void> {
    await this.repo.delete({ id });
  }

  async find(id: number): Promise<IdempotencyKeyEntity | null> {
    return this.repo.findOneBy({ id });
  }

  async purgeExpired(): Promise<number> {
    const result = await this.repo
      .createQueryBuilder()
      .delete()
      .where('expires_at < now()')
      .execute();
    return result.affected ?? 0;
  }
}
