import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {} from 'class-validator';
import { IsPlainObject, Optional } from '../../../http/dto/transforms';
import { FieldErrorDto } from '../../../http/problem.dto';

export class ValidateSignatureDto {
  @ApiProperty({ type: 'object', additionalProperties: true, example: { question: 'Why?' } })
  @IsPlainObject()
  inputs!: Record<string, unknown>;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'Also check outputs against the output schema.',
  })
  @Optional()
  @IsPlainObject()
  outputs?: Record<string, unknown>;
}

export class SignatureValidationResponseDto {
  @ApiProperty()
  valid!: boolean;

  @ApiProperty({ type: [FieldErrorDto] })
  errors!: FieldErrorDto[];

  @ApiProperty({ type: [String], description: 'Keys not declared by the schema (allowed).' })
  unknown_fields!: string[];
}
