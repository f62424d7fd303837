import type { Type } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';

/**
 * The list envelope `{items, total, page, per_page}` for one item type. Extend the result with a
 * named class (`class ProjectPageDto extends PageOf(ProjectResponseDto) {}`) so the OpenAPI
 * schema gets that name.
 */
export function PageOf<T>(item: Type<T>) {
  class Page {
    @ApiProperty({ type: [item] })
    items!: T[];

    @ApiProperty({ description: 'Items matching the filters, on all pages.' })
    total!: number;

    @ApiProperty({ description: 'This page, from 1.' })
    page!: number;

    @ApiProperty({ description: 'Items per page (1 to 100).' })
    per_page!: number;
  }
  return Page;
}
