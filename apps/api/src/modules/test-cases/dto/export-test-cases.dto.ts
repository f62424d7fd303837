import { ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsNotEmpty,
  IsString,
  MaxLength,
} from 'class-validator';
import { EXPORT_FORMATS, type ExportFormat } from '@ps/test-case-io';
import { IdField } from '../../../http/dto/integer-fields';
import { Optional } from '../../../http/dto/transforms';

export class ExportTestCasesDto {
  @ApiPropertyOptional({ enum: EXPORT_FORMATS, default: 'json' })
  @Optional()
  @IsIn(EXPORT_FORMATS)
  format?: ExportFormat;

  @ApiPropertyOptional({ default: false, description: 'Only golden cases.' })
  @Optional()
  @IsBoolean()
  golden_only?: boolean;

  @ApiPropertyOptional({ type: [String], description: 'Only cases carrying all these tags.' })
  @Optional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @IsNotEmpty({ each: true })
  @MaxLength(50, { each: true })
  tags?: string[];

  @IdField()
  @ApiPropertyOptional({ description: 'Only cases of this signature.' })
  @Optional()
  signature_id?: number;
}

export const TEMPLATE_FORMATS = ['csv', 'json'] as const;

export class TemplateQueryDto {
  @ApiPropertyOptional({ enum: TEMPLATE_FORMATS, default: 'csv' })
  @Optional()
  @IsIn(TEMPLATE_FORMATS)
  format?: (typeof TEMPLATE_FORMATS)[number];

  @IdField({ query: true })
  @ApiPropertyOptional({ description: "Columns from this signature's fields." })
  @Optional()
  signature_id?: number;
}
