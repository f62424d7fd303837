import { ValidationFailedError } from '@ps/common';

/**
 * Refuses an update that changes nothing. DTO classes declare their fields, so an empty body
 * still has them as own keys, set to undefined: count values, not keys.
 */
export function requireChanges(dto: object): void {
  if (Object.values(dto).every((value) => value === undefined)) {
    throw new ValidationFailedError(
      [{ field: 'body', message: 'Send at least one field to change.' }],
      'Nothing to update.',
    );
  }
}
