import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, Min } from 'class-validator';
import { PageQueryDto } from '../../../http/dto/page-query.dto';
import { Optional, QueryInt } from '../../../http/dto/transforms';

export const SIGNATURE_SORTS = ['name', '-name', 'created_at', '-created_at'] as const;

export class ListSignaturesQueryDto extends PageQueryDto {
  @ApiProperty()
  @QueryInt()
  @IsInt()
  @Min(1)
  project_id!: number;

  @ApiPropertyOptional({ enum: SIGNATURE_SORTS, default: 'name' })
  @Optional()
  @IsIn(SIGNATURE_SORTS)
  sort?: (typeof SIGNATURE_SORTS)[number];
}
