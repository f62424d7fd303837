import { type Relation, Column, CreateDateColumn, Entity, Index, Unique } from 'typeorm';
import { bigintColumn, identityPrimaryColumn, references } from './base.columns';
import { UserEntity } from './user.entity';
import { WorkspaceEntity } from './workspace.entity';

/**
 * One row per (user, route, key). Inserted before the handler runs, so concurrent duplicates
 * find it and wait; completed with the response so later replays answer the same.
 */
@Index('ix_idempotency_keys_expires', ['expiresAt'])
@Entity({ name: 'idempotency_keys' })
@Unique('uq_idempotency_keys_user_route_key', ['userId', 'route', 'key'])
export class IdempotencyKeyEntity {
  @identityPrimaryColumn()
  id!: number;

  @bigintColumn('workspace_id')
  workspaceId!: number;

  @references(() => WorkspaceEntity, 'workspace_id', 'CASCADE')
  workspace?: Relation<WorkspaceEntity>;

  @bigintColumn('user_id')
  userId!: number;

  @references(() => UserEntity, 'user_id', 'CASCADE')
  user?: Relation<UserEntity>;

  @Column({ type: 'text' })
  route!: string;

  @Column({ type: 'text' })
  key!: string;

  @Column({ name: 'request_hash', type: 'text' })
  requestHash!: string;

  @Column({ name: 'response_status', type: 'integer', nullable: true })
  responseStatus!: number | null;

  @Column({ name: 'response_body', type: 'jsonb', nullable: true })
  responseBody!: unknown;

  @bigintColumn('entity_id', true)
  entityId!: number | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;
}
