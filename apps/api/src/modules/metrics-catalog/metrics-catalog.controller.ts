import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { jsonValueRef } from '../../http/dto/json-value';
import { Type } from 'class-transformer';
import {
  Allow,
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsString,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { ValidationFailedError } from '@ps/common';
import { LlmClient, llmErrorToDomain } from '@ps/llm';
import {
  computeMetric,
  listMetrics,
  MetricError,
  type MetricContext,
  MetricUnavailableError,
} from '@ps/metrics';
import { RequirePermission } from '../../auth/permissions';
import { ApiProblems } from '../../http/api-problems.decorator';
import { IsPlainObject, Optional } from '../../http/dto/transforms';
import { ModelConfigDto } from '../prompts/dto/prompt-parts.dto';
import { ApiBodyExamples } from '../../http/api-body-examples.decorator';
import { COMPUTE_METRIC_EXAMPLES } from '../../openapi/request-examples';

class MetricPairDto {
  @ApiProperty({
    allOf: [jsonValueRef()],
    description: 'Model output: a string, or any JSON value for JSON metrics.',
  })
  @Allow()
  output!: unknown;

  @ApiPropertyOptional({
    allOf: [jsonValueRef()],
    description: 'Expected value (for regex_match, the pattern when none is given).',
  })
  @Allow()
  expected!: unknown;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'Case inputs (llm_judge).',
  })
  @Optional()
  @IsPlainObject()
  inputs?: Record<string, unknown>;
}

class ComputeMetricDto {
  @ApiProperty({ example: 'token_overlap' })
  @IsString()
  @MaxLength(100)
  metric!: string;

  @ApiProperty({ type: [MetricPairDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10_000)
  @ValidateNested({ each: true })
  @Type(() => MetricPairDto)
  pairs!: MetricPairDto[];

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @Optional()
  @IsPlainObject()
  options?: Record<string, unknown>;

  @ApiPropertyOptional({ type: ModelConfigDto, description: 'Judge model for llm_judge.' })
  @Optional()
  @IsPlainObject()
  judge_model_config?: Record<string, unknown>;

  @ApiPropertyOptional({
    type: ModelConfigDto,
    description: 'Embedding model for semantic_similarity.',
  })
  @Optional()
  @IsPlainObject()
  embedding_model_config?: Record<string, unknown>;
}

class MetricComputationDto {
  @ApiProperty() metric!: string;
  @ApiProperty({ enum: ['per_case', 'dataset'] }) kind!: string;
  @ApiProperty({
    type: 'array',
    items: { type: 'number', nullable: true },
    description: 'Per pair; null where not scored.',
  })
  scores!: (number | null)[];
  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'Mean of scores, or the dataset statistic.',
  })
  value!: number | null;
  @ApiPropertyOptional({
    type: 'array',
    items: {
      type: 'object',
      nullable: true,
      additionalProperties: true,
      description: 'Free-form: the diagnostics the metric wrote for this pair.',
    },
    description:
      "Per-case metrics: per pair, aligned with scores, what the metric noted (a judge's " +
      'reasoning, why a pair was not scored); null where it noted nothing.',
  })
  details?: unknown[];
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description:
      'Dataset metrics: free-form details of the statistic (counts, per-label scores), each ' +
      'metric its own.',
  })
  summary?: Record<string, unknown>;
}

class MetricOptionDto {
  @ApiProperty() name!: string;
  @ApiProperty({
    enum: ['boolean', 'number', 'integer', 'string', 'enum', 'object', 'label', 'number_pair'],
  })
  type!: string;
  @ApiPropertyOptional({ type: [String], description: 'Allowed values of an `enum` option.' })
  values?: readonly string[];
  @ApiProperty({
    allOf: [jsonValueRef()],
    description: 'Default value; null when the option has none.',
  })
  default!: unknown;
  @ApiProperty() required!: boolean;
  @ApiProperty() description!: string;
}

class MetricInfoDto {
  @ApiProperty({ example: 'exact_match' }) name!: string;
  @ApiProperty({
    enum: ['per_case', 'dataset'],
    description: 'per_case: one score per pair, averaged; dataset: one statistic over all pairs.',
  })
  kind!: string;
  @ApiProperty({ description: 'It calls a model (embeddings or a judge).' }) async!: boolean;
  @ApiPropertyOptional({ enum: ['embeddings', 'judge'], isArray: true })
  requires?: string[];
  @ApiProperty({ type: [MetricOptionDto] }) options!: MetricOptionDto[];
  @ApiProperty() description!: string;
  @ApiProperty({
    type: 'array',
    items: { type: 'number', nullable: true },
    minItems: 2,
    maxItems: 2,
    description: 'Range of the value: [min, max]; max null when unbounded.',
  })
  range!: [number, number | null];
}

class MetricListDto {
  @ApiProperty({ type: [MetricInfoDto] })
  items!: MetricInfoDto[];
}

const finiteOrNull = (n: number) => (Number.isFinite(n) ? n : null);

@ApiTags('metrics')
@Controller('metrics')
export class MetricsCatalogController {
  constructor(private readonly llm: LlmClient) {}

  /** Every metric: name, kind (per_case or dataset), options with defaults, description. */
  @Get('list')
  @ApiOperation({
    summary: 'List the metrics',
    description:
      'Every metric: name, kind (per_case or dataset), options with defaults, description.',
  })
  @RequirePermission('read')
  @ApiOkResponse({ type: MetricListDto })
  @ApiProblems()
  listMetrics(): MetricListDto {
    return { items: listMetrics() };
  }

  /** A validated model config; a bad one is a 400 naming `<field>.<what>`. */
  private modelOf(input: Record<string, unknown>, field: string, purpose: 'chat' | 'embed') {
    try {
      return this.llm.validate(input, purpose);
    } catch (err) {
      throw llmErrorToDomain(err, field);
    }
  }

  /** Compute one metric over pairs: per-case scores and their mean, or the dataset statistic. */
  @Post('compute')
  @ApiOperation({
    summary: 'Compute one metric over pairs',
    description:
      'Compute one metric over pairs: per-case scores and their mean, or the dataset statistic.',
  })
  @RequirePermission('read')
  @HttpCode(200)
  @ApiOkResponse({ type: MetricComputationDto })
  @ApiProblems(502, 504)
  @ApiBodyExamples(ComputeMetricDto, COMPUTE_METRIC_EXAMPLES)
  async computeMetric(@Body() dto: ComputeMetricDto): Promise<MetricComputationDto> {
    const ctx: MetricContext = {};
    if (dto.judge_model_config) {
      const judge = this.modelOf(dto.judge_model_config, 'judge_model_config', 'chat');
      ctx.judge = async (messages) => (await this.llm.chat(judge, messages)).text;
    }
    if (dto.embedding_model_config) {
      const embed = this.modelOf(dto.embedding_model_config, 'embedding_model_config', 'embed');
      ctx.embed = async (texts) => (await this.llm.embed(embed, texts)).vectors;
    }
    try {
      const result = await computeMetric(dto.metric, dto.pairs, dto.options, ctx);
      return {
        ...result,
        scores: result.scores.map(finiteOrNull),
        value: finiteOrNull(result.value),
      };
    } catch (err) {
      if (err instanceof MetricUnavailableError) {
        // The metric is fine; the request lacks the model it needs (as POST /evaluations/create
        // says for embedding_model_config).
        throw new ValidationFailedError(
          err.missing.map((port) => ({
            field: port === 'embeddings' ? 'embedding_model_config' : 'judge_model_config',
            message: err.message,
          })),
          err.message,
        );
      }
      if (err instanceof MetricError) {
        throw new ValidationFailedError(
          err.errors.map((e) => ({
            field: e.field === 'name' ? 'metric' : e.field,
            message: e.message,
          })),
          err.message,
        );
      }
      throw llmErrorToDomain(err);
    }
  }
}
