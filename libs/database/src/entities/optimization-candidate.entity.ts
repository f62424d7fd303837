import { type Relation, Check, Column, Entity, Unique } from 'typeorm';
import { bigintColumn, references, IdentifiedEntity } from './base.columns';
import { numberTransformer } from './column-transformers';
import { OptimizationEntity } from './optimization.entity';

export const CANDIDATE_STATUSES = [
  'scored',
  'accepted',
  'rejected',
  'pruned',
  'finalist',
  'winner',
] as const;
export type CandidateStatus = (typeof CANDIDATE_STATUSES)[number];

/**
 * Every candidate an optimizer produced, with its lineage (parent candidate ids and the operator
 * that made it) and its scores per split. Written as the run goes, so a resumed run and the
 * candidates endpoint see the same record.
 */
@Entity({ name: 'optimization_candidates' })
@Unique('uq_optimization_candidates_candidate', ['optimizationId', 'candidateId'])
@Check(
  'ck_optimization_candidates_status',
  `status IN ('scored', 'accepted', 'rejected', 'pruned', 'finalist', 'winner')`,
)
export class OptimizationCandidateEntity extends IdentifiedEntity {
  @bigintColumn('optimization_id')
  optimizationId!: number;

  @references(() => OptimizationEntity, 'optimization_id', 'CASCADE')
  optimization?: Relation<OptimizationEntity>;

  /** Sequential within the run; 0 is the seed prompt. */
  @Column({ name: 'candidate_id', type: 'integer' })
  candidateId!: number;

  @Column({ name: 'parent_ids', type: 'jsonb' })
  parentIds!: number[];

  @Column({ type: 'text' })
  operator!: string;

  @Column({ type: 'integer' })
  iteration!: number;

  @Column({ type: 'jsonb' })
  candidate!: Record<string, unknown>;

  /** Mean score per split: train, validation, minibatch (null when not scored there). */
  @Column({ type: 'jsonb' })
  scores!: Record<string, number | null>;

  @Column({ type: 'text' })
  status!: CandidateStatus;

  @Column({ type: 'text', nullable: true })
  note!: string | null;

  @Column({ type: 'integer' })
  tokens!: number;

  @Column({ type: 'numeric', precision: 18, scale: 8, transformer: numberTransformer })
  cost!: number;
}
