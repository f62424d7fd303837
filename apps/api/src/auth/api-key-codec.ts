import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * API keys look like `pstudio_<43 url-safe characters>` (256 random bits). The first 16
 * characters are the visible prefix, stored in clear to find the row; only a SHA-256 hash of the
 * whole key is stored. A fast hash is enough: keys are random, not passwords.
 */
export const API_KEY_PREFIX = 'pstudio_';
const VISIBLE_LENGTH = 16;
const KEY_PATTERN = /^pstudio_[A-Za-z0-9_-]{24,128}$/;

export interface GeneratedApiKey {
  key: string;
  prefix: string;
  hash: string;
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export function apiKeyPrefix(key: string): string {
  return key.slice(0, VISIBLE_LENGTH);
}

export function isWellFormedApiKey(key: string): boolean {
  return KEY_PATTERN.test(key);
}

export function generateApiKey(): GeneratedApiKey {
  const key = `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  return { key, prefix: apiKeyPrefix(key), hash: hashApiKey(key) };
}

/** From a key the operator chose (PROMPT_STUDIO_API_KEY). */
export function describeApiKey(key: string): GeneratedApiKey {
  return { key, prefix: apiKeyPrefix(key), hash: hashApiKey(key) };
}

export function apiKeyMatches(key: string, storedHash: string): boolean {
  const actual = Buffer.from(hashApiKey(key), 'hex');
  const expected = Buffer.from(storedHash, 'hex');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
