import { type Relation, Check, Column, Entity, Index, Unique } from 'typeorm';
import { bigintColumn, references, TimestampedEntity } from './base.columns';
import { UserEntity } from './user.entity';
import { WorkspaceEntity } from './workspace.entity';

export const ROLES = ['owner', 'admin', 'editor', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

@Check('ck_memberships_role', `role IN ('owner', 'admin', 'editor', 'viewer')`)
@Index('ix_memberships_user', ['userId'])
@Entity({ name: 'memberships' })
@Unique('uq_memberships_workspace_user', ['workspaceId', 'userId'])
export class MembershipEntity extends TimestampedEntity {
  @bigintColumn('workspace_id')
  workspaceId!: number;

  @references(() => WorkspaceEntity, 'workspace_id', 'CASCADE')
  workspace?: Relation<WorkspaceEntity>;

  @bigintColumn('user_id')
  userId!: number;

  @references(() => UserEntity, 'user_id', 'CASCADE')
  user?: Relation<UserEntity>;

  @Column({ type: 'text' })
  role!: Role;
}
