import { type Relation, Check, Column, DeleteDateColumn, Entity, Index } from 'typeorm';
import { bigintColumn, references, TimestampedEntity } from './base.columns';
import { WorkspaceEntity } from './workspace.entity';

export const PROJECT_STATUSES = ['draft', 'active', 'archived'] as const;
export type ProjectStatus = (typeof PROJECT_STATUSES)[number];

@Check('ck_projects_status', `status IN ('draft', 'active', 'archived')`)
@Index('ix_projects_workspace_created', ['workspaceId', 'createdAt'])
@Index('uq_projects_workspace_name', { synchronize: false })
@Entity({ name: 'projects' })
export class ProjectEntity extends TimestampedEntity {
  @bigintColumn('workspace_id')
  workspaceId!: number;

  @references(() => WorkspaceEntity, 'workspace_id', 'CASCADE')
  workspace?: Relation<WorkspaceEntity>;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text', nullable: true })
  description!: string | null;

  @Column({ type: 'text' })
  status!: ProjectStatus;

  @Column({ type: 'text', array: true })
  tags!: string[];

  @Column({ type: 'jsonb' })
  metadata!: Record<string, unknown>;

  @Column({ type: 'jsonb' })
  config!: Record<string, unknown>;

  @DeleteDateColumn({ name: 'deleted_at', type: 'timestamptz', nullable: true })
  deletedAt!: Date | null;
}

/**
 * A project's test-case limit: its own `config.max_test_cases` may lower the install-wide one
 * (MAX_TEST_CASES_PER_PROJECT), never raise it.
 */
export function projectCaseLimit(installLimit: number, projectConfig: Record<string, unknown>) {
  const own = projectConfig['max_test_cases'];
  return typeof own === 'number' && Number.isInteger(own) && own > 0
    ? Math.min(own, installLimit)
    : installLimit;
}
