import { toText } from '../text';

/** The reference texts of a case: expected as one string, or each element of an array. */
export function referenceTexts(expected: unknown): string[] {
  if (expected === null || expected === undefined) return [];
  return Array.isArray(expected) ? (expected as unknown[]).map(toText) : [toText(expected)];
}
