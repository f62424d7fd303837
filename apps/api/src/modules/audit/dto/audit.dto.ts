import { ApiProperty, ApiPropertyOptional, OmitType } from '@nestjs/swagger';
import { IsISO8601, IsString, MaxLength } from 'class-validator';
import { PageQueryDto } from '../../../http/dto/page-query.dto';
import { Optional } from '../../../http/dto/transforms';
import { PageOf } from '../../../http/dto/page.dto';
import { IdField } from '../../../http/dto/integer-fields';

export class ListAuditQueryDto extends OmitType(PageQueryDto, ['search'] as const) {
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
  @IdField({ query: true })
  entity_id?: number;

  @ApiPropertyOptional()
  @Optional()
  @IdField({ query: true })
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

/** What the audit log notes of the request that made the change. */
export class AuditDetailsDto {
  @ApiProperty({ example: 'POST' })
  method!: string;

  @ApiProperty({ example: '/api/v1/prompt-studio/projects/create' })
  path!: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description:
      'Free-form: the query string as the client sent it (credential-like parameters redacted).',
  })
  query?: Record<string, unknown>;

  @ApiPropertyOptional({ type: 'integer', description: 'Rows a bulk request created.' })
  count?: number;
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

  @ApiProperty({ type: AuditDetailsDto })
  details!: Record<string, unknown>;

  @ApiProperty({ format: 'date-time' })
  at!: string;
}

export class AuditEventPageDto extends PageOf(AuditEventResponseDto) {}
