import { type Relation, Check, Column, Entity, Index } from 'typeorm';
import { bigintColumn, references, TimestampedEntity } from './base.columns';
import { numberArrayTransformer, numberTransformer } from './column-transformers';
import { ProjectEntity } from './project.entity';
import { PromptVersionEntity } from './prompt-version.entity';

export const RUN_STATUSES = ['pending', 'running', 'completed', 'failed', 'cancelled'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

@Check(
  'ck_evaluations_status',
  `status IN ('pending', 'running', 'completed', 'failed', 'cancelled')`,
)
@Index('ix_evaluations_project_created', ['projectId', 'createdAt'])
@Index('ix_evaluations_prompt_version', ['promptVersionId'])
@Entity({ name: 'evaluations' })
export class EvaluationEntity extends TimestampedEntity {
  @bigintColumn('project_id')
  projectId!: number;

  @references(() => ProjectEntity, 'project_id', 'CASCADE')
  project?: Relation<ProjectEntity>;

  @bigintColumn('prompt_version_id')
  promptVersionId!: number;

  @references(() => PromptVersionEntity, 'prompt_version_id', 'CASCADE')
  promptVersion?: Relation<PromptVersionEntity>;

  @Column({ type: 'text', nullable: true })
  name!: string | null;

  /** The selected cases, fixed when the run is created so a retry scores the same set. */
  @Column({
    name: 'test_case_ids',
    type: 'bigint',
    array: true,
    transformer: numberArrayTransformer,
  })
  testCaseIds!: number[];

  @Column({ name: 'model_config', type: 'jsonb' })
  modelConfig!: Record<string, unknown>;

  @Column({ name: 'metrics_config', type: 'jsonb' })
  metricsConfig!: Record<string, unknown>;

  @Column({ type: 'text' })
  status!: RunStatus;

  @Column({ type: 'real' })
  progress!: number;

  @Column({ type: 'jsonb', nullable: true })
  summary!: Record<string, unknown> | null;

  @Column({ name: 'total_tokens', type: 'bigint', transformer: numberTransformer })
  totalTokens!: number;

  @Column({
    name: 'total_cost',
    type: 'numeric',
    precision: 18,
    scale: 8,
    transformer: numberTransformer,
  })
  totalCost!: number;

  @Column({ type: 'text', nullable: true })
  error!: string | null;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt!: Date | null;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt!: Date | null;
}
