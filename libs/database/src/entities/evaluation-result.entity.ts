import { type Relation, Check, Column, Entity, Index, Unique } from 'typeorm';
import { bigintColumn, references, IdentifiedEntity } from './base.columns';
import { numberTransformer } from './column-transformers';
import { EvaluationEntity } from './evaluation.entity';
import { TestCaseEntity } from './test-case.entity';

export const RESULT_STATUSES = [
  'ok',
  'infra_error',
  'parse_error',
  'timeout',
  'render_error',
] as const;
export type ResultStatus = (typeof RESULT_STATUSES)[number];

/** One scored run of one test case. The unique key makes a retried job unable to double-count. */
@Check(
  'ck_evaluation_results_status',
  `status IN ('ok', 'infra_error', 'parse_error', 'timeout', 'render_error')`,
)
@Index('ix_evaluation_results_test_case', ['testCaseId'])
@Entity({ name: 'evaluation_results' })
@Unique('uq_evaluation_results_case', ['evaluationId', 'testCaseId', 'repeatIndex'])
export class EvaluationResultEntity extends IdentifiedEntity {
  @bigintColumn('evaluation_id')
  evaluationId!: number;

  @references(() => EvaluationEntity, 'evaluation_id', 'CASCADE')
  evaluation?: Relation<EvaluationEntity>;

  @bigintColumn('test_case_id')
  testCaseId!: number;

  @references(() => TestCaseEntity, 'test_case_id', 'CASCADE')
  testCase?: Relation<TestCaseEntity>;

  /** 0 for single runs; 0..repeats-1 when each case is sampled several times. */
  @Column({ name: 'repeat_index', type: 'integer' })
  repeatIndex!: number;

  @Column({ type: 'text', nullable: true })
  output!: string | null;

  @Column({ name: 'parsed_output', type: 'jsonb', nullable: true })
  parsedOutput!: unknown;

  /** Per metric key: the score, or null when the metric did not score this case. */
  @Column({ type: 'jsonb' })
  scores!: Record<string, number | null>;

  /** Per metric key: details (a judge's reasoning, why a metric did not score). */
  @Column({ type: 'jsonb', nullable: true })
  details!: Record<string, unknown> | null;

  @Column({ name: 'aggregate_score', type: 'double precision', nullable: true })
  aggregateScore!: number | null;

  @Column({ type: 'boolean', nullable: true })
  passed!: boolean | null;

  @Column({ type: 'text' })
  status!: ResultStatus;

  @Column({ type: 'text', nullable: true })
  error!: string | null;

  @Column({ name: 'latency_ms', type: 'integer', nullable: true })
  latencyMs!: number | null;

  @Column({ name: 'tokens_in', type: 'integer' })
  tokensIn!: number;

  @Column({ name: 'tokens_out', type: 'integer' })
  tokensOut!: number;

  @Column({ type: 'numeric', precision: 18, scale: 8, transformer: numberTransformer })
  cost!: number;

  @Column({ type: 'boolean' })
  cached!: boolean;
}
