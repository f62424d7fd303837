import { Injectable } from '@nestjs/common';
import { type PageRequest, pageOffset } from '@ps/common';
import { DataSource } from 'typeorm';
import { AuditEventEntity } from '../entities/audit-event.entity';

export interface NewAuditEvent {
  workspaceId: number | null;
  actorUserId: number | null;
  actorApiKeyId: number | null;
  action: string;
  entityType: string;
  entityId: number | null;
  requestId: string | null;
  details: Record<string, unknown>;
}

export interface AuditFilter {
  action?: string;
  entityType?: string;
  entityId?: number;
  actorUserId?: number;
  since?: Date;
  until?: Date;
}

@Injectable()
export class AuditRepository {
  constructor(private readonly dataSource: DataSource) {}

  private get repo() {
    return this.dataSource.getRepository(AuditEventEntity);
  }

  async record(event: NewAuditEvent): Promise<void> {
    await this.repo.save(this.repo.create({ ...event, at: new Date() }));
  }

  async list(workspaceId: number, filter: AuditFilter, page: PageRequest) {
    const qb = this.repo
      .createQueryBuilder('a')
      .where('a.workspace_id = :workspaceId', { workspaceId });
    if (filter.action) qb.andWhere('a.action = :action', { action: filter.action });
    if (filter.entityType)
      qb.andWhere('a.entity_type = :entityType', { entityType: filter.entityType });
    if (filter.entityId) qb.andWhere('a.entity_id = :entityId', { entityId: filter.entityId });
    if (filter.actorUserId) qb.andWhere('a.actor_user_id = :actor', { actor: filter.actorUserId });
    if (filter.since) qb.andWhere('a.at >= :since', { since: filter.since });
    if (filter.until) qb.andWhere('a.at < :until', { until: filter.until });
    qb.orderBy('a.at', 'DESC').addOrderBy('a.id', 'DESC').skip(pageOffset(page)).take(page.perPage);
    const [rows, total] = await qb.getManyAndCount();
    return { rows, total };
  }
}
