import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ERROR_CODES, type ErrorCode } from '@ps/common';
import type { LlmErrorKind } from '@ps/llm';

/** How a model call failed (provider_error, provider_timeout). */
const LLM_ERROR_KINDS = [
  'rate_limited',
  'auth',
  'quota',
  'not_found',
  'timeout',
  'server',
  'bad_request',
] as const satisfies readonly LlmErrorKind[];
// …and every kind is listed.
({}) as Record<LlmErrorKind, true> satisfies Record<(typeof LLM_ERROR_KINDS)[number], true>;

export class FieldErrorDto {
  @ApiProperty({ example: 'name' })
  field!: string;

  @ApiProperty({ example: 'name must be a string' })
  message!: string;
}

/** RFC 9457 problem document returned by every error response. */
export class ProblemDto {
  @ApiProperty({ example: 'urn:prompt-studio:problem:validation_failed' })
  type!: string;

  @ApiProperty({ example: 'Validation failed' })
  title!: string;

  @ApiProperty({ example: 400 })
  status!: number;

  @ApiProperty({ example: 'The request is not valid.' })
  detail!: string;

  @ApiPropertyOptional({ example: '/api/v1/prompt-studio/projects/create' })
  instance?: string;

  @ApiProperty({ enum: ERROR_CODES, enumName: 'ErrorCode' })
  code!: ErrorCode;

  @ApiPropertyOptional({ example: '0b6e0c1e-7d0c-4bd6-9f3e-3b8a7f1f2d4c' })
  request_id?: string;

  @ApiPropertyOptional({ type: [FieldErrorDto] })
  errors?: FieldErrorDto[];

  // Extensions, by code.

  @ApiPropertyOptional({
    type: 'integer',
    description: 'rate_limited: seconds until the limit resets (also in Retry-After).',
  })
  retry_after?: number;

  @ApiPropertyOptional({ type: 'integer', description: 'payload_too_large (uploads): the limit.' })
  limit_bytes?: number;

  @ApiPropertyOptional({ type: 'integer', description: 'limit_exceeded: the limit.' })
  limit?: number;

  @ApiPropertyOptional({ type: 'integer', description: 'limit_exceeded: what there is already.' })
  existing?: number;

  @ApiPropertyOptional({ type: 'integer', description: 'limit_exceeded: what was asked for.' })
  requested?: number;

  @ApiPropertyOptional({
    enum: LLM_ERROR_KINDS,
    description: 'provider_error, provider_timeout: how the model call failed.',
  })
  kind?: (typeof LLM_ERROR_KINDS)[number];

  @ApiPropertyOptional({ description: 'provider_error, provider_timeout: the provider.' })
  provider?: string;

  @ApiPropertyOptional({ description: 'provider_error, provider_timeout: the model.' })
  model?: string;

  @ApiPropertyOptional({
    type: 'integer',
    description: 'provider_error: the HTTP status the provider answered, when it answered.',
  })
  upstream_status?: number;

  @ApiPropertyOptional({ type: 'integer', description: 'provider_error: attempts made.' })
  attempts?: number;

  @ApiPropertyOptional({
    allOf: [{ $ref: '#/components/schemas/ImportReportDto' }],
    description: 'validation_failed of an atomic import: what the import found, row by row.',
  })
  report?: Record<string, unknown>;
}
