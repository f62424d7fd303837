import { Injectable, type NestMiddleware, type OnApplicationBootstrap } from '@nestjs/common';
import type { NextFunction, Response } from 'express';
import { WorkspacesRepository } from '@ps/database';
import type { Actor, RequestWithActor } from './actor';

/**
 * Resolves who is calling. Until authentication lands every request acts as the owner of the
 * install's default workspace; services already scope every query by `actor.workspaceId`, so
 * replacing this with real credentials changes no service code.
 */
@Injectable()
export class ActorMiddleware implements NestMiddleware, OnApplicationBootstrap {
  private owner: Actor | null = null;

  constructor(private readonly workspaces: WorkspacesRepository) {}

  async onApplicationBootstrap(): Promise<void> {
    this.owner = await this.workspaces.ensureDefaultOwner();
  }

  use(req: RequestWithActor, _res: Response, next: NextFunction): void {
    if (!this.owner) {
      next(new Error('The default workspace is not ready yet.'));
      return;
    }
    req.actor = this.owner;
    next();
  }
}
