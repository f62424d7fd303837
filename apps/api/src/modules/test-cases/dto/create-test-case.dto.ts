import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsNotEmpty,
  IsString,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { IsPlainObject, Nullable, Optional, Trim } from '../../../http/dto/transforms';
import { IdField } from '../../../http/dto/integer-fields';

/** A test case's own fields, as sent alone or as an item of a bulk request. */
export class TestCaseFieldsDto {
  @ApiPropertyOptional({
    maxLength: 200,
    example: 'News article test',
    description: 'Unique in the project (case-insensitive); generated when omitted.',
  })
  @Optional()
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({ maxLength: 10_000 })
  @Optional()
  @IsString()
  @MaxLength(10_000)
  description?: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    example: { text: 'Long news article text...', max_words: 100 },
  })
  @IsPlainObject()
  inputs!: Record<string, unknown>;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    example: { summary: 'Expected summary...' },
  })
  @Optional()
  @IsPlainObject()
  expected_outputs?: Record<string, unknown>;

  @ApiPropertyOptional({ type: [String], example: ['regression'] })
  @Optional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @IsNotEmpty({ each: true })
  @MaxLength(50, { each: true })
  tags?: string[];

  @ApiPropertyOptional({ default: false, description: 'Golden cases form the regression set.' })
  @Optional()
  @IsBoolean()
  is_golden?: boolean;

  @ApiPropertyOptional({ description: 'When set, inputs are checked against its input schema.' })
  @Optional()
  @IdField()
  signature_id?: number;
}

export class CreateTestCaseDto extends TestCaseFieldsDto {
  @ApiProperty({ example: 1 })
  @IdField()
  project_id!: number;
}

export class BulkCreateTestCasesDto {
  @ApiProperty({ example: 1 })
  @IdField()
  project_id!: number;

  @ApiProperty({ type: [TestCaseFieldsDto], description: 'Created all together or not at all.' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100_000)
  @ValidateNested({ each: true })
  @Type(() => TestCaseFieldsDto)
  test_cases!: TestCaseFieldsDto[];
}

export class UpdateTestCaseDto {
  @ApiPropertyOptional({ maxLength: 200 })
  @Optional()
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 10_000 })
  @Nullable()
  @IsString()
  @MaxLength(10_000)
  description?: string | null;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @Optional()
  @IsPlainObject()
  inputs?: Record<string, unknown>;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @Optional()
  @IsPlainObject()
  expected_outputs?: Record<string, unknown>;

  @ApiPropertyOptional({ type: [String] })
  @Optional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @IsNotEmpty({ each: true })
  @MaxLength(50, { each: true })
  tags?: string[];

  @ApiPropertyOptional()
  @Optional()
  @IsBoolean()
  is_golden?: boolean;

  @ApiPropertyOptional({ type: Number, nullable: true })
  @Nullable()
  @IdField()
  signature_id?: number | null;
}
