import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { IsPlainObject, Trim } from '../../../http/dto/transforms';

/** A test case's own fields, as sent alone or as an item of a bulk request. */
export class TestCaseFieldsDto {
  @ApiPropertyOptional({
    maxLength: 200,
    example: 'News article test',
    description: 'Unique in the project (case-insensitive); generated when omitted.',
  })
  @IsOptional()
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({ maxLength: 10_000 })
  @IsOptional()
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
  @IsOptional()
  @IsPlainObject()
  expected_outputs?: Record<string, unknown>;

  @ApiPropertyOptional({ type: [String], example: ['regression'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @IsNotEmpty({ each: true })
  @MaxLength(50, { each: true })
  tags?: string[];

  @ApiPropertyOptional({ default: false, description: 'Golden cases form the regression set.' })
  @IsOptional()
  @IsBoolean()
  is_golden?: boolean;

  @ApiPropertyOptional({ description: 'When set, inputs are checked against its input schema.' })
  @IsOptional()
  @IsInt()
  @Min(1)
  signature_id?: number;
}

export class CreateTestCaseDto extends TestCaseFieldsDto {
  @ApiProperty({ example: 1 })
  @IsInt()
  @Min(1)
  project_id!: number;
}

export class BulkCreateTestCasesDto {
  @ApiProperty({ example: 1 })
  @IsInt()
  @Min(1)
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
  @IsOptional()
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 10_000 })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsString()
  @MaxLength(10_000)
  description?: string | null;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IsOptional()
  @IsPlainObject()
  inputs?: Record<string, unknown>;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IsOptional()
  @IsPlainObject()
  expected_outputs?: Record<string, unknown>;

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @IsNotEmpty({ each: true })
  @MaxLength(50, { each: true })
  tags?: string[];

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  is_golden?: boolean;

  @ApiPropertyOptional({ type: Number, nullable: true })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsInt()
  @Min(1)
  signature_id?: number | null;
}
