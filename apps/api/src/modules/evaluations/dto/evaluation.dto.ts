import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsString,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { RESULT_STATUSES, RUN_STATUSES, type ResultStatus, type RunStatus } from '@ps/database';
import { PageOf } from '../../../http/dto/page.dto';
import { PageQueryDto } from '../../../http/dto/page-query.dto';
import {
  IsPlainObject,
  Optional,
  QueryBoolean,
  QueryInt,
  Trim,
} from '../../../http/dto/transforms';
import { ModelConfigDto } from '../../prompts/dto/prompt-parts.dto';

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

/** Which test cases a run uses: explicit ids, golden ones, by tags, or (default) all of the project. */
export class TestCaseSelectionDto {
  @ApiPropertyOptional({ type: [Number] })
  @Optional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100_000)
  @IsInt({ each: true })
  @Min(1, { each: true })
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

  @ApiPropertyOptional({ type: [MetricSpecDto], description: 'Default: exact_match.' })
  @Optional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => MetricSpecDto)
  metrics?: MetricSpecDto[];

  @ApiPropertyOptional({ default: 0.5, minimum: 0, maximum: 1 })
  @Optional()
  @IsNumber()
  @Min(0)
  @Max(1)
  pass_threshold?: number;

  @ApiPropertyOptional({ default: 4, minimum: 1, description: 'Model calls in flight at once.' })
  @Optional()
  @IsInt()
  @Min(1)
  concurrency?: number;

  @ApiPropertyOptional({
    default: 1,
    minimum: 1,
    maximum: 100,
    description: 'Runs per case (cache bypassed); reports per-case pass rate and variance.',
  })
  @Optional()
  @IsInt()
  @Min(1)
  @Max(100)
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
  @IsInt()
  @Min(1)
  @Max(10)
  priority?: number;
}

export class CreateEvaluationDto extends ScoringDto {
  @ApiProperty()
  @IsInt()
  @Min(1)
  prompt_id!: number;

  @ApiPropertyOptional({ description: 'Version number; the current version by default.' })
  @Optional()
  @IsInt()
  @Min(1)
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
  @QueryInt()
  @IsInt()
  @Min(1)
  project_id?: number;

  @ApiPropertyOptional()
  @Optional()
  @QueryInt()
  @IsInt()
  @Min(1)
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

export const REPORT_FORMATS = ['json', 'csv', 'md', 'html', 'pdf'] as const;

export class ReportQueryDto {
  @ApiPropertyOptional({ enum: REPORT_FORMATS, default: 'json' })
  @Optional()
  @IsIn(REPORT_FORMATS)
  format?: (typeof REPORT_FORMATS)[number];

  @ApiPropertyOptional({ description: 'Another evaluation: a comparison report (this one is A).' })
  @Optional()
  @QueryInt()
  @IsInt()
  @Min(1)
  compare_to?: number;
}

/** An optional pair of positive ids (A, then B). */
const TwoIds = () =>
  applyDecorators(
    Optional(),
    IsArray(),
    ArrayMinSize(2),
    ArrayMaxSize(2),
    IsInt({ each: true }),
    Min(1, { each: true }),
  );

export class CompareEvaluationsDto extends ScoringDto {
  @ApiPropertyOptional({ type: [Number], description: 'Two finished evaluations: A then B.' })
  @TwoIds()
  evaluation_ids?: number[];

  @ApiPropertyOptional({
    type: [Number],
    description: 'Two prompts (current versions) to run and compare.',
  })
  @TwoIds()
  prompt_ids?: number[];

  @ApiPropertyOptional({
    type: [Number],
    description: 'Two prompt version ids to run and compare.',
  })
  @TwoIds()
  version_ids?: number[];
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
    type: 'object',
    additionalProperties: true,
    description: 'Metrics, weights, threshold, concurrency, repeats.',
  })
  settings!: Record<string, unknown>;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
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
}

export class EvaluationPageDto extends PageOf(EvaluationResponseDto) {}

export class EvaluationResultDto {
  @ApiProperty() id!: number;
  @ApiProperty() test_case_id!: number;
  @ApiProperty() repeat_index!: number;
  @ApiProperty({ enum: RESULT_STATUSES }) status!: ResultStatus;
  @ApiProperty({ type: String, nullable: true }) output!: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true })
  parsed_output!: unknown;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'number' } }) scores!: Record<
    string,
    number
  >;
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
  @ApiProperty({ description: 'completed, or running when the runs have not finished yet.' })
  status!: 'completed' | 'running';
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description: 'Paired comparison (B − A).',
  })
  comparison!: Record<string, unknown> | null;
}
