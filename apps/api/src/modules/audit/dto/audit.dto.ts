import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsISO8601, IsString, Max, MaxLength, Min } from 'class-validator';
import { DEFAULT_PER_PAGE, MAX_PER_PAGE } from '@ps/common';
import { Optional, QueryInt } from '../../../http/dto/transforms';

export class ListAuditQueryDto {
  @ApiPropertyOptional({ minimum: 1, default: 1 })
  @Optional()
  @QueryInt()
  @IsInt()
  @Min(1)
  page?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_PER_PAGE, default: DEFAULT_PER_PAGE })
  @Optional()
  @QueryInt()
  @IsInt()
  @Min(1)
  @Max(MAX_PER_PAGE)
  per_page?: number;

  @ApiPropertyOptional({ example: 'project.create' })
  @Optional()
  @IsString()
  @MaxLength(100)
  action?: string;

  @ApiPropertyOptional({ example: 'project' })
  @Optional()
  @IsString()
  @MaxLength(100)
  entity_type?: string;

  @ApiPropertyOptional()
  @Optional()
  @QueryInt()
  @IsInt()
  @Min(1)
  entity_id?: number;

  @ApiPropertyOptional()
  @Optional()
  @QueryInt()
  @IsInt()
  @Min(1)
  actor_user_id?: number;

  @ApiPropertyOptional({ format: 'date-time' })
  @Optional()
  @IsISO8601()
  since?: string;

  @ApiPropertyOptional({ format: 'date-time' })
  @Optional()
  @IsISO8601()
  until?: string;
}

export class AuditEventResponseDto {
  @ApiProperty()
  id!: number;

  @ApiProperty({ example: 'project.create' })
  action!: string;

  @ApiProperty({ example: 'project' })
  entity_type!: string;

  @ApiProperty({ type: Number, nullable: true })
  entity_id!: number | null;

  @ApiProperty({ type: Number, nullable: true })
  actor_user_id!: number | null;

  @ApiProperty({ type: Number, nullable: true })
  actor_api_key_id!: number | null;

  @ApiProperty({ type: String, nullable: true })
  request_id!: string | null;

  @ApiProperty({ type: 'object', additionalProperties: true })
  details!: Record<string, unknown>;

  @ApiProperty({ format: 'date-time' })
  at!: string;
}

export class AuditEventPageDto {
  @ApiProperty({ type: [AuditEventResponseDto] })
  items!: AuditEventResponseDto[];

  @ApiProperty()
  total!: number;

  @ApiProperty()
  page!: number;

  @ApiProperty()
  per_page!: number;
}
