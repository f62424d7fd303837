import { ApiExtraModels, ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { RESULT_STATUSES } from '@ps/database';
import { ModelConfigDto } from '../../prompts/dto/prompt-parts.dto';

/*
 * The JSON columns of an evaluation as the API shows them: `summary` (what libs/metrics'
 * SummaryBuilder and the run's summary accumulator build), `settings` (the stored scoring
 * settings) and the paired comparison. A unit test checks these schemas against real objects.
 */

export class StatSummaryDto {
  @ApiProperty({ type: 'integer', minimum: 0, description: 'Values counted.' }) count!: number;
  @ApiProperty({ type: Number, nullable: true }) mean!: number | null;
  @ApiProperty({ type: Number, nullable: true }) median!: number | null;
  @ApiProperty({ type: Number, nullable: true }) min!: number | null;
  @ApiProperty({ type: Number, nullable: true }) max!: number | null;
  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'Sample standard deviation (n − 1); 0 for a single value.',
  })
  std!: number | null;
  @ApiProperty({
    type: 'array',
    items: { type: 'number' },
    minItems: 2,
    maxItems: 2,
    nullable: true,
    description: '95% percentile-bootstrap confidence interval of the mean: [low, high].',
  })
  ci95!: [number, number] | null;
}

/** A count (an integer from 0). */
const Count = (description: string) => ApiProperty({ type: 'integer', minimum: 0, description });

export class StatusCountsDto {
  @Count('Answered, parsed and scored.') ok!: number;
  @Count('The provider failed.') infra_error!: number;
  @Count('The answer did not match the output signature.') parse_error!: number;
  @Count('The provider did not answer in time.') timeout!: number;
  @Count('The inputs lacked a template variable: never sent.') render_error!: number;
}

export class NotScoredDto {
  @Count('ok cases no metric could score (left out of pass rate and means).')
  cases!: number;

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'integer', minimum: 0 },
    description: 'Per metric key: ok cases it did not score (no expected value to compare with).',
  })
  metrics!: Record<string, number>;
}

export class TokenTotalsDto {
  @Count('Prompt tokens.') input!: number;
  @Count('Completion tokens.') output!: number;
  @Count('input + output.') total!: number;
}

export class LatencySummaryDto {
  @ApiProperty({ type: Number, nullable: true }) p50!: number | null;
  @ApiProperty({ type: Number, nullable: true }) p95!: number | null;
  @ApiProperty({ type: Number, nullable: true }) mean!: number | null;
}

export class HistogramDto {
  @ApiProperty({
    type: 'array',
    items: { type: 'integer', minimum: 0 },
    minItems: 10,
    maxItems: 10,
    description: 'Weighted scores of ok cases in 10 bins over [0, 1]: [0, 0.1), …, [0.9, 1.0].',
  })
  bins!: number[];
}

export class RepeatSummaryDto {
  @ApiProperty({ type: 'integer', minimum: 1 }) runs_per_case!: number;
  @Count('Cases run.') cases!: number;
  @ApiProperty({ type: Number, nullable: true, description: 'Mean of per-case pass rates.' })
  mean_pass_rate!: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'Mean of per-case score variances.' })
  mean_variance!: number | null;
  @Count('Cases that passed in some runs and failed in others.')
  inconsistent_cases!: number;
}

@ApiExtraModels(StatSummaryDto)
export class EvaluationSummaryDto {
  @Count('(case, repeat) runs.') total!: number;
  @ApiProperty({
    type: StatusCountsDto,
    description: `Runs by status (${RESULT_STATUSES.join(', ')}).`,
  })
  counts!: StatusCountsDto;
  @ApiProperty({ type: NotScoredDto }) not_scored!: NotScoredDto;
  @Count('Passing ok cases.') passed!: number;
  @Count('Scored ok cases that did not pass.') failed!: number;
  @ApiProperty({
    type: Number,
    nullable: true,
    minimum: 0,
    maximum: 1,
    description: 'passed / scored ok cases; null without any.',
  })
  pass_rate!: number | null;
  @ApiProperty({ type: StatSummaryDto, description: 'Weighted scores of ok cases.' })
  score!: StatSummaryDto;
  @ApiProperty({
    type: 'object',
    additionalProperties: { $ref: getSchemaPath(StatSummaryDto) },
    description:
      'Per metric key (`name`, or `name:field`): per-case metrics over ok cases; dataset metrics ' +
      '(accuracy, f1_score, …) carry the statistic as mean with its interval.',
  })
  metrics!: Record<string, StatSummaryDto>;
  @ApiProperty({ type: TokenTotalsDto, description: 'Over all runs, whatever their status.' })
  tokens!: TokenTotalsDto;
  @ApiProperty({ description: 'USD from the price table, over all runs.' }) cost!: number;
  @Count('Runs answered from the response cache.') cached!: number;
  @ApiProperty({ type: LatencySummaryDto, description: 'Milliseconds, over runs with a latency.' })
  latency_ms!: LatencySummaryDto;
  @ApiProperty({ type: HistogramDto }) histogram!: HistogramDto;
  @ApiPropertyOptional({ type: RepeatSummaryDto, description: 'When cases ran more than once.' })
  repeats?: RepeatSummaryDto;
}

export class MetricSettingDto {
  @ApiProperty({ example: 'exact_match', description: 'A name from GET /metrics/list.' })
  name!: string;
  @ApiProperty({ minimum: 0, maximum: 1000 }) weight!: number;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description:
      'Free-form: the options of this metric, as GET /metrics/list describes them (each metric ' +
      'has its own).',
  })
  options!: Record<string, unknown>;
  @ApiPropertyOptional({ description: 'The output field it compares (signature prompts).' })
  field?: string;
}

/** What a run was created with: the `metrics_config` column. */
export class EvaluationSettingsDto {
  @ApiProperty({ type: [MetricSettingDto] }) metrics!: MetricSettingDto[];
  @ApiProperty({ minimum: 0, maximum: 1 }) pass_threshold!: number;
  @ApiProperty({ type: 'integer', minimum: 1, maximum: 1000 }) concurrency!: number;
  @ApiProperty({ type: 'integer', minimum: 1, maximum: 100 }) repeats!: number;
  @ApiPropertyOptional({ type: ModelConfigDto, description: 'Grades llm_judge metrics.' })
  judge_model_config?: ModelConfigDto;
  @ApiPropertyOptional({ type: ModelConfigDto, description: 'Embeds for semantic_similarity.' })
  embedding_model_config?: ModelConfigDto;
  @ApiProperty({ type: 'integer', description: 'Seed of the bootstrap intervals.' }) seed!: number;
}

export class McNemarDto {
  @Count('Pairs where A passes and B fails.') b!: number;
  @Count('Pairs where A fails and B passes.') c!: number;
  @ApiProperty() statistic!: number;
  @ApiProperty({ minimum: 0, maximum: 1 }) p_value!: number;
  @ApiProperty({ enum: ['exact', 'chi_square'] }) method!: 'exact' | 'chi_square';
}

export class MetricDeltaDto {
  @ApiProperty({ type: Number, nullable: true }) mean_a!: number | null;
  @ApiProperty({ type: Number, nullable: true }) mean_b!: number | null;
  @ApiProperty({ type: Number, nullable: true }) delta!: number | null;
}

export class CaseDeltaDto {
  @ApiProperty({ example: '12:0', description: '`<test_case_id>:<repeat_index>`.' }) key!: string;
  @ApiProperty() a!: number;
  @ApiProperty() b!: number;
  @ApiProperty({ description: 'b − a.' }) delta!: number;
}

export class VerdictDto {
  @ApiProperty() significant!: boolean;
  @ApiProperty({
    type: String,
    enum: ['a', 'b', null],
    nullable: true,
    description: 'The better run when the difference is significant.',
  })
  better!: 'a' | 'b' | null;
  @ApiProperty() text!: string;
}

@ApiExtraModels(MetricDeltaDto)
export class PairedComparisonDto {
  @Count('Cases scored in both runs.') shared!: number;
  @ApiProperty({ type: Number, nullable: true }) mean_a!: number | null;
  @ApiProperty({ type: Number, nullable: true }) mean_b!: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'mean_b − mean_a.' })
  delta!: number | null;
  @ApiProperty({
    type: 'array',
    items: { type: 'number' },
    minItems: 2,
    maxItems: 2,
    nullable: true,
    description: '95% paired-bootstrap interval of the mean difference b − a.',
  })
  ci95!: [number, number] | null;
  @Count('Cases where B beats A.') wins!: number;
  @Count('Cases within the tie margin.') ties!: number;
  @Count('Cases where A beats B.') losses!: number;
  @ApiProperty({ type: McNemarDto }) mcnemar!: McNemarDto;
  @ApiProperty({
    type: 'object',
    additionalProperties: { $ref: getSchemaPath(MetricDeltaDto) },
    description: 'Per metric present in both runs.',
  })
  metrics!: Record<string, MetricDeltaDto>;
  @ApiProperty({ type: [CaseDeltaDto], description: 'Shared cases by |delta|, largest first.' })
  cases!: CaseDeltaDto[];
  @ApiProperty({ type: VerdictDto }) verdict!: VerdictDto;
}
