import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsNotEmpty, IsString, MaxLength } from 'class-validator';
import {
  GENERATION_LIMITS,
  GENERATION_STRATEGIES,
  GENERATORS,
  type GenerationStrategy,
  type Generator,
} from '@ps/test-case-io';
import { IsPlainObject, Optional, QueryBoolean, Trim } from '../../../http/dto/transforms';
import { IdField, IntField, MAX_INT4 } from '../../../http/dto/integer-fields';
import { JobResponseDto } from '../../jobs/dto/job.dto';
import { ModelConfigDto } from '../../prompts/dto/prompt-parts.dto';

/** `auto`: a model when one is given or configured, else the typed generator. */
export const GENERATOR_CHOICES = ['auto', ...GENERATORS] as const;
export type GeneratorChoice = (typeof GENERATOR_CHOICES)[number];

export const INPUT_FIELD_SOURCES = ['signature', 'prompt', 'examples'] as const;

export class GenerateTestCasesDto {
  @ApiProperty({ example: 1 })
  @IdField()
  project_id!: number;

  @ApiPropertyOptional({
    description:
      "The inputs' schema (and outputs', with with_expected); default: the prompt's signature.",
  })
  @Optional()
  @IdField()
  signature_id?: number;

  @ApiPropertyOptional({
    description:
      'The model sees the prompt template; its variables define the inputs when there is no ' +
      "signature, and its current version's model_config is used when none is sent.",
  })
  @Optional()
  @IdField()
  prompt_id?: number;

  @ApiProperty({
    minimum: GENERATION_LIMITS.minCases,
    maximum: GENERATION_LIMITS.maxCases,
    example: 20,
  })
  @IntField({ min: GENERATION_LIMITS.minCases, max: GENERATION_LIMITS.maxCases })
  num_cases!: number;

  @ApiPropertyOptional({
    enum: GENERATION_STRATEGIES,
    default: 'diverse',
    description:
      'diverse: typical, edge, boundary and adversarial inputs. edge_cases: edge, boundary and ' +
      'adversarial only. from_description: cases fitting `description` (needs a model). ' +
      "from_examples: new cases in the style of the project's cases (golden first).",
  })
  @Optional()
  @IsIn(GENERATION_STRATEGIES)
  strategy?: GenerationStrategy;

  @ApiPropertyOptional({
    maxLength: GENERATION_LIMITS.descriptionMaxLength,
    description: 'What the cases should be about (required by from_description).',
  })
  @Optional()
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(GENERATION_LIMITS.descriptionMaxLength)
  description?: string;

  @ApiPropertyOptional({ default: false, description: 'Mark the generated cases golden.' })
  @Optional()
  @IsBoolean()
  is_golden?: boolean;

  @ApiPropertyOptional({
    default: false,
    description:
      "The model also proposes expected outputs (checked against the signature's output " +
      'schema); such cases are tagged `unreviewed`. Needs a model.',
  })
  @Optional()
  @IsBoolean()
  with_expected?: boolean;

  @ApiPropertyOptional({
    type: ModelConfigDto,
    description:
      "The model that writes the cases. Default: the prompt's model_config (with prompt_id), " +
      'else the first model of the first provider configured with an API key (GET /providers/list).',
  })
  @Optional()
  @IsPlainObject()
  model_config?: Record<string, unknown>;

  @ApiPropertyOptional({
    enum: GENERATOR_CHOICES,
    default: 'auto',
    description:
      'auto: a model when one is sent or configured, else the seeded typed generator. llm: a ' +
      'model or 400. deterministic: the typed generator, no model calls.',
  })
  @Optional()
  @IsIn(GENERATOR_CHOICES)
  generator?: GeneratorChoice;

  @ApiPropertyOptional({
    minimum: 0,
    maximum: MAX_INT4,
    description: 'Seeds the typed generator: the same seed and cases give the same output.',
  })
  @Optional()
  @IntField({ min: 0, max: MAX_INT4 })
  seed?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 10, default: 5 })
  @Optional()
  @IntField({ min: 1, max: 10 })
  priority?: number;
}

export class GenerateWaitQueryDto {
  @ApiPropertyOptional({
    default: false,
    description: 'Wait for the job (up to EVALUATION_WAIT_SECONDS) and answer with its result.',
  })
  @Optional()
  @QueryBoolean()
  @IsBoolean()
  wait?: boolean;
}

/** What the job was asked to do, as the API settled it. */
export class GenerationPlanDto {
  @ApiProperty({ enum: GENERATION_STRATEGIES })
  strategy!: GenerationStrategy;

  @ApiProperty({ enum: GENERATORS, description: 'Who writes the cases.' })
  generator!: Generator;

  @ApiProperty({
    type: ModelConfigDto,
    nullable: true,
    description: 'The model that writes the cases (null for the typed generator).',
  })
  model_config!: ModelConfigDto | null;

  @ApiProperty({ type: 'integer' })
  num_cases!: number;

  @ApiProperty({
    type: 'integer',
    description: 'Most model calls the job makes: ceil(num_cases / 10) + 3 (0 without a model).',
  })
  max_model_calls!: number;

  @ApiProperty({ type: 'integer' })
  seed!: number;

  @ApiProperty({
    enum: INPUT_FIELD_SOURCES,
    description: "Where the inputs' fields come from.",
  })
  input_fields_from!: (typeof INPUT_FIELD_SOURCES)[number];

  @ApiProperty({ type: [String], description: 'The input fields every case fills.' })
  input_fields!: string[];
}

export class TestCaseGenerationJobDto extends JobResponseDto {
  @ApiProperty({ type: GenerationPlanDto })
  generation!: GenerationPlanDto;
}
