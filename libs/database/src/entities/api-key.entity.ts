import { type Relation, Column, Entity, Index } from 'typeorm';
import { bigintColumn, references, IdentifiedEntity } from './base.columns';
import { UserEntity } from './user.entity';
import { WorkspaceEntity } from './workspace.entity';

export const API_KEY_SCOPES = ['read', 'write', 'admin'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

@Index('ix_api_keys_workspace', ['workspaceId'])
@Index('ix_api_keys_user', ['userId'])
@Entity({ name: 'api_keys' })
export class ApiKeyEntity extends IdentifiedEntity {
  @bigintColumn('workspace_id')
  workspaceId!: number;

  @references(() => WorkspaceEntity, 'workspace_id', 'CASCADE')
  workspace?: Relation<WorkspaceEntity>;

  @bigintColumn('user_id')
  userId!: number;

  @references(() => UserEntity, 'user_id', 'CASCADE')
  user?: Relation<UserEntity>;

  @Column({ type: 'text' })
  name!: string;

  /** The visible start of the key, unique, used to find the row before comparing hashes. */
  @Column({ type: 'text', unique: true })
  prefix!: string;

  /** Hash of the whole key; the key itself is never stored. */
  @Column({ type: 'text' })
  hash!: string;

  @Column({ type: 'text', array: true })
  scopes!: ApiKeyScope[];

  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt!: Date | null;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;

  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true })
  lastUsedAt!: Date | null;
}
