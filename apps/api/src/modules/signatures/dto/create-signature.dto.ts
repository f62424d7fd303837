import { ApiProperty, ApiPropertyOptional, OmitType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsNotEmpty,
  IsString,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { IsPlainObject, Nullable, Optional, Trim } from '../../../http/dto/transforms';
import { SignatureFieldDto } from './signature-field.dto';
import { IdField } from '../../../http/dto/integer-fields';

export class CreateSignatureDto {
  @ApiProperty({ example: 1 })
  @IdField()
  project_id!: number;

  @ApiProperty({ maxLength: 200, example: 'QuestionAnswer' })
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name!: string;

  @ApiPropertyOptional({ example: 'Answer the question based on context.' })
  @Optional()
  @IsString()
  @MaxLength(1_000_000)
  instruction?: string;

  @ApiProperty({ type: [SignatureFieldDto] })
  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => SignatureFieldDto)
  input_schema!: SignatureFieldDto[];

  @ApiProperty({ type: [SignatureFieldDto] })
  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => SignatureFieldDto)
  output_schema!: SignatureFieldDto[];

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @Optional()
  @IsPlainObject()
  constraints?: Record<string, unknown>;
}

export class UpdateSignatureDto extends OmitType(CreateSignatureDto, [
  'project_id',
  'name',
  'instruction',
  'input_schema',
  'output_schema',
] as const) {
  @ApiPropertyOptional({ type: String, nullable: true, description: 'null clears it.' })
  @Nullable()
  @IsString()
  @MaxLength(1_000_000)
  instruction?: string | null;

  @ApiPropertyOptional({ maxLength: 200 })
  @Optional()
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({ type: [SignatureFieldDto] })
  @Optional()
  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => SignatureFieldDto)
  input_schema?: SignatureFieldDto[];

  @ApiPropertyOptional({ type: [SignatureFieldDto] })
  @Optional()
  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => SignatureFieldDto)
  output_schema?: SignatureFieldDto[];
}
