import { QueryFailedError } from 'typeorm';

/** The unique constraint a failed statement violated, if that is why it failed. */
export function uniqueViolation(err: unknown): string | null {
  if (!(err instanceof QueryFailedError)) return null;
  const driverError = err.driverError as { code?: string; constraint?: string } | undefined;
  return driverError?.code === '23505' ? (driverError.constraint ?? 'unknown') : null;
}

/** Escapes LIKE wildcards so a search for `50%` finds the text "50%". */
export function likePattern(search: string): string {
  return `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
