import { ApiPropertyOptional, ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsIn, IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { PROJECT_STATUSES, type ProjectStatus } from '@ps/database';
import { IsPlainObject, Optional, Trim } from '../../../http/dto/transforms';

export class CreateProjectDto {
  @ApiProperty({ maxLength: 200, example: 'Customer Support Bot' })
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name!: string;

  @ApiPropertyOptional({ maxLength: 10_000 })
  @Optional()
  @IsString()
  @MaxLength(10_000)
  description?: string;

  @ApiPropertyOptional({ enum: PROJECT_STATUSES, default: 'active' })
  @Optional()
  @IsIn(PROJECT_STATUSES)
  status?: ProjectStatus;

  @ApiPropertyOptional({ type: [String], example: ['production', 'support'] })
  @Optional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @IsNotEmpty({ each: true })
  @MaxLength(50, { each: true })
  tags?: string[];

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @Optional()
  @IsPlainObject()
  metadata?: Record<string, unknown>;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    example: { default_model: 'gpt-4o-mini', max_test_cases: 100 },
  })
  @Optional()
  @IsPlainObject()
  config?: Record<string, unknown>;
}
