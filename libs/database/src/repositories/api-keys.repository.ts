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
