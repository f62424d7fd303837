import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsString, MaxLength } from 'class-validator';
import { PageQueryDto } from '../../../http/dto/page-query.dto';
import { Optional, QueryBoolean, QueryList } from '../../../http/dto/transforms';
import { IdField } from '../../../http/dto/integer-fields';

export const TEST_CASE_SORTS = [
  'name',
  '-name',
  'created_at',
  '-created_at',
  'updated_at',
  '-updated_at',
] as const;

export class ListTestCasesQueryDto extends PageQueryDto {
  @ApiProperty()
  @IdField({ query: true })
  project_id!: number;

  @ApiPropertyOptional({ description: 'true: only golden cases; false: only non-golden.' })
  @Optional()
  @QueryBoolean()
  @IsBoolean()
  is_golden?: boolean;

  @ApiPropertyOptional({
    type: [String],
    description: 'Cases carrying all these tags (comma-separated or repeated).',
  })
  @Optional()
  @QueryList()
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @MaxLength(50, { each: true })
  tags?: string[];

  @ApiPropertyOptional()
  @Optional()
  @IdField({ query: true })
  signature_id?: number;

  @ApiPropertyOptional({ enum: TEST_CASE_SORTS, default: 'created_at' })
  @Optional()
  @IsIn(TEST_CASE_SORTS)
  sort?: (typeof TEST_CASE_SORTS)[number];
}
