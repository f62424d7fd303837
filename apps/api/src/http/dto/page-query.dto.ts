import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsString, Max, MaxLength, Min } from 'class-validator';
import { DEFAULT_PER_PAGE, MAX_PER_PAGE, type PageRequest } from '@ps/common';
import { Optional, QueryInt, Trim } from './transforms';

/** `page`, `per_page` and `search`, shared by every list route. */
export class PageQueryDto {
  @ApiPropertyOptional({ minimum: 1, default: 1 })
  @Optional()
  @QueryInt()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  page?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_PER_PAGE, default: DEFAULT_PER_PAGE })
  @Optional()
  @QueryInt()
  @IsInt()
  @Min(1)
  @Max(MAX_PER_PAGE)
  per_page?: number;

  @ApiPropertyOptional({ description: 'Case-insensitive substring of name or description.' })
  @Optional()
  @Trim()
  @IsString()
  @MaxLength(200)
  search?: string;
}

export function pageRequest(query: PageQueryDto): PageRequest {
  return { page: query.page ?? 1, perPage: query.per_page ?? DEFAULT_PER_PAGE };
}
