import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsString, MaxLength } from 'class-validator';
import { JOB_STATUSES, type JobStatus } from '@ps/database';
import { PageQueryDto } from '../../../http/dto/page-query.dto';
import { Optional } from '../../../http/dto/transforms';
import { PageOf } from '../../../http/dto/page.dto';
import { IdField, IntField } from '../../../http/dto/integer-fields';

export class PingJobDto {
  @ApiPropertyOptional({ maxLength: 200, default: 'ping' })
  @Optional()
  @IsString()
  @MaxLength(200)
  message?: string;

  @ApiPropertyOptional({
    minimum: 0,
    maximum: 600_000,
    default: 0,
    description: 'How long it runs.',
  })
  @Optional()
  @IntField({ min: 0, max: 600_000 })
  duration_ms?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 4, description: 'Progress updates.' })
  @Optional()
  @IntField({ min: 1, max: 1000 })
  steps?: number;

  @ApiPropertyOptional({
    minimum: 0,
    maximum: 10,
    default: 0,
    description: 'Attempts to fail first.',
  })
  @Optional()
  @IntField({ min: 0, max: 10 })
  fail_attempts?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 10, default: 5, description: '10 runs first.' })
  @Optional()
  @IntField({ min: 1, max: 10 })
  priority?: number;
}

export class ListJobsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: JOB_STATUSES })
  @Optional()
  @IsIn(JOB_STATUSES)
  status?: JobStatus;

  @ApiPropertyOptional({ example: 'maintenance' })
  @Optional()
  @IsString()
  @MaxLength(50)
  queue?: string;

  @ApiPropertyOptional({ example: 'ping' })
  @Optional()
  @IsString()
  @MaxLength(50)
  type?: string;

  @ApiPropertyOptional()
  @Optional()
  @IdField({ query: true })
  project_id?: number;

  @ApiPropertyOptional({ example: 'evaluation' })
  @Optional()
  @IsString()
  @MaxLength(50)
  entity_type?: string;

  @ApiPropertyOptional()
  @Optional()
  @IdField({ query: true })
  entity_id?: number;
}

/** Why generated cases were not stored, counted (generation jobs). */
export class GenerationRejectedDto {
  @ApiProperty({
    type: 'integer',
    description: 'Model answers that were not JSON or had no cases.',
  })
  invalid_answers!: number;
  @ApiProperty({ type: 'integer', description: 'Cases whose fields or types did not fit.' })
  invalid_cases!: number;
  @ApiProperty({ type: 'integer', description: "Near-duplicates of each other or the project's." })
  duplicates!: number;
  @ApiProperty({ type: 'integer', description: "Left out to stay within the project's limit." })
  over_limit!: number;
}

/** What a job returned; which fields depends on its type. */
export class JobResultDto {
  @ApiPropertyOptional({ description: 'evaluation jobs.' }) evaluation_id?: number;
  @ApiPropertyOptional({ description: 'optimization jobs.' }) optimization_id?: number;
  @ApiPropertyOptional({ description: 'How the run ended (evaluation and optimization jobs).' })
  status?: string;
  @ApiPropertyOptional({ description: 'The run had already ended; nothing was done.' })
  skipped?: boolean;
  @ApiPropertyOptional({ type: 'integer', description: 'evaluation jobs: (case, repeat) runs.' })
  total?: number;
  @ApiPropertyOptional({ type: Number, nullable: true, description: 'evaluation jobs.' })
  pass_rate?: number | null;
  @ApiPropertyOptional({ description: 'optimization jobs: the winner beats the initial prompt.' })
  improved?: boolean;
  @ApiPropertyOptional({ type: Number, nullable: true, description: 'optimization jobs.' })
  delta?: number | null;
  @ApiPropertyOptional({
    type: 'integer',
    description: 'report jobs: GET /evaluations/reports/{report_id}.',
  })
  report_id?: number;
  @ApiPropertyOptional({ description: 'report jobs.' }) filename?: string;
  @ApiPropertyOptional({ description: 'report jobs.' }) content_type?: string;
  @ApiPropertyOptional({ type: 'integer', description: 'report jobs.' }) bytes?: number;
  @ApiPropertyOptional({ type: 'integer', description: 'generation jobs.' }) project_id?: number;
  @ApiPropertyOptional({ type: 'integer', description: 'generation jobs: cases asked for.' })
  requested?: number;
  @ApiPropertyOptional({ type: 'integer', description: 'generation jobs: cases stored.' })
  created?: number;
  @ApiPropertyOptional({ type: [Number], description: 'generation jobs: the stored cases.' })
  test_case_ids?: number[];
  @ApiPropertyOptional({
    enum: ['diverse', 'edge_cases', 'from_description', 'from_examples'],
    description: 'generation jobs.',
  })
  strategy?: string;
  @ApiPropertyOptional({ enum: ['llm', 'deterministic'], description: 'generation jobs.' })
  generator?: string;
  @ApiPropertyOptional({ type: 'integer', description: 'generation jobs: model calls made.' })
  model_calls?: number;
  @ApiPropertyOptional({ type: 'integer', description: 'generation jobs: the call budget.' })
  max_model_calls?: number;
  @ApiPropertyOptional({ type: 'integer', description: 'generation jobs: tokens in and out.' })
  tokens?: number;
  @ApiPropertyOptional({ description: 'generation jobs: USD spent (0 from the cache).' })
  cost?: number;
  @ApiPropertyOptional({ type: GenerationRejectedDto, description: 'generation jobs.' })
  rejected?: GenerationRejectedDto;
  @ApiPropertyOptional({
    type: [String],
    description: 'generation jobs: the first reasons cases were refused.',
  })
  problems?: string[];
  @ApiPropertyOptional({
    enum: ['done', 'budget', 'exhausted', 'limit'],
    description:
      'generation jobs: why it stopped (every case made, call budget spent, no more distinct ' +
      "typed cases, the project's limit).",
  })
  stopped?: string;
  @ApiPropertyOptional({ description: 'ping jobs.' }) message?: string;
  @ApiPropertyOptional({ description: 'ping jobs.' }) pong?: boolean;
  @ApiPropertyOptional({ type: 'integer', description: 'ping jobs.' }) attempt?: number;
  @ApiPropertyOptional({ description: 'ping jobs: the process that ran it.' }) worker?: string;
  @ApiPropertyOptional({ type: 'integer', description: 'ping jobs.' }) took_ms?: number;
}

export class JobResponseDto {
  @ApiProperty()
  id!: number;

  @ApiProperty({ format: 'uuid' })
  uuid!: string;

  @ApiProperty({ example: 'maintenance' })
  queue!: string;

  @ApiProperty({ example: 'ping' })
  type!: string;

  @ApiProperty({ type: Number, nullable: true })
  project_id!: number | null;

  @ApiProperty({ type: String, nullable: true })
  entity_type!: string | null;

  @ApiProperty({ type: Number, nullable: true })
  entity_id!: number | null;

  @ApiProperty({ enum: JOB_STATUSES })
  status!: JobStatus;

  @ApiProperty({ minimum: 1, maximum: 10 })
  priority!: number;

  @ApiProperty({ description: 'Attempts started so far, including re-deliveries.' })
  attempts!: number;

  @ApiProperty()
  max_attempts!: number;

  @ApiProperty({ description: 'Percent, 0..100.' })
  progress!: number;

  @ApiProperty({ type: JobResultDto, nullable: true, description: 'Set when the job completed.' })
  result!: Record<string, unknown> | null;

  @ApiProperty({ type: String, nullable: true })
  error!: string | null;

  @ApiProperty()
  cancel_requested!: boolean;

  @ApiProperty({ type: String, nullable: true, description: 'The process holding the lease.' })
  lease_owner!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  lease_expires_at!: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    description:
      'The process that ran the latest attempt (worker:<host>:<pid>); kept after the end.',
  })
  worker_id!: string | null;

  @ApiProperty({ type: String, nullable: true })
  request_id!: string | null;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  started_at!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  completed_at!: string | null;
}

export class JobPageDto extends PageOf(JobResponseDto) {}

export class QueueDepthDto {
  @ApiProperty()
  queue!: string;

  @ApiProperty()
  waiting!: number;

  @ApiProperty()
  active!: number;

  @ApiProperty()
  delayed!: number;
}

export class JobTypeStatsDto {
  @ApiProperty({ example: 'maintenance/ping' })
  type!: string;

  @ApiProperty()
  queued!: number;

  @ApiProperty()
  processing!: number;

  @ApiProperty()
  completed!: number;

  @ApiProperty()
  failed!: number;

  @ApiProperty()
  cancelled!: number;

  @ApiProperty({ description: 'Running jobs whose lease expired (their worker is gone).' })
  stale_leases!: number;

  @ApiProperty({ type: Number, nullable: true })
  avg_duration_ms!: number | null;
}

export class StatusResponseDto {
  @ApiProperty({ enum: ['ok', 'degraded'] })
  status!: 'ok' | 'degraded';

  @ApiProperty({ enum: ['bull', 'in-process'] })
  queue_backend!: 'bull' | 'in-process';

  @ApiProperty({ description: 'Jobs waiting in all queues (workspace-wide from the mirror).' })
  queue_depth!: number;

  @ApiProperty()
  processing!: number;

  @ApiProperty()
  stale_leases!: number;

  @ApiProperty({ type: Number, nullable: true, description: 'completed / (completed + failed).' })
  success_rate!: number | null;

  @ApiProperty({ type: [JobTypeStatsDto] })
  by_type!: JobTypeStatsDto[];

  @ApiProperty({ type: [QueueDepthDto], description: 'Live depth of each queue (all workspaces).' })
  queues!: QueueDepthDto[];
}
