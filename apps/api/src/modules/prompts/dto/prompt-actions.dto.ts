import { ApiProperty, ApiPropertyOptional, OmitType } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsInt, IsString, MaxLength, Min } from 'class-validator';
import { PageQueryDto } from '../../../http/dto/page-query.dto';
import { IsPlainObject, Optional, QueryInt } from '../../../http/dto/transforms';
import { ModelConfigDto } from './prompt-parts.dto';

export class RevertPromptDto {
  @ApiProperty({ example: 1, description: 'Version number to copy into a new current version.' })
  @IsInt()
  @Min(1)
  version!: number;

  @ApiPropertyOptional({ maxLength: 2000 })
  @Optional()
  @IsString()
  @MaxLength(2000)
  change_description?: string;
}

export class PreviewPromptDto {
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, example: { text: 'Hello' } })
  @Optional()
  @IsPlainObject()
  inputs?: Record<string, unknown>;

  @ApiPropertyOptional({ description: 'Version number to render; the current one by default.' })
  @Optional()
  @IsInt()
  @Min(1)
  version?: number;
}

export const PROMPT_SORTS = [
  'name',
  '-name',
  'created_at',
  '-created_at',
  'updated_at',
  '-updated_at',
] as const;

export class ListPromptsQueryDto extends PageQueryDto {
  @ApiProperty()
  @QueryInt()
  @IsInt()
  @Min(1)
  project_id!: number;

  @ApiPropertyOptional()
  @Optional()
  @QueryInt()
  @IsInt()
  @Min(1)
  signature_id?: number;

  @ApiPropertyOptional({ enum: PROMPT_SORTS, default: '-updated_at' })
  @Optional()
  @IsIn(PROMPT_SORTS)
  sort?: (typeof PROMPT_SORTS)[number];
}

export class ListVersionsQueryDto extends OmitType(PageQueryDto, ['search'] as const) {
  @ApiPropertyOptional({ enum: ['asc', 'desc'], default: 'desc' })
  @Optional()
  @IsIn(['asc', 'desc'])
  order?: 'asc' | 'desc';
}

export class ExecutePromptDto extends PreviewPromptDto {
  @ApiPropertyOptional({
    type: ModelConfigDto,
    description:
      "Model to run; the version's own model_config by default. Checked against GET /providers/list.",
  })
  @Optional()
  @IsPlainObject()
  model_config?: Record<string, unknown>;

  @ApiPropertyOptional({
    default: false,
    description: 'Skip the response cache (for repeated sampling at temperature > 0).',
  })
  @Optional()
  @IsBoolean()
  bypass_cache?: boolean;

  @ApiPropertyOptional({
    default: false,
    description:
      'Answer as Server-Sent Events: `token` events ({text}) while the model writes, then one ' +
      '`result` event (the same body as without streaming), or an `error` event (a problem document).',
  })
  @Optional()
  @IsBoolean()
  stream?: boolean;
}
