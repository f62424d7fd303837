import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import type { Role } from '@ps/database';
import type { Permission } from '../auth/permissions';

/** Who is calling, resolved by the auth guard; every query is scoped by its workspace. */
export interface Actor {
  workspaceId: number;
  userId: number;
  role: Role;
  permissions: ReadonlySet<Permission>;
  /** The API key used, when the request carried one. */
  apiKeyId: number | null;
  via: 'api_key' | 'jwt' | 'none';
}

export type RequestWithActor = Request & { actor?: Actor };

export const CurrentActor = createParamDecorator((_data: unknown, ctx: ExecutionContext): Actor => {
  const actor = ctx.switchToHttp().getRequest<RequestWithActor>().actor;
  if (!actor) throw new Error('No actor on the request: the auth guard did not run.');
  return actor;
});
