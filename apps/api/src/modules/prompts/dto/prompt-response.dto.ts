import { ApiProperty } from '@nestjs/swagger';
import { VERSION_SOURCES, type VersionSource } from '@ps/database';
import { jsonValueRef } from '../../../http/dto/json-value';
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

export class TokenUsageDto {
  @ApiProperty({ example: 42 })
  input!: number;

  @ApiProperty({ example: 7 })
  output!: number;

  @ApiProperty({ example: 49 })
  total!: number;
}

export class PromptExecutionResponseDto {
  @ApiProperty()
  prompt_id!: number;

  @ApiProperty({ description: 'The version that ran, or the one a draft started from.' })
  version_number!: number;

  @ApiProperty({ description: "An unsaved draft ran (its text, not the stored version's)." })
  draft!: boolean;

  @ApiProperty({ type: ModelConfigDto, description: 'The validated model config that ran.' })
  model_config!: ModelConfigDto;

  @ApiProperty({ type: [ChatMessageDto], description: 'What the model received.' })
  messages!: ChatMessageDto[];

  @ApiProperty({ description: "The model's answer." })
  output!: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: jsonValueRef(),
    nullable: true,
    description:
      "Output fields read from the answer when the prompt has a signature, by name; each value has its field's declared type.",
  })
  parsed_output!: Record<string, unknown> | null;

  @ApiProperty({
    type: [String],
    description: 'Why the answer did not match the output signature (empty when it did).',
  })
  parse_errors!: string[];

  @ApiProperty({ type: TokenUsageDto })
  usage!: TokenUsageDto;

  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'USD from the price table (0 when served from cache; null when unpriced).',
  })
  cost!: number | null;

  @ApiProperty({ description: 'Wall time of the call in milliseconds, retries included.' })
  latency_ms!: number;

  @ApiProperty({
    description: 'Served from the response cache (or shared with an identical call).',
  })
  cached!: boolean;

  @ApiProperty({ description: 'Requests sent to the provider (0 when cached).' })
  attempts!: number;

  @ApiProperty({ type: String, nullable: true, example: 'stop' })
  finish_reason!: string | null;
}
