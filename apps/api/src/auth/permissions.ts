import { SetMetadata } from '@nestjs/common';
import type { ApiKeyScope, Role } from '@ps/database';

/**
 * What a route needs. Viewers read; editors also create, update and run; admins also delete and
 * manage keys, members and the audit log; owners may do everything (including granting owner).
 */
export const PERMISSIONS = ['read', 'write', 'delete', 'manage'] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  viewer: ['read'],
  editor: ['read', 'write'],
  admin: ['read', 'write', 'delete', 'manage'],
  owner: ['read', 'write', 'delete', 'manage'],
};

/** API key scopes narrow what the key's owner may do; they never widen it. */
export const SCOPE_PERMISSIONS: Record<ApiKeyScope, readonly Permission[]> = {
  read: ['read'],
  write: ['read', 'write'],
  admin: ['read', 'write', 'delete', 'manage'],
};

export const ROLE_RANK: Record<Role, number> = { viewer: 0, editor: 1, admin: 2, owner: 3 };

export function effectivePermissions(role: Role, scopes?: readonly ApiKeyScope[]): Set<Permission> {
  const allowed = new Set(ROLE_PERMISSIONS[role]);
  if (!scopes) return allowed;
  const granted = new Set(scopes.flatMap((scope) => SCOPE_PERMISSIONS[scope]));
  return new Set([...allowed].filter((p) => granted.has(p)));
}

export const PERMISSION_KEY = 'ps:permission';
export const RATE_LIMIT_KEY = 'ps:rate-limit';

/** The permission a route requires. Every non-public route must declare one (checked at start). */
export const RequirePermission = (permission: Permission) =>
  SetMetadata(PERMISSION_KEY, permission);

export { Public, PUBLIC_KEY } from '@ps/common';

export const RATE_LIMITED_OPERATIONS = [
  'create_project',
  'optimize',
  'evaluate',
  'generate',
  'default',
] as const;
export type RateLimitedOperation = (typeof RATE_LIMITED_OPERATIONS)[number];

/** The rate-limit bucket of a route; routes without one count against `default`. */
export const RateLimit = (operation: RateLimitedOperation) =>
  SetMetadata(RATE_LIMIT_KEY, operation);
