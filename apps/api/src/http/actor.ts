import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';

/** Who is calling, resolved before any handler runs; every query is scoped by its workspace. */
export interface Actor {
  workspaceId: number;
  userId: number;
}

export type RequestWithActor = Request & { actor?: Actor };

export const CurrentActor = createParamDecorator((_data: unknown, ctx: ExecutionContext): Actor => {
  const actor = ctx.switchToHttp().getRequest<RequestWithActor>().actor;
  if (!actor) throw new Error('No actor on the request: the actor middleware did not run.');
  return actor;
});
