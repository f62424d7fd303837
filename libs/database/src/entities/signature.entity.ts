import { type Relation, Column, DeleteDateColumn, Entity, Index } from 'typeorm';
import type { SignatureFieldSpec } from '@ps/common';
import { bigintColumn, references, TimestampedEntity } from './base.columns';
import { ProjectEntity } from './project.entity';

@Index('ix_signatures_project', ['projectId'])
@Index('uq_signatures_project_name', { synchronize: false })
@Entity({ name: 'signatures' })
export class SignatureEntity extends TimestampedEntity {
  @bigintColumn('project_id')
  projectId!: number;

  @references(() => ProjectEntity, 'project_id', 'CASCADE')
  project?: Relation<ProjectEntity>;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text', nullable: true })
  instruction!: string | null;

  @Column({ name: 'input_schema', type: 'jsonb' })
  inputSchema!: SignatureFieldSpec[];

  @Column({ name: 'output_schema', type: 'jsonb' })
  outputSchema!: SignatureFieldSpec[];

  @Column({ type: 'jsonb' })
  constraints!: Record<string, unknown>;

  @DeleteDateColumn({ name: 'deleted_at', type: 'timestamptz', nullable: true })
  deletedAt!: Date | null;
}
