import { ApiProperty, ApiPropertyOptional, OmitType } from '@nestjs/swagger';
import { IsInt, IsISO8601, IsString, MaxLength, Min } from 'class-validator';
import { PageQueryDto } from '../../../http/dto/page-query.dto';
import { Optional, QueryInt } from '../../../http/dto/transforms';
import { PageOf } from '../../../http/dto/page.dto';

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

export class AuditEventPageDto extends PageOf(AuditEventResponseDto) {}
