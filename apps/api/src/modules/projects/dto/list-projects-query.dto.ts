import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsString, MaxLength } from 'class-validator';
import { Optional } from '../../../http/dto/transforms';
import { PROJECT_STATUSES, type ProjectStatus } from '@ps/database';
import { PageQueryDto } from '../../../http/dto/page-query.dto';

export const PROJECT_SORTS = [
  'name',
  '-name',
  'created_at',
  '-created_at',
  'updated_at',
  '-updated_at',
] as const;
export type ProjectSort = (typeof PROJECT_SORTS)[number];

export class ListProjectsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: PROJECT_STATUSES })
  @Optional()
  @IsIn(PROJECT_STATUSES)
  status?: ProjectStatus;

  @ApiPropertyOptional({ description: 'Only projects carrying this tag.' })
  @Optional()
  @IsString()
  @MaxLength(50)
  tag?: string;

  @ApiPropertyOptional({ enum: PROJECT_SORTS, default: '-created_at' })
  @Optional()
  @IsIn(PROJECT_SORTS)
  sort?: ProjectSort;
}
