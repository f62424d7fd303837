import { type Relation, Column, DeleteDateColumn, Entity, Index } from 'typeorm';
import { bigintColumn, references, TimestampedEntity } from './base.columns';
import { ProjectEntity } from './project.entity';
import { PromptVersionEntity } from './prompt-version.entity';
import { SignatureEntity } from './signature.entity';

@Index('ix_prompts_project', ['projectId'])
@Index('uq_prompts_project_name', { synchronize: false })
@Entity({ name: 'prompts' })
export class PromptEntity extends TimestampedEntity {
  @bigintColumn('project_id')
  projectId!: number;

  @references(() => ProjectEntity, 'project_id', 'CASCADE')
  project?: Relation<ProjectEntity>;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text', nullable: true })
  description!: string | null;

  @bigintColumn('signature_id', true)
  signatureId!: number | null;

  @references(() => SignatureEntity, 'signature_id', 'SET NULL')
  signature?: Relation<SignatureEntity>;

  @bigintColumn('current_version_id', true)
  currentVersionId!: number | null;

  @references(() => PromptVersionEntity, 'current_version_id', 'SET NULL')
  currentVersion?: Relation<PromptVersionEntity>;

  @DeleteDateColumn({ name: 'deleted_at', type: 'timestamptz', nullable: true })
  deletedAt!: Date | null;
}
