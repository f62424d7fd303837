import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ForbiddenError } from '@ps/common';
import type { RequestWithActor } from '../http/actor';
import { Authenticator } from './authenticator';
import { type Permission, PERMISSION_KEY, PUBLIC_KEY } from './permissions';

/**
 * Runs on every route: authenticates, then checks the permission the route declares. A route
 * that declares none is refused (and start-up refuses to run with one; see RouteGuardCheck).
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly authenticator: Authenticator,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const req = context.switchToHttp().getRequest<RequestWithActor>();
    const actor = await this.authenticator.authenticate(req);
    req.actor = actor;
    const permission = this.reflector.getAllAndOverride<Permission>(PERMISSION_KEY, targets);
    if (!permission) throw new ForbiddenError('This route declares no permission.');
    if (!actor.permissions.has(permission)) {
      throw new ForbiddenError(
        actor.apiKeyId !== null && actor.permissions.size < 4
          ? `This needs the "${permission}" permission, which your role (${actor.role}) or ` +
              'the API key scopes do not grant.'
          : `This needs the "${permission}" permission, which your role (${actor.role}) does not grant.`,
      );
    }
    return true;
  }
}
