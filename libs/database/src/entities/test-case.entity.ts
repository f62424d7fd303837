import { type Relation, Column, DeleteDateColumn, Entity, Index } from 'typeorm';
import { bigintColumn, references, TimestampedEntity } from './base.columns';
import { ProjectEntity } from './project.entity';
import { SignatureEntity } from './signature.entity';

@Index('ix_test_cases_project', ['projectId'])
@Index('uq_test_cases_project_name', { synchronize: false })
@Index('ix_test_cases_tags', { synchronize: false })
@Entity({ name: 'test_cases' })
export class TestCaseEntity extends TimestampedEntity {
  @bigintColumn('project_id')
  projectId!: number;

  @references(() => ProjectEntity, 'project_id', 'CASCADE')
  project?: Relation<ProjectEntity>;

  @bigintColumn('signature_id', true)
  signatureId!: number | null;

  @references(() => SignatureEntity, 'signature_id', 'SET NULL')
  signature?: Relation<SignatureEntity>;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text', nullable: true })
  description!: string | null;

  @Column({ type: 'jsonb' })
  inputs!: Record<string, unknown>;

  @Column({ name: 'expected_outputs', type: 'jsonb' })
  expectedOutputs!: Record<string, unknown>;

  @Column({ type: 'text', array: true })
  tags!: string[];

  @Column({ name: 'is_golden', type: 'boolean' })
  isGolden!: boolean;

  @Column({ name: 'is_generated', type: 'boolean' })
  isGenerated!: boolean;

  @DeleteDateColumn({ name: 'deleted_at', type: 'timestamptz', nullable: true })
  deletedAt!: Date | null;
}
