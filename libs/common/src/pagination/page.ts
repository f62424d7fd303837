export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  per_page: number;
}

export interface PageRequest {
  page: number;
  perPage: number;
}

export const DEFAULT_PER_PAGE = 20;
export const MAX_PER_PAGE = 100;

export function pageOffset({ page, perPage }: PageRequest): number {
  return (page - 1) * perPage;
}

export function toPage<E, T>(
  rows: E[],
  total: number,
  request: PageRequest,
  map: (row: E) => T,
): Page<T> {
  return { items: rows.map(map), total, page: request.page, per_page: request.perPage };
}

/**
 * Parses a sort expression such as `-created_at` against an allow-list of sortable fields.
 * Returns the column key and direction; unknown fields are rejected by the DTO before this.
 */
export function parseSort<K extends string>(
  sort: string | undefined,
  fallback: string,
): { field: K; direction: 'ASC' | 'DESC' } {
  const value = sort ?? fallback;
  return value.startsWith('-')
    ? { field: value.slice(1) as K, direction: 'DESC' }
    : { field: value as K, direction: 'ASC' };
}
