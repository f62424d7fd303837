import { type Relation, Check, Column, Entity, Index } from 'typeorm';
import { bigintColumn, references, TimestampedEntity } from './base.columns';
import { numberTransformer } from './column-transformers';
import type { RunStatus } from './evaluation.entity';
import { ProjectEntity } from './project.entity';
import { PromptEntity } from './prompt.entity';
import { PromptVersionEntity } from './prompt-version.entity';

@Check(
  'ck_optimizations_status',
  `status IN ('pending', 'running', 'completed', 'failed', 'cancelled')`,
)
@Index('ix_optimizations_project_created', ['projectId', 'createdAt'])
@Index('ix_optimizations_prompt', ['promptId'])
@Entity({ name: 'optimizations' })
export class OptimizationEntity extends TimestampedEntity {
  @bigintColumn('project_id')
  projectId!: number;

  @references(() => ProjectEntity, 'project_id', 'CASCADE')
  project?: Relation<ProjectEntity>;

  @bigintColumn('prompt_id')
  promptId!: number;

  @references(() => PromptEntity, 'prompt_id', 'CASCADE')
  prompt?: Relation<PromptEntity>;

  @bigintColumn('initial_version_id')
  initialVersionId!: number;

  @references(() => PromptVersionEntity, 'initial_version_id', 'CASCADE')
  initialVersion?: Relation<PromptVersionEntity>;

  @bigintColumn('optimized_version_id', true)
  optimizedVersionId!: number | null;

  @references(() => PromptVersionEntity, 'optimized_version_id', 'SET NULL')
  optimizedVersion?: Relation<PromptVersionEntity>;

  @Column({ type: 'text' })
  strategy!: string;

  @Column({ type: 'jsonb' })
  config!: Record<string, unknown>;

  @Column({ type: 'text' })
  status!: RunStatus;

  @Column({ name: 'baseline_train_score', type: 'double precision', nullable: true })
  baselineTrainScore!: number | null;

  @Column({ name: 'baseline_validation_score', type: 'double precision', nullable: true })
  baselineValidationScore!: number | null;

  @Column({ name: 'final_train_score', type: 'double precision', nullable: true })
  finalTrainScore!: number | null;

  @Column({ name: 'final_validation_score', type: 'double precision', nullable: true })
  finalValidationScore!: number | null;

  @Column({ type: 'double precision', nullable: true })
  improvement!: number | null;

  /** Share of the budget spent, 0..100. */
  @Column({ type: 'double precision', default: 0 })
  progress!: number;

  @Column({ name: 'iterations_completed', type: 'integer' })
  iterationsCompleted!: number;

  @Column({ name: 'max_iterations', type: 'integer', nullable: true })
  maxIterations!: number | null;

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

  @Column({ type: 'jsonb', nullable: true })
  result!: Record<string, unknown> | null;

  @Column({ type: 'text', nullable: true })
  error!: string | null;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt!: Date | null;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt!: Date | null;
}
