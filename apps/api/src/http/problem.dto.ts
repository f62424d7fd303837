import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ERROR_CODES, type ErrorCode } from '@ps/common';

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
}
