import { ApiProperty } from '@nestjs/swagger';
import { VERSION_SOURCES, type VersionSource } from '@ps/database';
import { FieldErrorDto } from '../../../http/problem.dto';
import { FewShotExampleDto, ModelConfigDto } from './prompt-parts.dto';
import { PageOf } from '../../../http/dto/page.dto';

export class PromptVersionResponseDto {
  @ApiProperty()
  id!: number;

  @ApiProperty({ format: 'uuid' })
  uuid!: string;

  @ApiProperty()
  prompt_id!: number;

  @ApiProperty({ example: 1 })
  version_number!: number;

  @ApiProperty({ type: String, nullable: true })
  system_prompt!: string | null;

  @ApiProperty()
  user_prompt!: string;

  @ApiProperty({ type: [FewShotExampleDto] })
  few_shot_examples!: FewShotExampleDto[];

  @ApiProperty({ type: ModelConfigDto, nullable: true })
  model_config!: ModelConfigDto | null;

  @ApiProperty({ type: Number, nullable: true })
  parent_version_id!: number | null;

  @ApiProperty({ type: String, nullable: true })
  change_description!: string | null;

  @ApiProperty({ enum: VERSION_SOURCES })
  source!: VersionSource;

  @ApiProperty({ type: Number, nullable: true })
  optimization_id!: number | null;

  @ApiProperty({ type: [String], description: 'Variables the templates mention.' })
  variables!: string[];

  @ApiProperty({ format: 'date-time' })
  created_at!: string;
}

export class PromptResponseDto {
  @ApiProperty()
  id!: number;

  @ApiProperty({ format: 'uuid' })
  uuid!: string;

  @ApiProperty()
  project_id!: number;

  @ApiProperty()
  name!: string;

  @ApiProperty({ type: String, nullable: true })
  description!: string | null;

  @ApiProperty({ type: Number, nullable: true })
  signature_id!: number | null;

  @ApiProperty({ type: PromptVersionResponseDto })
  current_version!: PromptVersionResponseDto;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;

  @ApiProperty({ format: 'date-time' })
  updated_at!: string;
}

export class PromptPageDto extends PageOf(PromptResponseDto) {}

export class PromptVersionPageDto extends PageOf(PromptVersionResponseDto) {}

export class ChatMessageDto {
  @ApiProperty({ enum: ['system', 'user', 'assistant'] })
  role!: 'system' | 'user' | 'assistant';

  @ApiProperty()
  content!: string;
}

export class PromptPreviewResponseDto {
  @ApiProperty()
  version_number!: number;

  @ApiProperty({ type: String, nullable: true })
  system_prompt!: string | null;

  @ApiProperty()
  user_prompt!: string;

  @ApiProperty({ type: [ChatMessageDto], description: 'What a model would receive.' })
  messages!: ChatMessageDto[];

  @ApiProperty({ type: [String] })
  variables!: string[];

  @ApiProperty({
    type: [String],
    description: 'Variables the template uses that the inputs lack; left in the text as written.',
  })
  missing_variables!: string[];

  @ApiProperty({ type: [String], description: 'Inputs the template never uses.' })
  unused_inputs!: string[];

  @ApiProperty({
    type: [FieldErrorDto],
    description: "Problems of the inputs against the prompt's signature, if it has one.",
  })
  input_errors!: FieldErrorDto[];
}
