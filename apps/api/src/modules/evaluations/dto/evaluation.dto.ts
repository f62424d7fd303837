import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsNumber,
  IsString,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { RESULT_STATUSES, RUN_STATUSES, type ResultStatus, type RunStatus } from '@ps/database';
import { REPORT_FORMATS, type ReportFormat } from '@ps/reports';
import { PageOf } from '../../../http/dto/page.dto';
import { PageQueryDto } from '../../../http/dto/page-query.dto';
import { IsPlainObject, Optional, QueryBoolean, Trim } from '../../../http/dto/transforms';
import { ModelConfigDto } from '../../prompts/dto/prompt-parts.dto';
import { jsonValueRef } from '../../../http/dto/json-value';
import {
  EvaluationSettingsDto,
  EvaluationSummaryDto,
  PairedComparisonDto,
} from './evaluation-summary.dto';
import { IdField, IntField, VersionField } from '../../../http/dto/integer-fields';

export class MetricSpecDto {
  @ApiProperty({ example: 'exact_match', description: 'A name from GET /metrics/list.' })
  @IsString()
  @MaxLength(100)
  name!: string;

  @ApiPropertyOptional({ default: 1, minimum: 0 })
  @Optional()
  @IsNumber()
  @Min(0)
  @Max(1000)
  weight?: number;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, example: {} })
  @Optional()
  @IsPlainObject()
  options?: Record<string, unknown>;

  @ApiPropertyOptional({
    description: 'Compare this output field with the same expected field (signature prompts).',
  })
  @Optional()
  @IsString()
  @MaxLength(200)
  field?: string;
}

/** The metrics a run scores with (evaluations and optimizations): 1–20, default exact_match. */
export const MetricSpecsField = () =>
  applyDecorators(
    ApiPropertyOptional({ type: [MetricSpecDto], description: 'Default: exact_match.' }),
    Optional(),
    IsArray(),
    ArrayMinSize(1),
    ArrayMaxSize(20),
    ValidateNested({ each: true }),
    Type(() => MetricSpecDto),
  );

/** The score at or above which a case passes: 0–1, default 0.5. */
export const PassThresholdField = () =>
  applyDecorators(
    ApiPropertyOptional({ default: 0.5, minimum: 0, maximum: 1 }),
    Optional(),
    IsNumber(),
    Min(0),
    Max(1),
  );

/** Which test cases a run uses: explicit ids, golden ones, by tags, or (default) all of the project. */
export class TestCaseSelectionDto {
  @ApiPropertyOptional({ description: "These test cases of the prompt's project." })
  @Optional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100_000)
  @IdField({ each: true })
  test_case_ids?: number[];

  @ApiPropertyOptional({ default: false })
  @Optional()
  @IsBoolean()
  golden_only?: boolean;

  @ApiPropertyOptional({ type: [String], description: 'Cases carrying any of these tags.' })
  @Optional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  tags?: string[];
}

export class ScoringDto extends TestCaseSelectionDto {
  @ApiPropertyOptional({
    type: ModelConfigDto,
    description: "The version's model_config by default.",
  })
  @Optional()
  @IsPlainObject()
  model_config?: Record<string, unknown>;

  @MetricSpecsField()
  metrics?: MetricSpecDto[];

  @PassThresholdField()
  pass_threshold?: number;

  @ApiPropertyOptional({
    default: 4,
    description:
      'Model calls in flight at once; at most EVALUATION_MAX_CONCURRENCY (64 by default).',
  })
  @Optional()
  @IntField({ min: 1, max: 1000 })
  concurrency?: number;

  @ApiPropertyOptional({
    default: 1,
    minimum: 1,
    maximum: 100,
    description: 'Runs per case (cache bypassed); reports per-case pass rate and variance.',
  })
  @Optional()
  @IntField({ min: 1, max: 100 })
  repeats?: number;

  @ApiPropertyOptional({ type: ModelConfigDto, description: 'Grades llm_judge metrics.' })
  @Optional()
  @IsPlainObject()
  judge_model_config?: Record<string, unknown>;

  @ApiPropertyOptional({ type: ModelConfigDto, description: 'Embeds for semantic_similarity.' })
  @Optional()
  @IsPlainObject()
  embedding_model_config?: Record<string, unknown>;

  @ApiPropertyOptional({ minimum: 1, maximum: 10, default: 5 })
  @Optional()
  @IntField({ min: 1, max: 10 })
  priority?: number;

  @ApiPropertyOptional({
    default: false,
    description:
      'Refuse the run (400) when a selected case lacks an input the prompt uses. Without it such cases are counted in `input_warnings` and end as `render_error`, never sent.',
  })
  @Optional()
  @IsBoolean()
  strict_inputs?: boolean;
}

export class CreateEvaluationDto extends ScoringDto {
  @ApiProperty()
  @IdField()
  prompt_id!: number;

  @ApiPropertyOptional({ description: 'Version number; the current version by default.' })
  @Optional()
  @VersionField()
  version?: number;

  @ApiPropertyOptional({ maxLength: 200 })
  @Optional()
  @Trim()
  @IsString()
  @MaxLength(200)
  name?: string;
}

export class WaitQueryDto {
  @ApiPropertyOptional({
    default: false,
    description: 'Wait for the run (up to EVALUATION_WAIT_SECONDS) and answer with the result.',
  })
  @Optional()
  @QueryBoolean()
  @IsBoolean()
  wait?: boolean;
}

export class ListEvaluationsQueryDto extends PageQueryDto {
  @ApiPropertyOptional()
  @Optional()
  @IdField({ query: true })
  project_id?: number;

  @ApiPropertyOptional()
  @Optional()
  @IdField({ query: true })
  prompt_id?: number;

  @ApiPropertyOptional({ enum: RUN_STATUSES })
  @Optional()
  @IsIn(RUN_STATUSES)
  status?: RunStatus;
}

export class ListResultsQueryDto extends PageQueryDto {
  @ApiPropertyOptional()
  @Optional()
  @QueryBoolean()
  @IsBoolean()
  passed?: boolean;

  @ApiPropertyOptional({ enum: RESULT_STATUSES })
  @Optional()
  @IsIn(RESULT_STATUSES)
  status?: ResultStatus;

  @ApiPropertyOptional({
    enum: ['case', 'score'],
    default: 'case',
    description: 'score: worst first.',
  })
  @Optional()
  @IsIn(['case', 'score'])
  order?: 'case' | 'score';
}

export class ReportQueryDto {
  @ApiPropertyOptional({ enum: REPORT_FORMATS, default: 'json' })
  @Optional()
  @IsIn(REPORT_FORMATS)
  format?: ReportFormat;

  @ApiPropertyOptional({ description: 'Another evaluation: a comparison report (this one is A).' })
  @Optional()
  @IdField({ query: true })
  compare_to?: number;
}

/** An optional pair of positive ids (A, then B). */
const TwoIds = () =>
  applyDecorators(Optional(), IsArray(), ArrayMinSize(2), ArrayMaxSize(2), IdField({ each: true }));

export class CompareEvaluationsDto extends ScoringDto {
  @ApiPropertyOptional({ description: 'Two finished evaluations: A then B.' })
  @TwoIds()
  evaluation_ids?: number[];

  @ApiPropertyOptional({ description: 'Two prompts (current versions) to run and compare.' })
  @TwoIds()
  prompt_ids?: number[];

  @ApiPropertyOptional({ description: 'Two prompt version ids to run and compare.' })
  @TwoIds()
  version_ids?: number[];
}

export class InputWarningsDto {
  @ApiProperty({ description: 'Selected cases whose inputs lack a template variable.' })
  cases_missing_variables!: number;
  @ApiProperty({ type: [String], description: 'The variables the prompt uses.' })
  variables!: string[];
}

export class EvaluationResponseDto {
  @ApiProperty() id!: number;
  @ApiProperty() project_id!: number;
  @ApiProperty() prompt_id!: number;
  @ApiProperty() prompt_version_id!: number;
  @ApiProperty() version_number!: number;
  @ApiProperty({ type: String, nullable: true }) name!: string | null;
  @ApiProperty({ enum: RUN_STATUSES }) status!: RunStatus;
  @ApiProperty({ description: 'Percent of (case, repeat) runs done.' }) progress!: number;
  @ApiProperty() test_case_count!: number;
  @ApiProperty({ type: ModelConfigDto }) model_config!: Record<string, unknown>;
  @ApiProperty({
    type: EvaluationSettingsDto,
    description: 'Metrics, weights, threshold, concurrency, repeats.',
  })
  settings!: Record<string, unknown>;
  @ApiProperty({
    type: EvaluationSummaryDto,
    nullable: true,
    description: 'Statistics once completed.',
  })
  summary!: Record<string, unknown> | null;
  @ApiProperty() total_tokens!: number;
  @ApiProperty() total_cost!: number;
  @ApiProperty({ type: String, nullable: true }) error!: string | null;
  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'The job running it (GET /jobs/{id}).',
  })
  job_id!: number | null;
  @ApiProperty() created_at!: string;
  @ApiProperty({ type: String, nullable: true }) started_at!: string | null;
  @ApiProperty({ type: String, nullable: true }) completed_at!: string | null;
  @ApiPropertyOptional({
    type: InputWarningsDto,
    description:
      'On create only: cases that will end as render_error because their inputs lack a variable.',
  })
  input_warnings?: InputWarningsDto;
}

export class EvaluationPageDto extends PageOf(EvaluationResponseDto) {}

export class EvaluationResultDto {
  @ApiProperty() id!: number;
  @ApiProperty() test_case_id!: number;
  @ApiProperty() repeat_index!: number;
  @ApiProperty({ enum: RESULT_STATUSES }) status!: ResultStatus;
  @ApiProperty({ type: String, nullable: true }) output!: string | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: jsonValueRef(),
    nullable: true,
    description:
      "The output fields read from the answer, by name, when the prompt has an output signature; each value has its field's declared type. null otherwise, or when the answer did not parse.",
  })
  parsed_output!: unknown;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'number', nullable: true },
    description:
      'Per metric key: the score in [0, 1], or null when the metric did not score this case (a reference metric on a case without an expected value: see `details`).',
  })
  scores!: Record<string, number | null>;
  @ApiProperty({
    type: 'object',
    additionalProperties: {
      type: 'object',
      additionalProperties: true,
      description: 'Free-form: the diagnostics one metric writes.',
    },
    nullable: true,
    description:
      "Per metric key: the metric's diagnostics (a judge's reasoning, why a metric did not score). Free-form: each metric writes its own fields.",
  })
  details!: Record<string, unknown> | null;
  @ApiProperty({ type: Number, nullable: true, description: 'Weighted score.' }) score!:
    number | null;
  @ApiProperty({ type: Boolean, nullable: true }) passed!: boolean | null;
  @ApiProperty({ type: String, nullable: true }) error!: string | null;
  @ApiProperty({ type: Number, nullable: true }) latency_ms!: number | null;
  @ApiProperty() tokens_in!: number;
  @ApiProperty() tokens_out!: number;
  @ApiProperty() cost!: number;
  @ApiProperty() cached!: boolean;
}

export class EvaluationResultPageDto extends PageOf(EvaluationResultDto) {}

export class ComparisonResponseDto {
  @ApiProperty({ type: [Number] }) evaluation_ids!: number[];
  @ApiProperty({
    enum: ['completed', 'running'],
    description: 'completed, or running when the runs have not finished yet.',
  })
  status!: 'completed' | 'running';
  @ApiProperty({
    type: PairedComparisonDto,
    nullable: true,
    description: 'Paired comparison (B − A); null while the runs have not finished.',
  })
  comparison!: Record<string, unknown> | null;
}
