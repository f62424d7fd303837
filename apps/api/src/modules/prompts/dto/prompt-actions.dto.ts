import { ApiProperty, ApiPropertyOptional, OmitType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsNotEmpty,
  IsString,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { PageQueryDto } from '../../../http/dto/page-query.dto';
import { IsPlainObject, Nullable, Optional } from '../../../http/dto/transforms';
import { FewShotExampleDto, ModelConfigDto } from './prompt-parts.dto';
import { IdField, VersionField } from '../../../http/dto/integer-fields';

export class RevertPromptDto {
  @ApiProperty({ example: 1, description: 'Version number to copy into a new current version.' })
  @VersionField()
  version!: number;

  @ApiPropertyOptional({ maxLength: 2000 })
  @Optional()
  @IsString()
  @MaxLength(2000)
  change_description?: string;
}

/** Unsaved edits of a version's text, tried without creating a version (the playground's). */
export class PromptDraftDto {
  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description: "Replaces the version's system prompt (null: none).",
  })
  @Nullable()
  @IsString()
  system_prompt?: string | null;

  @ApiPropertyOptional({ description: "Replaces the version's user prompt template." })
  @Optional()
  @IsString()
  @IsNotEmpty()
  user_prompt?: string;

  @ApiPropertyOptional({
    type: [FewShotExampleDto],
    description: "Replaces the version's few-shot examples.",
  })
  @Optional()
  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => FewShotExampleDto)
  few_shot_examples?: FewShotExampleDto[];
}

export class PreviewPromptDto {
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, example: { text: 'Hello' } })
  @Optional()
  @IsPlainObject()
  inputs?: Record<string, unknown>;

  @ApiPropertyOptional({ description: 'Version number to render; the current one by default.' })
  @Optional()
  @VersionField()
  version?: number;

  @ApiPropertyOptional({
    type: PromptDraftDto,
    description:
      "Unsaved edits to use instead of the version's text (fields left out come from the " +
      'version); nothing is stored. Save them with PUT /prompts/{id}.',
  })
  @Optional()
  @ValidateNested()
  @Type(() => PromptDraftDto)
  draft?: PromptDraftDto;
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
  @IdField({ query: true })
  project_id!: number;

  @ApiPropertyOptional()
  @Optional()
  @IdField({ query: true })
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
