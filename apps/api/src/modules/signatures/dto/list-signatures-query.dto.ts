import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { PageQueryDto } from '../../../http/dto/page-query.dto';
import { Optional } from '../../../http/dto/transforms';
import { IdField } from '../../../http/dto/integer-fields';

export const SIGNATURE_SORTS = ['name', '-name', 'created_at', '-created_at'] as const;

export class ListSignaturesQueryDto extends PageQueryDto {
  @ApiProperty()
  @IdField({ query: true })
  project_id!: number;

  @ApiPropertyOptional({ enum: SIGNATURE_SORTS, default: 'name' })
  @Optional()
  @IsIn(SIGNATURE_SORTS)
  sort?: (typeof SIGNATURE_SORTS)[number];
}
