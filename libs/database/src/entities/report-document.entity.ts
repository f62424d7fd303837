import { type Relation, Column, Entity, Index } from 'typeorm';
import { bigintColumn, IdentifiedEntity, references } from './base.columns';
import { EvaluationEntity } from './evaluation.entity';

/**
 * A report rendered by a `report` job, kept so it can be downloaded later (and by another
 * process than the one that rendered it). Deleted with its evaluation.
 */
@Index('ix_report_documents_evaluation', ['evaluationId'])
@Entity({ name: 'report_documents' })
export class ReportDocumentEntity extends IdentifiedEntity {
  @bigintColumn('evaluation_id')
  evaluationId!: number;

  @references(() => EvaluationEntity, 'evaluation_id', 'CASCADE')
  evaluation?: Relation<EvaluationEntity>;

  /** The other evaluation of a comparison report (B); null for a single run's report. */
  @bigintColumn('compare_to', true)
  compareTo!: number | null;

  @Column({ type: 'text' })
  format!: string;

  @Column({ name: 'content_type', type: 'text' })
  contentType!: string;

  @Column({ type: 'text' })
  filename!: string;

  @Column({ type: 'bytea' })
  body!: Buffer;
}
