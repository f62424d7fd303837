import { Injectable } from '@nestjs/common';
import { type PageRequest, pageOffset } from '@ps/common';
import { DataSource, IsNull } from 'typeorm';
import { ApiKeyEntity, type ApiKeyScope } from '../entities/api-key.entity';

export interface NewApiKey {
  workspaceId: number;
  userId: number;
  name: string;
  prefix: string;
  hash: string;
  scopes: ApiKeyScope[];
  expiresAt: Date | null;
}

@Injectable()
export class ApiKeysRepository {
  constructor(private readonly dataSource: DataSource) {}

  private get repo() {
    return this.dataSource.getRepository(ApiKeyEntity);
  }

  async create(values: NewApiKey): Promise<ApiKeyEntity> {
    return this.repo.save(this.repo.create(values));
  }

  /**
   * Creates `values` only when its user holds no key in its workspace yet (revoked ones count:
   * revoking the owner key must not make a new one appear at the next start). Safe when several
   * processes start at once: they take turns under a transaction-scoped advisory lock, so exactly
   * one creates the key. Returns the key created, or the user's oldest key when there was one.
   */
  async createUnlessUserHasKey(
    values: NewApiKey,
  ): Promise<{ created: true; key: ApiKeyEntity } | { created: false; key: ApiKeyEntity }> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query(`SELECT pg_advisory_xact_lock(hashtext('prompt-studio:first-key'))`);
      const existing = await manager.findOne(ApiKeyEntity, {
        where: { workspaceId: values.workspaceId, userId: values.userId },
        order: { createdAt: 'ASC', id: 'ASC' },
      });
      if (existing) return { created: false as const, key: existing };
      const key = await manager.save(ApiKeyEntity, manager.create(ApiKeyEntity, values));
      return { created: true as const, key };
    });
  }

  /** Removes a key that was never handed to anyone (its creator could not deliver it). */
  async delete(id: number): Promise<void> {
    await this.repo.delete({ id });
  }

  async findByPrefix(prefix: string): Promise<ApiKeyEntity | null> {
    return this.repo.findOneBy({ prefix });
  }

  async findInWorkspace(workspaceId: number, id: number): Promise<ApiKeyEntity | null> {
    if (!Number.isSafeInteger(id)) return null;
    return this.repo.findOneBy({ workspaceId, id });
  }

  async list(
    workspaceId: number,
    filter: { includeRevoked: boolean; userId?: number },
    page: PageRequest,
  ): Promise<{ rows: ApiKeyEntity[]; total: number }> {
    const [rows, total] = await this.repo.findAndCount({
      where: {
        workspaceId,
        ...(filter.userId ? { userId: filter.userId } : {}),
        ...(filter.includeRevoked ? {} : { revokedAt: IsNull() }),
      },
      order: { createdAt: 'DESC', id: 'DESC' },
      skip: pageOffset(page),
      take: page.perPage,
    });
    return { rows, total };
  }

  /** Revokes once; revoking again keeps the first revocation time. */
  async revoke(id: number): Promise<ApiKeyEntity> {
    await this.repo.update({ id, revokedAt: IsNull() }, { revokedAt: () => 'now()' });
    return this.repo.findOneByOrFail({ id });
  }

  /** Records use, at most once per `minSeconds` per key, to keep reads from becoming writes. */
  async touch(id: number, minSeconds: number): Promise<void> {
    await this.dataSource.query(
      `UPDATE api_keys SET last_used_at = now()
       WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - make_interval(secs => $2::int))`,
      [id, minSeconds],
    );
  }
}
