import { Column, Entity, Index } from 'typeorm';
import { bigintColumn, identityPrimaryColumn } from './base.columns';

@Index('ix_audit_events_workspace_at', ['workspaceId', 'at'])
@Entity({ name: 'audit_events' })
export class AuditEventEntity {
  @identityPrimaryColumn()
  id!: number;

  @bigintColumn('workspace_id', true)
  workspaceId!: number | null;

  @bigintColumn('actor_user_id', true)
  actorUserId!: number | null;

  @bigintColumn('actor_api_key_id', true)
  actorApiKeyId!: number | null;

  @Column({ type: 'text' })
  action!: string;

  @Column({ name: 'entity_type', type: 'text' })
  entityType!: string;

  @bigintColumn('entity_id', true)
  entityId!: number | null;

  @Column({ name: 'request_id', type: 'text', nullable: true })
  requestId!: string | null;

  @Column({ type: 'jsonb' })
  details!: Record<string, unknown>;

  @Column({ type: 'timestamptz' })
  at!: Date;
}
