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
import {
  CANDIDATE_STATUSES,
  RUN_STATUSES,
  type CandidateStatus,
  type RunStatus,
} from '@ps/database';
import { PageOf } from '../../../http/dto/page.dto';
import { PageQueryDto } from '../../../http/dto/page-query.dto';
import { IdField, IntField, VersionField } from '../../../http/dto/integer-fields';
import { IsPlainObject, Optional, Trim } from '../../../http/dto/transforms';
import {
  MetricSpecDto,
  MetricSpecsField,
  PassThresholdField,
} from '../../evaluations/dto/evaluation.dto';
import { FewShotExampleDto, ModelConfigDto } from '../../prompts/dto/prompt-parts.dto';

/** Limits a run never crosses; any subset. Every model call (task, proposer, judge) counts. */
export class BudgetDto {
  @ApiPropertyOptional({ description: 'Model calls of every role.' })
  @Optional()
  @IntField({ min: 1, max: 1_000_000 })
  max_llm_calls?: number;

  @ApiPropertyOptional({ description: 'Input plus output tokens of every call.' })
  @Optional()
  @IntField({ min: 1, max: 1_000_000_000 })
  max_tokens?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: 100_000, description: 'US dollars (price table).' })
  @Optional()
  @IsNumber()
  @Min(0)
  @Max(100_000)
  max_usd?: number;

  @ApiPropertyOptional({ description: "Iterations of the strategy's search loop." })
  @Optional()
  @IntField({ min: 1, max: 100_000 })
  max_iterations?: number;

  @ApiPropertyOptional({ description: 'Wall-clock seconds.' })
  @Optional()
  @IntField({ min: 1, max: 7 * 24 * 3600 })
  max_duration_s?: number;
}

export class CreateOptimizationDto {
  @ApiProperty()
  @IdField()
  prompt_id!: number;

  @ApiPropertyOptional({
    description: 'Version number to start from; the current version by default.',
  })
  @Optional()
  @VersionField()
  version?: number;

  @ApiPropertyOptional({ maxLength: 200 })
  @Optional()
  @Trim()
  @IsString()
  @MaxLength(200)
  name?: string;

  @ApiProperty({
    example: 'iterative',
    description: 'A strategy from GET /optimizations/strategies.',
  })
  @IsString()
  @MaxLength(50)
  strategy!: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description:
      "The strategy's parameters (see GET /optimizations/strategies for names, types, defaults and ranges). Free-form here; validated per strategy.",
  })
  @Optional()
  @IsPlainObject()
  strategy_params?: Record<string, unknown>;

  @ApiPropertyOptional({
    type: ModelConfigDto,
    description: "The task model; the version's model_config by default.",
  })
  @Optional()
  @IsPlainObject()
  model_config?: Record<string, unknown>;

  @ApiPropertyOptional({
    type: ModelConfigDto,
    description:
      'The model that writes instructions, critiques and mutations; the task model by default.',
  })
  @Optional()
  @IsPlainObject()
  proposer_model_config?: Record<string, unknown>;

  @ApiPropertyOptional({ type: ModelConfigDto, description: 'Grades llm_judge metrics.' })
  @Optional()
  @IsPlainObject()
  judge_model_config?: Record<string, unknown>;

  @ApiPropertyOptional({
    type: [ModelConfigDto],
    description: 'hyperparameter: the models it may choose among.',
  })
  @Optional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsPlainObject({ each: true })
  models_to_test?: Record<string, unknown>[];

  @MetricSpecsField()
  metrics?: MetricSpecDto[];

  @PassThresholdField()
  pass_threshold?: number;

  @ApiPropertyOptional({ type: BudgetDto, description: "Default: the strategy's max_llm_calls." })
  @Optional()
  @ValidateNested()
  @Type(() => BudgetDto)
  budget?: BudgetDto;

  @ApiPropertyOptional({
    default: 1,
    description: 'Seeds every random choice: same seed, same run.',
  })
  @Optional()
  @IntField({ min: 0, max: 2_147_483_647 })
  seed?: number;

  @ApiPropertyOptional({
    description: 'Cases to learn on. Default: the cases not used for validation.',
  })
  @Optional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10_000)
  @IdField({ each: true })
  train_case_ids?: number[];

  @ApiPropertyOptional({
    description:
      'Cases that choose the winner. Default: the golden cases, else a seeded 30% holdout.',
  })
  @Optional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10_000)
  @IdField({ each: true })
  validation_case_ids?: number[];

  @ApiPropertyOptional({
    default: 0.3,
    minimum: 0.05,
    maximum: 0.9,
    description: 'Share of cases held out for validation when no golden cases exist.',
  })
  @Optional()
  @IsNumber()
  @Min(0.05)
  @Max(0.9)
  holdout?: number;

  @ApiPropertyOptional({
    default: false,
    description: 'Make the winner the current version, only when the gain is significant.',
  })
  @Optional()
  @IsBoolean()
  auto_promote?: boolean;

  @ApiPropertyOptional({ minimum: 1, maximum: 10, default: 5 })
  @Optional()
  @IntField({ min: 1, max: 10 })
  priority?: number;
}

export class ListOptimizationsQueryDto extends PageQueryDto {
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

  @ApiPropertyOptional()
  @Optional()
  @IsString()
  @MaxLength(50)
  strategy?: string;
}

export class ListCandidatesQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: CANDIDATE_STATUSES })
  @Optional()
  @IsIn(CANDIDATE_STATUSES)
  status?: CandidateStatus;
}

export class ParameterSpecDto {
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ['integer', 'number', 'boolean', 'string', 'enum', 'array'] }) type!: string;
  @ApiProperty() description!: string;
  @ApiProperty({
    description: 'Default value, of the type in `type`.',
    nullable: true,
    oneOf: [
      { type: 'number' },
      { type: 'string' },
      { type: 'boolean' },
      { type: 'array', items: { oneOf: [{ type: 'string' }, { type: 'number' }] } },
    ],
  })
  default!: unknown;
  @ApiPropertyOptional({ type: Number }) minimum?: number;
  @ApiPropertyOptional({ type: Number }) maximum?: number;
  @ApiPropertyOptional({ type: [String] }) values?: string[];
  @ApiPropertyOptional({
    enum: ['string', 'number', 'integer'],
    description: 'For `array`: the type of its items.',
  })
  items?: 'string' | 'number' | 'integer';
  @ApiPropertyOptional({ type: Number, description: 'For `array`: fewest items.' })
  minItems?: number;
  @ApiPropertyOptional({ type: Number, description: 'For `array`: most items.' })
  maxItems?: number;
  @ApiPropertyOptional({ description: 'Accepts null, meaning "not set".' })
  nullable?: boolean;
}

export class StrategyDto {
  @ApiProperty() name!: string;
  @ApiProperty() description!: string;
  @ApiProperty({ description: 'max_llm_calls when the budget sets no call, token or money limit.' })
  default_max_llm_calls!: number;
  @ApiProperty({
    description: 'False when this deployment does not allow the strategy (MCTS gate).',
  })
  enabled!: boolean;
  @ApiPropertyOptional({ type: String, nullable: true, description: 'How to enable it.' })
  enable_hint?: string | null;
  @ApiProperty({ type: [ParameterSpecDto] }) parameters!: ParameterSpecDto[];
}

export class StrategyListDto {
  @ApiProperty({ type: [StrategyDto] }) items!: StrategyDto[];
}

export class SplitScoreDto {
  @ApiProperty({ type: Number, nullable: true }) mean!: number | null;
  @ApiProperty({ type: [Number], nullable: true, description: '95% bootstrap interval.' })
  ci95!: [number, number] | null;
  @ApiProperty() n!: number;
}

export class ScoresBySplitDto {
  @ApiProperty({ type: SplitScoreDto, nullable: true }) train!: SplitScoreDto | null;
  @ApiProperty({ type: SplitScoreDto, nullable: true }) validation!: SplitScoreDto | null;
}

export class UsageDto {
  @ApiProperty() llm_calls!: number;
  @ApiProperty() tokens!: number;
  @ApiProperty() usd!: number;
  @ApiProperty() iterations!: number;
  @ApiProperty() duration_s!: number;
}

export class EstimateFigureDto {
  @ApiProperty() llm_calls!: number;
  @ApiProperty() tokens!: number;
  @ApiProperty() usd!: number;
}

export class OptimizationEstimateDto {
  @ApiProperty() strategy!: string;
  @ApiProperty({ type: BudgetDto, description: 'The budget that applies (defaults filled).' })
  budget!: BudgetDto;
  @ApiProperty({ type: EstimateFigureDto, description: 'What a typical run spends (dry run).' })
  expected!: EstimateFigureDto;
  @ApiProperty({
    type: EstimateFigureDto,
    description: 'The most the run can spend: the budget caps it.',
  })
  maximum!: EstimateFigureDto;
  @ApiProperty() train_cases!: number;
  @ApiProperty() validation_cases!: number;
}

export class ImprovementDto {
  @ApiProperty({ description: 'True only when the gain on validation is significant.' })
  improved!: boolean;
  @ApiProperty({ type: Number, nullable: true, description: 'best − baseline on validation.' })
  delta!: number | null;
  @ApiProperty({ type: [Number], nullable: true, description: '95% paired bootstrap interval.' })
  ci95!: [number, number] | null;
  @ApiProperty() verdict!: string;
}

export class SplitDto {
  @ApiProperty({ enum: ['explicit', 'golden', 'holdout'] }) method!: string;
  @ApiProperty({ type: [Number] }) train_case_ids!: number[];
  @ApiProperty({ type: [Number] }) validation_case_ids!: number[];
}

export class OptimizationResponseDto {
  @ApiProperty() id!: number;
  @ApiProperty() project_id!: number;
  @ApiProperty() prompt_id!: number;
  @ApiProperty({ type: String, nullable: true }) name!: string | null;
  @ApiProperty() strategy!: string;
  @ApiProperty({ enum: RUN_STATUSES }) status!: RunStatus;
  @ApiProperty({ description: 'Share of the budget spent, 0..100.' }) progress!: number;
  @ApiProperty() initial_version_id!: number;
  @ApiProperty({ type: Number, nullable: true, description: 'The version the winner became.' })
  optimized_version_id!: number | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description:
      'The request as stored (strategy params, budget, split, models). Free-form strategy parameters inside.',
  })
  config!: Record<string, unknown>;
  @ApiProperty({
    type: SplitDto,
    nullable: true,
    description: 'Which cases the run learned on and chose on (once it started).',
  })
  split!: SplitDto | null;
  @ApiProperty({ type: ScoresBySplitDto }) baseline!: ScoresBySplitDto;
  @ApiProperty({ type: ScoresBySplitDto }) best!: ScoresBySplitDto;
  @ApiProperty({ type: ImprovementDto, nullable: true }) improvement!: ImprovementDto | null;
  @ApiProperty() iterations_completed!: number;
  @ApiProperty({ type: UsageDto }) usage!: UsageDto;
  @ApiProperty({ type: BudgetDto }) budget!: BudgetDto;
  @ApiProperty({ type: OptimizationEstimateDto, nullable: true })
  estimate!: OptimizationEstimateDto | null;
  @ApiProperty() candidate_count!: number;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description:
      'Free-form: strategy-specific facts (MCTS tree metrics and trace, the hyperparameter Pareto set, …); each strategy documents its own.',
  })
  details!: Record<string, unknown> | null;
  @ApiProperty({ type: String, nullable: true }) error!: string | null;
  @ApiProperty({ type: Number, nullable: true }) job_id!: number | null;
  @ApiProperty() created_at!: string;
  @ApiProperty({ type: String, nullable: true }) started_at!: string | null;
  @ApiProperty({ type: String, nullable: true }) completed_at!: string | null;
}

export class OptimizationPageDto extends PageOf(OptimizationResponseDto) {}

export class CandidateScoresDto {
  @ApiPropertyOptional({ type: Number, nullable: true }) train?: number | null;
  @ApiPropertyOptional({ type: Number, nullable: true }) validation?: number | null;
  @ApiPropertyOptional({ type: Number, nullable: true }) minibatch?: number | null;
  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    description: 'Finalists: the mean on validation re-scored with fresh samples.',
  })
  rescored?: number | null;
}

export class CandidatePromptDto {
  @ApiProperty({ type: String, nullable: true }) system_prompt!: string | null;
  @ApiProperty() user_prompt!: string;
  @ApiProperty({ type: [FewShotExampleDto], description: 'Few-shot examples {inputs, outputs}.' })
  few_shot_examples!: unknown[];
  @ApiProperty({ type: ModelConfigDto }) model_config!: Record<string, unknown>;
}

export class CandidateResponseDto {
  @ApiProperty({ description: 'Sequential within the run; 0 is the starting prompt.' })
  candidate_id!: number;
  @ApiProperty({ type: [Number] }) parent_ids!: number[];
  @ApiProperty({ description: 'What made it: seed, reflect, mutate, crossover, bootstrap, …' })
  operator!: string;
  @ApiProperty() iteration!: number;
  @ApiProperty({ enum: CANDIDATE_STATUSES }) status!: CandidateStatus;
  @ApiProperty({ type: CandidateScoresDto }) scores!: CandidateScoresDto;
  @ApiProperty({ type: CandidatePromptDto }) candidate!: CandidatePromptDto;
  @ApiProperty({ type: String, nullable: true }) note!: string | null;
}

export class CandidatePageDto extends PageOf(CandidateResponseDto) {}
