import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsNotEmpty,
  IsString,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { Nullable, Optional, Trim } from '../../../http/dto/transforms';
import { FewShotExampleDto, ModelConfigDto } from './prompt-parts.dto';
import { IdField } from '../../../http/dto/integer-fields';

/** Fields that make up a prompt version; shared by create and update. */
export class PromptVersionFieldsDto {
  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: 'You are a friendly customer support agent.',
    description: 'Template; `{name}` and `{{name}}` substitute inputs.',
  })
  @Nullable()
  @IsString()
  system_prompt?: string | null;

  @ApiPropertyOptional({
    example: 'Customer query: {customer_query}\nPlease provide a helpful response.',
    description: 'Template of the user message; required on create (or its alias `content`).',
  })
  @Optional()
  @IsString()
  @IsNotEmpty()
  user_prompt?: string;

  @ApiPropertyOptional({ description: 'Alias of user_prompt, as the original API named it.' })
  @Optional()
  @IsString()
  @IsNotEmpty()
  content?: string;

  @ApiPropertyOptional({ type: [FewShotExampleDto] })
  @Optional()
  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => FewShotExampleDto)
  few_shot_examples?: FewShotExampleDto[];

  @ApiPropertyOptional({ type: ModelConfigDto, nullable: true })
  @Nullable()
  @ValidateNested()
  @Type(() => ModelConfigDto)
  model_config?: ModelConfigDto | null;

  @ApiPropertyOptional({ maxLength: 2000, example: 'Tighter wording' })
  @Optional()
  @IsString()
  @MaxLength(2000)
  change_description?: string;
}

export class CreatePromptDto extends PromptVersionFieldsDto {
  @ApiProperty({ example: 1 })
  @IdField()
  project_id!: number;

  @ApiProperty({ maxLength: 200, example: 'Basic Summarizer' })
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

  @ApiPropertyOptional({ example: 1 })
  @Optional()
  @IdField()
  signature_id?: number;
}

export class UpdatePromptDto extends PromptVersionFieldsDto {
  @ApiPropertyOptional({ maxLength: 200 })
  @Optional()
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 10_000 })
  @Nullable()
  @IsString()
  @MaxLength(10_000)
  description?: string | null;

  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    description: 'null detaches the signature.',
  })
  @Nullable()
  @IdField()
  signature_id?: number | null;
}
