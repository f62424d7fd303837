import { type Relation, Check, Column, Entity, Unique } from 'typeorm';
import { bigintColumn, references, IdentifiedEntity } from './base.columns';
import { OptimizationEntity } from './optimization.entity';
import { PromptEntity } from './prompt.entity';

export const VERSION_SOURCES = ['manual', 'revert', 'optimization'] as const;
export type VersionSource = (typeof VERSION_SOURCES)[number];

export interface FewShotExampleRecord {
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown> | string;
}

/** Immutable: a change to a prompt is a new row, never an update. */
@Unique('uq_prompt_versions_number', ['promptId', 'versionNumber'])
@Check('ck_prompt_versions_source', `source IN ('manual', 'revert', 'optimization')`)
@Entity({ name: 'prompt_versions' })
export class PromptVersionEntity extends IdentifiedEntity {
  @bigintColumn('prompt_id')
  promptId!: number;

  @references(() => PromptEntity, 'prompt_id', 'CASCADE')
  prompt?: Relation<PromptEntity>;

  @Column({ name: 'version_number', type: 'integer' })
  versionNumber!: number;

  @Column({ name: 'system_prompt', type: 'text', nullable: true })
  systemPrompt!: string | null;

  @Column({ name: 'user_prompt', type: 'text' })
  userPrompt!: string;

  @Column({ name: 'few_shot_examples', type: 'jsonb' })
  fewShotExamples!: FewShotExampleRecord[];

  @Column({ name: 'model_config', type: 'jsonb', nullable: true })
  modelConfig!: Record<string, unknown> | null;

  @bigintColumn('parent_version_id', true)
  parentVersionId!: number | null;

  @references(() => PromptVersionEntity, 'parent_version_id', 'SET NULL')
  parentVersion?: Relation<PromptVersionEntity>;

  @Column({ name: 'change_description', type: 'text', nullable: true })
  changeDescription!: string | null;

  @Column({ type: 'text' })
  source!: VersionSource;

  @bigintColumn('optimization_id', true)
  optimizationId!: number | null;

  @references(() => OptimizationEntity, 'optimization_id', 'SET NULL')
  optimization?: Relation<OptimizationEntity>;
}
