import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsString, Max, MaxLength, Min } from 'class-validator';
import { JOB_STATUSES, type JobStatus } from '@ps/database';
import { PageQueryDto } from '../../../http/dto/page-query.dto';
import { Optional, QueryInt } from '../../../http/dto/transforms';
import { PageOf } from '../../../http/dto/page.dto';

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
  @IsInt()
  @Min(0)
  @Max(600_000)
  duration_ms?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 4, description: 'Progress updates.' })
  @Optional()
  @IsInt()
  @Min(1)
  @Max(1000)
  steps?: number;

  @ApiPropertyOptional({
    minimum: 0,
    maximum: 10,
    default: 0,
    description: 'Attempts to fail first.',
  })
  @Optional()
  @IsInt()
  @Min(0)
  @Max(10)
  fail_attempts?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 10, default: 5, description: '10 runs first.' })
  @Optional()
  @IsInt()
  @Min(1)
  @Max(10)
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
  @QueryInt()
  @IsInt()
  @Min(1)
  project_id?: number;

  @ApiPropertyOptional({ example: 'evaluation' })
  @Optional()
  @IsString()
  @MaxLength(50)
  entity_type?: string;

  @ApiPropertyOptional()
  @Optional()
  @QueryInt()
  @IsInt()
  @Min(1)
  entity_id?: number;
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

  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true })
  result!: Record<string, unknown> | null;

  @ApiProperty({ type: String, nullable: true })
  error!: string | null;

  @ApiProperty()
  cancel_requested!: boolean;

  @ApiProperty({ type: String, nullable: true, description: 'The process holding the lease.' })
  lease_owner!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  lease_expires_at!: string | null;

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
