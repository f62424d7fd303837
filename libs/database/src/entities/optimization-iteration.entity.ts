import { type Relation, Column, Entity, Unique } from 'typeorm';
import { bigintColumn, references, IdentifiedEntity } from './base.columns';
import { numberTransformer } from './column-transformers';
import { OptimizationEntity } from './optimization.entity';

/** Every candidate an optimizer scored, with its lineage. */
@Entity({ name: 'optimization_iterations' })
@Unique('uq_optimization_iterations_iteration', ['optimizationId', 'iteration'])
export class OptimizationIterationEntity extends IdentifiedEntity {
  @bigintColumn('optimization_id')
  optimizationId!: number;

  @references(() => OptimizationEntity, 'optimization_id', 'CASCADE')
  optimization?: Relation<OptimizationEntity>;

  @Column({ type: 'integer' })
  iteration!: number;

  @Column({ name: 'parent_iteration', type: 'integer', nullable: true })
  parentIteration!: number | null;

  @Column({ type: 'jsonb' })
  candidate!: Record<string, unknown>;

  @Column({ type: 'jsonb' })
  scores!: Record<string, unknown>;

  @Column({ type: 'integer' })
  tokens!: number;

  @Column({ type: 'numeric', precision: 18, scale: 8, transformer: numberTransformer })
  cost!: number;

  @Column({ type: 'text', nullable: true })
  note!: string | null;
}
