import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';
import { DEFAULT_PER_PAGE, MAX_PER_PAGE, type PageRequest } from '@ps/common';
import { Optional, Trim } from './transforms';
import { IntField } from './integer-fields';

/** `page`, `per_page` and `search`, shared by every list route. */
export class PageQueryDto {
  @ApiPropertyOptional({ minimum: 1, default: 1 })
  @Optional()
  @IntField({ min: 1, max: 1_000_000, query: true })
  page?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_PER_PAGE, default: DEFAULT_PER_PAGE })
  @Optional()
  @IntField({ min: 1, max: MAX_PER_PAGE, query: true })
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
